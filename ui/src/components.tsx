// Small building blocks shared by the pages.
import type { ComponentChildren } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { ApiError } from './api';
import { entityHref } from './router';
import { displayName } from './catalog';

export function Spinner({ label = 'Loading…' }: { label?: string }) {
  return (
    <div class="loading" role="status">
      <span class="spin" aria-hidden="true" />
      {label}
    </div>
  );
}

export function ErrorBox({ error, onClose }: { error: unknown; onClose?: () => void }) {
  if (!error) return null;
  const e = error as ApiError;
  return (
    <div class="error" role="alert">
      <strong>{e.status ? `Error ${e.status}` : 'Error'}</strong>
      {e.code ? <code class="errcode">{e.code}</code> : null}
      <span class="errmsg">{e.message ?? String(error)}</span>
      {onClose ? (
        <button class="link close" onClick={onClose} aria-label="Dismiss">
          ×
        </button>
      ) : null}
    </div>
  );
}

/** Loads data for `deps`; returns [data, error, loading, reload]. */
export function useAsync<T>(fn: (signal: AbortSignal) => Promise<T>, deps: unknown[]) {
  const [state, setState] = useState<{ data?: T; error?: unknown; loading: boolean }>({ loading: true });
  const [tick, setTick] = useState(0);
  useEffect(() => {
    const ac = new AbortController();
    setState((s) => ({ data: s.data, loading: true }));
    fn(ac.signal).then(
      (data) => !ac.signal.aborted && setState({ data, loading: false }),
      (error) => !ac.signal.aborted && setState({ error, loading: false }),
    );
    return () => ac.abort();
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [...deps, tick]);
  return [state.data, state.error, state.loading, () => setTick((t) => t + 1)] as const;
}

export function EntityLink({ e }: { e: any }) {
  if (!e?.guid) return <span>{displayName(e)}</span>;
  const deleted = (e.status ?? e.entityStatus) === 'DELETED';
  return (
    <a href={entityHref(e.guid)} class={deleted ? 'deleted' : ''} title={e.attributes?.qualifiedName ?? e.qualifiedName ?? ''}>
      {displayName(e) || e.guid}
    </a>
  );
}

export function Chip({
  children,
  kind = 'tag',
  title,
  onRemove,
}: {
  children: ComponentChildren;
  kind?: 'tag' | 'prop' | 'term' | 'label' | 'status';
  title?: string;
  onRemove?: () => void;
}) {
  return (
    <span class={`chip chip-${kind}`} title={title}>
      {children}
      {onRemove ? (
        <button class="chip-x" onClick={onRemove} aria-label="Remove">
          ×
        </button>
      ) : null}
    </span>
  );
}

export function Modal({
  title,
  children,
  onClose,
  actions,
}: {
  title: string;
  children: ComponentChildren;
  onClose: () => void;
  actions?: ComponentChildren;
}) {
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const onKey = (ev: KeyboardEvent) => ev.key === 'Escape' && onClose();
    window.addEventListener('keydown', onKey);
    ref.current?.querySelector<HTMLElement>('input,select,textarea,button')?.focus();
    return () => window.removeEventListener('keydown', onKey);
  }, []);
  return (
    <div class="modal-back" onClick={(e) => e.target === e.currentTarget && onClose()}>
      <div class="modal" role="dialog" aria-label={title} ref={ref}>
        <header>
          <h2>{title}</h2>
          <button class="link close" onClick={onClose} aria-label="Close">
            ×
          </button>
        </header>
        <div class="modal-body">{children}</div>
        {actions ? <footer>{actions}</footer> : null}
      </div>
    </div>
  );
}

// Labelled picker of classification names, with an empty "choose…" first option.
export function ClassificationSelect({
  names,
  value,
  onChange,
}: {
  names: string[];
  value: string;
  onChange: (name: string) => void;
}) {
  return (
    <label>
      Classification
      <select name="classification" value={value} onChange={(e) => onChange(e.currentTarget.value)}>
        <option value="">choose…</option>
        {names.map((n) => (
          <option value={n}>{n}</option>
        ))}
      </select>
    </label>
  );
}

// Footer of a dialog: a Cancel button and the primary button.
export function DialogButtons({
  onCancel,
  onConfirm,
  disabled,
  testId,
  children,
}: {
  onCancel: () => void;
  onConfirm: () => void;
  disabled: boolean;
  testId?: string;
  children: ComponentChildren;
}) {
  return (
    <>
      <button class="secondary" onClick={onCancel}>
        Cancel
      </button>
      <button disabled={disabled} onClick={onConfirm} data-testid={testId}>
        {children}
      </button>
    </>
  );
}

export function Tabs({ tabs, active, onSelect }: { tabs: [string, string][]; active: string; onSelect: (id: string) => void }) {
  return (
    <nav class="tabs" role="tablist">
      {tabs.map(([id, label]) => (
        <button role="tab" aria-selected={id === active} class={id === active ? 'active' : ''} onClick={() => onSelect(id)} data-tab={id}>
          {label}
        </button>
      ))}
    </nav>
  );
}

export function downloadText(filename: string, text: string, mime = 'text/csv') {
  const url = URL.createObjectURL(new Blob([text], { type: `${mime};charset=utf-8` }));
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

export function toCsv(header: string[], rows: string[][]): string {
  const cell = (s: string) => (/[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);
  return [header, ...rows].map((r) => r.map(cell).join(',')).join('\r\n') + '\r\n';
}
