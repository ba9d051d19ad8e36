// Async layout entry points: the fast layout in a worker, ELK (with ports) in its own worker.
import type { LayoutEdge, LayoutNode, Point } from './layout';

let worker: Worker | null = null;
let seq = 0;
const waiting = new Map<number, { resolve: (p: Record<string, Point>) => void; reject: (e: Error) => void }>();

function layoutWorker(): Worker {
  if (!worker) {
    worker = new Worker(new URL('./layout-worker.ts', import.meta.url), { type: 'module' });
    worker.onmessage = (ev) => {
      const w = waiting.get(ev.data.id);
      if (!w) return;
      waiting.delete(ev.data.id);
      if (ev.data.error) w.reject(new Error(ev.data.error));
      else w.resolve(ev.data.positions);
    };
    worker.onerror = (ev) => {
      for (const w of waiting.values()) w.reject(new Error(ev.message || 'layout worker failed'));
      waiting.clear();
      worker = null;
    };
  }
  return worker;
}

export function layoutInWorker(nodes: LayoutNode[], edges: LayoutEdge[]): Promise<Record<string, Point>> {
  const id = ++seq;
  return new Promise((resolve, reject) => {
    waiting.set(id, { resolve, reject });
    layoutWorker().postMessage({ id, nodes, edges });
  });
}

export interface PortNode {
  id: string;
  w: number;
  h: number;
  /** Row ports: each row gets a west (in) and east (out) port at offset y. */
  rows?: { id: string; y: number }[];
}
export interface PortEdge {
  id: string;
  source: string;
  target: string;
  /** Row ids (from PortNode.rows) when the edge joins two rows. */
  sourceRow?: string;
  targetRow?: string;
}

let elkPromise: Promise<any> | null = null;

async function elk(): Promise<any> {
  if (!elkPromise) {
    elkPromise = Promise.all([import('elkjs/lib/elk-api.js'), import('elkjs/lib/elk-worker.min.js?url')]).then(([api, url]) => {
      const ELK = (api as any).default ?? api;
      return new ELK({ workerUrl: (url as any).default });
    });
  }
  return elkPromise;
}

/** Layered LR layout with fixed row ports (column-level lineage). Returns top-left corners. */
export async function layoutWithPorts(nodes: PortNode[], edges: PortEdge[]): Promise<Record<string, Point>> {
  const engine = await elk();
  const graph = {
    id: 'root',
    layoutOptions: {
      'elk.algorithm': 'layered',
      'elk.direction': 'RIGHT',
      'elk.layered.spacing.nodeNodeBetweenLayers': '90',
      'elk.spacing.nodeNode': '30',
      'elk.layered.crossingMinimization.strategy': 'LAYER_SWEEP',
      'elk.layered.thoroughness': '4',
    },
    children: nodes.map((n) => ({
      id: n.id,
      width: n.w,
      height: n.h,
      layoutOptions: { 'elk.portConstraints': 'FIXED_POS' },
      ports: (n.rows ?? []).flatMap((r) => [
        { id: `${r.id}>in`, x: 0, y: r.y, width: 1, height: 1, layoutOptions: { 'elk.port.side': 'WEST' } },
        { id: `${r.id}>out`, x: n.w - 1, y: r.y, width: 1, height: 1, layoutOptions: { 'elk.port.side': 'EAST' } },
      ]),
    })),
    edges: edges.map((e) => ({
      id: e.id,
      sources: [e.sourceRow ? `${e.sourceRow}>out` : e.source],
      targets: [e.targetRow ? `${e.targetRow}>in` : e.target],
    })),
  };
  const res = await engine.layout(graph);
  const out: Record<string, Point> = {};
  for (const c of res.children ?? []) out[c.id] = { x: c.x ?? 0, y: c.y ?? 0 };
  return out;
}
