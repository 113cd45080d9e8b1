import { GoTimeParseError, parseGoTimeJson } from './go-time';
import { GoType, GoValue, zeroOf } from './go-types';

/**
 * What upstream's handlers did with a request body: `json.NewDecoder(body).Decode(&v)` (Go 1.19).
 * Clients see this decoder's error texts ("unexpected EOF", "json: cannot unmarshal number 300
 * into Go struct field ReqInfo.Priority of type boruta.Priority"), so they are reproduced here:
 * first a scanner with the syntax errors of Go's, then a typed decode with Go's type errors.
 */
export class GoJsonError extends Error {
  /** The body held no JSON value at all (Go's io.EOF). */
  readonly isEof: boolean;
  constructor(message: string, isEof = false) {
    super(message);
    this.isEof = isEof;
  }
}

/** A parsed JSON value with the byte range it came from (time.Time decodes the raw text). */
export type JsonNode =
  | { t: 'object'; entries: Array<[string, JsonNode]>; start: number; end: number }
  | { t: 'array'; items: JsonNode[]; start: number; end: number }
  | { t: 'string'; value: string; start: number; end: number }
  | { t: 'number'; start: number; end: number }
  | { t: 'true' | 'false' | 'null'; start: number; end: number };

const MAX_DEPTH = 10_000;
const isSpace = (c: string) => c === ' ' || c === '\t' || c === '\r' || c === '\n';
const isDigit = (c: string | undefined) => c !== undefined && c >= '0' && c <= '9';

/** Go's json quoteChar: the offending byte as Go's scanner names it. */
function quoteChar(c: string): string {
  if (c === "'") return "'\\''";
  if (c === '"') return "'\"'";
  const code = c.charCodeAt(0);
  const named: Record<number, string> = {
    7: 'a',
    8: 'b',
    9: 't',
    10: 'n',
    11: 'v',
    12: 'f',
    13: 'r',
  };
  if (named[code]) return `'\\${named[code]}'`;
  if (code < 0x20 || code === 0x7f) return `'\\x${code.toString(16).padStart(2, '0')}'`;
  // strconv.Quote of the rune with the byte's value: C1 controls, NBSP and soft hyphen escaped.
  if ((code >= 0x80 && code <= 0xa0) || code === 0xad)
    return `'\\u${code.toString(16).padStart(4, '0')}'`;
  if (c === '\\') return "'\\\\'";
  return `'${c}'`;
}

class UnexpectedEof extends Error {}

/** Go's scanner over the body's bytes (held as a latin1 string: one char per byte). */
class Scanner {
  private pos = 0;
  private depth = 0;
  constructor(readonly text: string) {}

  /** The first JSON value of the body, as json.Decoder.Decode reads it. */
  top(): JsonNode {
    this.skipSpace();
    if (this.pos >= this.text.length) throw new GoJsonError('EOF', true);
    try {
      // json.Decoder stops at the end of the first value: whatever follows is never read
      // (its scanner flags a byte glued to a number, but the Decoder ignores that flag).
      const node = this.value();
      return node;
    } catch (error) {
      if (error instanceof UnexpectedEof) throw new GoJsonError('unexpected EOF');
      throw error;
    }
  }

  private error(c: string, context: string): never {
    throw new GoJsonError(`invalid character ${quoteChar(c)} ${context}`);
  }

  private peek(): string {
    if (this.pos >= this.text.length) throw new UnexpectedEof();
    return this.text[this.pos];
  }

  private skipSpace(): void {
    while (this.pos < this.text.length && isSpace(this.text[this.pos])) this.pos++;
  }

  private value(): JsonNode {
    this.skipSpace();
    const c = this.peek();
    const start = this.pos;
    switch (c) {
      case '{':
        return this.object();
      case '[':
        return this.array();
      case '"':
        return { t: 'string', value: this.string(), start, end: this.pos };
      case 't':
        return this.literal('true');
      case 'f':
        return this.literal('false');
      case 'n':
        return this.literal('null');
      default:
        if (c === '-' || isDigit(c)) return this.number();
        this.error(c, 'looking for beginning of value');
    }
  }

  private enter(c: string): void {
    if (++this.depth > MAX_DEPTH) this.error(c, 'exceeded max depth');
    this.pos++;
  }

  private object(): JsonNode {
    const start = this.pos;
    this.enter('{');
    const entries: Array<[string, JsonNode]> = [];
    this.skipSpace();
    if (this.peek() === '}') {
      this.pos++;
      this.depth--;
      return { t: 'object', entries, start, end: this.pos };
    }
    for (;;) {
      this.skipSpace();
      const q = this.peek();
      if (q !== '"') this.error(q, 'looking for beginning of object key string');
      const key = this.string();
      this.skipSpace();
      const colon = this.peek();
      if (colon !== ':') this.error(colon, 'after object key');
      this.pos++;
      entries.push([key, this.value()]);
      this.skipSpace();
      const next = this.peek();
      this.pos++;
      if (next === '}') break;
      if (next !== ',') this.error(next, 'after object key:value pair');
    }
    this.depth--;
    return { t: 'object', entries, start, end: this.pos };
  }

  private array(): JsonNode {
    const start = this.pos;
    this.enter('[');
    const items: JsonNode[] = [];
    this.skipSpace();
    if (this.peek() === ']') {
      this.pos++;
      this.depth--;
      return { t: 'array', items, start, end: this.pos };
    }
    for (;;) {
      items.push(this.value());
      this.skipSpace();
      const next = this.peek();
      this.pos++;
      if (next === ']') break;
      if (next !== ',') this.error(next, 'after array element');
    }
    this.depth--;
    return { t: 'array', items, start, end: this.pos };
  }

  /** A string token; returns its value (UTF-8 decoded, escapes resolved). */
  private string(): string {
    const start = this.pos;
    this.pos++;
    for (;;) {
      const c = this.peek();
      this.pos++;
      if (c === '"') break;
      if (c === '\\') {
        const e = this.peek();
        this.pos++;
        if (e === 'u') {
          for (let i = 0; i < 4; i++) {
            const h = this.peek();
            if (!/[0-9a-fA-F]/.test(h)) this.error(h, 'in \\u hexadecimal character escape');
            this.pos++;
          }
        } else if (!'"\\/bfnrt'.includes(e)) {
          this.error(e, 'in string escape code');
        }
      } else if (c.charCodeAt(0) < 0x20) {
        this.error(c, 'in string literal');
      }
    }
    const token = Buffer.from(this.text.slice(start, this.pos), 'latin1').toString('utf8');
    return JSON.parse(token) as string;
  }

  private literal(word: 'true' | 'false' | 'null'): JsonNode {
    const start = this.pos;
    this.pos++;
    for (let i = 1; i < word.length; i++) {
      const c = this.peek();
      if (c !== word[i]) this.error(c, `in literal ${word} (expecting '${word[i]}')`);
      this.pos++;
    }
    return { t: word, start, end: this.pos };
  }

  private number(): JsonNode {
    const start = this.pos;
    const atEnd = () => this.pos >= this.text.length;
    if (this.text[this.pos] === '-') {
      this.pos++;
      const c = this.peek();
      if (!isDigit(c)) this.error(c, 'in numeric literal');
    }
    if (this.text[this.pos] === '0') this.pos++;
    else while (!atEnd() && isDigit(this.text[this.pos])) this.pos++;
    if (!atEnd() && this.text[this.pos] === '.') {
      this.pos++;
      const c = this.peek();
      if (!isDigit(c)) this.error(c, 'after decimal point in numeric literal');
      while (!atEnd() && isDigit(this.text[this.pos])) this.pos++;
    }
    if (!atEnd() && (this.text[this.pos] === 'e' || this.text[this.pos] === 'E')) {
      this.pos++;
      let c = this.peek();
      if (c === '+' || c === '-') {
        this.pos++;
        c = this.peek();
      }
      if (!isDigit(c)) this.error(c, 'in exponent of numeric literal');
      while (!atEnd() && isDigit(this.text[this.pos])) this.pos++;
    }
    return { t: 'number', start, end: this.pos };
  }
}

/** Go's UnmarshalTypeError text, with the struct/field context Go 1.19 gives it. */
function typeError(value: string, type: GoType, ctx: DecodeContext): string {
  if (ctx.struct !== null || ctx.fields.length > 0) {
    return `json: cannot unmarshal ${value} into Go struct field ${ctx.struct ?? ''}.${ctx.fields.join('.')} of type ${type.name}`;
  }
  return `json: cannot unmarshal ${value} into Go value of type ${type.name}`;
}

interface DecodeContext {
  text: string;
  struct: string | null;
  fields: string[];
  /** Type errors do not stop Go's decoder: the first one is reported once the value is read. */
  saved: string | null;
}

const KIND_NAME: Record<JsonNode['t'], string> = {
  object: 'object',
  array: 'array',
  string: 'string',
  number: 'number',
  true: 'bool',
  false: 'bool',
  null: 'null',
};

function save(ctx: DecodeContext, message: string): void {
  if (ctx.saved === null) ctx.saved = message;
}

/** base64.StdEncoding.DecodeString as Go does it for []uint8 fields (padding required). */
function decodeBase64(text: string): number[] | string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
  const out: number[] = [];
  let i = 0;
  const next = (): { c: string; at: number } | null => {
    while (i < text.length && (text[i] === '\r' || text[i] === '\n')) i++;
    if (i >= text.length) return null;
    return { c: text[i], at: i++ };
  };
  for (;;) {
    const quantum: number[] = [];
    let padded = false;
    let quantumStart = i;
    for (let j = 0; j < 4; j++) {
      const got = next();
      if (!got) {
        if (j === 0) return out;
        // A quantum cut short without padding: Go reports where the quantum began.
        return `illegal base64 data at input byte ${quantumStart}`;
      }
      if (j === 0) quantumStart = got.at;
      if (got.c === '=') {
        // Padding only in the last two places of a quantum, and nothing may follow it.
        if (j < 2) return `illegal base64 data at input byte ${got.at}`;
        if (j === 2) {
          const second = next();
          if (!second) return `illegal base64 data at input byte ${text.length}`;
          if (second.c !== '=') return `illegal base64 data at input byte ${got.at}`;
        }
        const rest = next();
        if (rest) return `illegal base64 data at input byte ${rest.at}`;
        padded = true;
        break;
      }
      const v = alphabet.indexOf(got.c);
      if (v < 0) return `illegal base64 data at input byte ${got.at}`;
      quantum.push(v);
    }
    const bits = quantum.reduce((acc, v) => (acc << 6) | v, 0) << (6 * (4 - quantum.length));
    const bytes = [(bits >> 16) & 0xff, (bits >> 8) & 0xff, bits & 0xff];
    out.push(...bytes.slice(0, quantum.length - 1));
    if (padded) return out;
  }
}

function decodeInto(type: GoType, node: JsonNode, current: GoValue, ctx: DecodeContext): GoValue {
  if (node.t === 'null') {
    // null clears pointers, slices and maps; other kinds keep their value (Go's rules).
    return type.kind === 'ptr' || type.kind === 'slice' || type.kind === 'map' ? null : current;
  }
  switch (type.kind) {
    case 'ptr':
      return decodeInto(type.elem, node, current ?? zeroOf(type.elem), ctx);
    case 'time': {
      // time.Time implements json.Unmarshaler: its error ends the decode at once.
      try {
        return parseGoTimeJson(ctx.text.slice(node.start, node.end));
      } catch (error) {
        if (error instanceof GoTimeParseError) throw new GoJsonError(error.message);
        throw error;
      }
    }
    case 'text': {
      if (node.t !== 'string') {
        save(ctx, typeError(KIND_NAME[node.t], type, ctx));
        return current;
      }
      // encoding.TextUnmarshaler: like time.Time, its error ends the decode.
      const parsed = type.parse(node.value);
      if (typeof parsed !== 'string') throw new GoJsonError(parsed.error);
      return parsed;
    }
    case 'uint': {
      if (node.t !== 'number') {
        save(ctx, typeError(KIND_NAME[node.t], type, ctx));
        return current;
      }
      const raw = ctx.text.slice(node.start, node.end);
      if (!/^\d+$/.test(raw) || BigInt(raw) > (1n << BigInt(type.bits)) - 1n) {
        save(ctx, typeError(`number ${raw}`, type, ctx));
        return current;
      }
      return type.bits === 64 ? BigInt(raw) : Number(raw);
    }
    case 'string': {
      if (node.t !== 'string') {
        save(ctx, typeError(KIND_NAME[node.t], type, ctx));
        return current;
      }
      return node.value;
    }
    case 'slice': {
      if (node.t === 'string' && type.elem.kind === 'uint' && type.elem.bits === 8) {
        // Go encodes []uint8 as base64 text, and decodes it back from base64.
        const decoded = decodeBase64(node.value);
        if (typeof decoded === 'string') {
          save(ctx, decoded);
          return current;
        }
        return decoded;
      }
      if (node.t !== 'array') {
        save(ctx, typeError(KIND_NAME[node.t], type, ctx));
        return current;
      }
      return node.items.map((item) => decodeInto(type.elem, item, zeroOf(type.elem), ctx));
    }
    case 'map': {
      if (node.t !== 'object') {
        save(ctx, typeError(KIND_NAME[node.t], type, ctx));
        return current;
      }
      const map = new Map<string, GoValue>((current as Map<string, GoValue> | null) ?? []);
      for (const [key, value] of node.entries) {
        map.set(key, decodeInto(type.elem, value, map.get(key) ?? zeroOf(type.elem), ctx));
      }
      return map;
    }
    case 'struct': {
      if (node.t !== 'object') {
        save(ctx, typeError(KIND_NAME[node.t], type, ctx));
        return current;
      }
      const result = { ...(current as Record<string, GoValue>) };
      for (const [key, value] of node.entries) {
        // Exact name first, then Go's case-insensitive fallback; unknown keys are ignored.
        const field =
          type.fields.find((f) => f.name === key) ??
          type.fields.find((f) => f.name.toLowerCase() === key.toLowerCase());
        if (!field) continue;
        const outer = { struct: ctx.struct, depth: ctx.fields.length };
        ctx.fields.push(field.name);
        ctx.struct = type.shortName;
        result[field.name] = decodeInto(field.type, value, result[field.name], ctx);
        ctx.fields.length = outer.depth;
        ctx.struct = outer.struct;
      }
      return result;
    }
  }
}

/** Scans the first JSON value of `body` the way Go's json.Decoder does. */
export function scanGoJson(body: Buffer): { node: JsonNode; text: string } {
  const text = body.toString('latin1');
  return { node: new Scanner(text).top(), text };
}

/**
 * `json.NewDecoder(body).Decode(&v)` for a value of Go type `type`: resolves to the decoded
 * value, or throws GoJsonError with the text Go would have returned.
 */
export function decodeGoJson<T>(type: GoType, body: Buffer): T {
  const { node, text } = scanGoJson(body);
  const ctx: DecodeContext = { text, struct: null, fields: [], saved: null };
  const value = decodeInto(type, node, zeroOf(type), ctx);
  if (ctx.saved !== null) throw new GoJsonError(ctx.saved);
  return value as T;
}
