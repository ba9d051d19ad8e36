// OpenLineage jobs in the web UI: events posted to /api/v1/lineage, then a job's page lists its
// runs with their state and times, and the job and its datasets appear in the lineage graph.
// Env: MERIDIAN_BIN (server binary), MERIDIAN_UI_DIR (built UI), E2E_ARTIFACTS (screenshots).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { request, restClient, startServer } from './lib/server.mjs';
import { artifacts, launchBrowser } from './lib/browser.mjs';
import { loadTutorial } from './lib/tutorial-data.mjs';

const BIN = process.env.MERIDIAN_BIN;
const UI_DIR = process.env.MERIDIAN_UI_DIR;
const ARTIFACTS = process.env.E2E_ARTIFACTS ?? join(process.cwd(), 'test-artifacts', 'e2e');
const FIXTURES = join(import.meta.dirname, '..', 'fixtures', 'openlineage');
const T = 30_000;
const SPARK_JOB = 'zone_fares_app.execute_insert_into_hadoop_fs_relation_command.atlas_emr_zone_fares@spark-emr';

describe('OpenLineage jobs in the web UI', { timeout: 180_000 }, () => {
  let server;
  let browser;
  let page;
  let rest;
  const { screenshot, step } = artifacts(ARTIFACTS, 'openlineage', () => page);
  const postEvent = async (event) => {
    const r = await request(`${server.base}/api/v1/lineage`, {
      method: 'POST',
      headers: { Authorization: `Basic ${Buffer.from('admin:admin').toString('base64')}`, 'Content-Type': 'application/json' },
      body: JSON.stringify(event),
    });
    assert.equal(r.status, 201, r.text);
  };
  const guidOf = async (type, qn) =>
    (await rest('GET', `/v2/entity/uniqueAttribute/type/${type}?attr:qualifiedName=${encodeURIComponent(qn)}`)).entity.guid;

  before(async () => {
    assert.ok(BIN, 'MERIDIAN_BIN must name the meridian binary');
    mkdirSync(ARTIFACTS, { recursive: true });
    server = await startServer({ binary: BIN, uiDir: UI_DIR });
    rest = restClient(server.base);
    await loadTutorial(rest);
    const spark = JSON.parse(readFileSync(join(FIXTURES, 'spark.json'), 'utf8'));
    for (const e of spark) await postEvent(e);
    // A second, failed run of the same job.
    await postEvent({
      ...spark[0],
      eventType: 'FAIL',
      eventTime: '2026-03-03T06:02:30Z',
      run: { runId: '0195a0b0-ffff-7e3f-8a9b-0c1d2e3f4a5b', facets: { errorMessage: { message: 'Executor lost', programmingLanguage: 'JAVA' } } },
    });
    await postEvent({ ...spark[0], eventTime: '2026-03-03T06:00:00Z', run: { runId: '0195a0b0-ffff-7e3f-8a9b-0c1d2e3f4a5b' } });
    browser = await launchBrowser();
    page = browser.page;
    await page.goto(`${server.base}/`);
    await page.locator('input[name=j_username]').waitFor({ timeout: T });
    await page.fill('input[name=j_username]', 'admin');
    await page.fill('input[name=j_password]', 'admin');
    await page.click('button[type=submit]');
    await page.getByTestId('user').waitFor({ timeout: T });
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('lists a job\'s runs with state and times, newest first', step('runs', async () => {
    const job = await guidOf('ol_job', SPARK_JOB);
    await page.goto(`${server.base}/#/entity/${job}`);
    await page.getByTestId('entity-name').waitFor({ timeout: T });
    await page.locator('[data-tab=runs]').click();
    await page.getByTestId('runs').waitFor({ timeout: T });
    const rows = page.getByTestId('run-row');
    await page.waitForFunction(() => document.querySelectorAll('[data-testid=run-row]').length === 2, null, { timeout: T });
    const cells = async (i) => (await rows.nth(i).locator('td').allInnerTexts()).map((s) => s.trim());
    assert.deepEqual(await cells(0), ['0195a0b0-ffff-7e3f-8a9b-0c1d2e3f4a5b', 'FAIL', '2026-03-03 06:00:00Z', '2026-03-03 06:02:30Z', 'Executor lost']);
    assert.deepEqual(await cells(1), ['0195a0b0-1c2d-7e3f-8a9b-0c1d2e3f4a5b', 'COMPLETE', '2026-03-02 06:00:01Z', '2026-03-02 06:04:12Z', '']);
    await screenshot('job-runs');
    // A run links to its own page.
    await rows.nth(1).locator('a').click();
    await page.waitForFunction(() => document.querySelector('[data-testid=entity-name]')?.textContent === '0195a0b0-1c2d-7e3f-8a9b-0c1d2e3f4a5b', null, { timeout: T });
  }));

  it('draws the job between the Hive tables it read and wrote', step('lineage', async () => {
    const table = await guidOf('hive_table', 'atlas_emr.zone_fares@primary');
    await page.goto(`${server.base}/#/entity/${table}?tab=lineage`);
    await page.waitForFunction(() => window.__lineage?.phase === 'ready' || window.__lineage?.phase === 'error', null, { timeout: T });
    assert.equal(await page.evaluate(() => window.__lineage.phase), 'ready');
    const labels = await page.evaluate(() => window.__lineage.nodes().map((n) => `${n.typeName}:${n.label}`));
    for (const want of ['hive_table:trip_details', 'hive_table:zone_fares', `ol_job:${SPARK_JOB.split('@')[0]}`])
      assert.ok(labels.includes(want), `${want} in ${labels.join(', ')}`);
    await screenshot('lineage');
  }));
});
