import { useCallback, useEffect, useMemo, useState } from 'react';
import {
  Alert,
  App as AntApp,
  Button,
  Card,
  Checkbox,
  Col,
  Form,
  Grid,
  Input,
  Modal,
  Popconfirm,
  Radio,
  Row,
  Select,
  Space,
  Table,
  Tag,
  Tooltip,
  Typography,
} from 'antd';
import { DownloadOutlined, PlusOutlined, ReloadOutlined, SearchOutlined, UploadOutlined } from '@ant-design/icons';
import dayjs from 'dayjs';
import {
  type AdminUserPage,
  type AdminUserView,
  type CreatedUserView,
  type ResetPasswordView,
  type Role,
  ROLE_UNIT_LEVELS,
  ROLES,
  USER_CSV_COLUMNS,
  type UserImportView,
} from '@kapok/contracts';
import { describeError, download, get, patch, post, postCsv, postXlsx } from '../../api';
import { label, LANGUAGE_LABELS, ROLE_LABELS, SKILL_LABELS } from '../../labels';
import { useSession } from '../../session';
import {
  type AdminUnit,
  CsvFileButton,
  csvLines,
  ImportErrors,
  isStation,
  OneTimeSecret,
  reasonsOf,
  saveTextFile,
  TemplateButton,
  UnitPicker,
  useUnits,
} from './common';

interface Filters {
  q: string;
  role: Role | '';
  orgUnitId: string | null;
  active: '' | 'true' | 'false';
}
const EMPTY: Filters = { q: '', role: '', orgUnitId: null, active: 'true' };

function toQuery(f: Filters, extra: Record<string, string> = {}): string {
  const q = new URLSearchParams(extra);
  if (f.q.trim()) q.set('search', f.q.trim());
  if (f.role) q.set('role', f.role);
  if (f.orgUnitId) q.set('orgUnitId', f.orgUnitId);
  if (f.active) q.set('active', f.active);
  return q.toString();
}

const options = (labels: Record<string, string>) => Object.entries(labels).map(([value, l]) => ({ value, label: l }));

const LANGUAGE_OPTIONS = options(LANGUAGE_LABELS);
const SKILL_OPTIONS = options(SKILL_LABELS);

/** 账号管理: the people of the admin's part of the tree; create, edit, deactivate, reset, import, export. */
export function AccountsPage() {
  const { message } = AntApp.useApp();
  const { session } = useSession();
  const { units, pathOf } = useUnits('admin');
  const [filters, setFilters] = useState<Filters>(EMPTY);
  const [applied, setApplied] = useState<Filters>(EMPTY);
  const [page, setPage] = useState(1);
  const [pageSize, setPageSize] = useState(20);
  const [data, setData] = useState<{ items: AdminUserView[]; total: number }>({ items: [], total: 0 });
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<string | null>(null);
  const [editing, setEditing] = useState<AdminUserView | 'new' | null>(null);
  const [secret, setSecret] = useState<{ title: string; username: string; password: string } | null>(null);
  const [importOpen, setImportOpen] = useState(false);
  const [exporting, setExporting] = useState(false);
  // On a phone the actions scroll with the row (a fixed column would cover most of it).
  const wide = Grid.useBreakpoint().md ?? true;

  const load = useCallback(async () => {
    setLoading(true);
    try {
      const r = await get<AdminUserPage>(
        `/admin/users?${toQuery(applied, { page: String(page), pageSize: String(pageSize) })}`,
      );
      setData({ items: r.items, total: r.total });
      setError(null);
    } catch (e) {
      setError(describeError(e));
    } finally {
      setLoading(false);
    }
  }, [applied, page, pageSize]);
  useEffect(() => {
    void load();
  }, [load]);

  const set = (p: Partial<Filters>) => setFilters((f) => ({ ...f, ...p }));
  const search = () => {
    setPage(1);
    setApplied(filters);
  };

  const resetPassword = async (u: AdminUserView) => {
    try {
      const r = await post<ResetPasswordView>(`/admin/users/${u.id}/reset-password`);
      setSecret({ title: `已重置 ${u.displayName} 的密码`, username: u.username, password: r.temporaryPassword });
      void load();
    } catch (e) {
      message.error(reasonsOf(e).join('；'));
    }
  };

  const { modal } = AntApp.useApp();
  const setActive = (u: AdminUserView, active: boolean) => {
    const apply = async () => {
      try {
        await patch(`/admin/users/${u.id}`, { active });
        message.success(active ? `已启用 ${u.displayName}` : `已停用 ${u.displayName}`);
        void load();
      } catch (e) {
        message.error(reasonsOf(e).join('；'));
      }
    };
    if (active) return void apply();
    modal.confirm({
      title: `停用账号「${u.displayName}」（${u.username}）？`,
      content:
        '停用后该账号立即不能登录，已登录的工作台会在几秒内被强制退出；正在振铃的来电会转给其他社工。服务记录等历史保留，之后可以重新启用。',
      okText: '确认停用',
      okButtonProps: { danger: true, 'data-testid': 'confirm-deactivate' } as any,
      cancelText: '取消',
      onOk: apply,
    });
  };

  const exportCsv = async () => {
    setExporting(true);
    try {
      await download(`/admin/users/export?${toQuery(applied)}`, `账号-${dayjs().format('YYYYMMDD')}.csv`);
    } catch (e) {
      message.error(`导出失败：${describeError(e)}`);
    } finally {
      setExporting(false);
    }
  };

  return (
    <div data-testid="accounts">
      <Card size="small">
        <Row gutter={[12, 12]}>
          <Col xs={24} sm={12} lg={6}>
            <Input
              placeholder="用户名或姓名"
              allowClear
              prefix={<SearchOutlined />}
              value={filters.q}
              onChange={(e) => set({ q: e.target.value })}
              onPressEnter={search}
              data-testid="account-search"
            />
          </Col>
          <Col xs={12} sm={6} lg={4}>
            <Select
              style={{ width: '100%' }}
              value={filters.role}
              onChange={(role) => set({ role })}
              options={[{ value: '', label: '全部角色' }, ...ROLES.map((r) => ({ value: r, label: ROLE_LABELS[r] }))]}
              data-testid="account-role-filter"
            />
          </Col>
          <Col xs={12} sm={6} lg={4}>
            <Select
              style={{ width: '100%' }}
              value={filters.active}
              onChange={(active) => set({ active })}
              options={[
                { value: 'true', label: '在用账号' },
                { value: 'false', label: '已停用' },
                { value: '', label: '全部账号' },
              ]}
            />
          </Col>
          <Col xs={24} sm={12} lg={6}>
            <UnitPicker
              units={units}
              value={filters.orgUnitId}
              onChange={(v) => set({ orgUnitId: v ?? null })}
              placeholder="全部单位（含下级）"
            />
          </Col>
          <Col xs={24} sm={12} lg={4}>
            <Button type="primary" icon={<SearchOutlined />} onClick={search} data-testid="account-search-submit">
              查询
            </Button>
          </Col>
        </Row>
      </Card>
      {error && <Alert type="error" showIcon title={error} style={{ marginTop: 16 }} />}
      <Card
        size="small"
        style={{ marginTop: 16 }}
        title={`共 ${data.total} 个账号`}
        extra={
          <Space wrap size="small">
            <Button
              type="primary"
              icon={<PlusOutlined />}
              onClick={() => setEditing('new')}
              data-testid="account-create"
            >
              新建账号
            </Button>
            <Button icon={<UploadOutlined />} onClick={() => setImportOpen(true)} data-testid="account-import">
              批量导入
            </Button>
            <Button icon={<DownloadOutlined />} onClick={exportCsv} loading={exporting} data-testid="account-export">
              导出
            </Button>
            <Button icon={<ReloadOutlined />} onClick={() => void load()} aria-label="刷新" />
          </Space>
        }
      >
        <Table<AdminUserView>
          rowKey="id"
          size="small"
          loading={loading}
          dataSource={data.items}
          scroll={{ x: 'max-content' }}
          data-testid="account-table"
          pagination={{
            current: page,
            pageSize,
            total: data.total,
            showSizeChanger: true,
            showTotal: (t) => `共 ${t} 个`,
            onChange: (p, s) => {
              setPage(p);
              setPageSize(s);
            },
          }}
          columns={[
            { title: '用户名', dataIndex: 'username', width: 140 },
            { title: '姓名', dataIndex: 'displayName', width: 100 },
            { title: '角色', dataIndex: 'role', width: 90, render: (r: Role) => label(ROLE_LABELS, r) },
            {
              title: '所属单位',
              dataIndex: 'orgUnitId',
              width: 190,
              ellipsis: true,
              render: (id: string, u) => (units.length ? pathOf(id) : u.orgUnitName),
            },
            {
              title: '语言 / 技能',
              key: 'skills',
              width: 170,
              render: (_, u) => (
                <Space size={2} wrap>
                  {u.languages.map((l) => (
                    <Tag key={l} color="blue">
                      {label(LANGUAGE_LABELS, l)}
                    </Tag>
                  ))}
                  {u.skills.map((s) => (
                    <Tag key={s}>{label(SKILL_LABELS, s)}</Tag>
                  ))}
                </Space>
              ),
            },
            { title: '分机号', dataIndex: 'extension', width: 70, render: (v: string | null) => v ?? '—' },
            {
              title: '状态',
              key: 'status',
              width: 80,
              render: (_, u) =>
                !u.active ? (
                  <Tag>已停用</Tag>
                ) : u.mustChangePassword ? (
                  <Tooltip title="使用临时密码，首次登录须修改">
                    <Tag color="orange">待改密</Tag>
                  </Tooltip>
                ) : (
                  <Tag color="green">在用</Tag>
                ),
            },
            {
              title: '最近登录',
              dataIndex: 'lastSignInAt',
              width: 125,
              render: (v: string | null) => (v ? dayjs(v).format('YYYY-MM-DD HH:mm') : '—'),
            },
            {
              title: '操作',
              key: 'actions',
              fixed: wide ? 'right' : undefined,
              width: 190,
              render: (_, u) => (
                <Space size={0} className="kapok-nowrap">
                  <Button type="link" size="small" onClick={() => setEditing(u)}>
                    编辑
                  </Button>
                  {u.active && (
                    <Popconfirm
                      title={`重置 ${u.displayName} 的密码？`}
                      description="将生成一次性临时密码，本人首次登录时须修改。"
                      okText="重置"
                      cancelText="取消"
                      onConfirm={() => resetPassword(u)}
                    >
                      <Button type="link" size="small" data-testid={`reset-${u.username}`}>
                        重置密码
                      </Button>
                    </Popconfirm>
                  )}
                  {u.id !== session.user.id &&
                    (u.active ? (
                      <Button
                        type="link"
                        size="small"
                        danger
                        onClick={() => setActive(u, false)}
                        data-testid={`deactivate-${u.username}`}
                      >
                        停用
                      </Button>
                    ) : (
                      <Button type="link" size="small" onClick={() => setActive(u, true)}>
                        启用
                      </Button>
                    ))}
                </Space>
              ),
            },
          ]}
        />
      </Card>
      {editing && (
        <AccountModal
          user={editing === 'new' ? null : editing}
          units={units}
          onClose={() => setEditing(null)}
          onSaved={(created) => {
            setEditing(null);
            if (created?.temporaryPassword) {
              setSecret({
                title: `已创建账号 ${created.user.displayName}`,
                username: created.user.username,
                password: created.temporaryPassword,
              });
            }
            void load();
          }}
        />
      )}
      <Modal
        open={!!secret}
        title={secret?.title}
        onCancel={() => setSecret(null)}
        footer={
          <Button type="primary" onClick={() => setSecret(null)} data-testid="secret-done">
            我已记下
          </Button>
        }
        maskClosable={false}
      >
        {secret && (
          <Space orientation="vertical" style={{ width: '100%' }}>
            <Typography.Text>
              用户名：<Typography.Text strong>{secret.username}</Typography.Text>
            </Typography.Text>
            <OneTimeSecret
              label="临时密码"
              value={secret.password}
              advice="请立即复制并妥善交给本人；首次登录须修改密码，过期（默认 72 小时）后需重新重置"
              testId="temporary-password"
            />
            <Typography.Text type="secondary">本人用临时密码登录后须立即设置自己的新密码。</Typography.Text>
          </Space>
        )}
      </Modal>
      {importOpen && (
        <ImportAccountsModal units={units} onClose={() => setImportOpen(false)} onImported={() => void load()} />
      )}
    </div>
  );
}

interface AccountForm {
  username: string;
  displayName: string;
  role: Role;
  orgUnitId: string;
  languages: string[];
  skills: string[];
  extension?: string;
  supervisedStationIds: string[];
  passwordMode: 'temporary' | 'set';
  password?: string;
}

function AccountModal({
  user,
  units,
  onClose,
  onSaved,
}: {
  user: AdminUserView | null;
  units: AdminUnit[];
  onClose(): void;
  onSaved(created?: CreatedUserView): void;
}) {
  const { message } = AntApp.useApp();
  const [form] = Form.useForm<AccountForm>();
  const role = Form.useWatch('role', form);
  const passwordMode = Form.useWatch('passwordMode', form);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  // Operators work at a station; the others at the levels their role allows (a coordinator of a district …).
  const pickHome = useMemo(() => (u: AdminUnit) => ROLE_UNIT_LEVELS[role ?? 'operator'].includes(u.level), [role]);

  const submit = async (v: AccountForm) => {
    setBusy(true);
    setError(null);
    const common = {
      displayName: v.displayName.trim(),
      role: v.role,
      orgUnitId: v.orgUnitId,
      languages: v.languages ?? [],
      skills: v.skills ?? [],
      extension: v.extension?.trim() || null,
      supervisedStationIds: v.role === 'supervisor' ? (v.supervisedStationIds ?? []) : [],
    };
    try {
      if (user) {
        // only what changed (one's own role and unit may not be sent, even unchanged values are a change request)
        const changed = Object.fromEntries(
          Object.entries(common).filter(
            ([k, val]) => JSON.stringify(val) !== JSON.stringify((user as unknown as Record<string, unknown>)[k]),
          ),
        );
        if (Object.keys(changed).length) await patch(`/admin/users/${user.id}`, changed);
        message.success('已保存');
        onSaved();
      } else {
        const created = await post<CreatedUserView>('/admin/users', {
          username: v.username.trim(),
          ...common,
          extension: common.extension ?? undefined,
          ...(v.passwordMode === 'set' && v.password ? { password: v.password } : {}),
        });
        message.success(`已创建账号 ${created.user.username}`);
        onSaved(created);
      }
    } catch (e) {
      setError(reasonsOf(e).join('；'));
    } finally {
      setBusy(false);
    }
  };

  return (
    <Modal
      open
      title={user ? `编辑账号 ${user.username}` : '新建账号'}
      onCancel={onClose}
      onOk={() => form.submit()}
      okText={user ? '保存' : '创建'}
      cancelText="取消"
      confirmLoading={busy}
      width={640}
      okButtonProps={{ 'data-testid': 'account-submit' } as any}
      destroyOnHidden
    >
      {error && <Alert type="error" showIcon title={error} style={{ marginBottom: 12 }} data-testid="account-error" />}
      <Form<AccountForm>
        form={form}
        layout="vertical"
        requiredMark={false}
        onFinish={submit}
        initialValues={
          user
            ? {
                ...user,
                extension: user.extension ?? undefined,
                passwordMode: 'temporary',
              }
            : {
                role: 'operator',
                languages: ['yue', 'cmn'],
                skills: [],
                supervisedStationIds: [],
                passwordMode: 'temporary',
              }
        }
      >
        <Row gutter={16}>
          <Col xs={24} sm={12}>
            <Form.Item
              name="username"
              label="用户名"
              rules={[
                { required: true, whitespace: true, message: '请输入用户名' },
                {
                  pattern: /^[A-Za-z0-9][A-Za-z0-9._@-]{1,63}$/,
                  message: '2–64 位字母、数字或 . _ @ -，以字母或数字开头',
                },
              ]}
            >
              <Input
                disabled={!!user}
                autoComplete="off"
                placeholder="如：yx-bjj-chenxm"
                data-testid="account-username"
              />
            </Form.Item>
          </Col>
          <Col xs={24} sm={12}>
            <Form.Item
              name="displayName"
              label="姓名"
              rules={[{ required: true, whitespace: true, message: '请输入姓名' }, { max: 100 }]}
            >
              <Input placeholder="如：陈晓明" data-testid="account-display-name" />
            </Form.Item>
          </Col>
          <Col xs={24} sm={12}>
            <Form.Item name="role" label="角色" rules={[{ required: true }]}>
              <Select options={ROLES.map((r) => ({ value: r, label: ROLE_LABELS[r] }))} data-testid="account-role" />
            </Form.Item>
          </Col>
          <Col xs={24} sm={12}>
            <Form.Item
              name="orgUnitId"
              label={role === 'operator' ? '所属社工站' : '所属单位（管辖范围）'}
              rules={[{ required: true, message: '请选择单位' }]}
            >
              <UnitPicker units={units} pick={pickHome} testId="account-unit" />
            </Form.Item>
          </Col>
          {role === 'supervisor' && (
            <Col xs={24}>
              <Form.Item
                name="supervisedStationIds"
                label="督导的社工站"
                extra="督导可查看并复核这些社工站的服务记录（通常 5–8 个，可跨区）"
              >
                <UnitPicker
                  units={units}
                  pick={isStation}
                  multiple
                  placeholder="选择社工站"
                  testId="account-supervised"
                />
              </Form.Item>
            </Col>
          )}
          <Col xs={24} sm={12}>
            <Form.Item name="languages" label="服务语言">
              <Select mode="multiple" options={LANGUAGE_OPTIONS} placeholder="如：粤语、普通话" />
            </Form.Item>
          </Col>
          <Col xs={24} sm={12}>
            <Form.Item name="skills" label="专长技能">
              <Select mode="multiple" options={SKILL_OPTIONS} placeholder="如：心理疏导、老年人" />
            </Form.Item>
          </Col>
          <Col xs={24} sm={12}>
            <Form.Item
              name="extension"
              label="分机号"
              rules={[{ pattern: /^[0-9*#+-]{0,20}$/, message: '分机号只能包含数字（及 * # + -）' }]}
            >
              <Input placeholder="如：8021" data-testid="account-extension" />
            </Form.Item>
          </Col>
          {!user && (
            <Col xs={24}>
              <Form.Item name="passwordMode" label="初始密码">
                <Radio.Group>
                  <Radio value="temporary">自动生成临时密码（推荐）</Radio>
                  <Radio value="set">由我设定</Radio>
                </Radio.Group>
              </Form.Item>
              {passwordMode === 'set' && (
                <Form.Item
                  name="password"
                  extra="本人首次登录时仍须修改"
                  rules={[{ required: true, message: '请输入初始密码' }]}
                >
                  <Input.Password autoComplete="new-password" data-testid="account-password" />
                </Form.Item>
              )}
            </Col>
          )}
        </Row>
      </Form>
    </Modal>
  );
}

/** The columns an import file has, with an example row built from the admin's own tree. */
function importTemplate(units: AdminUnit[]): string {
  const station = units.find((u) => u.level === 'station' && !u.closed);
  const code = station?.code ?? station?.id ?? 'YX-BJJ';
  return csvLines([
    [...USER_CSV_COLUMNS],
    ['yx-bjj-chenxm', '陈晓明', 'operator', code, 'yue|cmn', 'psychological_support|elderly'],
    ['yx-bjj-lihf', '李惠芳', 'operator', code, 'yue', ''],
  ]);
}

function ImportAccountsModal({
  units,
  onClose,
  onImported,
}: {
  units: AdminUnit[];
  onClose(): void;
  onImported(): void;
}) {
  const [file, setFile] = useState<{ name: string; text: string } | { name: string; workbook: Blob } | null>(null);
  const [sharedPassword, setSharedPassword] = useState(false);
  const [password, setPassword] = useState('');
  const [noChange, setNoChange] = useState(false);
  const [busy, setBusy] = useState(false);
  const [errors, setErrors] = useState<string[] | null>(null);
  const [result, setResult] = useState<UserImportView | null>(null);

  const rows = file && 'text' in file ? file.text.split(/\r?\n/).filter((l) => l.trim()).length - 1 : undefined;

  const submit = async () => {
    if (!file) return;
    setBusy(true);
    setErrors(null);
    try {
      const q = new URLSearchParams();
      if (sharedPassword && password) {
        q.set('password', password);
        if (noChange) q.set('mustChange', 'false');
      }
      const path = `/admin/users/import${q.size ? `?${q}` : ''}`;
      const r =
        'text' in file
          ? await postCsv<UserImportView>(path, file.text)
          : await postXlsx<UserImportView>(path, file.workbook);
      setResult(r);
      onImported();
    } catch (e) {
      setErrors(reasonsOf(e));
    } finally {
      setBusy(false);
    }
  };

  const withPasswords = result?.users.filter((u) => u.temporaryPassword) ?? [];
  const savePasswords = () =>
    saveTextFile(
      `临时密码-${dayjs().format('YYYYMMDD-HHmm')}.csv`,
      csvLines([['username', 'temporaryPassword'], ...withPasswords.map((u) => [u.username, u.temporaryPassword])]),
    );

  return (
    <Modal
      open
      title="批量导入账号"
      onCancel={onClose}
      width={680}
      maskClosable={false}
      footer={
        result ? (
          <Button type="primary" onClick={onClose} data-testid="import-done">
            完成
          </Button>
        ) : (
          <Space>
            <Button onClick={onClose}>取消</Button>
            <Button
              type="primary"
              disabled={!file || (sharedPassword && !password)}
              loading={busy}
              onClick={submit}
              data-testid="import-submit"
            >
              导入
            </Button>
          </Space>
        )
      }
    >
      {result ? (
        <Space orientation="vertical" style={{ width: '100%' }} data-testid="import-result">
          <Alert type="success" showIcon title={`已创建 ${result.created} 个账号`} />
          {withPasswords.length > 0 ? (
            <>
              <Alert
                type="warning"
                showIcon
                title="临时密码只显示这一次，请立即下载并安全地分发给本人"
                action={
                  <Button
                    size="small"
                    icon={<DownloadOutlined />}
                    onClick={savePasswords}
                    data-testid="import-passwords"
                  >
                    下载临时密码清单
                  </Button>
                }
              />
              <Table
                size="small"
                rowKey="username"
                dataSource={withPasswords}
                pagination={{ pageSize: 10, hideOnSinglePage: true }}
                scroll={{ x: 'max-content' }}
                columns={[
                  { title: '用户名', dataIndex: 'username' },
                  {
                    title: '临时密码',
                    dataIndex: 'temporaryPassword',
                    render: (v: string) => (
                      <Typography.Text code copyable={{ tooltips: ['复制', '已复制'] }}>
                        {v}
                      </Typography.Text>
                    ),
                  },
                ]}
                data-testid="import-password-table"
              />
            </>
          ) : (
            <Typography.Text>所有账号使用您设定的初始密码。</Typography.Text>
          )}
        </Space>
      ) : (
        <Space orientation="vertical" style={{ width: '100%' }} size="middle">
          <Typography.Paragraph type="secondary" style={{ margin: 0 }}>
            CSV 或 Excel（.xlsx，读取第一个工作表）表头为 {USER_CSV_COLUMNS.join(',')}（用户名、姓名、角色、单位编码或
            ID、语言、技能；多个语言或技能用 | 分隔；角色为 operator / coordinator / supervisor / manager /
            admin）。任何一行有误则整批不导入，并列出出错的行。
          </Typography.Paragraph>
          <Space wrap>
            <CsvFileButton
              onText={(text, name) => {
                setFile({ text, name });
                setErrors(null);
              }}
              onExcel={(workbook, name) => {
                setFile({ workbook, name });
                setErrors(null);
              }}
              testId="import-file"
            >
              选择 CSV 或 Excel 文件
            </CsvFileButton>
            <TemplateButton name="账号导入模板.csv" text={importTemplate(units)}>
              下载模板
            </TemplateButton>
            {file && (
              <Typography.Text data-testid="import-file-name">
                {file.name}
                {rows !== undefined && `（${rows} 行）`}
              </Typography.Text>
            )}
          </Space>
          <Checkbox
            checked={sharedPassword}
            onChange={(e) => setSharedPassword(e.target.checked)}
            data-testid="import-shared-password"
          >
            为所有导入的账号设定同一个初始密码（否则逐个生成临时密码）
          </Checkbox>
          {sharedPassword && (
            <Space orientation="vertical" style={{ width: '100%' }}>
              <Input.Password
                value={password}
                onChange={(e) => setPassword(e.target.value)}
                placeholder="初始密码"
                autoComplete="new-password"
                data-testid="import-password"
              />
              <Checkbox checked={noChange} onChange={(e) => setNoChange(e.target.checked)}>
                首次登录无需修改密码（仅用于培训演练）
              </Checkbox>
            </Space>
          )}
          {errors && <ImportErrors title="导入失败，未创建任何账号" reasons={errors} testId="import-errors" />}
        </Space>
      )}
    </Modal>
  );
}
