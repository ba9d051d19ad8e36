// Starts the real `meridian serve` on a free loopback port with a temp data dir
// (over HTTPS with `tls: { cert, key, ca }`, PEM paths).
import { spawn } from 'node:child_process';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
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

/** One request with node's own client (fetch cannot be given a CA); resolves { status, headers, text }. */
export function request(url, { method = 'GET', headers = {}, body, ca } = {}) {
  const send = url.startsWith('https:') ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = send(url, { method, headers, ca, timeout: 30_000 }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk) => (text += chunk));
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, text }));
    });
    req.on('timeout', () => req.destroy(new Error(`${method} ${url} timed out`)));
    req.on('error', reject);
    req.end(body);
  });
}

export async function startServer({ binary, uiDir, extraArgs = [], tls, timeoutMs = 60_000, port: fixedPort, env }) {
  const dataDir = mkdtempSync(join(tmpdir(), 'meridian-e2e-'));
  const port = fixedPort ?? (await freePort());
  const logPath = join(dataDir, 'server.log');
  const log = openSync(logPath, 'w');
  const args = ['serve', '--port', String(port), '--bind', '127.0.0.1', '--data-dir', join(dataDir, 'data'), ...extraArgs];
  if (uiDir) args.push('--ui-dir', uiDir);
  if (tls) args.push('--tls-cert', tls.cert, '--tls-key', tls.key);
  const child = spawn(binary, args, { stdio: ['ignore', log, log], env: { ...process.env, ...env } });
  closeSync(log);
  let exited = null;
  child.on('exit', (code, signal) => (exited = { code, signal }));
  // Over TLS the name the certificate is issued for.
  const base = tls ? `https://localhost:${port}` : `http://127.0.0.1:${port}`;
  const ca = tls ? readFileSync(tls.ca) : undefined;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (exited) throw new Error(`meridian exited early (${JSON.stringify(exited)}):\n${readFileSync(logPath, 'utf8').slice(-3000)}`);
    try {
      const r = await request(`${base}/api/atlas/admin/status`, { ca });
      if (r.status === 200) break;
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
    ca,
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
export function restClient(base, user = 'admin', password = 'admin', { ca } = {}) {
  const auth = `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
  return async function rest(method, path, body) {
    const { status, text } = await request(`${base}/api/atlas${path}`, {
      method,
      headers: { Authorization: auth, 'Content-Type': 'application/json', Accept: 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
      ca,
    });
    if (status < 200 || status > 299) throw new Error(`${method} ${path} -> ${status}: ${text.slice(0, 500)}`);
    return text ? JSON.parse(text) : null;
  };
}
