import { INestApplicationContext, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { AuthModule } from '../../libs/auth/src';
import { KapokConfigModule } from '../../libs/config/src';
import { DatabaseModule } from '../../libs/database/src';
import { OrgModule } from '../../libs/org/src';
import { TestStation, createStation, redisPrefix } from '../support/fixtures';
import { Proc, checkBuilt, freePort, processLogs, removeRedisKeys, waitUp } from '../support/processes';
import { AgentClient, api, login } from '../support/stack';

@Module({ imports: [KapokConfigModule, DatabaseModule, AuthModule, OrgModule] })
class FixturesModule {}

/**
 * A conversation across processes built from dist/: two gateways and a router. The caller writes through gateway 1,
 * the operator through gateway 2; the caller then comes back through gateway 2 and a supervisor watches through
 * gateway 1. Messages reach the other side whichever process holds its socket (Redis adapter and emitter).
 */
describe('a conversation across two gateway processes', () => {
  const prefix = redisPrefix();
  const procs: Proc[] = [];
  const clients: AgentClient[] = [];
  let ctx: INestApplicationContext;
  let st: TestStation;
  let gateways: string[] = [];
  let failed = false;
  const killAll = () => procs.forEach((p) => p.running && p.child.kill('SIGKILL'));

  beforeAll(async () => {
    checkBuilt();
    process.once('exit', killAll);
    const env = {
      NODE_ENV: 'test',
      LOG_LEVEL: 'warn',
      DATABASE_URL: process.env.DATABASE_URL,
      REDIS_URL: process.env.REDIS_URL,
      REDIS_PREFIX: prefix,
      RECONCILE_INTERVAL_SECONDS: '60',
      DEMO: 'false',
    };
    const ports = [await freePort(), await freePort()];
    gateways = ports.map((p) => `http://127.0.0.1:${p}`);
    ports.forEach((port, i) => procs.push(new Proc(`gateway-${i + 1}`, 'gateway', { ...env, PORT: String(port) })));
    procs.push(new Proc('router', 'router', { ...env, PORT: '0' }));
    Object.assign(process.env, { NODE_ENV: 'test', LOG_LEVEL: 'warn', REDIS_PREFIX: prefix });
    ctx = await NestFactory.createApplicationContext(FixturesModule, { logger: ['error', 'warn'] });
    st = await createStation(ctx, 1);
    await waitUp(gateways, procs, prefix);
  }, 90_000);

  afterAll(async () => {
    clients.forEach((c) => c.close());
    await Promise.all(procs.map((p) => p.stop()));
    if (failed) console.log(`what the processes printed:\n${processLogs(procs)}`);
    process.removeListener('exit', killAll);
    await ctx?.close();
    await removeRedisKeys(prefix);
  }, 30_000);

  it('caller on gateway 1, operator on gateway 2: offer, messages both ways in order, resume on the other gateway', async () => {
    failed = true;
    const [g1, g2] = gateways;
    const session = await api(g1, 'POST', '/chat/sessions', { body: { hotlineNumber: st.hotlineNumber } });
    expect(session.status).toBe(201);
    const caller = await AgentClient.chat(g1, session.body.resumeToken);
    clients.push(caller);
    expect(await caller.emit('message:send', { clientId: 'c-1', text: '跨进程你好' })).toMatchObject({ seq: 1 });

    const op = await AgentClient.connect(g2, await login(g2, st.operators[0].username));
    clients.push(op);
    await op.available();
    const offer = await op.next('contact:offer', (o) => o.contact.id === session.body.contactId, 30_000);
    expect(offer.contact.firstMessage.text).toBe('跨进程你好');
    expect((await op.emit('offer:accept', { offerId: offer.offerId })).ok).toBe(true);
    expect(await caller.next('conversation:state', (s) => s.status === 'talking')).toEqual({ status: 'talking' });

    for (let i = 0; i < 5; i++) {
      await op.emit('message:send', { contactId: session.body.contactId, clientId: `o-${i}`, text: `社工 ${i}` });
      await caller.emit('message:send', { clientId: `c-x${i}`, text: `来电者 ${i}` });
    }
    const toCaller = [];
    for (let i = 0; i < 5; i++) toCaller.push(await caller.next('message', (m) => m.text === `社工 ${i}`));
    const toOperator = [];
    for (let i = 0; i < 5; i++) toOperator.push(await op.next('message', (m) => m.text === `来电者 ${i}`));
    const seqs = (ms: { seq: number }[]) => ms.map((m) => m.seq);
    expect(seqs(toCaller)).toEqual([...seqs(toCaller)].sort((a, b) => a - b));
    expect(seqs(toOperator)).toEqual([...seqs(toOperator)].sort((a, b) => a - b));

    // the caller's connection drops; the operator writes; the caller comes back through the other gateway
    caller.close();
    const sent = await op.emit('message:send', {
      contactId: session.body.contactId,
      clientId: 'o-late',
      text: '还在吗？',
    });
    const back = await AgentClient.chat(g2, session.body.resumeToken);
    clients.push(back);
    const history = await back.emit('history:get', {});
    expect(history.messages.map((m: any) => m.seq)).toEqual(Array.from({ length: 12 }, (_, i) => i + 1));
    expect(history.messages[11]).toMatchObject({ id: sent.id, from: 'operator', text: '还在吗？' });
    await back.emit('message:send', { clientId: 'c-back', text: '我回来了' });
    expect((await op.next('message', (m) => m.text === '我回来了')).seq).toBe(13);
    failed = false;
  }, 120_000);
});
