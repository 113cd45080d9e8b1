import { get } from '../api';
import { ErrorLine } from '../components/bits';
import { useLiveRefresh } from '../events';
import { secondsText } from '../time';
import type { BoardClassStatsAnswer } from '../types';
import { useLoad } from '../use-load';

const percent = (rate: number | null) => (rate === null ? '–' : `${(rate * 100).toFixed(1)}%`);

/** Per board class: idle, used, waiting now; median wait and job time and failure rate lately. */
export function Stats() {
  const stats = useLoad(() => get<BoardClassStatsAnswer>('/api/v2/stats/board-classes'), []);
  useLiveRefresh(['request.', 'worker.', 'job.'], stats.reload, () => true, 2000);
  const s = stats.data;
  return (
    <section>
      <h2>Board classes</h2>
      <ErrorLine error={stats.error} />
      {s && (
        <p class="muted">
          Class = the value of cap <code>{s.cap}</code>; times and failure rate over the last{' '}
          {s.windowSeconds / 3600} hours.
        </p>
      )}
      <div class="table-wrap">
        <table class="stats">
          <thead>
            <tr>
              <th>Class</th>
              <th>Boards</th>
              <th>Idle</th>
              <th>Used</th>
              <th>Preparing</th>
              <th>Out of service</th>
              <th>Waiting</th>
              <th>Median wait</th>
              <th>Median job</th>
              <th>Jobs ended</th>
              <th>Failure rate</th>
            </tr>
          </thead>
          <tbody>
            {(s?.classes ?? []).map((c) => (
              <tr key={c.boardClass} data-class={c.boardClass}>
                <td>{c.boardClass}</td>
                <td>{c.workers}</td>
                <td>{c.idle}</td>
                <td>{c.used}</td>
                <td>{c.busy}</td>
                <td>{c.unavailable}</td>
                <td>{c.waiting}</td>
                <td>{secondsText(c.medianWaitSeconds)}</td>
                <td>{secondsText(c.medianJobSeconds)}</td>
                <td>{c.jobsEnded}</td>
                <td>{percent(c.failureRate)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}
