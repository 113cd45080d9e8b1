import { Logger } from '../log/logger';
import type { PublicKey } from './public-key';
import { keyFingerprint } from '../ssh-keys';
import { sameKey } from './public-key';

type SessionCloser = () => void;

/**
 * Who may log in as the job user right now: the current job's keys. A new job, maintenance or
 * an explicit revoke drops the keys and closes every session opened with them, so a tester
 * whose job ended cannot keep a console open on the next tester's board.
 */
export class JobAccess {
  private user: string | null = null;
  private keys: PublicKey[] = [];
  private gen = 0;
  private readonly sessions = new Map<SessionCloser, number>();

  constructor(private readonly log: Logger) {}

  get active(): boolean {
    return this.user !== null;
  }

  get username(): string | null {
    return this.user;
  }

  get keyCount(): number {
    return this.keys.length;
  }

  get keyLines(): string[] {
    return this.keys.map((k) => k.line);
  }

  /** Changes with every job and every revocation. */
  get generation(): number {
    return this.gen;
  }

  /** Revokes the previous job (closing its sessions) and admits `keys` as `username`. */
  start(username: string, keys: PublicKey[]): void {
    this.revoke('a new job starts');
    this.user = username;
    this.keys = [...keys];
    this.log.info(`job started for user ${username} with ${keys.length} key(s)`);
  }

  /** The key lines the job would admit with `key` added (nothing changes yet). */
  keyLinesWith(key: PublicKey): string[] {
    this.requireJob();
    const lines = this.keyLines;
    return lines.includes(key.line) ? lines : [...lines, key.line];
  }

  /** Whether the current job admits the key of this fingerprint (a job is named by its key). */
  admitsFingerprint(fingerprint: string): boolean {
    return this.keys.some((k) => keyFingerprint(k.parsed.getPublicSSH()) === fingerprint);
  }

  authorize(key: PublicKey): void {
    this.requireJob();
    if (!this.keys.some((k) => k.line === key.line)) this.keys.push(key);
  }

  private requireJob(): void {
    if (!this.user) throw new Error('no job is active: the server must run "prepare" first');
  }

  revoke(why: string): void {
    const hadJob = this.user !== null;
    this.gen++;
    this.user = null;
    this.keys = [];
    const open = [...this.sessions.keys()];
    this.sessions.clear();
    for (const close of open) close();
    if (hadJob || open.length)
      this.log.info(`job access revoked (${why}); closed ${open.length} session(s)`);
  }

  /** The key that lets `username` in with the offered key, if any. */
  match(username: string, offered: { algo: string; data: Buffer }): PublicKey | undefined {
    if (!this.user || username !== this.user) return undefined;
    return this.keys.find((k) => sameKey(k.parsed, offered));
  }

  /**
   * Registers a tester connection of `generation` so revoke can close it. If that job is
   * already over, closes it at once. Returns the function to call when it closes by itself.
   */
  track(generation: number, close: SessionCloser): () => void {
    if (generation !== this.gen) {
      close();
      return () => undefined;
    }
    this.sessions.set(close, generation);
    return () => this.sessions.delete(close);
  }
}
