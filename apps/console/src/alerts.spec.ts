import type { RiskAlertView } from '@kapok/contracts';
import { ApiError } from './api';
import {
  describeRiskAlert,
  isWaiting,
  liveWaitSeconds,
  loadMuted,
  REFRESH_IDLE_MS,
  REFRESH_WHILE_WAITING_MS,
  refreshInterval,
  riskAlertSourceText,
  riskAlertStateText,
  contactStatusText,
  describeAlertError,
  saveMuted,
} from './alerts';

const AS_OF = '2026-03-01T02:00:00.000Z';
const at = (seconds: number) => Date.parse(AS_OF) + seconds * 1000;

const alert = (patch: Partial<RiskAlertView> = {}): RiskAlertView => ({
  id: 'a1',
  contactId: 'c1',
  channel: 'phone',
  stationId: 's1',
  stationName: '北京街社工站',
  source: 'critical_contact',
  riskLevel: 'critical',
  raisedAt: '2026-03-01T01:59:00.000Z',
  contactStatus: 'queued',
  queuedAt: '2026-03-01T01:59:00.000Z',
  answeredAt: null,
  operator: null,
  waitedSeconds: 60,
  asOf: AS_OF,
  state: 'open',
  acknowledgedAt: null,
  acknowledgedBy: null,
  acknowledgeNote: null,
  ...patch,
});

describe('console risk alerts: the live wait', () => {
  it('grows from the server’s figure while the person waits (queued or offered), in whole seconds', () => {
    expect(liveWaitSeconds(alert(), at(0))).toBe(60);
    expect(liveWaitSeconds(alert(), at(5.7))).toBe(65);
    expect(liveWaitSeconds(alert({ contactStatus: 'offered' }), at(30))).toBe(90);
    expect(isWaiting(alert())).toBe(true);
    expect(isWaiting(alert({ contactStatus: 'offered' }))).toBe(true);
  });

  it('is frozen once the contact is answered, handled or gone', () => {
    for (const contactStatus of ['active', 'wrap_up', 'completed', 'abandoned'] as const) {
      const a = alert({ contactStatus, waitedSeconds: 42.4 });
      expect(isWaiting(a)).toBe(false);
      expect(liveWaitSeconds(a, at(600))).toBe(42);
    }
  });

  it('counts from when the list arrived, so a browser clock set wrong does not skew it', () => {
    const loadedAt = 5_000_000; // the browser's clock, hours away from the server's asOf
    expect(liveWaitSeconds(alert(), loadedAt, loadedAt)).toBe(60);
    expect(liveWaitSeconds(alert(), loadedAt + 12_000, loadedAt)).toBe(72);
  });

  it('never goes backwards or breaks on odd input', () => {
    expect(liveWaitSeconds(alert(), at(-30))).toBe(60); // a clock behind asOf adds nothing
    expect(liveWaitSeconds(alert({ waitedSeconds: -3 }), at(0))).toBe(0);
    expect(liveWaitSeconds(alert({ waitedSeconds: Number.NaN }), at(10))).toBe(10);
    expect(liveWaitSeconds(alert({ asOf: 'not a time' }), at(10))).toBe(60);
  });

  it('reloads the open list often while someone waits (answering sends no event), rarely otherwise', () => {
    expect(refreshInterval([])).toBe(REFRESH_IDLE_MS);
    expect(refreshInterval([alert({ contactStatus: 'active' })])).toBe(REFRESH_IDLE_MS);
    expect(refreshInterval([alert({ contactStatus: 'active' }), alert({ contactStatus: 'offered' })])).toBe(
      REFRESH_WHILE_WAITING_MS,
    );
    expect(REFRESH_WHILE_WAITING_MS).toBeLessThanOrEqual(10_000);
  });
});

describe('console risk alerts: the words', () => {
  it('a text contact is a 会话, not a 来电', () => {
    expect(riskAlertSourceText('critical_contact', 'phone')).toBe('危急来电');
    expect(riskAlertSourceText('critical_contact', 'wechat')).toBe('危急会话');
    expect(riskAlertSourceText('critical_contact', 'chat')).toBe('危急会话');
    expect(riskAlertSourceText('critical_contact', null)).toBe('危急来电');
    expect(riskAlertSourceText('imminent_assessment', 'chat')).toBe('风险评估为“紧急风险”');
    expect(contactStatusText('active', 'phone')).toBe('通话中');
    expect(contactStatusText('active', 'chat')).toBe('会话中');
    expect(contactStatusText('offered', 'wechat')).toBe('待接入');
    expect(riskAlertStateText('answered', 'phone')).toBe('已接听');
    expect(riskAlertStateText('answered', 'wechat')).toBe('已接入');
    expect(riskAlertStateText('acknowledged', 'phone')).toBe('已确认处理');
    expect(riskAlertStateText('open', 'chat')).toBe('待处理');
  });

  it('describes an alert in one line, from the event alone when the list did not come', () => {
    expect(describeRiskAlert(alert(), alert())).toBe('北京街社工站：危急来电，排队中');
    expect(describeRiskAlert(null, { stationName: '人民街社工站', source: 'imminent_assessment' })).toBe(
      '人民街社工站：风险评估为“紧急风险”',
    );
  });
});

describe('console risk alerts: muting', () => {
  it('remembers the choice, and survives storage that throws', () => {
    const data = new Map<string, string>();
    const storage = { getItem: (k: string) => data.get(k) ?? null, setItem: (k: string, v: string) => data.set(k, v) };
    expect(loadMuted(storage)).toBe(false);
    saveMuted(true, storage);
    expect(loadMuted(storage)).toBe(true);
    saveMuted(false, storage);
    expect(loadMuted(storage)).toBe(false);
    const broken = {
      getItem: () => {
        throw new Error('denied');
      },
      setItem: () => {
        throw new Error('denied');
      },
    };
    expect(loadMuted(broken)).toBe(false);
    expect(() => saveMuted(true, broken)).not.toThrow();
    expect(loadMuted(null)).toBe(false);
  });
});

describe('console risk alerts: the server’s refusals in Chinese', () => {
  const error = (status: number, message: string) => describeAlertError(new ApiError(status, [message], null));

  it('says why acknowledging was refused', () => {
    expect(error(404, 'Risk alert not found')).toBe('该预警不存在或不在您的查看范围内');
    expect(error(409, 'This risk alert is closed: the contact was answered')).toBe('该预警已关闭：来电已被社工接听');
    expect(error(409, 'This risk alert was already acknowledged by 黄志强')).toBe('该预警已由 黄志强 确认处理');
    expect(error(403, 'Acknowledging a risk alert needs one of the roles: coordinator, supervisor, manager')).toBe(
      '只有协调员、督导或民政管理者可以确认处理预警',
    );
    expect(error(400, 'note must be shorter than or equal to 500 characters')).toBe('备注最多 500 个字');
    expect(describeAlertError(new ApiError(403, [], null))).toBe('没有权限执行此操作');
  });
});
