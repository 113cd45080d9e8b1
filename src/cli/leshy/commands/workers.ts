import { Command } from 'commander';
import { parseCaps, parseList, parseWorkerStates } from '../arguments';
import type { WorkerInfo } from '../api-types';
import type { Context } from '../context';
import { emit, formatCaps } from '../output';
import { listAll } from '../pages';
import { workerDetails, workersTable } from '../views';
import { act, command, CommonOptions } from './define';

/** workers, worker, maintenance, idle, groups, deregister, admit: the fleet, for admins. */
export function registerWorkerCommands(program: Command, ctx: Context): void {
  command(
    program,
    'workers',
    'the workers: state, caps, groups, job and owner, time left, last failure',
  )
    .option('--state <states>', 'only these states, e.g. idle,maintenance', parseWorkerStates)
    .option('--caps <caps>', 'only workers with these caps, e.g. board=rpi4', (v, prev) =>
      parseCaps(v, prev as Record<string, unknown> | undefined),
    )
    .option('--group <group>', 'only workers in this group')
    .action(
      act(
        ctx,
        async (
          options: CommonOptions & {
            state?: string;
            caps?: Record<string, unknown>;
            group?: string;
          },
        ) => {
          const workers = await listAll<WorkerInfo>(ctx.client(), '/api/v2/workers', {
            state: options.state,
            caps: options.caps ? formatCaps(options.caps) : undefined,
            group: options.group,
          });
          emit(ctx.io, Boolean(options.json), workers, () => workersTable(workers));
        },
      ),
    );

  command(program, 'worker <uuid>', 'one worker, with its health checks of the last day').action(
    act(ctx, async (uuid: string, options: CommonOptions) => {
      const worker = await ctx
        .client()
        .get<WorkerInfo>(`/api/v2/workers/${encodeURIComponent(uuid)}`);
      emit(ctx.io, Boolean(options.json), worker, () => workerDetails(worker));
    }),
  );

  command(
    program,
    'maintenance <uuid>',
    "take a worker out of service; the message shows on the board's display",
  )
    .requiredOption('-m, --message <text>', 'why, for the board display and the workers table')
    .option('--drain', 'let the running job finish first (else it ends FAILED at once)')
    .action(
      act(
        ctx,
        async (uuid: string, options: CommonOptions & { message: string; drain?: boolean }) => {
          const worker = await ctx
            .client()
            .post<WorkerInfo>(`/api/v2/workers/${encodeURIComponent(uuid)}/maintenance`, {
              message: options.message,
              drain: Boolean(options.drain),
            });
          emit(ctx.io, Boolean(options.json), worker, () =>
            `worker ${uuid} ${worker?.state ?? ''}${options.drain && worker?.state === 'RUNNING' ? ' (goes to MAINTENANCE when its job ends)' : ''}`.trim(),
          );
        },
      ),
    );

  command(program, 'idle <uuid>', 'put a worker back in service (health checked first)').action(
    act(ctx, async (uuid: string, options: CommonOptions) => {
      const worker = await ctx
        .client()
        .post<WorkerInfo>(`/api/v2/workers/${encodeURIComponent(uuid)}/idle`);
      emit(
        ctx.io,
        Boolean(options.json),
        worker,
        () => `worker ${uuid} ${worker?.state ?? 'back in service'}`,
      );
    }),
  );

  command(
    program,
    'groups <uuid> <groups>',
    'reserve a worker for groups (g1,g2; "" = everyone)',
  ).action(
    act(ctx, async (uuid: string, groups: string, options: CommonOptions) => {
      const worker = await ctx
        .client()
        .put<WorkerInfo>(`/api/v2/workers/${encodeURIComponent(uuid)}/groups`, {
          groups: parseList(groups),
        });
      emit(
        ctx.io,
        Boolean(options.json),
        worker,
        () => `worker ${uuid} groups: ${worker?.groups?.join(',') || 'none'}`,
      );
    }),
  );

  command(
    program,
    'deregister <uuid>',
    'remove a worker; it may not register again until admitted',
  ).action(
    act(ctx, async (uuid: string, options: CommonOptions) => {
      await ctx.client().delete(`/api/v2/workers/${encodeURIComponent(uuid)}`);
      emit(
        ctx.io,
        Boolean(options.json),
        { uuid, deregistered: true },
        () => `worker ${uuid} deregistered`,
      );
    }),
  );

  command(program, 'admit <uuid>', 'let a deregistered board register again').action(
    act(ctx, async (uuid: string, options: CommonOptions) => {
      const answer = await ctx
        .client()
        .post<unknown>(`/api/v2/workers/${encodeURIComponent(uuid)}/admit`);
      emit(
        ctx.io,
        Boolean(options.json),
        answer ?? { uuid, admitted: true },
        () => `worker ${uuid} may register again`,
      );
    }),
  );
}
