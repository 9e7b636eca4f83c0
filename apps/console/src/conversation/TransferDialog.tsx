import { useEffect, useMemo, useState } from 'react';
import { Alert, App as AntApp, Button, Form, Input, Modal, Radio, Select, Typography } from 'antd';
import { SwapOutlined } from '@ant-design/icons';
import {
  type ContactView,
  type OrgUnitView,
  TRANSFER_NOTE_MAX_CHARS,
  type TransferContactBody,
  type TransferTarget,
} from '@kapok/contracts';
import { describeError, get, post } from '../api';
import { LEVEL_LABELS } from '../labels';
import { isTextChannel } from './text-labels';

type Kind = 'supervisor' | 'pool' | 'operator';

interface Colleague {
  workerId: string;
  workerName: string;
}

/** The colleagues rostered at the station now (GET /api/stations/:id/shifts), without the operator themself. */
async function colleaguesOnShift(stationId: string, selfId: string): Promise<Colleague[]> {
  const now = Date.now();
  const from = new Date(now - 60_000).toISOString();
  const to = new Date(now + 60_000).toISOString();
  const shifts = await get<(Colleague & { startsAt: string; endsAt: string })[]>(
    `/stations/${stationId}/shifts?from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}`,
  );
  const seen = new Map<string, Colleague>();
  for (const s of shifts) {
    if (s.workerId !== selfId && Date.parse(s.startsAt) <= now && Date.parse(s.endsAt) > now) {
      seen.set(s.workerId, { workerId: s.workerId, workerName: s.workerName });
    }
  }
  return [...seen.values()];
}

/**
 * 转接: hands the contact (phone or text) to a supervisor (a high-risk contact), back to a station's or district's
 * pool (it keeps its place in the queue), or to a colleague on shift, with a note that travels with it
 * (`POST /api/contacts/:id/transfer`). The receiving side sees the note and, for a text contact, the whole
 * conversation.
 */
export function TransferButton({
  contact,
  userId,
  onTransferred,
}: {
  contact: ContactView;
  userId: string;
  onTransferred(view: ContactView): void;
}) {
  const [open, setOpen] = useState(false);
  if (contact.status !== 'active') return null;
  return (
    <>
      <Button icon={<SwapOutlined />} onClick={() => setOpen(true)} data-testid="transfer-open">
        转接
      </Button>
      {open && (
        <TransferDialog
          contact={contact}
          userId={userId}
          onClose={() => setOpen(false)}
          onTransferred={(v) => {
            setOpen(false);
            onTransferred(v);
          }}
        />
      )}
    </>
  );
}

export function TransferDialog({
  contact,
  userId,
  onClose,
  onTransferred,
}: {
  contact: ContactView;
  userId: string;
  onClose(): void;
  onTransferred(view: ContactView): void;
}) {
  const { message } = AntApp.useApp();
  const [kind, setKind] = useState<Kind>(contact.riskLevel === 'normal' ? 'pool' : 'supervisor');
  const [unitId, setUnitId] = useState<string>(contact.stationId);
  const [workerId, setWorkerId] = useState<string | undefined>();
  const [note, setNote] = useState('');
  const [units, setUnits] = useState<OrgUnitView[]>([]);
  const [colleagues, setColleagues] = useState<Colleague[] | null>(null);
  const [sending, setSending] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [touched, setTouched] = useState(false);
  const text = isTextChannel(contact.channel);

  useEffect(() => {
    get<OrgUnitView[]>('/org-units')
      .then(setUnits)
      .catch(() => setUnits([]));
    colleaguesOnShift(contact.stationId, userId)
      .then(setColleagues)
      .catch(() => setColleagues([]));
  }, [contact.stationId, userId]);

  /** The contact's own station and its district first, then the other stations and districts in scope. */
  const pools = useMemo(() => {
    const own = units.find((u) => u.id === contact.stationId);
    const list = units.filter((u) => u.level === 'station' || u.level === 'district');
    const rank = (u: OrgUnitView) => (u.id === contact.stationId ? 0 : u.id === own?.parentId ? 1 : 2);
    const options = [...list]
      .sort((a, b) => rank(a) - rank(b) || a.name.localeCompare(b.name, 'zh-CN'))
      .map((u) => ({ value: u.id, label: `${u.name}（${LEVEL_LABELS[u.level]}）` }));
    if (!options.some((o) => o.value === contact.stationId)) {
      options.unshift({ value: contact.stationId, label: '本站（来电所属社工站）' });
    }
    return options;
  }, [units, contact.stationId]);

  const noteMissing = !note.trim();
  const targetMissing = kind === 'operator' && !workerId;

  const submit = async () => {
    setTouched(true);
    if (noteMissing || targetMissing) return;
    const to: TransferTarget =
      kind === 'supervisor' ? { supervisor: true } : kind === 'pool' ? { orgUnitId: unitId } : { userId: workerId! };
    setSending(true);
    setError(null);
    try {
      const view = await post<ContactView>(`/contacts/${contact.id}/transfer`, {
        to,
        note: note.trim(),
      } satisfies TransferContactBody);
      message.success(kind === 'supervisor' ? '已转给督导' : '已转接');
      onTransferred(view);
    } catch (e) {
      setError(`转接失败：${describeError(e)}`);
    } finally {
      setSending(false);
    }
  };

  return (
    <Modal
      open
      title={text ? '转接会话' : '转接来电'}
      okText="确认转接"
      cancelText="取消"
      confirmLoading={sending}
      onOk={() => void submit()}
      onCancel={onClose}
      okButtonProps={{ 'data-testid': 'transfer-submit' } as Record<string, string>}
      destroyOnHidden
    >
      <Form layout="vertical" data-testid="transfer-dialog">
        <Form.Item label="转给">
          <Radio.Group value={kind} onChange={(e) => setKind(e.target.value)} data-testid="transfer-kind">
            <Radio.Button value="supervisor">督导（高风险）</Radio.Button>
            <Radio.Button value="pool">社工站/区等候队列</Radio.Button>
            <Radio.Button value="operator">指定社工</Radio.Button>
          </Radio.Group>
        </Form.Item>
        {kind === 'pool' && (
          <Form.Item label="等候队列" extra="保留原排队时间，由该站/区在岗社工接入">
            <Select
              value={unitId}
              onChange={setUnitId}
              options={pools}
              showSearch={{ optionFilterProp: 'label' }}
              data-testid="transfer-unit"
            />
          </Form.Item>
        )}
        {kind === 'operator' && (
          <Form.Item
            label="社工"
            validateStatus={touched && targetMissing ? 'error' : undefined}
            help={
              touched && targetMissing
                ? '请选择社工'
                : colleagues && !colleagues.length
                  ? '本站当前没有其他排班社工，可转到等候队列'
                  : undefined
            }
          >
            <Select
              value={workerId}
              onChange={setWorkerId}
              loading={colleagues === null}
              placeholder="当前排班的社工"
              options={(colleagues ?? []).map((c) => ({ value: c.workerId, label: c.workerName }))}
              data-testid="transfer-user"
            />
          </Form.Item>
        )}
        {kind === 'supervisor' && (
          <Typography.Paragraph type="secondary">
            转给本站督导处理，适用于高风险、需要督导介入的{text ? '会话' : '来电'}。
          </Typography.Paragraph>
        )}
        <Form.Item
          label="转接备注"
          required
          validateStatus={touched && noteMissing ? 'error' : undefined}
          help={touched && noteMissing ? '请填写转接备注，说明情况和转接原因' : '备注随转接一起交给接收方'}
        >
          <Input.TextArea
            value={note}
            onChange={(e) => setNote(e.target.value)}
            autoSize={{ minRows: 3, maxRows: 6 }}
            maxLength={TRANSFER_NOTE_MAX_CHARS}
            showCount
            placeholder="例如：来访者表达轻生念头，已做初步安全评估，需督导介入"
            data-testid="transfer-note-input"
          />
        </Form.Item>
        {error && <Alert type="error" showIcon title={error} />}
      </Form>
    </Modal>
  );
}
