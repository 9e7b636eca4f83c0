/** What the 系统管理 screens share: the org tree as the admin sees it, one-time secrets, CSV files in and out. */
import { useCallback, useEffect, useMemo, useState } from 'react';
import { Alert, Button, Space, TreeSelect, Typography, Upload } from 'antd';
import { DownloadOutlined, UploadOutlined } from '@ant-design/icons';
import type { OrgLevel } from '@kapok/contracts';
import { describeError, get, isMissingRoute } from '../../api';
import { adminReason } from '../../admin-reasons';
import { LEVEL_LABELS } from '../../labels';

/** A unit as the admin screens read it (`GET /api/admin/org-units`; the public list lacks code and closed). */
export interface AdminUnit {
  id: string;
  name: string;
  level: OrgLevel;
  parentId: string | null;
  code?: string | null;
  closed?: boolean;
  closedAt?: string | null;
}

/** The units the signed-in person administers (or, for the rosters, may see), with lookups. */
export function useUnits(source: 'admin' | 'public' = 'admin') {
  const [units, setUnits] = useState<AdminUnit[]>([]);
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<string | null>(null);

  const reload = useCallback(async () => {
    setLoading(true);
    try {
      let list: AdminUnit[];
      try {
        list = await get<AdminUnit[]>(source === 'admin' ? '/admin/org-units' : '/org-units');
      } catch (e) {
        if (source !== 'admin' || !isMissingRoute(e)) throw e;
        list = await get<AdminUnit[]>('/org-units'); // an older server: the public list
      }
      setUnits(list.map((u) => ({ ...u, closed: u.closed ?? !!u.closedAt })));
      setError(null);
    } catch (e) {
      setError(describeError(e));
    } finally {
      setLoading(false);
    }
  }, [source]);

  useEffect(() => {
    void reload();
  }, [reload]);

  const byId = useMemo(() => new Map(units.map((u) => [u.id, u])), [units]);
  /** "越秀区 / 北京街社工站": the unit with its parents below the top of what the person sees. */
  const pathOf = useCallback(
    (id: string | null | undefined, depth = 2): string => {
      const names: string[] = [];
      let u = id ? byId.get(id) : undefined;
      while (u && names.length < depth) {
        names.unshift(u.name);
        u = u.parentId ? byId.get(u.parentId) : undefined;
      }
      return names.join(' / ') || '—';
    },
    [byId],
  );
  return { units, byId, pathOf, loading, error, reload };
}

export interface UnitNode {
  value: string;
  key: string;
  title: React.ReactNode;
  label: string;
  unit: AdminUnit;
  selectable?: boolean;
  disabled?: boolean;
  children?: UnitNode[];
}

const LEVEL_ORDER: Record<OrgLevel, number> = { city: 0, region: 1, district: 2, station: 3, point: 4 };

/**
 * The units as a tree (roots: units whose parent is not in the list). `pick` says which units may be chosen;
 * closed units are left out unless `withClosed`.
 */
export function unitTree(
  units: AdminUnit[],
  opts: { pick?: (u: AdminUnit) => boolean; withClosed?: boolean; title?: (u: AdminUnit) => React.ReactNode } = {},
): UnitNode[] {
  const shown = units.filter((u) => opts.withClosed || !u.closed);
  const ids = new Set(shown.map((u) => u.id));
  const children = new Map<string | null, AdminUnit[]>();
  for (const u of shown) {
    const parent = u.parentId && ids.has(u.parentId) ? u.parentId : null;
    const list = children.get(parent);
    if (list) list.push(u);
    else children.set(parent, [u]);
  }
  const build = (parent: string | null): UnitNode[] =>
    (children.get(parent) ?? [])
      .sort((a, b) => LEVEL_ORDER[a.level] - LEVEL_ORDER[b.level] || a.name.localeCompare(b.name, 'zh-CN'))
      .map((u) => {
        const kids = build(u.id);
        const selectable = opts.pick ? opts.pick(u) : true;
        return {
          value: u.id,
          key: u.id,
          label: u.name,
          title: opts.title ? opts.title(u) : `${u.name}（${LEVEL_LABELS[u.level]}）`,
          unit: u,
          selectable,
          disabled: !selectable && kids.length === 0,
          children: kids.length ? kids : undefined,
        };
      });
  return build(null);
}

/** A unit picker over the tree; only units `pick` accepts may be chosen (others only open their branch). */
export function UnitPicker({
  units,
  value,
  onChange,
  pick,
  placeholder,
  multiple,
  testId,
  style,
}: {
  units: AdminUnit[];
  value?: string | string[] | null;
  onChange?(v: any): void;
  pick?: (u: AdminUnit) => boolean;
  placeholder?: string;
  multiple?: boolean;
  testId?: string;
  style?: React.CSSProperties;
}) {
  const tree = useMemo(() => unitTree(units, { pick }), [units, pick]);
  return (
    <TreeSelect
      treeData={tree}
      value={value ?? undefined}
      onChange={onChange}
      showSearch={{ treeNodeFilterProp: 'label' }}
      treeNodeLabelProp="label"
      placeholder={placeholder ?? '选择单位'}
      multiple={multiple}
      treeCheckable={false}
      allowClear
      treeDefaultExpandAll={units.length < 60}
      style={{ width: '100%', ...style }}
      data-testid={testId}
      styles={{ popup: { root: { maxHeight: 420, overflow: 'auto' } } }}
    />
  );
}

export const isStation = (u: AdminUnit) => u.level === 'station';

/**
 * A secret the server shows only once (a temporary password, an intake key): in full, with a copy button, and a
 * warning that it cannot be shown again.
 */
export function OneTimeSecret({
  label,
  value,
  advice = '请立即复制并妥善交给本人',
  testId,
}: {
  label: string;
  value: string;
  advice?: string;
  testId?: string;
}) {
  return (
    <Alert
      type="warning"
      showIcon
      title={`${label}只显示这一次，${advice}`}
      description={
        <Typography.Text
          copyable={{ text: value, tooltips: ['复制', '已复制'] }}
          code
          style={{ fontSize: 15, wordBreak: 'break-all' }}
          data-testid={testId}
        >
          {value}
        </Typography.Text>
      }
    />
  );
}

/** Reads a chosen file as UTF-8 text (a BOM is dropped; the server reads UTF-8 only). */
export function readFileText(file: Blob): Promise<string> {
  return file.text().then((t) => t.replace(/^\uFEFF/, ''));
}

/** Hands a text file to the browser (a BOM first, so that Excel opens Chinese CSV correctly). */
export function saveTextFile(name: string, text: string, type = 'text/csv;charset=utf-8'): void {
  const blob = new Blob([type.startsWith('text/csv') ? '\uFEFF' + text : text], { type });
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** One CSV field, quoted when it needs to be. */
export const csvField = (v: unknown): string => {
  const s = v == null ? '' : String(v);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
};
export const csvLines = (rows: unknown[][]): string => rows.map((r) => r.map(csvField).join(',')).join('\r\n') + '\r\n';

/** A "choose a CSV file" button: the file is read in the browser and handed over as text (nothing is uploaded). */
export function CsvFileButton({
  onText,
  onExcel,
  children,
  loading,
  disabled,
  testId,
}: {
  onText(text: string, name: string): void;
  /** Given: an Excel workbook (.xlsx) may be chosen too, and is handed over as it is. */
  onExcel?(file: Blob, name: string): void;
  children: React.ReactNode;
  loading?: boolean;
  disabled?: boolean;
  testId?: string;
}) {
  return (
    <Upload
      accept={onExcel ? '.csv,text/csv,.xlsx' : '.csv,text/csv'}
      showUploadList={false}
      maxCount={1}
      disabled={disabled || loading}
      beforeUpload={(file) => {
        if (onExcel && /\.xlsx$/i.test(file.name)) onExcel(file, file.name);
        else void readFileText(file).then((t) => onText(t, file.name));
        return false;
      }}
    >
      <Button icon={<UploadOutlined />} loading={loading} disabled={disabled} data-testid={testId}>
        {children}
      </Button>
    </Upload>
  );
}

export function TemplateButton({ name, text, children }: { name: string; text: string; children: React.ReactNode }) {
  return (
    <Button icon={<DownloadOutlined />} onClick={() => saveTextFile(name, text)}>
      {children}
    </Button>
  );
}

/** The server's reasons for refusing a change or an import, in Chinese where the wording is known. */
export const importReasons = (messages: string[]): string[] => messages.map(adminReason);

/** The reasons of a refused import, as a list (a few shown, the count of the rest). */
export function ImportErrors({ title, reasons, testId }: { title: string; reasons: string[]; testId?: string }) {
  const shown = reasons.slice(0, 20);
  return (
    <Alert
      type="error"
      showIcon
      title={title}
      data-testid={testId}
      description={
        <Space orientation="vertical" size={2}>
          {shown.map((r, i) => (
            <span key={i}>{r}</span>
          ))}
          {reasons.length > shown.length && <span>…… 另有 {reasons.length - shown.length} 处问题</span>}
        </Space>
      }
    />
  );
}

/** The server's reasons of a failed request (all of them, for a list). */
export function reasonsOf(e: unknown): string[] {
  const m = (e as { messages?: unknown })?.messages;
  return Array.isArray(m) && m.length ? importReasons(m.map(String)) : [describeError(e)];
}
