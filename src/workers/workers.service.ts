import { Injectable, Logger } from '@nestjs/common';
import type { AccessMode, Caps } from 'dryad-agent/protocol';
import { assertAdmin, assertAgentFor, assertAgentMayRegister } from '../auth/access-policy';
import { Actor, systemActor } from '../auth/actor';
import {
  assertEnrollmentMaySpeakFor,
  bindAgentTokenOnRegistration,
} from '../auth/agent-token.binding';
import { normalizeCaps, normalizeGroups } from '../common/caps';
import { ConcurrentModificationError, InvalidInputError } from '../common/domain-error';
import { Page, PageSpec, SortSpec } from '../common/list-query';
import { isUniqueViolation } from '../database/compare-and-set';
import { Transactions } from '../database/transactions.service';
import { UnitOfWork } from '../database/unit-of-work';
import { dryadTarget } from '../dryad/dryad-target';
import { DryadPort } from '../dryad/dryad.port';
import { viewOfWorker, WorkerView } from '../events/domain-event';
import {
  AdmissionView,
  admitDeregistered,
  admitNewWorker,
  rememberDeregistration,
} from './worker-admission';
import {
  displayedMessage,
  isDraining,
  MaintenanceOrder,
  whyNotDisplayable,
} from './maintenance-order';
import { WorkerEntity } from './worker.entity';
import { emitWorkerUpdated, updateWorkerFields } from './worker-fields';
import {
  DeregisterNotAllowedError,
  ForbiddenStateChangeError,
  HealthCheckFailedError,
  StateChangeNotAllowedError,
  WorkerDeregisteredError,
  WorkerNotFoundError,
  WorkerStateConflictError,
} from './worker.errors';
import { MissingBorder, pageOfWorkers, WorkerFilter, WorkerSortItem } from './worker-list.query';
import { WorkerState } from './worker-state';
import { workerStateMachine } from './worker-state-machine';
import { WorkerJobs } from './worker-jobs.port';
import { WorkerRepository } from './worker.repository';

export interface RegisterWorkerInput {
  uuid: string;
  caps: Caps;
  controlAddr: string;
  sshAddr: string;
  hostKey: string;
  accessMode: AccessMode;
}

const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function isUuid(text: string): boolean {
  return UUID_PATTERN.test(text);
}

const DRYAD = systemActor('dryad');

/** Maintenance orders are written with a version bump: see updateWorkerFields. */
const ORDER_WRITE = { bumpVersion: true };

/** States in which the agent holds job state that a restart of the agent loses. */
const LOSES_STATE_ON_AGENT_RESTART: readonly WorkerState[] = [
  WorkerState.Idle,
  WorkerState.Prepare,
  WorkerState.Running,
];

/** The worker registry: registration by agents, administration, and agent-reported outcomes. */
@Injectable()
export class WorkersService {
  private readonly logger = new Logger(WorkersService.name);

  constructor(
    private readonly tx: Transactions,
    private readonly jobs: WorkerJobs,
    private readonly dryad: DryadPort,
    private readonly repository: WorkerRepository,
  ) {}

  /**
   * First registration → MAINTENANCE (refused with 410 while an admin's deregistration of the
   * UUID stands, see worker-admission.ts). Again with changed caps or addresses → BUSY (an admin
   * must look before it serves again). Again unchanged: FAILED → PREPARE; a restarted agent
   * that was serving (IDLE, PREPARE, RUNNING) has lost its job user, so → FAILED → PREPARE.
   */
  async register(input: RegisterWorkerInput, actor: Actor): Promise<WorkerView> {
    if (!isUuid(input.uuid))
      throw new InvalidInputError(`worker UUID "${input.uuid}" is not a valid UUID`);
    assertAgentMayRegister(actor, input.uuid);
    const caps = normalizeCaps({ ...input.caps, UUID: input.uuid });
    return this.tx.run(actor.label, async (uow) => {
      await bindAgentTokenOnRegistration(uow, actor, input.uuid);
      const existing = await this.repository.findByUuid(uow.em, input.uuid);
      if (!existing) return this.create(uow, input, caps, await this.admission(uow, input.uuid));
      const changed =
        JSON.stringify(existing.caps) !== JSON.stringify(caps) ||
        existing.controlAddr !== input.controlAddr ||
        existing.sshAddr !== input.sshAddr ||
        existing.hostKey !== input.hostKey ||
        existing.accessMode !== input.accessMode;
      if (changed) {
        const before = describeRegistration(existing);
        const formerOffer = { caps: existing.caps, groups: existing.groups };
        const registration = {
          caps,
          controlAddr: input.controlAddr,
          sshAddr: input.sshAddr,
          hostKey: input.hostKey,
          accessMode: input.accessMode,
          updatedAt: uow.now,
        };
        await this.repository.updateRegistration(uow.em, existing.uuid, registration);
        Object.assign(existing, registration);
        emitWorkerUpdated(
          uow,
          existing,
          before,
          describeRegistration(existing),
          'registered again with changed configuration',
        );
        await this.toBusy(uow, existing, 'registered again with changed caps or addresses');
        if (JSON.stringify(before.caps) !== JSON.stringify(caps)) {
          await this.jobs.invalidateUnsatisfiable(
            uow,
            formerOffer,
            `worker ${existing.uuid} changed its caps: no registered worker can satisfy it any more`,
          );
        }
      } else if (existing.state === WorkerState.Failed) {
        await workerStateMachine.transitionTo(
          uow,
          existing,
          WorkerState.Prepare,
          'registered again',
        );
      } else if (existing.state === WorkerState.Busy) {
        await workerStateMachine.transitionTo(
          uow,
          existing,
          WorkerState.Busy,
          'registered again: maintenance is told again',
        );
      } else if (LOSES_STATE_ON_AGENT_RESTART.includes(existing.state)) {
        await this.fail(uow, existing, 'agent restarted');
        // fail() changed the state; a worker being drained went on to its ordered maintenance.
        const failed = existing.state as WorkerState;
        if (failed === WorkerState.Failed)
          await workerStateMachine.transitionTo(
            uow,
            existing,
            WorkerState.Prepare,
            'registered again after a restart',
          );
      }
      return viewOfWorker(existing);
    });
  }

  /** The agent (or the server's health check) reports a failure; the reason is kept and shown. */
  async reportFailure(uuid: string, reason: string, actor: Actor): Promise<WorkerView> {
    assertAgentFor(actor, uuid, 'report a failure of');
    return this.tx.run(actor.label, async (uow) => {
      await assertEnrollmentMaySpeakFor(uow.em, actor, uuid);
      const worker = await this.find(uow, uuid);
      if (LOSES_STATE_ON_AGENT_RESTART.includes(worker.state)) {
        await this.fail(uow, worker, reason);
      } else {
        // MAINTENANCE, BUSY or already FAILED: nothing to stop, but the admin should see why.
        const before = { failReason: worker.failReason };
        await this.repository.updateFailReasonIfUnchanged(uow.em, worker, reason, uow.now);
        worker.failReason = reason;
        emitWorkerUpdated(uow, worker, before, { failReason: reason }, reason);
      }
      return viewOfWorker(worker);
    });
  }

  /** Admin: IDLE (from MAINTENANCE only: the board is prepared first) or MAINTENANCE. */
  async setState(uuid: string, state: string, actor: Actor): Promise<WorkerView> {
    assertAdmin(actor, 'set the state of workers');
    if (state !== WorkerState.Idle && state !== WorkerState.Maintenance)
      throw new StateChangeNotAllowedError(state);
    return this.tx.run(actor.label, async (uow) => {
      const worker = await this.find(uow, uuid);
      if (state === WorkerState.Idle) {
        if (worker.state !== WorkerState.Maintenance)
          throw new ForbiddenStateChangeError(uuid, worker.state, state);
        await workerStateMachine.transitionTo(
          uow,
          worker,
          WorkerState.Prepare,
          'set IDLE by an admin',
        );
      } else if (worker.state !== WorkerState.Maintenance) {
        await this.toBusy(uow, worker, 'set to MAINTENANCE by an admin', orderOf(actor, uow, {}));
      }
      return viewOfWorker(worker);
    });
  }

  /**
   * Admin (API v2): maintenance with a message for the board's display. A RUNNING worker with
   * `drain` keeps its job, takes no new one, and goes to maintenance when the job ends (see
   * the job saga's endJob); without `drain` its job FAILS now. A worker already in MAINTENANCE
   * is told again only if the message it shows changes.
   */
  async orderMaintenance(
    uuid: string,
    input: { message?: string | null; drain?: boolean },
    actor: Actor,
  ): Promise<WorkerView> {
    assertAdmin(actor, 'take workers to maintenance');
    const refusal = input.message == null ? null : whyNotDisplayable(input.message);
    if (refusal) throw new InvalidInputError(refusal);
    return this.tx.run(actor.label, async (uow) => {
      const worker = await this.find(uow, uuid);
      const order = orderOf(actor, uow, input);
      if (worker.state === WorkerState.Running && order.drain) {
        await updateWorkerFields(
          uow,
          worker,
          { maintenance: order },
          'maintenance ordered with drain: the running job finishes first',
          ORDER_WRITE,
        );
      } else if (
        worker.state === WorkerState.Maintenance &&
        displayedMessage(worker.maintenance) === displayedMessage(order)
      ) {
        await updateWorkerFields(
          uow,
          worker,
          { maintenance: order },
          'maintenance ordered again, same message',
          ORDER_WRITE,
        );
      } else {
        await this.toBusy(uow, worker, 'set to MAINTENANCE by an admin', order);
      }
      return viewOfWorker(worker);
    });
  }

  /**
   * Admin (API v2): back to service. MAINTENANCE → PREPARE (then IDLE once prepared); FAILED →
   * PREPARE once the agent passes a health check (run here, first); a RUNNING worker being
   * drained keeps serving (the drain is cancelled). Any other state is a conflict.
   */
  async backToService(uuid: string, actor: Actor): Promise<WorkerView> {
    assertAdmin(actor, 'set workers IDLE');
    const read = await this.get(uuid);
    if (read.state === WorkerState.Failed) {
      try {
        await this.dryad.healthcheck(dryadTarget(read));
      } catch (error) {
        throw new HealthCheckFailedError(uuid, (error as Error).message);
      }
    }
    return this.tx.run(actor.label, async (uow) => {
      const worker = await this.find(uow, uuid);
      if (worker.state === WorkerState.Maintenance) {
        await workerStateMachine.transitionTo(
          uow,
          worker,
          WorkerState.Prepare,
          'set IDLE by an admin',
        );
      } else if (worker.state === WorkerState.Failed && worker.stateVersion === read.stateVersion) {
        await workerStateMachine.transitionTo(
          uow,
          worker,
          WorkerState.Prepare,
          `set IDLE by an admin after a passed health check (failed: ${worker.failReason})`,
        );
      } else if (worker.state === WorkerState.Failed) {
        throw new WorkerStateConflictError(
          uuid,
          worker.state,
          'set IDLE now',
          'it failed again while its health check ran; set it IDLE again',
        );
      } else if (worker.state === WorkerState.Running && isDraining(worker.maintenance)) {
        await updateWorkerFields(
          uow,
          worker,
          { maintenance: null },
          'drain cancelled by an admin: stays in service',
          ORDER_WRITE,
        );
      } else {
        throw new WorkerStateConflictError(
          uuid,
          worker.state,
          'set IDLE',
          'only a worker in MAINTENANCE or FAILED can, or a RUNNING one being drained',
        );
      }
      return viewOfWorker(worker);
    });
  }

  async setGroups(uuid: string, groups: unknown, actor: Actor): Promise<WorkerView> {
    assertAdmin(actor, 'set the groups of workers');
    const sorted = normalizeGroups(groups);
    return this.tx.run(actor.label, async (uow) => {
      const worker = await this.find(uow, uuid);
      const before = { groups: worker.groups };
      // The event carries the whole worker: it must not show a state that changed meanwhile.
      await this.repository.updateGroupsIfUnchanged(uow.em, worker, sorted, uow.now);
      worker.groups = sorted;
      emitWorkerUpdated(uow, worker, before, { groups: sorted }, null);
      return viewOfWorker(worker);
    });
  }

  async deregister(uuid: string, actor: Actor): Promise<void> {
    assertAdmin(actor, 'deregister workers');
    await this.tx.run(actor.label, async (uow) => {
      const worker = await this.find(uow, uuid);
      if (worker.state !== WorkerState.Maintenance && worker.state !== WorkerState.Failed) {
        throw new DeregisterNotAllowedError(uuid, worker.state);
      }
      if (!(await this.repository.deleteIfUnchanged(uow.em, worker)))
        throw new DeregisterNotAllowedError(uuid, 'changing');
      await rememberDeregistration(uow, uuid);
      uow.emit({
        type: 'worker.deregistered',
        worker: viewOfWorker(worker),
        at: uow.now,
        actor: actor.label,
        reason: 'deregistered by an admin: its agent is refused until an admin admits it again',
        before: describeRegistration(worker),
        after: null,
      });
      await this.jobs.invalidateUnsatisfiable(
        uow,
        worker,
        `worker ${uuid} was deregistered: no registered worker can satisfy it any more`,
      );
    });
  }

  /** Admin: lets a deregistered board register again (it comes back in MAINTENANCE). */
  async admit(uuid: string, actor: Actor): Promise<AdmissionView> {
    assertAdmin(actor, 'admit deregistered workers');
    if (!isUuid(uuid)) throw new InvalidInputError(`worker UUID "${uuid}" is not a valid UUID`);
    const admission = await this.tx.run(actor.label, (uow) => admitDeregistered(uow, uuid));
    this.logger.log(
      `worker ${uuid}: admitted again by ${admission.admittedBy}; its agent's next registration is accepted`,
      { workerUuid: uuid },
    );
    return admission;
  }

  /** An agent says it is alive: answers its worker as the server has it. */
  async heartbeat(uuid: string, actor: Actor): Promise<WorkerView> {
    assertAgentFor(actor, uuid, 'send heartbeats for');
    await this.tx.read((em) => assertEnrollmentMaySpeakFor(em, actor, uuid));
    return this.get(uuid);
  }

  async get(uuid: string): Promise<WorkerView> {
    const worker = await this.tx.read((em) => this.repository.findByUuid(em, uuid));
    if (!worker) throw new WorkerNotFoundError(uuid);
    return viewOfWorker(worker);
  }

  async all(): Promise<WorkerView[]> {
    return (await this.tx.read((em) => this.repository.all(em))).map(viewOfWorker);
  }

  async list(
    filter: WorkerFilter,
    sort: SortSpec<WorkerSortItem>,
    page: PageSpec<string>,
    missingBorder: MissingBorder = 'refuse',
  ): Promise<Page<WorkerView>> {
    return pageOfWorkers(await this.all(), filter, sort, page, missingBorder);
  }

  /**
   * Outcome of a prepare started at `version`. Applied only if nothing changed the worker
   * since (an overtaken operation is abandoned, never applied late).
   */
  /**
   * The sealed key a PREPARE worker is to be prepared with again (its last job's, never handed
   * out), or null: prepare it with a fresh key.
   */
  async keyToPrepareAgain(uuid: string): Promise<string | null> {
    const worker = await this.tx.read((em) => this.repository.preparedKeyOf(em, uuid));
    return worker?.state === WorkerState.Prepare ? (worker.preparedKey ?? null) : null;
  }

  async completePrepare(
    uuid: string,
    version: number,
    outcome: { ok: true; username: string; sealedKey: string } | { ok: false; reason: string },
  ): Promise<boolean> {
    return this.tx.run(DRYAD.label, async (uow) => {
      const worker = await this.repository.findByUuid(uow.em, uuid);
      if (!worker || worker.stateVersion !== version || worker.state !== WorkerState.Prepare) {
        this.logger.log(`worker ${uuid}: prepare result dropped, the worker moved on`, {
          workerUuid: uuid,
        });
        return false;
      }
      if (outcome.ok) {
        await workerStateMachine.transitionTo(uow, worker, WorkerState.Idle, 'prepared', {
          preparedKey: outcome.sealedKey,
          jobUsername: outcome.username,
        });
      } else {
        await workerStateMachine.transitionTo(
          uow,
          worker,
          WorkerState.Failed,
          `prepare failed: ${outcome.reason}`,
          { preparedKey: null },
        );
      }
      return true;
    });
  }

  /** Outcome of a maintenance order started at `version` (BUSY → MAINTENANCE either way). */
  async completeMaintenance(uuid: string, version: number, error: string | null): Promise<boolean> {
    return this.tx.run(DRYAD.label, async (uow) => {
      const worker = await this.repository.findByUuid(uow.em, uuid);
      if (!worker || worker.stateVersion !== version || worker.state !== WorkerState.Busy)
        return false;
      // The admin wants the board out of service: it goes to MAINTENANCE even if the agent
      // could not be told, with the reason kept for the admin to see.
      const reason = error
        ? `agent did not confirm maintenance: ${error}`
        : 'agent confirmed maintenance';
      await workerStateMachine.transitionTo(uow, worker, WorkerState.Maintenance, reason, {
        failReason: error ? reason : worker.failReason,
      });
      return true;
    });
  }

  /** A failure of the worker at `version` found by the server (health check, SSH unreachable). */
  async failIfUnchanged(uuid: string, version: number, reason: string): Promise<boolean> {
    return this.tx.run(DRYAD.label, async (uow) => {
      const worker = await this.repository.findByUuid(uow.em, uuid);
      if (
        !worker ||
        worker.stateVersion !== version ||
        !LOSES_STATE_ON_AGENT_RESTART.includes(worker.state)
      )
        return false;
      await this.fail(uow, worker, reason);
      return true;
    });
  }

  /** The reason a new worker is registered with; refused (and said so) if deregistered. */
  private async admission(uow: UnitOfWork, uuid: string): Promise<string> {
    try {
      return await admitNewWorker(uow, uuid);
    } catch (error) {
      // The agent asks again every 10 minutes: one line each time tells the admin why the
      // board does not come back.
      if (error instanceof WorkerDeregisteredError)
        this.logger.log(`registration refused: ${error.message}`, { workerUuid: uuid });
      throw error;
    }
  }

  private async create(
    uow: UnitOfWork,
    input: RegisterWorkerInput,
    caps: Caps,
    reason: string,
  ): Promise<WorkerView> {
    const worker = uow.em.create(WorkerEntity, {
      uuid: input.uuid,
      state: WorkerState.Maintenance,
      stateVersion: 0,
      caps,
      groups: [],
      controlAddr: input.controlAddr,
      sshAddr: input.sshAddr,
      hostKey: input.hostKey,
      accessMode: input.accessMode,
      failReason: null,
      idleSince: null,
      preparedKey: null,
      jobUsername: null,
      maintenance: null,
      registeredAt: uow.now,
      updatedAt: uow.now,
    });
    try {
      await this.repository.insert(uow.em, worker);
    } catch (error) {
      // A concurrent first registration of the same UUID inserted first: run again, and this
      // one is a registration of an existing worker (unchanged config: nothing to do).
      if (isUniqueViolation(error)) throw new ConcurrentModificationError(`Worker ${input.uuid}`);
      throw error;
    }
    const view = viewOfWorker(worker);
    uow.emit({
      type: 'worker.registered',
      worker: view,
      at: uow.now,
      actor: uow.actor,
      reason,
      before: null,
      after: { state: worker.state, ...describeRegistration(worker) },
    });
    return view;
  }

  /**
   * → FAILED; a job running on it FAILS with the same reason. A worker being drained has no
   * job left to finish: the admin's maintenance is carried out now (FAILED → BUSY), the
   * failure reason kept.
   */
  private async fail(uow: UnitOfWork, worker: WorkerEntity, reason: string): Promise<void> {
    const draining = worker.state === WorkerState.Running && isDraining(worker.maintenance);
    if (worker.state === WorkerState.Running)
      await this.jobs.failJobOfWorker(uow, worker, `worker failed: ${reason}`);
    await workerStateMachine.transitionTo(uow, worker, WorkerState.Failed, reason);
    if (draining)
      await workerStateMachine.transitionTo(
        uow,
        worker,
        WorkerState.Busy,
        'failed while being drained: the maintenance an admin ordered is carried out',
      );
  }

  /**
   * → BUSY (the agent is then told to show the order's message); a job running on it FAILS.
   * `order` is stored with the state, so the maintenance operation reads the message it shows.
   */
  private async toBusy(
    uow: UnitOfWork,
    worker: WorkerEntity,
    reason: string,
    order: MaintenanceOrder | null = worker.maintenance,
  ): Promise<void> {
    if (worker.state === WorkerState.Running)
      await this.jobs.failJobOfWorker(uow, worker, `worker taken away: ${reason}`);
    await workerStateMachine.transitionTo(uow, worker, WorkerState.Busy, reason, {
      maintenance: order,
    });
  }

  private async find(uow: UnitOfWork, uuid: string): Promise<WorkerEntity> {
    const worker = await this.repository.findByUuid(uow.em, uuid);
    if (!worker) throw new WorkerNotFoundError(uuid);
    return worker;
  }
}

function orderOf(
  actor: Actor,
  uow: UnitOfWork,
  input: { message?: string | null; drain?: boolean },
): MaintenanceOrder {
  return {
    message: input.message ?? null,
    drain: input.drain ?? false,
    by: actor.label,
    at: uow.now.toISOString(),
  };
}

function describeRegistration(worker: WorkerEntity): Record<string, unknown> {
  return {
    caps: worker.caps,
    controlAddr: worker.controlAddr,
    sshAddr: worker.sshAddr,
    hostKey: worker.hostKey,
    accessMode: worker.accessMode,
  };
}
