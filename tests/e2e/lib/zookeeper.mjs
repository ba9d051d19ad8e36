// Starts a real ZooKeeper (Debian's zookeeper package) on a free loopback port with its
// own data dir, for the high-availability tests.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync, openSync, closeSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './server.mjs';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function ruok(port) {
  return new Promise((resolve) => {
    const s = connect(port, '127.0.0.1', () => s.write('ruok'));
    let text = '';
    s.on('data', (d) => (text += d));
    s.on('end', () => resolve(text === 'imok'));
    s.on('error', () => resolve(false));
    // A server that accepted but does not answer yet is asked again, not waited for.
    s.setTimeout(2000, () => {
      s.destroy();
      resolve(false);
    });
  });
}

export async function startZooKeeper() {
  const dir = mkdtempSync(join(tmpdir(), 'meridian-zk-'));
  const port = await freePort();
  writeFileSync(join(dir, 'zoo.cfg'), [
    'tickTime=500', `dataDir=${join(dir, 'data')}`, `clientPort=${port}`, 'clientPortAddress=127.0.0.1',
    'admin.enableServer=false', '4lw.commands.whitelist=ruok', 'forceSync=no', '',
  ].join('\n'));
  const log = openSync(join(dir, 'zk.log'), 'w');
  const child = spawn('java', ['-Xmx128m', '-XX:+UseSerialGC', '-XX:TieredStopAtLevel=1',
    '-cp', '/etc/zookeeper/conf:/usr/share/java/zookeeper.jar',
    'org.apache.zookeeper.server.ZooKeeperServerMain', join(dir, 'zoo.cfg')], { stdio: ['ignore', log, log] });
  closeSync(log);
  for (let i = 0; i < 300 && !(await ruok(port)); i++) await sleep(100);
  return {
    connect: `127.0.0.1:${port}`,
    async stop() {
      child.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
