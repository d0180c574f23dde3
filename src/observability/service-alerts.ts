import { ApiObject, ApiObjectMetadata, Duration } from 'cdk8s';
import { Construct } from 'constructs';
import { _flatString, _invalid, _validateLabels } from '../_utils';
import { IstioResource } from '../base';
import { _reporterFor } from './_data-plane';
import {
  ISTIO_LATENCY_BUCKETS_MS, SERVICE_LABELS, _ServiceQueries, _promDuration, _promLabelName, _promNumber, _promString,
} from './_promql';
import { IMonitoringTarget, MonitoringTargetConfig, _readTarget, _versionServices } from './monitoring-target';
import * as mon from '../imports/promop-monitoring.coreos.com';
import { _renderSharing } from '../validation/_render-share';

/**
 * Which proxy's view of a request the queries use.
 */
export enum MetricsReporter {
  /** The server-side sidecar (sidecar mode). */
  DESTINATION = 'destination',
  /** The waypoint proxy (ambient mode: L7 metrics come from waypoints). */
  WAYPOINT = 'waypoint',
  /** The client-side sidecar. */
  SOURCE = 'source',
}

/**
 * Options of one multi-window burn-rate alert.
 */
export interface BurnRateWindowOptions {
  /** The long window, e.g. 1 hour: the budget burned over it is significant. */
  readonly longWindow: Duration;
  /** The short window, e.g. 5 minutes: the burn is still going on (the alert resets quickly). */
  readonly shortWindow: Duration;
  /** The burn rate: how many times faster than "exactly on budget" the error budget is spent. */
  readonly burnRate: number;
  /**
   * The alert's `severity` label.
   *
   * @default "critical"
   */
  readonly severity?: string;
}

/**
 * A multi-window burn-rate alert window, as in the Google SRE workbook ("Alerting on SLOs").
 *
 * @see https://sre.google/workbook/alerting-on-slos/
 * @example
 * BurnRateWindow.of({ longWindow: Duration.hours(1), shortWindow: Duration.minutes(5), burnRate: 14.4 });
 */
export class BurnRateWindow {
  /** 2% of a 30-day budget in 1 hour (14.4x), checked over 1h and 5m: page. */
  public static readonly FAST: BurnRateWindow = BurnRateWindow.of({ longWindow: Duration.hours(1), shortWindow: Duration.minutes(5), burnRate: 14.4, severity: 'critical' });
  /** 5% of a 30-day budget in 6 hours (6x), checked over 6h and 30m. */
  public static readonly SLOW: BurnRateWindow = BurnRateWindow.of({ longWindow: Duration.hours(6), shortWindow: Duration.minutes(30), burnRate: 6, severity: 'warning' });

  /**
   * A window pair and burn rate: the alert fires when the error rate over both windows exceeds
   * `burnRate` times the error budget rate.
   *
   * @param options the long and short windows (short < long, whole Prometheus durations), the burn rate
   * (positive) and the `severity` label (default `critical`)
   */
  public static of(options: BurnRateWindowOptions): BurnRateWindow {
    const long = _promDuration('longWindow', options.longWindow);
    const short = _promDuration('shortWindow', options.shortWindow);
    if (options.shortWindow.toMilliseconds() >= options.longWindow.toMilliseconds()) {
      throw _invalid('shortWindow', short, `the short window must be shorter than the long window (${long})`, 'use e.g. 1/12 of the long window (5m for 1h)');
    }
    const r = options.burnRate;
    if (typeof r !== 'number' || !Number.isFinite(r) || r <= 0) {
      throw _invalid('burnRate', r, 'a burn rate is a positive number', 'use e.g. 14.4 (2% of a 30-day budget in 1 hour)');
    }
    const severity = options.severity ?? 'critical';
    _validateLabels('severity', { severity });
    return new BurnRateWindow(long, short, r, severity);
  }

  private constructor(
    /** The long window, in Prometheus form ("1h"). */
    public readonly longWindow: string,
    /** The short window, in Prometheus form ("5m"). */
    public readonly shortWindow: string,
    /** The burn rate. */
    public readonly burnRate: number,
    /** The `severity` label. */
    public readonly severity: string,
  ) {}
}

/**
 * Alert settings for one monitored service.
 */
export interface ServiceAlertsOptions {
  /**
   * The success-rate objective in percent, in (0, 100): the share of requests that must not fail with a 5xx.
   *
   * @default 99.9
   */
  readonly successRateSlo?: number;
  /**
   * The latency objective: `latencySloPercent`% of requests must be faster than this. Must be a bucket
   * boundary of `istio_request_duration_milliseconds` (Istio's defaults: 1, 5, 10, 25, 50, 100, 250, 500,
   * 1000, 2500, 5000, 10000, 30000, 60000 ms), so the share of slower requests is measured exactly.
   *
   * @default Duration.seconds(1)
   */
  readonly p99Latency?: Duration;
  /**
   * The share of requests, in (0, 100), that must be faster than `p99Latency`.
   *
   * @default 99
   */
  readonly latencySloPercent?: number;
  /**
   * Emit latency alerts at all.
   *
   * @default true
   */
  readonly latencyAlerts?: boolean;
  /**
   * Burn-rate windows, each giving one success-rate and one latency alert.
   *
   * @default [BurnRateWindow.FAST, BurnRateWindow.SLOW]
   */
  readonly burnRateWindows?: BurnRateWindow[];
  /**
   * Which proxy reports the metrics: `DESTINATION` for sidecars, `WAYPOINT` for ambient. When the app
   * defines the SecureNamespace of the service's namespace, it must agree with its data plane (a
   * contradiction is refused; an ambient namespace without a waypoint has no request metrics at all).
   *
   * @default - derived from the namespace's SecureNamespace (ambient with a waypoint: `WAYPOINT`), else
   * `MetricsReporter.DESTINATION`
   */
  readonly reporter?: MetricsReporter;
  /**
   * Extra label matchers added to every query, e.g. `{ cluster: 'prod-eu' }` (values are escaped).
   *
   * @default - none
   */
  readonly extraSelector?: { [label: string]: string };
  /**
   * Labels added to every alert (e.g. `team`).
   *
   * @default - none
   */
  readonly alertLabels?: { [key: string]: string };
  /**
   * Canary alert: fire when the canary's success rate is lower than stable's by more than this many
   * percentage points.
   *
   * @default 1
   */
  readonly canaryMaxSuccessRateDrop?: number;
  /**
   * Canary alert: fire when the canary's p99 latency exceeds stable's times this factor.
   *
   * @default 1.2
   */
  readonly canaryMaxLatencyRatio?: number;
  /**
   * The window canary and stable are compared over.
   *
   * @default Duration.minutes(5)
   */
  readonly canaryWindow?: Duration;
  /**
   * How long a canary must look worse before its alert fires.
   *
   * @default Duration.minutes(5)
   */
  readonly canaryFor?: Duration;
}

/**
 * Props of the alerts of one service.
 */
export interface ServiceAlertsProps extends ServiceAlertsOptions {
  /** The service (or canary) to alert on. */
  readonly target: IMonitoringTarget;
  /**
   * Metadata of the PrometheusRule.
   *
   * @default - name "<service>-alerts" in the service's namespace
   */
  readonly metadata?: ApiObjectMetadata;
}

/**
 * A PrometheusRule (prometheus-operator `monitoring.coreos.com/v1`) with SLO alerts for one service:
 * multi-window burn-rate alerts on the success rate and on latency and, for a canary, alerts that
 * compare the canary with stable by `destination_version` (so "is the canary healthy?" is an alert).
 *
 * @example
 * new ServiceAlerts(chart, 'catalog-alerts', {
 *   target: MonitoringTarget.inNamespace('shop', 'catalog'),
 *   successRateSlo: 99.5,
 *   p99Latency: Duration.millis(250),
 * });
 */
export class ServiceAlerts extends Construct {
  /** The PrometheusRule (escape hatch: `ApiObject.of(alerts)`). */
  public readonly apiObject: ApiObject;

  /**
   * Defines the PrometheusRule (`<service>-alerts` in the service's namespace) with the service's alert
   * groups, rendered now from `props`.
   *
   * @param scope the parent construct (usually a Chart)
   * @param id the construct id, unique within `scope`
   * @param props the service or canary (`target`), SLOs (`successRateSlo` default 99.9, `p99Latency`
   * default 1 s), burn-rate windows, canary thresholds, extra labels and the PrometheusRule's metadata
   */
  constructor(scope: Construct, id: string, props: ServiceAlertsProps) {
    super(scope, id);
    IstioResource._validateMetadata(props.metadata);
    const target = _readTarget('target', props.target);
    const reporter = _reporterFor(this, target.serviceName, target.namespace, props.reporter);
    const ruleGroups = _serviceRuleGroups(target, { ...props, reporter });
    // the rule groups are already in Prometheus JSON: rendered as they are (sorted keys), without the
    // generated per-field converter
    this.apiObject = new (_renderSharing(mon.PrometheusRule, true))(this, 'Resource', {
      metadata: { name: `${target.serviceName}-alerts`, namespace: target.namespace, ...props.metadata },
      spec: {
        groups: ruleGroups.map((g) => ({
          name: g.name,
          rules: g.rules.map((r: any) => ({
            ...r,
            expr: _flatString(r.expr),
            ...(r.annotations
              ? { annotations: Object.fromEntries(Object.entries(r.annotations).map(([k, v]) => [k, _flatString(v as string)])) }
              : {}),
          })),
        })),
      },
    });
    this.node.defaultChild = this.apiObject;
  }
}

function checkPercent(prop: string, v: number, example: string): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0 || v >= 100) {
    throw _invalid(prop, v, 'an objective is a percentage strictly between 0 and 100 (100% leaves no error budget, so every error would page)',
      `use e.g. ${example}`);
  }
  return v;
}

/** What the SLO rules of one service need: its queries, names, budgets and windows. */
interface SloContext {
  readonly q: _ServiceQueries;
  readonly svc: string;
  readonly labels: { [key: string]: string };
  readonly windows: BurnRateWindow[];
  /**
   * The labels the ratios keep: namespace and service; only the namespace with per-version Services
   * (the versions' series carry different service names, and the main one is added as an alert label).
   */
  readonly by: string[];
}

/**
 * The rule groups of one service (plain JSON, in Prometheus rule-file shape).
 * @internal
 */
export function _serviceRuleGroups(target: MonitoringTargetConfig, options: ServiceAlertsOptions): any[] {
  const slo = checkPercent('successRateSlo', options.successRateSlo ?? 99.9, '99.9');
  const latencySlo = checkPercent('latencySloPercent', options.latencySloPercent ?? 99, '99');
  const latencyOn = options.latencyAlerts ?? true;
  const latencyMs = checkLatencyBucket(options.p99Latency ?? Duration.seconds(1), latencyOn);
  const windows = options.burnRateWindows ?? [BurnRateWindow.FAST, BurnRateWindow.SLOW];
  if (windows.length === 0) {
    throw _invalid('burnRateWindows', [], 'no window means no SLO alert', 'leave it out for the SRE workbook defaults (1h/5m at 14.4x, 6h/30m at 6x)');
  }
  if (options.alertLabels) {
    _validateLabels('alertLabels', options.alertLabels);
    for (const k of Object.keys(options.alertLabels)) _promLabelName('alertLabels key', k);
  }
  const versionServices = _versionServices(target);
  const ctx: SloContext = {
    q: new _ServiceQueries(target.serviceName, target.namespace, options.reporter ?? MetricsReporter.DESTINATION, options.extraSelector ?? {},
      versionServices),
    svc: `${target.serviceName}.${target.namespace}`,
    labels: { ...(versionServices ? { destination_service_name: target.serviceName } : {}), ...options.alertLabels },
    windows,
    by: versionServices ? ['destination_service_namespace'] : SERVICE_LABELS,
  };
  const sloRules = errorBudgetRules(ctx, slo);
  if (latencyOn) sloRules.push(...latencyBudgetRules(ctx, latencySlo, latencyMs));
  const groups: any[] = [{ name: `${ctx.svc}.slo`, rules: sloRules }];
  if (target.canary) groups.push(canaryRuleGroup(ctx, target.canary, options));
  return groups;
}

/** The latency objective in milliseconds; it must be a bucket boundary of Istio's duration histogram. */
function checkLatencyBucket(p99Latency: Duration, latencyOn: boolean): number {
  const latencyMs = p99Latency.toMilliseconds({ integral: false });
  if (latencyOn && !ISTIO_LATENCY_BUCKETS_MS.includes(latencyMs)) {
    const below = [...ISTIO_LATENCY_BUCKETS_MS].reverse().find((b) => b < latencyMs);
    const above = ISTIO_LATENCY_BUCKETS_MS.find((b) => b > latencyMs);
    const fix = [below, above].filter((b) => b !== undefined).map((b) => `Duration.millis(${b})`).join(' or ');
    throw _invalid('p99Latency', `${latencyMs}ms`, 'it is not a bucket boundary of istio_request_duration_milliseconds, so the share of slower requests cannot be measured',
      `use ${fix}`);
  }
  return latencyMs;
}

/** Throws when a window's burn-rate threshold can never be exceeded with this budget. */
function checkThreshold(prop: string, w: BurnRateWindow, budget: number): void {
  if (w.burnRate * budget >= 1) {
    throw _invalid('burnRateWindows', `${w.burnRate}x`, `with ${prop} the alert threshold ${_promNumber(w.burnRate * budget * 100)}% of requests can never be exceeded`,
      `lower the burn rate below ${_promNumber(1 / budget)} or raise ${prop}`);
  }
}

/** Multi-window burn-rate alerts on the 5xx error budget. */
function errorBudgetRules(ctx: SloContext, slo: number): any[] {
  const errorBudget = (100 - slo) / 100;
  return ctx.windows.map((w) => {
    checkThreshold('successRateSlo', w, errorBudget);
    const th = _promNumber(w.burnRate * errorBudget);
    return sortKeys({
      alert: 'IstioServiceErrorBudgetBurn',
      expr: `${ctx.q.errorRatio(w.longWindow, undefined, ctx.by)} > ${th}\nand\n${ctx.q.errorRatio(w.shortWindow, undefined, ctx.by)} > ${th}`,
      labels: sortKeys({ ...ctx.labels, long_window: w.longWindow, severity: w.severity, slo: 'success-rate' }),
      annotations: {
        summary: `${ctx.svc}: 5xx errors burn the ${slo}% success-rate budget ${w.burnRate}x too fast`,
        description: `Over ${w.longWindow} and ${w.shortWindow} more than ${_promNumber(w.burnRate * errorBudget * 100)}% of requests to ${ctx.svc} failed (objective: ${slo}% succeed).`,
      },
    });
  });
}

/** Multi-window burn-rate alerts on the share of requests slower than the latency objective. */
function latencyBudgetRules(ctx: SloContext, latencySlo: number, latencyMs: number): any[] {
  const latencyBudget = (100 - latencySlo) / 100;
  return ctx.windows.map((w) => {
    checkThreshold('latencySloPercent', w, latencyBudget);
    const th = _promNumber(w.burnRate * latencyBudget);
    return sortKeys({
      alert: 'IstioServiceLatencyBudgetBurn',
      expr: `${ctx.q.slowRatio(w.longWindow, latencyMs, undefined, ctx.by)} > ${th}\nand\n${ctx.q.slowRatio(w.shortWindow, latencyMs, undefined, ctx.by)} > ${th}`,
      labels: sortKeys({ ...ctx.labels, long_window: w.longWindow, severity: w.severity, slo: 'latency' }),
      annotations: {
        summary: `${ctx.svc}: requests slower than ${latencyMs}ms burn the latency budget ${w.burnRate}x too fast`,
        description: `Over ${w.longWindow} and ${w.shortWindow} more than ${_promNumber(w.burnRate * latencyBudget * 100)}% of requests to ${ctx.svc} took longer than ${latencyMs}ms (objective: ${latencySlo}% faster).`,
      },
    });
  });
}

/**
 * The canary-vs-stable thresholds (percentage points of success rate, p99 ratio), validated: the alerts
 * and the canary analysis compare with the same numbers.
 * @internal
 */
export function _canaryThresholds(options: ServiceAlertsOptions): { drop: number; ratio: number } {
  const drop = options.canaryMaxSuccessRateDrop ?? 1;
  if (typeof drop !== 'number' || !Number.isFinite(drop) || drop < 0 || drop >= 100) {
    throw _invalid('canaryMaxSuccessRateDrop', drop, 'it is a difference of percentage points, from 0 to below 100', 'use e.g. 1');
  }
  const ratio = options.canaryMaxLatencyRatio ?? 1.2;
  if (typeof ratio !== 'number' || !Number.isFinite(ratio) || ratio < 1) {
    throw _invalid('canaryMaxLatencyRatio', ratio, 'a canary slower than stable by a factor below 1 would alert on a faster canary', 'use e.g. 1.2 (20% slower)');
  }
  return { drop, ratio };
}

/**
 * The service's objectives, validated: success rate and latency share in percent, the latency threshold in ms.
 * @internal
 */
export function _sloTargets(options: ServiceAlertsOptions): { successRate: number; latencyPercent: number; latencyMs: number } {
  return {
    successRate: checkPercent('successRateSlo', options.successRateSlo ?? 99.9, '99.9'),
    latencyPercent: checkPercent('latencySloPercent', options.latencySloPercent ?? 99, '99'),
    latencyMs: checkLatencyBucket(options.p99Latency ?? Duration.seconds(1), true),
  };
}

/** Canary-vs-stable alerts: success rate and p99 latency of the canary against the stable version's. */
function canaryRuleGroup(ctx: SloContext, c: NonNullable<MonitoringTargetConfig['canary']>, options: ServiceAlertsOptions): any {
  const { drop, ratio } = _canaryThresholds(options);
  const win = _promDuration('canaryWindow', options.canaryWindow ?? Duration.minutes(5));
  const forD = _promDuration('canaryFor', options.canaryFor ?? Duration.minutes(5));
  // validate version strings for PromQL before use (escaped; control characters rejected)
  _promString('canary.stableVersion', c.stableVersion);
  _promString('canary.canaryVersion', c.canaryVersion);
  const { q, svc, by } = ctx;
  const canaryLabels = sortKeys({ ...ctx.labels, canary_version: c.canaryVersion, severity: 'warning', stable_version: c.stableVersion });
  return {
    name: `${svc}.canary`,
    rules: [
      sortKeys({
        alert: 'IstioCanarySuccessRateDegraded',
        expr: `${q.successRatio(win, c.canaryVersion, by)}\n< ${q.successRatio(win, c.stableVersion, by)} - ${_promNumber(drop / 100)}`,
        for: forD,
        labels: canaryLabels,
        annotations: {
          summary: `${svc}: canary ${c.canaryVersion} succeeds less often than stable ${c.stableVersion}`,
          description: `Over ${win} the success rate of ${c.canaryVersion} was more than ${_promNumber(drop)} percentage points below ${c.stableVersion}'s. Hold or roll back the canary.`,
        },
      }),
      sortKeys({
        alert: 'IstioCanaryLatencyDegraded',
        expr: `${q.latencyQuantile(0.99, win, c.canaryVersion, by)}\n> ${_promNumber(ratio)} * ${q.latencyQuantile(0.99, win, c.stableVersion, by)}`,
        for: forD,
        labels: canaryLabels,
        annotations: {
          summary: `${svc}: canary ${c.canaryVersion} is slower than stable ${c.stableVersion}`,
          description: `Over ${win} the p99 latency of ${c.canaryVersion} exceeded ${_promNumber(ratio)}x the p99 of ${c.stableVersion}. Hold or roll back the canary.`,
        },
      }),
    ],
  };
}

function sortKeys<T extends { [key: string]: any }>(o: T): T {
  const out: any = {};
  for (const k of Object.keys(o).sort()) out[k] = o[k];
  return out;
}
