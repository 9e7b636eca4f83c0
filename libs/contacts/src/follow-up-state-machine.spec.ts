import {
  FOLLOW_UP_STATUSES,
  FollowUpStatus,
  FollowUpTransitions,
  OPEN_FOLLOW_UP_STATUSES,
  canFollowUpTransition,
} from './follow-up-state-machine';

describe('follow-up state machine', () => {
  it('goes scheduled → contact_created → done', () => {
    expect(canFollowUpTransition('createContact', 'scheduled')).toBe(true);
    expect(canFollowUpTransition('complete', 'contact_created')).toBe(true);
  });
  it('can be completed before it is due (the caller called back first)', () => {
    expect(canFollowUpTransition('complete', 'scheduled')).toBe(true);
  });
  it('creates its outbound contact once, and only when due', () => {
    expect(canFollowUpTransition('createContact', 'contact_created')).toBe(false);
    expect(canFollowUpTransition('createContact', 'done')).toBe(false);
    expect(FollowUpTransitions.createContact.when).toMatch(/due_at <= \$3::timestamptz/); // $3: now, from the Clock
  });
  it('is done once: nothing leaves done or cancelled', () => {
    for (const final of ['done', 'cancelled'] as FollowUpStatus[]) {
      for (const name of Object.keys(FollowUpTransitions) as (keyof typeof FollowUpTransitions)[]) {
        expect(canFollowUpTransition(name, final)).toBe(false);
      }
    }
  });
  it('completes exactly the open follow-ups', () => {
    for (const s of FOLLOW_UP_STATUSES) {
      expect(canFollowUpTransition('complete', s)).toBe((OPEN_FOLLOW_UP_STATUSES as readonly string[]).includes(s));
    }
  });
  it('only goes to known states', () => {
    for (const t of Object.values(FollowUpTransitions)) expect(FOLLOW_UP_STATUSES).toContain(t.to);
  });
});
