import { ValueTransformer } from 'typeorm';

/**
 * Moments are stored as integer milliseconds since the epoch (bigint): the same on SQLite and
 * PostgreSQL, exact, cheap to index and compare. pg returns bigint as a string, hence Number().
 */
export const epochMs: ValueTransformer = {
  to: (value: Date | null | undefined) => (value instanceof Date ? value.getTime() : value),
  from: (value: number | string | null) =>
    value === null || value === undefined ? null : new Date(Number(value)),
};

/** JSON documents (caps, groups) in a text column, portable across drivers. */
export const jsonText: ValueTransformer = {
  to: (value: unknown) => (value === undefined ? undefined : JSON.stringify(value)),
  from: (value: string | null) => (value === null ? null : JSON.parse(value)),
};

/** Integers stored as bigint come back from pg as strings. */
export const bigintNumber: ValueTransformer = {
  to: (value: number | null | undefined) => value,
  from: (value: number | string | null) => (value === null ? null : Number(value)),
};

/** As jsonText, but null stays SQL NULL (a document that may be absent). */
export const nullableJsonText: ValueTransformer = {
  to: (value: unknown) =>
    value === undefined ? undefined : value === null ? null : JSON.stringify(value),
  from: (value: string | null) => (value === null ? null : JSON.parse(value)),
};
