import { randomInt } from 'node:crypto';
import { ContactRepository } from '../../libs/contacts/src';
import { Db } from '../../libs/database/src';
import { UserRepository } from '../../libs/auth/src';
import { TestTree, createTree } from '../support/fixtures';
import { Stack, api as rawApi, login } from '../support/stack';

/** Helpers shared by the records end-to-end files (service records, issue 4). */

export const OUTCOME = {
  serviceTypes: ['emotional_support'],
  targetGroup: 'elderly',
  summary: '独居老人情绪低落，倾听并安排回访。',
  problems: [{ category: 'emotional', resolution: 'resolved' }],
};

export const AID_OUTCOME = {
  serviceTypes: ['material_aid', 'emotional_support'],
  targetGroup: 'low_income',
  summary: '低保户，米油将尽，安排街道送达。',
  materialAid: {
    items: [
      { category: 'food', description: '大米 10kg', quantity: 1 },
      { category: 'food', description: '食用油 5L', quantity: 2 },
    ],
  },
  problems: [{ category: 'basic_living', resolution: 'resolved' }],
};

export const HIGH_RISK_OUTCOME = {
  serviceTypes: ['psychological_support'],
  targetGroup: 'mental_health',
  summary: '来电者有轻生念头，已做安全评估并转介。',
  psychological: { riskAssessment: 'high', interventions: ['safety_planning'] },
  problems: [{ category: 'mental_health', resolution: 'referred' }],
};

/** A mainland mobile number nobody else uses in this run (the privacy checks search the database for it). */
export const uniqueNumber = () => `139${String(randomInt(10_000_000, 99_999_999))}`;
export const masked = (n: string) => `${n.slice(0, 3)}****${n.slice(-4)}`;
export const inFuture = (hours: number) => new Date(Date.now() + hours * 3600_000).toISOString();

/** `api` that fails the test on any 5xx (the contract: no input produces a 5xx). */
export const api: typeof rawApi = async (url, method, path, opts) => {
  const res = await rawApi(url, method, path, opts);
  if (res.status >= 500) throw new Error(`5xx from ${method} ${path}: ${res.status} ${res.text.slice(0, 500)}`);
  return res;
};

export interface Person {
  id: string;
  username: string;
  token: string;
}

/**
 * A tree of its own (createTree: districts a1, a2 in region a, b1 in region b) with the people the records tests
 * need: in district a1 two operators of a1s1, one of a1s2, the district's coordinator and a supervisor covering
 * a1s1 and a1s2; in district a2 an operator, a coordinator and a supervisor covering a2s1; a city manager and an
 * admin.
 */
export async function recordsWorld(stack: Stack) {
  const tree = await createTree(stack.app);
  const users = stack.app.get(UserRepository);
  const person = async (p: Promise<{ id: string; username: string }>): Promise<Person> => {
    const u = await p;
    return { ...u, token: await login(stack.url, u.username) };
  };
  const supervisor = async (home: string, stations: string[]) => {
    const u = await tree.user('supervisor', home);
    await users.addSupervisedStations(u.id, stations);
    return u;
  };
  const w = {
    tree,
    /** Another operator of a station (an operator holds one phone contact at a time). */
    newOperator: (station: keyof TestTree['stations'] = 'a1s1') => person(tree.operator(station)),
    op1: await person(tree.operator('a1s1')),
    op2: await person(tree.operator('a1s1')),
    opS2: await person(tree.operator('a1s2')),
    coord: await person(tree.user('coordinator', tree.districts.a1)),
    sup: await person(supervisor(tree.stations.a1s1.id, [tree.stations.a1s1.id, tree.stations.a1s2.id])),
    otherOp: await person(tree.operator('a2s1')),
    otherCoord: await person(tree.user('coordinator', tree.districts.a2)),
    otherSup: await person(supervisor(tree.stations.a2s1.id, [tree.stations.a2s1.id])),
    manager: await person(tree.user('manager', tree.cityId)),
    admin: await person(tree.user('admin', tree.cityId)),
  };
  return w;
}
export type RecordsWorld = Awaited<ReturnType<typeof recordsWorld>>;

/**
 * A contact of `station` taken in over HTTP, then answered by `worker` through the contact state machine
 * (offer + accept, as the router and the operator's socket would do): `active`, assigned to them.
 */
export async function answeredContact(
  stack: Stack,
  tree: TestTree,
  worker: { id: string },
  opts: { station?: keyof TestTree['stations']; callerNumber?: string | null; riskLevel?: string } = {},
): Promise<string> {
  const body: Record<string, unknown> = {
    hotlineNumber: tree.stations[opts.station ?? 'a1s1'].hotline,
    channel: opts.callerNumber === null ? 'chat' : 'phone',
    ...(opts.callerNumber === null ? {} : { callerNumber: opts.callerNumber ?? uniqueNumber() }),
    ...(opts.riskLevel ? { riskLevel: opts.riskLevel } : {}),
  };
  const res = await api(stack.url, 'POST', '/contacts', { key: tree.intakeKey, body });
  if (res.status !== 201) throw new Error(`intake ${res.status} ${res.text}`);
  const id = res.body.id as string;
  const contacts = stack.app.get(ContactRepository);
  await stack.app.get(Db).tx(async (tx) => {
    // a continuity reservation or an overflow offer may not interfere: only a queued contact is taken
    if (!(await contacts.transition(tx, id, 'offer', { worker: worker.id })))
      throw new Error(`contact ${id} not queued`);
    await contacts.transition(tx, id, 'accept');
  });
  return id;
}

/** An answered contact with its outcome recorded by `worker`. */
export async function recordedContact(
  stack: Stack,
  tree: TestTree,
  worker: Person,
  outcome: object = OUTCOME,
  opts: Parameters<typeof answeredContact>[3] = {},
): Promise<string> {
  const id = await answeredContact(stack, tree, worker, opts);
  const res = await api(stack.url, 'POST', `/contacts/${id}/outcome`, { token: worker.token, body: outcome });
  if (res.status !== 201) throw new Error(`outcome ${res.status} ${res.text}`);
  return id;
}

/** The `message` of an error answer as one text (Nest gives a string or, for validation, an array). */
export const messageOf = (res: { body: any }) =>
  typeof res.body?.message === 'string' ? res.body.message : JSON.stringify(res.body?.message ?? '');

export async function count(stack: Stack, sql: string, params: unknown[]): Promise<number> {
  const row = await stack.app.get(Db).one<{ n: number }>(`SELECT count(*)::int AS n FROM ${sql}`, params);
  return row!.n;
}
