import { createContext, useContext } from 'react';
import { forgetLegacySession, loadSession, revokeToken, saveSession, type Session, tokenExpiresAt } from './api';
import { clearAllDrafts, dropDraftsOfOthers, pruneDrafts } from './outcome';

export interface SessionContextValue {
  session: Session;
  signOut(reason?: string): void;
}

export const SessionContext = createContext<SessionContextValue | null>(null);

export function useSession(): SessionContextValue {
  const v = useContext(SessionContext);
  if (!v) throw new Error('useSession outside a signed-in page');
  return v;
}

/*
 * What a browser keeps of a sign-in, on a workstation shared around the clock:
 * - the token, in sessionStorage (this tab only, gone when it closes; see api.ts), revoked on the server at sign-out;
 * - outcome drafts (summary, psychological risk …), in localStorage so a crash or a closed tab loses nothing, but
 *   only as long as needed: removed when the record reaches the server, all of them at sign-out, those of anyone
 *   else when someone signs in, and any untouched for 12 hours (outcome.ts).
 */

/** At page load: the session of this tab, if any, after clearing what an older console or a past shift left. */
export function restoreSession(): Session | null {
  forgetLegacySession();
  const session = loadSession();
  tidyDrafts(session?.user.id ?? null);
  return session;
}

/** A person signed in on this tab. */
export function beginSession(session: Session): void {
  saveSession(session);
  tidyDrafts(session.user.id);
}

/**
 * Signs this tab out: the session is revoked on the server and every draft leaves the browser. Only a token that
 * simply ran out (its `exp` passed) keeps its owner's drafts, so the person can sign in again and finish the record;
 * the next person to sign in here removes them.
 */
export function endSession(): void {
  const session = loadSession();
  saveSession(null);
  if (!session) return;
  const expiresAt = tokenExpiresAt(session.token);
  const expired = expiresAt !== null && expiresAt <= Date.now();
  if (expired) return;
  void revokeToken(session.token);
  withDrafts(clearAllDrafts);
}

function tidyDrafts(userId: string | null): void {
  withDrafts((store) => {
    pruneDrafts(store);
    if (userId) dropDraftsOfOthers(store, userId);
  });
}

function withDrafts(fn: (store: Storage) => void): void {
  try {
    fn(localStorage);
  } catch {
    /* storage disabled: drafts live in memory only */
  }
}
