/**
 * Traffic simulator: simulated callers on the demo lines and simulated social workers on a few stations of 越秀区,
 * against a Kapok already running on this machine (`npm start`), so that the console comes alive: offers ring,
 * queues build and drain on the coordinator's board, records and statistics fill up.
 *
 *   npm run simulate -- [--duration 600] [--rate 6] [--operators 8] [--stations 4] [--speed 1]
 *                       [--url http://127.0.0.1:3000] [--intake-key demo-intake-key]
 *                       [--coordinator demo-coordinator] [--password hotline-demo] [--demo-operators]
 *
 * --duration  seconds of traffic (default 600), then it winds down: waiting callers hang up, calls in progress end
 *             and are recorded, the simulated workers sign out. Ctrl-C winds down at once (twice: quits).
 * --rate      callers per minute on average (Poisson arrivals; default 6).
 * --operators simulated social workers (default 8), spread over the first --stations stations (default 4) of the
 *             demo coordinator's district (越秀区: 北京街, 洪桥街, 流花街, 光塔街 …). They are accounts
 *             `sim-operator-01` … (password --password, default hotline-demo: you can sign in as one of them), created
 *             in the database once; one more, `sim-absent-01`, is rostered at the next station but never signs in
 *             (a coverage gap). Without access to the database (or with --demo-operators) the two demo operators are
 *             used instead: then do not sign in as them in the console at the same time.
 * --speed     time compression: 2 makes talks, wrap-ups and callers' patience twice as short (default 1).
 *
 * Callers ring the lines of those stations and two more without anyone on duty, on phone, WeChat and chat; a few are
 * high-risk or critical; regular callers ring again (caller history, continuity). A caller not answered within their
 * patience (25–120 s) hangs up (abandoned). An answered call lasts 20–90 s; the worker wraps up for 5–20 s and records
 * an outcome (service types, target group, summary, risk assessment, material aid, problems, sometimes a follow-up);
 * workers sometimes decline or miss an offer, and sometimes take a break. Calls answered by a person in the console
 * are ended by their simulated caller the same way; the person records the outcome.
 *
 * Only loopback: --url must be localhost, and so must the database (DATABASE_URL, else the servers `npm start`
 * uses: 127.0.0.1:5432 database kapok, or the embedded one on 127.0.0.1:54329).
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { hash } from '@node-rs/argon2';
import { Client } from 'pg';
import { io, Socket } from 'socket.io-client';

// ---------------------------------------------------------------------------------------------- options

interface Options {
  url: string;
  duration: number;
  rate: number;
  operators: number;
  stations: number;
  speed: number;
  intakeKey: string;
  coordinator: string;
  password: string;
  demoOperators: boolean;
}

function readOptions(args: string[]): Options {
  const { values: v } = parseArgs({
    args,
    options: {
      url: { type: 'string', default: `http://127.0.0.1:${process.env.PORT ?? 3000}` },
      duration: { type: 'string', default: '600' },
      rate: { type: 'string', default: '6' },
      operators: { type: 'string', default: '8' },
      stations: { type: 'string', default: '4' },
      speed: { type: 'string', default: '1' },
      'intake-key': { type: 'string', default: 'demo-intake-key' },
      coordinator: { type: 'string', default: 'demo-coordinator' },
      password: { type: 'string', default: 'hotline-demo' },
      'demo-operators': { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (v.help) {
    console.log(
      readFileSync(__filename, 'utf8')
        .split('*/')[0]
        .replace(/^\/\*\*|^ \* ?/gm, ''),
    );
    return process.exit(0);
  }
  const num = (flag: 'duration' | 'rate' | 'operators' | 'stations' | 'speed', min: number, max: number) => {
    const n = Number(v[flag]);
    if (!Number.isFinite(n) || n < min || n > max) throw new Error(`--${flag} needs a number from ${min} to ${max}`);
    return n;
  };
  const o: Options = {
    url: v.url,
    duration: num('duration', 5, 24 * 3600),
    rate: num('rate', 0.1, 600),
    operators: Math.floor(num('operators', 1, 60)),
    stations: Math.floor(num('stations', 1, 16)),
    speed: num('speed', 0.1, 20),
    intakeKey: v['intake-key'],
    coordinator: v.coordinator,
    password: v.password,
    demoOperators: v['demo-operators'],
  };
  if (!isLoopback(o.url)) throw new Error(`--url must point to this machine (localhost), not ${o.url}`);
  return o;
}

function isLoopback(url: string): boolean {
  try {
    const host = new URL(url).hostname.replace(/^\[|\]$/g, '');
    return host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);
  } catch {
    return false;
  }
}

// ---------------------------------------------------------------------------------------------- helpers

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const rand = (min: number, max: number) => min + Math.random() * (max - min);
const pick = <T>(items: readonly T[]): T => items[Math.floor(Math.random() * items.length)];
const chance = (p: number) => Math.random() < p;
const log = (msg: string) =>
  console.log(`[simulate ${new Date().toLocaleTimeString('zh-CN', { hour12: false })}] ${msg}`);

interface ApiResult {
  status: number;
  body: any;
}

let baseUrl = '';

async function api(
  method: string,
  path: string,
  opts: { token?: string; key?: string; body?: unknown } = {},
): Promise<ApiResult> {
  const headers: Record<string, string> = {};
  if (opts.token) headers.authorization = `Bearer ${opts.token}`;
  if (opts.key) headers['x-api-key'] = opts.key;
  if (opts.body !== undefined) headers['content-type'] = 'application/json';
  try {
    const res = await fetch(`${baseUrl}/api${path}`, {
      method,
      headers,
      body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
      signal: AbortSignal.timeout(10_000),
    });
    const text = await res.text();
    let body: any;
    try {
      body = text ? JSON.parse(text) : undefined;
    } catch {
      body = text;
    }
    return { status: res.status, body };
  } catch (err) {
    return { status: 0, body: { message: (err as Error).message } };
  }
}

async function login(username: string, password: string): Promise<{ token: string; user: any }> {
  const res = await api('POST', '/auth/login', { body: { username, password } });
  if (res.status !== 200)
    throw new Error(
      `cannot sign in as ${username} (${res.status}): is this the demo data? (--coordinator, --password)`,
    );
  return { token: res.body.accessToken, user: res.body.user };
}

// ---------------------------------------------------------------------------------------------- what gets said

const CALLER_POOL = Array.from(
  { length: 30 },
  (_, i) => `13${pick(['5', '6', '7', '8', '9'])}${String(10_000_000 + i * 271_829).slice(-8)}`,
);
const randomNumber = () => `1${pick(['3', '5', '7', '8'])}${Math.floor(rand(100_000_000, 999_999_999))}`;

const TOPICS = [['生活物资'], ['情绪困扰'], ['独居老人'], ['政策咨询'], ['子女教育'], ['就医困难'], []];

interface Scenario {
  weight: number;
  outcome: () => Record<string, unknown>;
}

const INTERVENTIONS = [
  'active_listening',
  'emotional_soothing',
  'cognitive_reframing',
  'relaxation',
  'safety_planning',
];
const some = <T>(items: T[], n: number) => [...items].sort(() => Math.random() - 0.5).slice(0, n);

const SCENARIOS: Scenario[] = [
  {
    weight: 5,
    outcome: () => ({
      serviceTypes: ['material_aid', 'emotional_support'],
      targetGroup: 'elderly',
      summary: pick([
        '独居老人来电，家中米油将尽，行动不便。已安排街道社工站送米油上门。',
        '高龄老人反映近期缺少日常用品，已登记物资需求并联系社区送达。',
      ]),
      materialAid: {
        items: some(
          [
            { category: 'food', description: '大米 10kg', quantity: 1 },
            { category: 'food', description: '食用油 5L', quantity: 1 },
            { category: 'daily_necessities', description: '纸巾、洗衣粉', quantity: 2 },
            { category: 'medicine', description: '降压药（代购）', quantity: 1 },
          ],
          Math.ceil(rand(0, 3)),
        ),
      },
      problems: [{ category: 'basic_living', resolution: pick(['resolved', 'resolved', 'referred']) }],
    }),
  },
  {
    weight: 5,
    outcome: () => {
      const risk = pick(['none', 'low', 'low', 'medium', 'medium', 'high', ...(chance(0.08) ? ['imminent'] : [])]);
      const [targetGroup, summary] = pick([
        ['mental_health', '来电者长期失眠、情绪低落，进行心理疏导并评估风险。'],
        ['other', '来电者因家庭矛盾情绪激动，倾听安抚后情绪平稳。'],
        ['children', '学生考试压力大，给予情绪疏导和放松训练指导。'],
        ['elderly', '老人丧偶后独居，孤独感强，倾听陪伴并链接社区探访。'],
      ]);
      return {
        serviceTypes: ['psychological_support', ...(chance(0.5) ? ['emotional_support'] : [])],
        targetGroup,
        summary,
        psychological: { riskAssessment: risk, interventions: some(INTERVENTIONS, Math.ceil(rand(0, 3))) },
        problems: [
          { category: 'emotional', resolution: risk === 'high' || risk === 'imminent' ? 'referred' : 'resolved' },
        ],
      };
    },
  },
  {
    weight: 3,
    outcome: () => ({
      serviceTypes: ['policy_consultation'],
      targetGroup: pick(['low_income', 'disabled', 'elderly']),
      summary: pick([
        '咨询低保申请条件与流程，已详细解答。',
        '咨询残疾人补贴政策，已告知办理地点和材料。',
        '咨询临时救助政策，已指引至街道办理。',
      ]),
      problems: [{ category: 'policy', resolution: 'resolved' }],
    }),
  },
  {
    weight: 2,
    outcome: () => ({
      serviceTypes: ['resource_linking', ...(chance(0.4) ? ['referral'] : [])],
      targetGroup: pick(['disabled', 'elderly', 'children']),
      summary: pick([
        '需要康复辅具，已链接区残联资源。',
        '孩子课后无人照看，已链接社区四点半课堂。',
        '需要上门助浴服务，已转介居家养老服务中心。',
      ]),
      problems: [{ category: 'care', resolution: pick(['resolved', 'referred', 'unresolved']) }],
    }),
  },
  {
    weight: 1,
    outcome: () => ({
      serviceTypes: ['emergency_assistance', 'referral'],
      targetGroup: 'other',
      summary: '来电者遭遇突发困难，已启动紧急援助并转介相关部门跟进。',
      problems: [{ category: 'safety', resolution: 'referred' }],
    }),
  },
];

function randomOutcome(): Record<string, unknown> {
  const total = SCENARIOS.reduce((n, s) => n + s.weight, 0);
  let r = Math.random() * total;
  const s = SCENARIOS.find((x) => (r -= x.weight) < 0) ?? SCENARIOS[0];
  const outcome = s.outcome();
  if (chance(0.2)) {
    outcome.followUp = {
      dueAt: new Date(Date.now() + rand(1, 3) * 86_400_000).toISOString(),
      note: pick(['确认物资送达', '了解情绪状况', '跟进政策办理进度']),
    };
  }
  return outcome;
}

// ---------------------------------------------------------------------------------------------- counters

const stats = { calls: 0, answered: 0, abandoned: 0, completed: 0, declined: 0, missed: 0, errors: 0 };
const waiting = new Set<string>();
let ending = false;

// ---------------------------------------------------------------------------------------------- workers

class SimOperator {
  private socket?: Socket;
  private readonly held = new Map<string, { timers: NodeJS.Timeout[] }>();
  private onBreak = false;
  private watchdog?: NodeJS.Timeout;
  presence = 'offline';

  constructor(
    readonly username: string,
    private readonly token: string,
    private readonly speed: number,
  ) {}

  get busy(): number {
    return this.held.size;
  }

  start(): Promise<void> {
    const s = io(`${baseUrl}/agent`, { auth: { token: this.token }, transports: ['websocket'] });
    this.socket = s;
    s.on('agent:state', (st: any) => {
      this.presence = st.presence;
      for (const c of st.contacts ?? (st.contact ? [st.contact] : [])) this.hold(c);
      if (st.presence !== 'available' && !this.onBreak && !ending) void this.setPresence('available');
      if (st.offer) this.consider(st.offer);
    });
    s.on('contact:offer', (offer: any) => this.consider(offer));
    s.on('contact:updated', ({ contact }: any) => {
      if (contact.status === 'wrap_up') this.wrapUp(contact.id);
      if (contact.status === 'completed' || contact.status === 'abandoned') this.release(contact.id);
    });
    s.on('agent:presence', (e: any) => {
      this.presence = e.presence;
      if (e.presence !== 'available' && !ending) {
        log(`${this.username} was set ${e.presence} (${e.reason}); back in 15 s`);
        setTimeout(() => !ending && void this.setPresence('available'), 15_000 / this.speed);
      }
    });
    s.on('connect_error', (err) => log(`${this.username}: ${err.message}`));
    // Someone else (a console tab of the same account, another run) may have set this worker away or offline.
    this.watchdog = setInterval(() => {
      if (ending || this.onBreak || !s.connected) return;
      void s
        .timeout(5000)
        .emitWithAck('state:get')
        .catch(() => null)
        .then(async (ack) => {
          if (ack?.ok && ack.state.presence !== 'available' && !this.onBreak && !ending)
            await this.setPresence('available');
        });
    }, 20_000);
    return new Promise((resolve) => s.once('agent:state', () => resolve()));
  }

  private async setPresence(status: 'available' | 'away' | 'offline'): Promise<void> {
    const ack = await this.socket
      ?.timeout(5000)
      .emitWithAck('presence:set', { status })
      .catch(() => null);
    if (ack?.ok) this.presence = ack.status;
  }

  private consider(offer: any): void {
    if (ending) return;
    const roll = Math.random();
    if (roll < 0.04) {
      setTimeout(
        () => {
          stats.declined++;
          void this.socket
            ?.timeout(5000)
            .emitWithAck('offer:decline', { offerId: offer.offerId })
            .catch(() => null);
        },
        rand(1000, 3000) / this.speed,
      );
    } else if (roll < 0.06) {
      stats.missed++; // lets it ring out: it goes to the next worker
    } else {
      setTimeout(() => void this.accept(offer.offerId), rand(1000, 6000) / this.speed);
    }
  }

  private async accept(offerId: string): Promise<void> {
    const ack = await this.socket
      ?.timeout(5000)
      .emitWithAck('offer:accept', { offerId })
      .catch(() => null);
    if (ack?.ok) this.hold(ack.contact);
  }

  private hold(contact: any): void {
    if (this.held.has(contact.id)) return;
    // If the caller's side of the simulation is gone, the worker ends the conversation after a long talk.
    const safety = setTimeout(
      () => void api('POST', `/contacts/${contact.id}/end`, { token: this.token }),
      150_000 / this.speed,
    );
    this.held.set(contact.id, { timers: [safety] });
    if (contact.status === 'wrap_up') this.wrapUp(contact.id);
  }

  private wrapUp(contactId: string): void {
    const h = this.held.get(contactId);
    if (!h || h.timers.length > 1) return;
    h.timers.push(
      setTimeout(() => void this.complete(contactId), (ending ? rand(500, 1500) : rand(5000, 20_000)) / this.speed),
    );
  }

  private async complete(contactId: string): Promise<void> {
    const res = await api('POST', `/contacts/${contactId}/outcome`, { token: this.token, body: randomOutcome() });
    if (res.status === 201) stats.completed++;
    else if (res.status !== 409) {
      stats.errors++;
      log(`${this.username}: outcome of ${contactId} → ${res.status} ${JSON.stringify(res.body?.message ?? '')}`);
    }
    this.release(contactId);
    if (!ending && !this.onBreak && this.held.size === 0 && chance(0.08)) void this.takeBreak();
  }

  private release(contactId: string): void {
    this.held.get(contactId)?.timers.forEach(clearTimeout);
    this.held.delete(contactId);
  }

  private async takeBreak(): Promise<void> {
    this.onBreak = true;
    await this.setPresence('away');
    await sleep(rand(30_000, 90_000) / this.speed);
    this.onBreak = false;
    if (!ending) await this.setPresence('available');
  }

  /** Records what is still held (wrap-ups at once), then signs out. */
  async stop(): Promise<void> {
    clearInterval(this.watchdog);
    await this.setPresence('offline');
    for (let i = 0; i < 40 && this.held.size; i++) {
      for (const id of this.held.keys()) this.wrapUp(id);
      await sleep(250);
    }
    this.socket?.disconnect();
  }
}

// ---------------------------------------------------------------------------------------------- callers

interface Line {
  number: string;
  stationName: string;
  weight: number;
}

async function caller(n: number, line: Line, o: Options, runId: string, watchToken: string): Promise<void> {
  const channel = pick(['phone', 'phone', 'phone', 'phone', 'phone', 'phone', 'phone', 'wechat', 'wechat', 'chat']);
  const riskLevel = chance(0.02) ? 'critical' : chance(0.06) ? 'high' : 'normal';
  const res = await api('POST', '/contacts', {
    key: o.intakeKey,
    body: {
      hotlineNumber: line.number,
      channel,
      callerNumber: chance(0.6) ? pick(CALLER_POOL) : randomNumber(),
      externalId: `sim-${runId}-${n}`,
      topics: pick(TOPICS),
      riskLevel,
    },
  });
  if (res.status !== 201 && res.status !== 200) {
    stats.errors++;
    log(`intake on ${line.number} → ${res.status} ${JSON.stringify(res.body?.message ?? '')}`);
    return;
  }
  stats.calls++;
  const id: string = res.body.id;
  waiting.add(id);
  const patience = rand(25_000, 120_000) / o.speed;
  const talk = rand(20_000, 90_000) / o.speed;
  const started = Date.now();
  let answeredAt = 0;
  try {
    for (;;) {
      await sleep(1500);
      const c = await api('GET', `/contacts/${id}`, { token: watchToken });
      const status: string | undefined = c.body?.status;
      if (status === 'active' || status === 'wrap_up') {
        if (!answeredAt) {
          answeredAt = Date.now();
          stats.answered++;
          waiting.delete(id);
        }
        if (status === 'wrap_up') return; // the worker ended it
        if (ending || Date.now() - answeredAt > talk) {
          await api('POST', `/contacts/${id}/end`, { key: o.intakeKey }); // the caller hangs up
          return;
        }
      } else if (status === 'queued' || status === 'offered') {
        if (ending || Date.now() - started > patience) {
          const a = await api('POST', `/contacts/${id}/abandon`, { key: o.intakeKey });
          if (a.status === 200) {
            stats.abandoned++;
            return;
          }
        }
      } else if (status) {
        return; // completed or abandoned
      }
    }
  } finally {
    waiting.delete(id);
  }
}

// ---------------------------------------------------------------------------------------------- accounts

/** The database `npm start` uses (loopback only), checked to be the one behind the API (it has this org unit). */
async function findDatabase(knownUnitId: string): Promise<Client | undefined> {
  const candidates = process.env.DATABASE_URL
    ? [process.env.DATABASE_URL]
    : [
        (process.env.LOCAL_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres').replace(/\/[^/]*$/, '/kapok'),
        'postgres://postgres:postgres@127.0.0.1:54329/kapok',
      ];
  for (const url of candidates) {
    if (!isLoopback(url.replace(/^postgres(ql)?:/, 'http:'))) {
      log(`not using the database at ${new URL(url).host}: the simulator only talks to this machine`);
      continue;
    }
    const db = new Client({ connectionString: url, connectionTimeoutMillis: 1500 });
    try {
      await db.connect();
      const found = await db.query('SELECT 1 FROM org_units WHERE id = $1', [knownUnitId]);
      if (found.rowCount) return db;
    } catch {
      /* not this one */
    }
    await db.end().catch(() => undefined);
  }
  return undefined;
}

async function ensureOperator(
  db: Client,
  username: string,
  displayName: string,
  stationId: string,
  passwordHash: string,
): Promise<void> {
  const existing = await db.query('SELECT id FROM users WHERE lower(username) = lower($1)', [username]);
  if (existing.rowCount) {
    await db.query('UPDATE users SET password_hash = $2, org_unit_id = $3, active = true WHERE id = $1', [
      existing.rows[0].id,
      passwordHash,
      stationId,
    ]);
    return;
  }
  const { rows } = await db.query(
    `INSERT INTO users (username, display_name, password_hash, role, org_unit_id) VALUES ($1, $2, $3, 'operator', $4) RETURNING id`,
    [username, displayName, passwordHash, stationId],
  );
  // Languages and skills (routing rules), when the schema has them.
  await db
    .query(`UPDATE users SET languages = '{yue,cmn}', skills = $2 WHERE id = $1`, [
      rows[0].id,
      ['psychological_support', 'emotional_support', 'material_aid', 'policy_consultation', 'elderly', 'children'],
    ])
    .catch(() => undefined);
}

// ---------------------------------------------------------------------------------------------- main

async function main(): Promise<void> {
  const o = readOptions(process.argv.slice(2));
  baseUrl = o.url.replace(/\/+$/, '');
  const health = await api('GET', '/health');
  if (health.status !== 200)
    throw new Error(
      `Kapok does not answer at ${baseUrl} (${health.status || 'no connection'}): start it with npm start`,
    );

  const coordinator = await login(o.coordinator, o.password);
  const units: any[] = (await api('GET', '/org-units', { token: coordinator.token })).body ?? [];
  const lines: any[] = (await api('GET', '/hotlines', { token: coordinator.token })).body ?? [];
  const stations = units
    .filter((u) => u.level === 'station')
    .map((u) => ({
      ...u,
      lines: lines.filter((l) => l.stationId === u.id).sort((a, b) => a.number.localeCompare(b.number)),
    }))
    .filter((s) => s.lines.length)
    .sort((a, b) => a.lines[0].number.localeCompare(b.lines[0].number));
  if (stations.length < 2)
    throw new Error(`${o.coordinator} sees ${stations.length} stations with lines: is this the demo data?`);
  const staffed = stations.slice(0, Math.min(o.stations, stations.length - 1));
  const unstaffed = stations.slice(staffed.length, staffed.length + 2);
  const runId = randomUUID().slice(0, 8);
  const endsAt = Date.now() + o.duration * 1000;

  // Workers: own accounts in the database, else the two demo operators.
  const workers: { username: string; station: any }[] = [];
  let absent: { username: string; station: any } | undefined;
  const db = o.demoOperators ? undefined : await findDatabase(staffed[0].id);
  if (db) {
    const passwordHash = await hash(o.password);
    for (let i = 0; i < o.operators; i++) {
      const station = staffed[i % staffed.length];
      const username = `sim-operator-${String(i + 1).padStart(2, '0')}`;
      await ensureOperator(
        db,
        username,
        `模拟社工${String(i + 1).padStart(2, '0')}（${station.name.replace(/^.+区|社工站$/g, '')}）`,
        station.id,
        passwordHash,
      );
      workers.push({ username, station });
    }
    if (unstaffed[0]) {
      absent = { username: 'sim-absent-01', station: unstaffed[0] };
      await ensureOperator(db, absent.username, '模拟社工（缺勤）', absent.station.id, passwordHash);
    }
    await db.end();
  } else {
    if (!o.demoOperators)
      log(
        'no access to the database behind the API: using demo-operator and demo-operator-2 (do not sign in as them meanwhile)',
      );
    const home = stations.find((s) => s.lines.some((l: any) => l.number === '020-8100-0001')) ?? staffed[0];
    workers.push({ username: 'demo-operator', station: home }, { username: 'demo-operator-2', station: home });
  }

  // Their shifts for the run (the board shows who is rostered; the absent one opens a coverage gap).
  const shiftIds: string[] = [];
  for (const w of [...workers, ...(absent ? [absent] : [])]) {
    const me = await login(w.username, o.password).catch(() => undefined);
    if (!me) continue;
    const s = await api('POST', `/stations/${w.station.id}/shifts`, {
      token: coordinator.token,
      body: {
        workerId: me.user.id,
        startsAt: new Date(Date.now() - 60_000).toISOString(),
        endsAt: new Date(endsAt + 120_000).toISOString(),
      },
    });
    if (s.status === 201 || s.status === 200) shiftIds.push(s.body.id);
  }

  const operators: SimOperator[] = [];
  for (const w of workers) {
    const { token } = await login(w.username, o.password);
    const op = new SimOperator(w.username, token, o.speed);
    await op.start();
    operators.push(op);
  }
  const callLines: Line[] = [
    ...staffed.flatMap((s) =>
      s.lines.map((l: any) => ({ number: l.number, stationName: s.name, weight: 3 / s.lines.length })),
    ),
    ...unstaffed.flatMap((s) =>
      s.lines.map((l: any) => ({ number: l.number, stationName: s.name, weight: 1 / s.lines.length })),
    ),
  ];

  console.log(`
  Simulating ${o.duration} s of traffic on ${baseUrl}: about ${o.rate} callers a minute on ${callLines.length} lines
    social workers: ${workers.length} (${workers.map((w) => w.username).join(', ')})
    at:             ${[...new Set(workers.map((w) => w.station.name))].join('、')}
    without anyone: ${unstaffed.map((s) => s.name).join('、')}${absent ? ` (${absent.username} rostered, absent)` : ''}
  Watch it in the console: ${baseUrl}/console  (demo-coordinator, demo-manager … password hotline-demo)
  Ctrl-C to stop early.
`);

  let interrupted = 0;
  process.on('SIGINT', () => {
    if (++interrupted > 1) process.exit(130);
    log('stopping: waiting callers hang up, calls in progress are finished (Ctrl-C again to quit at once)');
    ending = true;
  });

  const status = setInterval(() => {
    const busy = operators.reduce((n, op) => n + (op.busy ? 1 : 0), 0);
    const available = operators.filter((op) => op.presence === 'available' && !op.busy).length;
    log(
      `calls ${stats.calls} · answered ${stats.answered} · abandoned ${stats.abandoned} · completed ${stats.completed} · ` +
        `waiting ${waiting.size} · workers free ${available} / busy ${busy} / away ${operators.length - available - busy}` +
        (stats.errors ? ` · errors ${stats.errors}` : ''),
    );
  }, 10_000);

  const callers: Promise<void>[] = [];
  const totalWeight = callLines.reduce((n, l) => n + l.weight, 0);
  let n = 0;
  while (!ending && Date.now() < endsAt) {
    let r = Math.random() * totalWeight;
    const line = callLines.find((l) => (r -= l.weight) < 0) ?? callLines[0];
    callers.push(caller(++n, line, o, runId, coordinator.token).catch(() => void stats.errors++));
    const gap = -Math.log(1 - Math.random()) * (60_000 / o.rate); // exponential inter-arrival times
    const until = Math.min(endsAt, Date.now() + gap);
    while (!ending && Date.now() < until) await sleep(Math.min(250, until - Date.now()));
  }

  ending = true;
  log('winding down');
  await Promise.race([Promise.all(callers), sleep(30_000)]);
  await Promise.all(operators.map((op) => op.stop()));
  for (const id of shiftIds) await api('DELETE', `/shifts/${id}`, { token: coordinator.token });
  clearInterval(status);
  log(
    `done: calls ${stats.calls}, answered ${stats.answered}, abandoned ${stats.abandoned}, completed ${stats.completed}, ` +
      `declined ${stats.declined}, let ring out ${stats.missed}${stats.errors ? `, errors ${stats.errors}` : ''}`,
  );
  process.exit(0);
}

main().catch((err) => {
  console.error(`[simulate] ${err instanceof Error ? err.message : err}`);
  process.exit(1);
});
