/**
 * The canary analysis: its definition (carried in the synthesized manifests by a ConfigMap, so
 * `cdk8s-istio canary status` needs only the manifests and Prometheus), the PromQL it runs, and the
 * verdict rule (promote / hold / rollback). One place for all three: the CLI, the report and the Argo
 * Rollouts / Flagger exports read the definition this file writes. Internal.
 */
import { _ServiceQueries, _promNumber } from './_promql';

/** The label the ConfigMap carrying a canary's analysis definition has (value: the format version). @internal */
export const ANALYSIS_LABEL = 'cdk8s-istio.dev/canary-analysis';
/** The ConfigMap key holding the definition (JSON). @internal */
export const ANALYSIS_KEY = 'analysis.json';

/** How the metrics tell the versions apart (one function decides: `_versionQueries`). @internal */
export type _VersionLabels = 'version-label' | 'per-version-services';

/** The PromQL of one version. @internal */
export interface _VersionQueries {
  /** requests over the window (a count) */
  readonly requests: string;
  /** share of non-5xx responses over the window, 0..1 */
  readonly successRate: string;
  /** the latency quantile over the window, ms */
  readonly latency: string;
  /** share of non-5xx responses over each interval (range query) */
  readonly successRateByInterval: string;
  /** the latency quantile over each interval (range query) */
  readonly latencyByInterval: string;
}

/** A canary's analysis definition, as the ConfigMap carries it (JSON). @internal */
export interface _AnalysisDefinition {
  readonly apiVersion: 'cdk8s-istio.dev/v1';
  readonly kind: 'CanaryAnalysis';
  readonly service: string;
  readonly namespace: string;
  readonly stableVersion: string;
  readonly canaryVersion: string;
  readonly canaryWeight: number;
  readonly steps?: number[];
  readonly step?: number;
  readonly stateFile?: string;
  readonly reporter: string;
  readonly versionLabels: _VersionLabels;
  /** success-rate objective, percent */
  readonly successRateSlo: number;
  /** the latency objective: `latencyPercent`% of requests faster than `latencyMs` */
  readonly latencyMs: number;
  readonly latencyPercent: number;
  readonly compareWithStable: boolean;
  /** percentage points */
  readonly maxSuccessRateDrop: number;
  readonly maxLatencyRatio: number;
  readonly minRequests: number;
  /** Prometheus durations ("10m", "1m") and the same in seconds */
  readonly window: string;
  readonly windowSeconds: number;
  readonly interval: string;
  readonly intervalSeconds: number;
  readonly maxFailedChecks: number;
  readonly queries: { readonly canary: _VersionQueries; readonly stable: _VersionQueries };
}

/** The queries of one version: the Service's with `destination_version`, or the version's own Service. @internal */
export function _versionQueries(service: string, namespace: string, version: string, reporter: string, labels: _VersionLabels,
  extra: { [label: string]: string }, window: string, interval: string, latencyPercent: number,
  versionedName: (s: string, v: string) => string): _VersionQueries {
  const [q, v] = labels === 'per-version-services'
    ? [new _ServiceQueries(versionedName(service, version), namespace, reporter, extra), undefined]
    : [new _ServiceQueries(service, namespace, reporter, extra), version];
  const quantile = latencyPercent / 100;
  return {
    requests: `sum(increase(istio_requests_total${q.selector(v)}[${window}]))`,
    successRate: q.successRatio(window, v),
    latency: q.latencyQuantile(quantile, window, v),
    successRateByInterval: q.successRatio(interval, v),
    latencyByInterval: q.latencyQuantile(quantile, interval, v),
  };
}

/** One number of the evidence (undefined: no data, or NaN). @internal */
export type _Sample = number | undefined;

/** What Prometheus returned for one canary, at the evaluation time. @internal */
export interface _Evidence {
  readonly canary: { requests: _Sample; successRate: _Sample; latency: _Sample };
  readonly stable: { requests: _Sample; successRate: _Sample; latency: _Sample };
  /** the interval checks: one point per interval over the window, oldest first */
  readonly series: {
    readonly times: number[];
    readonly canarySuccessRate: _Sample[];
    readonly stableSuccessRate: _Sample[];
    readonly canaryLatency: _Sample[];
    readonly stableLatency: _Sample[];
  };
}

/** The decision for one canary. @internal */
export type _VerdictKind = 'promote' | 'hold' | 'rollback';

/** A verdict with its reasons. @internal */
export interface _Verdict {
  readonly verdict: _VerdictKind;
  /** why, one sentence each (the first is the deciding one) */
  readonly reasons: string[];
  readonly failedChecks: number;
  readonly checks: number;
  readonly missingChecks: number;
}

/** `n` as a percentage with up to 3 decimals. */
function pct(n: number): string {
  return `${_promNumber(Number((n * 100).toFixed(3)))}%`;
}

/** `n` milliseconds with up to 1 decimal. */
function ms(n: number): string {
  return `${_promNumber(Number(n.toFixed(1)))}ms`;
}

/** Why one set of numbers fails the definition (empty: passes; undefined: no canary data). */
function failures(d: _AnalysisDefinition, c: { s: _Sample; l: _Sample }, s: { s: _Sample; l: _Sample }): string[] | undefined {
  if (c.s === undefined) return undefined;
  const out: string[] = [];
  if (c.s < d.successRateSlo / 100) out.push(`success rate ${pct(c.s)} is below the ${d.successRateSlo}% objective`);
  if (d.compareWithStable && s.s !== undefined && c.s < s.s - d.maxSuccessRateDrop / 100) {
    out.push(`success rate ${pct(c.s)} is more than ${d.maxSuccessRateDrop} points below stable's ${pct(s.s)}`);
  }
  if (c.l !== undefined && c.l > d.latencyMs) out.push(`p${d.latencyPercent} ${ms(c.l)} is above the ${d.latencyMs}ms objective`);
  if (d.compareWithStable && c.l !== undefined && s.l !== undefined && c.l > d.maxLatencyRatio * s.l) {
    out.push(`p${d.latencyPercent} ${ms(c.l)} is more than ${d.maxLatencyRatio}x stable's ${ms(s.l)}`);
  }
  return out;
}

/**
 * The verdict: too little traffic or missing data hold; more failed interval checks than allowed roll
 * back; a window that misses an objective holds; otherwise promote. Never promotes without data.
 * @internal
 */
export function _verdict(d: _AnalysisDefinition, e: _Evidence): _Verdict {
  const checks = e.series.times.length;
  let failed = 0;
  let missing = 0;
  const firstFailures: string[] = [];
  for (let i = 0; i < checks; i++) {
    const s = e.series;
    const f = failures(d, { s: s.canarySuccessRate[i], l: s.canaryLatency[i] }, { s: s.stableSuccessRate[i], l: s.stableLatency[i] });
    if (f === undefined) {missing++;} else if (f.length > 0) {
      failed++;
      if (firstFailures.length === 0) firstFailures.push(...f);
    }
  }
  const base = { failedChecks: failed, checks, missingChecks: missing };
  const requests = e.canary.requests ?? 0;
  if (requests < d.minRequests) {
    return { ...base, verdict: 'hold', reasons: [`too little traffic: ${_promNumber(Math.round(requests))} canary requests in ${d.window}, the analysis needs at least ${d.minRequests}`] };
  }
  if (failed > d.maxFailedChecks) {
    return { ...base, verdict: 'rollback', reasons: [`${failed} of ${checks} checks (every ${d.interval}) failed, more than the ${d.maxFailedChecks} allowed`, ...firstFailures] };
  }
  if (checks === 0 || missing > 0) {
    return { ...base, verdict: 'hold', reasons: [`missing data: ${checks === 0 ? 'no' : missing} of ${checks} checks had no canary success rate`] };
  }
  if (d.compareWithStable && (e.stable.successRate === undefined || e.stable.latency === undefined)) {
    return { ...base, verdict: 'hold', reasons: [`missing data: no stable ${e.stable.successRate === undefined ? 'success rate' : 'latency'} over ${d.window} to compare with`] };
  }
  const windowFailures = failures(d, { s: e.canary.successRate, l: e.canary.latency }, { s: e.stable.successRate, l: e.stable.latency });
  if (windowFailures === undefined || e.canary.latency === undefined) {
    return { ...base, verdict: 'hold', reasons: [`missing data: no canary ${windowFailures === undefined ? 'success rate' : 'latency'} over ${d.window}`] };
  }
  if (windowFailures.length > 0) {
    return { ...base, verdict: 'hold', reasons: [`over the whole ${d.window} window: ${windowFailures.join('; ')}`] };
  }
  return { ...base, verdict: 'promote', reasons: [`${checks - failed} of ${checks} checks passed (${failed} failed, ${d.maxFailedChecks} allowed); the ${d.window} window meets every objective`] };
}
