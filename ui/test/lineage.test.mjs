// Unit tests of the lineage model and the fast layout (compiled by `npm test`).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { layoutFast } from '../node_modules/.cache/meridian-ui-test/lineage/layout.js';
import { LineageGraph, displayGraph } from '../node_modules/.cache/meridian-ui-test/lineage/model.js';

const h = (guid, typeName = 'hive_table', name = guid) => ({ guid, typeName, displayText: name, attributes: { qualifiedName: `${name}@c` } });
const rel = (a, b) => ({ fromEntityId: a, toEntityId: b });
const isProcess = (t) => t === 'hive_process';

// t1, t2 -> p1 -> t3 -> p2 -> t4
function tutorial() {
  return {
    baseEntityGuid: 't3',
    lineageDirection: 'BOTH',
    guidEntityMap: { t1: h('t1'), t2: h('t2'), t3: h('t3'), t4: h('t4'), p1: h('p1', 'hive_process'), p2: h('p2', 'hive_process') },
    relations: [rel('t1', 'p1'), rel('t2', 'p1'), rel('p1', 't3'), rel('t3', 'p2'), rel('p2', 't4')],
  };
}

test('layout ranks data flow left to right without overlaps', () => {
  const info = tutorial();
  const nodes = Object.keys(info.guidEntityMap).map((id) => ({ id, w: 100, h: 30 }));
  const pos = layoutFast(nodes, info.relations.map((r) => [r.fromEntityId, r.toEntityId]));
  assert.ok(pos.t1.x < pos.p1.x && pos.p1.x < pos.t3.x && pos.t3.x < pos.p2.x && pos.p2.x < pos.t4.x);
  assert.equal(pos.t1.x, pos.t2.x);
  assert.ok(Math.abs(pos.t1.y - pos.t2.y) >= 30);
});

test('layout survives cycles and 5,000 nodes quickly', () => {
  const n = 5000;
  const nodes = Array.from({ length: n }, (_, i) => ({ id: `n${i}`, w: 100, h: 30 }));
  const edges = [];
  for (let i = 1; i < n; i++) edges.push([`n${Math.floor((i - 1) / 3)}`, `n${i}`]);
  edges.push(['n4999', 'n0']);
  const t0 = performance.now();
  const pos = layoutFast(nodes, edges);
  assert.equal(Object.keys(pos).length, n);
  assert.ok(performance.now() - t0 < 2000);
});

test('graph merges answers, hides processes and collapses branches', () => {
  const g = new LineageGraph('t3', isProcess);
  g.merge(tutorial());
  assert.equal(g.nodes.size, 6);
  assert.equal(g.reach('t3', 'in'), 3);
  const plain = displayGraph(g, { hideProcesses: true, hideDeleted: false });
  assert.deepEqual(plain.nodes.map((n) => n.id).sort(), ['t1', 't2', 't3', 't4']);
  assert.ok(plain.edges.some((e) => e.source === 't1' && e.target === 't3' && e.label === 'p1'));
  g.toggleCollapsed('t3', 'in');
  assert.deepEqual([...g.visible(false)].sort(), ['p2', 't3', 't4']);
  g.toggleCollapsed('t3', 'in');
  assert.equal(g.visible(false).size, 6);
});

test('"+N more" hints come from relationsOnDemand and clear on expansion', () => {
  const g = new LineageGraph('t3', isProcess);
  const info = tutorial();
  info.relationsOnDemand = { t1: { hasMoreInputs: true, inputRelationsCount: 0, totalInputRelationsCount: 4 }, t4: { hasMoreOutputs: true, outputRelationsCount: 0 } };
  g.merge(info);
  const more = displayGraph(g, { hideProcesses: false, hideDeleted: false }).nodes.filter((n) => n.kind === 'more');
  assert.deepEqual(more.map((m) => m.label).sort(), ['+ more', '+4 more']);
  g.merge(
    { baseEntityGuid: 't1', guidEntityMap: { t0: h('t0'), p0: h('p0', 'hive_process'), t1: h('t1') }, relations: [rel('t0', 'p0'), rel('p0', 't1')] },
    { guid: 't1', dir: 'in' },
  );
  const after = displayGraph(g, { hideProcesses: false, hideDeleted: false });
  assert.ok(after.nodes.some((n) => n.id === 't0'), 'expanded upstream is visible');
  assert.deepEqual(after.nodes.filter((n) => n.kind === 'more').map((m) => m.expand.guid), ['t4']);
});

test('deleted entities can be hidden', () => {
  const g = new LineageGraph('t3', isProcess);
  const info = tutorial();
  info.guidEntityMap.t2.status = 'DELETED';
  g.merge(info);
  assert.ok(!g.visible(true).has('t2'));
  assert.ok(g.visible(false).has('t2'));
});
