import { useEffect, useMemo, useState } from 'react';
import {
  Alert,
  App as AntApp,
  Button,
  Card,
  Col,
  Descriptions,
  Empty,
  Form,
  Input,
  Modal,
  Row,
  Space,
  Tag,
  Tree,
  Typography,
} from 'antd';
import {
  EditOutlined,
  PlusOutlined,
  ReloadOutlined,
  SearchOutlined,
  StopOutlined,
  SwapOutlined,
} from '@ant-design/icons';
import dayjs from 'dayjs';
import type { AdminOrgUnitView, OrgLevel } from '@kapok/contracts';
import { ApiError, patch, post } from '../../api';
import { LEVEL_LABELS } from '../../labels';
import { type AdminUnit, reasonsOf, unitTree, UnitPicker, useUnits } from './common';

type ChildLevel = Exclude<OrgLevel, 'city'>;
/** Where a unit may sit (the server's rule, libs/admin PARENT_LEVELS): a district also directly below the city. */
const PARENT_LEVELS: Record<ChildLevel, readonly OrgLevel[]> = {
  region: ['city'],
  district: ['region', 'city'],
  station: ['district'],
  point: ['station'],
};
const NO_LEVELS: readonly OrgLevel[] = [];
/** The levels a unit's children may have (a point has none). */
const childLevels = (l: OrgLevel): ChildLevel[] =>
  (Object.keys(PARENT_LEVELS) as ChildLevel[]).filter((c) => PARENT_LEVELS[c].includes(l));
const LEVEL_COLORS: Record<OrgLevel, string> = {
  city: 'red',
  region: 'volcano',
  district: 'orange',
  station: 'blue',
  point: 'cyan',
};

type Unit = AdminUnit & Partial<Pick<AdminOrgUnitView, 'attached'>>;

/** 组织架构: the admin's part of the tree; create, rename, move and close units (never delete: history stays). */
export function OrgUnitsPage() {
  const { units, byId, pathOf, loading, error, reload } = useUnits('admin');
  const [selected, setSelected] = useState<string | null>(null);
  const [search, setSearch] = useState('');
  const [showClosed, setShowClosed] = useState(false);
  const [expanded, setExpanded] = useState<string[]>([]);
  const [dialog, setDialog] = useState<null | ChildLevel | 'rename' | 'move'>(null);

  // Open the first levels (city, regions) once loaded; a whole city's points would be thousands of rows.
  useEffect(() => {
    if (expanded.length || !units.length) return;
    setExpanded(units.filter((u) => u.level === 'city' || u.level === 'region').map((u) => u.id));
  }, [units, expanded.length]);

  const q = search.trim();
  const visibleUnits = useMemo(() => {
    if (!q) return units;
    // a match and the units above it (to reach it in the tree)
    const keep = new Set<string>();
    for (const u of units) {
      if (!u.name.includes(q) && !(u.code ?? '').includes(q)) continue;
      let p: AdminUnit | undefined = u;
      while (p && !keep.has(p.id)) {
        keep.add(p.id);
        p = p.parentId ? byId.get(p.parentId) : undefined;
      }
    }
    return units.filter((u) => keep.has(u.id));
  }, [units, byId, q]);

  const tree = useMemo(
    () =>
      unitTree(visibleUnits, {
        withClosed: showClosed,
        title: (u) => (
          <span data-testid={`org-node-${u.id}`}>
            <Tag color={LEVEL_COLORS[u.level]} bordered={false} style={{ marginRight: 6 }}>
              {LEVEL_LABELS[u.level]}
            </Tag>
            <span className={u.closed ? 'kapok-org-closed' : undefined}>{u.name}</span>
            {u.code && (
              <Typography.Text type="secondary" style={{ marginLeft: 6, fontSize: 12 }}>
                {u.code}
              </Typography.Text>
            )}
            {u.closed && <Tag style={{ marginLeft: 6 }}>已关闭</Tag>}
          </span>
        ),
      }),
    [visibleUnits, showClosed],
  );

  const unit = selected ? (byId.get(selected) as Unit | undefined) : undefined;
  const creatable = unit ? childLevels(unit.level) : [];
  const children = unit ? units.filter((u) => u.parentId === unit.id) : [];
  const canRestructure = !!unit && !!unit.parentId && byId.has(unit.parentId);

  return (
    <div data-testid="org-units">
      {error && <Alert type="error" showIcon title={error} style={{ marginBottom: 16 }} />}
      <Row gutter={[16, 16]}>
        <Col xs={24} lg={11} xl={10}>
          <Card
            size="small"
            title="组织架构"
            extra={
              <Button size="small" icon={<ReloadOutlined />} onClick={() => void reload()} loading={loading}>
                刷新
              </Button>
            }
          >
            <Space orientation="vertical" style={{ width: '100%' }}>
              <Input
                prefix={<SearchOutlined />}
                placeholder="按名称或编码查找"
                allowClear
                value={search}
                onChange={(e) => setSearch(e.target.value)}
                data-testid="org-search"
              />
              <Space>
                <Typography.Text type="secondary">共 {units.filter((u) => !u.closed).length} 个单位</Typography.Text>
                <Button size="small" type="link" onClick={() => setShowClosed((v) => !v)}>
                  {showClosed ? '隐藏已关闭' : '显示已关闭'}
                </Button>
              </Space>
              {tree.length ? (
                <Tree
                  className="kapok-org-tree"
                  treeData={tree}
                  height={560}
                  blockNode
                  selectedKeys={selected ? [selected] : []}
                  expandedKeys={q ? visibleUnits.map((u) => u.id) : expanded}
                  onExpand={(keys) => setExpanded(keys.map(String))}
                  onSelect={(keys) => keys.length && setSelected(String(keys[0]))}
                  data-testid="org-tree"
                />
              ) : (
                <Empty description={loading ? '加载中…' : '没有符合条件的单位'} />
              )}
            </Space>
          </Card>
        </Col>
        <Col xs={24} lg={13} xl={14}>
          <Card size="small" title={unit ? unit.name : '单位详情'} data-testid="org-detail">
            {!unit ? (
              <Empty description="在左侧选择一个单位" />
            ) : (
              <Space orientation="vertical" size="middle" style={{ width: '100%' }}>
                <Descriptions
                  size="small"
                  bordered
                  column={{ xs: 1, sm: 2 }}
                  items={[
                    { key: 'level', label: '层级', children: LEVEL_LABELS[unit.level] },
                    { key: 'code', label: '编码', children: unit.code ?? '—' },
                    { key: 'parent', label: '上级', children: unit.parentId ? pathOf(unit.parentId, 3) : '—' },
                    {
                      key: 'status',
                      label: '状态',
                      children: unit.closed ? (
                        <Tag>已关闭{unit.closedAt ? `（${dayjs(unit.closedAt).format('YYYY-MM-DD')}）` : ''}</Tag>
                      ) : (
                        <Tag color="green">运行中</Tag>
                      ),
                    },
                    ...(unit.attached
                      ? [
                          { key: 'lines', label: '在用热线', children: unit.attached.openLines },
                          { key: 'people', label: '在职人员', children: unit.attached.activePeople },
                          { key: 'units', label: '下级单位', children: unit.attached.openUnits },
                        ]
                      : [{ key: 'units', label: '下级单位', children: children.filter((c) => !c.closed).length }]),
                  ]}
                />
                {!unit.closed && (
                  <Space wrap>
                    {creatable.map((level, i) => (
                      <Button
                        key={level}
                        type={i === 0 ? 'primary' : 'default'}
                        icon={<PlusOutlined />}
                        onClick={() => setDialog(level)}
                        data-testid={i === 0 ? 'org-create' : `org-create-${level}`}
                      >
                        新建{LEVEL_LABELS[level]}
                      </Button>
                    ))}
                    <Button icon={<EditOutlined />} onClick={() => setDialog('rename')} data-testid="org-rename">
                      重命名
                    </Button>
                    {canRestructure && (
                      <Button icon={<SwapOutlined />} onClick={() => setDialog('move')} data-testid="org-move">
                        移动到…
                      </Button>
                    )}
                    {canRestructure && <CloseUnitButton unit={unit} onClosed={() => void reload()} />}
                  </Space>
                )}
              </Space>
            )}
          </Card>
        </Col>
      </Row>
      {unit && dialog && dialog !== 'rename' && dialog !== 'move' && (
        <CreateUnitModal
          parent={unit}
          level={dialog}
          onClose={() => setDialog(null)}
          onCreated={(created) => {
            setDialog(null);
            setExpanded((e) => [...new Set([...e, unit.id])]);
            void reload().then(() => setSelected(created.id));
          }}
        />
      )}
      {unit && dialog === 'rename' && (
        <RenameUnitModal
          unit={unit}
          onClose={() => setDialog(null)}
          onDone={() => {
            setDialog(null);
            void reload();
          }}
        />
      )}
      {unit && dialog === 'move' && (
        <MoveUnitModal
          unit={unit}
          units={units}
          pathOf={pathOf}
          onClose={() => setDialog(null)}
          onDone={() => {
            setDialog(null);
            void reload();
          }}
        />
      )}
    </div>
  );
}

function CreateUnitModal({
  parent,
  level,
  onClose,
  onCreated,
}: {
  parent: AdminUnit;
  level: ChildLevel;
  onClose(): void;
  onCreated(u: AdminOrgUnitView): void;
}) {
  const { message } = AntApp.useApp();
  const [form] = Form.useForm<{ name: string; code?: string }>();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const submit = async (v: { name: string; code?: string }) => {
    setBusy(true);
    setError(null);
    try {
      const created = await post<AdminOrgUnitView>('/admin/org-units', {
        parentId: parent.id,
        level,
        name: v.name.trim(),
        ...(v.code?.trim() ? { code: v.code.trim() } : {}),
      });
      message.success(`已新建${LEVEL_LABELS[level]}：${created.name}`);
      onCreated(created);
    } catch (e) {
      setError(reasonsOf(e).join('；'));
    } finally {
      setBusy(false);
    }
  };

  return (
    <Modal
      open
      title={`在「${parent.name}」下新建${LEVEL_LABELS[level]}`}
      onCancel={onClose}
      onOk={() => form.submit()}
      okText="新建"
      cancelText="取消"
      confirmLoading={busy}
      okButtonProps={{ 'data-testid': 'org-submit' } as any}
    >
      {error && <Alert type="error" showIcon title={error} style={{ marginBottom: 12 }} data-testid="org-error" />}
      <Form form={form} layout="vertical" onFinish={submit} requiredMark={false}>
        <Form.Item
          name="name"
          label="名称"
          rules={[{ required: true, whitespace: true, message: '请输入名称' }, { max: 100 }]}
        >
          <Input
            placeholder={level === 'station' ? '如：北京街社工站' : level === 'point' ? '如：仓边社区服务点' : ''}
            autoFocus
            data-testid="org-name"
          />
        </Form.Item>
        <Form.Item
          name="code"
          label="编码（可选）"
          extra="导入账号和热线时可用编码指代单位，须唯一"
          rules={[
            {
              pattern: /^([A-Za-z0-9][A-Za-z0-9._-]{0,39})?$/,
              message: '编码为 1–40 位字母、数字或 . _ -，以字母或数字开头',
            },
          ]}
        >
          <Input placeholder="如：YX-BJJ" data-testid="org-code" />
        </Form.Item>
      </Form>
    </Modal>
  );
}

function RenameUnitModal({ unit, onClose, onDone }: { unit: AdminUnit; onClose(): void; onDone(): void }) {
  const { message } = AntApp.useApp();
  const [name, setName] = useState(unit.name);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const submit = async () => {
    if (!name.trim()) return setError('请输入名称');
    setBusy(true);
    try {
      await patch(`/admin/org-units/${unit.id}`, { name: name.trim() });
      message.success('已重命名');
      onDone();
    } catch (e) {
      setError(reasonsOf(e).join('；'));
    } finally {
      setBusy(false);
    }
  };
  return (
    <Modal
      open
      title={`重命名「${unit.name}」`}
      onCancel={onClose}
      onOk={submit}
      okText="保存"
      cancelText="取消"
      confirmLoading={busy}
    >
      {error && <Alert type="error" showIcon title={error} style={{ marginBottom: 12 }} />}
      <Input
        value={name}
        onChange={(e) => setName(e.target.value)}
        onPressEnter={submit}
        maxLength={100}
        autoFocus
        data-testid="org-new-name"
      />
    </Modal>
  );
}

function MoveUnitModal({
  unit,
  units,
  pathOf,
  onClose,
  onDone,
}: {
  unit: AdminUnit;
  units: AdminUnit[];
  pathOf(id: string, depth?: number): string;
  onClose(): void;
  onDone(): void;
}) {
  const { message } = AntApp.useApp();
  const [parentId, setParentId] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const parentLevels = unit.level === 'city' ? NO_LEVELS : PARENT_LEVELS[unit.level];
  const pick = useMemo(
    () => (u: AdminUnit) => parentLevels.includes(u.level) && u.id !== unit.parentId && !u.closed,
    [parentLevels, unit.parentId],
  );
  const submit = async () => {
    if (!parentId) return setError('请选择新的上级单位');
    setBusy(true);
    try {
      await patch(`/admin/org-units/${unit.id}`, { parentId });
      message.success(`已将「${unit.name}」移到「${pathOf(parentId)}」`);
      onDone();
    } catch (e) {
      setError(reasonsOf(e).join('；'));
    } finally {
      setBusy(false);
    }
  };
  return (
    <Modal
      open
      title={`移动「${unit.name}」`}
      onCancel={onClose}
      onOk={submit}
      okText="移动"
      cancelText="取消"
      confirmLoading={busy}
    >
      <Space orientation="vertical" style={{ width: '100%' }}>
        <Typography.Text type="secondary">
          当前上级：{unit.parentId ? pathOf(unit.parentId, 3) : '—'}
          。移动后，其下级单位、热线和人员随之移动，历史记录不变。
        </Typography.Text>
        {error && <Alert type="error" showIcon title={error} />}
        <UnitPicker
          units={units}
          value={parentId}
          onChange={setParentId}
          pick={pick}
          placeholder={`选择新的上级（${parentLevels.map((l) => LEVEL_LABELS[l]).join('或')}）`}
          testId="org-move-target"
        />
      </Space>
    </Modal>
  );
}

/**
 * Closing: confirmed first; the server refuses (409) while lines, people or open units are attached, and its
 * message, naming them, is shown as it is.
 */
function CloseUnitButton({ unit, onClosed }: { unit: Unit; onClosed(): void }) {
  const { message, modal } = AntApp.useApp();
  const close = () =>
    modal.confirm({
      title: `关闭「${unit.name}」？`,
      content:
        '关闭后不能再在其下新增热线、人员或下级单位；历史服务记录和统计保留。有在用热线、在职人员或未关闭的下级单位时不能关闭。',
      okText: '确认关闭',
      okButtonProps: { danger: true, 'data-testid': 'org-close-confirm' } as any,
      cancelText: '取消',
      onOk: async () => {
        try {
          await patch(`/admin/org-units/${unit.id}`, { closed: true });
          message.success(`已关闭「${unit.name}」`);
          onClosed();
        } catch (e) {
          modal.error({
            title: e instanceof ApiError && e.status === 409 ? '不能关闭：仍有关联' : '关闭失败',
            content: <span data-testid="org-close-error">{reasonsOf(e).join('；')}</span>,
            okText: '知道了',
          });
        }
      },
    });
  return (
    <Button danger icon={<StopOutlined />} onClick={close} data-testid="org-close">
      关闭
    </Button>
  );
}
