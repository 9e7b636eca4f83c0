import { BadRequestException, Controller, Get, Query, Res, StreamableFile, UseGuards } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiBearerAuth,
  ApiForbiddenResponse,
  ApiOkResponse,
  ApiOperation,
  ApiProduces,
  ApiQuery,
  ApiTags,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import type { Response } from 'express';
import { AuthUser, CurrentUser, Roles, UserAuthGuard } from '@kapok/auth';
import { Clock, SHANGHAI_TIME_ZONE, parseDate } from '@kapok/common';
import {
  Bulletin,
  FIGURE_NAMES,
  COLUMN_STYLES,
  FORMATS,
  GROUP_BY_LABELS_ZH,
  GROUP_BYS,
  LiveSnapshots,
  MAX_RANGE_DAYS,
  RollupRepository,
  ServiceCounts,
  parseBulletinQuery,
  parseServiceCountsQuery,
  toCsv,
  toXlsx,
} from '@kapok/stats';

const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

const FIGURES_EXAMPLE = {
  contacts: 1520,
  answered: 1433,
  abandoned: 87,
  served: 1410,
  problemsResolved: 1204,
  materialAidContacts: 312,
  psychologicalSupportContacts: 655,
  highRiskContacts: 41,
  avgSpeedOfAnswerSeconds: 9.42,
  avgHandleSeconds: 412.8,
  serviceLevel: 0.9134,
  abandonmentRate: 0.0572,
  problemsRaised: 1630,
};
const SERVICE_COUNTS_EXAMPLE = {
  from: '2026-01-01',
  to: '2026-01-31',
  groupBy: 'district',
  timeZone: SHANGHAI_TIME_ZONE,
  serviceLevelThresholdSeconds: 20,
  scope: { name: '广州市' },
  rows: [{ key: '6f1c…', label: '越秀区', ...FIGURES_EXAMPLE }],
  totals: FIGURES_EXAMPLE,
};
const BULLETIN_EXAMPLE = {
  month: '2026-01',
  from: '2026-01-01',
  to: '2026-01-31',
  timeZone: SHANGHAI_TIME_ZONE,
  scope: { name: '广州市' },
  figures: { ...FIGURES_EXAMPLE, workerShifts: 2210 },
  previousMonth: { month: '2025-12', served: 1302, problemsResolved: 1100, contacts: 1411 },
  byServiceType: [{ key: 'psychological_support', label: '心理疏导', contacts: 655 }],
  title: '广州市2026年1月“红棉守护”热线服务情况',
  sentence:
    '本月服务困难群众和特殊群体 1410 人次，解决问题 1204 个，其中心理疏导 655 人次、情绪支持 402 人次、基本生活物资保障 312 人次，' +
    '跟进高风险个案 41 宗；投入接线服务社工 2210 人次，热线接听来电 1433 个，20 秒内接通率 91.3%。',
  sentenceRounded: '本月服务困难群众和特殊群体 1410 人次，…',
};

const FIGURES_DOC =
  `Figures of every row and of totals: ${FIGURE_NAMES.join(', ')}. Every figure of a contact counts on the ` +
  'Asia/Shanghai day it reached the hotline (queued). served = completed contacts (服务人次); ' +
  'avgSpeedOfAnswerSeconds = mean(answered − queued) over answered; avgHandleSeconds = mean(completed − answered) ' +
  'over completed; serviceLevel = answered within 20 s / (answered + abandoned after 20 s); abandonmentRate = ' +
  'abandoned / (answered + abandoned); averages and rates are null when their denominator is 0. ' +
  'problemsResolved counts problems marked resolved; highRiskContacts: risk level high/critical or a high/imminent ' +
  'assessment. See docs/statistics.md.';

/**
 * Statistics for coordinators, supervisors, managers and admins (operators → 403), each for their part of the
 * organisation. Every answer comes from the rollups (libs/stats); bad input is a 400 naming the field.
 */
@ApiTags('stats')
@ApiBearerAuth()
@ApiUnauthorizedResponse({ description: 'Not signed in' })
@ApiForbiddenResponse({ description: 'Operators (and, for reconcile, everyone but admins)' })
@UseGuards(UserAuthGuard)
@Roles('coordinator', 'supervisor', 'manager', 'admin')
@Controller('stats')
export class StatsController {
  constructor(
    private readonly counts: ServiceCounts,
    private readonly bulletin: Bulletin,
    private readonly live: LiveSnapshots,
    private readonly rollups: RollupRepository,
    private readonly clock: Clock,
  ) {}

  @Get('service-counts')
  @ApiOperation({
    summary: 'Service counts over a date range, grouped',
    description:
      `Days in Asia/Shanghai time, \`to\` inclusive, at most ${MAX_RANGE_DAYS} days. ${FIGURES_DOC} ` +
      'Rows: day/week/month list every period of the range (week keys are ISO weeks, 2026-W05); region, district, ' +
      'station and hotline list every unit or line in your scope (key = id, label = name); channel, serviceType and ' +
      'targetGroup list every value (key = the API value, label in Chinese); worker lists the operators who answered ' +
      '(key = user id). Contacts without a value are in a row with key "none" when there are any. serviceType rows ' +
      'overlap (one contact may have several types); every other grouping adds up to totals. ' +
      'format=csv: text/csv (UTF-8 with BOM), header `key,label,<figures>`, one line per row, a last line `total,合计,…`. ' +
      'format=xlsx: the same as an Excel workbook with Chinese headings.',
  })
  @ApiQuery({ name: 'from', required: true, example: '2026-01-01', description: 'First day (YYYY-MM-DD)' })
  @ApiQuery({ name: 'to', required: true, example: '2026-01-31', description: 'Last day, inclusive (YYYY-MM-DD)' })
  @ApiQuery({ name: 'groupBy', required: true, enum: GROUP_BYS })
  @ApiQuery({ name: 'format', required: false, enum: FORMATS, description: 'json (default), csv or xlsx' })
  @ApiQuery({
    name: 'columns',
    required: false,
    enum: COLUMN_STYLES,
    description:
      'csv/xlsx: codes (default: header key,label,<figure names>) or zh (for people: Chinese headings as in the ' +
      'console, no id column, rates as percentages, a Chinese file name)',
  })
  @ApiProduces('application/json', 'text/csv', XLSX)
  @ApiOkResponse({
    description: '{ from, to, groupBy, rows: [{ key, label, …figures }], totals }',
    schema: { example: SERVICE_COUNTS_EXAMPLE },
  })
  @ApiBadRequestResponse({
    description: 'from, to, groupBy or format invalid; from after to; range too long (the message names the field)',
  })
  async serviceCounts(
    @CurrentUser() user: AuthUser,
    @Query() query: Record<string, unknown>,
    @Res({ passthrough: true }) res: Response,
  ) {
    const q = parseServiceCountsQuery(query);
    const result = await this.counts.execute(user, q);
    const people = q.columns === 'zh';
    const file = `service-counts_${q.from}_${q.to}_${q.groupBy}`;
    // for people: a Chinese file name (RFC 6266 filename*, with the ASCII name as the fallback)
    const disposition = (ext: string) =>
      people
        ? `attachment; filename="${file}.${ext}"; filename*=UTF-8''${encodeURIComponent(
            `服务统计_${q.from}至${q.to}_按${GROUP_BY_LABELS_ZH[q.groupBy]}.${ext}`,
          )}`
        : `attachment; filename="${file}.${ext}"`;
    if (q.format === 'csv') {
      res.setHeader('Content-Type', 'text/csv; charset=utf-8');
      res.setHeader('Content-Disposition', disposition('csv'));
      return toCsv(result, { people });
    }
    if (q.format === 'xlsx') {
      return new StreamableFile(await toXlsx(result, this.clock.now(), { people }), {
        type: XLSX,
        disposition: disposition('xlsx'),
      });
    }
    return result;
  }

  @Get('bulletin')
  @ApiOperation({
    summary: "A month's headline figures and the sentence to publish",
    description:
      'For your part of the organisation: the month totals (same figures as service-counts, plus workerShifts = ' +
      'operator-days with at least one contact answered, 接线服务社工人次), contacts by service type, the month ' +
      'before, and `sentence` ("本月服务困难群众和特殊群体 N 人次，解决问题 M 个，…") with exact numbers, ' +
      '`sentenceRounded` with large numbers as "15 万余".',
  })
  @ApiQuery({ name: 'month', required: true, example: '2026-01', description: 'YYYY-MM (Asia/Shanghai)' })
  @ApiOkResponse({ schema: { example: BULLETIN_EXAMPLE } })
  @ApiBadRequestResponse({ description: 'month missing or not YYYY-MM' })
  async monthBulletin(@CurrentUser() user: AuthUser, @Query() query: Record<string, unknown>) {
    const { month, first } = parseBulletinQuery(query);
    return this.bulletin.execute(user, month, first);
  }

  @Get('live')
  @ApiOperation({
    summary: 'The live queue snapshot, once',
    description:
      'The payload of `queue:snapshot` on the /monitor socket (docs/socket-events.md), for your part of the tree: ' +
      '{ at, units: [{ orgUnitId, name, level, parentId, waiting, oldestWaitSeconds, available, busy, wrapUp, away, ' +
      'offline, signedIn, rostered, contactsToday, answeredToday, abandonedToday, servedToday, serviceLevelToday, ' +
      'coverageGaps, consoleLost }], consoleLostContacts: [{ contactId, stationId, operatorId, operatorName, ' +
      'answeredAt, disconnectedAt }] }.',
  })
  async liveSnapshot(@CurrentUser() user: AuthUser) {
    const scope = await this.live.scopeFor(user);
    return (await this.live.build([scope])).get(scope.key)!;
  }

  @Get('reconcile')
  @Roles('admin')
  @ApiOperation({
    summary: 'Check the rollups against a recomputation from the raw records (admin)',
    description:
      'Without parameters every row of every rollup is compared (reads every contact: minutes at ten million); ' +
      'with from and to (YYYY-MM-DD) the day and month rows of the whole months containing them. { ok, range, tables: [{ table, ' +
      'expectedRows, actualRows, missing, unexpected, samples }] }.',
  })
  @ApiQuery({ name: 'from', required: false })
  @ApiQuery({ name: 'to', required: false })
  async reconcile(@Query() query: Record<string, unknown>) {
    const from = query.from;
    const to = query.to;
    if (from === undefined && to === undefined) return this.rollups.reconcile();
    const errors: string[] = [];
    const f = parseDate(from);
    const t = parseDate(to);
    if (!f) errors.push('from must be a real date as YYYY-MM-DD (given together with to)');
    if (!t) errors.push('to must be a real date as YYYY-MM-DD (given together with from)');
    if (f && t && f > t) errors.push(`from (${f}) must not be after to (${t})`);
    if (errors.length) throw new BadRequestException(errors);
    return this.rollups.reconcile({ from: f!, to: t! });
  }
}
