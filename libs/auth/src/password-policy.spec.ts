import { COMMON_PASSWORDS } from './common-passwords';
import { TEMPORARY_PASSWORD_LENGTH, generateTemporaryPassword, passwordProblems } from './password-policy';

const rules = (password: string, username?: string) => passwordProblems(password, username).map((p) => p.rule);

describe('password policy', () => {
  it('names every rule a password breaks', () => {
    expect(rules('short')).toEqual(['too_short']);
    expect(rules('x'.repeat(201))).toEqual(['too_long']);
    expect(rules('My-Chen-Xm-2026', 'chen-xm')).toEqual(['contains_username']);
    expect(rules('WoAiNi1314')).toEqual(['too_common']);
    expect(rules('a123456')).toEqual(['too_short', 'too_common']);
    expect(rules('hong-mian-shequ-2026', 'chen-xm')).toEqual([]);
  });

  it('ignores usernames too short to mean anything', () => {
    expect(rules('hong-mian-ab-2026', 'ab')).toEqual([]);
  });

  it('lists a few hundred common passwords, Chinese-typical ones included', () => {
    expect(COMMON_PASSWORDS.size).toBeGreaterThan(300);
    for (const p of ['123456', 'a123456', 'woaini1314', 'qwerty', 'password', '5201314']) {
      expect(COMMON_PASSWORDS.has(p)).toBe(true);
    }
  });

  it('generates temporary passwords from an unambiguous alphabet', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 200; i++) {
      const p = generateTemporaryPassword();
      expect(p).toMatch(new RegExp(`^[a-km-zA-HJ-NP-Z2-9]{${TEMPORARY_PASSWORD_LENGTH}}$`));
      seen.add(p);
    }
    expect(seen.size).toBe(200);
  });
});
