import { plainToInstance } from 'class-transformer';
import { IsIn, IsUUID } from 'class-validator';
import { validate } from 'class-validator';

export class PresencePayload {
  @IsIn(['available', 'away', 'offline'])
  status: 'available' | 'away' | 'offline';
}

export class OfferPayload {
  @IsUUID('4')
  offerId: string;
}

/** Validates a socket payload like the HTTP ValidationPipe does; returns the message naming the bad fields. */
export async function parsePayload<T extends object>(
  cls: new () => T,
  payload: unknown,
): Promise<{ value: T } | { error: string }> {
  if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) {
    return { error: 'invalid_payload: expected an object' };
  }
  const value = plainToInstance(cls, payload);
  const errors = await validate(value, { whitelist: true, forbidNonWhitelisted: true });
  if (errors.length) {
    const msg = errors.flatMap((e) => Object.values(e.constraints ?? { [e.property]: `${e.property} is invalid` }));
    return { error: `invalid_payload: ${msg.join('; ')}` };
  }
  return { value };
}
