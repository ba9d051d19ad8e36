// Saved searches (Atlas's /search/saved, per user): save the current search
// under a name and run a saved one again. The search page's own URL state is
// kept in uiParameters; searchParameters hold what Atlas clients execute.
import { useState } from 'preact/hooks';
import { del, get, post } from '../api';
import { DialogButtons, ErrorBox, Modal, useAsync } from '../components';
import { useSubmit } from '../hooks';
import { navigate } from '../router';

interface SavedSearch {
  guid: string;
  name: string;
  searchType: string;
  searchParameters?: Record<string, any>;
  uiParameters?: string;
}

/** The search page's parameters for a saved search made by another client (no uiParameters). */
function pageParams(s: SavedSearch): Record<string, string> {
  if (s.uiParameters) return Object.fromEntries(new URLSearchParams(s.uiParameters));
  const sp = s.searchParameters ?? {};
  if (s.searchType === 'ADVANCED') return { mode: 'dsl', dsl: sp.query ?? '' };
  return { type: sp.typeName ?? '', query: sp.query ?? '', cls: sp.classification ?? '', term: sp.termName ?? '' };
}

export function SavedSearchBar({
  current,
  searchType,
  searchParameters,
}: {
  current: Record<string, string | number | undefined> | null;
  searchType: 'BASIC' | 'ADVANCED';
  searchParameters: Record<string, unknown>;
}) {
  const [list, listError, , reload] = useAsync((signal) => get<SavedSearch[]>('/v2/search/saved', undefined, signal), []);
  const [saving, setSaving] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const remove = async (s: SavedSearch) => {
    try {
      await del(`/v2/search/saved/${encodeURIComponent(s.guid)}`);
      reload();
    } catch (e) {
      setError(e);
    }
  };
  return (
    <div class="saved-searches" data-testid="saved-searches">
      <span class="meta-label">Saved searches</span>
      {(list ?? []).map((s) => (
        <span class="saved-search">
          <button class="link" data-testid="saved-search" onClick={() => navigate('/search', pageParams(s))}>
            {s.name}
          </button>
          <button class="link small" title={`Delete ${s.name}`} onClick={() => remove(s)}>
            ×
          </button>
        </span>
      ))}
      {list && !list.length ? <span class="muted">none</span> : null}
      <span class="grow" />
      {current ? (
        <button class="secondary small" data-testid="save-search" onClick={() => setSaving(true)}>
          Save search…
        </button>
      ) : null}
      <ErrorBox error={listError || error} onClose={() => setError(null)} />
      {saving && current ? (
        <SaveDialog
          current={current}
          searchType={searchType}
          searchParameters={searchParameters}
          onClose={() => setSaving(false)}
          onDone={() => (setSaving(false), reload())}
        />
      ) : null}
    </div>
  );
}

function SaveDialog({
  current,
  searchType,
  searchParameters,
  onClose,
  onDone,
}: {
  current: Record<string, string | number | undefined>;
  searchType: string;
  searchParameters: Record<string, unknown>;
  onClose: () => void;
  onDone: () => void;
}) {
  const [name, setName] = useState('');
  const { busy, error, run } = useSubmit(async () => {
    const ui = new URLSearchParams();
    for (const [k, v] of Object.entries(current)) if (v !== undefined && v !== '') ui.set(k, String(v));
    await post('/v2/search/saved', { name: name.trim(), searchType, searchParameters, uiParameters: ui.toString() });
    onDone();
  });
  return (
    <Modal
      title="Save this search"
      onClose={onClose}
      actions={
        <DialogButtons onCancel={onClose} onConfirm={run} disabled={!name.trim() || busy} testId="save-search-confirm">
          Save
        </DialogButtons>
      }
    >
      <ErrorBox error={error} />
      <label>
        Name
        <input name="name" data-testid="save-search-name" value={name} onInput={(e) => setName(e.currentTarget.value)} />
      </label>
    </Modal>
  );
}
