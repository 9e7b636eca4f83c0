/** Reading Prometheus text (what /metrics answers) in tests. */

export type Samples = Map<string, number>;

const key = (name: string, labels: Record<string, string> = {}) =>
  `${name}{${Object.keys(labels)
    .sort()
    .map((k) => `${k}="${labels[k]}"`)
    .join(',')}}`;

/** Every sample of the text, by name and labels (label order does not matter). */
export function parseSamples(text: string): Samples {
  const samples: Samples = new Map();
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)$/.exec(line);
    if (!m) throw new Error(`not a Prometheus sample line: ${line}`);
    const labels: Record<string, string> = {};
    for (const l of (m[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) labels[l[1]] = l[2];
    samples.set(key(m[1], labels), Number(m[3]));
  }
  return samples;
}

/** The sample's value (undefined when the series is not there). */
export const sample = (s: Samples, name: string, labels?: Record<string, string>): number | undefined =>
  s.get(key(name, labels));

/** The metric families the text declares, with their types (`# TYPE name type`). */
export function metricTypes(text: string): Map<string, string> {
  const types = new Map<string, string>();
  for (const m of text.matchAll(/^# TYPE (\S+) (\S+)$/gm)) types.set(m[1], m[2]);
  return types;
}

/** Polls fn until it answers true (or throws after timeoutMs, with the last answer of describe). */
export async function until(fn: () => Promise<boolean>, timeoutMs = 15_000, describe?: () => string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await fn()) return;
    if (Date.now() > deadline) throw new Error(`not within ${timeoutMs} ms${describe ? `: ${describe()}` : ''}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
