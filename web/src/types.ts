/** The shapes of API v2 the dashboard reads (docs/api-v2.md). */
export type Caps = Record<string, string>;
/** What a request asks for: a value, or a rule (any of, a range, a negation; docs/caps.md). */
export type CapsAsk = Record<string, unknown>;

export interface Whoami {
  kind: string;
  name: string;
  role: 'tester' | 'admin' | string;
  userId: number | null;
  groups: string[];
  bestPriority: number;
}

export interface Worker {
  uuid: string;
  state: string;
  caps: Caps;
  groups: string[];
  accessMode: string;
  registeredAt: string;
  updatedAt: string;
  job: { requestId: number; owner: string; startedAt: string; timeoutAt: string } | null;
  maintenance: { message: string; drain: boolean; by: string; at: string } | null;
  failReason: string | null;
  lastFailure: { at: string; reason: string } | null;
  failuresLastDay: number;
}

export interface LabRequest {
  id: number;
  state: string;
  priority: number;
  owner: string;
  groups: string[];
  caps: CapsAsk;
  validAfter: string;
  deadline: string;
  createdAt: string;
  updatedAt: string;
  job: {
    workerUuid: string;
    startedAt: string;
    timeoutAt: string;
    idleAt: string | null;
    endedAt: string | null;
    prolongCount: number;
  } | null;
  ended: { how: string; reason: string | null; by: string; at: string } | null;
  unservable: string | null;
}

export interface Explain {
  requestId: number;
  state: string;
  ready: boolean;
  position: { inPriority: number; overall: number } | null;
  workers: Array<{ uuid: string; reason: string; detail: string }>;
  estimatedStart: string | null;
  missingCaps: string[];
  summary: string;
}

export interface AuditEntry {
  id: number;
  type: string;
  at: string;
  actor: string;
  reason: string | null;
  requestId?: number | null;
  workerUuid?: string | null;
  from?: string | null;
  to?: string | null;
  [more: string]: unknown;
}

export type { BoardClassStats, BoardClassStatsAnswer } from '../../src/stats/board-class-stats';

export interface User {
  id: number;
  name: string;
  role: string;
  groups: string[];
  bestPriority: number;
}

export interface Token {
  id: number;
  kind: string;
  userId: number | null;
  workerUuid: string | null;
  label: string;
  createdAt: string;
  expiresAt: string | null;
  lastUsedAt: string | null;
  revokedAt: string | null;
}
