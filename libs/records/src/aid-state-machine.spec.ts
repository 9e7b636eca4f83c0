import { AID_STATUSES, AidTransitions, canAidTransition, canChangeAidItems } from './aid-state-machine';

describe('material-aid state machine', () => {
  it('goes requested → arranged → delivered', () => {
    expect(canAidTransition('arrange', 'requested')).toBe(true);
    expect(canAidTransition('deliver', 'arranged')).toBe(true);
  });
  it('does not deliver what was never arranged, nor arrange twice', () => {
    expect(canAidTransition('deliver', 'requested')).toBe(false);
    expect(canAidTransition('arrange', 'arranged')).toBe(false);
  });
  it('cancels only what is not delivered yet', () => {
    expect(canAidTransition('cancel', 'requested')).toBe(true);
    expect(canAidTransition('cancel', 'arranged')).toBe(true);
    expect(canAidTransition('cancel', 'delivered')).toBe(false);
  });
  it('never leaves delivered or cancelled, and only goes to known states', () => {
    for (const t of Object.values(AidTransitions)) {
      expect(t.from).not.toContain('delivered');
      expect(t.from).not.toContain('cancelled');
      expect(AID_STATUSES).toContain(t.to);
    }
  });
  it('lets an amendment change the items only while requested', () => {
    expect(canChangeAidItems('requested')).toBe(true);
    for (const s of ['arranged', 'delivered', 'cancelled'] as const) expect(canChangeAidItems(s)).toBe(false);
  });
});
