/**
 * JSON text as Go's encoding/json (Go 1.19) writes it, so API v1 bodies match upstream byte
 * for byte: fields in struct order (callers build objects in that order), map keys sorted by
 * byte, and Go's string escaping (HTML characters and U+2028/U+2029 escaped, \u00XX for other
 * control characters).
 */
const HEX = '0123456789abcdef';

export function goJsonString(text: string): string {
  let out = '"';
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22) out += '\\"';
    else if (c === 0x5c) out += '\\\\';
    else if (c === 0x0a) out += '\\n';
    else if (c === 0x0d) out += '\\r';
    else if (c === 0x09) out += '\\t';
    else if (c < 0x20 || c === 0x3c || c === 0x3e || c === 0x26 || c === 0x2028 || c === 0x2029)
      out += `\\u${HEX[c >> 12]}${HEX[(c >> 8) & 0xf]}${HEX[(c >> 4) & 0xf]}${HEX[c & 0xf]}`;
    else if (c >= 0xd800 && c <= 0xdfff) {
      // Go writes invalid UTF-8 (a lone surrogate here) as U+FFFD.
      const pair =
        c <= 0xdbff && i + 1 < text.length && (text.charCodeAt(i + 1) & 0xfc00) === 0xdc00;
      out += pair ? text[i] + text[++i] : '\ufffd';
    } else out += text[i];
  }
  return `${out}"`;
}

/** A map[string]string: null when empty (Go's nil map), keys in byte order. */
export function goJsonStringMap(map: Readonly<Record<string, string>> | null | undefined): string {
  const keys = Object.keys(map ?? {});
  if (keys.length === 0) return 'null';
  // UTF-16 order equals byte order except around astral characters; compare as UTF-8 bytes.
  keys.sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
  return `{${keys.map((k) => `${goJsonString(k)}:${goJsonString(map![k])}`).join(',')}}`;
}

/** A []string: null when empty (Go's nil slice). */
export function goJsonStringSlice(items: readonly string[] | null | undefined): string {
  if (!items || items.length === 0) return 'null';
  return `[${items.map(goJsonString).join(',')}]`;
}

/** An object whose members are already encoded, in the given order. */
export function goJsonObject(members: Array<[string, string]>): string {
  return `{${members.map(([k, v]) => `${goJsonString(k)}:${v}`).join(',')}}`;
}
