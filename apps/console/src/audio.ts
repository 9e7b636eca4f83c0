/**
 * The console's sounds through the Web Audio API, on one audio context: the ring of an offered contact (ringer.ts)
 * and the chime of a risk alert (alert-sound.ts). Browsers allow audio only after the person has used the page:
 * `unlockAudio()` runs on their clicks and keys; until then, or where audio is refused, sounds are silent and nothing
 * fails.
 */
let ctx: AudioContext | null = null;

/** Creates (or resumes) the audio context; never throws. */
export function unlockAudio(): void {
  try {
    ctx ??= new AudioContext();
    if (ctx.state === 'suspended') ctx.resume().catch(() => undefined);
  } catch {
    ctx = null;
  }
}

/** Whether a sound played now would be heard. */
export const audioRunning = (): boolean => ctx?.state === 'running';

/** The audio context's clock (seconds), to schedule tones a little ahead; undefined without one. */
export const audioNow = (): number | undefined => (ctx ? ctx.currentTime : undefined);

/** One tone of `length` seconds at `at` (audio clock): a quick rise, then fading out. */
export function tone(freq: number, at: number, length: number, shape: OscillatorType = 'sine', volume = 0.25): void {
  if (!ctx) return;
  const osc = ctx.createOscillator();
  const gain = ctx.createGain();
  osc.type = shape;
  osc.frequency.value = freq;
  gain.gain.setValueAtTime(0.0001, at);
  gain.gain.exponentialRampToValueAtTime(volume, at + 0.02);
  gain.gain.exponentialRampToValueAtTime(0.0001, at + length);
  osc.connect(gain).connect(ctx.destination);
  osc.start(at);
  osc.stop(at + length + 0.05);
}
