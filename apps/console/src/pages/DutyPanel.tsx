import { useCallback, useEffect, useState } from 'react';
import { Card, Space, Statistic, Tag, Typography } from 'antd';
import type { StationDutyView } from '@kapok/contracts';
import { describeError } from '../api';
import { operatorState, stationDuty } from '../duty';
import { formatDuration } from '../hooks';
import { OPERATOR_STATE_COLORS } from '../labels';
import { useSession } from '../session';

const REFRESH_MS = 20_000;

/**
 * The operator's own figures of today (Beijing day, from the rollups) and who else of their station is on duty
 * now: a small panel of the workspace (GET /api/stations/:id/duty for their station).
 */
export function DutyPanel() {
  const { session } = useSession();
  const [duty, setDuty] = useState<StationDutyView | null>(null);
  const [error, setError] = useState<string | null>(null);

  const load = useCallback(() => {
    stationDuty(session.user.orgUnitId)
      .then((d) => {
        setDuty(d);
        setError(null);
      })
      .catch((e) => {
        setDuty(null);
        setError(describeError(e));
      });
  }, [session.user.orgUnitId]);

  useEffect(() => {
    load();
    const t = setInterval(load, REFRESH_MS);
    return () => clearInterval(t);
  }, [load]);

  const me = duty?.operators.find((o) => o.userId === session.user.id);
  const others = duty?.operators.filter((o) => o.userId !== session.user.id && o.signedIn) ?? [];
  return (
    <Card size="small" title="今日概况" data-testid="duty-panel" style={{ marginTop: 16 }}>
      {error && <Typography.Text type="secondary">今日概况暂不可用：{error}</Typography.Text>}
      {duty && (
        <Space orientation="vertical" style={{ width: '100%' }}>
          <Space size="large" wrap>
            <Statistic title="今日接听" value={me?.today.answered ?? 0} data-testid="duty-my-answered" />
            <Statistic title="今日服务" value={me?.today.served ?? 0} />
            <Statistic title="高风险" value={me?.today.highRiskContacts ?? 0} />
            <Statistic title="平均处理时长" value={formatDuration(me?.today.avgHandleSeconds)} />
          </Space>
          <div data-testid="duty-others">
            <Typography.Text strong>{duty.stationName}在线社工：</Typography.Text>
            {others.length === 0 ? (
              <Typography.Text type="secondary">本站目前没有其他社工在线。</Typography.Text>
            ) : (
              <Space size={4} wrap>
                {others.map((o) => (
                  <Tag key={o.userId} color={OPERATOR_STATE_COLORS[o.state]}>
                    {o.displayName} · {operatorState(o)}
                  </Tag>
                ))}
              </Space>
            )}
          </div>
        </Space>
      )}
    </Card>
  );
}
