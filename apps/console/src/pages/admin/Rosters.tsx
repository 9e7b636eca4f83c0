import { useCallback, useEffect, useMemo, useState } from 'react';
import {
  Alert,
  App as AntApp,
  Button,
  Card,
  Checkbox,
  Col,
  DatePicker,
  Empty,
  Form,
  Input,
  InputNumber,
  Modal,
  Popconfirm,
  Row,
  Space,
  Table,
  Tabs,
  Tag,
  TimePicker,
  Tooltip,
  Typography,
} from 'antd';
import { DeleteOutlined, DownloadOutlined, PlusOutlined, ReloadOutlined, WarningOutlined } from '@ant-design/icons';
import dayjs, { type Dayjs } from 'dayjs';
import {
  QUICK_REPLIES_MAX,
  QUICK_REPLY_MAX_CHARS,
  STATION_KEEPER_ROLES,
  type StationQuickReplies,
} from '@kapok/contracts';
import { ApiError, del, describeError, get, post, postCsv, put } from '../../api';
import { formatBeijing } from '../../beijing';
import { useSession } from '../../session';
import {
  CsvFileButton,
  csvLines,
  ImportErrors,
  isStation,
  reasonsOf,
  saveTextFile,
  TemplateButton,
  UnitPicker,
  useUnits,
} from './common';
import {
  type DayCoverage,
  daysOfMonth,
  formatInterval,
  monthCoverage,
  monthRange,
  shanghai,
  shanghaiClock,
  shanghaiDate,
  type ShiftItem,
  shiftsByWorkerDay,
} from '../../roster';
import { stationDuty } from '../../duty';

const WEEKDAYS = ['日', '一', '二', '三', '四', '五', '六'];

/** 排班与路由设置: a station's month of shifts (with the hours nobody is rostered for) and its routing settings. */
export function RostersPage() {
  const { session } = useSession();
  const canEdit = STATION_KEEPER_ROLES.includes(session.user.role); // (the API's rule)
  const { units, byId, error: unitsError } = useUnits('public');
  const stations = useMemo(() => units.filter(isStation), [units]);
  const [stationId, setStationId] = useState<string | null>(null);
  const [tab, setTab] = useState('roster');

  // The person's own station when they have one, otherwise the first in their part of the tree.
  useEffect(() => {
    if (stationId || !stations.length) return;
    const own = stations.find((s) => s.id === session.user.orgUnitId);
    setStationId((own ?? stations[0]).id);
  }, [stations, stationId, session.user.orgUnitId]);

  return (
    <div data-testid="rosters">
      <Card size="small">
        <Row gutter={[12, 12]} align="middle">
          <Col xs={24} md={12} lg={10}>
            <UnitPicker
              units={units}
              value={stationId}
              onChange={(v: string | undefined) => v && setStationId(v)}
              pick={isStation}
              placeholder="选择社工站"
              testId="roster-station"
            />
          </Col>
          <Col xs={24} md={12} lg={14}>
            <Typography.Text type="secondary">
              {canEdit ? '可编辑本站排班与路由设置' : '只读：排班与路由设置由协调员或系统管理员维护'}
            </Typography.Text>
          </Col>
        </Row>
      </Card>
      {unitsError && <Alert type="error" showIcon title={unitsError} style={{ marginTop: 16 }} />}
      {stationId ? (
        <Tabs
          style={{ marginTop: 8 }}
          activeKey={tab}
          onChange={setTab}
          items={[
            {
              key: 'roster',
              label: '月排班表',
              children: (
                <MonthRoster stationId={stationId} stationName={byId.get(stationId)?.name ?? ''} canEdit={canEdit} />
              ),
            },
            {
              key: 'settings',
              label: '路由设置',
              children: <RoutingSettingsForm stationId={stationId} canEdit={canEdit} />,
            },
            {
              key: 'quick-replies',
              label: '常用语',
              children: <QuickRepliesForm stationId={stationId} canEdit={canEdit} />,
            },
          ]}
        />
      ) : (
        <Card style={{ marginTop: 16 }}>
          <Empty description="您的管辖范围内没有社工站" />
        </Card>
      )}
    </div>
  );
}

interface Worker {
  id: string;
  username: string;
  displayName: string;
}

/**
 * The station's operators: from the accounts list where the person may read it (admins), else from the station's
 * duty list (coordinators: GET /api/stations/:id/duty), else those seen on shifts.
 */
async function stationOperators(stationId: string): Promise<Worker[] | null> {
  try {
    const q = new URLSearchParams({ orgUnitId: stationId, role: 'operator', active: 'true', pageSize: '200' });
    const r = await get<{ items: Worker[] } | Worker[]>(`/admin/users?${q}`);
    const list = Array.isArray(r) ? r : r.items;
    return list.map((u) => ({ id: u.id, username: u.username, displayName: u.displayName }));
  } catch {
    try {
      const duty = await stationDuty(stationId);
      return duty.operators.map((o) => ({ id: o.userId, username: o.username, displayName: o.displayName }));
    } catch {
      return null; // an older server: the shifts name their people
    }
  }
}

function MonthRoster({
  stationId,
  stationName,
  canEdit,
}: {
  stationId: string;
  stationName: string;
  canEdit: boolean;
}) {
  const { message } = AntApp.useApp();
  const [month, setMonth] = useState<Dayjs>(() => dayjs());
  const monthKey = month.format('YYYY-MM');
  const [shifts, setShifts] = useState<ShiftItem[]>([]);
  const [operators, setOperators] = useState<Worker[] | null>(null);
  const [loading, setLoading] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [replace, setReplace] = useState(true);
  const [importing, setImporting] = useState(false);
  const [importErrors, setImportErrors] = useState<string[] | null>(null);
  const [adding, setAdding] = useState<{ worker: Worker; date: string } | null>(null);

  const load = useCallback(async () => {
    setLoading(true);
    try {
      const { from, to } = monthRange(monthKey);
      const q = new URLSearchParams({ from, to });
      setShifts(await get<ShiftItem[]>(`/stations/${stationId}/shifts?${q}`));
      setError(null);
    } catch (e) {
      setError(describeError(e));
    } finally {
      setLoading(false);
    }
  }, [stationId, monthKey]);

  useEffect(() => {
    void load();
  }, [load]);
  useEffect(() => {
    setOperators(null);
    // those who edit the roster need the station's people without shifts too (to add their first shift)
    if (canEdit) void stationOperators(stationId).then(setOperators);
  }, [stationId, canEdit]);

  const days = useMemo(() => daysOfMonth(monthKey), [monthKey]);
  // Shifts that began the month before still count for the first morning.
  const coverage = useMemo(() => monthCoverage(monthKey, shifts, Date.now()), [monthKey, shifts]);
  const cells = useMemo(() => shiftsByWorkerDay(shifts), [shifts]);
  const workers = useMemo(() => {
    const map = new Map<string, Worker>();
    for (const w of operators ?? []) map.set(w.id, w);
    for (const s of shifts)
      if (!map.has(s.workerId))
        map.set(s.workerId, { id: s.workerId, username: s.username, displayName: s.workerName });
    return [...map.values()].sort((a, b) => a.displayName.localeCompare(b.displayName, 'zh-CN'));
  }, [operators, shifts]);

  const upcomingGaps = coverage.filter((d) => d.gaps.length > 0);

  const importCsv = async (text: string) => {
    setImporting(true);
    setImportErrors(null);
    try {
      const r = await postCsv<{ imported: number; replaced: number }>(
        `/stations/${stationId}/shifts/import?replace=${replace}`,
        text,
      );
      await load(); // the grid shows them when the message does
      message.success(`已导入 ${r.imported} 个班次${r.replaced ? `，替换原有 ${r.replaced} 个` : ''}`);
    } catch (e) {
      setImportErrors(reasonsOf(e));
    } finally {
      setImporting(false);
    }
  };

  const remove = async (s: ShiftItem) => {
    try {
      await del(`/shifts/${s.id}`);
      message.success('已删除班次');
      await load();
    } catch (e) {
      message.error(describeError(e));
    }
  };

  const exportMonth = () =>
    saveTextFile(
      `${stationName}-${monthKey}-排班.csv`,
      csvLines([
        ['username', 'date', 'start', 'end'],
        ...[...shifts]
          .sort((a, b) => a.startsAt.localeCompare(b.startsAt))
          .map((s) => [
            s.username,
            shanghaiDate(Date.parse(s.startsAt)),
            shanghaiClock(Date.parse(s.startsAt)),
            shanghaiClock(Date.parse(s.endsAt)),
          ]),
      ]),
    );

  const template = csvLines([
    ['username', 'date', 'start', 'end'],
    [workers[0]?.username ?? 'operator-username', `${monthKey}-01`, '08:00', '16:00'],
    [workers[1]?.username ?? workers[0]?.username ?? 'operator-username', `${monthKey}-01`, '16:00', '00:00'],
  ]);

  const dayColumn = (date: string, i: number) => {
    const d = new Date(`${date}T00:00:00Z`);
    const weekend = d.getUTCDay() === 0 || d.getUTCDay() === 6;
    const cov = coverage[i];
    return {
      key: date,
      width: 54,
      align: 'center' as const,
      onHeaderCell: () => ({ className: weekend ? 'kapok-roster-weekend' : undefined }),
      title: (
        <span>
          {Number(date.slice(8))}
          <br />
          <Typography.Text type="secondary" style={{ fontSize: 11 }}>
            {WEEKDAYS[d.getUTCDay()]}
          </Typography.Text>
        </span>
      ),
      onCell: (w: RosterRow) =>
        w.kind === 'gap' ? { className: cov.gaps.length ? 'kapok-gap-cell' : cov.past ? 'kapok-past-cell' : '' } : {},
      render: (_: unknown, w: RosterRow) => {
        if (w.kind === 'gap') return <GapCell day={cov} />;
        const list = cells.get(`${w.worker.id}|${date}`) ?? [];
        return (
          <div className="kapok-roster-cell">
            {list.map((s) => (
              <ShiftTag key={s.id} shift={s} canEdit={canEdit} onRemove={() => remove(s)} />
            ))}
            {canEdit && !cov.past && (
              <Button
                type="text"
                size="small"
                className="kapok-roster-add"
                icon={<PlusOutlined />}
                aria-label={`为${w.worker.displayName}添加${date}的班次`}
                onClick={() => setAdding({ worker: w.worker, date })}
              />
            )}
          </div>
        );
      },
    };
  };

  type RosterRow = { key: string; kind: 'worker'; worker: Worker } | { key: string; kind: 'gap' };
  // The gaps first: on a station of 50 people they would otherwise be below the fold.
  const rows: RosterRow[] = [
    { key: '__gaps', kind: 'gap' as const },
    ...workers.map((w) => ({ key: w.id, kind: 'worker' as const, worker: w })),
  ];

  return (
    <Space orientation="vertical" size="middle" style={{ width: '100%' }}>
      <Card size="small">
        <Space wrap>
          <DatePicker
            picker="month"
            value={month}
            allowClear={false}
            onChange={(v) => v && setMonth(v)}
            data-testid="roster-month"
          />
          <Button icon={<ReloadOutlined />} onClick={load} loading={loading}>
            刷新
          </Button>
          {canEdit && (
            <>
              <CsvFileButton onText={importCsv} loading={importing} testId="roster-import">
                导入排班 CSV
              </CsvFileButton>
              <Checkbox checked={replace} onChange={(e) => setReplace(e.target.checked)}>
                覆盖导入期间已有的班次
              </Checkbox>
              <TemplateButton name="排班导入模板.csv" text={template}>
                下载模板
              </TemplateButton>
            </>
          )}
          <Button icon={<DownloadOutlined />} onClick={exportMonth} disabled={!shifts.length}>
            导出本月排班
          </Button>
        </Space>
        {canEdit && (
          <Typography.Paragraph type="secondary" style={{ margin: '8px 0 0' }}>
            CSV 表头为
            username,date,start,end（用户名、日期、开始、结束，北京时间）；结束早于开始表示次日结束；一次导入全部成功或全部不导入。
          </Typography.Paragraph>
        )}
      </Card>
      {importErrors && (
        <ImportErrors title="导入失败，未导入任何班次" reasons={importErrors} testId="roster-import-errors" />
      )}
      {error && <Alert type="error" showIcon title={error} />}
      {upcomingGaps.length > 0 ? (
        <Alert
          type="warning"
          showIcon
          icon={<WarningOutlined />}
          data-testid="roster-gaps"
          title={`本月还有 ${upcomingGaps.length} 天存在无人排班的时段（下表红色标出），请在空档出现前补排`}
          description={
            <Typography.Paragraph ellipsis={{ rows: 2, expandable: true, symbol: '展开' }} style={{ margin: 0 }}>
              {upcomingGaps
                .map(
                  (d) =>
                    `${Number(d.date.slice(5, 7))}月${Number(d.date.slice(8))}日 ${d.gaps.map(formatInterval).join('、')}`,
                )
                .join('；')}
            </Typography.Paragraph>
          }
        />
      ) : (
        !loading &&
        coverage.some((d) => !d.past) && (
          <Alert type="success" showIcon title="本月今后每个时段都有社工排班" data-testid="roster-gaps" />
        )
      )}
      <Card size="small" title={`${stationName} · ${month.format('YYYY年M月')}排班`}>
        <Table<RosterRow>
          size="small"
          bordered
          loading={loading}
          rowKey="key"
          dataSource={rows}
          pagination={false}
          scroll={{ x: 'max-content' }}
          rowClassName={(r) => (r.kind === 'gap' ? 'kapok-roster-gap-row' : '')}
          data-testid="roster-grid"
          locale={{ emptyText: '本月尚无排班' }}
          columns={[
            {
              key: 'worker',
              title: '社工',
              fixed: 'left',
              width: 120,
              render: (_: unknown, r: RosterRow) =>
                r.kind === 'gap' ? (
                  <Typography.Text strong type="danger">
                    无人排班时段
                  </Typography.Text>
                ) : (
                  <Tooltip title={r.worker.username}>
                    <span>{r.worker.displayName}</span>
                  </Tooltip>
                ),
            },
            ...days.map(dayColumn),
          ]}
        />
      </Card>
      <HourlyCoverage coverage={coverage} />
      <AddShiftModal
        stationId={stationId}
        target={adding}
        onClose={() => setAdding(null)}
        onAdded={() => {
          setAdding(null);
          void load();
        }}
      />
    </Space>
  );
}

function ShiftTag({ shift, canEdit, onRemove }: { shift: ShiftItem; canEdit: boolean; onRemove(): void }) {
  const a = Date.parse(shift.startsAt);
  const b = Date.parse(shift.endsAt);
  const text = `${shanghaiClock(a).replace(/:00$/, '')}–${shanghaiClock(b).replace(/:00$/, '')}`;
  const overnight = shanghaiDate(a) !== shanghaiDate(b - 1);
  const tag = (
    <Tag color="blue" className="kapok-shift-tag">
      {text}
      {overnight ? '⁺¹' : ''}
    </Tag>
  );
  if (!canEdit || b <= Date.now()) return <Tooltip title={`${shanghaiClock(a)}–${shanghaiClock(b)}`}>{tag}</Tooltip>;
  return (
    <Popconfirm
      title="删除这个班次？"
      description={`${shift.workerName} ${shanghaiDate(a)} ${shanghaiClock(a)}–${shanghaiClock(b)}`}
      okText="删除"
      okButtonProps={{ danger: true }}
      cancelText="取消"
      icon={<DeleteOutlined style={{ color: '#c0392b' }} />}
      onConfirm={onRemove}
    >
      <span style={{ cursor: 'pointer' }}>{tag}</span>
    </Popconfirm>
  );
}

function GapCell({ day }: { day: DayCoverage }) {
  if (day.past) return <Typography.Text type="secondary">—</Typography.Text>;
  if (!day.gaps.length) return <Typography.Text type="success">✓</Typography.Text>;
  const hours = day.gaps.reduce((n, [a, b]) => n + (b - a), 0) / 3600_000;
  return (
    <Tooltip title={`无人排班：${day.gaps.map(formatInterval).join('、')}`}>
      <span data-testid={`gap-${day.date}`} className="kapok-gap-text">
        {hours >= 23.99 ? '全天' : hours >= 1 ? `${Math.round(hours)}时` : `${Math.round(hours * 60)}分`}
      </span>
    </Tooltip>
  );
}

/** Hours × days: how many people are rostered for each hour; red where nobody is, orange where only partly. */
function HourlyCoverage({ coverage }: { coverage: DayCoverage[] }) {
  const now = Date.now();
  return (
    <Card size="small" title="每小时排班人数（红色：无人排班；橙色：部分时段有人）">
      <div className="kapok-heat-scroll">
        <table className="kapok-heat" data-testid="roster-heat">
          <thead>
            <tr>
              <th />
              {coverage.map((d) => (
                <th key={d.date}>{Number(d.date.slice(8))}</th>
              ))}
            </tr>
          </thead>
          <tbody>
            {Array.from({ length: 24 }, (_, h) => (
              <tr key={h}>
                <th>{String(h).padStart(2, '0')}时</th>
                {coverage.map((d) => {
                  const n = d.hours[h];
                  const past = shanghai(d.date) + (h + 1) * 3600_000 <= now;
                  const cls = past ? 'past' : n === 0 ? 'none' : n < 0 ? 'part' : 'ok';
                  return (
                    <td key={d.date} className={cls} title={`${d.date} ${h}时：${n < 0 ? '部分时段' : `${n} 人`}`}>
                      {n > 0 ? n : ''}
                    </td>
                  );
                })}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </Card>
  );
}

function AddShiftModal({
  stationId,
  target,
  onClose,
  onAdded,
}: {
  stationId: string;
  target: { worker: Worker; date: string } | null;
  onClose(): void;
  onAdded(): void;
}) {
  const { message } = AntApp.useApp();
  const [range, setRange] = useState<[Dayjs, Dayjs] | null>(null);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    if (target) setRange([dayjs('08:00', 'HH:mm'), dayjs('16:00', 'HH:mm')]);
  }, [target]);

  const submit = async () => {
    if (!target || !range) return;
    const startsAt = shanghai(target.date, range[0].format('HH:mm'));
    let endsAt = shanghai(target.date, range[1].format('HH:mm'));
    if (endsAt <= startsAt) endsAt += 24 * 3600_000; // overnight
    setBusy(true);
    try {
      await post(`/stations/${stationId}/shifts`, {
        workerId: target.worker.id,
        startsAt: new Date(startsAt).toISOString(),
        endsAt: new Date(endsAt).toISOString(),
      });
      message.success('已添加班次');
      onAdded();
    } catch (e) {
      message.error(e instanceof ApiError && e.status === 400 ? reasonsOf(e).join('；') : describeError(e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <Modal
      open={!!target}
      title={target ? `添加班次：${target.worker.displayName} · ${target.date}` : ''}
      onCancel={onClose}
      onOk={submit}
      okText="添加"
      cancelText="取消"
      confirmLoading={busy}
      destroyOnHidden
    >
      <Space orientation="vertical">
        <TimePicker.RangePicker
          format="HH:mm"
          minuteStep={15}
          order={false}
          value={range}
          onChange={(v) => setRange(v?.[0] && v[1] ? [v[0], v[1]] : null)}
        />
        <Typography.Text type="secondary">结束时间早于开始时间表示次日结束（夜班）。</Typography.Text>
      </Space>
    </Modal>
  );
}

// ------------------------------------------------------------------------------------------ routing settings

const SETTING_FIELDS = [
  {
    key: 'offerTimeoutSeconds',
    label: '振铃超时',
    unit: '秒',
    min: 1,
    max: 600,
    help: '社工须在此时间内接听，否则转给下一位',
  },
  {
    key: 'overflowDistrictSeconds',
    label: '溢出到本区',
    unit: '秒',
    min: 0,
    max: 86400,
    help: '等待超过此时间，本区其他社工站可接',
  },
  {
    key: 'overflowRegionSeconds',
    label: '溢出到片区',
    unit: '秒',
    min: 0,
    max: 86400,
    help: '等待超过此时间，本片区社工站可接',
  },
  {
    key: 'overflowCitySeconds',
    label: '溢出到全市',
    unit: '秒',
    min: 0,
    max: 86400,
    help: '等待超过此时间，全市社工站可接',
  },
  {
    key: 'skillRelaxSeconds',
    label: '放宽语言与技能匹配',
    unit: '秒',
    min: 0,
    max: 86400,
    help: '等待超过此时间，不再要求语言与技能相符',
  },
  {
    key: 'continuityWindowSeconds',
    label: '熟悉社工优先保留',
    unit: '秒',
    min: 0,
    max: 3600,
    help: '再次来电者优先留给上次服务的社工的时长',
  },
  {
    key: 'chatCapacity',
    label: '在线咨询同时接待数',
    unit: '个',
    min: 1,
    max: 20,
    help: '一名社工同时处理的在线咨询/微信会话上限',
  },
  {
    key: 'missedOffersToAway',
    label: '连续未接自动暂离',
    unit: '次',
    min: 1,
    max: 100,
    help: '连续这么多次超时未接，社工自动设为暂离',
  },
] as const;
type SettingKey = (typeof SETTING_FIELDS)[number]['key'];
type Settings = Record<SettingKey, number | null>;

/** 常用语 of a station (for every workstation of its operators): a list kept on the server, the defaults until set. */
function QuickRepliesForm({ stationId, canEdit }: { stationId: string; canEdit: boolean }) {
  const { message } = AntApp.useApp();
  const [data, setData] = useState<StationQuickReplies | null>(null);
  const [phrases, setPhrases] = useState<string[]>([]);
  const [adding, setAdding] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [saving, setSaving] = useState(false);

  useEffect(() => {
    let live = true;
    setData(null);
    get<StationQuickReplies>(`/stations/${stationId}/quick-replies`)
      .then((r) => {
        if (!live) return;
        setData(r);
        setPhrases(r.phrases);
        setError(null);
      })
      .catch((e) => live && setError(describeError(e)));
    return () => {
      live = false;
    };
  }, [stationId]);

  const save = async (next: string[] | null) => {
    setSaving(true);
    try {
      const r = await put<StationQuickReplies>(`/stations/${stationId}/quick-replies`, { phrases: next });
      setData(r);
      setPhrases(r.phrases);
      message.success(next === null ? '已恢复默认常用语' : '常用语已保存');
    } catch (e) {
      message.error(`保存失败：${reasonsOf(e).join('；')}`);
    } finally {
      setSaving(false);
    }
  };
  const add = () => {
    const t = adding.trim();
    if (t && !phrases.includes(t)) setPhrases([...phrases, t]);
    setAdding('');
  };

  if (error) return <Alert type="error" showIcon title={error} />;
  return (
    <Card size="small" loading={!data} data-testid="quick-replies-form">
      <Typography.Paragraph type="secondary">
        本站社工在在线咨询和微信会话中可一键使用这些常用语（最多 {QUICK_REPLIES_MAX} 条，每条不超过{' '}
        {QUICK_REPLY_MAX_CHARS} 字）。
        {data && !data.custom && '本站尚未设置，当前为默认常用语。'}
        {data?.updatedBy && `最近由 ${data.updatedBy.name} 于 ${formatBeijing(data.updatedAt)}（北京时间）修改。`}
      </Typography.Paragraph>
      <Space orientation="vertical" style={{ width: '100%' }}>
        {phrases.length === 0 && <Typography.Text type="secondary">没有常用语</Typography.Text>}
        {phrases.map((t) => (
          <Space key={t} align="start" data-testid="quick-reply-item">
            {canEdit && (
              <Button
                size="small"
                danger
                icon={<DeleteOutlined />}
                aria-label={`删除常用语：${t}`}
                onClick={() => setPhrases(phrases.filter((p) => p !== t))}
              />
            )}
            <span>{t}</span>
          </Space>
        ))}
        {canEdit && (
          <>
            <Space.Compact style={{ width: '100%' }}>
              <Input
                value={adding}
                maxLength={QUICK_REPLY_MAX_CHARS}
                placeholder="新的常用语"
                aria-label="新的常用语"
                data-testid="quick-reply-new"
                onChange={(e) => setAdding(e.target.value)}
                onPressEnter={add}
              />
              <Button icon={<PlusOutlined />} disabled={!adding.trim()} onClick={add}>
                添加
              </Button>
            </Space.Compact>
            <Space>
              <Button
                type="primary"
                loading={saving}
                onClick={() => void save(phrases)}
                data-testid="save-quick-replies"
              >
                保存常用语
              </Button>
              <Button onClick={() => setPhrases(data?.phrases ?? [])}>撤销修改</Button>
              <Popconfirm title="恢复为默认常用语？" okText="恢复" cancelText="取消" onConfirm={() => void save(null)}>
                <Button disabled={!data?.custom}>恢复默认</Button>
              </Popconfirm>
            </Space>
          </>
        )}
      </Space>
    </Card>
  );
}

function RoutingSettingsForm({ stationId, canEdit }: { stationId: string; canEdit: boolean }) {
  const { message } = AntApp.useApp();
  const [form] = Form.useForm<Settings>();
  const [data, setData] = useState<{ own: Settings; effective: Settings } | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [saving, setSaving] = useState(false);

  const load = useCallback(async () => {
    try {
      const r = await get<{ own: Settings; effective: Settings }>(`/stations/${stationId}/routing-settings`);
      setData(r);
      form.setFieldsValue(r.own);
      setError(null);
    } catch (e) {
      setError(describeError(e));
    }
  }, [stationId, form]);

  useEffect(() => {
    setData(null);
    void load();
  }, [load]);

  const save = async (v: Settings) => {
    setSaving(true);
    try {
      const body = Object.fromEntries(SETTING_FIELDS.map((f) => [f.key, v[f.key] ?? null]));
      const r = await put<{ own: Settings; effective: Settings }>(`/stations/${stationId}/routing-settings`, body);
      setData(r);
      form.setFieldsValue(r.own);
      message.success('路由设置已保存');
    } catch (e) {
      message.error(`保存失败：${reasonsOf(e).join('；')}`);
    } finally {
      setSaving(false);
    }
  };

  if (error) return <Alert type="error" showIcon title={error} />;
  return (
    <Card size="small" loading={!data}>
      <Typography.Paragraph type="secondary">
        留空表示使用全市默认值（括号中为当前生效值）。修改只影响本社工站，立即生效。
      </Typography.Paragraph>
      <Form form={form} layout="vertical" onFinish={save} disabled={!canEdit} data-testid="routing-settings">
        <Row gutter={16}>
          {SETTING_FIELDS.map((f) => (
            <Col key={f.key} xs={24} sm={12} xl={6}>
              <Form.Item
                name={f.key}
                label={`${f.label}（当前 ${data?.effective[f.key] ?? '—'} ${f.unit}）`}
                extra={f.help}
              >
                <InputNumber
                  min={f.min}
                  max={f.max}
                  precision={0}
                  style={{ width: '100%' }}
                  placeholder={`默认（${data?.own[f.key] == null ? (data?.effective[f.key] ?? '') : '全市默认'}）`}
                  suffix={f.unit}
                  data-testid={`setting-${f.key}`}
                />
              </Form.Item>
            </Col>
          ))}
        </Row>
        {canEdit && (
          <Space>
            <Button type="primary" htmlType="submit" loading={saving} data-testid="save-settings">
              保存设置
            </Button>
            <Button onClick={() => form.setFieldsValue(data?.own ?? {})}>撤销修改</Button>
            <Button
              onClick={() =>
                form.setFieldsValue(Object.fromEntries(SETTING_FIELDS.map((f) => [f.key, null])) as Settings)
              }
            >
              全部恢复默认
            </Button>
          </Space>
        )}
      </Form>
    </Card>
  );
}
