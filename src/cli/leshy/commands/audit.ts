import { Command } from 'commander';
import { parseRequestId, parseSince } from '../arguments';
import type { AuditEntry } from '../api-types';
import type { Context } from '../context';
import { emit } from '../output';
import { listAll } from '../pages';
import { auditTable } from '../views';
import { act, command, CommonOptions, limitOption } from './define';

/** audit: who changed what, newest first. */
export function registerAuditCommands(program: Command, ctx: Context): void {
  const audit = command(
    program,
    'audit',
    "the audit log, newest first (a tester sees their own requests' entries)",
  );
  limitOption(audit)
    .option('--worker <uuid>', "only this worker's entries")
    .option('--request <id>', "only this request's entries", parseRequestId)
    .option('--actor <actor>', 'only changes made by this actor, e.g. user:alice')
    .option('--type <type>', 'only this event type, e.g. worker.state-changed')
    .option('--since <when>', 'only entries since: 1h, or a time', parseSince)
    .action(
      act(
        ctx,
        async (
          options: CommonOptions & {
            worker?: string;
            request?: number;
            actor?: string;
            type?: string;
            since?: string;
            limit: number;
          },
        ) => {
          const entries = await listAll<AuditEntry>(
            ctx.client(),
            '/api/v2/audit',
            {
              worker: options.worker,
              request: options.request,
              actor: options.actor,
              type: options.type,
              since: options.since,
            },
            options.limit,
          );
          emit(ctx.io, Boolean(options.json), entries, () => auditTable(entries));
        },
      ),
    );
}
