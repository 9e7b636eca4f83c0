/**
 * The administration API explains a refusal in English, naming the field or the CSV line ("line 3 (chen-xm):
 * username chen-xm is taken"); admins read it in Chinese. Known wordings are translated here, piece by piece; a
 * wording this file does not know is shown as the server wrote it (it still names the field or line).
 */
import type { OrgLevel, Role } from '@kapok/contracts';
import { LEVEL_LABELS, ROLE_LABELS } from './labels';
import { passwordReason } from './password';

const level = (l: string) => LEVEL_LABELS[l as OrgLevel] ?? l;
const role = (r: string) => ROLE_LABELS[r as Role] ?? r;
const levels = (list: string) =>
  list
    .split(/,\s*|\s+or\s+/)
    .map((l) => level(l.replace(/^an? /, '').trim()))
    .join('或');

/** "N line(s): a, b, … (N in all)" → "N 条在用热线（a、b 等）". */
function attached(part: string): string {
  const m = /^(\d+) (open line\(s\)|active people|open unit\(s\)): (.*)$/.exec(part.trim());
  if (!m) return part;
  const names = m[3]
    .replace(/, … \(\d+ in all\)$/, ' 等')
    .split(', ')
    .join('、');
  const what = m[2].startsWith('open line')
    ? '条在用热线'
    : m[2] === 'active people'
      ? '名在职人员'
      : '个未关闭的下级单位';
  return `${m[1]} ${what}（${names}）`;
}

const WORDINGS: [RegExp, (...g: string[]) => string][] = [
  [
    /^closed: (.+?) cannot be closed while it still has (.+?) \(move or suspend .*\)$/,
    (name, still) =>
      `「${name}」仍有 ${still.split('; ').map(attached).join('、')}，不能关闭。请先移走或暂停热线、调走或停用人员、关闭或移走下级单位。`,
  ],
  [
    /^closed: (?:closing|reopening) (.+) needs an admin of the unit above it$/,
    (n) => `关闭或重开「${n}」须由其上级单位的管理员操作`,
  ],
  [/^closed: (.+) \(above it\) is closed; reopen it first$/, (n) => `上级单位「${n}」已关闭，请先重开上级`],
  [/^parentId: moving (.+) needs an admin of the unit above it$/, (n) => `移动「${n}」须由其上级单位的管理员操作`],
  [/^parentId: (.+) cannot move below itself.*$/, (n) => `「${n}」不能移到自己的下级单位之下`],
  [
    /^parentId: an? (\w+) belongs to (.+); (.+) is an? (\w+)$/,
    (l, ps, n, pl) => `${level(l)}只能设在${levels(ps)}之下，「${n}」是${level(pl)}`,
  ],
  [/^(?:level|parentId): a city is the root of the tree and has no parent$/, () => '市是组织架构的顶层，没有上级'],
  [/^code: (.+) is already another unit's code$/, (c) => `编码 ${c} 已被其他单位使用`],
  [/^code must be .*$/, () => '编码须为 1–40 位字母、数字或 . _ -，以字母或数字开头'],
  [/^(\w+) must not be blank$/, (f) => `${field(f)}不能为空`],
  [/^(\w+) must be at most (\d+) characters$/, (f, n) => `${field(f)}最多 ${n} 个字符`],
  [/^number:? (\S+) is already a line$/, (n) => `号码 ${n} 已是一条热线`],
  [
    /^suspended: (.+) is closed; move the line to an open station first$/,
    (n) => `「${n}」已关闭，请先把热线移到运行中的社工站`,
  ],
  [/^stationCode (\S+) is not a station you administer$/, (c) => `社工站编码 ${c} 不存在或不在您的管理范围内`],
  [/^stationCode (\S+) is an? (\w+), not a station$/, (c, l) => `编码 ${c} 是${level(l)}，不是社工站`],
  [/^stationCode (\S+): (.+) is closed$/, (_c, n) => `「${n}」已关闭`],
  [/^(?:\w+: )?lines belong to stations; (.+) is an? (\w+)$/, (n, l) => `热线只能设在社工站，「${n}」是${level(l)}`],
  [/^Intake key (.+) is revoked; issue a new one$/, (n) => `密钥「${n}」已吊销，请签发新的密钥`],
  [/^hotlineIds: (.+) not found$/, () => '所选热线不存在'],
  [/^username (\S+) is taken$/, (u) => `用户名 ${u} 已被使用`],
  [/^username (\S+) is already on line (\d+)$/, (u, l) => `用户名 ${u} 与第 ${l} 行重复`],
  [/^username must be .*$/, () => '用户名须为 2–64 位字母、数字或 . _ @ -，以字母或数字开头'],
  [/^displayName is empty$/, () => '姓名为空'],
  [/^displayName is longer than (\d+)$/, (n) => `姓名超过 ${n} 个字符`],
  [
    /^role "(.*)" is not one of .*$/,
    (r) => `角色「${r}」无效（应为 operator、coordinator、supervisor、manager 或 admin）`,
  ],
  [/^role (\w+) is wider than your own and cannot be granted by you$/, (r) => `不能授予比您更高的角色（${role(r)}）`],
  [
    /^role: you cannot grant the role (\w+), which is wider than your own$/,
    (r) => `不能授予比您更高的角色（${role(r)}）`,
  ],
  [/^orgUnitCode is empty$/, () => '单位编码为空'],
  [/^orgUnitCode (\S+): no unit has this code or id$/, (c) => `单位编码 ${c} 不存在`],
  [
    /^(?:\w+ \S+|\w+): (.+) is outside the part of the organisation you administer$/,
    (n) => `「${n}」不在您的管理范围内`,
  ],
  [
    /^an? (\w+) belongs to an? ([\w, ]+) \((.+) is an? (\w+)\)$/,
    (r, ls, n, l) => `${role(r)}只能归属于${levels(ls)}（「${n}」是${level(l)}）`,
  ],
  [/^supervisedStationIds: only a supervisor supervises stations$/, () => '只有督导可以设置督导的社工站'],
  [/^(\w+): (.+) is closed$/, (_f, n) => `「${n}」已关闭`],
  [/^(.+) is closed$/, (n) => `「${n}」已关闭`],
  [/^(.+) was closed meanwhile: import again$/, (n) => `「${n}」刚刚被关闭，请重新导入`],
  [/^(\S+) is deactivated: reactivate the account first$/, (u) => `${u} 已停用，请先启用该账号`],
  [
    /^You cannot change your own role or unit, nor deactivate yourself$/,
    () => '不能修改自己的角色或单位，也不能停用自己',
  ],
  [/^some usernames were taken meanwhile .*$/, () => '部分用户名刚被占用，请重新导入'],
  [/^the \?password= contains this username$/, () => '统一初始密码不能包含用户名'],
  [/^languages: (.+) must be ISO 639 codes.*$/, (v) => `语言代码 ${v} 无效（如 yue、cmn）`],
  [/^skills: (.+) must be lower-case codes.*$/, (v) => `技能代码 ${v} 无效（如 psychological_support、elderly）`],
  [/^extension must be .*$/, () => '分机号须为 1–20 位数字（可含 * # + -）'],
  // rosters (POST /api/stations/:id/shifts/import)
  [/^(\S+) is not an operator of this station$/, (u) => `${u} 不是本站的接线社工`],
  [/^username is empty$/, () => '用户名为空'],
  [/^date must be YYYY-MM-DD$/, () => '日期应为 YYYY-MM-DD 格式'],
  [/^start must be HH:mm$/, () => '开始时间应为 HH:mm 格式'],
  [/^end must be HH:mm$/, () => '结束时间应为 HH:mm 格式'],
  [/^(\S+) is not a date$/, (d) => `${d} 不是有效日期`],
  [/^a shift lasts at most (\d+) hours$/, (h) => `单个班次最长 ${h} 小时`],
  [/^missing column\(s\): (.*)$/, (c) => `缺少列：${c}`],
  [/^the roster has no shifts.*$/, () => '文件中没有班次（第一行应为表头 username,date,start,end）'],
  [/^workerId is not an operator of this station$/, () => '该社工不是本站的接线社工'],
  [/^startsAt\/endsAt: endsAt must be after startsAt$/, () => '结束时间须晚于开始时间'],
  [/^startsAt\/endsAt: a shift lasts at most (\d+) hours$/, (h) => `单个班次最长 ${h} 小时`],
  // lines (POST /api/admin/hotlines/import)
  [/^number is empty$/, () => '号码为空'],
  [/^number "(.*)" must be .*$/, (n) => `号码「${n}」格式不对（1–32 位数字或字母，可含 + * # ( ) . -，不含空格）`],
  [/^number (\S+) is also on line (\d+)$/, (n, l) => `号码 ${n} 与第 ${l} 行重复`],
  [/^stationCode is empty$/, () => '社工站编码为空'],
  [/^name is empty$/, () => '名称为空'],
  [/^name is longer than (\d+) characters$/, (n) => `名称超过 ${n} 个字符`],
  [/^at most (\d+) lines per import: split the file$/, (n) => `一次最多导入 ${n} 行，请拆分后分批导入`],
  [/^the CSV has no lines.*$/, () => '文件中没有数据（第一行应为表头 number,stationCode,name）'],
  [/^no accounts: the file has a header but no rows$/, () => '文件只有表头，没有账号'],
  // CSV bodies (every import)
  [/^(?:the )?CSV could not be read: (.*)$/i, (e) => `CSV 无法读取：${e}`],
  [/^the CSV body is larger than (\d+) KB$/, (k) => `文件超过 ${k} KB，请拆分后分批导入`],
  [/^the CSV is not valid UTF-8$/, () => '文件不是 UTF-8 编码，请在 Excel 中另存为“CSV UTF-8”后再导入'],
  [/^(?:User|Org unit|Hotline|Intake key) \S+ not found$/, () => '对象不存在或不在您的管理范围内'],
  [/^(\w+): org unit \S+ not found$/, () => '所选单位不存在'],
];

const FIELDS: Record<string, string> = {
  name: '名称',
  code: '编码',
  number: '号码',
  displayName: '姓名',
  username: '用户名',
};
const field = (f: string) => FIELDS[f] ?? f;

/** One reason of the server, in Chinese where its wording is known. */
export function adminReason(message: string): string {
  const m = message.trim();
  // "line 3 (chen-xm): a; b" → "第 3 行（chen-xm）：甲；乙"
  const line = /^(?:line|row) (\d+)(?: \(([^)]*)\))?\s*[:,：]\s*(.*)$/is.exec(m);
  if (line) {
    const parts = line[3].split('; ').map(adminReason);
    return `第 ${line[1]} 行${line[2] ? `（${line[2]}）` : ''}：${parts.join('；')}`;
  }
  const password = passwordReason(m);
  if (password && /\[password\./.test(m)) return password;
  for (const [re, say] of WORDINGS) {
    const hit = re.exec(m);
    if (hit) return say(...hit.slice(1));
  }
  return m;
}
