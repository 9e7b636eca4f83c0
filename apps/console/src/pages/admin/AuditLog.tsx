import { useCallback, useEffect, useMemo, useState } from 'react';
import { Alert, Button, Card, Col, DatePicker, Row, Select, Space, Table, Tag, Tooltip, Typography } from 'antd';
import { ReloadOutlined, SearchOutlined } from '@ant-design/icons';
import dayjs, { type Dayjs } from 'dayjs';
import type { AdminAuditView, AdminHotlineView, AdminUserView, IntakeKeyView, Page } from '@kapok/contracts';
import { describeError, get } from '../../api';
import { label, LANGUAGE_LABELS, ROLE_LABELS, SKILL_LABELS } from '../../labels';
import { useUnits } from './common';

/** What each administration change is called (codes unknown here show as they are). */
export const ADMIN_ACTION_LABELS: Record<string, string> = {
  'admin.org_unit.create': '新建单位',
  'admin.org_unit.update': '修改单位',
  'admin.hotline.create': '新建热线',
  'admin.hotline.update': '修改热线',
  'admin.hotline.import': '导入热线',
  'admin.intake_key.create': '签发接入密钥',
  'admin.intake_key.revoke': '吊销接入密钥',
  'admin.intake_key.rotate': '轮换接入密钥',
  'admin.user.create': '新建账号',
  'admin.user.update': '修改账号',
  'admin.user.import': '导入账号',
  'admin.user.reset_password': '重置密码',
};

const SUBJECT_LABELS: Record<string, string> = {
  org_unit: '单位',
  hotline: '热线',
  intake_key: '接入密钥',
  user: '账号',
};

/** The fields a change names, in Chinese. */
const FIELD_LABELS: Record<string, string> = {
  name: '名称',
  code: '编码',
  level: '层级',
  parentId: '上级',
  closed: '已关闭',
  number: '号码',
  stationId: '社工站',
  suspended: '暂停',
  username: '用户名',
  displayName: '姓名',
  role: '角色',
  orgUnitId: '单位',
  active: '启用',
  languages: '语言',
  skills: '技能',
  extension: '分机号',
  supervisedStationIds: '督导的社工站',
  hotlineIds: '可用热线',
  mustChangePassword: '须改密码',
  created: '数量',
  usernames: '用户名',
  overlapSeconds: '旧密钥过渡期（秒）',
  previousKeyValidUntil: '旧密钥有效至',
  passwordGiven: '统一初始密码',
};

const ACTION_OPTIONS = Object.entries(ADMIN_ACTION_LABELS).map(([value, l]) => ({ value, label: l }));

/** 操作日志: every administration change in the admin's part of the tree: who, what, before → after, when, where. */
export function AuditLogPage() {
  const { byId } = useUnits('admin');
  const [range, setRange] = useState<[Dayjs, Dayjs] | null>([dayjs().subtract(29, 'day'), dayjs()]);
  const [actions, setActions] = useState<string[]>([]);
  /** Only the changes by this person, or of this unit, line, key or account (label: how it is shown). */
  const [actor, setActor] = useState<Picked | null>(null);
  const [subject, setSubject] = useState<Picked | null>(null);
  const [applied, setApplied] = useState<Applied>({ range, actions, actor: null, subject: null });
  const people = usePeopleSearch();
  const [page, setPage] = useState(1);
  const [pageSize, setPageSize] = useState(20);
  const [data, setData] = useState<{ items: AdminAuditView[]; total: number }>({ items: [], total: 0 });
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<string | null>(null);
  /** Names of the subjects a change names only by id (a line's number, a key's name, a person's name). */
  const [names, setNames] = useState<Map<string, string>>(new Map());

  const load = useCallback(async () => {
    setLoading(true);
    const q = new URLSearchParams({ page: String(page), pageSize: String(pageSize) });
    if (applied.range) {
      q.set('from', applied.range[0].format('YYYY-MM-DD'));
      q.set('to', applied.range[1].format('YYYY-MM-DD'));
    }
    if (applied.actions.length) q.set('action', applied.actions.join(','));
    if (applied.actor) q.set('actorId', applied.actor.id);
    if (applied.subject) q.set('subjectId', applied.subject.id);
    try {
      const r = await get<Page<AdminAuditView> | AdminAuditView[]>(`/admin/audit-log?${q}`);
      const items = Array.isArray(r) ? r : r.items;
      setData({ items, total: Array.isArray(r) ? r.length : r.total });
      setError(null);
      void subjectNames(items).then((found) => setNames((cur) => new Map([...cur, ...found])));
    } catch (e) {
      setError(describeError(e));
    } finally {
      setLoading(false);
    }
  }, [applied, page, pageSize]);
  useEffect(() => {
    void load();
  }, [load]);

  const show = useMemo(() => valueText((id) => byId.get(id)?.name), [byId]);
  const apply = (next: Partial<Applied>) => {
    setPage(1);
    setApplied({ range, actions, actor, subject, ...next });
  };

  return (
    <div data-testid="audit-log">
      <Card size="small">
        <Row gutter={[12, 12]}>
          <Col xs={24} md={10} lg={7}>
            <DatePicker.RangePicker
              style={{ width: '100%' }}
              value={range}
              onChange={(v) => setRange(v?.[0] && v[1] ? [v[0], v[1]] : null)}
            />
          </Col>
          <Col xs={24} md={14} lg={7}>
            <Select
              mode="multiple"
              allowClear
              placeholder="全部操作"
              style={{ width: '100%' }}
              value={actions}
              onChange={setActions}
              options={ACTION_OPTIONS}
              maxTagCount={2}
            />
          </Col>
          <Col xs={24} md={12} lg={5}>
            <Select
              showSearch={{ filterOption: false, onSearch: people.search }}
              allowClear
              placeholder="全部操作人（输入姓名或用户名）"
              aria-label="操作人"
              style={{ width: '100%' }}
              value={actor?.id}
              onChange={(id?: string) => {
                const o = people.options.find((p) => p.value === id);
                setActor(id && o ? { id, label: o.label } : null);
              }}
              options={people.options}
              notFoundContent={people.loading ? '查找中…' : '无匹配账号'}
              data-testid="audit-actor"
            />
          </Col>
          <Col xs={24} md={12} lg={5}>
            <Space wrap>
              <Button type="primary" icon={<SearchOutlined />} onClick={() => apply({})} data-testid="audit-search">
                查询
              </Button>
              <Button icon={<ReloadOutlined />} aria-label="刷新" onClick={() => void load()} />
            </Space>
          </Col>
          {applied.subject && (
            <Col span={24}>
              <Tag
                closable
                onClose={() => {
                  setSubject(null);
                  apply({ subject: null });
                }}
                data-testid="audit-subject-filter"
              >
                只看对象：{applied.subject.label}
              </Tag>
            </Col>
          )}
        </Row>
      </Card>
      {error && <Alert type="error" showIcon title={error} style={{ marginTop: 16 }} />}
      <Card size="small" style={{ marginTop: 16 }} title={`共 ${data.total} 条操作`}>
        <Table<AdminAuditView>
          rowKey="id"
          size="small"
          loading={loading}
          dataSource={data.items}
          scroll={{ x: 'max-content' }}
          data-testid="audit-table"
          pagination={{
            current: page,
            pageSize,
            total: data.total,
            showSizeChanger: true,
            onChange: (p, s) => {
              setPage(p);
              setPageSize(s);
            },
          }}
          columns={[
            {
              title: '时间',
              dataIndex: 'at',
              width: 150,
              render: (v: string) => dayjs(v).format('YYYY-MM-DD HH:mm:ss'),
            },
            {
              title: '操作人',
              key: 'actor',
              width: 140,
              render: (_, a) => (
                <span>
                  {a.actorId && a.actorName ? (
                    <Button
                      type="link"
                      size="small"
                      style={{ padding: 0, height: 'auto' }}
                      title="只看此人的操作"
                      onClick={() => {
                        const picked = { id: a.actorId!, label: a.actorName! };
                        people.remember(picked);
                        setActor(picked);
                        apply({ actor: picked });
                      }}
                    >
                      {a.actorName}
                    </Button>
                  ) : (
                    (a.actorName ?? '—')
                  )}
                  {a.actorRole && (
                    <Typography.Text type="secondary" style={{ marginLeft: 4, fontSize: 12 }}>
                      {label(ROLE_LABELS, a.actorRole)}
                    </Typography.Text>
                  )}
                </span>
              ),
            },
            {
              title: '操作',
              dataIndex: 'action',
              width: 120,
              render: (v: string) => <Tag>{label(ADMIN_ACTION_LABELS, v)}</Tag>,
            },
            {
              title: '对象',
              key: 'subject',
              width: 180,
              render: (_, a) => {
                const text = subjectText(a, (id) => byId.get(id)?.name ?? names.get(id));
                if (!a.subjectId) return text;
                return (
                  <Button
                    type="link"
                    size="small"
                    style={{ padding: 0, height: 'auto', whiteSpace: 'normal', textAlign: 'left' }}
                    title="只看此对象的操作"
                    onClick={() => {
                      const picked = { id: a.subjectId!, label: String(text) };
                      setSubject(picked);
                      apply({ subject: picked });
                    }}
                  >
                    {text}
                  </Button>
                );
              },
            },
            {
              title: '变更（修改前 → 修改后）',
              key: 'change',
              width: 380,
              render: (_, a) => <ChangeList entry={a} show={show} />,
            },
            {
              title: '来源',
              key: 'from',
              width: 140,
              render: (_, a) => (
                <Tooltip title={a.userAgent ?? ''}>
                  <span>{a.ip ?? '—'}</span>
                </Tooltip>
              ),
            },
          ]}
        />
      </Card>
    </div>
  );
}

interface Picked {
  id: string;
  label: string;
}
interface Applied {
  range: [Dayjs, Dayjs] | null;
  actions: string[];
  actor: Picked | null;
  subject: Picked | null;
}

/** The accounts of the admin's reach whose name or username contains what is typed (for the 操作人 filter). */
function usePeopleSearch() {
  const [options, setOptions] = useState<{ value: string; label: string }[]>([]);
  const [loading, setLoading] = useState(false);
  const search = useCallback((text: string) => {
    const q = text.trim();
    if (!q) return;
    setLoading(true);
    get<Page<AdminUserView>>(`/admin/users?${new URLSearchParams({ search: q, pageSize: '20' })}`)
      .then((r) => setOptions(r.items.map((u) => ({ value: u.id, label: `${u.displayName}（${u.username}）` }))))
      .catch(() => setOptions([]))
      .finally(() => setLoading(false));
  }, []);
  /** A person picked elsewhere (a name clicked in the table) shows by name in the select. */
  const remember = useCallback((p: Picked) => {
    setOptions((cur) => (cur.some((o) => o.value === p.id) ? cur : [{ value: p.id, label: p.label }, ...cur]));
  }, []);
  return { options, loading, search, remember };
}

/**
 * The names of the lines, keys and people the changes of a page name only by id (an update lists only the fields it
 * changed). Lines and keys come from their lists, people one by one; what cannot be read stays unnamed.
 */
async function subjectNames(items: AdminAuditView[]): Promise<Map<string, string>> {
  const ids = (type: string) => [
    ...new Set(items.filter((a) => a.subjectType === type && a.subjectId).map((a) => a.subjectId!)),
  ];
  const found = new Map<string, string>();
  const lines = ids('hotline');
  const keys = ids('intake_key');
  const people = ids('user').slice(0, 50);
  await Promise.all([
    lines.length &&
      get<AdminHotlineView[]>('/admin/hotlines').then(
        (list) => list.forEach((l) => found.set(l.id, l.number)),
        () => undefined,
      ),
    keys.length &&
      get<IntakeKeyView[]>('/admin/intake-keys').then(
        (list) => list.forEach((k) => found.set(k.id, k.name)),
        () => undefined,
      ),
    ...people.map((id) =>
      get<AdminUserView>(`/admin/users/${id}`).then(
        (u) => found.set(id, `${u.displayName}（${u.username}）`),
        () => undefined,
      ),
    ),
  ]);
  return found;
}

function subjectText(a: AdminAuditView, nameOf: (id: string) => string | undefined): string {
  const kind = label(SUBJECT_LABELS, a.subjectType);
  const after = a.detail.after ?? a.detail.before ?? {};
  const name =
    (after.displayName as string | undefined) ??
    (after.number as string | undefined) ??
    (after.name as string | undefined) ??
    (a.subjectId ? nameOf(a.subjectId) : undefined);
  const created = after.created ?? a.detail.created;
  const count = typeof created === 'number' ? `${created} 个` : '';
  return [kind, name ?? count].filter(Boolean).join('：');
}

/** A value of a change as people read it: names for ids of units, labels for roles, 是/否 … */
function valueText(unitName: (id: string) => string | undefined) {
  const one = (field: string, v: unknown): string => {
    if (v === null && field === 'hotlineIds') return '全部热线';
    if (v === null || v === undefined || v === '') return '（空）';
    if (typeof v === 'boolean') return v ? '是' : '否';
    if (Array.isArray(v)) {
      if (!v.length) return '（无）';
      const shown = v.slice(0, 8).map((x) => one(field, x));
      return v.length > shown.length ? `${shown.join('、')} 等 ${v.length} 个` : shown.join('、');
    }
    const s = typeof v === 'object' ? JSON.stringify(v) : String(v);
    if (field === 'role') return label(ROLE_LABELS, s);
    if (field === 'languages') return label(LANGUAGE_LABELS, s);
    if (field === 'skills') return label(SKILL_LABELS, s);
    if (/Ids?$/.test(field) && /^[0-9a-f-]{36}$/i.test(s)) return unitName(s) ?? s.slice(0, 8);
    return s;
  };
  return one;
}

function ChangeList({ entry, show }: { entry: AdminAuditView; show: (f: string, v: unknown) => string }) {
  const before = entry.detail.before ?? {};
  const after = entry.detail.after ?? {};
  const fields = [...new Set([...Object.keys(before), ...Object.keys(after)])].filter(
    (f) => JSON.stringify(before[f]) !== JSON.stringify(after[f]),
  );
  if (!fields.length) {
    const rest = Object.entries(entry.detail).filter(([k]) => k !== 'before' && k !== 'after');
    return rest.length ? (
      <Typography.Text type="secondary">
        {rest.map(([k, v]) => `${label(FIELD_LABELS, k)}：${show(k, v)}`).join('；')}
      </Typography.Text>
    ) : (
      <Typography.Text type="secondary">—</Typography.Text>
    );
  }
  const created = !entry.detail.before;
  return (
    <Space orientation="vertical" size={0}>
      {fields.slice(0, 8).map((f) => (
        <span key={f}>
          <Typography.Text type="secondary">{label(FIELD_LABELS, f)}：</Typography.Text>
          {created ? (
            show(f, after[f])
          ) : (
            <>
              <Typography.Text delete type="secondary">
                {show(f, before[f])}
              </Typography.Text>
              {' → '}
              <Typography.Text strong>{show(f, after[f])}</Typography.Text>
            </>
          )}
        </span>
      ))}
      {fields.length > 8 && <Typography.Text type="secondary">…… 另有 {fields.length - 8} 项</Typography.Text>}
    </Space>
  );
}
