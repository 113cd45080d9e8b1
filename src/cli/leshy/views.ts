import type {
  AuditEntry,
  Explanation,
  RequestInfo,
  TokenInfo,
  UserInfo,
  WorkerInfo,
} from './api-types';
import { fields, formatCaps, formatSpan, relative, table, when } from './output';

/** How requests, workers, users, tokens and audit entries read for people. */

export function requestDetails(r: RequestInfo, now = Date.now()): string {
  return fields([
    ['request', `${r.id}  ${r.state}`],
    ['owner', r.owner],
    ['priority', r.priority],
    ['caps', formatCaps(r.caps)],
    ['groups', r.groups.length ? r.groups.join(',') : null],
    ['created', when(r.createdAt, now)],
    ['valid after', when(r.validAfter, now)],
    ['deadline', r.state === 'WAITING' ? when(r.deadline, now) : null],
    ['worker', r.job?.workerUuid],
    ['started', when(r.job?.startedAt, now)],
    ['job ends', r.job && !r.job.endedAt ? when(r.job.timeoutAt, now) : null],
    ['prolonged', r.job?.prolongCount ? `${r.job.prolongCount} times` : null],
    ['ended', r.ended ? endedText(r.ended) : null],
    ['unservable', r.unservable],
  ]);
}

export function endedText(e: NonNullable<RequestInfo['ended']>): string {
  return [
    e.how,
    e.by ? `by ${e.by}` : '',
    e.at ? `at ${e.at}` : '',
    e.reason ? `: ${e.reason}` : '',
  ]
    .filter(Boolean)
    .join(' ')
    .replace(' :', ':');
}

export function requestsTable(requests: RequestInfo[], now = Date.now()): string {
  if (!requests.length) return 'no requests';
  return table(
    ['ID', 'STATE', 'PRI', 'OWNER', 'CAPS', 'WORKER', 'LEFT'],
    requests.map((r) => [
      r.id,
      r.state,
      r.priority,
      r.owner,
      formatCaps(r.caps),
      r.job?.workerUuid,
      r.state === 'IN PROGRESS' && r.job ? formatSpan(Date.parse(r.job.timeoutAt) - now) : null,
    ]),
  );
}

/** What `request --wait` prints when the job started: the board and the timeout. */
export function startedText(r: RequestInfo, worker: WorkerInfo | null, now = Date.now()): string {
  const board = worker ? ` (${workerCaps(worker)})` : '';
  return [
    `request ${r.id} IN PROGRESS on worker ${r.job?.workerUuid}${board}`,
    `job ends ${when(r.job?.timeoutAt, now)}; leshy ssh ${r.id}, leshy prolong ${r.id}, leshy close ${r.id}`,
  ].join('\n');
}

export function explanationText(e: Explanation): string {
  const head = fields([
    ['request', `${e.requestId}  ${e.state}${e.ready ? '' : ' (not valid yet)'}`],
    [
      'position',
      e.position ? `${e.position.inPriority} in its priority, ${e.position.overall} overall` : null,
    ],
    ['estimated start', when(e.estimatedStart)],
    ['missing caps', e.missingCaps?.length ? JSON.stringify(e.missingCaps) : null],
    ['summary', e.summary],
  ]);
  if (!e.workers.length) return head;
  return `${head}\n\n${table(
    ['WORKER', 'REASON', 'DETAIL'],
    e.workers.map((w) => [w.uuid, w.reason, w.detail]),
  )}`;
}

/** A worker's caps without the `UUID` cap the server gives every worker (it is in its own column). */
function workerCaps(w: WorkerInfo): string {
  const { UUID, ...rest } = w.caps;
  return formatCaps(UUID === w.uuid ? rest : w.caps);
}

export function workersTable(workers: WorkerInfo[], now = Date.now()): string {
  if (!workers.length) return 'no workers';
  return table(
    ['UUID', 'STATE', 'CAPS', 'GROUPS', 'JOB', 'OWNER', 'LEFT', 'LAST FAILURE'],
    workers.map((w) => [
      w.uuid,
      w.state,
      workerCaps(w),
      w.groups.join(','),
      w.job?.requestId,
      w.job?.owner,
      w.job ? formatSpan(Date.parse(w.job.timeoutAt) - now) : null,
      w.failReason ?? w.lastFailure?.reason ?? null,
    ]),
  );
}

export function workerDetails(w: WorkerInfo, now = Date.now()): string {
  const head = fields([
    ['worker', `${w.uuid}  ${w.state}`],
    ['caps', workerCaps(w)],
    ['groups', w.groups.length ? w.groups.join(',') : 'none (serves everyone)'],
    ['access mode', w.accessMode],
    ['registered', when(w.registeredAt, now)],
    [
      'job',
      w.job
        ? `request ${w.job.requestId} of ${w.job.owner}, ends ${when(w.job.timeoutAt, now)}`
        : null,
    ],
    [
      'maintenance',
      w.maintenance
        ? `${w.maintenance.message}${w.maintenance.drain ? ' (draining)' : ''} by ${w.maintenance.by}`
        : null,
    ],
    ['failed', w.failReason],
    [
      'last failure',
      w.lastFailure ? `${w.lastFailure.reason} (${relative(w.lastFailure.at, now)})` : null,
    ],
    ['failures (24h)', w.failuresLastDay],
  ]);
  if (!w.health?.length) return head;
  return `${head}\n\n${table(
    ['AT', 'HEALTH', 'REASON'],
    w.health.map((h) => [h.at, h.ok ? 'ok' : 'failed', h.reason]),
  )}`;
}

export function usersTable(users: UserInfo[]): string {
  if (!users.length) return 'no users';
  return table(
    ['ID', 'NAME', 'ROLE', 'GROUPS', 'BEST PRI', 'CREATED'],
    users.map((u) => [u.id, u.name, u.role, u.groups.join(','), u.bestPriority, u.createdAt]),
  );
}

export function tokensTable(tokens: TokenInfo[], users: Map<number, string>): string {
  if (!tokens.length) return 'no tokens';
  return table(
    ['ID', 'KIND', 'FOR', 'LABEL', 'CREATED', 'EXPIRES', 'LAST USED', 'REVOKED'],
    tokens.map((t) => [
      t.id,
      t.kind,
      t.userId !== null ? (users.get(t.userId) ?? `user ${t.userId}`) : (t.workerUuid ?? 'unbound'),
      t.label,
      t.createdAt,
      t.expiresAt,
      t.lastUsedAt,
      t.revokedAt,
    ]),
  );
}

export function auditTable(entries: AuditEntry[]): string {
  if (!entries.length) return 'no entries';
  return table(
    ['ID', 'AT', 'TYPE', 'ACTOR', 'REQUEST', 'WORKER', 'WHAT'],
    entries.map((e) => [e.id, e.at, e.type, e.actor, e.requestId, e.workerUuid, eventWhat(e)]),
  );
}

/** The gist of an event in a few words: a transition, and the reason. */
export function eventWhat(e: Record<string, unknown>): string {
  const parts: string[] = [];
  if (e.from !== undefined || e.to !== undefined)
    parts.push(`${String(e.from ?? '?')} → ${String(e.to ?? '?')}`);
  if (e.reason) parts.push(String(e.reason));
  return parts.join(': ');
}

/** One line of `leshy watch`. */
export function eventLine(event: string, data: Record<string, unknown>): string {
  const subject = [
    data.requestId ? `request ${String(data.requestId)}` : '',
    data.workerUuid ? `worker ${String(data.workerUuid)}` : '',
  ]
    .filter(Boolean)
    .join(' ');
  return [
    String(data.at ?? new Date().toISOString()),
    event,
    subject,
    eventWhat(data),
    data.actor ? `(${String(data.actor)})` : '',
  ]
    .filter(Boolean)
    .join('  ');
}
