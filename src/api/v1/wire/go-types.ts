import type { GoInstant } from './go-time';

/**
 * Just enough of Go's type system to decode request bodies as upstream's Go structs did:
 * `name` is what reflect's Type.String() prints in error texts ("boruta.Priority", "uint16").
 */
export type GoType =
  | { kind: 'uint'; bits: 8 | 16 | 64; name: string }
  | { kind: 'string'; name: string }
  | { kind: 'time'; name: 'time.Time' }
  /** A type with encoding.TextUnmarshaler: `parse` returns the value or `{ error }`. */
  | {
      kind: 'text';
      name: string;
      parse: (text: string) => string | { error: string };
      zero: string;
    }
  | { kind: 'slice'; elem: GoType; name: string }
  | { kind: 'map'; elem: GoType; name: string }
  | { kind: 'ptr'; elem: GoType; name: string }
  | {
      kind: 'struct';
      name: string;
      shortName: string;
      fields: Array<{ name: string; type: GoType }>;
    };

/** Decoded values: numbers (bigint for 64-bit), strings, instants, arrays, maps, structs, null. */
export type GoValue =
  | number
  | bigint
  | string
  | GoInstant
  | GoValue[]
  | Map<string, GoValue>
  | { [field: string]: GoValue }
  | null;

export const goUint = (bits: 8 | 16 | 64, name: string): GoType => ({ kind: 'uint', bits, name });
export const goString = (name: string): GoType => ({ kind: 'string', name });
export const goTime: GoType = { kind: 'time', name: 'time.Time' };
export const goSlice = (elem: GoType, name = `[]${elem.name}`): GoType => ({
  kind: 'slice',
  elem,
  name,
});
export const goMap = (elem: GoType, name: string): GoType => ({ kind: 'map', elem, name });
export const goPtr = (elem: GoType): GoType => ({ kind: 'ptr', elem, name: `*${elem.name}` });

/** A Go struct `pkg.Name` with its exported fields in declaration order. */
export function goStruct(qualified: string, fields: Array<[string, GoType]>): GoType {
  return {
    kind: 'struct',
    name: qualified,
    shortName: qualified.slice(qualified.lastIndexOf('.') + 1),
    fields: fields.map(([name, type]) => ({ name, type })),
  };
}

/** Go's zero value of a type: what a field holds when the JSON does not mention it. */
export function zeroOf(type: GoType): GoValue {
  switch (type.kind) {
    case 'uint':
      return type.bits === 64 ? 0n : 0;
    case 'string':
      return '';
    case 'text':
      return type.zero;
    case 'struct':
      return Object.fromEntries(type.fields.map((f) => [f.name, zeroOf(f.type)]));
    default:
      // time (unset), slices, maps and pointers start as nil.
      return null;
  }
}
