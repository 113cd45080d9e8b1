/**
 * The answer of GET /api/v2/stats/board-classes. Plain types with no imports: the dashboard
 * (web/) reads them too.
 */
export interface BoardClassStats {
  boardClass: string;
  /** Registered workers of the class, and how many are in each kind of state now. */
  workers: number;
  idle: number;
  used: number;
  /** Being prepared or health-checked (PREPARE, BUSY). */
  busy: number;
  /** MAINTENANCE or FAILED. */
  unavailable: number;
  /** WAITING requests asking for this class now. */
  waiting: number;
  /** Over the window: from a request's creation to its job's start, of jobs started. */
  medianWaitSeconds: number | null;
  /** Over the window: the length of jobs that ended. */
  medianJobSeconds: number | null;
  jobsEnded: number;
  /** Jobs that ended with their request FAILED (the board failed under them). */
  jobsFailed: number;
  failureRate: number | null;
}

export interface BoardClassStatsAnswer {
  cap: string;
  windowSeconds: number;
  classes: BoardClassStats[];
}
