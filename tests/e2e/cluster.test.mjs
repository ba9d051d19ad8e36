// The web UI against a follower of a high-availability cluster (a real ZooKeeper, a
// leader and a follower): it reads, and its writes reach the leader and come back.
// Env: MERIDIAN_BIN (server binary), MERIDIAN_UI_DIR (built UI), E2E_ARTIFACTS (screenshots).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { freePort, request, restClient, startServer } from './lib/server.mjs';
import { startZooKeeper } from './lib/zookeeper.mjs';
import { artifacts, launchBrowser } from './lib/browser.mjs';

const BIN = process.env.MERIDIAN_BIN;
const UI_DIR = process.env.MERIDIAN_UI_DIR;
const ARTIFACTS = process.env.E2E_ARTIFACTS ?? join(process.cwd(), 'test-artifacts', 'e2e');
const T = 15_000;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

describe('web UI on a follower', { timeout: 120_000 }, () => {
  let zk;
  let leader;
  let follower;
  let browser;
  let page;
  let tableGuid;

  const { screenshot, step } = artifacts(ARTIFACTS, 'cluster', () => page);
  const member = async (id) => {
    const port = await freePort();
    return startServer({
      binary: BIN, uiDir: UI_DIR, port, env: { MERIDIAN_CLUSTER_SECRET: 'e2e-secret' },
      extraArgs: ['--ha-zookeeper', zk.connect, '--ha-server-id', id, '--ha-url', `http://127.0.0.1:${port}`],
    });
  };
  const status = async (server) => JSON.parse((await request(`${server.base}/api/atlas/admin/status`)).text).Status;

  before(async () => {
    assert.ok(BIN, 'MERIDIAN_BIN must name the meridian binary');
    mkdirSync(ARTIFACTS, { recursive: true });
    // Each step is reported as it ends, so that a run stopped from outside shows where it was.
    const started = Date.now();
    const progress = (what) => console.error(`# ${what} after ${((Date.now() - started) / 1000).toFixed(1)} s`);
    zk = await startZooKeeper();
    progress('ZooKeeper up');
    leader = await member('m1');
    for (let i = 0; i < 300 && (await status(leader)) !== "ACTIVE"; i++) await sleep(100);
    assert.equal(await status(leader), 'ACTIVE');
    progress('leader ACTIVE');
    follower = await member('m2');
    assert.equal(await status(follower), 'PASSIVE');
    progress('follower PASSIVE');
    const rest = restClient(leader.base);
    const created = await rest('POST', '/v2/entity', {
      entity: { typeName: 'hive_table', attributes: { qualifiedName: 'sales.orders@cl1', name: 'orders', owner: 'finance' } },
    });
    tableGuid = Object.values(created.mutatedEntities)[0][0].guid;
    browser = await launchBrowser();
    page = browser.page;
    progress('browser launched');
  });

  after(async () => {
    await browser?.close();
    await follower?.stop();
    await leader?.stop();
    await zk?.stop();
  });

  it('signs in on the follower and shows the cluster on the Admin page', step('admin', async () => {
    await page.goto(`${follower.base}/`);
    await page.locator('input[name=j_username]').waitFor({ timeout: T });
    await page.fill('input[name=j_username]', 'admin');
    await page.fill('input[name=j_password]', 'admin');
    await page.click('button[type=submit]');
    await page.locator('[data-nav=admin]').click({ timeout: T });
    await page.getByTestId('cluster').waitFor({ timeout: T });
    assert.match(await page.getByTestId('cluster-self').innerText(), /m2 \(follower, PASSIVE\)/);
    assert.match(await page.getByTestId('cluster-leader').innerText(), /^m1 /);
    const rows = page.locator('[data-testid=cluster-members] tbody tr');
    assert.equal(await rows.count(), 2);
    assert.match(await rows.nth(0).innerText(), /m1\s+ACTIVE/);
    await screenshot('admin');
  }));

  it('creates a classification and attaches it from the follower', step('write', async () => {
    await page.goto(`${follower.base}/#/classifications`);
    await page.getByTestId('create-classification').click();
    await page.fill('.modal input[name=name]', 'Confidential');
    await page.getByTestId('classification-save').click();
    await page.getByTestId('classification-name').waitFor({ timeout: T });
    await page.goto(`${follower.base}/#/entity/${tableGuid}?tab=classifications`);
    await page.getByTestId('entity-name').waitFor({ timeout: T });
    await page.getByTestId('add-classification').click();
    await page.locator('.modal select[name=classification]').selectOption('Confidential');
    await page.getByTestId('add-classification-save').click();
    await page.locator('[data-testid=classifications] tr[data-classification=Confidential]').waitFor({ timeout: T });
    await screenshot('classified');
    // The write went to the leader.
    const onLeader = await restClient(leader.base)('GET', `/v2/entity/guid/${tableGuid}`);
    assert.deepEqual(onLeader.entity.classifications.map((c) => c.typeName), ['Confidential']);
  }));
});
