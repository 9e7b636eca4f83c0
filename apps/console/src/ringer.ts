import { audioNow, audioRunning, tone, unlockAudio } from './audio';

/**
 * The ring of an offered contact: a two-tone beep, repeated until stopped. Silent until the browser allows audio
 * (audio.ts: `unlockAudio()` is called from clicks — sign-in, going on duty).
 */
export { unlockAudio };

let timer: ReturnType<typeof setInterval> | null = null;

function ringOnce(): void {
  const now = audioNow();
  if (now === undefined) return;
  const t = now + 0.01;
  tone(880, t, 0.35);
  tone(660, t + 0.4, 0.35);
  tone(880, t + 0.8, 0.35);
}

export function startRinging(): void {
  if (timer) return;
  unlockAudio();
  ringOnce();
  timer = setInterval(ringOnce, 2000);
  // Visible to tests and assistive tools: the page is ringing, and whether sound can play.
  document.body.dataset.ringing = audioRunning() ? 'sound' : 'silent';
}

export function stopRinging(): void {
  if (timer) clearInterval(timer);
  timer = null;
  delete document.body.dataset.ringing;
}
