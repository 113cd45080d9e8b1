/** The shapes of API v2 answers the CLI reads (docs/api-v2.md). */

export interface JobInfo {
  workerUuid: string;
  startedAt: string;
  timeoutAt: string;
  idleAt: string | null;
  endedAt: string | null;
  prolongCount: number;
}

export interface RequestInfo {
  id: number;
  state: string;
  priority: number;
  owner: string;
  groups: string[];
  caps: Record<string, unknown>;
  validAfter: string;
  deadline: string;
  createdAt: string;
  updatedAt: string;
  ownKey?: boolean;
  job: JobInfo | null;
  ended: { how: string; reason?: string | null; by?: string | null; at?: string } | null;
  unservable: string | null;
}

export interface WorkerInfo {
  uuid: string;
  state: string;
  caps: Record<string, unknown>;
  groups: string[];
  accessMode: string;
  registeredAt: string;
  updatedAt: string;
  job: { requestId: number; owner: string; startedAt: string; timeoutAt: string } | null;
  maintenance: { message: string; drain: boolean; by: string; at: string } | null;
  failReason: string | null;
  lastFailure: { at: string; reason: string } | null;
  failuresLastDay: number;
  health?: Array<{ at: string; ok: boolean; reason: string | null }>;
}

export interface Explanation {
  requestId: number;
  state: string;
  ready: boolean;
  position: { inPriority: number; overall: number } | null;
  workers: Array<{ uuid: string; reason: string; detail: string }>;
  estimatedStart: string | null;
  missingCaps: unknown[];
  summary: string;
}

export interface Access {
  requestId: number;
  workerUuid: string;
  username: string;
  tunnel: { host: string; port: number };
  privateKey: string | null;
  ownKey: boolean;
}

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
  total?: number;
}

export interface UserInfo {
  id: number;
  name: string;
  role: string;
  groups: string[];
  bestPriority: number;
  createdAt: string;
  updatedAt: string;
}

export interface TokenInfo {
  id: number;
  kind: string;
  userId: number | null;
  workerUuid: string | null;
  label: string;
  createdAt: string;
  expiresAt: string | null;
  lastUsedAt: string | null;
  revokedAt: string | null;
  secret?: string;
}

export interface AuditEntry {
  id: number;
  type: string;
  at: string;
  actor: string;
  reason?: string | null;
  requestId?: number | null;
  workerUuid?: string | null;
  [key: string]: unknown;
}

/** Request states after which nothing changes. */
export const ENDED_STATES = ['CANCELLED', 'TIMEOUT', 'INVALID', 'DONE', 'FAILED'];
