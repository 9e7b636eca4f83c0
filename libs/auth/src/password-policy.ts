import { BadRequestException } from '@nestjs/common';
import { randomInt } from 'node:crypto';
import { COMMON_PASSWORDS } from './common-passwords';

/** The rules a chosen password must pass (docs/administration.md, "Passwords and login"). */
export const PASSWORD_RULES = {
  minLength: 10,
  maxLength: 200,
} as const;

/** The rules by name: a refusal names the rule it broke (`password.too_short` …). */
export const PASSWORD_RULE_NAMES = ['too_short', 'too_long', 'contains_username', 'too_common'] as const;
export type PasswordRule = (typeof PASSWORD_RULE_NAMES)[number];

export interface PasswordProblem {
  rule: PasswordRule;
  message: string;
}

/**
 * What is wrong with a password someone chooses (created with one, reset to one, changed to one): shorter than
 * PASSWORD_RULES.minLength characters, contains the account name (case-insensitive; names of 3 characters or more),
 * or is one of COMMON_PASSWORDS (case-insensitive). Empty when it passes. Temporary passwords the system generates
 * are not chosen and not checked here.
 */
export function passwordProblems(password: string, username?: string): PasswordProblem[] {
  const problems: PasswordProblem[] = [];
  const length = [...password].length;
  if (length < PASSWORD_RULES.minLength) {
    problems.push({
      rule: 'too_short',
      message: `must be at least ${PASSWORD_RULES.minLength} characters (密码至少 ${PASSWORD_RULES.minLength} 位)`,
    });
  }
  if (length > PASSWORD_RULES.maxLength) {
    problems.push({ rule: 'too_long', message: `must be at most ${PASSWORD_RULES.maxLength} characters` });
  }
  const lower = password.toLowerCase();
  const name = username?.trim().toLowerCase();
  if (name && name.length >= 3 && lower.includes(name)) {
    problems.push({ rule: 'contains_username', message: 'must not contain the username (密码不能包含用户名)' });
  }
  if (COMMON_PASSWORDS.has(lower)) {
    problems.push({ rule: 'too_common', message: 'is too common, choose another (密码过于常见)' });
  }
  return problems;
}

/** 400 naming the field and every rule it broke, e.g. `newPassword must be at least 10 characters …`. */
export function assertPasswordAllowed(password: string, username: string | undefined, field: string): void {
  const problems = passwordProblems(password, username);
  if (problems.length) {
    throw new BadRequestException(problems.map((p) => `${field} ${p.message} [password.${p.rule}]`));
  }
}

// No 0/O, 1/l/I: read aloud over the phone or copied from a printed list without mistakes.
const TEMPORARY_ALPHABET = 'abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789';
export const TEMPORARY_PASSWORD_LENGTH = 14;

/**
 * A one-time password for a new or reset account (shown once to the admin; the person must change it at first
 * sign-in): 14 characters from 56, about 81 bits of randomness (crypto.randomInt).
 */
export function generateTemporaryPassword(): string {
  let out = '';
  for (let i = 0; i < TEMPORARY_PASSWORD_LENGTH; i++) out += TEMPORARY_ALPHABET[randomInt(TEMPORARY_ALPHABET.length)];
  return out;
}
