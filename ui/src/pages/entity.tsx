// Entity detail page: header plus Properties, Schema, Runs (jobs), Lineage, Classifications and Audit tabs.
import { useEffect, useState } from 'preact/hooks';
import { del, get, post, put } from '../api';
import { allAttributes, displayName, formatTime, formatValue, isA, loadTypes, type TypeDef } from '../catalog';
import { Chip, ClassificationSelect, DialogButtons, EntityLink, ErrorBox, Modal, Spinner, Tabs, useAsync } from '../components';
import { useSubmit } from '../hooks';
import { navigate, type Route } from '../router';
import { LineageView, preloadLineage } from '../lineage/lineage-view';
import { BusinessMetadata } from './business-metadata';
import { Runs } from './runs';
import { loadTermOptions } from './glossary';

export function EntityPage({ guid, route }: { guid: string; route: Route }) {
  const [data, error, loading, reload] = useAsync(
    async (signal) => {
      const [ent, types] = await Promise.all([get(`/v2/entity/guid/${encodeURIComponent(guid)}`, undefined, signal), loadTypes()]);
      return { ent, types };
    },
    [guid],
  );
  if (!data && loading) return <Spinner />;
  if (error && !data) return <ErrorBox error={error} />;
  const entity = data!.ent.entity ?? {};
  const referred = data!.ent.referredEntities ?? {};
  const defs = data!.types.entityDefs;
  const hasLineage = isA(defs, entity.typeName, 'DataSet') || isA(defs, entity.typeName, 'Process');
  const columns: any[] = entity.relationshipAttributes?.columns ?? entity.attributes?.columns ?? [];
  const runs: any[] = entity.relationshipAttributes?.runs ?? [];
  if (hasLineage) preloadLineage();
  const tabs: [string, string][] = [['properties', 'Properties']];
  if (columns.length) tabs.push(['schema', 'Schema']);
  if (runs.length) tabs.push(['runs', 'Runs']);
  if (hasLineage) tabs.push(['lineage', 'Lineage']);
  tabs.push(['classifications', 'Classifications'], ['audit', 'Audit']);
  const tab = tabs.some(([t]) => t === route.params.get('tab')) ? route.params.get('tab')! : 'properties';
  const setTab = (t: string) =>
    navigate(
      `/entity/${encodeURIComponent(guid)}`,
      { ...Object.fromEntries(route.params), tab: t === 'properties' ? undefined : t },
      true,
    );

  return (
    <div class={`page entity ${tab === 'lineage' ? 'wide' : ''}`}>
      <EntityHeader entity={entity} reload={reload} />
      <Tabs tabs={tabs} active={tab} onSelect={setTab} />
      <div class="tab-body">
        {tab === 'properties' ? <Properties entity={entity} referred={referred} defs={defs} /> : null}
        {tab === 'properties' ? <BusinessMetadata entity={entity} types={data!.types} reload={reload} /> : null}
        {tab === 'schema' ? <Schema columns={columns} referred={referred} /> : null}
        {tab === 'runs' ? <Runs runs={runs} referred={referred} /> : null}
        {tab === 'lineage' ? <LineageView guid={guid} entity={entity} route={route} /> : null}
        {tab === 'classifications' ? <ClassificationsTab entity={entity} types={data!.types} reload={reload} /> : null}
        {tab === 'audit' ? <Audit guid={guid} /> : null}
      </div>
    </div>
  );
}

function EntityHeader({ entity, reload }: { entity: any; reload: () => void }) {
  const [assign, setAssign] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const own = (entity.classifications ?? []).filter((c: any) => !c.entityGuid || c.entityGuid === entity.guid);
  const propagated = (entity.classifications ?? []).filter((c: any) => c.entityGuid && c.entityGuid !== entity.guid);
  const meanings: any[] = entity.relationshipAttributes?.meanings ?? entity.meanings ?? [];
  const unassign = async (m: any) => {
    try {
      await del(`/v2/glossary/terms/${m.guid ?? m.termGuid}/assignedEntities`, [{ guid: entity.guid, relationshipGuid: m.relationshipGuid ?? m.relationGuid }]);
      reload();
    } catch (e) {
      setError(e);
    }
  };
  return (
    <header class="entity-header card">
      <div class="title-row">
        <h1 data-testid="entity-name">{displayName(entity)}</h1>
        <Chip kind="status">{entity.typeName}</Chip>
        {entity.status && entity.status !== 'ACTIVE' ? <Chip kind="status">{entity.status}</Chip> : null}
      </div>
      <div class="qn muted mono">{entity.attributes?.qualifiedName}</div>
      <div class="meta-row">
        <span class="meta-label">Classifications</span>
        {own.map((c: any) => (
          <a href={`#/classification/${encodeURIComponent(c.typeName)}`}>
            <Chip>{c.typeName}</Chip>
          </a>
        ))}
        {propagated.map((c: any) => (
          <a href={`#/classification/${encodeURIComponent(c.typeName)}`}>
            <Chip kind="prop" title="propagated">
              {c.typeName} ↯
            </Chip>
          </a>
        ))}
        {own.length + propagated.length === 0 ? <span class="muted">none</span> : null}
      </div>
      <div class="meta-row">
        <span class="meta-label">Terms</span>
        {meanings.map((m: any) => (
          <Chip kind="term" onRemove={() => unassign(m)} title="glossary term">
            <a href={`#/glossary?term=${encodeURIComponent(m.guid ?? m.termGuid)}`}>{m.displayText ?? m.qualifiedName}</a>
          </Chip>
        ))}
        <button class="link small" onClick={() => setAssign(true)} data-testid="assign-term">
          + Assign term
        </button>
      </div>
      {(entity.labels ?? []).length ? (
        <div class="meta-row">
          <span class="meta-label">Labels</span>
          {entity.labels.map((l: string) => (
            <Chip kind="label">{l}</Chip>
          ))}
        </div>
      ) : null}
      <ErrorBox error={error} onClose={() => setError(null)} />
      {assign ? <AssignTerm entityGuid={entity.guid} onClose={() => setAssign(false)} onDone={() => (setAssign(false), reload())} /> : null}
    </header>
  );
}

export function AssignTerm({ entityGuid, onClose, onDone }: { entityGuid: string; onClose: () => void; onDone: () => void }) {
  const [terms, termsError] = useAsync(() => loadTermOptions(), []);
  const [term, setTerm] = useState('');
  const { busy, error, run } = useSubmit(async () => {
    const t = terms!.find((x) => x.value === term)!;
    await post(`/v2/glossary/terms/${t.guid}/assignedEntities`, [{ guid: entityGuid }]);
    onDone();
  });
  return (
    <Modal
      title="Assign a glossary term"
      onClose={onClose}
      actions={
        <DialogButtons onCancel={onClose} onConfirm={run} disabled={!term || busy} testId="assign-term-save">
          Assign
        </DialogButtons>
      }
    >
      {!terms && !termsError ? <Spinner /> : null}
      <ErrorBox error={termsError || error} />
      {terms && terms.length === 0 ? <p class="muted">No terms yet. Create one on the Glossary page.</p> : null}
      {terms && terms.length ? (
        <label>
          Term
          <select name="term" value={term} onChange={(e) => setTerm(e.currentTarget.value)}>
            <option value="">choose…</option>
            {terms.map((t) => (
              <option value={t.value}>{t.label}</option>
            ))}
          </select>
        </label>
      ) : null}
    </Modal>
  );
}

function Value({ v, referred }: { v: unknown; referred: Record<string, any> }) {
  if (v === null || v === undefined || v === '') return <span class="muted">—</span>;
  if (Array.isArray(v)) {
    if (!v.length) return <span class="muted">[]</span>;
    return (
      <ul class="plain">
        {v.map((x) => (
          <li>
            <Value v={x} referred={referred} />
          </li>
        ))}
      </ul>
    );
  }
  if (typeof v === 'object') {
    const o = v as any;
    if (o.guid) {
      const full = referred[o.guid];
      return <EntityLink e={{ ...o, displayText: o.displayText ?? displayName(full) ?? o.uniqueAttributes?.qualifiedName }} />;
    }
    return <code class="json">{JSON.stringify(o)}</code>;
  }
  return <span>{String(v)}</span>;
}

function Properties({ entity, referred, defs }: { entity: any; referred: Record<string, any>; defs: TypeDef[] }) {
  const attrs = entity.attributes ?? {};
  const dateAttrs = new Set(allAttributes(defs, entity.typeName).filter((a) => a.typeName === 'date').map((a) => a.name));
  const rel = entity.relationshipAttributes ?? {};
  const sys: [string, unknown][] = [
    ['guid', entity.guid],
    ['status', entity.status],
    ['createdBy', entity.createdBy],
    ['updatedBy', entity.updatedBy],
    ['createTime', formatTime(entity.createTime)],
    ['updateTime', formatTime(entity.updateTime)],
    ['version', entity.version],
  ];
  return (
    <div class="props-grid">
      <section class="card">
        <h2>Attributes</h2>
        <dl class="props" data-testid="attributes">
          {Object.keys(attrs)
            .sort()
            .map((k) => (
              <>
                <dt>{k}</dt>
                <dd>{dateAttrs.has(k) ? formatTime(attrs[k]) || <span class="muted">—</span> : <Value v={attrs[k]} referred={referred} />}</dd>
              </>
            ))}
        </dl>
      </section>
      <section class="card">
        <h2>Relationships</h2>
        <dl class="props" data-testid="relationships">
          {Object.keys(rel)
            .sort()
            .filter((k) => !(Array.isArray(rel[k]) && rel[k].length === 0))
            .map((k) => (
              <>
                <dt>{k}</dt>
                <dd>
                  {k === 'meanings' ? (
                    rel[k].map((m: any) => (
                      <div>
                        <a href={`#/glossary?term=${encodeURIComponent(m.guid)}`}>{m.displayText ?? m.guid}</a>
                      </div>
                    ))
                  ) : (
                    <Value v={rel[k]} referred={referred} />
                  )}
                </dd>
              </>
            ))}
        </dl>
        <h2>System</h2>
        <dl class="props">
          {sys.map(([k, v]) => (
            <>
              <dt>{k}</dt>
              <dd>{formatValue(v)}</dd>
            </>
          ))}
        </dl>
      </section>
    </div>
  );
}

function Schema({ columns, referred }: { columns: any[]; referred: Record<string, any> }) {
  const [extra] = useAsync(async (signal) => {
    const missing = columns.filter((c) => !referred[c.guid]).map((c) => c.guid);
    if (!missing.length) return {};
    const r = await get('/v2/entity/bulk', { guid: missing, minExtInfo: true }, signal);
    return Object.fromEntries((r?.entities ?? []).map((e: any) => [e.guid, e]));
  }, [columns]);
  const rows = columns
    .map((c) => ({ ref: c, full: referred[c.guid] ?? extra?.[c.guid] }))
    .sort((a, b) => (a.full?.attributes?.position ?? 0) - (b.full?.attributes?.position ?? 0));
  return (
    <div class="card">
      <table class="grid" data-testid="schema">
        <thead>
          <tr>
            <th>#</th>
            <th>Column</th>
            <th>Type</th>
            <th>Comment</th>
            <th>Classifications</th>
          </tr>
        </thead>
        <tbody>
          {rows.map(({ ref, full }, i) => {
            const a = full?.attributes ?? {};
            return (
              <tr class={(full?.status ?? ref.entityStatus) === 'DELETED' ? 'deleted' : ''}>
                <td class="num">{a.position ?? i}</td>
                <td>
                  <EntityLink e={{ guid: ref.guid, displayText: a.name ?? ref.displayText, status: full?.status }} />
                </td>
                <td class="mono">{a.type ?? a.data_type ?? ''}</td>
                <td>{a.comment ?? a.description ?? ''}</td>
                <td>
                  {(full?.classifications ?? []).map((c: any) => (
                    <Chip kind={c.entityGuid && c.entityGuid !== ref.guid ? 'prop' : 'tag'}>{c.typeName}</Chip>
                  ))}
                  {(full?.classificationNames ?? []).filter((n: string) => !(full?.classifications ?? []).some((c: any) => c.typeName === n)).map((n: string) => (
                    <Chip>{n}</Chip>
                  ))}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}

function ClassificationsTab({ entity, types, reload }: { entity: any; types: any; reload: () => void }) {
  const [list, error, loading, reloadList] = useAsync(
    (signal) => get(`/v2/entity/guid/${entity.guid}/classifications`, undefined, signal).then((r: any) => (Array.isArray(r) ? r : r?.list ?? [])),
    [entity.guid],
  );
  const [adding, setAdding] = useState(false);
  const [opError, setOpError] = useState<unknown>(null);
  const refresh = () => {
    reloadList();
    reload();
  };
  const remove = async (c: any) => {
    setOpError(null);
    try {
      await del(`/v2/entity/guid/${entity.guid}/classification/${encodeURIComponent(c.typeName)}`);
      refresh();
    } catch (e) {
      setOpError(e);
    }
  };
  const togglePropagate = async (c: any) => {
    setOpError(null);
    try {
      await put(`/v2/entity/guid/${entity.guid}/classifications`, [{ ...c, propagate: !c.propagate }]);
      refresh();
    } catch (e) {
      setOpError(e);
    }
  };
  const rows: any[] = list ?? [];
  return (
    <div class="card">
      <div class="results-bar">
        <h2>Classifications</h2>
        <span class="grow" />
        <button class="small" onClick={() => setAdding(true)} data-testid="add-classification">
          + Add classification
        </button>
      </div>
      <ErrorBox error={error || opError} onClose={opError ? () => setOpError(null) : undefined} />
      {loading && !list ? <Spinner /> : null}
      {list && !rows.length ? <p class="muted">No classifications.</p> : null}
      {rows.length ? (
        <table class="grid" data-testid="classifications">
          <thead>
            <tr>
              <th>Name</th>
              <th>Source</th>
              <th>Attributes</th>
              <th>Propagate</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {rows.map((c) => {
              const direct = !c.entityGuid || c.entityGuid === entity.guid;
              return (
                <tr data-classification={c.typeName} data-direct={direct}>
                  <td>
                    <a href={`#/classification/${encodeURIComponent(c.typeName)}`}>
                      <Chip kind={direct ? 'tag' : 'prop'}>{c.typeName}</Chip>
                    </a>
                  </td>
                  <td>
                    {direct ? (
                      'direct'
                    ) : (
                      <>
                        propagated from <SourceEntity guid={c.entityGuid} />
                      </>
                    )}
                  </td>
                  <td class="mono small">
                    {Object.entries(c.attributes ?? {}).map(([k, v]) => (
                      <div>
                        {k} = {formatValue(v)}
                      </div>
                    ))}
                  </td>
                  <td>
                    {direct ? (
                      <label class="check">
                        <input type="checkbox" checked={c.propagate !== false} onChange={() => togglePropagate(c)} /> propagate
                      </label>
                    ) : (
                      <span class="muted">—</span>
                    )}
                  </td>
                  <td>
                    {direct ? (
                      <button class="link danger" onClick={() => remove(c)}>
                        Remove
                      </button>
                    ) : null}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      ) : null}
      {adding ? (
        <AddClassification
          entityGuid={entity.guid}
          defs={types.classificationDefs}
          existing={rows.filter((c) => !c.entityGuid || c.entityGuid === entity.guid).map((c) => c.typeName)}
          onClose={() => setAdding(false)}
          onDone={() => {
            setAdding(false);
            refresh();
          }}
        />
      ) : null}
    </div>
  );
}

const headerCache = new Map<string, Promise<any>>();

/** Link to the entity a propagated classification comes from, by name. */
function SourceEntity({ guid }: { guid: string }) {
  const [h] = useAsync(() => {
    if (!headerCache.has(guid)) headerCache.set(guid, get(`/v2/entity/guid/${encodeURIComponent(guid)}/header`).catch(() => ({ guid })));
    return headerCache.get(guid)!;
  }, [guid]);
  return <EntityLink e={{ guid, ...(h ?? {}), displayText: h ? displayName(h) || guid : guid }} />;
}

function AddClassification({
  entityGuid,
  defs,
  existing,
  onClose,
  onDone,
}: {
  entityGuid: string;
  defs: TypeDef[];
  existing: string[];
  onClose: () => void;
  onDone: () => void;
}) {
  const [name, setName] = useState('');
  const [propagate, setPropagate] = useState(true);
  const [attrs, setAttrs] = useState<Record<string, string>>({});
  useEffect(() => setAttrs({}), [name]);
  const attrDefs = name ? allAttributes(defs, name) : [];
  const { busy, error, run } = useSubmit(async () => {
    const attributes: Record<string, unknown> = {};
    for (const a of attrDefs) {
      const v = attrs[a.name];
      if (v === undefined || v === '') continue;
      attributes[a.name] = ['int', 'long', 'short', 'byte', 'float', 'double'].includes(a.typeName) ? Number(v) : a.typeName === 'boolean' ? v === 'true' : v;
    }
    await post(`/v2/entity/guid/${entityGuid}/classifications`, [{ typeName: name, attributes, propagate }]);
    onDone();
  });
  return (
    <Modal
      title="Add classification"
      onClose={onClose}
      actions={
        <DialogButtons onCancel={onClose} onConfirm={run} disabled={!name || busy} testId="add-classification-save">
          {busy ? 'Saving…' : 'Add'}
        </DialogButtons>
      }
    >
      <ClassificationSelect
        names={defs.filter((d) => !existing.includes(d.name)).map((d) => d.name)}
        value={name}
        onChange={setName}
      />
      {attrDefs.map((a) => (
        <label>
          {a.name} <span class="muted small">({a.typeName})</span>
          <input value={attrs[a.name] ?? ''} onInput={(e) => setAttrs({ ...attrs, [a.name]: e.currentTarget.value })} />
        </label>
      ))}
      <label class="check">
        <input type="checkbox" checked={propagate} onChange={(e) => setPropagate(e.currentTarget.checked)} /> Propagate along lineage
      </label>
      <ErrorBox error={error} />
    </Modal>
  );
}

function Audit({ guid }: { guid: string }) {
  const [count, setCount] = useState(25);
  const [events, error, loading] = useAsync((signal) => get(`/v2/entity/${encodeURIComponent(guid)}/audit`, { count }, signal), [guid, count]);
  const [open, setOpen] = useState<number | null>(null);
  const list: any[] = Array.isArray(events) ? events : [];
  return (
    <div class="card">
      <ErrorBox error={error} />
      {loading && !events ? <Spinner /> : null}
      {events && !list.length ? <p class="muted">No audit events.</p> : null}
      {list.length ? (
        <table class="grid" data-testid="audit">
          <thead>
            <tr>
              <th>Time</th>
              <th>User</th>
              <th>Action</th>
              <th>Details</th>
            </tr>
          </thead>
          <tbody>
            {list.map((ev, i) => {
              const details = String(ev.details ?? '');
              const cut = details.indexOf('{');
              let pretty = details;
              if (cut >= 0) {
                try {
                  pretty = `${details.slice(0, cut)}\n${JSON.stringify(JSON.parse(details.slice(cut)), null, 2)}`;
                } catch {
                  /* keep raw */
                }
              }
              return (
                <tr>
                  <td class="nowrap">{formatTime(ev.timestamp)}</td>
                  <td>{ev.user}</td>
                  <td>
                    <Chip kind="status">{ev.action}</Chip>
                  </td>
                  <td>
                    {open === i ? (
                      <>
                        <button class="link small" onClick={() => setOpen(null)}>
                          Hide
                        </button>
                        <pre class="details">{pretty}</pre>
                      </>
                    ) : (
                      <button class="link small left" onClick={() => setOpen(i)}>
                        {details.slice(0, 100) || 'details'}
                        {details.length > 100 ? '…' : ''}
                      </button>
                    )}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      ) : null}
      {list.length >= count ? (
        <button class="secondary small" onClick={() => setCount(count + 50)} disabled={loading}>
          Load older events
        </button>
      ) : null}
    </div>
  );
}
