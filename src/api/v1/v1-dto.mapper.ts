import type { WorkerView } from '../../events/domain-event';
import type { JobAccess } from '../../jobs/jobs.service';
import type { JobKeyPair } from '../../keys/rsa-key';
import type { RequestDetails } from '../../requests/requests.service';
import { RequestState } from '../../requests/request-state';
import { capsForV1 } from './v1-caps';
import {
  goJsonObject,
  goJsonString,
  goJsonStringMap,
  goJsonStringSlice,
} from './wire/go-json.encoder';
import { formatGoTimeJson } from './wire/go-time';

/**
 * Leshy's views → upstream's Go structs as JSON text (boruta.ReqInfo, boruta.WorkerInfo,
 * http.AccessInfo2, http.BorutaVersion), fields in Go's declaration order.
 */

/** boruta.ReqInfo. */
export function toReqInfo({ request, job }: RequestDetails): string {
  return goJsonObject([
    ['ID', String(request.id)],
    ['Priority', String(request.priority)],
    ['Owner', goJsonObject([['Groups', goJsonStringSlice(request.ownerGroups)]])],
    ['Deadline', goJsonString(formatGoTimeJson(request.deadline))],
    ['ValidAfter', goJsonString(formatGoTimeJson(request.validAfter))],
    ['State', goJsonString(request.state)],
    [
      'Job',
      job
        ? goJsonObject([
            ['WorkerUUID', goJsonString(job.workerUuid)],
            ['Timeout', goJsonString(formatGoTimeJson(job.timeoutAt))],
          ])
        : 'null',
    ],
    ['Caps', goJsonStringMap(capsForV1(request.caps))],
  ]);
}

/** The job timeout a Boruta-Job-Timeout header carries: only while the request runs. */
export function jobTimeoutOf({ request, job }: RequestDetails): Date | null {
  return request.state === RequestState.InProgress && job ? job.timeoutAt : null;
}

/** boruta.WorkerInfo. */
export function toWorkerInfo(worker: WorkerView): string {
  return goJsonObject([
    ['WorkerUUID', goJsonString(worker.uuid)],
    ['State', goJsonString(worker.state)],
    ['Groups', goJsonStringSlice(worker.groups)],
    ['Caps', goJsonStringMap(worker.caps)],
  ]);
}

/** API v1 acquires with KeyHandOut 'job-key': its answer always has the job's key. */
function jobKeyOf(access: JobAccess): JobKeyPair {
  if (!access.key)
    throw new Error(`acquire of request ${access.requestId} came without its job key`);
  return access.key;
}

/** http.AccessInfo2: the tunnel as a net.TCPAddr, the job key as PKCS#1 PEM. */
export function toAccessInfo2(access: JobAccess): string {
  return goJsonObject([
    [
      'Addr',
      goJsonObject([
        ['IP', goJsonString(access.tunnel.ip)],
        ['Port', String(access.tunnel.port)],
        ['Zone', '""'],
      ]),
    ],
    ['Key', goJsonString(jobKeyOf(access).privateKeyPem)],
    ['Username', goJsonString(access.username)],
  ]);
}

export function toJsonList(items: string[]): string {
  return `[${items.join(',')}]`;
}
