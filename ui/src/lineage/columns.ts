// Column-level lineage: the columns of each table on the graph and, from the
// lineage of every column guid, the column-to-column edges (a column-lineage
// process between two columns becomes one edge).
import { get, mapLimit } from '../api';

export interface TableColumns {
  guid: string;
  columns: { guid: string; name: string }[];
}
export interface ColumnEdge {
  from: string;
  to: string;
  process: string;
}

export const MAX_COLUMNS = 1500;

export async function loadColumns(tableGuids: string[], signal: AbortSignal): Promise<Map<string, TableColumns>> {
  const out = new Map<string, TableColumns>();
  const chunks: string[][] = [];
  for (let i = 0; i < tableGuids.length; i += 40) chunks.push(tableGuids.slice(i, i + 40));
  await mapLimit(chunks, 3, async (chunk) => {
    const r: any = await get('/v2/entity/bulk', { guid: chunk }, signal);
    const referred = r?.referredEntities ?? {};
    for (const e of r?.entities ?? []) {
      const cols: any[] = e.relationshipAttributes?.columns ?? e.attributes?.columns ?? [];
      if (!Array.isArray(cols) || !cols.length) continue;
      const rows = cols
        .filter((c) => c?.guid && (c.entityStatus ?? referred[c.guid]?.status) !== 'DELETED')
        .map((c) => {
          const full = referred[c.guid];
          return { guid: c.guid, name: full?.attributes?.name ?? c.displayText ?? c.guid, pos: full?.attributes?.position ?? 1e9 };
        })
        .sort((a, b) => a.pos - b.pos || a.name.localeCompare(b.name))
        .map(({ guid, name }) => ({ guid, name }));
      out.set(e.guid, { guid: e.guid, columns: rows });
    }
  });
  return out;
}

export async function loadColumnEdges(
  columnGuids: string[],
  signal: AbortSignal,
  onProgress?: (done: number, total: number) => void,
): Promise<ColumnEdge[]> {
  const edges = new Map<string, ColumnEdge>();
  let done = 0;
  await mapLimit(columnGuids, 6, async (guid) => {
    if (signal.aborted) return;
    let info: any;
    try {
      info = await get(`/v2/lineage/${encodeURIComponent(guid)}`, { direction: 'BOTH', depth: 1 }, signal);
    } catch (e) {
      if ((e as Error).name === 'AbortError') throw e;
      info = null; // a column without lineage support contributes no edges
    }
    const ins = new Map<string, string[]>();
    const outs = new Map<string, string[]>();
    for (const r of info?.relations ?? []) {
      if (!outs.has(r.fromEntityId)) outs.set(r.fromEntityId, []);
      outs.get(r.fromEntityId)!.push(r.toEntityId);
      if (!ins.has(r.toEntityId)) ins.set(r.toEntityId, []);
      ins.get(r.toEntityId)!.push(r.fromEntityId);
    }
    const map = info?.guidEntityMap ?? {};
    for (const [p, sources] of ins) {
      const targets = outs.get(p);
      if (!targets) continue;
      for (const s of sources) {
        for (const t of targets) {
          if (s === t) continue;
          const key = `${s}>${t}`;
          if (!edges.has(key)) edges.set(key, { from: s, to: t, process: map[p]?.displayText ?? p });
        }
      }
    }
    onProgress?.(++done, columnGuids.length);
  });
  return [...edges.values()];
}
