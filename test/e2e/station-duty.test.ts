import { AgentClient, Stack, sleep, startStack } from '../support/stack';
import {
  HIGH_RISK_OUTCOME,
  RecordsWorld,
  answeredContact,
  api,
  recordedContact,
  recordsWorld,
} from './records.support';

/**
 * `GET /api/stations/:stationId/duty` end to end: who of a station is on duty now (state, the contact each holds)
 * and their figures of today from the rollups; an operator reads their own station, a coordinator their board's,
 * anything else is 404.
 */
describe('station duty: operators now and their figures of today', () => {
  let stack: Stack;
  let w: RecordsWorld;
  const clients: AgentClient[] = [];

  beforeAll(async () => {
    stack = await startStack({ OFFER_TIMEOUT_SECONDS: '60' });
    w = await recordsWorld(stack);
  });
  afterAll(async () => {
    clients.forEach((c) => c.close());
    await sleep(100);
    await stack.close();
  });

  const duty = (token: string, stationId: string) => api(stack.url, 'GET', `/stations/${stationId}/duty`, { token });

  it("lists each operator's state, held contact and today's figures, signed-in first", async () => {
    const a1s1 = w.tree.stations.a1s1.id;
    await recordedContact(stack, w.tree, w.op1, HIGH_RISK_OUTCOME);
    const held = await answeredContact(stack, w.tree, w.op2);
    const agent = await AgentClient.connect(stack.url, w.op1.token);
    clients.push(agent);
    await agent.available();

    const res = await duty(w.op1.token, a1s1);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ stationId: a1s1, day: expect.stringMatching(/^\d{4}-\d{2}-\d{2}$/) });
    const byId = new Map(res.body.operators.map((o: any) => [o.userId, o]));
    expect(byId.get(w.op1.id)).toMatchObject({
      username: w.op1.username,
      state: 'available',
      signedIn: true,
      contact: null,
      today: { answered: 1, served: 1, highRiskContacts: 1 },
    });
    expect(byId.get(w.op2.id)).toMatchObject({
      state: 'busy',
      signedIn: false,
      contact: { contactId: held, status: 'active', channel: 'phone' },
      today: { answered: 1, served: 0 },
    });
    expect(res.body.operators[0].userId).toBe(w.op1.id); // signed in first
    expect(byId.has(w.opS2.id)).toBe(false); // another station's operator

    // The district's coordinator reads it too (the board's drill-down).
    const coord = await duty(w.coord.token, a1s1);
    expect(coord.status).toBe(200);
    expect(coord.body.operators.map((o: any) => o.userId)).toEqual(res.body.operators.map((o: any) => o.userId));
  });

  it('answers 404 outside your part of the organisation and 400 for a malformed id', async () => {
    expect((await duty(w.op1.token, w.tree.stations.a1s2.id)).status).toBe(404); // not the operator's station
    expect((await duty(w.otherCoord.token, w.tree.stations.a1s1.id)).status).toBe(404);
    expect((await duty(w.coord.token, '00000000-0000-4000-8000-000000000000')).status).toBe(404);
    expect((await duty(w.coord.token, 'not-a-uuid')).status).toBe(400);
  });
});
