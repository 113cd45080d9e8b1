import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';

/**
 * Who this server process is among the instances sharing one PostgreSQL database: host, pid and
 * a random suffix (a restarted process is a new instance). It marks the audit rows this process
 * writes, names the scheduling instance in /health, and is the lock connection's application_name.
 */
export class InstanceIdentity {
  readonly id = `${hostname().slice(0, 24)}:${process.pid}:${randomBytes(3).toString('hex')}`;
}
