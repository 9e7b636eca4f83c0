/**
 * Every message of the server the console shows, in Chinese: the API explains a refusal in English (naming the
 * field); known wordings are translated here, in one place for every screen (the administration screens' wordings
 * are in admin-reasons.ts, consulted last). A wording neither knows is still framed in Chinese, the server's words
 * kept in brackets for whoever supports the centre; a message already in Chinese (many name the field in both
 * languages) is shown as it is.
 */
import { GROUP_BY_LABELS } from './labels';
import { adminReason } from './admin-reasons';

const FIELDS: Record<string, string> = {
  from: '开始日期',
  to: '结束日期',
  month: '月份',
  groupBy: '分组',
  format: '格式',
  summary: '服务摘要',
  serviceTypes: '服务类型',
  targetGroup: '服务对象',
  problems: '问题',
  'followUp.dueAt': '回访时间',
  'followUp.note': '回访备注',
  reason: '原因',
  comment: '复核意见',
  note: '备注',
};
const field = (f: string) => FIELDS[f] ?? f;

const CONTACT_STATUS: Record<string, string> = {
  queued: '排队中',
  offered: '振铃中',
  active: '进行中',
  wrap_up: '整理记录中',
  completed: '已完成',
  abandoned: '已挂断',
};
const status = (s: string) => CONTACT_STATUS[s] ?? s;

const WORDINGS: [RegExp, (...g: string[]) => string][] = [
  // statistics (GET /api/stats/…)
  [
    /^to: the range from (\S+) to (\S+) is longer than (\d+) days$/,
    (f, t, n) => `统计期间 ${f} 至 ${t} 超过 ${n} 天，请缩短后再查询`,
  ],
  [/^from \((\S+)\) must not be after to \((\S+)\)$/, (f, t) => `开始日期 ${f} 晚于结束日期 ${t}`],
  [/^(from|to) is required.*$/, (f) => `请选择${field(f)}`],
  [/^(from|to) must be a real date.*$/, (f) => `${field(f)}不是有效日期（YYYY-MM-DD）`],
  [/^(\w+) must be given once, as a string$/, (f) => `${field(f)}只能填写一个`],
  [
    /^groupBy (?:is required|must be one of).*$/,
    () => `分组无效（可选：${Object.values(GROUP_BY_LABELS).join('、')}）`,
  ],
  [/^format must be one of.*$/, () => '导出格式无效（可选 CSV 或 Excel）'],
  [/^month (?:is required|must be a month).*$/, () => '月份无效（YYYY-MM）'],
  // contacts and records
  [/^Contact not found$|^contactId: contact not found$/, () => '该来电不存在或不在您的查看范围内'],
  [/^(?:Record|Aid request|Follow-up) not found$/, () => '记录不存在或不在您的查看范围内'],
  [/^The outcome of this contact is already recorded$/, () => '该来电的服务记录已提交过'],
  [
    /^Only the operator handling this contact can (?:end it|record its outcome)$/,
    () => '只有正在处理该来电的社工可以操作',
  ],
  [/^The contact changed state; try again$/, () => '来电状态刚刚发生变化，请重试'],
  [/^Contact is (\w+): .*$/, (s) => `该来电当前状态为“${status(s)}”，不能执行此操作`],
  [
    /^The record changed meanwhile.*$|^The record is at version (\d+), not (\d+)$/,
    () => '该记录刚被他人修改，请刷新后重试',
  ],
  [/^Version (\d+) of this record is already reviewed$/, (v) => `第 ${v} 版记录已复核`],
  [/^You recorded this record: another supervisor must review it$/, () => '本人记录的服务记录须由其他督导复核'],
  [/^Only the author of a record or a supervisor can amend it$/, () => '只有记录人或督导可以修改该记录'],
  [/^The material-aid request changed meanwhile.*$/, () => '该物资申请刚被他人处理，请刷新后重试'],
  [/^Only the delivering station can arrange or deliver this request$/, () => '只有负责配送的社工站可以安排或确认送达'],
  [/^The follow-up changed meanwhile.*$/, () => '该回访刚被他人处理，请刷新后重试'],
  [/^followUp\.dueAt must be in the future$/, () => '回访时间须晚于现在'],
  [/^reason must explain the cancellation$/, () => '请填写取消原因'],
  // risk alerts (GET /api/alerts, POST /api/alerts/:id/acknowledge)
  [/^Risk alert not found$/, () => '该预警不存在或不在您的查看范围内'],
  [/^This risk alert is closed: the contact was answered$/, () => '该预警已关闭：来电已被社工接听'],
  [/^This risk alert was already acknowledged by (.+)$/, (who) => `该预警已由 ${who} 确认处理`],
  [/^Acknowledging a risk alert needs one of the roles: .*$/, () => '只有协调员、督导或民政管理者可以确认处理预警'],
  [/^(\S+) must be shorter than or equal to (\d+) characters$/, (f, n) => `${field(f)}最多 ${n} 个字`],
  [/^(\S+) needs one of the roles: .*$/, () => '您的角色没有此操作的权限'],
  [/^The full number is readable by .*$/, () => '您的角色不能查看完整号码'],
  [/^(\S+) must not be (?:blank|empty)$/, (f) => `请填写${field(f)}`],
  [/^(\S+) must be at most (\d+) characters$/, (f, n) => `${field(f)}最多 ${n} 个字`],
  // sign-in and sessions
  [/^Wrong username or password$/, () => '用户名或密码错误'],
  [/^Too many (?:failed )?(?:sign-in|login) attempts.*$/i, () => '登录失败次数过多，请稍后再试'],
  [/^ThrottlerException: Too Many Requests$|^Too Many Requests$/, () => '操作过于频繁，请稍后再试'],
  [/^Forbidden resource$/, () => '没有权限执行此操作'],
  [/^Internal server error$/, () => '服务器出错，请稍后重试'],
];

/** One message of the server, in Chinese where its wording is known (also the administration API's). */
export function serverReason(message: string): string {
  const m = message.trim();
  for (const [re, say] of WORDINGS) {
    const hit = re.exec(m);
    if (hit) return say(...hit.slice(1));
  }
  const said = adminReason(m);
  return HAS_CHINESE.test(said) ? said : `请求未被接受（${said}）`;
}

const HAS_CHINESE = /[\u4e00-\u9fff]/;
