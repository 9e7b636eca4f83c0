import { useCallback, useEffect, useState } from 'react';
import { Alert, Button, Card, Drawer, Space, Table, Tag, Typography } from 'antd';
import { ReloadOutlined } from '@ant-design/icons';
import type { DutyOperator, RecordListItem, StationDutyView } from '@kapok/contracts';
import { describeError } from '../api';
import { formatBeijing, TIME_ZONE_LABEL } from '../beijing';
import { stationDuty, operatorState } from '../duty';
import { formatDuration, useNow } from '../hooks';
import {
  CHANNEL_LABELS,
  CONTACT_STATUS_LABELS,
  label,
  OPERATOR_STATE_COLORS,
  RISK_LEVEL_COLORS,
  RISK_LEVEL_LABELS,
} from '../labels';
import { searchRecords } from '../records';

const LIVE_STATUSES = 'queued,offered,active,wrap_up';
const REFRESH_MS = 10_000;

/** A station's name on the board that opens its drill-down (its operators and live contacts). */
export function StationLink({ stationId, name, title }: { stationId: string; name: string; title?: string }) {
  const [open, setOpen] = useState(false);
  return (
    <>
      <Button
        type="link"
        size="small"
        title={title}
        style={{ padding: 0, height: 'auto', whiteSpace: 'normal', textAlign: 'left' }}
        onClick={() => setOpen(true)}
        data-testid={`drill-${stationId}`}
      >
        {name}
      </Button>
      <Drawer
        open={open}
        onClose={() => setOpen(false)}
        title={title ?? name}
        size={760}
        destroyOnHidden
        className="kapok-drill-drawer"
      >
        {open && <StationDrillDown stationId={stationId} />}
      </Drawer>
    </>
  );
}

/**
 * One station now: each operator (state, the contact they hold and for how long, today's figures) and the contacts
 * waiting or being handled, refreshed every 10 s. Times in Beijing time.
 */
export function StationDrillDown({ stationId }: { stationId: string }) {
  const now = useNow(1000);
  const [duty, setDuty] = useState<StationDutyView | null>(null);
  const [contacts, setContacts] = useState<RecordListItem[] | null>(null);
  const [error, setError] = useState<string | null>(null);

  const load = useCallback(() => {
    const q = new URLSearchParams({ orgUnitId: stationId, status: LIVE_STATUSES, sort: 'queuedAt', pageSize: '100' });
    Promise.all([stationDuty(stationId), searchRecords(q.toString())])
      .then(([d, r]) => {
        setDuty(d);
        setContacts(r.available ? r.data.items : []);
        setError(null);
      })
      .catch((e) => {
        // never figures from before the error shown as current
        setDuty(null);
        setContacts(null);
        setError(describeError(e));
      });
  }, [stationId]);

  useEffect(() => {
    load();
    const t = setInterval(load, REFRESH_MS);
    return () => clearInterval(t);
  }, [load]);

  const since = (iso: string) => formatDuration((now - Date.parse(iso)) / 1000);

  return (
    <Space orientation="vertical" size="middle" style={{ width: '100%' }} data-testid={`drill-down-${stationId}`}>
      {error && <Alert type="error" showIcon title={error} />}
      <Typography.Text type="secondary">
        {duty ? `更新于 ${formatBeijing(duty.at, 'HH:mm:ss')}（${TIME_ZONE_LABEL}），每 10 秒刷新` : '加载中……'}
        <Button type="link" size="small" icon={<ReloadOutlined />} onClick={load}>
          刷新
        </Button>
      </Typography.Text>
      <Card size="small" title={`社工（${duty?.operators.filter((o) => o.signedIn).length ?? 0} 人在线）`}>
        <Table<DutyOperator>
          rowKey="userId"
          size="small"
          loading={!duty && !error}
          dataSource={duty?.operators ?? []}
          pagination={false}
          scroll={{ x: 'max-content' }}
          onRow={(o) => ({ 'data-testid': `drill-operator-${o.userId}` }) as React.HTMLAttributes<HTMLElement>}
          columns={[
            { title: '社工', dataIndex: 'displayName', width: 100 },
            { title: '分机', dataIndex: 'extension', width: 70, render: (v) => v ?? '—' },
            {
              title: '状态',
              width: 80,
              render: (_, o) => <Tag color={OPERATOR_STATE_COLORS[o.state]}>{operatorState(o)}</Tag>,
            },
            {
              title: '当前来电',
              width: 170,
              render: (_, o) =>
                o.contact
                  ? `${label(CHANNEL_LABELS, o.contact.channel)} · ${label(CONTACT_STATUS_LABELS, o.contact.status)} ${since(o.contact.since)}`
                  : '—',
            },
            { title: '今日接听', width: 80, align: 'right', render: (_, o) => o.today.answered },
            { title: '今日服务', width: 80, align: 'right', render: (_, o) => o.today.served },
            { title: '高风险', width: 70, align: 'right', render: (_, o) => o.today.highRiskContacts },
            {
              title: '平均处理时长',
              width: 110,
              align: 'right',
              render: (_, o) => formatDuration(o.today.avgHandleSeconds),
            },
          ]}
        />
      </Card>
      <Card size="small" title={`进行中的来电（${contacts?.length ?? 0}）`}>
        <Table<RecordListItem>
          rowKey="contactId"
          size="small"
          loading={!contacts && !error}
          dataSource={contacts ?? []}
          pagination={false}
          scroll={{ x: 'max-content' }}
          onRow={(c) => ({ 'data-testid': `drill-contact-${c.contactId}` }) as React.HTMLAttributes<HTMLElement>}
          columns={[
            {
              title: `来电时间（${TIME_ZONE_LABEL}）`,
              dataIndex: 'queuedAt',
              width: 150,
              render: (v) => formatBeijing(v, 'HH:mm:ss'),
            },
            { title: '渠道', dataIndex: 'channel', width: 80, render: (v) => label(CHANNEL_LABELS, v) },
            { title: '状态', dataIndex: 'status', width: 90, render: (v) => label(CONTACT_STATUS_LABELS, v) },
            {
              title: '风险',
              width: 80,
              render: (_, c) =>
                c.riskLevel !== 'normal' ? (
                  <Tag color={RISK_LEVEL_COLORS[c.riskLevel]}>{label(RISK_LEVEL_LABELS, c.riskLevel)}</Tag>
                ) : (
                  '—'
                ),
            },
            { title: '社工', dataIndex: 'workerName', width: 100, render: (v) => v ?? '—' },
            {
              title: '已持续',
              width: 90,
              align: 'right',
              render: (_, c) => since(c.answeredAt ?? c.queuedAt),
            },
            { title: '来电号码', dataIndex: 'callerNumberMasked', width: 120, render: (v) => v ?? '—' },
          ]}
        />
      </Card>
    </Space>
  );
}
