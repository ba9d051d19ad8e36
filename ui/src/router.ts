// Hash router: `#/path/seg?key=value`. No server-side fallback routes needed.
import { useEffect, useState } from 'preact/hooks';

export interface Route {
  path: string;
  segments: string[];
  params: URLSearchParams;
}

export function currentRoute(): Route {
  const raw = location.hash.replace(/^#!?/, '') || '/';
  const [p, q = ''] = raw.split('?', 2);
  const path = p.startsWith('/') ? p : `/${p}`;
  return {
    path,
    segments: path.split('/').filter(Boolean).map(decodeURIComponent),
    params: new URLSearchParams(q),
  };
}

export function href(path: string, params?: Record<string, string | number | boolean | undefined | null>): string {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(params ?? {})) {
    if (v !== undefined && v !== null && v !== '' && v !== false) p.set(k, String(v));
  }
  const q = p.toString();
  return `#${path}${q ? `?${q}` : ''}`;
}

export function navigate(path: string, params?: Record<string, string | number | boolean | undefined | null>, replace = false) {
  const h = href(path, params);
  if (replace) history.replaceState(null, '', h);
  else history.pushState(null, '', h);
  window.dispatchEvent(new HashChangeEvent('hashchange'));
}

export function useRoute(): Route {
  const [route, setRoute] = useState(currentRoute);
  useEffect(() => {
    const on = () => setRoute(currentRoute());
    window.addEventListener('hashchange', on);
    window.addEventListener('popstate', on);
    return () => {
      window.removeEventListener('hashchange', on);
      window.removeEventListener('popstate', on);
    };
  }, []);
  return route;
}

export const entityHref = (guid: string, tab?: string) => href(`/entity/${encodeURIComponent(guid)}`, { tab });
