import { WorkerView } from '../events/domain-event';
import { DryadTarget } from './dryad.port';

export function dryadTarget(
  worker: Pick<WorkerView, 'uuid' | 'controlAddr' | 'hostKey'>,
): DryadTarget {
  return { uuid: worker.uuid, controlAddr: worker.controlAddr, hostKey: worker.hostKey };
}
