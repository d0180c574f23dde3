// Synthetic Istio metrics for the tests against a real Prometheus: counters and duration histograms of
// a canary's two versions, as the sidecars (reporter="destination", destination_version) or the waypoint
// (reporter="waypoint", one Service per version) report them. Rendered as OpenMetrics (for
// `promtool tsdb create-blocks-from openmetrics`) or as promtool rule-test input series.

/** 2026-01-01T00:00:00Z: the first sample. */
export const T0 = 1767225600;
/** The scrape interval of the synthetic series (seconds). */
export const SCRAPE = 15;

/** Istio's default duration buckets (ms). */
const BUCKETS = [0.5, 1, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000, 30000, 60000];

/** One version's traffic: requests per second, share of 5xx, cumulative share of requests at or below each bucket bound. */
export interface VersionTraffic {
  readonly rps: number;
  readonly errorRatio: number;
  /** e.g. { 100: 0.98, 250: 1 }: 98% at most 100 ms, all at most 250 ms */
  readonly latency: { [le: number]: number };
  /** the traffic starts this many seconds after T0 (before: none) */
  readonly errorsFrom?: number;
}

/** A canary's (or a plain service's) series. */
export interface ServiceSeries {
  readonly service: string;
  readonly namespace: string;
  readonly dataPlane: 'sidecar' | 'waypoint';
  readonly versions: { [version: string]: VersionTraffic };
}

export const FAST = { 100: 0.98, 250: 1 };
export const SLOW = { 250: 0.5, 500: 1 };

/** The four canaries of the issue, plus one reported by a waypoint with per-version Services. */
export const CANARIES: ServiceSeries[] = [
  { service: 'healthy', namespace: 'shop', dataPlane: 'sidecar', versions: { v1: { rps: 20, errorRatio: 0.001, latency: FAST }, v2: { rps: 5, errorRatio: 0.001, latency: FAST } } },
  { service: 'erroring', namespace: 'shop', dataPlane: 'sidecar', versions: { v1: { rps: 20, errorRatio: 0.001, latency: FAST }, v2: { rps: 5, errorRatio: 0.05, latency: FAST } } },
  { service: 'slow', namespace: 'shop', dataPlane: 'sidecar', versions: { v1: { rps: 20, errorRatio: 0.001, latency: FAST }, v2: { rps: 5, errorRatio: 0.001, latency: SLOW } } },
  { service: 'quiet', namespace: 'shop', dataPlane: 'sidecar', versions: { v1: { rps: 20, errorRatio: 0.001, latency: FAST }, v2: { rps: 0.1, errorRatio: 0.001, latency: FAST } } },
  { service: 'ambient', namespace: 'shop', dataPlane: 'waypoint', versions: { v1: { rps: 20, errorRatio: 0.001, latency: FAST }, v2: { rps: 5, errorRatio: 0.001, latency: FAST } } },
];

function labelsOf(s: ServiceSeries, version: string): Array<[string, string]> {
  return s.dataPlane === 'sidecar'
    ? [['destination_service_name', s.service], ['destination_service_namespace', s.namespace], ['destination_version', version], ['reporter', 'destination']]
    : [['destination_service_name', `${s.service}-${version}`], ['destination_service_namespace', s.namespace], ['destination_version', 'unknown'], ['reporter', 'waypoint']];
}

function render(labels: Array<[string, string]>): string {
  return `{${labels.map(([k, v]) => `${k}="${v}"`).join(',')}}`;
}

function cumulative(latency: { [le: number]: number }, le: number): number {
  let share = 0;
  for (const [b, v] of Object.entries(latency)) if (Number(b) <= le) share = Math.max(share, v);
  return share;
}

/** One series: its name with labels, and its value at each elapsed second. */
interface Series { readonly name: string; readonly value: (elapsed: number) => number }

function seriesOf(s: ServiceSeries): { counters: Series[]; histogram: Series[] } {
  const counters: Series[] = [];
  const histogram: Series[] = [];
  for (const [version, t] of Object.entries(s.versions)) {
    const base = labelsOf(s, version);
    // 5xx from errorsFrom on (all requests succeed before)
    const errors = (e: number) => t.rps * t.errorRatio * Math.max(0, e - (t.errorsFrom ?? 0));
    counters.push({ name: `istio_requests_total${render([...base, ['response_code', '200']])}`, value: (e) => t.rps * e - errors(e) });
    counters.push({ name: `istio_requests_total${render([...base, ['response_code', '503']])}`, value: errors });
    for (const le of [...BUCKETS.map(String), '+Inf']) {
      const share = le === '+Inf' ? 1 : cumulative(t.latency, Number(le));
      histogram.push({ name: `istio_request_duration_milliseconds_bucket${render([...base, ['le', le]])}`, value: (e) => t.rps * e * share });
    }
    histogram.push({ name: `istio_request_duration_milliseconds_count${render(base)}`, value: (e) => t.rps * e });
    histogram.push({ name: `istio_request_duration_milliseconds_sum${render(base)}`, value: (e) => t.rps * e * 50 });
  }
  return { counters, histogram };
}

function num(n: number): string {
  return String(Number(n.toFixed(6)));
}

/** OpenMetrics text of `services` from T0 for `seconds`, one sample every SCRAPE seconds. */
export function openMetrics(services: ServiceSeries[], seconds: number): string {
  const all = services.map(seriesOf);
  const lines: string[] = ['# TYPE istio_requests counter'];
  const steps = Math.floor(seconds / SCRAPE);
  for (const { counters } of all) {
    for (const c of counters) for (let i = 0; i <= steps; i++) lines.push(`${c.name} ${num(c.value(i * SCRAPE))} ${T0 + i * SCRAPE}`);
  }
  lines.push('# TYPE istio_request_duration_milliseconds histogram');
  for (const { histogram } of all) {
    // a histogram's samples of one timestamp stay together (OpenMetrics metric points)
    const groups = new Map<string, Series[]>();
    for (const h of histogram) {
      const key = h.name.replace(/^[a-z_]+/, '').replace(/,le="[^"]*"/, '');
      if (!groups.has(key)) groups.set(key, []);
      groups.get(key)!.push(h);
    }
    for (const group of groups.values()) {
      for (let i = 0; i <= steps; i++) for (const h of group) lines.push(`${h.name} ${num(h.value(i * SCRAPE))} ${T0 + i * SCRAPE}`);
    }
  }
  lines.push('# EOF');
  return `${lines.join('\n')}\n`;
}

/** promtool rule-test input series (values every SCRAPE seconds from 0 for `seconds`). */
export function inputSeries(services: ServiceSeries[], seconds: number): Array<{ series: string; values: string }> {
  const steps = Math.floor(seconds / SCRAPE);
  const out: Array<{ series: string; values: string }> = [];
  for (const s of services) {
    const { counters, histogram } = seriesOf(s);
    for (const c of [...counters, ...histogram]) {
      out.push({ series: c.name, values: Array.from({ length: steps + 1 }, (_, i) => num(c.value(i * SCRAPE))).join(' ') });
    }
  }
  return out;
}
