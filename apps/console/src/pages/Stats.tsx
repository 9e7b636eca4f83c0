import { useCallback, useEffect, useMemo, useState } from 'react';
import {
  Alert,
  App as AntApp,
  Button,
  Card,
  Col,
  DatePicker,
  Empty,
  Row,
  Select,
  Space,
  Statistic,
  Table,
  Typography,
} from 'antd';
import { CopyOutlined, DownloadOutlined, FileExcelOutlined, SearchOutlined } from '@ant-design/icons';
import type { Dayjs } from 'dayjs';
import { beijingToday } from '../beijing';
import {
  type BulletinResult,
  type FigureName,
  type Format,
  GROUP_BYS,
  type GroupBy,
  type ServiceCountsResult,
  type StatsRow,
} from '@kapok/contracts';
import { describeError, download, get } from '../api';
import { Chart, ChartOption } from '../Chart';
import { formatDuration, formatPercent } from '../hooks';
import { FIGURE_LABELS, GROUP_BY_LABELS } from '../labels';

type StatsResult = ServiceCountsResult;

const TIME_GROUPS: readonly GroupBy[] = ['day', 'week', 'month'];
const FMT = 'YYYY-MM-DD';

/** The range presets, by Beijing days (read when the picker opens: a page left open overnight moves on). */
function presets(): { label: string; value: [Dayjs, Dayjs] }[] {
  const today = beijingToday();
  const lastMonth = today.subtract(1, 'month');
  return [
    { label: '今天', value: [today, today] },
    { label: '最近7天', value: [today.subtract(6, 'day'), today] },
    { label: '最近30天', value: [today.subtract(29, 'day'), today] },
    { label: '本月', value: [today.startOf('month'), today] },
    { label: '上月', value: [lastMonth.startOf('month'), lastMonth.endOf('month').startOf('day')] },
    { label: '今年', value: [today.startOf('year'), today] },
  ];
}

const query = (from: Dayjs, to: Dayjs, groupBy: GroupBy, format?: Format) =>
  `/stats/service-counts?from=${from.format(FMT)}&to=${to.format(FMT)}&groupBy=${groupBy}${format ? `&format=${format}` : ''}`;

const num = (v: number | null | undefined) => (v == null ? '—' : v.toLocaleString('zh-CN'));

export function StatsPage() {
  const { message } = AntApp.useApp();
  const [range, setRange] = useState<[Dayjs, Dayjs]>(() => [beijingToday().startOf('month'), beijingToday()]);
  const [groupBy, setGroupBy] = useState<GroupBy>('district');
  const [result, setResult] = useState<StatsResult | null>(null);
  const [trend, setTrend] = useState<StatsResult | null>(null);
  const [breakdown, setBreakdown] = useState<StatsResult | null>(null);
  const [loading, setLoading] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [downloading, setDownloading] = useState<string | null>(null);

  const load = useCallback(async () => {
    const [from, to] = range;
    setLoading(true);
    setError(null);
    // figures of the previous range are never left on screen under the new dates
    setResult(null);
    setTrend(null);
    setBreakdown(null);
    try {
      const trendGroup: GroupBy = to.diff(from, 'day') > 92 ? 'month' : 'day';
      const breakdownGroup: GroupBy = TIME_GROUPS.includes(groupBy) ? 'serviceType' : groupBy;
      const [main, t, b] = await Promise.all([
        get<StatsResult>(query(from, to, groupBy)),
        groupBy === trendGroup ? null : get<StatsResult>(query(from, to, trendGroup)),
        breakdownGroup === groupBy ? null : get<StatsResult>(query(from, to, breakdownGroup)),
      ]);
      setResult(main);
      setTrend(t ?? main);
      setBreakdown(b ?? main);
    } catch (e) {
      setError(describeError(e));
    } finally {
      setLoading(false);
    }
  }, [range, groupBy]);

  useEffect(() => {
    void load();
    // Load once on open; afterwards on 查询.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);

  const fetchFile = async (format: Exclude<Format, 'json'>) => {
    const [from, to] = range;
    setDownloading(format);
    try {
      const name = await download(
        `${query(from, to, groupBy, format)}&columns=zh`, // Chinese headings, no id column, a Chinese file name
        `服务统计_${from.format(FMT)}_${to.format(FMT)}_${GROUP_BY_LABELS[groupBy]}.${format}`,
      );
      message.success(`已下载 ${name}`);
    } catch (e) {
      message.error(`下载失败：${describeError(e)}`);
    } finally {
      setDownloading(null);
    }
  };

  const trendOption = useMemo<ChartOption>(() => {
    const rows = trend?.rows ?? [];
    const series = (['contacts', 'answered', 'served', 'abandoned'] as const).map((f) => ({
      name: FIGURE_LABELS[f],
      type: 'line',
      smooth: true,
      smoothMonotone: 'x',
      data: rows.map((r) => r[f]),
    }));
    return {
      color: ['#5470c6', '#91cc75', '#c0392b', '#fac858'],
      tooltip: { trigger: 'axis' },
      legend: { top: 0 },
      grid: { left: 48, right: 24, top: 40, bottom: 32 },
      xAxis: { type: 'category', data: rows.map((r) => r.label ?? r.key) },
      yAxis: { type: 'value', minInterval: 1 },
      series,
    };
  }, [trend]);

  const breakdownOption = useMemo<ChartOption>(() => {
    const rows = [...(breakdown?.rows ?? [])].sort((a, b) => b.served - a.served).slice(0, 20);
    return {
      color: ['#c0392b', '#91cc75', '#5470c6'],
      tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' } },
      legend: { top: 0 },
      grid: { left: 48, right: 24, top: 40, bottom: 64 },
      xAxis: {
        type: 'category',
        data: rows.map((r) => r.label ?? r.key),
        axisLabel: { interval: 0, rotate: rows.length > 6 ? 30 : 0 },
      },
      yAxis: { type: 'value', minInterval: 1 },
      series: (['served', 'problemsResolved', 'contacts'] as const).map((f) => ({
        name: FIGURE_LABELS[f],
        type: 'bar',
        data: rows.map((r) => r[f]),
      })),
    };
  }, [breakdown]);

  const totals = result?.totals;
  const breakdownGroup = breakdown?.groupBy ?? groupBy;

  return (
    <div data-testid="stats">
      <Card size="small">
        <Space wrap size="middle">
          <Space>
            <Typography.Text>统计期间（北京时间）</Typography.Text>
            <DatePicker.RangePicker
              aria-label="统计期间（北京时间）"
              value={range}
              presets={presets()}
              allowClear={false}
              onChange={(v) => v?.[0] && v[1] && setRange([v[0], v[1]])}
              data-testid="stats-range"
            />
          </Space>
          <Space>
            <Typography.Text>分组</Typography.Text>
            <Select
              aria-label="分组"
              style={{ width: 140 }}
              value={groupBy}
              onChange={setGroupBy}
              options={GROUP_BYS.map((value) => ({ value, label: GROUP_BY_LABELS[value] }))}
              data-testid="stats-group-by"
            />
          </Space>
          <Button type="primary" icon={<SearchOutlined />} loading={loading} onClick={load} data-testid="stats-query">
            查询
          </Button>
          <Button
            icon={<DownloadOutlined />}
            loading={downloading === 'csv'}
            onClick={() => fetchFile('csv')}
            data-testid="download-csv"
          >
            下载 CSV
          </Button>
          <Button
            icon={<FileExcelOutlined />}
            loading={downloading === 'xlsx'}
            onClick={() => fetchFile('xlsx')}
            data-testid="download-xlsx"
          >
            导出 Excel
          </Button>
        </Space>
      </Card>

      {error && <Alert type="error" showIcon title={`统计数据加载失败：${error}`} style={{ marginTop: 16 }} />}

      <Row gutter={[16, 16]} style={{ marginTop: 16 }}>
        {(
          [
            ['served', num(totals?.served)],
            ['problemsResolved', num(totals?.problemsResolved)],
            ['contacts', num(totals?.contacts)],
            ['answered', num(totals?.answered)],
            ['abandonmentRate', formatPercent(totals?.abandonmentRate)],
            ['serviceLevel', formatPercent(totals?.serviceLevel)],
            ['avgSpeedOfAnswerSeconds', formatDuration(totals?.avgSpeedOfAnswerSeconds)],
            ['avgHandleSeconds', formatDuration(totals?.avgHandleSeconds)],
          ] as const
        ).map(([f, v]) => (
          <Col key={f} xs={12} md={6} xl={3}>
            <Card size="small" loading={loading && !result}>
              <Statistic
                title={FIGURE_LABELS[f]}
                value={v}
                formatter={(x) => <span data-testid={`total-${f}`}>{x}</span>}
              />
            </Card>
          </Col>
        ))}
      </Row>

      <Row gutter={16} style={{ marginTop: 16 }}>
        <Col xs={24} xl={12}>
          <Card size="small" title={`服务趋势（${trend?.groupBy === 'month' ? '按月' : '按日'}）`}>
            {trend?.rows.length ? (
              <Chart option={trendOption} testId="trend-chart" />
            ) : (
              <Empty description="该期间暂无数据" />
            )}
          </Card>
        </Col>
        <Col xs={24} xl={12}>
          <Card size="small" title={`分类构成（${GROUP_BY_LABELS[breakdownGroup] ?? breakdownGroup}）`}>
            {breakdown?.rows.length ? (
              <Chart option={breakdownOption} testId="breakdown-chart" />
            ) : (
              <Empty description="该期间暂无数据" />
            )}
          </Card>
        </Col>
      </Row>

      <Card
        size="small"
        title={`明细（${GROUP_BY_LABELS[result?.groupBy ?? groupBy] ?? groupBy}）`}
        style={{ marginTop: 16 }}
      >
        <Table<StatsRow>
          size="small"
          rowKey="key"
          loading={loading}
          dataSource={result?.rows ?? []}
          pagination={{ pageSize: 20, hideOnSinglePage: true }}
          scroll={{ x: 1200 }}
          data-testid="stats-table"
          summary={() =>
            totals ? (
              <Table.Summary.Row>
                <Table.Summary.Cell index={0}>
                  <Typography.Text strong>合计</Typography.Text>
                </Table.Summary.Cell>
                {COLUMNS.map((c, i) => (
                  <Table.Summary.Cell key={c} index={i + 1} align="right">
                    <Typography.Text strong>{formatFigure(c, totals[c])}</Typography.Text>
                  </Table.Summary.Cell>
                ))}
              </Table.Summary.Row>
            ) : null
          }
          columns={[
            { title: '分组', dataIndex: 'label', fixed: 'left', width: 160, render: (v: string, r) => v ?? r.key },
            ...COLUMNS.map((c) => ({
              title: FIGURE_LABELS[c],
              dataIndex: c,
              align: 'right' as const,
              sorter: (a: StatsRow, b: StatsRow) => (a[c] ?? -1) - (b[c] ?? -1),
              render: (v: number | null) => formatFigure(c, v),
            })),
          ]}
        />
      </Card>

      <Bulletin />
    </div>
  );
}

const COLUMNS = [
  'contacts',
  'answered',
  'abandoned',
  'served',
  'problemsResolved',
  'materialAidContacts',
  'psychologicalSupportContacts',
  'highRiskContacts',
  'avgSpeedOfAnswerSeconds',
  'avgHandleSeconds',
  'serviceLevel',
  'abandonmentRate',
] as const satisfies readonly FigureName[];

function formatFigure(f: (typeof COLUMNS)[number], v: number | null | undefined): string {
  if (f === 'serviceLevel' || f === 'abandonmentRate') return formatPercent(v);
  if (f === 'avgSpeedOfAnswerSeconds' || f === 'avgHandleSeconds') return formatDuration(v);
  return num(v);
}

/** The month's headline figures and the sentence the bureau publishes. */
function Bulletin() {
  const { message } = AntApp.useApp();
  const [month, setMonth] = useState<Dayjs>(() => beijingToday().startOf('month'));
  const [data, setData] = useState<BulletinResult | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [loading, setLoading] = useState(false);

  useEffect(() => {
    let live = true;
    setLoading(true);
    setError(null);
    get<BulletinResult>(`/stats/bulletin?month=${month.format('YYYY-MM')}`)
      .then((d) => live && setData(d))
      .catch((e) => live && (setData(null), setError(describeError(e))))
      .finally(() => live && setLoading(false));
    return () => {
      live = false;
    };
  }, [month]);

  const sentence: string | undefined = data?.sentence;
  const f = data?.figures;
  const prev = data?.previousMonth;
  const delta = (now?: number, before?: number) => {
    if (now == null || before == null || before === 0) return null;
    const pct = ((now - before) / before) * 100;
    return (
      <Typography.Text
        type={pct >= 0 ? 'success' : 'danger'}
      >{`${pct >= 0 ? '↑' : '↓'}${Math.abs(pct).toFixed(1)}%`}</Typography.Text>
    );
  };
  return (
    <Card
      size="small"
      title="月度通报"
      style={{ marginTop: 16 }}
      loading={loading}
      data-testid="bulletin"
      extra={
        <Space>
          <DatePicker
            picker="month"
            value={month}
            allowClear={false}
            onChange={(v) => v && setMonth(v)}
            data-testid="bulletin-month"
          />
          <Button
            icon={<CopyOutlined />}
            disabled={!sentence}
            onClick={() =>
              sentence &&
              navigator.clipboard?.writeText(sentence).then(
                () => message.success('已复制'),
                () => message.error('复制失败'),
              )
            }
          >
            复制
          </Button>
        </Space>
      }
    >
      {error ? (
        <Alert type="warning" showIcon title={`月度通报暂不可用：${error}`} />
      ) : sentence ? (
        <Space orientation="vertical" style={{ width: '100%' }}>
          {data?.title && (
            <Typography.Title level={5} style={{ margin: 0 }}>
              {data.title}
            </Typography.Title>
          )}
          <Typography.Paragraph className="kapok-bulletin" data-testid="bulletin-sentence">
            {sentence}
          </Typography.Paragraph>
          {f && (
            <Space size="large" wrap>
              <span>
                服务人次 <b>{num(f.served)}</b> {delta(f.served, prev?.served)}
              </span>
              <span>
                解决问题 <b>{num(f.problemsResolved)}</b> {delta(f.problemsResolved, prev?.problemsResolved)}
              </span>
              <span>
                来电 <b>{num(f.contacts)}</b> {delta(f.contacts, prev?.contacts)}
              </span>
              {f.workerShifts != null && (
                <span>
                  接线社工人次 <b>{num(f.workerShifts)}</b>
                </span>
              )}
              {prev && <Typography.Text type="secondary">（与 {prev.month} 相比）</Typography.Text>}
            </Space>
          )}
        </Space>
      ) : (
        <Empty description="暂无通报" />
      )}
    </Card>
  );
}
