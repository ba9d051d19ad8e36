// Signs in through the web UI over HTTPS: `meridian serve --tls-cert --tls-key` with a certificate from a
// throw-away CA, Debian chromium through playwright-core.
// Env: MERIDIAN_BIN (server binary), MERIDIAN_UI_DIR (built UI), E2E_ARTIFACTS (screenshots).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request, restClient, startServer } from './lib/server.mjs';
import { artifacts, launchBrowser } from './lib/browser.mjs';
import { makeCertificates, spkiHash } from './lib/tls.mjs';
import { loadTutorial } from './lib/tutorial-data.mjs';

const BIN = process.env.MERIDIAN_BIN;
const UI_DIR = process.env.MERIDIAN_UI_DIR;
const ARTIFACTS = process.env.E2E_ARTIFACTS ?? join(process.cwd(), 'test-artifacts', 'e2e');
const T = 15_000;

describe('web UI over https', { timeout: 90_000 }, () => {
  let certDir;
  let server;
  let browser;
  let page;

  const { screenshot, step } = artifacts(ARTIFACTS, 'https', () => page);

  before(async () => {
    assert.ok(BIN, 'MERIDIAN_BIN must name the meridian binary');
    mkdirSync(ARTIFACTS, { recursive: true });
    certDir = mkdtempSync(join(tmpdir(), 'meridian-tls-'));
    const tls = makeCertificates(certDir);
    // startServer waits for the status probe through node's TLS client, which verifies the served
    // certificate against the CA for the name localhost: the chain is checked here, not by chromium.
    server = await startServer({ binary: BIN, uiDir: UI_DIR, tls });
    assert.match(server.base, /^https:\/\/localhost:/);
    await loadTutorial(restClient(server.base, 'admin', 'admin', { ca: server.ca }));
    // Chromium trusts a CA only through an NSS database (certutil, package libnss3-tools, not on the test
    // machines), and Playwright's ignoreHTTPSErrors would accept any certificate. Instead chromium is told to
    // accept exactly this server key (--ignore-certificate-errors-spki-list): a different certificate still
    // fails with ERR_CERT_AUTHORITY_INVALID. The chain itself was verified against the CA above.
    browser = await launchBrowser({ args: [`--ignore-certificate-errors-spki-list=${spkiHash(tls.cert)}`] });
    page = browser.page;
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
    if (certDir) rmSync(certDir, { recursive: true, force: true });
  });

  it('answers plain HTTP on the TLS port with 400, not a session', async () => {
    const r = await request(server.base.replace('https:', 'http:') + '/api/atlas/admin/status');
    assert.equal(r.status, 400);
    assert.match(r.text, /https/i);
  });

  it('signs in through the form with a Secure, HttpOnly session cookie', step('sign-in', async () => {
    await page.goto(`${server.base}/`);
    await page.locator('input[name=j_username]').waitFor({ timeout: T });
    await page.fill('input[name=j_username]', 'admin');
    await page.fill('input[name=j_password]', 'admin');
    await page.click('button[type=submit]');
    await page.getByTestId('user').waitFor({ timeout: T });
    assert.equal(await page.getByTestId('user').textContent(), 'admin');
    assert.ok(page.url().startsWith('https://localhost:'), page.url());
    const session = (await browser.ctx.cookies(server.base)).find((c) => c.name === 'ATLASSESSIONID');
    assert.ok(session, 'the sign-in set the session cookie');
    assert.equal(session.secure, true, 'session cookie is Secure');
    assert.equal(session.httpOnly, true, 'session cookie is HttpOnly');
    assert.equal(await page.evaluate(() => document.cookie.includes('ATLASSESSIONID')), false, 'invisible to scripts');
    await screenshot('signed-in');
  }));

  it('loads the search page and shows an entity', step('search', async () => {
    await page.goto(`${server.base}/#/search?type=hive_table`);
    const link = page.locator('[data-testid=results] a', { hasText: /^trip_details$/ });
    await link.waitFor({ timeout: T });
    await screenshot('search');
    await link.click();
    await page.getByTestId('entity-name').waitFor({ timeout: T });
    assert.equal(await page.getByTestId('entity-name').textContent(), 'trip_details');
  }));
});
