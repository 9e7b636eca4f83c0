import { plainToInstance } from 'class-transformer';
import { IsIn, IsUUID } from 'class-validator';
import { validate } from 'class-validator';
import { OfferPayload as OfferPayloadShape, PRESENCES, Presence, PresenceSetPayload } from '@kapok/contracts';

/** `presence:set` (the shape: @kapok/contracts). */
export class PresencePayload implements PresenceSetPayload {
  @IsIn(PRESENCES)
  status: Presence;
}

/** `offer:accept`, `offer:decline`. */
export class OfferPayload implements OfferPayloadShape {
  @IsUUID('4')
  offerId: string;
}

/** Deeper than any request body or socket payload of the API (the outcome is 4 levels deep). */
export const MAX_INPUT_DEPTH = 16;

/**
 * Screens untrusted input (an HTTP body or a socket payload) before class-transformer and class-validator see it:
 * both recurse, so a body nested a few thousand levels deep overflows the stack (a 500), and PostgreSQL refuses
 * the NUL character in text and jsonb (another 500). Walks the value without recursion and returns the first
 * problem, naming its path (materialAid.items.0.description …), or undefined.
 */
export function inspectUntrusted(value: unknown, maxDepth = MAX_INPUT_DEPTH): string | undefined {
  const pending: { value: unknown; path: string; depth: number }[] = [{ value, path: '', depth: 0 }];
  while (pending.length) {
    const { value: v, path, depth } = pending.pop()!;
    if (typeof v === 'string') {
      if (v.includes('\u0000')) return `${path || 'value'} must not contain the NUL character (\\u0000)`;
      continue;
    }
    if (typeof v !== 'object' || v === null || ArrayBuffer.isView(v) || v instanceof ArrayBuffer) continue;
    if (depth >= maxDepth) return `${path || 'value'} is nested too deeply (at most ${maxDepth} levels)`;
    for (const [key, child] of Object.entries(v)) {
      const childPath = path ? `${path}.${key}` : key;
      if (key.includes('\u0000')) return `${path || 'value'} has a property name with the NUL character (\\u0000)`;
      pending.push({ value: child, path: childPath, depth: depth + 1 });
    }
  }
  return undefined;
}

/** Validates a socket payload like the HTTP ValidationPipe does; returns the message naming the bad fields. */
export async function parsePayload<T extends object>(
  cls: new () => T,
  payload: unknown,
): Promise<{ value: T } | { error: string }> {
  if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) {
    return { error: 'invalid_payload: expected an object' };
  }
  const problem = inspectUntrusted(payload);
  if (problem) return { error: `invalid_payload: ${problem}` };
  try {
    const value = plainToInstance(cls, payload);
    const errors = await validate(value, { whitelist: true, forbidNonWhitelisted: true });
    if (errors.length) {
      const msg = errors.flatMap((e) => Object.values(e.constraints ?? { [e.property]: `${e.property} is invalid` }));
      return { error: `invalid_payload: ${msg.join('; ')}` };
    }
    return { value };
  } catch {
    // Whatever the payload does to the transformer, the answer is an ack, not an unanswered event.
    return { error: 'invalid_payload' };
  }
}
