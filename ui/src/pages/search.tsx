// Basic and advanced (DSL) search with filters, result table, column chooser,
// paging, sorting, CSV download and bulk classification.
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { ApiError, get, post } from '../api';
import { allAttributes, displayName, formatTime, formatValue, loadMetrics, loadTypes, type TypeDef } from '../catalog';
import { Chip, ClassificationSelect, DialogButtons, EntityLink, ErrorBox, Modal, Spinner, downloadText, toCsv, useAsync } from '../components';
import { useSubmit } from '../hooks';
import { navigate, type Route } from '../router';
import { loadTermOptions } from './glossary';
import { SavedSearchBar } from './saved-searches';

interface Criterion {
  attributeName: string;
  operator: string;
  attributeValue: string;
}
interface Filters {
  condition: 'AND' | 'OR';
  criterion: Criterion[];
}

const OPERATORS = ['=', '!=', '<', '>', '<=', '>=', 'startsWith', 'endsWith', 'contains', 'like', 'in', 'isNull', 'notNull'];
const PAGE_SIZES = [25, 50, 100, 500];
const BUILTIN_COLS: [string, string][] = [
  ['typeName', 'Type'],
  ['owner', 'Owner'],
  ['description', 'Description'],
  ['classifications', 'Classifications'],
  ['terms', 'Terms'],
  ['qualifiedName', 'Qualified name'],
  ['status', 'Status'],
  ['createTime', 'Created'],
];
const DEFAULT_COLS = ['typeName', 'owner', 'description', 'classifications', 'terms'];

function parseFilters(s: string | null): Filters {
  if (!s) return { condition: 'AND', criterion: [] };
  try {
    const f = JSON.parse(s);
    return { condition: f.condition === 'OR' ? 'OR' : 'AND', criterion: Array.isArray(f.criterion) ? f.criterion : [] };
  } catch {
    return { condition: 'AND', criterion: [] };
  }
}

/**
 * The 0-based character offset named by a DSL error message: "at position N"
 * counts from 1, an ANTLR-style "line L:C" from 0.
 */
export function errorPosition(message: string): number | null {
  const p = /position\s*:?\s*(\d+)/i.exec(message);
  if (p) return Math.max(0, Number(p[1]) - 1);
  const l = /line\s+\d+:(\d+)/i.exec(message);
  return l ? Number(l[1]) : null;
}

interface Params {
  mode: 'basic' | 'dsl';
  type: string;
  query: string;
  cls: string;
  term: string;
  filters: Filters;
  subtypes: boolean;
  excludeDeleted: boolean;
  dsl: string;
  limit: number;
  offset: number;
  sort: string;
  order: 'ASCENDING' | 'DESCENDING';
  cols: string[];
}

function readParams(p: URLSearchParams): Params {
  const limit = Number(p.get('limit')) || 25;
  return {
    mode: p.get('mode') === 'dsl' ? 'dsl' : 'basic',
    type: p.get('type') ?? '',
    query: p.get('query') ?? '',
    cls: p.get('cls') ?? '',
    term: p.get('term') ?? '',
    filters: parseFilters(p.get('f')),
    subtypes: p.get('subtypes') !== '0',
    excludeDeleted: p.get('deleted') !== '1',
    dsl: p.get('dsl') ?? '',
    limit,
    offset: Number(p.get('offset')) || 0,
    sort: p.get('sort') ?? '',
    order: p.get('order') === 'DESCENDING' ? 'DESCENDING' : 'ASCENDING',
    cols: p.get('cols') ? p.get('cols')!.split(',').filter(Boolean) : DEFAULT_COLS,
  };
}

function writeParams(p: Params): Record<string, string | number | undefined> {
  const base = {
    mode: p.mode === 'dsl' ? 'dsl' : undefined,
    limit: p.limit !== 25 ? p.limit : undefined,
    offset: p.offset || undefined,
    cols: p.cols.join(',') !== DEFAULT_COLS.join(',') ? p.cols.join(',') : undefined,
  };
  if (p.mode === 'dsl') return { ...base, dsl: p.dsl };
  return {
    ...base,
    type: p.type,
    query: p.query,
    cls: p.cls,
    term: p.term,
    f: p.filters.criterion.length ? JSON.stringify(p.filters) : undefined,
    subtypes: p.subtypes ? undefined : '0',
    deleted: p.excludeDeleted ? undefined : '1',
    sort: p.sort || undefined,
    order: p.sort && p.order === 'DESCENDING' ? 'DESCENDING' : undefined,
  };
}

const hasCriteria = (p: Params) => (p.mode === 'dsl' ? p.dsl.trim() !== '' : !!(p.type || p.query || p.cls || p.term));

interface Result {
  kind: 'entities' | 'table';
  entities: any[];
  header: string[];
  rows: unknown[][];
  total: number;
}

async function runSearch(p: Params, signal: AbortSignal): Promise<Result> {
  if (p.mode === 'dsl') {
    const r: any = await get('/v2/search/dsl', { query: p.dsl, limit: p.limit, offset: p.offset }, signal);
    if (r?.attributes) {
      return { kind: 'table', entities: [], header: r.attributes.name ?? [], rows: r.attributes.values ?? [], total: -1 };
    }
    return { kind: 'entities', entities: r?.entities ?? [], header: [], rows: [], total: r?.approximateCount ?? -1 };
  }
  const r: any = await post('/v2/search/basic', basicSearchParameters(p));
  if (signal.aborted) throw new DOMException('aborted', 'AbortError');
  return { kind: 'entities', entities: r?.entities ?? [], header: [], rows: [], total: r?.approximateCount ?? -1 };
}

// The SearchParameters of a basic search (also what a saved search keeps).
function basicSearchParameters(p: Params): Record<string, unknown> {
  const attrCols = p.cols.filter((c) => c.startsWith('attr:')).map((c) => c.slice(5));
  const body: Record<string, unknown> = {
    typeName: p.type || undefined,
    query: p.query || undefined,
    classification: p.cls || undefined,
    termName: p.term || undefined,
    excludeDeletedEntities: p.excludeDeleted,
    includeSubTypes: p.subtypes,
    includeSubClassifications: true,
    limit: p.limit,
    offset: p.offset,
    attributes: attrCols.length ? attrCols : undefined,
    sortBy: p.sort || undefined,
    sortOrder: p.sort ? p.order : undefined,
  };
  const crit = p.filters.criterion.filter((c) => c.attributeName);
  if (crit.length && p.type) body.entityFilters = { condition: p.filters.condition, criterion: crit };
  return body;
}

function cellText(e: any, col: string): string {
  const a = e.attributes ?? {};
  switch (col) {
    case 'name':
      return displayName(e);
    case 'typeName':
      return e.typeName ?? '';
    case 'status':
      return e.status ?? '';
    case 'classifications':
      return (e.classificationNames ?? []).join(' ');
    case 'terms':
      return (e.meaningNames ?? (e.meanings ?? []).map((m: any) => m.displayText)).join(' ');
    case 'createTime':
      return formatTime(a.createTime);
    default: {
      const key = col.startsWith('attr:') ? col.slice(5) : col;
      const v = a[key];
      if (v && typeof v === 'object' && !Array.isArray(v)) return v.displayText ?? v.uniqueAttributes?.qualifiedName ?? v.guid ?? formatValue(v);
      if (Array.isArray(v)) return v.map((x) => (typeof x === 'object' ? x?.displayText ?? x?.guid : x)).join(', ');
      return formatValue(v);
    }
  }
}

function colLabel(col: string) {
  return BUILTIN_COLS.find(([c]) => c === col)?.[1] ?? (col.startsWith('attr:') ? col.slice(5) : col);
}

export function SearchPage({ route }: { route: Route }) {
  const params = useMemo(() => readParams(route.params), [route.params.toString()]);
  const [draft, setDraft] = useState<Params>(params);
  useEffect(() => setDraft(params), [route.params.toString()]);

  const [meta] = useAsync(async () => {
    const [types, metrics] = await Promise.all([loadTypes(), loadMetrics().catch(() => null)]);
    return { types, metrics };
  }, []);
  const [terms] = useAsync(() => loadTermOptions().catch(() => []), []);

  const [result, error, loading] = useAsync(
    (signal) => (hasCriteria(params) ? runSearch(params, signal) : Promise.resolve(null)),
    [route.params.toString()],
  );

  const go = (p: Params) => navigate('/search', writeParams(p));
  const submit = (ev?: Event) => {
    ev?.preventDefault();
    go({ ...draft, offset: 0 });
  };

  return (
    <div class="page search">
      <div class="mode-switch">
        <button class={params.mode === 'basic' ? 'active' : 'secondary'} data-mode="basic" onClick={() => go({ ...draft, mode: 'basic', offset: 0 })}>
          Basic
        </button>
        <button class={params.mode === 'dsl' ? 'active' : 'secondary'} data-mode="dsl" onClick={() => navigate('/search', { mode: 'dsl', dsl: draft.dsl })}>
          Advanced (DSL)
        </button>
      </div>
      <SavedSearchBar
        current={hasCriteria(params) ? writeParams(params) : null}
        searchType={params.mode === 'dsl' ? 'ADVANCED' : 'BASIC'}
        searchParameters={params.mode === 'dsl' ? { query: params.dsl, limit: params.limit } : basicSearchParameters(params)}
      />
      {params.mode === 'basic' ? (
        <BasicForm draft={draft} setDraft={setDraft} submit={submit} meta={meta} terms={terms ?? []} />
      ) : (
        <DslForm draft={draft} setDraft={setDraft} submit={submit} error={error} />
      )}
      {loading && hasCriteria(params) ? <Spinner label="Searching…" /> : null}
      {error && !(params.mode === 'dsl' && error instanceof ApiError && error.status === 400) ? <ErrorBox error={error} /> : null}
      {!hasCriteria(params) ? (
        <Overview metrics={meta?.metrics} />
      ) : result && !error ? (
        <Results params={params} result={result} go={go} types={meta?.types.entityDefs ?? []} loading={loading} />
      ) : null}
    </div>
  );
}

function BasicForm({
  draft,
  setDraft,
  submit,
  meta,
  terms,
}: {
  draft: Params;
  setDraft: (p: Params) => void;
  submit: (ev?: Event) => void;
  meta: { types: any; metrics: any } | undefined;
  terms: { value: string; label: string }[];
}) {
  const counts: Record<string, number> = meta?.metrics?.entityActive ?? {};
  const tagCounts: Record<string, number> = meta?.metrics?.tagEntities ?? {};
  const entityDefs: TypeDef[] = meta?.types.entityDefs ?? [];
  const typeNames = useMemo(
    () =>
      entityDefs
        .map((d) => d.name)
        .filter((n) => !n.startsWith('__'))
        .sort((a, b) => (counts[b] ?? 0) - (counts[a] ?? 0) || a.localeCompare(b)),
    [entityDefs, counts],
  );
  const clsNames = (meta?.types.classificationDefs ?? []).map((d: TypeDef) => d.name).sort();
  const attrs = draft.type ? allAttributes(entityDefs, draft.type) : [];
  const set = (patch: Partial<Params>) => setDraft({ ...draft, ...patch });
  const setCrit = (i: number, patch: Partial<Criterion>) =>
    set({ filters: { ...draft.filters, criterion: draft.filters.criterion.map((c, j) => (j === i ? { ...c, ...patch } : c)) } });

  return (
    <form class="card search-form" onSubmit={submit}>
      <div class="form-row">
        <label>
          Type
          <select name="type" value={draft.type} onChange={(e) => set({ type: e.currentTarget.value, filters: { condition: 'AND', criterion: [] } })}>
            <option value="">Any type</option>
            <option value="_ALL_ENTITY_TYPES">All entity types</option>
            {typeNames.map((t) => (
              <option value={t}>
                {t}
                {counts[t] ? ` (${counts[t]})` : ''}
              </option>
            ))}
          </select>
        </label>
        <label class="grow">
          Text
          <input name="query" type="search" placeholder="name, description, qualified name…" value={draft.query} onInput={(e) => set({ query: e.currentTarget.value })} />
        </label>
        <label>
          Classification
          <select name="classification" value={draft.cls} onChange={(e) => set({ cls: e.currentTarget.value })}>
            <option value="">Any</option>
            <option value="_CLASSIFIED">Any classification</option>
            <option value="_NOT_CLASSIFIED">Not classified</option>
            {clsNames.map((c: string) => (
              <option value={c}>
                {c}
                {tagCounts[c] ? ` (${tagCounts[c]})` : ''}
              </option>
            ))}
          </select>
        </label>
        <label>
          Term
          <select name="term" value={draft.term} onChange={(e) => set({ term: e.currentTarget.value })}>
            <option value="">Any</option>
            {terms.map((t) => (
              <option value={t.value}>{t.label}</option>
            ))}
          </select>
        </label>
      </div>
      {draft.type && draft.type !== '_ALL_ENTITY_TYPES' ? (
        <fieldset class="filters">
          <legend>
            Attribute filters{' '}
            {draft.filters.criterion.length > 1 ? (
              <select value={draft.filters.condition} onChange={(e) => set({ filters: { ...draft.filters, condition: e.currentTarget.value as 'AND' | 'OR' } })}>
                <option value="AND">all must match</option>
                <option value="OR">any may match</option>
              </select>
            ) : null}
          </legend>
          {draft.filters.criterion.map((c, i) => (
            <div class="form-row filter-row">
              <select value={c.attributeName} onChange={(e) => setCrit(i, { attributeName: e.currentTarget.value })} aria-label="Attribute">
                <option value="">attribute…</option>
                {attrs.map((a) => (
                  <option value={a.name}>{a.name}</option>
                ))}
                <option value="__guid">__guid</option>
                <option value="__createdBy">__createdBy</option>
                <option value="__timestamp">__timestamp</option>
                <option value="__labels">__labels</option>
              </select>
              <select value={c.operator} onChange={(e) => setCrit(i, { operator: e.currentTarget.value })} aria-label="Operator">
                {OPERATORS.map((o) => (
                  <option value={o}>{o}</option>
                ))}
              </select>
              {c.operator === 'isNull' || c.operator === 'notNull' ? null : (
                <input value={c.attributeValue} onInput={(e) => setCrit(i, { attributeValue: e.currentTarget.value })} aria-label="Value" />
              )}
              <button type="button" class="link" onClick={() => set({ filters: { ...draft.filters, criterion: draft.filters.criterion.filter((_, j) => j !== i) } })}>
                Remove
              </button>
            </div>
          ))}
          <button
            type="button"
            class="secondary small"
            onClick={() => set({ filters: { ...draft.filters, criterion: [...draft.filters.criterion, { attributeName: '', operator: '=', attributeValue: '' }] } })}
          >
            + Add filter
          </button>
        </fieldset>
      ) : null}
      <div class="form-row">
        <label class="check">
          <input type="checkbox" checked={draft.subtypes} onChange={(e) => set({ subtypes: e.currentTarget.checked })} /> Include sub-types
        </label>
        <label class="check">
          <input type="checkbox" checked={draft.excludeDeleted} onChange={(e) => set({ excludeDeleted: e.currentTarget.checked })} /> Exclude deleted
        </label>
        <span class="grow" />
        <button type="button" class="secondary" onClick={() => navigate('/search')}>
          Clear
        </button>
        <button type="submit" data-testid="search-submit">
          Search
        </button>
      </div>
    </form>
  );
}

const DSL_EXAMPLES = ['from hive_table where name = "trip_details"', "from hive_column where name = 'location_id'", 'hive_table select count()', 'hive_table where name like "trip*" orderby name limit 10'];

function DslForm({
  draft,
  setDraft,
  submit,
  error,
}: {
  draft: Params;
  setDraft: (p: Params) => void;
  submit: (ev?: Event) => void;
  error: unknown;
}) {
  const ref = useRef<HTMLTextAreaElement>(null);
  const [help, setHelp] = useState(false);
  const parseError = error instanceof ApiError && error.status === 400 ? error : null;
  const pos = parseError ? errorPosition(parseError.message) : null;
  useEffect(() => {
    if (pos !== null && ref.current) {
      ref.current.focus();
      ref.current.setSelectionRange(pos, Math.min(pos + 1, ref.current.value.length));
    }
  }, [parseError?.message]);
  return (
    <form class="card search-form" onSubmit={submit}>
      <label>
        DSL query
        <textarea
          ref={ref}
          name="dsl"
          rows={3}
          spellcheck={false}
          class={`mono ${parseError ? 'invalid' : ''}`}
          value={draft.dsl}
          placeholder="from hive_table where name = 'orders'"
          onInput={(e) => setDraft({ ...draft, dsl: e.currentTarget.value })}
          onKeyDown={(e) => {
            if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) submit();
          }}
        />
      </label>
      {parseError ? (
        <div class="dsl-error" role="alert" data-testid="dsl-error">
          <div>
            <strong>Query error</strong> {parseError.code ? <code class="errcode">{parseError.code}</code> : null} {parseError.message}
          </div>
          {pos !== null ? (
            <pre class="caret">
              {draft.dsl.split('\n')[0]}
              {'\n'}
              {' '.repeat(Math.max(0, pos))}^
            </pre>
          ) : null}
        </div>
      ) : null}
      <div class="form-row">
        <button type="button" class="link" onClick={() => setHelp(!help)}>
          {help ? 'Hide' : 'Show'} DSL help
        </button>
        <span class="grow" />
        <span class="muted small">Ctrl+Enter runs the query</span>
        <button type="submit" data-testid="dsl-submit">
          Run
        </button>
      </div>
      {help ? (
        <div class="help">
          <p>
            <code>from TYPE [where COND] [select ATTRS] [groupby ATTR] [orderby ATTR [asc|desc]] [limit N [offset M]]</code>. Conditions use{' '}
            <code>= != &lt; &gt; like has isa and or</code>; aggregates <code>count() max(a) min(a) sum(a)</code>.
          </p>
          <ul>
            {DSL_EXAMPLES.map((q) => (
              <li>
                <button type="button" class="link mono" onClick={() => setDraft({ ...draft, dsl: q })}>
                  {q}
                </button>
              </li>
            ))}
          </ul>
        </div>
      ) : null}
    </form>
  );
}

function Results({ params, result, go, types, loading }: { params: Params; result: Result; go: (p: Params) => void; types: TypeDef[]; loading: boolean }) {
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const [chooser, setChooser] = useState(false);
  const [classify, setClassify] = useState(false);
  const [notice, setNotice] = useState('');
  const [localSort, setLocalSort] = useState<{ col: string; desc: boolean } | null>(null);
  useEffect(() => {
    setSelected(new Set());
    setLocalSort(null);
  }, [result]);

  if (result.kind === 'table') {
    return (
      <div class="results card">
        <div class="results-bar">
          <span data-testid="result-count">
            {result.rows.length} row{result.rows.length === 1 ? '' : 's'}
          </span>
          <span class="grow" />
          <button class="secondary small" onClick={() => downloadText('search.csv', toCsv(result.header, result.rows.map((r) => r.map(formatValue))))}>
            Download CSV
          </button>
        </div>
        <div class="table-wrap">
          <table class="grid" data-testid="results">
            <thead>
              <tr>
                {result.header.map((h) => (
                  <th>{h}</th>
                ))}
              </tr>
            </thead>
            <tbody>
              {result.rows.map((r) => (
                <tr>
                  {r.map((v) => (
                    <td>{formatValue(v)}</td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </div>
    );
  }

  const typeAttrs = params.type ? allAttributes(types, params.type).map((a) => `attr:${a.name}`) : [];
  const chooserCols = [...BUILTIN_COLS.map(([c]) => c), ...typeAttrs.filter((c) => !['attr:name', 'attr:owner', 'attr:description', 'attr:qualifiedName', 'attr:createTime'].includes(c))];
  const cols = params.cols.filter((c) => chooserCols.includes(c) || c.startsWith('attr:'));
  let rows = result.entities;
  if (localSort) {
    rows = [...rows].sort((a, b) => cellText(a, localSort.col).localeCompare(cellText(b, localSort.col), undefined, { numeric: true }) * (localSort.desc ? -1 : 1));
  }
  const sortable = params.mode === 'basic';
  const sortKey = (col: string) => (col.startsWith('attr:') ? col.slice(5) : col);
  const onSort = (col: string) => {
    if (col === 'classifications' || col === 'terms' || col === 'typeName' || col === 'status' || !sortable) {
      setLocalSort({ col, desc: localSort?.col === col ? !localSort.desc : false });
      return;
    }
    const key = sortKey(col);
    go({ ...params, sort: key, order: params.sort === key && params.order === 'ASCENDING' ? 'DESCENDING' : 'ASCENDING', offset: 0 });
  };
  const sortMark = (col: string) => {
    if (localSort?.col === col) return localSort.desc ? ' ▼' : ' ▲';
    if (!localSort && sortable && params.sort === sortKey(col)) return params.order === 'DESCENDING' ? ' ▼' : ' ▲';
    return '';
  };
  const allGuids = rows.map((e) => e.guid);
  const allSelected = allGuids.length > 0 && allGuids.every((g) => selected.has(g));
  const toggle = (g: string) => {
    const s = new Set(selected);
    s.has(g) ? s.delete(g) : s.add(g);
    setSelected(s);
  };
  const from = params.offset + 1;
  const to = params.offset + rows.length;
  const total = result.total >= 0 ? result.total : null;
  const hasNext = total !== null ? to < total : rows.length >= params.limit;

  return (
    <div class={`results card ${loading ? 'stale' : ''}`}>
      <div class="results-bar">
        <span data-testid="result-count">
          {rows.length === 0 ? 'No results' : `${from}–${to}${total !== null ? ` of ${total}` : ''}`}
        </span>
        {selected.size ? (
          <button class="small" data-testid="classify-selected" onClick={() => setClassify(true)}>
            Classify {selected.size} selected…
          </button>
        ) : null}
        {notice ? <span class="ok">{notice}</span> : null}
        <span class="grow" />
        <button class="secondary small" onClick={() => setChooser(!chooser)} aria-expanded={chooser}>
          Columns
        </button>
        <button
          class="secondary small"
          data-testid="csv"
          onClick={() => downloadText('search.csv', toCsv(['guid', 'name', ...cols.map(colLabel)], rows.map((e) => [e.guid, displayName(e), ...cols.map((c) => cellText(e, c))])))}
        >
          Download CSV
        </button>
      </div>
      {chooser ? (
        <div class="col-chooser">
          {chooserCols.map((c) => (
            <label class="check">
              <input
                type="checkbox"
                checked={cols.includes(c)}
                onChange={(e) => go({ ...params, cols: e.currentTarget.checked ? [...cols, c] : cols.filter((x) => x !== c) })}
              />{' '}
              {colLabel(c)}
            </label>
          ))}
        </div>
      ) : null}
      <div class="table-wrap">
        <table class="grid" data-testid="results">
          <thead>
            <tr>
              <th class="sel">
                <input type="checkbox" aria-label="Select all" checked={allSelected} onChange={() => setSelected(allSelected ? new Set() : new Set(allGuids))} />
              </th>
              <th class="sortable" onClick={() => onSort('name')}>
                Name{sortMark('name')}
              </th>
              {cols.map((c) => (
                <th class="sortable" onClick={() => onSort(c)}>
                  {colLabel(c)}
                  {sortMark(c)}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {rows.map((e) => (
              <tr data-guid={e.guid} class={e.status === 'DELETED' ? 'deleted' : ''}>
                <td class="sel">
                  <input type="checkbox" aria-label={`Select ${displayName(e)}`} checked={selected.has(e.guid)} onChange={() => toggle(e.guid)} />
                </td>
                <td>
                  <EntityLink e={e} />
                </td>
                {cols.map((c) => (
                  <td>
                    {c === 'classifications'
                      ? (e.classificationNames ?? []).map((n: string) => <Chip>{n}</Chip>)
                      : c === 'terms'
                        ? (e.meaningNames ?? []).map((n: string) => <Chip kind="term">{n}</Chip>)
                        : cellText(e, c)}
                  </td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <div class="pager">
        <button class="secondary small" disabled={params.offset === 0} onClick={() => go({ ...params, offset: Math.max(0, params.offset - params.limit) })}>
          ‹ Previous
        </button>
        <button class="secondary small" disabled={!hasNext} onClick={() => go({ ...params, offset: params.offset + params.limit })}>
          Next ›
        </button>
        <label class="inline">
          Page size{' '}
          <select value={params.limit} onChange={(e) => go({ ...params, limit: Number(e.currentTarget.value), offset: 0 })}>
            {PAGE_SIZES.map((n) => (
              <option value={n}>{n}</option>
            ))}
          </select>
        </label>
      </div>
      {classify ? (
        <BulkClassify
          guids={[...selected]}
          onClose={() => setClassify(false)}
          onDone={(n, c) => {
            setClassify(false);
            setSelected(new Set());
            setNotice(`${c} added to ${n} entit${n === 1 ? 'y' : 'ies'}`);
          }}
        />
      ) : null}
    </div>
  );
}

export function BulkClassify({ guids, onClose, onDone }: { guids: string[]; onClose: () => void; onDone: (n: number, cls: string) => void }) {
  const [types] = useAsync(() => loadTypes(), []);
  const [name, setName] = useState('');
  const [propagate, setPropagate] = useState(true);
  const { busy, error, run } = useSubmit(async () => {
    await post('/v2/entity/bulk/classification', { classification: { typeName: name, attributes: {}, propagate }, entityGuids: guids });
    onDone(guids.length, name);
  });
  return (
    <Modal
      title={`Classify ${guids.length} entit${guids.length === 1 ? 'y' : 'ies'}`}
      onClose={onClose}
      actions={
        <DialogButtons onCancel={onClose} onConfirm={run} disabled={!name || busy} testId="bulk-classify-save">
          {busy ? 'Saving…' : 'Add classification'}
        </DialogButtons>
      }
    >
      <ClassificationSelect
        names={(types?.classificationDefs ?? []).map((d) => d.name)}
        value={name}
        onChange={setName}
      />
      <label class="check">
        <input type="checkbox" checked={propagate} onChange={(e) => setPropagate(e.currentTarget.checked)} /> Propagate along lineage
      </label>
      <ErrorBox error={error} />
    </Modal>
  );
}

/** Landing view: entity and classification counts, each a shortcut into search. */
function Overview({ metrics }: { metrics?: { entityActive: Record<string, number>; tagEntities: Record<string, number> } | null }) {
  const types = Object.entries(metrics?.entityActive ?? {}).sort((a, b) => b[1] - a[1]);
  const tags = Object.entries(metrics?.tagEntities ?? {}).sort((a, b) => b[1] - a[1]);
  return (
    <div class="card overview">
      <p class="muted">Pick a type, a classification or a term, or type some text, then press Search.</p>
      {types.length ? (
        <>
          <h2>Entities by type</h2>
          <div class="tiles">
            {types.map(([t, n]) => (
              <a class="tile" href={`#/search?type=${encodeURIComponent(t)}`}>
                <span class="tile-n">{n.toLocaleString()}</span>
                <span class="tile-l">{t}</span>
              </a>
            ))}
          </div>
        </>
      ) : metrics ? (
        <p class="muted">The catalog is empty.</p>
      ) : null}
      {tags.length ? (
        <>
          <h2>Classified entities</h2>
          <div class="tiles">
            {tags.map(([t, n]) => (
              <a class="tile" href={`#/search?cls=${encodeURIComponent(t)}`}>
                <span class="tile-n">{n.toLocaleString()}</span>
                <span class="tile-l">{t}</span>
              </a>
            ))}
          </div>
        </>
      ) : null}
    </div>
  );
}
