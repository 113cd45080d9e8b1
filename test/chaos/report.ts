import type { ChaosReport } from './chaos-run';

const LABELS: Record<keyof ChaosReport['violations'], string> = {
  lost: 'acknowledged requests lost',
  doubleAssigned: 'workers assigned to two running requests at once',
  overdueWaiting: 'requests WAITING past their deadline',
  overdueInProgress: 'requests IN PROGRESS past their job timeout',
  stuckWorkers: 'workers stuck in PREPARE/BUSY',
  inconsistent: 'database inconsistencies (states, jobs, audit trail)',
  serverErrors: 'answers 5xx',
  scheduling: 'scheduler faults (two at once, slow or no failover)',
};

const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

function spread(values: number[]): string {
  if (values.length === 0) return 'none';
  const sorted = [...values].sort((a, b) => a - b);
  return `median ${seconds(sorted[Math.floor(sorted.length / 2)])}, longest ${seconds(sorted.at(-1)!)}`;
}

/** Every broken promise, one line each, labelled ("acknowledged requests lost: request 12 …"). */
export function violationLines(report: ChaosReport): string[] {
  return Object.entries(report.violations).flatMap(([key, list]) =>
    list.map((line) => `${LABELS[key as keyof ChaosReport['violations']]}: ${line}`),
  );
}

/** The figures of a run, as `npm run chaos` prints them. */
export function formatReport(report: ChaosReport): string[] {
  const lines = [
    `== chaos: ${report.kills} kills in ${report.seconds.toFixed(0)} s ==`,
    `acknowledged requests: ${report.acknowledged} (${report.cycles} cycles, ${report.abandoned} left to their job timeout, ${report.waitingRequests} with short deadlines)`,
    `requests by state: ${JSON.stringify(report.requestStates)}; workers: ${JSON.stringify(report.workerStates)}`,
    `restart to serving: ${spread(report.restartMs)}`,
  ];
  if (report.outageMs.length) lines.push(`kill to serving again: ${spread(report.outageMs)}`);
  if (report.failoverMs.length)
    lines.push(`failover (kill to another instance scheduling): ${spread(report.failoverMs)}`);
  for (const [key, label] of Object.entries(LABELS)) {
    const list = report.violations[key as keyof ChaosReport['violations']];
    lines.push(`${label}: ${list.length}`);
    for (const line of list.slice(0, 5)) lines.push(`    ${line}`);
    if (list.length > 5) lines.push(`    … and ${list.length - 5} more`);
  }
  for (const note of report.notes.slice(0, 10)) lines.push(`note: ${note}`);
  if (report.keptAt) lines.push(`data kept at ${report.keptAt}`);
  return lines;
}
