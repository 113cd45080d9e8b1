import type { Caps } from 'dryad-agent/protocol';
import { InvalidInputError } from '../../../common/domain-error';
import { PageSpec } from '../../../common/list-query';
import { WorkerFilter } from '../../../workers/worker-list.query';
import { isWorkerState, WORKER_STATES } from '../../../workers/worker-state';
import { decodeWorkerCursor } from './worker-cursor';
import { WorkerListQueryDto } from './workers-v2.dto';

/** The list query as WorkersService.list takes it; a malformed filter names itself. */
export function toWorkerListSpec(query: WorkerListQueryDto): {
  filter: WorkerFilter;
  page: PageSpec<string>;
} {
  const filter: WorkerFilter = {};
  if (query.state !== undefined) filter.states = parseStates(query.state);
  if (query.caps !== undefined) filter.caps = parseCaps(query.caps);
  if (query.group !== undefined) filter.groups = commaList(query.group);
  return {
    filter,
    page: {
      direction: 'forward',
      limit: query.limit ?? 0,
      border: query.cursor === undefined ? null : decodeWorkerCursor(query.cursor),
    },
  };
}

function commaList(text: string): string[] {
  return text
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '');
}

function parseStates(text: string): string[] {
  const states = commaList(text);
  for (const state of states) {
    if (!isWorkerState(state))
      throw new InvalidInputError(
        `state "${state}" is not a worker state: use ${WORKER_STATES.join(', ')}`,
      );
  }
  return states;
}

/** `board=rpi4,arch=arm64`: every cap must be present with that value. */
function parseCaps(text: string): Caps {
  const caps: Caps = {};
  for (const item of commaList(text)) {
    const at = item.indexOf('=');
    if (at <= 0)
      throw new InvalidInputError(
        `caps filter item "${item}" is not key=value (e.g. caps=board=rpi4,arch=arm64)`,
      );
    caps[item.slice(0, at).trim()] = item.slice(at + 1).trim();
  }
  return caps;
}
