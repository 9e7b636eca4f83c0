import { applyDecorators } from '@nestjs/common';
import { Transform } from 'class-transformer';
import { IsString, Matches, MaxLength, ValidateIf } from 'class-validator';
import { NAME_MAX_LENGTH } from '@kapok/admin';

// Checks shared by the administration DTOs (admin-org, admin-hotlines, admin-keys controllers).

/** Present (null included: it then fails the field's checks), unlike IsOptional, which lets null through. */
export const IfPresent = () => ValidateIf((_: object, v: unknown) => v !== undefined);

/** Leading and trailing spaces are not part of a name. */
export const Trim = () => Transform(({ value }) => (typeof value === 'string' ? value.trim() : value));

/** A unit's, line's or key's name: text, not blank, at most NAME_MAX_LENGTH characters (trimmed first). */
export const IsName = (field = 'name') =>
  applyDecorators(
    Trim(),
    IsString({ message: `${field} must be a string` }),
    Matches(/\S/, { message: `${field} must not be blank` }),
    MaxLength(NAME_MAX_LENGTH, { message: `${field} must be at most ${NAME_MAX_LENGTH} characters` }),
  );
