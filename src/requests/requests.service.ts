import { Injectable } from '@nestjs/common';
import { oneCalendarMonthAfter } from '../common/calendar-month';
import { assertLabUser, assertMayManageRequest } from '../auth/access-policy';
import { Actor, actsOnAnything, ownerKeyOf, systemActor } from '../auth/actor';
import { NotAllowedError } from '../auth/auth.errors';
import { normalizeGroups } from '../common/caps';
import { CapsQuery, normalizeCapsQuery } from '../common/caps-query';
import { Clock } from '../common/clock';
import { InvalidInputError } from '../common/domain-error';
import { Page, PageSpec, SortSpec } from '../common/list-query';
import { AppConfig } from '../config/app-config';
import { Transactions } from '../database/transactions.service';
import { UnitOfWork } from '../database/unit-of-work';
import { HIGHEST_PRIORITY, LOWEST_PRIORITY } from '../common/priority';
import { JobView, RequestView, viewOfRequest } from '../events/domain-event';
import { MatchAtCreate } from './match-at-create';
import { RequestEntity } from './request.entity';
import { RequestJobs } from './request-jobs.port';
import {
  ActionNotAllowedInStateError,
  DeadlineInPastError,
  IllegalTimeRangeError,
  PriorityNotAllowedError,
  PriorityOutOfBoundsError,
  RequestNotFoundError,
} from './request.errors';
import { parseTesterPublicKey } from '../keys/tester-public-key';
import {
  fingerprintOf,
  IDEMPOTENCY_KEY_MAX_LENGTH,
  recordKey,
  requestOfKey,
} from './idempotency-keys';
import { nameOf, ownerKeyNamed, ownerNames, ownNames } from '../auth/owner-names';
import { RequestFilter, RequestSortItem } from './request-list.query';
import { RequestRepository } from './request.repository';
import { NoteAtCreate, UnservableDecision } from './note-at-create';
import { QueueSequence } from './queue-sequence';
import { RequestIds } from './request-ids';
import { RequestState } from './request-state';
import { endRequest, requestStateMachine } from './request-state-machine';

export { HIGHEST_PRIORITY, LOWEST_PRIORITY } from '../common/priority';
export type { CapAsk, CapsQuery } from '../common/caps-query';

const TIMEKEEPER = systemActor('timekeeper');
/** The states a request reaches only through a job. */
const JOB_STATES: readonly RequestState[] = [
  RequestState.InProgress,
  RequestState.Done,
  RequestState.Failed,
];

export interface CreateRequestInput {
  /**
   * What each cap must be (docs/caps.md): an exact string, a list (any of), a range
   * `{min, max}` or a negation `{not}`. Validated and made canonical here, so a caller may pass
   * a request body's caps as they came (`unknown` values are checked, never trusted). API v1
   * passes strings only (its decoder refuses anything else, with upstream's message).
   */
  caps: CapsQuery;
  priority: number;
  /**
   * Groups the client claimed (API v1's Owner.Groups). A request's groups are always its
   * owner's: a claim is only checked (each claimed group must be one of the owner's).
   */
  claimedGroups?: readonly string[];
  /** Missing: now. */
  validAfter?: Date | null;
  /** Missing: now + LESHY_DEFAULT_DEADLINE. */
  deadline?: Date | null;
  /** The tester's own OpenSSH public key (API v2): authorized on the board for the job. */
  publicKey?: string | null;
}

/**
 * A create's answer: the request with its job (if it started at once) and owner, as committed,
 * and whether an Idempotency-Key answered an earlier create.
 */
export interface FiledRequest {
  details: RequestDetails;
  replayed: boolean;
}

/** API v2's list filters beyond the stored columns: `owner` is a user name or `me`. */
export interface ListRequestsFilter extends Omit<RequestFilter, 'owners'> {
  ownerName?: string;
}

/** Missing fields stay as they are. */
export interface UpdateRequestInput {
  priority?: number | null;
  validAfter?: Date | null;
  deadline?: Date | null;
}

/** A request with its job, if it ever had one. */
export interface RequestDetails {
  request: RequestView;
  job: JobView | null;
  /**
   * The owner's user name (`anonymous`; `user:<id>` of a deleted user). Read with
   * `{ ownerName: false }`, which saves the users query of callers that show no names (API v1's
   * status polls, the matcher): the owner's key.
   */
  ownerName: string;
}

export interface GetRequestOptions {
  /** Look the owner's user name up (one more query). Default: true. */
  ownerName?: boolean;
}

/** The request queue's operations, as every API calls them. */
@Injectable()
export class RequestsService {
  constructor(
    private readonly tx: Transactions,
    private readonly jobs: RequestJobs,
    private readonly clock: Clock,
    private readonly config: AppConfig,
    private readonly sequence: QueueSequence,
    private readonly matchAtCreate: MatchAtCreate,
    private readonly repository: RequestRepository,
    private readonly noteAtCreate: NoteAtCreate,
    private readonly ids: RequestIds,
  ) {}

  async create(input: CreateRequestInput, actor: Actor): Promise<RequestView> {
    return (await this.file(input, actor, null)).details.request;
  }

  /**
   * As create, answering what a read would (its job, its owner's name) without reading it
   * again. With an Idempotency-Key (not null), a key this owner used in the last 24 h with the
   * same input answers the request it filed (replayed); with another input it is refused (409).
   */
  async createDetailed(
    input: CreateRequestInput,
    actor: Actor,
    key: string | null,
  ): Promise<FiledRequest> {
    if (key !== null && (key.length === 0 || key.length > IDEMPOTENCY_KEY_MAX_LENGTH))
      throw new InvalidInputError(
        `Idempotency-Key must be 1 to ${IDEMPOTENCY_KEY_MAX_LENGTH} characters, got ${key.length}`,
      );
    const filed = await this.file(input, actor, key);
    // A replay answers the request as it is now, which may have moved on since.
    return filed.replayed
      ? { ...filed, details: await this.get(filed.details.request.id, actor) }
      : filed;
  }

  private async file(
    input: CreateRequestInput,
    actor: Actor,
    idempotencyKey: string | null,
  ): Promise<FiledRequest> {
    assertLabUser(actor, 'file requests');
    const now = this.clock.now();
    const caps = normalizeCapsQuery(input.caps);
    const claimedGroups = normalizeGroups(input.claimedGroups, 'Owner.Groups');
    const ownerGroups = normalizeGroups(actor.groups);
    const anyGroup = actsOnAnything(actor);
    // Checked in upstream Boruta's order, so API v1 reports the same first problem.
    if (input.deadline && input.deadline.getTime() < now.getTime())
      throw new DeadlineInPastError(input.deadline);
    const validAfter = input.validAfter ?? now;
    const deadline = input.deadline ?? this.defaultDeadline(now);
    if (validAfter.getTime() > deadline.getTime())
      throw new IllegalTimeRangeError(validAfter, deadline);
    assertPriority(input.priority, actor);
    assertClaimedGroups(actor, claimedGroups);
    const publicKey = input.publicKey == null ? null : parseTesterPublicKey(input.publicKey);
    const owner = ownerKeyOf(actor);
    // Only a create with an Idempotency-Key needs its input's fingerprint (a hash).
    const fingerprint =
      idempotencyKey === null
        ? ''
        : fingerprintOf({
            caps,
            priority: input.priority,
            claimedGroups,
            validAfter: input.validAfter ?? null,
            deadline: input.deadline ?? null,
            publicKey,
          });
    const arrival = this.matchAtCreate.open();
    // Decided in the (last) attempt of the create's transaction, reported after its commit.
    let unservable: UnservableDecision | null | undefined;
    const created = this.tx.run(actor.label, async (uow): Promise<FiledRequest> => {
      unservable = undefined;
      if (idempotencyKey !== null) {
        const earlier = await requestOfKey(uow, owner, idempotencyKey, fingerprint);
        if (earlier !== null)
          return {
            details: this.detailsOf(await this.find(uow, earlier), null, actor),
            replayed: true,
          };
      }
      const request = uow.em.create(RequestEntity, {
        priority: input.priority,
        queueSeq: await this.sequence.next(uow),
        state: RequestState.Waiting,
        stateVersion: 0,
        owner,
        ownerGroups,
        anyGroup,
        caps,
        validAfter,
        deadline,
        createdAt: uow.now,
        updatedAt: uow.now,
        ...(publicKey ? { publicKey } : {}),
      });
      unservable = this.noteAtCreate.decide({ caps, ownerGroups, anyGroup });
      if (unservable) request.unservableNote = unservable.note;
      request.id = await this.repository.insert(uow.em, request, this.ids.next());
      if (idempotencyKey !== null)
        await recordKey(uow, owner, idempotencyKey, fingerprint, request.id);
      const view = viewOfRequest(request);
      uow.emit({
        type: 'request.created',
        request: view,
        at: uow.now,
        actor: actor.label,
        reason: null,
        before: null,
        after: { priority: request.priority, caps, ownerGroups, anyGroup, validAfter, deadline },
      });
      // If the matcher would serve it at once, its job starts in this same transaction.
      const job = await arrival.startJob(uow, request);
      return { details: this.detailsOf(request, job, actor), replayed: false };
    });
    const filed = await arrival.settle(created);
    if (!filed.replayed) this.noteAtCreate.created(filed.details.request, unservable);
    return filed;
  }

  private defaultDeadline(now: Date): Date {
    const ms = this.config.defaultDeadlineMs;
    return ms === null ? oneCalendarMonthAfter(now) : new Date(now.getTime() + ms);
  }

  /** Changes priority, validAfter and/or deadline of a WAITING request. */
  async update(id: number, input: UpdateRequestInput, actor: Actor): Promise<RequestView> {
    assertLabUser(actor, 'update requests');
    if (input.priority) assertPriority(input.priority, actor);
    return this.tx.run(actor.label, async (uow) => {
      const request = await this.find(uow, id);
      assertMayManageRequest(actor, request, 'update');
      if (!input.priority && !input.validAfter && !input.deadline) return viewOfRequest(request);
      if (request.state !== RequestState.Waiting)
        throw new ActionNotAllowedInStateError(id, 'updated', request.state);
      if (input.deadline && input.deadline.getTime() < uow.now.getTime())
        throw new DeadlineInPastError(input.deadline);
      const deadline = input.deadline ?? request.deadline;
      const validAfter = input.validAfter ?? request.validAfter;
      if (validAfter.getTime() > deadline.getTime())
        throw new IllegalTimeRangeError(validAfter, deadline);
      const before = {
        priority: request.priority,
        validAfter: request.validAfter,
        deadline: request.deadline,
      };
      const changes: Partial<RequestEntity> = { validAfter, deadline, updatedAt: uow.now };
      if (input.priority && input.priority !== request.priority) {
        // A new priority puts the request at the tail of that priority's queue.
        changes.priority = input.priority;
        changes.queueSeq = await this.sequence.next(uow);
      }
      // Only over what was read: a close or a match that committed meanwhile must not be
      // followed by a stale request.updated (the unit of work runs again and sees it).
      await this.repository.updateQueueFieldsIfUnchanged(uow.em, request, changes);
      Object.assign(request, changes);
      const view = viewOfRequest(request);
      uow.emit({
        type: 'request.updated',
        request: view,
        at: uow.now,
        actor: actor.label,
        reason: null,
        before,
        after: { priority: request.priority, validAfter, deadline },
      });
      return view;
    });
  }

  /** WAITING → CANCELLED; IN PROGRESS → DONE (the worker is cleaned for the next user). */
  async close(id: number, actor: Actor): Promise<RequestView> {
    return (await this.closeDetailed(id, actor)).request;
  }

  /** As close, answering what a read would (the ended job, the owner's name). */
  async closeDetailed(id: number, actor: Actor): Promise<RequestDetails> {
    assertLabUser(actor, 'close requests');
    return this.tx.run(actor.label, async (uow) => {
      const request = await this.find(uow, id);
      assertMayManageRequest(actor, request, 'close');
      const byOwner = request.owner === ownerKeyOf(actor);
      const how = byOwner ? 'closed-by-owner' : 'closed-by-admin';
      const reason = byOwner ? 'closed by its owner' : 'closed by an admin';
      if (request.state === RequestState.Waiting) {
        await endRequest(uow, request, RequestState.Cancelled, how, reason);
        return this.detailsOf(request, null, actor, await this.ownerNameIn(uow, request, actor));
      }
      if (request.state !== RequestState.InProgress)
        throw new ActionNotAllowedInStateError(id, 'closed', request.state);
      const job = await this.jobs.endJob(uow, request, RequestState.Done, how, reason);
      return this.detailsOf(request, job, actor, await this.ownerNameIn(uow, request, actor));
    });
  }

  /**
   * A request written in this transaction, with `job` as written too, as get would show it.
   * `ownerName` defaults to the actor's own name: the creator owns what they file.
   */
  private detailsOf(
    request: RequestEntity,
    job: JobView | null,
    actor: Actor,
    ownerName = nameOf(ownNames(actor), request.owner),
  ): RequestDetails {
    return { request: viewOfRequest(request), job, ownerName };
  }

  /** The owner's name of `request`: no query when the actor is the owner (see ownerNames). */
  private async ownerNameIn(
    uow: UnitOfWork,
    request: RequestEntity,
    actor: Actor,
  ): Promise<string> {
    return nameOf(await ownerNames(uow.em, [request.owner], actor), request.owner);
  }

  /** Any lab user may read any request (who may change it is close's and update's business). */
  async get(id: number, actor: Actor, options: GetRequestOptions = {}): Promise<RequestDetails> {
    assertLabUser(actor, 'read requests');
    return this.tx.read(async (em) => {
      // Both at once: one wait for the database instead of two (every poll of a tester).
      const [request, [found]] = await Promise.all([
        this.repository.findById(em, id),
        this.jobs.jobsOf(em, [id]),
      ]);
      if (!request) throw new RequestNotFoundError(id);
      // A start may commit between the two reads: a WAITING request has no job yet, and the
      // job of one that was started (in the same transaction) is read again if it was missed.
      const started = JOB_STATES.includes(request.state);
      const job = !started ? null : (found ?? (await this.jobs.jobsOf(em, [id]))[0]);
      const names =
        options.ownerName === false ? new Map() : await ownerNames(em, [request.owner], actor);
      return {
        request: viewOfRequest(request),
        job: job ?? null,
        ownerName: nameOf(names, request.owner),
      };
    });
  }

  async list(
    filter: ListRequestsFilter,
    sort: SortSpec<RequestSortItem>,
    page: PageSpec<number>,
    actor: Actor,
  ): Promise<Page<RequestDetails>> {
    assertLabUser(actor, 'list requests');
    return this.tx.read(async (em) => {
      const { ownerName, ...stored } = filter;
      const owner = ownerName === undefined ? undefined : await ownerKeyNamed(em, ownerName, actor);
      if (owner === null) return { items: [], total: 0, remaining: 0 };
      const found = await this.repository.page(
        em,
        { ...stored, ...(owner ? { owners: [owner] } : {}) },
        sort,
        page,
      );
      const ids = found.items.map((r) => r.id);
      const [jobList, names] = await Promise.all([
        this.jobs.jobsOf(em, ids),
        ownerNames(
          em,
          found.items.map((r) => r.owner),
          actor,
        ),
      ]);
      const jobs = new Map(jobList.map((j) => [j.requestId, j]));
      return {
        ...found,
        items: found.items.map((request) => {
          const job = jobs.get(request.id);
          return {
            request: viewOfRequest(request),
            job: job ?? null,
            ownerName: nameOf(names, request.owner),
          };
        }),
      };
    });
  }

  /** Deadline passed while WAITING → TIMEOUT (re-checked against the stored deadline). */
  async timeout(id: number): Promise<boolean> {
    return this.tx.run(TIMEKEEPER.label, async (uow) => {
      const request = await this.repository.findById(uow.em, id);
      if (!request || request.state !== RequestState.Waiting) return false;
      if (request.deadline.getTime() > uow.now.getTime()) return false;
      await requestStateMachine.transitionTo(
        uow,
        request,
        RequestState.Timeout,
        'deadline passed while waiting',
      );
      return true;
    });
  }

  /** Every WAITING request (for rebuilding the matcher's and the timekeeper's memory). */
  waiting(): Promise<RequestView[]> {
    return this.tx.read(async (em) => (await this.repository.waiting(em)).map(viewOfRequest));
  }

  private async find(uow: UnitOfWork, id: number): Promise<RequestEntity> {
    const request = await this.repository.findById(uow.em, id);
    if (!request) throw new RequestNotFoundError(id);
    return request;
  }
}

function assertPriority(priority: number, actor: Actor): void {
  if (!Number.isInteger(priority))
    throw new InvalidInputError(`priority must be a whole number, got ${priority}`);
  if (priority < HIGHEST_PRIORITY || priority > LOWEST_PRIORITY)
    throw new PriorityOutOfBoundsError(priority);
  if (priority < actor.bestPriority)
    throw new PriorityNotAllowedError(priority, actor.bestPriority);
}

/** A client may repeat its owner's groups (upstream's clients send them), never claim others. */
function assertClaimedGroups(actor: Actor, claimed: readonly string[]): void {
  if (actsOnAnything(actor)) return;
  const foreign = claimed.filter((group) => !actor.groups.includes(group));
  if (foreign.length === 0) return;
  throw new NotAllowedError(
    `a request's groups are its owner's, set by an admin: ${actor.label} is not in ${foreign.join(', ')}`,
  );
}
