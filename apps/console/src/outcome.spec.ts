import 'reflect-metadata';
import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
// eslint-disable-next-line no-restricted-imports -- checks the console's rules against the server DTO itself
import * as server from '../../../libs/contacts/src/dto/outcome.dto';
import {
  blankDraft,
  clearAllDrafts,
  clearDraft,
  DraftStore,
  draftKey,
  dropDraftsOfOthers,
  isoWithOffset,
  loadDraft,
  OutcomeDraft,
  pruneDrafts,
  saveDraft,
  toOutcomeBody,
  validateOutcome,
} from './outcome';

/**
 * The console's outcome checks mirror the server's OutcomeDto: what one accepts, the other accepts. (The codes
 * themselves are one list, @kapok/contracts, so they need no test.)
 */

const NOW = new Date('2026-11-30T10:00:00+08:00');
/** Later than NOW and than the real clock (the server validates against the real one). */
const FUTURE = new Date(Math.max(Date.now(), NOW.getTime()) + 2 * 86_400_000).toISOString();

const valid = (patch: Partial<OutcomeDraft> = {}): OutcomeDraft => ({
  ...blankDraft(),
  serviceTypes: ['psychological_support', 'material_aid'],
  targetGroup: 'elderly',
  summary: '独居老人米油将尽，情绪低落。',
  riskAssessment: 'low',
  interventions: ['active_listening'],
  aidItems: [{ category: 'food', description: '大米 10kg', quantity: 2 }],
  problems: [{ category: 'basic_living', resolution: 'resolved' }],
  followUpEnabled: true,
  followUpDueAt: FUTURE,
  followUpNote: '确认送达',
  ...patch,
});

function serverErrors(body: unknown): string[] {
  const dto = plainToInstance(server.OutcomeDto, body);
  const flat = (e: any, prefix = ''): string[] => {
    const path = prefix ? `${prefix}.${e.property}` : e.property;
    return [...(e.constraints ? [path] : []), ...(e.children ?? []).flatMap((c: any) => flat(c, path))];
  };
  return validateSync(dto as object, { whitelist: true, forbidNonWhitelisted: true }).flatMap((e) => flat(e));
}

class MemoryStore implements DraftStore {
  private readonly map = new Map<string, string>();
  getItem(k: string) {
    return this.map.get(k) ?? null;
  }
  setItem(k: string, v: string) {
    this.map.set(k, v);
  }
  removeItem(k: string) {
    this.map.delete(k);
  }
  key(i: number) {
    return [...this.map.keys()][i] ?? null;
  }
  get length() {
    return this.map.size;
  }
}

describe('console outcome form rules', () => {
  it('accepts a complete record, and the body it sends passes the server validation', () => {
    const d = valid();
    expect(validateOutcome(d, NOW)).toEqual({});
    const body = toOutcomeBody(d) as any;
    expect(serverErrors(body)).toEqual([]);
    expect(body).toMatchObject({
      serviceTypes: ['psychological_support', 'material_aid'],
      psychological: { riskAssessment: 'low', interventions: ['active_listening'] },
      materialAid: { items: [{ category: 'food', description: '大米 10kg', quantity: 2 }] },
      followUp: { note: '确认送达' },
    });
    expect(new Date(body.followUp.dueAt).getTime()).toBe(Math.floor(new Date(FUTURE).getTime() / 1000) * 1000);
    expect(body.followUp.dueAt).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}[+-]\d{2}:\d{2}$/);
  });

  it('leaves out the blocks of service types not selected (the server would validate them)', () => {
    const d = valid({ serviceTypes: ['emotional_support'], followUpEnabled: false });
    expect(validateOutcome(d, NOW)).toEqual({});
    const body = toOutcomeBody(d);
    expect(body).not.toHaveProperty('psychological');
    expect(body).not.toHaveProperty('materialAid');
    expect(body).not.toHaveProperty('followUp');
    expect(serverErrors(body)).toEqual([]);
  });

  it.each([
    ['no service type', { serviceTypes: [] }, 'serviceTypes', 'serviceTypes'],
    ['no target group', { targetGroup: '' }, 'targetGroup', 'targetGroup'],
    ['an empty summary', { summary: '' }, 'summary', 'summary'],
    ['a summary over 10000 characters', { summary: '字'.repeat(10001) }, 'summary', 'summary'],
    [
      'psychological support without a risk assessment',
      { riskAssessment: '' },
      'riskAssessment',
      'psychological.riskAssessment',
    ],
    [
      'more than 20 interventions',
      { interventions: Array.from({ length: 21 }, (_, i) => `i${i}`) },
      'interventions',
      'psychological.interventions',
    ],
    ['material aid without items', { aidItems: [] }, 'aidItems', 'materialAid.items'],
    [
      'an aid item without category',
      { aidItems: [{ category: '', description: '米', quantity: 1 }] },
      'aidItems.0.category',
      'materialAid.items.0.category',
    ],
    [
      'an aid item without description',
      { aidItems: [{ category: 'food', description: '', quantity: 1 }] },
      'aidItems.0.description',
      'materialAid.items.0.description',
    ],
    [
      'a zero quantity',
      { aidItems: [{ category: 'food', description: '米', quantity: 0 }] },
      'aidItems.0.quantity',
      'materialAid.items.0.quantity',
    ],
    [
      'a quantity over a million',
      { aidItems: [{ category: 'food', description: '米', quantity: 1_000_001 }] },
      'aidItems.0.quantity',
      'materialAid.items.0.quantity',
    ],
    [
      'a problem without category',
      { problems: [{ category: '', resolution: 'resolved' }] },
      'problems.0.category',
      'problems.0.category',
    ],
    [
      'a problem without resolution',
      { problems: [{ category: 'x', resolution: '' }] },
      'problems.0.resolution',
      'problems.0.resolution',
    ],
    ['a follow-up note over 2000 characters', { followUpNote: 'x'.repeat(2001) }, 'followUpNote', 'followUp.note'],
  ] as [string, Partial<OutcomeDraft>, string, string][])(
    'refuses %s, as the server does',
    (_what, patch, field, serverField) => {
      const d = valid(patch);
      expect(Object.keys(validateOutcome(d, NOW))).toContain(field);
      // The same mistake sent anyway is refused by the server, naming the same field.
      const body = toOutcomeBody(d) as any;
      if (patch.riskAssessment === '') body.psychological.riskAssessment = undefined;
      expect(
        serverErrors(body).some(
          (p) => p === serverField || p.startsWith(`${serverField}.`) || serverField.startsWith(p),
        ),
      ).toBe(true);
    },
  );

  it('wants a follow-up time in the future', () => {
    expect(validateOutcome(valid({ followUpDueAt: '' }), NOW).followUpDueAt).toBeDefined();
    expect(validateOutcome(valid({ followUpDueAt: '2026-11-30T09:59:00+08:00' }), NOW).followUpDueAt).toBe(
      '回访时间须晚于现在',
    );
    // The server refuses a time in the past too, against its Clock when it records the outcome (RecordOutcome; see
    // test/e2e/routing-rules.test.ts): its DTO only checks that it is a date-time.
    expect(validateOutcome(valid({ followUpEnabled: false, followUpDueAt: '' }), NOW)).toEqual({});
  });

  it('formats times with the offset', () => {
    expect(isoWithOffset(new Date('2026-12-02T02:00:00Z'))).toMatch(/^2026-12-0[12]T\d{2}:00:00[+-]\d{2}:\d{2}$/);
  });
});

describe('console outcome drafts', () => {
  it('keeps a draft per operator and contact until it is cleared', () => {
    const store = new MemoryStore();
    expect(loadDraft(store, 'u1', 'c1')).toBeNull();
    saveDraft(store, 'u1', 'c1', valid({ summary: '写了一半' }), NOW);
    expect(loadDraft(store, 'u1', 'c1')!.draft.summary).toBe('写了一半');
    expect(loadDraft(store, 'u1', 'c2')).toBeNull();
    expect(loadDraft(store, 'u2', 'c1')).toBeNull();
    clearDraft(store, 'u1', 'c1');
    expect(loadDraft(store, 'u1', 'c1')).toBeNull();
  });

  it('reads an older or damaged draft without failing', () => {
    const store = new MemoryStore();
    store.setItem(draftKey('u1', 'c1'), JSON.stringify({ draft: { summary: '旧版草稿' }, savedAt: NOW.toISOString() }));
    expect(loadDraft(store, 'u1', 'c1')!.draft).toEqual({ ...blankDraft(), summary: '旧版草稿' });
    store.setItem(draftKey('u1', 'c2'), '{not json');
    expect(loadDraft(store, 'u1', 'c2')).toBeNull();
  });

  it('drops drafts untouched for 12 hours, and nothing else', () => {
    const store = new MemoryStore();
    saveDraft(store, 'u1', 'old', valid(), new Date(NOW.getTime() - 12 * 3_600_000 - 1000));
    saveDraft(store, 'u1', 'new', valid(), new Date(NOW.getTime() - 11 * 3_600_000));
    store.setItem('kapok.session', '{}');
    pruneDrafts(store, NOW);
    expect(loadDraft(store, 'u1', 'old')).toBeNull();
    expect(loadDraft(store, 'u1', 'new')).not.toBeNull();
    expect(store.getItem('kapok.session')).toBe('{}');
  });

  it('clears every draft at sign-out, and the drafts of others when someone signs in', () => {
    const store = new MemoryStore();
    const u1 = '11111111-1111-4111-8111-111111111111';
    const u2 = '22222222-2222-4222-8222-222222222222';
    saveDraft(store, u1, 'c1', valid({ summary: '一号的草稿' }), NOW);
    saveDraft(store, u1, 'c2', valid(), NOW);
    saveDraft(store, u2, 'c3', valid({ summary: '二号的草稿' }), NOW);
    store.setItem('kapok.other', 'x');
    dropDraftsOfOthers(store, u2);
    expect(loadDraft(store, u1, 'c1')).toBeNull();
    expect(loadDraft(store, u1, 'c2')).toBeNull();
    expect(loadDraft(store, u2, 'c3')!.draft.summary).toBe('二号的草稿');
    saveDraft(store, u1, 'c1', valid(), NOW);
    clearAllDrafts(store);
    expect(store.length).toBe(1);
    expect(store.getItem('kapok.other')).toBe('x');
  });
});
