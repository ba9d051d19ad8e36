// Runs the fast layout off the main thread.
import { layoutFast, type LayoutEdge, type LayoutNode } from './layout';

interface Request {
  id: number;
  nodes: LayoutNode[];
  edges: LayoutEdge[];
}

const scope = self as unknown as { onmessage: (ev: MessageEvent<Request>) => void; postMessage: (m: unknown) => void };
scope.onmessage = (ev) => {
  const { id, nodes, edges } = ev.data;
  try {
    scope.postMessage({ id, positions: layoutFast(nodes, edges) });
  } catch (e) {
    scope.postMessage({ id, error: String(e) });
  }
};
