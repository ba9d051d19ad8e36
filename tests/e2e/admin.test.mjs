// The Admin page in a real browser against a real `meridian serve`: the notification
// feed's positions and named consumers, and the failed hook messages (or their empty state).
// Env: MERIDIAN_BIN (server binary), MERIDIAN_UI_DIR (built UI), E2E_ARTIFACTS (screenshots).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { request, restClient, startServer } from './lib/server.mjs';
import { artifacts, launchBrowser } from './lib/browser.mjs';

const BIN = process.env.MERIDIAN_BIN;
const UI_DIR = process.env.MERIDIAN_UI_DIR;
const ARTIFACTS = process.env.E2E_ARTIFACTS ?? join(process.cwd(), 'test-artifacts', 'e2e');
const T = 15_000;
const AUTH = { Authorization: `Basic ${Buffer.from('admin:admin').toString('base64')}` };

describe('web UI admin page', { timeout: 90_000 }, () => {
  let server;
  let browser;
  let page;

  const { screenshot, step } = artifacts(ARTIFACTS, 'admin', () => page);
  const feed = async (query) => {
    const r = await request(`${server.base}/api/meridian/v1/notifications?${query}`, { headers: AUTH });
    assert.equal(r.status, 200, r.text);
    return JSON.parse(r.text);
  };

  before(async () => {
    assert.ok(BIN, 'MERIDIAN_BIN must name the meridian binary');
    mkdirSync(ARTIFACTS, { recursive: true });
    server = await startServer({ binary: BIN, uiDir: UI_DIR });
    const rest = restClient(server.base);
    for (const name of ['orders', 'customers', 'payments'])
      await rest('POST', '/v2/entity', { entity: { typeName: 'DataSet', attributes: { qualifiedName: `${name}@cm`, name } } });
    // Two named consumers at different positions.
    const all = await feed('after=0');
    assert.equal(all.lastSequence, 3);
    await feed('after=3&consumer=ranger-tagsync');
    await feed('after=1&consumer=quality-alerts');
    browser = await launchBrowser();
    page = browser.page;
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('shows the feed position and each consumer with how far behind it is', step('positions', async () => {
    await page.goto(`${server.base}/`);
    await page.locator('input[name=j_username]').waitFor({ timeout: T });
    await page.fill('input[name=j_username]', 'admin');
    await page.fill('input[name=j_password]', 'admin');
    await page.click('button[type=submit]');
    await page.locator('[data-nav=admin]').click({ timeout: T });
    await page.getByTestId('notification-positions').waitFor({ timeout: T });
    assert.equal(await page.getByTestId('last-sequence').innerText(), '3');
    assert.equal(await page.getByTestId('oldest-sequence').innerText(), '1');
    const row = (name) => page.locator(`[data-testid=consumers] tr[data-consumer="${name}"] td`);
    assert.deepEqual((await row('ranger-tagsync').allInnerTexts()).slice(0, 4), ['ranger-tagsync', '3', '0', 'admin']);
    assert.deepEqual((await row('quality-alerts').allInnerTexts()).slice(0, 4), ['quality-alerts', '1', '2', 'admin']);
    await screenshot('positions');
  }));

  it('follows new changes on refresh', step('refresh', async () => {
    await restClient(server.base)('POST', '/v2/entity', {
      entity: { typeName: 'DataSet', attributes: { qualifiedName: 'refunds@cm', name: 'refunds' } },
    });
    await feed('after=4&consumer=ranger-tagsync');
    await page.getByTestId('admin-refresh').click();
    await page.waitForFunction(() => document.querySelector('[data-testid=last-sequence]')?.textContent === '4', null, {
      timeout: T,
    });
    const lag = page.locator('[data-testid=consumers] tr[data-consumer="quality-alerts"] td').nth(2);
    assert.equal(await lag.innerText(), '3');
  }));

  it('lists a hook message that could not be applied, with its error', step('hook-failures', async () => {
    const section = page.getByTestId('hook-failures');
    await section.waitFor({ timeout: T });
    assert.match(await page.getByTestId('no-hook-failures').innerText(), /No failed hook messages/);
    // A Hive hook message naming a type this server does not have.
    const message = {
      version: { version: '1.0.0' }, msgCreatedBy: 'hive', msgCreationTime: Date.now(),
      message: { type: 'ENTITY_CREATE_V2', user: 'hive',
                 entities: { entities: [{ typeName: 'no_such_hive_type', attributes: { qualifiedName: 'x@primary' } }] } },
    };
    const posted = await request(`${server.base}/api/atlas/v2/notification/topic/ATLAS_HOOK`, {
      method: 'POST', headers: { ...AUTH, 'Content-Type': 'application/json' }, body: JSON.stringify([JSON.stringify(message)]),
    });
    assert.equal(posted.status, 204, posted.text);
    for (let i = 0; i < 100; i++) {
      const r = await request(`${server.base}/api/meridian/v1/admin/hook/failures`, { headers: AUTH });
      if (JSON.parse(r.text).failures.length > 0) break;
      await new Promise((done) => setTimeout(done, 100));
    }
    await page.getByTestId('admin-refresh').click();
    const rows = page.locator('[data-testid=hook-failure-list] tbody tr');
    await rows.first().waitFor({ timeout: T });
    assert.equal(await rows.count(), 1);
    assert.match(await rows.first().innerText(), /no_such_hive_type/);
    await screenshot('hook-failure');
  }));
});
