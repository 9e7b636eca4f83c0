import { ApiError } from './api';
import { describePasswordError } from './password';

describe('console password change: the server policy reasons in Chinese', () => {
  const refused = (...messages: string[]) => new ApiError(400, messages, null);

  it('names each rule the new password broke', () => {
    expect(
      describePasswordError(
        refused(
          'newPassword must be at least 10 characters (密码至少 10 位) [password.too_short]',
          'newPassword must not contain the username (密码不能包含用户名) [password.contains_username]',
        ),
      ),
    ).toBe('新密码至少需要 10 位；新密码不能包含用户名');
    expect(describePasswordError(refused('newPassword is too common, choose another [password.too_common]'))).toBe(
      '新密码过于常见，容易被猜到，请换一个',
    );
    expect(
      describePasswordError(refused('newPassword must differ from the current password [password.unchanged]')),
    ).toBe('新密码不能与当前密码相同');
  });

  it('says when the current password is wrong, and when to wait', () => {
    expect(describePasswordError(refused('currentPassword is wrong (当前密码不正确)'))).toBe('当前密码不正确');
    expect(describePasswordError(new ApiError(429, ['Too Many Requests'], null))).toBe('尝试次数过多，请稍后再试');
  });

  it('shows an unknown reason as the server wrote it', () => {
    expect(describePasswordError(refused('something else'))).toBe('something else');
  });
});
