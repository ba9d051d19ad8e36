import { get } from '../api';
import { loadMetrics } from '../catalog';
import { ErrorBox, Spinner, useAsync } from '../components';

export function AboutPage() {
  const [data, error, loading] = useAsync(
    async () => ({ version: await get('/admin/version'), metrics: await loadMetrics() }),
    [],
  );
  if (loading && !data) return <Spinner />;
  if (error) return <ErrorBox error={error} />;
  const counts = Object.entries(data!.metrics.entityActive).sort((a, b) => b[1] - a[1]);
  return (
    <div class="page">
      <h1>About</h1>
      <dl class="props">
        {Object.entries(data!.version ?? {}).map(([k, v]) => (
          <>
            <dt>{k}</dt>
            <dd>{String(v)}</dd>
          </>
        ))}
      </dl>
      <h2>Entities by type</h2>
      <table class="grid narrow">
        <thead>
          <tr>
            <th>Type</th>
            <th class="num">Active</th>
            <th class="num">Deleted</th>
          </tr>
        </thead>
        <tbody>
          {counts.map(([t, n]) => (
            <tr>
              <td>
                <a href={`#/search?type=${encodeURIComponent(t)}`}>{t}</a>
              </td>
              <td class="num">{n}</td>
              <td class="num">{data!.metrics.entityDeleted[t] ?? 0}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <p class="muted small">
        The lineage layout uses elkjs (Eclipse Layout Kernel, EPL-2.0, source at github.com/kieler/elkjs) unmodified.
      </p>
    </div>
  );
}
