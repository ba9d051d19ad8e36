// Thin client for the Atlas-compatible REST API. Cookie session + CSRF header;
// every failure becomes an ApiError carrying the server's errorCode/errorMessage.

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly code = '',
  ) {
    super(message);
  }
}

export interface Session {
  userName: string;
  groups?: string[];
  _csrfToken?: string;
  [key: string]: unknown;
}

type Query = Record<string, string | number | boolean | undefined | null | (string | number)[]>;

let csrfToken = '';
let csrfHeader = 'X-XSRF-HEADER';
let onUnauthorized: () => void = () => {};

export function setUnauthorizedHandler(fn: () => void) {
  onUnauthorized = fn;
}

export function queryString(q?: Query): string {
  if (!q) return '';
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(q)) {
    if (v === undefined || v === null || v === '') continue;
    if (Array.isArray(v)) v.forEach((x) => p.append(k, String(x)));
    else p.append(k, String(v));
  }
  const s = p.toString();
  return s ? `?${s}` : '';
}

async function errorFrom(res: Response): Promise<ApiError> {
  const text = await res.text().catch(() => '');
  try {
    const j = JSON.parse(text);
    if (j && (j.errorMessage || j.errorCode)) {
      return new ApiError(res.status, j.errorMessage || j.errorCode, j.errorCode || '');
    }
  } catch {
    /* not JSON */
  }
  return new ApiError(res.status, text.trim().slice(0, 300) || `${res.status} ${res.statusText}`);
}

export async function request<T = any>(
  method: string,
  path: string,
  opts: { query?: Query; body?: unknown; signal?: AbortSignal; base?: string } = {},
): Promise<T> {
  const headers: Record<string, string> = {
    Accept: 'application/json',
    'X-Requested-With': 'XMLHttpRequest',
  };
  if (method !== 'GET' && method !== 'HEAD') {
    if (csrfToken) headers[csrfHeader] = csrfToken;
    if (opts.body !== undefined) headers['Content-Type'] = 'application/json; charset=UTF-8';
  }
  let res: Response;
  try {
    res = await fetch(`${opts.base ?? 'api/atlas'}${path}${queryString(opts.query)}`, {
      method,
      headers,
      credentials: 'same-origin',
      body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
      signal: opts.signal,
    });
  } catch (e) {
    if ((e as Error).name === 'AbortError') throw e;
    throw new ApiError(0, `Cannot reach the server: ${(e as Error).message}`);
  }
  if (res.status === 401) {
    onUnauthorized();
    throw await errorFrom(res);
  }
  if (!res.ok) throw await errorFrom(res);
  if (res.status === 204) return null as T;
  const text = await res.text();
  return (text ? JSON.parse(text) : null) as T;
}

export const get = <T = any>(path: string, query?: Query, signal?: AbortSignal) =>
  request<T>('GET', path, { query, signal });
export const post = <T = any>(path: string, body?: unknown, query?: Query) =>
  request<T>('POST', path, { body, query });
export const put = <T = any>(path: string, body?: unknown, query?: Query) =>
  request<T>('PUT', path, { body, query });
export const del = <T = any>(path: string, body?: unknown, query?: Query) =>
  request<T>('DELETE', path, { body, query });

/** GET of Meridian's own API (`api/meridian/v1/...`), beside Atlas's. */
export const meridianGet = <T = any>(path: string, query?: Query, signal?: AbortSignal) =>
  request<T>('GET', path, { query, signal, base: 'api/meridian/v1' });

/** Loads the session; null when not signed in. */
export async function loadSession(): Promise<Session | null> {
  try {
    const s = await request<Session>('GET', '/admin/session');
    csrfToken = String(s._csrfToken ?? '');
    csrfHeader = String(s['atlas.rest-csrf.custom-header'] ?? 'X-XSRF-HEADER');
    return s;
  } catch (e) {
    if (e instanceof ApiError && (e.status === 401 || e.status === 403)) return null;
    throw e;
  }
}

export async function signIn(user: string, password: string): Promise<void> {
  const body = new URLSearchParams({ j_username: user, j_password: password });
  let res: Response;
  try {
    res = await fetch('j_spring_security_check', {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded', 'X-Requested-With': 'XMLHttpRequest' },
      body,
      credentials: 'same-origin',
    });
  } catch (e) {
    throw new ApiError(0, `Cannot reach the server: ${(e as Error).message}`);
  }
  if (res.status === 401 || res.status === 403) throw new ApiError(res.status, 'Invalid user name or password');
  if (!res.ok) throw await errorFrom(res);
}

export async function signOut(): Promise<void> {
  csrfToken = '';
  await fetch('logout.html', { credentials: 'same-origin', headers: { 'X-Requested-With': 'XMLHttpRequest' } }).catch(
    () => undefined,
  );
}

/** Runs `fn` over `items` with at most `limit` calls in flight. */
export async function mapLimit<T, R>(items: T[], limit: number, fn: (t: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}
