// Figures read from a service's own Prometheus registry, as an operator's scrape would see them.
import type { Registry } from '@switchboard/runtime';

/** The sum of every series of a counter or gauge (all label sets); 0 when it was never set. */
export async function metricSum(registry: Registry, name: string): Promise<number> {
  const metric = await registry.getSingleMetricAsString(name).catch(() => '');
  return metric
    .split('\n')
    .filter((line) => line.startsWith(name) && !line.startsWith('#'))
    .reduce((sum, line) => sum + Number(line.split(' ').at(-1)), 0);
}

export interface Sample {
  atMs: number;
  value: number;
}

/** Samples a metric every `everyMs` until stopped: how the owner's own counters move over time. */
export class MetricSampler {
  readonly samples: Sample[] = [];
  readonly #timer: NodeJS.Timeout;

  constructor(registry: Registry, name: string, everyMs: number) {
    let busy = false;
    this.#timer = setInterval(() => {
      if (busy) return;
      busy = true;
      const atMs = performance.now();
      void metricSum(registry, name).then((value) => this.samples.push({ atMs, value })).finally(() => { busy = false; });
    }, everyMs);
  }

  stop(): Sample[] {
    clearInterval(this.#timer);
    return this.samples;
  }
}

/**
 * The rate over the span where the counter moved: from the last sample still at its starting
 * value to the first one at its final value (so idle time before and after is not counted),
 * and the highest rate over any `windowMs` of that span.
 */
export function rateOf(samples: Sample[], windowMs: number): { total: number; spanMs: number; perSecond: number; peakPerSecond: number } {
  if (samples.length < 2) return { total: 0, spanMs: 0, perSecond: 0, peakPerSecond: 0 };
  const first = samples[0]!.value;
  const last = samples.at(-1)!.value;
  const startIndex = Math.max(0, samples.findIndex((s) => s.value > first) - 1);
  const end = samples.find((s) => s.value >= last)!;
  const spanMs = end.atMs - samples[startIndex]!.atMs;
  let peak = 0;
  for (let i = startIndex, j = startIndex; i < samples.length; i++) {
    while (samples[i]!.atMs - samples[j]!.atMs > windowMs) j += 1;
    const dt = samples[i]!.atMs - samples[j]!.atMs;
    if (dt >= windowMs / 2) peak = Math.max(peak, ((samples[i]!.value - samples[j]!.value) * 1000) / dt);
  }
  return { total: last - first, spanMs, perSecond: spanMs > 0 ? ((last - first) * 1000) / spanMs : 0, peakPerSecond: peak };
}
