/**
 * Changing one's password (`POST /api/auth/change-password`): the server checks its policy and answers in English;
 * people read the reasons in Chinese. A reason this file does not know is shown as the server wrote it.
 */
import { ApiError, describeError, post } from './api';

export interface ChangePasswordAnswer {
  /** A fresh token when the server ends the old session on a change (otherwise the current one stays valid). */
  accessToken?: string;
}

export function changePassword(currentPassword: string, newPassword: string): Promise<ChangePasswordAnswer> {
  return post<ChangePasswordAnswer | undefined>('/auth/change-password', { currentPassword, newPassword }).then(
    (r) => r ?? {},
  );
}

/**
 * [pattern of the server's message, what the person reads]; the first match wins. The policy's refusals end with
 * the rule's name (`[password.too_short]`), which is matched first; the rest are the usual wordings.
 */
const REASONS: [RegExp, (m: RegExpExecArray) => string][] = [
  [/at least (\d+) characters.*\[password\.too_short\]/i, (m) => `新密码至少需要 ${m[1]} 位`],
  [/\[password\.too_short\]/i, () => '新密码太短'],
  [/at most (\d+) characters.*\[password\.too_long\]/i, (m) => `新密码最多 ${m[1]} 位`],
  [/\[password\.too_long\]/i, () => '新密码太长'],
  [/\[password\.contains_username\]/i, () => '新密码不能包含用户名'],
  [/\[password\.too_common\]/i, () => '新密码过于常见，容易被猜到，请换一个'],
  [/\[password\.(same|unchanged|reuse)[a-z_]*\]/i, () => '新密码不能与当前密码相同'],
  [/at least (\d+) characters/i, (m) => `新密码至少需要 ${m[1]} 位`],
  [/(username|user name)/i, () => '新密码不能包含用户名'],
  [/(too common|guess|blocklist|deny ?list)/i, () => '新密码过于常见，容易被猜到，请换一个'],
  [/(same as|must differ|reuse|unchanged)/i, () => '新密码不能与当前密码相同'],
  [/current ?password.*(wrong|incorrect|invalid|not match|does not)/i, () => '当前密码不正确'],
  [/(wrong|incorrect).*(current|password)/i, () => '当前密码不正确'],
  [/currentPassword/i, () => '请输入当前密码'],
];

/** A reason of the password policy in Chinese, or undefined when the message is not about it. */
export function passwordReason(message: string): string | undefined {
  for (const [re, say] of REASONS) {
    const hit = re.exec(message);
    if (hit) return say(hit);
  }
  return undefined;
}

/** One message in Chinese for a failed change (a 429 also says when to try again). */
export function describePasswordError(e: unknown): string {
  if (e instanceof ApiError) {
    if (e.status === 429) return '尝试次数过多，请稍后再试';
    if (e.status === 401 && e.messages.length === 0) return '当前密码不正确';
    const reasons = e.messages.map((m) => passwordReason(m) ?? m);
    if (reasons.length) return [...new Set(reasons)].join('；');
  }
  return describeError(e);
}
