// Top-bar search box: type-ahead from /v2/search/quick, Enter opens the full search.
import { useEffect, useRef, useState } from 'preact/hooks';
import { get } from './api';
import { displayName } from './catalog';
import { entityHref, navigate } from './router';

export function QuickSearch() {
  const [text, setText] = useState('');
  const [hits, setHits] = useState<any[]>([]);
  const [open, setOpen] = useState(false);
  const [active, setActive] = useState(-1);
  const timer = useRef<number | undefined>(undefined);
  const ac = useRef<AbortController | undefined>(undefined);

  useEffect(() => {
    window.clearTimeout(timer.current);
    ac.current?.abort();
    if (text.trim().length < 2) {
      setHits([]);
      return;
    }
    timer.current = window.setTimeout(async () => {
      ac.current = new AbortController();
      try {
        const r: any = await get('/v2/search/quick', { query: text.trim(), limit: 8, excludeDeletedEntities: true }, ac.current.signal);
        setHits(r?.searchResults?.entities ?? r?.entities ?? []);
        setActive(-1);
      } catch {
        setHits([]);
      }
    }, 250);
  }, [text]);

  const go = (e?: any) => {
    setOpen(false);
    if (e) location.hash = entityHref(e.guid);
    else if (text.trim()) navigate('/search', { query: text.trim(), type: '_ALL_ENTITY_TYPES' });
  };
  return (
    <div class="quick" onFocusOut={(ev) => !(ev.currentTarget as HTMLElement).contains(ev.relatedTarget as Node) && setOpen(false)}>
      <input
        type="search"
        placeholder="Search the catalog…"
        aria-label="Quick search"
        value={text}
        onInput={(e) => {
          setText(e.currentTarget.value);
          setOpen(true);
        }}
        onFocus={() => setOpen(true)}
        onKeyDown={(e) => {
          if (e.key === 'ArrowDown') setActive(Math.min(hits.length - 1, active + 1));
          else if (e.key === 'ArrowUp') setActive(Math.max(-1, active - 1));
          else if (e.key === 'Enter') go(active >= 0 ? hits[active] : undefined);
          else if (e.key === 'Escape') setOpen(false);
        }}
      />
      {open && hits.length ? (
        <ul class="quick-list" role="listbox">
          {hits.map((h, i) => (
            <li role="option" aria-selected={i === active}>
              <a href={entityHref(h.guid)} class={i === active ? 'active' : ''} onClick={() => setOpen(false)}>
                <span>{displayName(h)}</span>
                <span class="muted small">{h.typeName}</span>
              </a>
            </li>
          ))}
          <li>
            <button class="link small" onClick={() => go()}>
              All results for “{text}”
            </button>
          </li>
        </ul>
      ) : null}
    </div>
  );
}
