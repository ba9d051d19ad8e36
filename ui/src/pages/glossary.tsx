// Glossaries, their terms, and assigning terms to entities.
import { useState } from 'preact/hooks';
import { get, post } from '../api';
import { displayName } from '../catalog';
import { DialogButtons, EntityLink, ErrorBox, Modal, Spinner, useAsync } from '../components';
import { useSubmit } from '../hooks';
import { href, navigate, type Route } from '../router';

export interface TermOption {
  value: string;
  label: string;
  guid: string;
}

/** Every term of every glossary, as `term@glossary` (what basic search's termName expects). */
export async function loadTermOptions(): Promise<TermOption[]> {
  const glossaries: any[] = (await get('/v2/glossary', { limit: -1 })) ?? [];
  const out: TermOption[] = [];
  for (const g of glossaries) {
    for (const t of g.terms ?? []) {
      const name = t.displayText ?? '';
      out.push({ value: `${name}@${g.qualifiedName ?? g.name}`, label: `${name} (${g.name})`, guid: t.termGuid });
    }
  }
  return out.sort((a, b) => a.label.localeCompare(b.label));
}

export function GlossaryPage({ route }: { route: Route }) {
  const glossaryGuid = route.segments[1];
  const termGuid = route.params.get('term') ?? '';
  const [tick, setTick] = useState(0);
  const [glossaries, error, loading] = useAsync(() => get('/v2/glossary', { limit: -1 }), [tick]);
  const [creating, setCreating] = useState<'glossary' | 'term' | null>(null);
  const list: any[] = glossaries ?? [];
  const current = list.find((g) => g.guid === glossaryGuid) ?? (glossaryGuid ? null : list[0]);
  return (
    <div class="page two-col">
      <aside class="card tree-panel">
        <div class="results-bar">
          <h2>Glossaries</h2>
          <span class="grow" />
          <button class="small" onClick={() => setCreating('glossary')} data-testid="create-glossary">
            + Glossary
          </button>
        </div>
        {loading && !glossaries ? <Spinner /> : null}
        <ErrorBox error={error} />
        {glossaries && !list.length ? <p class="muted">No glossaries yet.</p> : null}
        <ul class="tree">
          {list.map((g) => (
            <li>
              <a href={href(`/glossary/${g.guid}`)} class={current?.guid === g.guid && !termGuid ? 'active' : ''}>
                {g.name}
                <span class="count">{(g.terms ?? []).length}</span>
              </a>
              {current?.guid === g.guid ? (
                <ul>
                  {(g.terms ?? []).map((t: any) => (
                    <li>
                      <a href={href(`/glossary/${g.guid}`, { term: t.termGuid })} class={t.termGuid === termGuid ? 'active' : ''}>
                        {t.displayText}
                      </a>
                    </li>
                  ))}
                </ul>
              ) : null}
            </li>
          ))}
        </ul>
      </aside>
      <section class="detail">
        {current && !termGuid ? (
          <div class="card">
            <div class="results-bar">
              <h1>{current.name}</h1>
              <span class="grow" />
              <button class="small" onClick={() => setCreating('term')} data-testid="create-term">
                + Term
              </button>
            </div>
            <p>{current.shortDescription || <span class="muted">No description.</span>}</p>
            {current.longDescription ? <p>{current.longDescription}</p> : null}
            <h2>Terms</h2>
            {(current.terms ?? []).length ? (
              <ul>
                {current.terms.map((t: any) => (
                  <li>
                    <a href={href(`/glossary/${current.guid}`, { term: t.termGuid })}>{t.displayText}</a>
                  </li>
                ))}
              </ul>
            ) : (
              <p class="muted">No terms yet.</p>
            )}
          </div>
        ) : null}
        {termGuid ? <TermDetail guid={termGuid} /> : null}
      </section>
      {creating ? (
        <CreateGlossaryItem
          kind={creating}
          glossaryGuid={current?.guid}
          onClose={() => setCreating(null)}
          onDone={(guid) => {
            setCreating(null);
            setTick((t) => t + 1);
            if (creating === 'glossary') navigate(`/glossary/${guid}`);
            else navigate(`/glossary/${current.guid}`, { term: guid });
          }}
        />
      ) : null}
    </div>
  );
}

function TermDetail({ guid }: { guid: string }) {
  const [tick, setTick] = useState(0);
  const [term, error, loading] = useAsync((signal) => get(`/v2/glossary/term/${guid}`, undefined, signal), [guid, tick]);
  const [assigning, setAssigning] = useState(false);
  if (loading && !term) return <Spinner />;
  if (error) return <ErrorBox error={error} />;
  const assigned: any[] = term.assignedEntities ?? [];
  return (
    <div class="card">
      <div class="results-bar">
        <h1 data-testid="term-name">{term.name}</h1>
        <span class="muted mono small">{term.qualifiedName}</span>
        <span class="grow" />
        <button class="small" onClick={() => setAssigning(true)}>
          Assign to entity…
        </button>
      </div>
      <p>{term.shortDescription || <span class="muted">No description.</span>}</p>
      {term.longDescription ? <p>{term.longDescription}</p> : null}
      <h2>Assigned entities</h2>
      {assigned.length ? (
        <ul>
          {assigned.map((e) => (
            <li>
              <EntityLink e={e} /> <span class="muted small">{e.typeName}</span>
            </li>
          ))}
        </ul>
      ) : (
        <p class="muted">Not assigned to any entity.</p>
      )}
      {assigning ? <AssignToEntity termGuid={guid} onClose={() => setAssigning(false)} onDone={() => (setAssigning(false), setTick((t) => t + 1))} /> : null}
    </div>
  );
}

function AssignToEntity({ termGuid, onClose, onDone }: { termGuid: string; onClose: () => void; onDone: () => void }) {
  const [text, setText] = useState('');
  const [hits, setHits] = useState<any[]>([]);
  const [chosen, setChosen] = useState<Set<string>>(new Set());
  const { busy, error, setError, run } = useSubmit(async () => {
    await post(`/v2/glossary/terms/${termGuid}/assignedEntities`, [...chosen].map((g) => ({ guid: g })));
    onDone();
  });
  const find = async (ev: Event) => {
    ev.preventDefault();
    setError(null);
    try {
      const r = await post('/v2/search/basic', { query: text, typeName: '_ALL_ENTITY_TYPES', excludeDeletedEntities: true, limit: 25 });
      setHits(r?.entities ?? []);
    } catch (e) {
      setError(e);
    }
  };
  return (
    <Modal
      title="Assign term to entities"
      onClose={onClose}
      actions={
        <DialogButtons onCancel={onClose} onConfirm={run} disabled={!chosen.size || busy}>
          Assign to {chosen.size}
        </DialogButtons>
      }
    >
      <form class="form-row" onSubmit={find}>
        <input class="grow" type="search" placeholder="Find entities…" value={text} onInput={(e) => setText(e.currentTarget.value)} />
        <button type="submit">Find</button>
      </form>
      <ErrorBox error={error} />
      <ul class="plain pick-list">
        {hits.map((e) => (
          <li>
            <label class="check">
              <input
                type="checkbox"
                checked={chosen.has(e.guid)}
                onChange={() => {
                  const s = new Set(chosen);
                  s.has(e.guid) ? s.delete(e.guid) : s.add(e.guid);
                  setChosen(s);
                }}
              />{' '}
              {displayName(e)} <span class="muted small">{e.typeName}</span>
            </label>
          </li>
        ))}
      </ul>
    </Modal>
  );
}

function CreateGlossaryItem({ kind, glossaryGuid, onClose, onDone }: { kind: 'glossary' | 'term'; glossaryGuid?: string; onClose: () => void; onDone: (guid: string) => void }) {
  const [name, setName] = useState('');
  const [shortDescription, setShort] = useState('');
  const [longDescription, setLong] = useState('');
  const valid = name.trim() !== '' && !/[@.]/.test(name);
  const { busy, error, run } = useSubmit(async () => {
    const r =
      kind === 'glossary'
        ? await post('/v2/glossary', { name, shortDescription, longDescription })
        : await post('/v2/glossary/term', { name, shortDescription, longDescription, anchor: { glossaryGuid } });
    onDone(r.guid);
  });
  return (
    <Modal
      title={kind === 'glossary' ? 'Create glossary' : 'Create term'}
      onClose={onClose}
      actions={
        <DialogButtons onCancel={onClose} onConfirm={run} disabled={!valid || busy} testId="glossary-save">
          Create
        </DialogButtons>
      }
    >
      <label>
        Name
        <input name="name" value={name} onInput={(e) => setName(e.currentTarget.value)} />
      </label>
      {name && !valid ? <p class="error-text">Names may not contain "@" or ".".</p> : null}
      <label>
        Short description
        <input value={shortDescription} onInput={(e) => setShort(e.currentTarget.value)} />
      </label>
      <label>
        Long description
        <textarea rows={3} value={longDescription} onInput={(e) => setLong(e.currentTarget.value)} />
      </label>
      <ErrorBox error={error} />
    </Modal>
  );
}
