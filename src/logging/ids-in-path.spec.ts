import { idsInPath } from './ids-in-path';

describe('idsInPath', () => {
  const uuid = '3c0f9d2e-1111-2222-3333-444455556666';
  it.each([
    ['/api/v1/reqs/17', { requestId: 17 }],
    ['/api/v1/reqs/17/acquire_worker', { requestId: 17 }],
    ['/api/v2/requests/5', { requestId: 5 }],
    [`/api/v1/workers/${uuid}/setstate`, { workerUuid: uuid }],
    [`/api/v2/agents/${uuid.toUpperCase()}/heartbeat`, { workerUuid: uuid }],
    ['/api/v1/reqs/list', {}],
    ['/health', {}],
  ])('%s', (path, fields) => expect(idsInPath(path)).toEqual(fields));
});
