// Lineage tab: table-level graph (fast layout in a worker, progressive canvas
// rendering) and column-level graph (ELK with row ports), with depth selector,
// on-demand expansion, collapse, process hiding, path highlight, search and PNG export.
import { useEffect, useRef, useState } from 'preact/hooks';
import type { Core, ElementDefinition, NodeSingular } from 'cytoscape';
import { get } from '../api';
import { isA, loadTypes } from '../catalog';
import { ErrorBox, Spinner } from '../components';
import { entityHref, navigate, type Route } from '../router';
import { displayGraph, LineageGraph, type Dir, type DisplayNode } from './model';
import { layoutInWorker, layoutWithPorts, type PortEdge, type PortNode } from './layout-client';
import { loadColumnEdges, loadColumns, MAX_COLUMNS, type ColumnEdge } from './columns';

const DEPTHS = [1, 2, 3, 4, 5, 10, 0];
const MAX_NODES = [50, 200, 1000, 2000, 5000];
const NODE_W = 180;
const NODE_H = 34;
const PROC_W = 150;
const ROW_H = 22;
const HDR_H = 28;
const TABLE_W = 220;
const BIG = 1000;
const FIRST_CHUNK = 150;
const CHUNK = 300;
const chunkOf = (i: number) => (i < FIRST_CHUNK ? 0 : 1 + Math.floor((i - FIRST_CHUNK) / CHUNK));

type Phase = 'loading' | 'layout' | 'rendering' | 'ready' | 'error';

interface Hook {
  phase: Phase;
  level: string;
  startedAt: number;
  firstPaintAt: number;
  readyAt: number;
  timings: Record<string, number>;
  nodes(): { id: string; label: string; kind: string; typeName: string; parent: string }[];
  edges(): { source: string; target: string }[];
  columnEdges(): { from: string; to: string }[];
  nodeClientPos(id: string): { x: number; y: number } | null;
  center(id: string): void;
  select(id: string): void;
}

declare global {
  interface Window {
    __lineage?: Hook;
  }
}

let cytoscapeLib: Promise<any> | null = null;
const loadCytoscape = () => (cytoscapeLib ??= import('cytoscape'));

/** Starts fetching the graph library early (e.g. when an entity with lineage opens). */
export const preloadLineage = () => void loadCytoscape();

function style(big: boolean): any[] {
  return [
    {
      selector: 'node',
      style: {
        shape: 'round-rectangle',
        width: 'data(w)',
        height: 'data(h)',
        'background-color': '#e8f0fe',
        'border-width': 1,
        'border-color': '#5b7db1',
        label: 'data(label)',
        'font-size': 11,
        'font-family': 'system-ui, sans-serif',
        color: '#1b2a41',
        'text-valign': 'center',
        'text-halign': 'center',
        'text-wrap': 'ellipsis',
        'text-max-width': 'data(tw)',
        'min-zoomed-font-size': 7,
      },
    },
    { selector: 'node.process', style: { shape: 'cut-rectangle', 'background-color': '#fff4e0', 'border-color': '#c98a1b' } },
    { selector: 'node.more', style: { 'border-style': 'dashed', 'background-color': '#ffffff', color: '#1d4ed8', 'font-weight': 'bold', 'border-color': '#1d4ed8' } },
    { selector: 'node.base', style: { 'border-width': 3, 'border-color': '#d3455b', 'background-color': '#fde8ec' } },
    { selector: 'node.deleted', style: { 'border-style': 'dashed', color: '#8b95a5', 'background-color': '#f3f4f6' } },
    { selector: 'node.table', style: { shape: 'rectangle', 'background-color': '#f8fafc', 'border-color': '#5b7db1', label: '', padding: 0 } },
    { selector: 'node.table.base', style: { 'border-width': 3, 'border-color': '#d3455b' } },
    { selector: 'node.header', style: { shape: 'rectangle', 'background-color': '#dbe6f7', 'font-weight': 'bold', 'border-width': 0 } },
    { selector: 'node.column', style: { shape: 'rectangle', 'background-color': '#ffffff', 'border-width': 0.5, 'border-color': '#d5dde8', 'font-size': 10 } },
    { selector: 'node.column.linked', style: { 'background-color': '#eef4ff' } },
    {
      selector: 'edge',
      style: {
        width: 1.5,
        'line-color': '#9aa7b8',
        'target-arrow-color': '#9aa7b8',
        'target-arrow-shape': big ? 'none' : 'triangle',
        'arrow-scale': 0.8,
        'curve-style': big ? 'haystack' : 'bezier',
        'haystack-radius': 0,
      },
    },
    { selector: 'edge[label]', style: { label: big ? '' : 'data(label)', 'font-size': 9, color: '#8a6d2b', 'text-rotation': 'autorotate', 'min-zoomed-font-size': 8 } },
    { selector: 'edge.tableEdge', style: { 'line-style': 'dashed', 'line-color': '#cbd5e1', 'target-arrow-color': '#cbd5e1' } },
    {
      selector: 'edge.colEdge',
      style: { 'line-color': '#2563eb', 'target-arrow-color': '#2563eb', 'curve-style': 'straight', 'source-endpoint': '50% 0%', 'target-endpoint': '-50% 0%', width: 1.5 },
    },
    { selector: '.faded', style: { opacity: 0.18 } },
    { selector: 'node.hl', style: { 'border-color': '#d97706', 'border-width': 2.5 } },
    { selector: 'edge.hl', style: { 'line-color': '#d97706', 'target-arrow-color': '#d97706', width: 3 } },
    { selector: 'node.match', style: { 'background-color': '#fde047' } },
    { selector: 'node:selected', style: { 'border-width': 3, 'border-color': '#2563eb' } },
  ];
}

const frames = () => new Promise<void>((r) => requestAnimationFrame(() => requestAnimationFrame(() => r())));
const tick = () => new Promise<void>((r) => setTimeout(r, 0));

interface Selected {
  id: string;
  label: string;
  typeName: string;
  kind: string;
  qualifiedName?: string;
  status?: string;
  entityGuid?: string;
  table?: string;
}

export function LineageView({ guid, entity, route }: { guid: string; entity: any; route: Route }) {
  const depthParam = route.params.get('depth');
  const depth = depthParam !== null && DEPTHS.includes(Number(depthParam)) ? Number(depthParam) : 3;
  const level = route.params.get('level') === 'column' ? 'column' : 'table';
  const maxNodes = Number(route.params.get('max')) || 0;
  const setParam = (patch: Record<string, string | number | undefined>) => {
    const p: Record<string, string | number | undefined> = {
      tab: 'lineage',
      depth: depthParam ?? undefined,
      level: level === 'column' ? 'column' : undefined,
      max: maxNodes || undefined,
      ...patch,
    };
    navigate(`/entity/${encodeURIComponent(guid)}`, p, true);
  };

  const container = useRef<HTMLDivElement>(null);
  const cyRef = useRef<Core | null>(null);
  const graphRef = useRef<LineageGraph | null>(null);
  const colEdgesRef = useRef<ColumnEdge[]>([]);
  const colNamesRef = useRef(new Map<string, { table: string; name: string }>());
  const [version, setVersion] = useState(0);
  const [phase, setPhase] = useState<Phase>('loading');
  const [progress, setProgress] = useState('');
  const [error, setError] = useState<unknown>(null);
  const [notice, setNotice] = useState('');
  const [hideProcesses, setHideProcesses] = useState(false);
  const [hideDeleted, setHideDeleted] = useState(false);
  const [selected, setSelected] = useState<Selected | null>(null);
  const [find, setFind] = useState('');
  const [matches, setMatches] = useState<{ ids: string[]; at: number }>({ ids: [], at: 0 });
  const [counts, setCounts] = useState({ nodes: 0, edges: 0 });
  const [mappings, setMappings] = useState<{ to: string; from: string; process: string }[]>([]);
  const focusRef = useRef<string>(guid);
  const hook = useRef<Hook>({
    phase: 'loading',
    level,
    startedAt: performance.now(),
    firstPaintAt: 0,
    readyAt: 0,
    timings: {},
    nodes: () =>
      (cyRef.current?.nodes() ?? ([] as any)).map((n: NodeSingular) => ({ id: n.id(), label: n.data('label') ?? n.data('name'), kind: n.data('kind'), typeName: n.data('typeName') ?? '', parent: n.data('parent') ?? '' })),
    edges: () => (cyRef.current?.edges() ?? ([] as any)).map((e: any) => ({ source: e.data('source'), target: e.data('target') })),
    columnEdges: () =>
      colEdgesRef.current.map((e) => {
        const f = colNamesRef.current.get(e.from);
        const t = colNamesRef.current.get(e.to);
        return { from: f ? `${f.table}.${f.name}` : e.from, to: t ? `${t.table}.${t.name}` : e.to };
      }),
    nodeClientPos: (id) => {
      const cy = cyRef.current;
      const n = cy?.getElementById(id);
      if (!cy || !n || n.empty()) return null;
      const p = n.renderedPosition();
      const r = container.current!.getBoundingClientRect();
      return { x: r.left + p.x, y: r.top + p.y };
    },
    center: (id) => {
      const n = cyRef.current?.getElementById(id);
      if (n && !n.empty()) cyRef.current!.center(n);
    },
    select: (id) => {
      const n = cyRef.current?.getElementById(id);
      if (n && !n.empty()) n.emit('tap');
    },
  });
  const setPhaseBoth = (p: Phase) => {
    hook.current.phase = p;
    setPhase(p);
  };

  useEffect(() => {
    window.__lineage = hook.current;
    return () => {
      if (window.__lineage === hook.current) delete window.__lineage;
      cyRef.current?.destroy();
      cyRef.current = null;
    };
  }, []);

  // Fetch the lineage whenever the entity or depth changes.
  useEffect(() => {
    const ac = new AbortController();
    hook.current.startedAt = performance.now();
    hook.current.readyAt = 0;
    hook.current.firstPaintAt = 0;
    setPhaseBoth('loading');
    setError(null);
    setSelected(null);
    focusRef.current = guid;
    (async () => {
      const t0 = performance.now();
      const [info, types] = await Promise.all([get(`/v2/lineage/${encodeURIComponent(guid)}`, { direction: 'BOTH', depth, maxNodes: maxNodes || undefined }, ac.signal), loadTypes()]);
      hook.current.timings.fetch = performance.now() - t0;
      const procs = new Map<string, boolean>();
      const isProcess = (t: string) => {
        if (!procs.has(t)) procs.set(t, isA(types.entityDefs, t, 'Process'));
        return procs.get(t)!;
      };
      const g = new LineageGraph(guid, isProcess);
      g.merge(info);
      if (!g.nodes.has(guid)) g.addNode({ ...entity, displayText: entity.attributes?.name });
      graphRef.current = g;
      setVersion((v) => v + 1);
    })().catch((e) => {
      if (ac.signal.aborted) return;
      setError(e);
      setPhaseBoth('error');
    });
    return () => ac.abort();
  }, [guid, depth, maxNodes]);

  // Lay out and draw whenever the graph or the view options change.
  useEffect(() => {
    const g = graphRef.current;
    if (!g || !container.current) return;
    const ac = new AbortController();
    hook.current.level = level;
    (level === 'column' ? drawColumns(g, ac.signal) : drawTables(g, ac.signal)).catch((e) => {
      if (ac.signal.aborted) return;
      setError(e);
      setPhaseBoth('error');
    });
    return () => ac.abort();
  }, [version, hideProcesses, hideDeleted, level]);

  async function newCy(elementsBig: boolean) {
    const cytoscape = (await loadCytoscape()).default;
    cyRef.current?.destroy();
    const cy = cytoscape({
      container: container.current,
      elements: [],
      style: style(elementsBig),
      layout: { name: 'preset' },
      minZoom: 0.02,
      maxZoom: 3,
      autoungrabify: true,
      boxSelectionEnabled: false,
      textureOnViewport: elementsBig,
      hideEdgesOnViewport: elementsBig,
      motionBlur: false,
      pixelRatio: elementsBig ? 1 : 'auto',
    } as any);
    cyRef.current = cy;
    bindEvents(cy);
    return cy;
  }

  function bindEvents(cy: Core) {
    cy.on('tap', 'node', (ev) => {
      const n = ev.target as NodeSingular;
      const kind = n.data('kind');
      if (kind === 'more') {
        expand(n.data('expandGuid'), n.data('expandDir'));
        return;
      }
      if (kind === 'table' || kind === 'header') {
        const t = kind === 'header' ? n.parent().first() : n;
        highlight(cy, t.union(t.children()));
        showSelected(t);
        return;
      }
      highlight(cy, n);
      showSelected(n);
    });
    cy.on('dbltap', 'node', (ev) => {
      const g = ev.target.data('entityGuid') ?? (ev.target.data('kind') === 'header' ? ev.target.parent().id() : ev.target.id());
      if (g && !String(g).startsWith('more:')) location.hash = entityHref(g);
    });
    cy.on('tap', (ev) => {
      if (ev.target === cy) {
        cy.elements().removeClass('faded hl');
        setSelected(null);
      }
    });
  }

  function highlight(cy: Core, n: any) {
    cy.batch(() => {
      const path = n.union(n.predecessors()).union(n.successors());
      const withParents = path.union(path.parents());
      cy.elements().addClass('faded').removeClass('hl');
      withParents.removeClass('faded');
      withParents.children('.header').removeClass('faded');
      path.addClass('hl');
    });
  }

  function showSelected(n: NodeSingular) {
    const g = graphRef.current!;
    const id = n.id();
    if (n.data('kind') === 'column') {
      setSelected({ id, label: n.data('label'), typeName: 'column', kind: 'column', entityGuid: n.data('entityGuid'), table: n.parent().first().data('name') });
      return;
    }
    const m = g.nodes.get(id);
    setSelected({ id, label: m?.label ?? n.data('label'), typeName: m?.typeName ?? '', kind: n.data('kind'), qualifiedName: m?.qualifiedName, status: m?.status, entityGuid: id });
  }

  async function render(
    cy: Core,
    nodes: { el: ElementDefinition; order: number }[],
    edges: ElementDefinition[],
    signal: AbortSignal,
    big: boolean,
    focus: { x: number; y: number } | null,
  ) {
    nodes.sort((a, b) => a.order - b.order);
    const at = new Map<string, number>();
    nodes.forEach((n, i) => at.set(n.el.data.id!, i));
    const byChunk = new Map<number, ElementDefinition[]>();
    for (const e of edges) {
      const i = Math.max(at.get(e.data.source!) ?? Infinity, at.get(e.data.target!) ?? Infinity);
      if (!Number.isFinite(i)) continue;
      const c = chunkOf(i);
      if (!byChunk.has(c)) byChunk.set(c, []);
      byChunk.get(c)!.push(e);
    }
    const small = nodes.length <= 300;
    if (focus && !small) {
      const z = big ? 0.6 : 0.9;
      cy.zoom(z);
      cy.pan({ x: cy.width() / 2 - focus.x * z, y: cy.height() / 2 - focus.y * z });
    }
    const chunks = chunkOf(Math.max(0, nodes.length - 1)) + 1;
    for (let c = 0; c < chunks; c++) {
      if (signal.aborted) return;
      const from = c === 0 ? 0 : FIRST_CHUNK + (c - 1) * CHUNK;
      const to = c === 0 ? FIRST_CHUNK : from + CHUNK;
      const els = nodes.slice(from, to).map((n) => n.el);
      cy.batch(() => {
        cy.add(els);
        cy.add(byChunk.get(c) ?? []);
      });
      if (c === 0) {
        if (small) {
          cy.fit(undefined, 30);
          if (cy.zoom() > 1.4) {
            cy.zoom(1.4);
            cy.center();
          } else if (cy.zoom() < 0.6) {
            // Narrow windows: keep labels readable around the focus instead of fitting everything.
            cy.zoom(0.6);
            if (focus) cy.pan({ x: cy.width() / 2 - focus.x * 0.6, y: cy.height() / 2 - focus.y * 0.6 });
            else cy.center();
          }
        }
        await frames();
        hook.current.firstPaintAt = performance.now();
      } else {
        setProgress(`Drawing ${Math.min(nodes.length, to).toLocaleString()} of ${nodes.length.toLocaleString()} nodes…`);
        await tick();
      }
    }
    await frames();
    setProgress('');
    setCounts({ nodes: cy.nodes().length, edges: cy.edges().length });
    hook.current.readyAt = performance.now();
    setPhaseBoth('ready');
  }

  async function drawTables(g: LineageGraph, signal: AbortSignal) {
    setPhaseBoth('layout');
    setMappings([]);
    colEdgesRef.current = [];
    const dg = displayGraph(g, { hideProcesses, hideDeleted });
    const big = dg.nodes.length > BIG;
    const size = (n: DisplayNode) => (n.kind === 'process' ? PROC_W : n.kind === 'more' ? 100 : NODE_W);
    const t0 = performance.now();
    const pos = await layoutInWorker(
      dg.nodes.map((n) => ({ id: n.id, w: size(n), h: NODE_H })),
      dg.edges.map((e) => [e.source, e.target]),
    );
    hook.current.timings.layout = performance.now() - t0;
    if (signal.aborted) return;
    setPhaseBoth('rendering');
    const cy = await newCy(big);
    const nodes = dg.nodes.map((n) => ({
      order: n.dist,
      el: {
        group: 'nodes' as const,
        data: {
          id: n.id,
          label: n.label,
          kind: n.kind,
          typeName: n.typeName,
          w: size(n),
          h: NODE_H,
          tw: size(n) - 14,
          expandGuid: n.expand?.guid,
          expandDir: n.expand?.dir,
        },
        position: pos[n.id] ?? { x: 0, y: 0 },
        classes: [n.kind, n.id === g.baseGuid ? 'base' : '', n.status === 'DELETED' ? 'deleted' : ''].join(' '),
      },
    }));
    const edges = dg.edges.map((e) => ({ group: 'edges' as const, data: { id: e.id, source: e.source, target: e.target, ...(e.label ? { label: e.label } : {}) } }));
    const t1 = performance.now();
    await render(cy, nodes, edges, signal, big, pos[focusRef.current] ?? pos[g.baseGuid] ?? null);
    hook.current.timings.render = performance.now() - t1;
  }

  async function drawColumns(g: LineageGraph, signal: AbortSignal) {
    setPhaseBoth('layout');
    const dg = displayGraph(g, { hideProcesses: false, hideDeleted });
    const datasets = dg.nodes.filter((n) => n.kind === 'dataset').map((n) => n.id);
    setProgress('Loading columns…');
    const tables = await loadColumns(datasets, signal);
    let colGuids = [...tables.values()].flatMap((t) => t.columns.map((c) => c.guid));
    setNotice(colGuids.length > MAX_COLUMNS ? `Column lineage shown for the first ${MAX_COLUMNS} of ${colGuids.length} columns.` : '');
    colGuids = colGuids.slice(0, MAX_COLUMNS);
    const colNames = new Map<string, { table: string; name: string }>();
    for (const t of tables.values()) for (const c of t.columns) colNames.set(c.guid, { table: g.nodes.get(t.guid)?.label ?? t.guid, name: c.name });
    colNamesRef.current = colNames;
    const colEdges = (await loadColumnEdges(colGuids, signal, (d, n) => setProgress(`Loading column lineage ${d} / ${n}…`))).filter(
      (e) => colNames.has(e.from) && colNames.has(e.to),
    );
    if (signal.aborted) return;
    colEdgesRef.current = colEdges;
    setMappings(
      colEdges
        .map((e) => ({ to: `${colNames.get(e.to)!.table}.${colNames.get(e.to)!.name}`, from: `${colNames.get(e.from)!.table}.${colNames.get(e.from)!.name}`, process: e.process }))
        .sort((a, b) => a.to.localeCompare(b.to)),
    );
    setProgress('Laying out…');
    const colTable = new Map<string, string>();
    for (const t of tables.values()) for (const c of t.columns) colTable.set(c.guid, t.guid);
    const portNodes: PortNode[] = dg.nodes.map((n) => {
      const t = tables.get(n.id);
      if (t) return { id: n.id, w: TABLE_W, h: HDR_H + t.columns.length * ROW_H, rows: t.columns.map((c, i) => ({ id: c.guid, y: HDR_H + i * ROW_H + ROW_H / 2 })) };
      return { id: n.id, w: n.kind === 'process' ? PROC_W : n.kind === 'more' ? 100 : NODE_W, h: NODE_H };
    });
    const portEdges: PortEdge[] = [
      ...dg.edges.map((e) => ({ id: e.id, source: e.source, target: e.target })),
      ...colEdges.map((e, i) => ({ id: `c${i}`, source: colTable.get(e.from)!, target: colTable.get(e.to)!, sourceRow: e.from, targetRow: e.to })),
    ];
    const t0 = performance.now();
    const corner = await layoutWithPorts(portNodes, portEdges);
    hook.current.timings.layout = performance.now() - t0;
    if (signal.aborted) return;
    setPhaseBoth('rendering');
    const cy = await newCy(false);
    const linked = new Set(colEdges.flatMap((e) => [e.from, e.to]));
    const nodes: { el: ElementDefinition; order: number }[] = [];
    for (const n of dg.nodes) {
      const p = corner[n.id] ?? { x: 0, y: 0 };
      const t = tables.get(n.id);
      const base = n.id === g.baseGuid ? 'base' : '';
      if (!t) {
        const w = n.kind === 'process' ? PROC_W : n.kind === 'more' ? 100 : NODE_W;
        nodes.push({
          order: n.dist,
          el: {
            group: 'nodes',
            data: { id: n.id, label: n.label, kind: n.kind, typeName: n.typeName, w, h: NODE_H, tw: w - 14, expandGuid: n.expand?.guid, expandDir: n.expand?.dir },
            position: { x: p.x + w / 2, y: p.y + NODE_H / 2 },
            classes: `${n.kind} ${base}`,
          },
        });
        continue;
      }
      nodes.push({ order: n.dist, el: { group: 'nodes', data: { id: n.id, kind: 'table', name: n.label, typeName: n.typeName }, classes: `table ${base}` } });
      nodes.push({
        order: n.dist,
        el: {
          group: 'nodes',
          data: { id: `hdr:${n.id}`, parent: n.id, label: n.label, kind: 'header', w: TABLE_W, h: HDR_H, tw: TABLE_W - 12 },
          position: { x: p.x + TABLE_W / 2, y: p.y + HDR_H / 2 },
          classes: 'header',
        },
      });
      t.columns.forEach((c, i) =>
        nodes.push({
          order: n.dist,
          el: {
            group: 'nodes',
            data: { id: `col:${c.guid}`, parent: n.id, label: c.name, kind: 'column', entityGuid: c.guid, w: TABLE_W, h: ROW_H, tw: TABLE_W - 12 },
            position: { x: p.x + TABLE_W / 2, y: p.y + HDR_H + i * ROW_H + ROW_H / 2 },
            classes: `column ${linked.has(c.guid) ? 'linked' : ''}`,
          },
        }),
      );
    }
    const edges: ElementDefinition[] = [
      ...dg.edges.map((e) => ({ group: 'edges' as const, data: { id: e.id, source: e.source, target: e.target }, classes: 'tableEdge' })),
      ...colEdges.map((e, i) => ({ group: 'edges' as const, data: { id: `c${i}`, source: `col:${e.from}`, target: `col:${e.to}`, process: e.process }, classes: 'colEdge' })),
    ];
    const bc = corner[g.baseGuid];
    await render(cy, nodes, edges, signal, false, bc ? { x: bc.x + TABLE_W / 2, y: bc.y + HDR_H } : null);
  }

  async function expand(nodeGuid: string, dir: Dir) {
    const g = graphRef.current;
    if (!g) return;
    setProgress(`Loading ${dir === 'in' ? 'upstream' : 'downstream'} of ${g.nodes.get(nodeGuid)?.label ?? nodeGuid}…`);
    try {
      const info = await get(`/v2/lineage/${encodeURIComponent(nodeGuid)}`, {
        direction: dir === 'in' ? 'INPUT' : 'OUTPUT',
        depth: depth || 3,
        maxNodes: maxNodes || undefined,
      });
      g.merge(info, { guid: nodeGuid, dir });
      focusRef.current = nodeGuid;
      setVersion((v) => v + 1);
    } catch (e) {
      setError(e);
      setProgress('');
    }
  }

  function toggleCollapse(nodeGuid: string, dir: Dir) {
    const g = graphRef.current;
    if (!g) return;
    g.toggleCollapsed(nodeGuid, dir);
    focusRef.current = nodeGuid;
    setVersion((v) => v + 1);
  }

  function runFind(next: boolean) {
    const cy = cyRef.current;
    if (!cy) return;
    const q = find.trim().toLowerCase();
    cy.nodes().removeClass('match');
    if (!q) {
      setMatches({ ids: [], at: 0 });
      return;
    }
    let ids = matches.ids;
    let at = next ? matches.at + 1 : 0;
    if (!next || !ids.length) {
      ids = cy
        .nodes()
        .filter((n) => String(n.data('label') ?? '').toLowerCase().includes(q) && n.data('kind') !== 'header')
        .map((n) => n.id());
      at = 0;
    }
    if (!ids.length) {
      setMatches({ ids: [], at: 0 });
      return;
    }
    at %= ids.length;
    cy.batch(() => ids.forEach((id) => cy.getElementById(id).addClass('match')));
    const n = cy.getElementById(ids[at]);
    cy.animate({ center: { eles: n }, zoom: Math.max(cy.zoom(), 0.9) } as any, { duration: 250 });
    highlight(cy, n);
    showSelected(n as NodeSingular);
    setMatches({ ids, at });
  }

  function exportPng() {
    const cy = cyRef.current;
    if (!cy) return;
    const blob = cy.png({ full: true, bg: '#ffffff', output: 'blob', scale: cy.nodes().length > BIG ? 1 : 2, maxWidth: 12000, maxHeight: 12000 } as any) as unknown as Blob;
    const url = URL.createObjectURL(blob);
    const a = document.createElement('a');
    a.href = url;
    a.download = `lineage-${(entity.attributes?.name ?? guid).replace(/[^\w.-]+/g, '_')}.png`;
    document.body.appendChild(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 1000);
  }

  const g = graphRef.current;
  const busy = phase === 'loading' || phase === 'layout' || phase === 'rendering';
  const selNode = selected && g?.nodes.get(selected.id);
  return (
    <div class="lineage">
      <div class="lineage-toolbar card">
        <label class="inline">
          Depth{' '}
          <select value={depth} onChange={(e) => setParam({ depth: e.currentTarget.value })} data-testid="depth">
            {DEPTHS.map((d) => (
              <option value={d}>{d === 0 ? 'all' : d}</option>
            ))}
          </select>
        </label>
        <label class="inline" title="Nodes per answer; the rest load on demand through “+N more”">
          Max nodes{' '}
          <select value={maxNodes} onChange={(e) => setParam({ max: Number(e.currentTarget.value) || undefined })} data-testid="max-nodes">
            <option value={0}>server limit</option>
            {(MAX_NODES.includes(maxNodes) || !maxNodes ? MAX_NODES : [maxNodes, ...MAX_NODES]).map((n) => (
              <option value={n}>{n.toLocaleString()}</option>
            ))}
          </select>
        </label>
        <div class="seg" role="group" aria-label="Level">
          <button class={level === 'table' ? 'active' : 'secondary'} onClick={() => setParam({ level: undefined })} data-testid="level-table">
            Tables
          </button>
          <button class={level === 'column' ? 'active' : 'secondary'} onClick={() => setParam({ level: 'column' })} data-testid="level-column">
            Columns
          </button>
        </div>
        <label class="check">
          <input type="checkbox" checked={hideProcesses} disabled={level === 'column'} onChange={(e) => setHideProcesses(e.currentTarget.checked)} /> Hide processes
        </label>
        <label class="check">
          <input type="checkbox" checked={hideDeleted} onChange={(e) => setHideDeleted(e.currentTarget.checked)} /> Hide deleted
        </label>
        <form
          class="inline find"
          onSubmit={(e) => {
            e.preventDefault();
            runFind(matches.ids.length > 0);
          }}
        >
          <input
            type="search"
            placeholder="Find in graph"
            value={find}
            onInput={(e) => {
              setFind(e.currentTarget.value);
              setMatches({ ids: [], at: 0 });
            }}
            aria-label="Find in graph"
            data-testid="graph-find"
          />
          {matches.ids.length ? (
            <span class="muted small">
              {matches.at + 1}/{matches.ids.length}
            </span>
          ) : null}
        </form>
        <span class="grow" />
        <button class="secondary small" onClick={() => cyRef.current?.fit(undefined, 30)}>
          Fit
        </button>
        <button class="secondary small" onClick={exportPng} disabled={phase !== 'ready'} data-testid="export-png">
          PNG
        </button>
      </div>
      <ErrorBox error={error} onClose={() => setError(null)} />
      {notice ? <p class="muted small">{notice}</p> : null}
      <div class="lineage-main">
        <div class="graph-wrap">
          <div class="graph" ref={container} data-testid="lineage-graph" data-phase={phase} />
          {busy || progress ? (
            <div class="graph-overlay">
              <Spinner label={progress || (phase === 'loading' ? 'Loading lineage…' : phase === 'layout' ? 'Laying out…' : 'Drawing…')} />
            </div>
          ) : null}
          {phase === 'ready' && g && g.edgeCount() === 0 ? <div class="graph-empty muted">No lineage recorded for this entity.</div> : null}
          <div class="legend small">
            <span class="lg lg-dataset" /> dataset <span class="lg lg-process" /> process <span class="lg lg-base" /> this entity · {counts.nodes.toLocaleString()} nodes
          </div>
        </div>
        <aside class="side card" data-testid="lineage-side">
          {selected ? (
            <>
              <h3 data-testid="selected-name">{selected.label}</h3>
              <div class="muted small">
                {selected.kind === 'column' ? `column of ${selected.table}` : selected.typeName}
                {selected.status === 'DELETED' ? ' · DELETED' : ''}
              </div>
              {selected.qualifiedName ? <div class="mono small wrap">{selected.qualifiedName}</div> : null}
              {selected.entityGuid ? (
                <p>
                  <a href={entityHref(selected.entityGuid)} data-testid="open-entity">
                    Open entity page →
                  </a>
                </p>
              ) : null}
              {selected.kind === 'column' ? (
                <ColumnInfo guid={selected.entityGuid!} edges={colEdgesRef.current} names={colNamesRef.current} />
              ) : null}
              {selNode && g ? (
                <div class="side-actions">
                  {(['in', 'out'] as Dir[]).map((dir) => {
                    const word = dir === 'in' ? 'upstream' : 'downstream';
                    const n = g.reach(selNode.id, dir);
                    return (
                      <div class="side-dir">
                        <div>
                          {word}: <strong>{n}</strong>
                          {g.more.get(selNode.id)?.[dir] ? <span class="muted"> (+ more on server)</span> : null}
                        </div>
                        {(dir === 'in' ? g.ins : g.outs).get(selNode.id)?.size ? (
                          <button class="secondary small" onClick={() => toggleCollapse(selNode.id, dir)}>
                            {g.isCollapsed(selNode.id, dir) ? `Expand ${word}` : `Collapse ${word}`}
                          </button>
                        ) : null}
                        <button class="secondary small" onClick={() => expand(selNode.id, dir)}>
                          Load more {word}
                        </button>
                      </div>
                    );
                  })}
                </div>
              ) : null}
            </>
          ) : (
            <p class="muted small">
              Click a node to highlight its path; double-click opens it. “+N more” nodes load the rest on demand.
              {level === 'column' ? ' Click a column to follow its lineage.' : ''}
            </p>
          )}
        </aside>
      </div>
      {level === 'column' && phase === 'ready' ? (
        <details class="card mappings" open={mappings.length <= 30}>
          <summary>Column mappings ({mappings.length})</summary>
          {mappings.length ? (
            <table class="grid" data-testid="column-mappings">
              <thead>
                <tr>
                  <th>Target column</th>
                  <th />
                  <th>Source column</th>
                  <th>Process</th>
                </tr>
              </thead>
              <tbody>
                {mappings.map((m) => (
                  <tr>
                    <td class="mono">{m.to}</td>
                    <td>←</td>
                    <td class="mono">{m.from}</td>
                    <td class="small">{m.process}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          ) : (
            <p class="muted">No column lineage between the tables on this graph.</p>
          )}
        </details>
      ) : null}
    </div>
  );
}

function ColumnInfo({ guid, edges, names }: { guid: string; edges: ColumnEdge[]; names: Map<string, { table: string; name: string }> }) {
  const label = (g: string) => {
    const n = names.get(g);
    return n ? `${n.table}.${n.name}` : g;
  };
  const sources = edges.filter((e) => e.to === guid);
  const targets = edges.filter((e) => e.from === guid);
  return (
    <div class="small" data-testid="column-info">
      <div>Sources:</div>
      <ul class="plain">
        {sources.length ? sources.map((e) => <li class="mono">{label(e.from)}</li>) : <li class="muted">none</li>}
      </ul>
      <div>Targets:</div>
      <ul class="plain">
        {targets.length ? targets.map((e) => <li class="mono">{label(e.to)}</li>) : <li class="muted">none</li>}
      </ul>
    </div>
  );
}
