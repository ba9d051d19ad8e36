// Client-side lineage graph: merges AtlasLineageInfo answers (the first query
// and every on-demand expansion), tracks "+N more" hints and computes which
// nodes are visible given collapsed branches.

export interface LNode {
  id: string;
  label: string;
  typeName: string;
  qualifiedName: string;
  status: string;
  isProcess: boolean;
}

export interface MoreHint {
  /** Relations not yet loaded; `null` when the server only said "there is more". */
  count: number | null;
}

export type Dir = 'in' | 'out';

export class LineageGraph {
  readonly nodes = new Map<string, LNode>();
  readonly outs = new Map<string, Set<string>>();
  readonly ins = new Map<string, Set<string>>();
  readonly more = new Map<string, Partial<Record<Dir, MoreHint>>>();
  /** Traversal roots: the base entity both ways plus every expanded node. */
  readonly anchors = new Map<string, Set<Dir>>();
  readonly collapsed = new Map<string, Set<Dir>>();

  constructor(
    readonly baseGuid: string,
    private readonly isProcessType: (typeName: string) => boolean,
  ) {
    this.anchors.set(baseGuid, new Set<Dir>(['in', 'out']));
  }

  edgeCount(): number {
    let n = 0;
    for (const s of this.outs.values()) n += s.size;
    return n;
  }

  addNode(h: any) {
    if (!h?.guid) return;
    const a = h.attributes ?? {};
    const prev = this.nodes.get(h.guid);
    this.nodes.set(h.guid, {
      id: h.guid,
      label: h.displayText || a.name || a.qualifiedName || prev?.label || h.guid,
      typeName: h.typeName ?? prev?.typeName ?? '',
      qualifiedName: a.qualifiedName ?? prev?.qualifiedName ?? '',
      status: h.status ?? prev?.status ?? 'ACTIVE',
      isProcess: this.isProcessType(h.typeName ?? prev?.typeName ?? ''),
    });
  }

  addEdge(from: string, to: string) {
    if (!this.outs.has(from)) this.outs.set(from, new Set());
    if (!this.ins.has(to)) this.ins.set(to, new Set());
    this.outs.get(from)!.add(to);
    this.ins.get(to)!.add(from);
  }

  /** Merges one lineage answer; `origin`/`dir` name the on-demand expansion it answers. */
  merge(info: any, origin?: { guid: string; dir: Dir }) {
    const map = info?.guidEntityMap ?? {};
    for (const h of Object.values(map)) this.addNode(h);
    for (const r of info?.relations ?? []) {
      if (!r?.fromEntityId || !r?.toEntityId) continue;
      if (!this.nodes.has(r.fromEntityId)) this.addNode({ guid: r.fromEntityId });
      if (!this.nodes.has(r.toEntityId)) this.addNode({ guid: r.toEntityId });
      this.addEdge(r.fromEntityId, r.toEntityId);
    }
    if (!this.nodes.has(this.baseGuid) && info?.baseEntityGuid === this.baseGuid && map[this.baseGuid]) this.addNode(map[this.baseGuid]);
    if (origin) {
      const m = this.more.get(origin.guid);
      if (m) delete m[origin.dir];
      if (!this.anchors.has(origin.guid)) this.anchors.set(origin.guid, new Set());
      this.anchors.get(origin.guid)!.add(origin.dir);
      this.collapsed.get(origin.guid)?.delete(origin.dir);
    }
    this.readMoreHints(info);
  }

  /**
   * "+N more" hints from `relationsOnDemand[guid] = {hasMoreInputs, hasMoreOutputs,
   * totalInputRelationsCount, totalOutputRelationsCount, ...}` (the count of what is
   * missing is the total minus the relations already loaded; Atlas sends no totals, so
   * its hints show as "+ more"), or explicit `moreInputs`/`moreOutputs` counts.
   */
  private readMoreHints(info: any) {
    const perNode: Record<string, any> = { ...(info?.relationsOnDemand ?? {}) };
    for (const [g, h] of Object.entries<any>(info?.guidEntityMap ?? {})) {
      if (h && ('hasMoreInputs' in h || 'hasMoreOutputs' in h || 'moreInputs' in h || 'moreOutputs' in h)) perNode[g] = { ...h, ...(perNode[g] ?? {}) };
    }
    for (const [g, d] of Object.entries<any>(perNode)) {
      if (!d) continue;
      const hint = (dir: Dir): MoreHint | undefined => {
        const has = dir === 'in' ? d.hasMoreInputs : d.hasMoreOutputs;
        const explicit = dir === 'in' ? d.moreInputs : d.moreOutputs;
        const total = dir === 'in' ? d.totalInputRelationsCount : d.totalOutputRelationsCount;
        if (typeof explicit === 'number') return explicit > 0 ? { count: explicit } : undefined;
        if (!has) return undefined;
        if (typeof total === 'number') {
          const loaded = (dir === 'in' ? this.ins : this.outs).get(g)?.size ?? 0;
          return total > loaded ? { count: total - loaded } : { count: null };
        }
        return { count: null };
      };
      const m: Partial<Record<Dir, MoreHint>> = {};
      const i = hint('in');
      const o = hint('out');
      if (i) m.in = i;
      if (o) m.out = o;
      if (i || o) this.more.set(g, m);
      else this.more.delete(g);
    }
    if (info?.hasMore === true && !Object.keys(perNode).length) this.markFrontier(info);
  }

  /** Without per-node hints, nodes on the depth frontier may have more. */
  private markFrontier(info: any) {
    const dirs: Dir[] = info?.lineageDirection === 'INPUT' ? ['in'] : info?.lineageDirection === 'OUTPUT' ? ['out'] : ['in', 'out'];
    const start = info?.baseEntityGuid ?? this.baseGuid;
    for (const dir of dirs) {
      const adj = dir === 'in' ? this.ins : this.outs;
      const dist = new Map([[start, 0]]);
      const q = [start];
      let max = 0;
      while (q.length) {
        const v = q.shift()!;
        for (const w of adj.get(v) ?? []) {
          if (dist.has(w)) continue;
          dist.set(w, dist.get(v)! + 1);
          max = Math.max(max, dist.get(w)!);
          q.push(w);
        }
      }
      for (const [v, d] of dist) {
        if (d === max && max > 0 && !(adj.get(v)?.size)) {
          this.more.set(v, { ...(this.more.get(v) ?? {}), [dir]: { count: null } });
        }
      }
    }
  }

  toggleCollapsed(guid: string, dir: Dir) {
    if (!this.collapsed.has(guid)) this.collapsed.set(guid, new Set());
    const s = this.collapsed.get(guid)!;
    s.has(dir) ? s.delete(dir) : s.add(dir);
  }

  isCollapsed(guid: string, dir: Dir) {
    return this.collapsed.get(guid)?.has(dir) ?? false;
  }

  /** Nodes reachable from the anchors along data flow, not crossing collapsed branches. */
  visible(hideDeleted: boolean): Set<string> {
    const seen = new Set<string>();
    const walk = (start: string, dir: Dir) => {
      const adj = dir === 'in' ? this.ins : this.outs;
      const stack = [start];
      const local = new Set<string>([start]);
      while (stack.length) {
        const v = stack.pop()!;
        seen.add(v);
        if (this.isCollapsed(v, dir)) continue;
        for (const w of adj.get(v) ?? []) {
          if (local.has(w)) continue;
          const node = this.nodes.get(w);
          if (hideDeleted && node?.status === 'DELETED') continue;
          local.add(w);
          stack.push(w);
        }
      }
    };
    if (this.nodes.has(this.baseGuid)) seen.add(this.baseGuid);
    for (const [g, dirs] of this.anchors) {
      if (g !== this.baseGuid && !seen.has(g)) continue;
      for (const d of dirs) walk(g, d);
    }
    // Anchors found only through another expansion.
    for (const [g, dirs] of this.anchors) if (seen.has(g)) for (const d of dirs) walk(g, d);
    return seen;
  }

  /** Upstream/downstream node counts from `guid` within the loaded graph. */
  reach(guid: string, dir: Dir): number {
    const adj = dir === 'in' ? this.ins : this.outs;
    const seen = new Set<string>([guid]);
    const stack = [guid];
    while (stack.length) for (const w of adj.get(stack.pop()!) ?? []) if (!seen.has(w)) (seen.add(w), stack.push(w));
    return seen.size - 1;
  }
}

export interface DisplayNode {
  id: string;
  label: string;
  kind: 'dataset' | 'process' | 'more';
  typeName: string;
  status: string;
  /** For "+N more" nodes: the node and direction to expand. */
  expand?: { guid: string; dir: Dir };
  dist: number;
}
export interface DisplayEdge {
  id: string;
  source: string;
  target: string;
  label?: string;
}

/** The drawable graph: visible nodes, optional process hiding, "+N more" stubs. */
export function displayGraph(g: LineageGraph, opts: { hideProcesses: boolean; hideDeleted: boolean }) {
  const vis = g.visible(opts.hideDeleted);
  const nodes: DisplayNode[] = [];
  const edges: DisplayEdge[] = [];
  // Distance from the base (undirected) orders progressive rendering.
  const dist = new Map<string, number>([[g.baseGuid, 0]]);
  const q = [g.baseGuid];
  while (q.length) {
    const v = q.shift()!;
    for (const w of [...(g.outs.get(v) ?? []), ...(g.ins.get(v) ?? [])]) {
      if (vis.has(w) && !dist.has(w)) {
        dist.set(w, dist.get(v)! + 1);
        q.push(w);
      }
    }
  }
  const hidden = (id: string) => opts.hideProcesses && g.nodes.get(id)?.isProcess;
  for (const id of vis) {
    const n = g.nodes.get(id);
    if (!n || hidden(id)) continue;
    nodes.push({ id, label: n.label, kind: n.isProcess ? 'process' : 'dataset', typeName: n.typeName, status: n.status, dist: dist.get(id) ?? 1e9 });
  }
  const seenEdge = new Set<string>();
  const push = (s: string, t: string, label?: string) => {
    const id = `${s}>${t}`;
    if (seenEdge.has(id)) return;
    seenEdge.add(id);
    edges.push({ id, source: s, target: t, label });
  };
  for (const s of vis) {
    if (hidden(s)) continue;
    for (const t of g.outs.get(s) ?? []) {
      if (!vis.has(t)) continue;
      if (!hidden(t)) {
        push(s, t);
        continue;
      }
      for (const u of g.outs.get(t) ?? []) if (vis.has(u) && !hidden(u)) push(s, u, g.nodes.get(t)?.label);
    }
  }
  for (const [guid, m] of g.more) {
    if (!vis.has(guid) || hidden(guid)) continue;
    for (const dir of ['in', 'out'] as Dir[]) {
      const h = m[dir];
      if (!h || g.isCollapsed(guid, dir)) continue;
      const id = `more:${dir}:${guid}`;
      nodes.push({ id, label: h.count === null ? '+ more' : `+${h.count} more`, kind: 'more', typeName: '', status: 'ACTIVE', expand: { guid, dir }, dist: (dist.get(guid) ?? 0) + 1 });
      if (dir === 'in') push(id, guid);
      else push(guid, id);
    }
  }
  return { nodes, edges };
}
