import ExcelJS from 'exceljs';
import { formatBeijingTime } from '@kapok/common';
import {
  FIGURE_LABELS_ZH,
  FIGURE_NAMES,
  Figures,
  GROUP_BY_LABELS_ZH,
  SERVICE_LEVEL_THRESHOLD_SECONDS,
  ServiceCountsResult,
} from './stats.types';

const RATES = new Set<keyof Figures>(['serviceLevel', 'abandonmentRate']);

/** A CSV cell: quoted when needed; text that a spreadsheet would run as a formula is prefixed with '. */
function cell(v: string | number | null): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'number') return String(v);
  const safe = /^[=+\-@\t\r]/.test(v) ? `'${v}` : v;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

export const CSV_HEADER = ['key', 'label', ...FIGURE_NAMES];

/**
 * The CSV of a service-counts result: a header row (key, label, then the figures by their JSON names), one line
 * per row, and a last line with key "total" (label 合计). UTF-8 with a byte-order mark, so that Excel shows the
 * Chinese labels; CRLF line ends (RFC 4180).
 */
export function toCsv(r: ServiceCountsResult, opts: { people?: boolean } = {}): string {
  if (opts.people) return toPeopleCsv(r);
  const lines = [CSV_HEADER.join(',')];
  for (const row of r.rows) lines.push([row.key, row.label, ...FIGURE_NAMES.map((f) => row[f])].map(cell).join(','));
  lines.push(['total', '合计', ...FIGURE_NAMES.map((f) => r.totals[f])].map(cell).join(','));
  return `\uFEFF${lines.join('\r\n')}\r\n`;
}

/** A figure as people read it in a CSV: rates as percentages ('75.0%'), averages to one decimal. */
function peopleValue(f: keyof Figures, v: number | null): string | number | null {
  if (v === null || v === undefined) return null;
  if (RATES.has(f)) return `${(v * 100).toFixed(1)}%`;
  if (f.startsWith('avg')) return Math.round(v * 10) / 10;
  return v;
}

/**
 * The CSV for people (`columns=zh`): the same words as the Excel workbook and the console (FIGURE_LABELS_ZH), the
 * grouping's name first (no id column), rates as percentages, a last line 合计.
 */
function toPeopleCsv(r: ServiceCountsResult): string {
  const lines = [[GROUP_BY_LABELS_ZH[r.groupBy], ...FIGURE_NAMES.map((f) => FIGURE_LABELS_ZH[f])].map(cell).join(',')];
  for (const row of r.rows) {
    lines.push([row.label ?? row.key, ...FIGURE_NAMES.map((f) => peopleValue(f, row[f]))].map(cell).join(','));
  }
  lines.push(['合计', ...FIGURE_NAMES.map((f) => peopleValue(f, r.totals[f]))].map(cell).join(','));
  return `\uFEFF${lines.join('\r\n')}\r\n`;
}

/**
 * The same as an Excel workbook: a sheet of figures with Chinese headings and a sheet explaining them, exported at
 * `exportedAt` (the caller's Clock).
 */
export async function toXlsx(
  r: ServiceCountsResult & { scope?: { name: string } },
  exportedAt: Date,
  opts: { people?: boolean } = {},
): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  wb.creator = 'Kapok 红棉';
  wb.created = exportedAt;
  const ws = wb.addWorksheet('服务统计', { views: [{ state: 'frozen', ySplit: 1 }] });
  ws.columns = [
    ...(opts.people ? [] : [{ header: '编号', key: 'key', width: 14 }]), // ids are for machines, not for people
    { header: GROUP_BY_LABELS_ZH[r.groupBy], key: 'label', width: 28 },
    ...FIGURE_NAMES.map((f) => ({
      header: FIGURE_LABELS_ZH[f],
      key: f,
      width: 14,
      style: RATES.has(f) ? { numFmt: '0.0%' } : f.startsWith('avg') ? { numFmt: '0.0' } : {},
    })),
  ];
  ws.getRow(1).font = { bold: true };
  for (const row of r.rows) ws.addRow({ ...row });
  const total = ws.addRow({ key: 'total', label: '合计', ...r.totals });
  total.font = { bold: true };

  const about = wb.addWorksheet('说明');
  about.columns = [{ width: 22 }, { width: 90 }];
  const lines: [string, string][] = [
    ['统计范围', r.scope?.name ?? ''],
    ['起止日期', `${r.from} 至 ${r.to}（北京时间，含首尾两日）`],
    ['分组', GROUP_BY_LABELS_ZH[r.groupBy]],
    ['呼入量', '进入热线的来电/来访数（按进入热线的北京时间日期计）'],
    ['接听量 / 放弃量', '已接听的来电；来电者在接听前挂断的来电'],
    ['服务人次', '已完成服务记录的来电（服务人次）'],
    ['平均应答时长', '接听时间 − 进入队列时间，按已接听来电平均'],
    ['平均处理时长', '完成记录时间 − 接听时间，按已完成来电平均'],
    [
      `${SERVICE_LEVEL_THRESHOLD_SECONDS}秒接通率`,
      `${SERVICE_LEVEL_THRESHOLD_SECONDS} 秒内接听数 ÷（接听量 + ${SERVICE_LEVEL_THRESHOLD_SECONDS} 秒后放弃数）`,
    ],
    ['放弃率', '放弃量 ÷（接听量 + 放弃量）'],
    ['解决问题数', '服务记录中标记为“已解决”的问题个数'],
    ['物资保障人次 / 心理疏导人次', '服务类型含基本生活物资保障 / 心理疏导的来电'],
    ['高风险个案', '来电风险等级为高或危急，或心理评估为高风险或紧急的来电'],
    ['导出时间', `${formatBeijingTime(exportedAt)}（北京时间）`],
  ];
  for (const l of lines) about.addRow(l);
  about.getColumn(1).font = { bold: true };
  return Buffer.from(await wb.xlsx.writeBuffer());
}
