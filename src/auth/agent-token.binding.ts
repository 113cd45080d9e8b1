import { EntityManager, IsNull } from 'typeorm';
import { UnitOfWork } from '../database/unit-of-work';
import { viewOfToken } from '../events/domain-event';
import { Actor, isEnrollmentAgent } from './actor';
import { NotAllowedError } from './auth.errors';
import { TokenEntity } from './token.entity';

/**
 * The lab-wide enrollment token (LESHY_AGENT_TOKEN) speaks for workers that have no agent
 * token of their own: once a worker has one, only that token speaks for it.
 */
export async function assertEnrollmentMaySpeakFor(
  em: EntityManager,
  actor: Actor,
  uuid: string,
): Promise<void> {
  if (!isEnrollmentAgent(actor)) return;
  const own = await em.findOne(TokenEntity, { where: { workerUuid: uuid, revokedAt: IsNull() } });
  if (own)
    throw new NotAllowedError(
      `worker ${uuid} has its own agent token: the enrollment token (LESHY_AGENT_TOKEN) may not speak for it`,
    );
}

/**
 * In the registration's transaction: a per-agent token not bound yet is bound to the UUID it
 * registers (its first registration), unless another live token speaks for that UUID already.
 */
export async function bindAgentTokenOnRegistration(
  uow: UnitOfWork,
  actor: Actor,
  uuid: string,
): Promise<void> {
  await assertEnrollmentMaySpeakFor(uow.em, actor, uuid);
  if (actor.kind !== 'agent' || actor.tokenId === null || actor.id !== null) return;
  const other = await uow.em.findOne(TokenEntity, {
    where: { workerUuid: uuid, revokedAt: IsNull() },
  });
  if (other)
    throw new NotAllowedError(
      `worker ${uuid} is bound to another agent token: this token may not register it`,
    );
  const bound = await uow.em.update(
    TokenEntity,
    { id: actor.tokenId, workerUuid: IsNull(), revokedAt: IsNull() },
    { workerUuid: uuid },
  );
  if (bound.affected !== 1)
    throw new NotAllowedError('this agent token was revoked or bound meanwhile: register again');
  const token = await uow.em.findOneOrFail(TokenEntity, { where: { id: actor.tokenId } });
  uow.emit({
    type: 'token.bound',
    token: viewOfToken(token),
    at: uow.now,
    actor: uow.actor,
    reason: 'first registration with this token',
    before: { workerUuid: null },
    after: { workerUuid: uuid },
  });
}
