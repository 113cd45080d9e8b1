import type { GoInstant } from './go-time';
import { goMap, goPtr, goSlice, goString, goStruct, goTime, GoType, goUint } from './go-types';

/**
 * The Go types upstream Boruta decodes request bodies into (package boruta, filter and http),
 * with their Go names: the names appear in the error texts clients see.
 */

export type SortOrderValue = 'asc' | 'desc';
export type DirectionValue = 'forward' | 'backward';

/** boruta.SortOrder: "ascending" (default) or "descending", any case. */
const SortOrder: GoType = {
  kind: 'text',
  name: 'boruta.SortOrder',
  zero: 'asc',
  parse: (text) => {
    const lower = text.toLowerCase();
    if (lower === '' || lower === 'ascending') return 'asc';
    if (lower === 'descending') return 'desc';
    return { error: 'unknown sort order (valid: ascending or descending)' };
  },
};

/** boruta.ListDirection: "forward" (default) or "backward", any case. */
const ListDirection: GoType = {
  kind: 'text',
  name: 'boruta.ListDirection',
  zero: 'forward',
  parse: (text) => {
    const lower = text.toLowerCase();
    if (lower === '' || lower === 'forward') return 'forward';
    if (lower === 'backward') return 'backward';
    return { error: 'unknown direction (valid: forward or backward)' };
  },
};

const ReqID = goUint(64, 'boruta.ReqID');
const Priority = goUint(8, 'boruta.Priority');
const ReqState = goString('boruta.ReqState');
const WorkerUUID = goString('boruta.WorkerUUID');
const WorkerState = goString('boruta.WorkerState');
export const GroupsType = goSlice(goString('boruta.Group'), 'boruta.Groups');
const Capabilities = goMap(goString('string'), 'boruta.Capabilities');

const SortInfo = goStruct('boruta.SortInfo', [
  ['Item', goString('string')],
  ['Order', SortOrder],
]);

export const ReqInfoType = goStruct('boruta.ReqInfo', [
  ['ID', ReqID],
  ['Priority', Priority],
  ['Owner', goStruct('boruta.UserInfo', [['Groups', GroupsType]])],
  ['Deadline', goTime],
  ['ValidAfter', goTime],
  ['State', ReqState],
  [
    'Job',
    goPtr(
      goStruct('boruta.JobInfo', [
        ['WorkerUUID', WorkerUUID],
        ['Timeout', goTime],
      ]),
    ),
  ],
  ['Caps', Capabilities],
]);

export const RequestsListSpecType = goStruct('http.RequestsListSpec', [
  [
    'Filter',
    goPtr(
      goStruct('filter.Requests', [
        ['IDs', goSlice(ReqID)],
        ['Priorities', goSlice(Priority)],
        ['States', goSlice(ReqState)],
      ]),
    ),
  ],
  ['Sorter', goPtr(SortInfo)],
  [
    'Paginator',
    goPtr(
      goStruct('boruta.RequestsPaginator', [
        ['ID', ReqID],
        ['Direction', ListDirection],
        ['Limit', goUint(16, 'uint16')],
      ]),
    ),
  ],
]);

export const WorkersListSpecType = goStruct('http.WorkersListSpec', [
  [
    'Filter',
    goPtr(
      goStruct('filter.Workers', [
        ['Groups', GroupsType],
        ['Capabilities', Capabilities],
      ]),
    ),
  ],
  ['Sorter', goPtr(SortInfo)],
  [
    'Paginator',
    goPtr(
      goStruct('boruta.WorkersPaginator', [
        ['ID', WorkerUUID],
        ['Direction', ListDirection],
        ['Limit', goUint(16, 'uint16')],
      ]),
    ),
  ],
]);

/** http.WorkerStatePack embeds boruta.WorkerState, so its JSON key is "WorkerState". */
export const WorkerStatePackType = goStruct('http.WorkerStatePack', [['WorkerState', WorkerState]]);

/** Decoded shapes (Go zero values for what the body left out). */
export interface ReqInfoBody {
  ID: bigint;
  Priority: number;
  Owner: { Groups: string[] | null };
  Deadline: GoInstant | null;
  ValidAfter: GoInstant | null;
  State: string;
  Job: unknown;
  Caps: Map<string, string> | null;
}

interface SortInfoBody {
  Item: string;
  Order: SortOrderValue;
}

export interface RequestsListSpecBody {
  Filter: { IDs: bigint[] | null; Priorities: number[] | null; States: string[] | null } | null;
  Sorter: SortInfoBody | null;
  Paginator: { ID: bigint; Direction: DirectionValue; Limit: number } | null;
}

export interface WorkersListSpecBody {
  Filter: { Groups: string[] | null; Capabilities: Map<string, string> | null } | null;
  Sorter: SortInfoBody | null;
  Paginator: { ID: string; Direction: DirectionValue; Limit: number } | null;
}

export interface WorkerStatePackBody {
  WorkerState: string;
}
