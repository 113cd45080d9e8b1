import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import type { V1Request } from './v1-front-door.middleware';
import { decodeGoJson, GoJsonError } from './wire/go-json.decoder';
import type { GoType } from './wire/go-types';

/** The raw request body the front door read (empty when it read none). */
export const V1Body = createParamDecorator(
  (_: unknown, ctx: ExecutionContext): Buffer =>
    ctx.switchToHttp().getRequest<V1Request>().v1Body ?? Buffer.alloc(0),
);

/** Decodes a body that upstream required (no body → "no body provided in HTTP request"). */
export function decodeRequired<T>(type: GoType, body: Buffer): T {
  return decodeGoJson<T>(type, body);
}

/** Decodes a body that upstream's list calls made optional: no JSON value at all → null. */
export function decodeOptional<T>(type: GoType, body: Buffer): T | null {
  try {
    return decodeGoJson<T>(type, body);
  } catch (error) {
    if (error instanceof GoJsonError && error.isEof) return null;
    throw error;
  }
}
