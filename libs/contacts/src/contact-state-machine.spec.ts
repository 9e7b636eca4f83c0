import { ACCEPTED_STATUSES, CONTACT_STATUSES, ContactTransitions, canTransition } from './contact-state-machine';

describe('contact state machine', () => {
  it('follows the life in domain.md', () => {
    expect(canTransition('offer', 'queued')).toBe(true);
    expect(canTransition('accept', 'offered')).toBe(true);
    expect(canTransition('end', 'active')).toBe(true);
    expect(canTransition('complete', 'wrap_up')).toBe(true);
    expect(canTransition('complete', 'active')).toBe(true);
  });
  it('never leaves a final state', () => {
    for (const t of Object.values(ContactTransitions)) {
      expect(t.from).not.toContain('completed');
      expect(t.from).not.toContain('abandoned');
    }
  });
  it('does not let an answered contact be abandoned', () => {
    expect(canTransition('abandon', 'active')).toBe(false);
    expect(canTransition('abandon', 'wrap_up')).toBe(false);
  });
  it('every target is a known status', () => {
    for (const t of Object.values(ContactTransitions)) expect(CONTACT_STATUSES).toContain(t.to);
  });
  it('counts a contact as accepted from accept on, never while queued, ringing or abandoned', () => {
    for (const t of [ContactTransitions.accept, ContactTransitions.end, ContactTransitions.complete]) {
      expect(ACCEPTED_STATUSES).toContain(t.to);
    }
    for (const s of ['queued', 'offered', 'abandoned'] as const) expect(ACCEPTED_STATUSES).not.toContain(s);
  });
});
