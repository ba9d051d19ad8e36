// Runs tab of a job (an OpenLineage ol_job): each run's state and times, newest first.
import { get } from '../api';
import { formatTime } from '../catalog';
import { Chip, EntityLink, ErrorBox, Spinner, useAsync } from '../components';

export function Runs({ runs, referred }: { runs: any[]; referred: Record<string, any> }) {
  const [extra, error, loading] = useAsync(async (signal) => {
    const missing = runs.filter((r) => !referred[r.guid]).map((r) => r.guid);
    if (!missing.length) return {};
    const r = await get('/v2/entity/bulk', { guid: missing, minExtInfo: true, ignoreRelationships: true }, signal);
    return Object.fromEntries((r?.entities ?? []).map((e: any) => [e.guid, e]));
  }, [runs]);
  if (!extra && loading) return <Spinner />;
  if (error) return <ErrorBox error={error} />;
  const when = (a: any) => Number(a.startTime || a.endTime || a.lastEventTime || 0);
  const rows = runs
    .map((ref) => ({ ref, a: (referred[ref.guid] ?? extra?.[ref.guid])?.attributes ?? {} }))
    .sort((x, y) => when(y.a) - when(x.a));
  return (
    <div class="card">
      <table class="grid" data-testid="runs">
        <thead>
          <tr>
            <th>Run</th>
            <th>State</th>
            <th>Started</th>
            <th>Ended</th>
            <th>Error</th>
          </tr>
        </thead>
        <tbody>
          {rows.map(({ ref, a }) => (
            <tr data-testid="run-row">
              <td class="mono">
                <EntityLink e={{ guid: ref.guid, displayText: a.runId ?? ref.displayText }} />
              </td>
              <td>
                <Chip kind="status">{a.status ?? 'OTHER'}</Chip>
              </td>
              <td class="mono">{formatTime(a.startTime)}</td>
              <td class="mono">{formatTime(a.endTime)}</td>
              <td>{a.errorMessage ?? ''}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
