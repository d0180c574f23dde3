/**
 * PromQL building blocks shared by alerts, recording rules and dashboards. Internal: every query the
 * library emits is built here, so escaping and label choices live in one place.
 */
import { Duration } from 'cdk8s';
import { _invalid } from '../_utils';

/** @internal */
export const REQUESTS = 'istio_requests_total';
/** @internal */
export const DURATION_BUCKET = 'istio_request_duration_milliseconds_bucket';
/** @internal */
export const DURATION_COUNT = 'istio_request_duration_milliseconds_count';

/**
 * Bucket boundaries (ms) of `istio_request_duration_milliseconds` in Istio's default configuration.
 * @internal
 */
export const ISTIO_LATENCY_BUCKETS_MS = [0.5, 1, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000, 30000, 60000];

/**
 * A PromQL double-quoted string literal. Backslashes and quotes are escaped; control characters
 * (newlines, tabs, ...) are rejected: no Kubernetes name or label contains them, so they are a mistake.
 * @internal
 */
export function _promString(prop: string, value: string): string {
  if (typeof value !== 'string') {
    throw _invalid(prop, value, 'a label value must be a string', 'give a string');
  }
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(value)) {
    throw _invalid(prop, value, 'label values with control characters (newlines, tabs) would break the PromQL query they are matched in',
      'remove the control characters');
  }
  return `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

/** @internal */
export function _promLabelName(prop: string, name: string): string {
  if (!/^[a-zA-Z_][a-zA-Z0-9_]*$/.test(name ?? '')) {
    throw _invalid(prop, name, 'it is not a Prometheus label name', 'use letters, digits and "_", not starting with a digit (e.g. "cluster")');
  }
  return name;
}

/**
 * A Prometheus duration ("5m", "1h", "30s", "1d") for rule windows and `for`.
 * @internal
 */
export function _promDuration(prop: string, d: Duration): string {
  const ms = d.toMilliseconds({ integral: false });
  if (!Number.isFinite(ms) || ms <= 0 || ms % 1000 !== 0) {
    throw _invalid(prop, d.toHumanString(), 'Prometheus range windows here are whole, positive numbers of seconds',
      'use e.g. Duration.minutes(5) or Duration.hours(1)');
  }
  const s = ms / 1000;
  for (const [unit, size] of [['d', 86400], ['h', 3600], ['m', 60]] as Array<[string, number]>) {
    if (s % size === 0) return `${s / size}${unit}`;
  }
  return `${s}s`;
}

/**
 * A number as a PromQL literal, without floating-point noise (0.072, not 0.07200000000000001).
 * @internal
 */
export function _promNumber(n: number): string {
  return String(Number(n.toPrecision(12)));
}

/**
 * The `le` matcher of a bucket boundary, matching both the classic ("250") and the Prometheus 3
 * normalised ("250.0") rendering.
 * @internal
 */
export function _leMatcher(ms: number): string {
  const s = String(ms);
  return Number.isInteger(ms) ? `le=~"${s}(\\\\.0)?"` : `le="${s}"`;
}

/**
 * Queries about one destination service (optionally one version of it).
 *
 * Versions are told apart by `destination_version` on the service, or, when `versionServices` names a
 * Service per version (Gateway API routing: the route's backends are `catalog-v1`, `catalog-v2`, and the
 * metrics name them as the destination service), by `destination_service_name`; the whole service is
 * then the main Service and its per-version ones.
 * @internal
 */
export class _ServiceQueries {
  private readonly head: string[];
  private readonly service: string;
  private readonly extra: string[] = [];

  constructor(serviceName: string, namespace: string, reporter: string, extra: { [label: string]: string } = {},
    private readonly versionServices?: { [version: string]: string }) {
    this.head = [
      `reporter=${_promString('reporter', reporter)}`,
      `destination_service_namespace=${_promString('namespace', namespace)}`,
    ];
    // fixed order (main, then the versions as given): dashboard templates fill these in by position
    this.service = versionServices
      ? `destination_service_name=~${_promString('serviceName', [serviceName, ...Object.values(versionServices)].join('|'))}`
      : `destination_service_name=${_promString('serviceName', serviceName)}`;
    for (const k of Object.keys(extra).sort()) {
      this.extra.push(`${_promLabelName('extraSelector key', k)}=${_promString(`extraSelector["${k}"]`, extra[k])}`);
    }
  }

  /** `{reporter=..., ...}` plus extra matchers (already rendered). */
  public selector(version?: string, ...more: string[]): string {
    const own = version !== undefined ? this.versionServices?.[version] : undefined;
    if (own !== undefined) return `{${[...this.head, `destination_service_name=${_promString('serviceName', own)}`, ...this.extra, ...more].join(',')}}`;
    const m = [...this.head, this.service, ...this.extra];
    if (version !== undefined) m.push(`destination_version=${_promString('version', version)}`);
    return `{${[...m, ...more].join(',')}}`;
  }

  public requestRate(window: string, version?: string, by?: string[]): string {
    return `${sumBy(by)}(rate(${REQUESTS}${this.selector(version)}[${window}]))`;
  }

  public errorRatio(window: string, version?: string, by?: string[]): string {
    return `(${sumBy(by)}(rate(${REQUESTS}${this.selector(version, 'response_code=~"5.."')}[${window}]))`
      + ` / ${sumBy(by)}(rate(${REQUESTS}${this.selector(version)}[${window}])))`;
  }

  public successRatio(window: string, version?: string, by?: string[]): string {
    return `(${sumBy(by)}(rate(${REQUESTS}${this.selector(version, 'response_code!~"5.."')}[${window}]))`
      + ` / ${sumBy(by)}(rate(${REQUESTS}${this.selector(version)}[${window}])))`;
  }

  /** Share of requests slower than `thresholdMs` (a bucket boundary). */
  public slowRatio(window: string, thresholdMs: number, version?: string, by?: string[]): string {
    return `(1 - (${sumBy(by)}(rate(${DURATION_BUCKET}${this.selector(version, _leMatcher(thresholdMs))}[${window}]))`
      + ` / ${sumBy(by)}(rate(${DURATION_COUNT}${this.selector(version)}[${window}]))))`;
  }

  public latencyQuantile(quantile: number, window: string, version?: string, by?: string[]): string {
    const labels = ['le', ...(by ?? [])].join(', ');
    return `histogram_quantile(${_promNumber(quantile)}, sum by (${labels}) (rate(${DURATION_BUCKET}${this.selector(version)}[${window}])))`;
  }
}

/** The labels alerts keep, so every alert names its service. @internal */
export const SERVICE_LABELS = ['destination_service_namespace', 'destination_service_name'];

function sumBy(by?: string[]): string {
  return by && by.length > 0 ? `sum by (${by.join(', ')}) ` : 'sum';
}
