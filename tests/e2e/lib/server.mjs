// Starts the real `meridian serve` on a free loopback port with a temp data dir.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, openSync, closeSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export function freePort() {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

export async function startServer({ binary, uiDir, extraArgs = [], timeoutMs = 60_000 }) {
  const dataDir = mkdtempSync(join(tmpdir(), 'meridian-e2e-'));
  const port = await freePort();
  const logPath = join(dataDir, 'server.log');
  const log = openSync(logPath, 'w');
  const args = ['serve', '--port', String(port), '--bind', '127.0.0.1', '--data-dir', join(dataDir, 'data'), ...extraArgs];
  if (uiDir) args.push('--ui-dir', uiDir);
  const child = spawn(binary, args, { stdio: ['ignore', log, log] });
  closeSync(log);
  let exited = null;
  child.on('exit', (code, signal) => (exited = { code, signal }));
  const base = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (exited) throw new Error(`meridian exited early (${JSON.stringify(exited)}):\n${readFileSync(logPath, 'utf8').slice(-3000)}`);
    try {
      const r = await fetch(`${base}/api/atlas/admin/status`);
      if (r.ok) break;
    } catch {
      /* not listening yet */
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`meridian did not answer within ${timeoutMs} ms`);
    }
    await sleep(150);
  }
  return {
    base,
    port,
    dataDir,
    log: () => readFileSync(logPath, 'utf8'),
    async stop() {
      if (!exited) {
        child.kill('SIGTERM');
        for (let i = 0; i < 50 && !exited; i++) await sleep(100);
        if (!exited) child.kill('SIGKILL');
      }
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Basic-auth REST client for loading data (not what the browser uses). */
export function restClient(base, user = 'admin', password = 'admin') {
  const auth = `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
  return async function rest(method, path, body) {
    const r = await fetch(`${base}/api/atlas${path}`, {
      method,
      headers: { Authorization: auth, 'Content-Type': 'application/json', Accept: 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await r.text();
    if (!r.ok) throw new Error(`${method} ${path} -> ${r.status}: ${text.slice(0, 500)}`);
    return text ? JSON.parse(text) : null;
  };
}
