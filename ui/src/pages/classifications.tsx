// Classification tree with counts, create/edit form and the entities carrying one.
import { useState } from 'preact/hooks';
import { post, put } from '../api';
import { loadMetrics, loadTypes, type AttributeDef, type TypeDef } from '../catalog';
import { Chip, DialogButtons, EntityLink, ErrorBox, Modal, Spinner, useAsync } from '../components';
import { useSubmit } from '../hooks';
import { href, navigate, type Route } from '../router';
import { BulkClassify } from './search';

const ATTR_TYPES = ['string', 'int', 'long', 'float', 'double', 'boolean', 'date', 'array<string>'];

export function ClassificationsPage({ name, route }: { name?: string; route: Route }) {
  const [tick, setTick] = useState(0);
  const [data, error, loading] = useAsync(async () => {
    const [types, metrics] = await Promise.all([loadTypes(tick > 0), loadMetrics().catch(() => null)]);
    return { defs: types.classificationDefs, counts: metrics?.tagEntities ?? {} };
  }, [tick]);
  const [editing, setEditing] = useState<TypeDef | 'new' | null>(null);
  const [filter, setFilter] = useState('');
  const defs = data?.defs ?? [];
  const selected = name ? defs.find((d) => d.name === name) : undefined;

  return (
    <div class="page two-col">
      <aside class="card tree-panel">
        <div class="results-bar">
          <h2>Classifications</h2>
          <span class="grow" />
          <button class="small" onClick={() => setEditing('new')} data-testid="create-classification">
            + Create
          </button>
        </div>
        <input type="search" placeholder="Filter…" value={filter} onInput={(e) => setFilter(e.currentTarget.value)} aria-label="Filter classifications" />
        {loading && !data ? <Spinner /> : null}
        <ErrorBox error={error} />
        <Tree defs={defs} counts={data?.counts ?? {}} filter={filter.toLowerCase()} selected={name} />
        {data && !defs.length ? <p class="muted">No classifications yet.</p> : null}
      </aside>
      <section class="detail">
        {name && data && !selected ? <ErrorBox error={{ message: `Classification ${name} not found` }} /> : null}
        {selected ? <Detail def={selected} count={data?.counts[selected.name]} onEdit={() => setEditing(selected)} route={route} /> : null}
        {!name ? <p class="muted hint">Select a classification to see its attributes and entities.</p> : null}
      </section>
      {editing ? (
        <EditClassification
          def={editing === 'new' ? null : editing}
          all={defs}
          onClose={() => setEditing(null)}
          onSaved={(n) => {
            setEditing(null);
            setTick((t) => t + 1);
            navigate(`/classification/${encodeURIComponent(n)}`);
          }}
        />
      ) : null}
    </div>
  );
}

function Tree({ defs, counts, filter, selected }: { defs: TypeDef[]; counts: Record<string, number>; filter: string; selected?: string }) {
  const names = new Set(defs.map((d) => d.name));
  const children = new Map<string, TypeDef[]>();
  const roots: TypeDef[] = [];
  for (const d of [...defs].sort((a, b) => a.name.localeCompare(b.name))) {
    const parents = (d.superTypes ?? []).filter((s) => names.has(s));
    if (!parents.length) roots.push(d);
    for (const p of parents) children.set(p, [...(children.get(p) ?? []), d]);
  }
  const matches = (d: TypeDef): boolean => !filter || d.name.toLowerCase().includes(filter) || (children.get(d.name) ?? []).some(matches);
  const node = (d: TypeDef) =>
    matches(d) ? (
      <li>
        <a href={href(`/classification/${encodeURIComponent(d.name)}`)} class={d.name === selected ? 'active' : ''} data-classification={d.name}>
          {d.name}
          <span class="count">{counts[d.name] ?? 0}</span>
        </a>
        {children.get(d.name)?.length ? <ul>{children.get(d.name)!.map(node)}</ul> : null}
      </li>
    ) : null;
  return <ul class="tree">{roots.map(node)}</ul>;
}

function Detail({ def, count, onEdit, route }: { def: TypeDef; count?: number; onEdit: () => void; route: Route }) {
  const offset = Number(route.params.get('offset')) || 0;
  const limit = 25;
  const [res, error, loading] = useAsync(
    () => post('/v2/search/basic', { classification: def.name, excludeDeletedEntities: true, includeSubClassifications: true, limit, offset }),
    [def.name, offset, count],
  );
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const [classify, setClassify] = useState(false);
  const entities: any[] = res?.entities ?? [];
  return (
    <div class="card">
      <div class="results-bar">
        <h1 data-testid="classification-name">{def.name}</h1>
        <span class="grow" />
        <button class="secondary small" onClick={onEdit}>
          Edit
        </button>
        <a class="button secondary small" href={href('/search', { cls: def.name })}>
          Open in search
        </a>
      </div>
      <p>{def.description || <span class="muted">No description.</span>}</p>
      {def.superTypes?.length ? (
        <p>
          Super-types:{' '}
          {def.superTypes.map((s) => (
            <a href={href(`/classification/${encodeURIComponent(s)}`)}>
              <Chip>{s}</Chip>
            </a>
          ))}
        </p>
      ) : null}
      <h2>Attributes</h2>
      {def.attributeDefs?.length ? (
        <table class="grid narrow">
          <thead>
            <tr>
              <th>Name</th>
              <th>Type</th>
              <th>Optional</th>
            </tr>
          </thead>
          <tbody>
            {def.attributeDefs.map((a) => (
              <tr>
                <td>{a.name}</td>
                <td class="mono">{a.typeName}</td>
                <td>{a.isOptional === false ? 'no' : 'yes'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : (
        <p class="muted">No attributes.</p>
      )}
      <div class="results-bar">
        <h2>Entities</h2>
        <span class="muted">{res ? `${res.approximateCount >= 0 ? res.approximateCount : entities.length} total` : ''}</span>
        <span class="grow" />
        <button class="secondary small" disabled={!selected.size} onClick={() => setClassify(true)}>
          Add another classification to selected
        </button>
      </div>
      {loading && !res ? <Spinner /> : null}
      <ErrorBox error={error} />
      {res && !entities.length ? <p class="muted">No entity carries this classification.</p> : null}
      {entities.length ? (
        <table class="grid" data-testid="classification-entities">
          <thead>
            <tr>
              <th class="sel" />
              <th>Name</th>
              <th>Type</th>
              <th>Qualified name</th>
            </tr>
          </thead>
          <tbody>
            {entities.map((e) => (
              <tr data-guid={e.guid}>
                <td class="sel">
                  <input
                    type="checkbox"
                    checked={selected.has(e.guid)}
                    onChange={() => {
                      const s = new Set(selected);
                      s.has(e.guid) ? s.delete(e.guid) : s.add(e.guid);
                      setSelected(s);
                    }}
                  />
                </td>
                <td>
                  <EntityLink e={e} />
                </td>
                <td>{e.typeName}</td>
                <td class="mono small">{e.attributes?.qualifiedName}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
      <div class="pager">
        <button class="secondary small" disabled={!offset} onClick={() => navigate(route.path, { offset: Math.max(0, offset - limit) || undefined })}>
          ‹ Previous
        </button>
        <button class="secondary small" disabled={entities.length < limit} onClick={() => navigate(route.path, { offset: offset + limit })}>
          Next ›
        </button>
      </div>
      {classify ? <BulkClassify guids={[...selected]} onClose={() => setClassify(false)} onDone={() => (setClassify(false), setSelected(new Set()))} /> : null}
    </div>
  );
}

function EditClassification({ def, all, onClose, onSaved }: { def: TypeDef | null; all: TypeDef[]; onClose: () => void; onSaved: (name: string) => void }) {
  const [name, setName] = useState(def?.name ?? '');
  const [description, setDescription] = useState(def?.description ?? '');
  const [superTypes, setSuperTypes] = useState<string[]>(def?.superTypes ?? []);
  const [attrs, setAttrs] = useState<AttributeDef[]>(def?.attributeDefs ?? []);
  const existing = new Set((def?.attributeDefs ?? []).map((a) => a.name));
  const validName = /^[A-Za-z][A-Za-z0-9_ ]*$/.test(name);
  const { busy, error, run } = useSubmit(async () => {
    const body = {
      ...(def ?? {}),
      name,
      description,
      superTypes,
      attributeDefs: attrs
        .filter((a) => a.name)
        .map((a) => ({ cardinality: 'SINGLE', isUnique: false, isIndexable: true, isOptional: true, valuesMinCount: 0, valuesMaxCount: 1, ...a })),
    };
    if (def) await put('/v2/types/typedefs', { classificationDefs: [body] });
    else await post('/v2/types/typedefs', { classificationDefs: [body] });
    onSaved(name);
  });
  return (
    <Modal
      title={def ? `Edit ${def.name}` : 'Create classification'}
      onClose={onClose}
      actions={
        <DialogButtons onCancel={onClose} onConfirm={run} disabled={!validName || busy} testId="classification-save">
          {busy ? 'Saving…' : def ? 'Save' : 'Create'}
        </DialogButtons>
      }
    >
      <label>
        Name
        <input name="name" value={name} disabled={!!def} onInput={(e) => setName(e.currentTarget.value)} required />
      </label>
      {name && !validName ? <p class="error-text">Use letters, digits and underscores, starting with a letter.</p> : null}
      <label>
        Description
        <textarea name="description" rows={2} value={description} onInput={(e) => setDescription(e.currentTarget.value)} />
      </label>
      <label>
        Super-types
        <select multiple size={Math.min(6, Math.max(2, all.length))} value={superTypes as any} onChange={(e) => setSuperTypes([...e.currentTarget.selectedOptions].map((o) => o.value))}>
          {all
            .filter((d) => d.name !== name)
            .map((d) => (
              <option value={d.name} selected={superTypes.includes(d.name)}>
                {d.name}
              </option>
            ))}
        </select>
      </label>
      <fieldset>
        <legend>Attributes</legend>
        {attrs.map((a, i) => (
          <div class="form-row">
            <input placeholder="name" value={a.name} disabled={existing.has(a.name)} onInput={(e) => setAttrs(attrs.map((x, j) => (j === i ? { ...x, name: e.currentTarget.value } : x)))} aria-label="Attribute name" />
            <select value={a.typeName} disabled={existing.has(a.name)} onChange={(e) => setAttrs(attrs.map((x, j) => (j === i ? { ...x, typeName: e.currentTarget.value } : x)))} aria-label="Attribute type">
              {ATTR_TYPES.map((t) => (
                <option value={t}>{t}</option>
              ))}
            </select>
            {!existing.has(a.name) ? (
              <button type="button" class="link" onClick={() => setAttrs(attrs.filter((_, j) => j !== i))}>
                Remove
              </button>
            ) : null}
          </div>
        ))}
        <button type="button" class="secondary small" onClick={() => setAttrs([...attrs, { name: '', typeName: 'string', isOptional: true }])}>
          + Add attribute
        </button>
      </fieldset>
      <ErrorBox error={error} />
    </Modal>
  );
}
