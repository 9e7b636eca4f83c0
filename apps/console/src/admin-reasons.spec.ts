import { adminReason } from './admin-reasons';

describe('console administration: the server reasons in Chinese', () => {
  it('says what is still attached to a unit that cannot be closed', () => {
    expect(
      adminReason(
        'closed: 东山街社工站 cannot be closed while it still has 1 open line(s): 020-83001234; ' +
          '50 active people: 东山社工01, 东山社工02, … (50 in all) ' +
          '(move or suspend the lines, move or deactivate the people, close or move the units first)',
      ),
    ).toBe(
      '「东山街社工站」仍有 1 条在用热线（020-83001234）、50 名在职人员（东山社工01、东山社工02 等），不能关闭。' +
        '请先移走或暂停热线、调走或停用人员、关闭或移走下级单位。',
    );
  });

  it('names the line of an import and each of its problems', () => {
    expect(
      adminReason('line 3 (chen-xm): username chen-xm is taken; orgUnitCode YX-X: no unit has this code or id'),
    ).toBe('第 3 行（chen-xm）：用户名 chen-xm 已被使用；单位编码 YX-X 不存在');
    expect(adminReason('line 2: number 020-1 is already a line')).toBe('第 2 行：号码 020-1 已是一条热线');
    expect(adminReason('line 4: demo-op is not an operator of this station')).toBe(
      '第 4 行：demo-op 不是本站的接线社工',
    );
    expect(adminReason('line 5 (li): a operator belongs to a station (越秀区 is a district)')).toBe(
      '第 5 行（li）：接线社工只能归属于镇街社工站（「越秀区」是区）',
    );
  });

  it('translates the refusals of single changes, and keeps unknown wordings', () => {
    expect(adminReason("code: YX-BJJ is already another unit's code")).toBe('编码 YX-BJJ 已被其他单位使用');
    expect(adminReason('role: you cannot grant the role admin, which is wider than your own')).toBe(
      '不能授予比您更高的角色（系统管理员）',
    );
    expect(adminReason('orgUnitId: 北京街社工站 is closed')).toBe('「北京街社工站」已关闭');
    expect(adminReason('password must be at least 10 characters (密码至少 10 位) [password.too_short]')).toBe(
      '新密码至少需要 10 位',
    );
    expect(adminReason('something new')).toBe('something new');
  });
});
