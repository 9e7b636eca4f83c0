/**
 * The ring of an offered contact: a two-tone beep through WebAudio, repeated until stopped. Browsers only allow
 * audio after a user gesture, so `unlock()` is called from clicks (sign-in, going on duty).
 */
let ctx: AudioContext | null = null;
let timer: ReturnType<typeof setInterval> | null = null;

export function unlockAudio(): void {
  try {
    ctx ??= new AudioContext();
    if (ctx.state === 'suspended') void ctx.resume();
  } catch {
    ctx = null;
  }
}

function beep(freq: number, at: number, length: number): void {
  if (!ctx) return;
  const osc = ctx.createOscillator();
  const gain = ctx.createGain();
  osc.type = 'sine';
  osc.frequency.value = freq;
  gain.gain.setValueAtTime(0.0001, at);
  gain.gain.exponentialRampToValueAtTime(0.25, at + 0.02);
  gain.gain.exponentialRampToValueAtTime(0.0001, at + length);
  osc.connect(gain).connect(ctx.destination);
  osc.start(at);
  osc.stop(at + length + 0.05);
}

function ringOnce(): void {
  if (!ctx) return;
  const t = ctx.currentTime + 0.01;
  beep(880, t, 0.35);
  beep(660, t + 0.4, 0.35);
  beep(880, t + 0.8, 0.35);
}

export function startRinging(): void {
  if (timer) return;
  unlockAudio();
  ringOnce();
  timer = setInterval(ringOnce, 2000);
  // Visible to tests and assistive tools: the page is ringing, and whether sound can play.
  document.body.dataset.ringing = ctx?.state === 'running' ? 'sound' : 'silent';
}

export function stopRinging(): void {
  if (timer) clearInterval(timer);
  timer = null;
  delete document.body.dataset.ringing;
}
