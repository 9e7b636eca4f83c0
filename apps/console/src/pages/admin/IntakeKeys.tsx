import { useCallback, useEffect, useMemo, useState } from 'react';
import {
  Alert,
  App as AntApp,
  Button,
  Card,
  Form,
  Input,
  Modal,
  Popconfirm,
  Select,
  Space,
  Table,
  Tag,
  Typography,
} from 'antd';
import { DeleteOutlined, PlusOutlined, ReloadOutlined, SyncOutlined } from '@ant-design/icons';
import dayjs from 'dayjs';
import type { AdminHotlineView, IntakeKeyView, IssuedIntakeKeyView } from '@kapok/contracts';
import { del, describeError, get, post } from '../../api';
import { OneTimeSecret, reasonsOf } from './common';

/** How long a rotated key's predecessor is still accepted (the server allows up to 7 days). */
const OVERLAPS = [
  { value: 0, label: '立即失效' },
  { value: 3600, label: '1 小时' },
  { value: 24 * 3600, label: '1 天' },
  { value: 7 * 24 * 3600, label: '7 天' },
];

const when = (v: string | null | undefined) => (v ? dayjs(v).format('YYYY-MM-DD HH:mm') : '—');

/** 接入密钥: the keys telephony and WeChat gateways send intake with; issued (shown once), rotated, revoked. */
export function IntakeKeysPage() {
  const { message, modal } = AntApp.useApp();
  const [keys, setKeys] = useState<IntakeKeyView[]>([]);
  const [lines, setLines] = useState<AdminHotlineView[]>([]);
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<string | null>(null);
  const [showRevoked, setShowRevoked] = useState(false);
  const [issuing, setIssuing] = useState(false);
  const [issued, setIssued] = useState<{ title: string; key: string; note?: string } | null>(null);

  const load = useCallback(async () => {
    setLoading(true);
    try {
      const [k, l] = await Promise.all([
        get<IntakeKeyView[]>('/admin/intake-keys'),
        get<AdminHotlineView[]>('/admin/hotlines').catch(() => [] as AdminHotlineView[]),
      ]);
      setKeys(k);
      setLines(l);
      setError(null);
    } catch (e) {
      setError(describeError(e));
    } finally {
      setLoading(false);
    }
  }, []);
  useEffect(() => {
    void load();
  }, [load]);

  const lineById = useMemo(() => new Map(lines.map((l) => [l.id, l])), [lines]);
  const shown = keys.filter((k) => showRevoked || !k.revoked);

  const rotate = (k: IntakeKeyView) => {
    let overlapSeconds = 24 * 3600;
    modal.confirm({
      title: `轮换密钥「${k.name}」？`,
      content: (
        <Space orientation="vertical" style={{ width: '100%' }}>
          <Typography.Text>将生成新密钥。请在旧密钥失效前把新密钥配置到网关。</Typography.Text>
          <Space>
            旧密钥继续有效：
            <Select
              defaultValue={overlapSeconds}
              onChange={(v: number) => (overlapSeconds = v)}
              style={{ width: 120 }}
              options={OVERLAPS}
            />
          </Space>
        </Space>
      ),
      okText: '轮换',
      cancelText: '取消',
      onOk: async () => {
        try {
          const r = await post<IssuedIntakeKeyView>(`/admin/intake-keys/${k.id}/rotate`, { overlapSeconds });
          setIssued({
            title: `「${k.name}」的新密钥`,
            key: r.key,
            note: r.previousKeyValidUntil ? `旧密钥在 ${when(r.previousKeyValidUntil)} 前仍然有效。` : undefined,
          });
          void load();
        } catch (e) {
          message.error(reasonsOf(e).join('；'));
        }
      },
    });
  };

  const revoke = async (k: IntakeKeyView) => {
    try {
      await del(`/admin/intake-keys/${k.id}`);
      message.success(`已吊销「${k.name}」：使用它的网关将立即被拒绝`);
      void load();
    } catch (e) {
      message.error(reasonsOf(e).join('；'));
    }
  };

  return (
    <div data-testid="intake-keys">
      <Card
        size="small"
        title="接入密钥"
        extra={
          <Space wrap>
            <Button size="small" type="link" onClick={() => setShowRevoked((v) => !v)}>
              {showRevoked ? '隐藏已吊销' : '显示已吊销'}
            </Button>
            <Button size="small" icon={<ReloadOutlined />} onClick={() => void load()} />
            <Button type="primary" icon={<PlusOutlined />} onClick={() => setIssuing(true)} data-testid="key-create">
              签发密钥
            </Button>
          </Space>
        }
      >
        <Typography.Paragraph type="secondary">
          电话交换机、微信等接入网关凭密钥（请求头 X-Api-Key）提交来电。密钥只在签发时显示一次，系统只保存其摘要。
        </Typography.Paragraph>
        {error && <Alert type="error" showIcon title={error} style={{ marginBottom: 12 }} />}
        <Table<IntakeKeyView>
          rowKey="id"
          size="small"
          loading={loading}
          dataSource={shown}
          scroll={{ x: 'max-content' }}
          pagination={{ pageSize: 20, hideOnSinglePage: true }}
          data-testid="key-table"
          columns={[
            { title: '名称', dataIndex: 'name', width: 200 },
            {
              title: '可用热线',
              dataIndex: 'hotlineIds',
              width: 260,
              render: (ids: string[] | null) =>
                ids === null ? (
                  <Tag color="blue">全部热线</Tag>
                ) : (
                  <Space size={2} wrap>
                    {ids.map((id) => (
                      <Tag key={id}>{lineById.get(id)?.number ?? id.slice(0, 8)}</Tag>
                    ))}
                  </Space>
                ),
            },
            { title: '签发时间', dataIndex: 'createdAt', width: 140, render: when },
            {
              title: '最近使用',
              dataIndex: 'lastUsedAt',
              width: 140,
              render: (v: string | null) =>
                v ? when(v) : <Typography.Text type="secondary">从未使用</Typography.Text>,
            },
            {
              title: '状态',
              key: 'status',
              width: 180,
              render: (_, k) =>
                k.revoked ? (
                  <Tag>已吊销 {when(k.revokedAt)}</Tag>
                ) : k.previousKeyValidUntil && Date.parse(k.previousKeyValidUntil) > Date.now() ? (
                  <Tag color="orange">轮换过渡中，旧密钥至 {when(k.previousKeyValidUntil)}</Tag>
                ) : (
                  <Tag color="green">有效{k.rotatedAt ? `（${when(k.rotatedAt)} 轮换）` : ''}</Tag>
                ),
            },
            {
              title: '操作',
              key: 'actions',
              width: 160,
              render: (_, k) =>
                k.revoked ? null : (
                  <Space size={0}>
                    <Button
                      type="link"
                      size="small"
                      icon={<SyncOutlined />}
                      onClick={() => rotate(k)}
                      data-testid={`key-rotate-${k.name}`}
                    >
                      轮换
                    </Button>
                    <Popconfirm
                      title={`吊销「${k.name}」？`}
                      description="吊销后使用此密钥的网关立即无法提交来电，且不能恢复。"
                      okText="吊销"
                      okButtonProps={{ danger: true, 'data-testid': 'key-revoke-confirm' } as any}
                      cancelText="取消"
                      onConfirm={() => revoke(k)}
                    >
                      <Button
                        type="link"
                        size="small"
                        danger
                        icon={<DeleteOutlined />}
                        data-testid={`key-revoke-${k.name}`}
                      >
                        吊销
                      </Button>
                    </Popconfirm>
                  </Space>
                ),
            },
          ]}
        />
      </Card>
      {issuing && (
        <IssueKeyModal
          lines={lines}
          onClose={() => setIssuing(false)}
          onIssued={(name, key) => {
            setIssuing(false);
            setIssued({ title: `「${name}」的密钥`, key });
            void load();
          }}
        />
      )}
      <Modal
        open={!!issued}
        title={issued?.title}
        onCancel={() => setIssued(null)}
        maskClosable={false}
        width={600}
        footer={
          <Button type="primary" onClick={() => setIssued(null)} data-testid="key-done">
            我已保存
          </Button>
        }
      >
        {issued && (
          <Space orientation="vertical" style={{ width: '100%' }}>
            <OneTimeSecret
              label="密钥"
              value={issued.key}
              advice="请立即复制并配置到接入网关（系统不保存密钥原文）"
              testId="issued-key"
            />
            {issued.note && <Typography.Text>{issued.note}</Typography.Text>}
          </Space>
        )}
      </Modal>
    </div>
  );
}

function IssueKeyModal({
  lines,
  onClose,
  onIssued,
}: {
  lines: AdminHotlineView[];
  onClose(): void;
  onIssued(name: string, key: string): void;
}) {
  const [form] = Form.useForm<{ name: string; scope: 'all' | 'some'; hotlineIds: string[] }>();
  const scope = Form.useWatch('scope', form);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const submit = async (v: { name: string; scope: 'all' | 'some'; hotlineIds: string[] }) => {
    setBusy(true);
    setError(null);
    try {
      const r = await post<IssuedIntakeKeyView>('/admin/intake-keys', {
        name: v.name.trim(),
        ...(v.scope === 'some' ? { hotlineIds: v.hotlineIds ?? [] } : {}),
      });
      onIssued(v.name.trim(), r.key);
    } catch (e) {
      setError(reasonsOf(e).join('；'));
    } finally {
      setBusy(false);
    }
  };
  return (
    <Modal
      open
      title="签发接入密钥"
      onCancel={onClose}
      onOk={() => form.submit()}
      okText="签发"
      cancelText="取消"
      confirmLoading={busy}
      okButtonProps={{ 'data-testid': 'key-submit' } as any}
    >
      {error && <Alert type="error" showIcon title={error} style={{ marginBottom: 12 }} />}
      <Form
        form={form}
        layout="vertical"
        requiredMark={false}
        onFinish={submit}
        initialValues={{ scope: 'all', hotlineIds: [] }}
      >
        <Form.Item
          name="name"
          label="网关名称"
          rules={[{ required: true, whitespace: true, message: '请输入名称' }, { max: 100 }]}
        >
          <Input placeholder="如：越秀区电话交换机" data-testid="key-name" />
        </Form.Item>
        <Form.Item name="scope" label="可提交来电的热线">
          <Select
            options={[
              { value: 'all', label: '全部热线' },
              { value: 'some', label: '指定热线' },
            ]}
          />
        </Form.Item>
        {scope === 'some' && (
          <Form.Item name="hotlineIds" rules={[{ required: true, message: '请至少选择一条热线' }]}>
            <Select
              mode="multiple"
              showSearch={{ optionFilterProp: 'label' }}
              placeholder="选择热线"
              options={lines.filter((l) => !l.suspended).map((l) => ({ value: l.id, label: `${l.number} ${l.name}` }))}
            />
          </Form.Item>
        )}
      </Form>
    </Modal>
  );
}
