import { audioNow, audioRunning, tone, unlockAudio } from './audio';

/**
 * The sound of a risk alert: a short two-tone chime (high, low, twice), unlike the ring of an offered contact
 * (ringer.ts). Silent until the browser allows audio (audio.ts).
 */
export { unlockAudio as unlockAlertSound };

/**
 * Plays the chime once. Says whether it could be heard: `sound` (played), `silent` (the browser does not allow audio
 * yet, or has none).
 */
export function playAlertChime(): 'sound' | 'silent' {
  unlockAudio();
  try {
    const now = audioNow();
    if (now === undefined || !audioRunning()) return 'silent';
    const t = now + 0.01;
    for (const [freq, at] of [
      [1046, 0],
      [784, 0.22],
      [1046, 0.5],
      [784, 0.72],
    ]) {
      tone(freq, t + at, 0.18, 'triangle', 0.3);
    }
    return 'sound';
  } catch {
    return 'silent';
  }
}
