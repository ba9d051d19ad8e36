// Administration: the high-availability cluster's members, where the change-notification
// consumers are in the feed, and the hook messages that could not be applied.
import { ApiError, meridianGet } from '../api';
import { ErrorBox, Spinner, useAsync } from '../components';

interface Consumer {
  name: string;
  sequence: number;
  lag: number;
  behindRetention: boolean;
  user: string;
  updateTime: number;
}

interface Positions {
  lastSequence: number;
  oldestSequence: number;
  retained: number;
  retention: { maxEntries: number; maxAgeSeconds: number };
  consumers: Consumer[];
  deliveries: { name: string; delivered: number; lag: number }[];
}

/** One failed hook message, whatever the names of its fields. */
interface HookFailure {
  id: string;
  topic: string;
  type: string;
  error: string;
  time: number | null;
  message: string;
}

/** GET /api/meridian/v1/admin/cluster (only on a member of a high-availability cluster). */
interface ClusterStatus {
  serverId: string;
  role: 'ACTIVE' | 'PASSIVE';
  epoch: number;
  ack: string;
  logPosition: number;
  lagMs: number;
  leader?: { id: string; url: string; epoch: number };
  members: { id: string; url: string; role: string; logPosition: number; behind: number }[];
}

const when = (ms: number | null | undefined) => (ms ? new Date(ms).toLocaleString() : '—');

function age(seconds: number): string {
  if (!seconds) return 'no age limit';
  if (seconds % 86400 === 0) return `${seconds / 86400} d`;
  if (seconds % 3600 === 0) return `${seconds / 3600} h`;
  return `${seconds} s`;
}

function pick(o: any, ...names: string[]): any {
  for (const n of names) if (o && o[n] !== undefined && o[n] !== null) return o[n];
  return undefined;
}

function toFailures(body: any): HookFailure[] {
  const list: any[] = Array.isArray(body) ? body : (pick(body, 'failures', 'messages', 'list', 'entries') ?? []);
  return list.map((f, i) => {
    const raw = pick(f, 'message', 'payload', 'body');
    const inner = typeof raw === 'object' ? (raw?.message ?? raw) : undefined;
    const time = pick(f, 'time', 'failedTime', 'failedAt', 'failureTime', 'timestamp', 'receivedTime', 'receivedAt');
    return {
      id: String(pick(f, 'id', 'sequence', 'offset') ?? i + 1),
      topic: String(pick(f, 'topic') ?? ''),
      type: String(pick(f, 'type', 'messageType') ?? inner?.type ?? ''),
      error: String(pick(f, 'error', 'errorMessage', 'reason') ?? ''),
      time: typeof time === 'number' ? time : time ? Date.parse(time) || null : null,
      message: raw === undefined ? '' : typeof raw === 'string' ? raw : JSON.stringify(raw),
    };
  });
}

function NotificationPositions({ p }: { p: Positions }) {
  return (
    <section class="card" data-testid="notification-positions">
      <h2>Change notifications</h2>
      <dl class="props">
        <dt>Last sequence</dt>
        <dd data-testid="last-sequence">{p.lastSequence}</dd>
        <dt>Oldest retained</dt>
        <dd data-testid="oldest-sequence">{p.retained > 0 ? p.oldestSequence : 'none retained'}</dd>
        <dt>Retained</dt>
        <dd>
          {p.retained} (keeps the newest {p.retention.maxEntries ? p.retention.maxEntries.toLocaleString() : 'unlimited'},{' '}
          {age(p.retention.maxAgeSeconds)})
        </dd>
      </dl>
      <h3>Consumers</h3>
      {p.consumers.length === 0 ? (
        <p class="muted" data-testid="no-consumers">
          No consumer has named itself yet (<code>GET /api/meridian/v1/notifications?after=N&amp;consumer=NAME</code>).
        </p>
      ) : (
        <table class="grid narrow" data-testid="consumers">
          <thead>
            <tr>
              <th>Consumer</th>
              <th class="num">Acknowledged</th>
              <th class="num">Behind</th>
              <th>User</th>
              <th>Last read</th>
            </tr>
          </thead>
          <tbody>
            {p.consumers.map((c) => (
              <tr data-consumer={c.name}>
                <td>{c.name}</td>
                <td class="num">{c.sequence}</td>
                <td class="num">
                  {c.lag}
                  {c.behindRetention && <span class="error-text"> missed notifications removed by retention</span>}
                </td>
                <td>{c.user}</td>
                <td class="nowrap">{when(c.updateTime)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {p.deliveries.length > 0 && (
        <>
          <h3>Deliveries</h3>
          <table class="grid narrow" data-testid="deliveries">
            <thead>
              <tr>
                <th>Delivery</th>
                <th class="num">Delivered</th>
                <th class="num">Behind</th>
              </tr>
            </thead>
            <tbody>
              {p.deliveries.map((d) => (
                <tr>
                  <td>{d.name}</td>
                  <td class="num">{d.delivered}</td>
                  <td class="num">{d.lag}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
    </section>
  );
}

function Cluster({ c }: { c: ClusterStatus }) {
  return (
    <section class="card" data-testid="cluster">
      <h2>Cluster</h2>
      <dl class="props">
        <dt>This server</dt>
        <dd data-testid="cluster-self">
          {c.serverId} ({c.role === 'ACTIVE' ? 'leader' : 'follower'}, {c.role})
        </dd>
        <dt>Leader</dt>
        <dd data-testid="cluster-leader">{c.leader ? `${c.leader.id} (epoch ${c.leader.epoch})` : 'being elected'}</dd>
        <dt>Writes acknowledged</dt>
        <dd>{c.ack === 'quorum' ? 'when a follower holds them (quorum)' : 'when the leader holds them'}</dd>
        {c.role === 'PASSIVE' && (
          <>
            <dt>Replication lag</dt>
            <dd data-testid="cluster-lag">{c.lagMs === 0 ? 'caught up' : `${(c.lagMs / 1000).toFixed(1)} s behind`}</dd>
          </>
        )}
      </dl>
      <table class="grid narrow" data-testid="cluster-members">
        <thead>
          <tr>
            <th>Member</th>
            <th>Role</th>
            <th class="num">Log position</th>
            <th class="num">Behind</th>
            <th>URL</th>
          </tr>
        </thead>
        <tbody>
          {c.members.map((m) => (
            <tr data-member={m.id}>
              <td>{m.id}</td>
              <td>{m.role}</td>
              <td class="num">{m.logPosition}</td>
              <td class="num">{m.behind}</td>
              <td>{m.url}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}

function HookFailures({ failures, available }: { failures: HookFailure[]; available: boolean }) {
  return (
    <section class="card" data-testid="hook-failures">
      <h2>Failed hook messages</h2>
      {failures.length === 0 ? (
        <p class="muted" data-testid="no-hook-failures">
          No failed hook messages.
          {!available && ' This server does not report hook ingestion failures.'}
        </p>
      ) : (
        <div class="table-wrap">
          <table class="grid" data-testid="hook-failure-list">
            <thead>
              <tr>
                <th>#</th>
                <th>Failed</th>
                <th>Topic</th>
                <th>Type</th>
                <th>Error</th>
                <th>Message</th>
              </tr>
            </thead>
            <tbody>
              {failures.map((f) => (
                <tr>
                  <td>{f.id}</td>
                  <td class="nowrap">{when(f.time)}</td>
                  <td>{f.topic}</td>
                  <td>{f.type}</td>
                  <td class="wrap">{f.error}</td>
                  <td>
                    <details>
                      <summary class="small">{f.message.length} chars</summary>
                      <pre class="mono small wrap">{f.message}</pre>
                    </details>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

export function AdminPage() {
  const [data, error, loading, reload] = useAsync(async (signal) => {
    const positions = await meridianGet<Positions>('/admin/notifications', undefined, signal);
    let failures: HookFailure[] = [];
    let available = true;
    try {
      failures = toFailures(await meridianGet('/admin/hook/failures', undefined, signal));
    } catch (e) {
      if (!(e instanceof ApiError)) throw e;
      available = false;  // the endpoint does not answer: an empty state
    }
    let cluster: ClusterStatus | null = null;
    try {
      cluster = await meridianGet<ClusterStatus>('/admin/cluster', undefined, signal);
    } catch (e) {
      if (!(e instanceof ApiError)) throw e;  // a single server: no cluster section
    }
    return { positions, failures, available, cluster };
  }, []);
  if (loading && !data) return <Spinner />;
  return (
    <div class="page">
      <div class="results-bar">
        <h1>Admin</h1>
        <button class="secondary" data-testid="admin-refresh" onClick={reload}>
          Refresh
        </button>
      </div>
      {error && <ErrorBox error={error} />}
      {data?.cluster && <Cluster c={data.cluster} />}
      {data && <NotificationPositions p={data.positions} />}
      {data && <HookFailures failures={data.failures} available={data.available} />}
    </div>
  );
}
