import { useCallback, useEffect, useMemo, useState } from 'react';
import {
  Alert,
  App as AntApp,
  Button,
  Card,
  Col,
  Form,
  Input,
  Modal,
  Popconfirm,
  Row,
  Select,
  Space,
  Table,
  Tag,
  Typography,
} from 'antd';
import {
  PauseCircleOutlined,
  PlayCircleOutlined,
  PlusOutlined,
  ReloadOutlined,
  SearchOutlined,
  SwapOutlined,
} from '@ant-design/icons';
import type { AdminHotlineView, HotlineImportView } from '@kapok/contracts';
import { describeError, get, patch, post, postCsv } from '../../api';
import {
  CsvFileButton,
  csvLines,
  ImportErrors,
  isStation,
  reasonsOf,
  TemplateButton,
  UnitPicker,
  useUnits,
} from './common';

type Status = '' | 'active' | 'suspended';

/** 热线管理: the lines of the admin's stations; create, rename, move, suspend/resume, import from CSV. */
export function HotlinesPage() {
  const { message } = AntApp.useApp();
  const { units, pathOf } = useUnits('admin');
  const [lines, setLines] = useState<AdminHotlineView[]>([]);
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<string | null>(null);
  const [q, setQ] = useState('');
  const [status, setStatus] = useState<Status>('');
  const [stationId, setStationId] = useState<string | null>(null);
  const [editing, setEditing] = useState<AdminHotlineView | 'new' | null>(null);
  const [moving, setMoving] = useState<AdminHotlineView | null>(null);
  const [importing, setImporting] = useState(false);
  const [importErrors, setImportErrors] = useState<string[] | null>(null);

  const load = useCallback(async () => {
    setLoading(true);
    try {
      setLines(await get<AdminHotlineView[]>('/admin/hotlines'));
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

  const shown = useMemo(() => {
    const text = q.trim().toLowerCase();
    return lines.filter(
      (l) =>
        (!status || (status === 'suspended') === l.suspended) &&
        (!stationId || l.stationId === stationId) &&
        (!text ||
          l.number.toLowerCase().includes(text) ||
          l.name.toLowerCase().includes(text) ||
          l.stationName.toLowerCase().includes(text)),
    );
  }, [lines, q, status, stationId]);

  const setSuspended = async (l: AdminHotlineView, suspended: boolean) => {
    try {
      await patch(`/admin/hotlines/${l.id}`, { suspended });
      message.success(suspended ? `已暂停 ${l.number}：来电将被拒绝` : `已恢复 ${l.number}`);
      await load();
    } catch (e) {
      message.error(reasonsOf(e).join('；'));
    }
  };

  const importCsv = async (text: string) => {
    setImporting(true);
    setImportErrors(null);
    try {
      const r = await postCsv<HotlineImportView>('/admin/hotlines/import', text);
      await load();
      message.success(`已导入 ${r.created} 条热线`);
    } catch (e) {
      setImportErrors(reasonsOf(e));
    } finally {
      setImporting(false);
    }
  };

  const stationCode = units.find((u) => u.level === 'station' && u.code)?.code ?? 'YX-BJJ';

  return (
    <div data-testid="hotlines-admin">
      <Card size="small">
        <Row gutter={[12, 12]}>
          <Col xs={24} sm={12} lg={8}>
            <Input
              prefix={<SearchOutlined />}
              placeholder="号码、名称或社工站"
              allowClear
              value={q}
              onChange={(e) => setQ(e.target.value)}
              data-testid="hotline-search"
            />
          </Col>
          <Col xs={24} sm={12} lg={8}>
            <UnitPicker
              units={units}
              value={stationId}
              onChange={(v) => setStationId(v ?? null)}
              pick={isStation}
              placeholder="全部社工站"
            />
          </Col>
          <Col xs={12} sm={8} lg={4}>
            <Select<Status>
              style={{ width: '100%' }}
              value={status}
              onChange={setStatus}
              options={[
                { value: '', label: '全部状态' },
                { value: 'active', label: '在用' },
                { value: 'suspended', label: '已暂停' },
              ]}
            />
          </Col>
          <Col xs={12} sm={4} lg={3}>
            <Button icon={<ReloadOutlined />} onClick={() => void load()} aria-label="刷新" />
          </Col>
        </Row>
        <Typography.Paragraph type="secondary" style={{ margin: '8px 0 0' }}>
          CSV 表头为 number,stationCode,name（号码、社工站编码或 ID、名称）；任何一行有误则整批不导入，并列出出错的行。
        </Typography.Paragraph>
      </Card>
      {importErrors && (
        <ImportErrors title="导入失败，未导入任何热线" reasons={importErrors} testId="hotline-import-errors" />
      )}
      {error && <Alert type="error" showIcon title={error} style={{ marginTop: 16 }} />}
      <Card
        size="small"
        style={{ marginTop: 16 }}
        title={`共 ${shown.length} 条热线`}
        extra={
          <Space wrap>
            <Button
              type="primary"
              icon={<PlusOutlined />}
              onClick={() => setEditing('new')}
              data-testid="hotline-create"
            >
              新建热线
            </Button>
            <CsvFileButton onText={importCsv} loading={importing} testId="hotline-import">
              CSV 批量导入
            </CsvFileButton>
            <TemplateButton
              name="热线导入模板.csv"
              text={csvLines([
                ['number', 'stationCode', 'name'],
                ['020-83001234', stationCode, '北京街社工站红棉守护热线'],
              ])}
            >
              下载模板
            </TemplateButton>
          </Space>
        }
      >
        <Table<AdminHotlineView>
          rowKey="id"
          size="small"
          loading={loading}
          dataSource={shown}
          scroll={{ x: 'max-content' }}
          pagination={{ pageSize: 20, showSizeChanger: true, hideOnSinglePage: true }}
          data-testid="hotline-table"
          columns={[
            {
              title: '号码',
              dataIndex: 'number',
              width: 150,
              render: (v: string) => <Typography.Text strong>{v}</Typography.Text>,
            },
            { title: '名称', dataIndex: 'name', width: 240, ellipsis: true },
            {
              title: '所属社工站',
              dataIndex: 'stationId',
              width: 240,
              render: (id: string, l) => (units.length ? pathOf(id) : l.stationName),
            },
            {
              title: '状态',
              dataIndex: 'suspended',
              width: 90,
              render: (s: boolean) => (s ? <Tag color="orange">已暂停</Tag> : <Tag color="green">在用</Tag>),
            },
            {
              title: '操作',
              key: 'actions',
              width: 260,
              render: (_, l) => (
                <Space size={0} wrap>
                  <Button type="link" size="small" onClick={() => setEditing(l)}>
                    改名
                  </Button>
                  <Button type="link" size="small" icon={<SwapOutlined />} onClick={() => setMoving(l)}>
                    移到其他站
                  </Button>
                  {l.suspended ? (
                    <Button
                      type="link"
                      size="small"
                      icon={<PlayCircleOutlined />}
                      onClick={() => void setSuspended(l, false)}
                      data-testid={`hotline-resume-${l.number}`}
                    >
                      恢复
                    </Button>
                  ) : (
                    <Popconfirm
                      title={`暂停 ${l.number}？`}
                      description="暂停后打入此热线的来电将被拒绝，直到恢复。"
                      okText="暂停"
                      okButtonProps={{ danger: true }}
                      cancelText="取消"
                      onConfirm={() => setSuspended(l, true)}
                    >
                      <Button
                        type="link"
                        size="small"
                        danger
                        icon={<PauseCircleOutlined />}
                        data-testid={`hotline-suspend-${l.number}`}
                      >
                        暂停
                      </Button>
                    </Popconfirm>
                  )}
                </Space>
              ),
            },
          ]}
        />
      </Card>
      {editing && (
        <HotlineModal
          line={editing === 'new' ? null : editing}
          units={units}
          defaultStationId={stationId}
          onClose={() => setEditing(null)}
          onSaved={() => {
            setEditing(null);
            void load();
          }}
        />
      )}
      {moving && (
        <MoveHotlineModal
          line={moving}
          units={units}
          onClose={() => setMoving(null)}
          onMoved={() => {
            setMoving(null);
            void load();
          }}
        />
      )}
    </div>
  );
}

function HotlineModal({
  line,
  units,
  defaultStationId,
  onClose,
  onSaved,
}: {
  line: AdminHotlineView | null;
  units: ReturnType<typeof useUnits>['units'];
  defaultStationId: string | null;
  onClose(): void;
  onSaved(): void;
}) {
  const { message } = AntApp.useApp();
  const [form] = Form.useForm<{ number: string; name: string; stationId: string }>();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const submit = async (v: { number: string; name: string; stationId: string }) => {
    setBusy(true);
    setError(null);
    try {
      if (line) {
        await patch(`/admin/hotlines/${line.id}`, { name: v.name.trim() });
        message.success('已保存');
      } else {
        const created = await post<AdminHotlineView>('/admin/hotlines', {
          number: v.number.trim(),
          name: v.name.trim(),
          stationId: v.stationId,
        });
        message.success(`已新建热线 ${created.number}`);
      }
      onSaved();
    } catch (e) {
      setError(reasonsOf(e).join('；'));
    } finally {
      setBusy(false);
    }
  };
  return (
    <Modal
      open
      title={line ? `修改热线 ${line.number}` : '新建热线'}
      onCancel={onClose}
      onOk={() => form.submit()}
      okText={line ? '保存' : '新建'}
      cancelText="取消"
      confirmLoading={busy}
      okButtonProps={{ 'data-testid': 'hotline-submit' } as any}
    >
      {error && <Alert type="error" showIcon title={error} style={{ marginBottom: 12 }} data-testid="hotline-error" />}
      <Form
        form={form}
        layout="vertical"
        requiredMark={false}
        onFinish={submit}
        initialValues={
          line
            ? { number: line.number, name: line.name, stationId: line.stationId }
            : { stationId: defaultStationId ?? undefined }
        }
      >
        <Form.Item
          name="number"
          label="号码"
          rules={[{ required: true, whitespace: true, message: '请输入热线号码' }, { max: 40 }]}
        >
          <Input placeholder="如：020-83001234" disabled={!!line} data-testid="hotline-number" />
        </Form.Item>
        <Form.Item
          name="name"
          label="名称"
          rules={[{ required: true, whitespace: true, message: '请输入名称' }, { max: 100 }]}
        >
          <Input placeholder="如：北京街社工站红棉守护热线" data-testid="hotline-name" />
        </Form.Item>
        {!line && (
          <Form.Item name="stationId" label="所属社工站" rules={[{ required: true, message: '请选择社工站' }]}>
            <UnitPicker units={units} pick={isStation} placeholder="选择社工站" testId="hotline-station" />
          </Form.Item>
        )}
      </Form>
    </Modal>
  );
}

function MoveHotlineModal({
  line,
  units,
  onClose,
  onMoved,
}: {
  line: AdminHotlineView;
  units: ReturnType<typeof useUnits>['units'];
  onClose(): void;
  onMoved(): void;
}) {
  const { message } = AntApp.useApp();
  const [stationId, setStationId] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const pick = useMemo(
    () => (u: { level: string; id: string }) => u.level === 'station' && u.id !== line.stationId,
    [line.stationId],
  );
  const submit = async () => {
    if (!stationId) return setError('请选择社工站');
    setBusy(true);
    try {
      await patch(`/admin/hotlines/${line.id}`, { stationId });
      message.success(`已将 ${line.number} 移到新的社工站`);
      onMoved();
    } catch (e) {
      setError(reasonsOf(e).join('；'));
    } finally {
      setBusy(false);
    }
  };
  return (
    <Modal
      open
      title={`移动热线 ${line.number}`}
      onCancel={onClose}
      onOk={submit}
      okText="移动"
      cancelText="取消"
      confirmLoading={busy}
    >
      <Space orientation="vertical" style={{ width: '100%' }}>
        <Typography.Text type="secondary">
          当前：{line.stationName}。移动后新来电由新社工站优先接听；已有记录不变。
        </Typography.Text>
        {error && <Alert type="error" showIcon title={error} />}
        <UnitPicker units={units} value={stationId} onChange={setStationId} pick={pick} placeholder="选择新的社工站" />
      </Space>
    </Modal>
  );
}
