import { ApiObject, Duration } from 'cdk8s';
import { Construct } from 'constructs';
import { _checkProps, _invalid } from '../_utils';
import { ANALYSIS_KEY, ANALYSIS_LABEL, _AnalysisDefinition, _VersionLabels, _versionQueries } from './_canary-analysis';
import { _reporterFor } from './_data-plane';
import { _promDuration, _promNumber } from './_promql';
import { IMonitoringTarget, MonitoringTargetConfig, _readTarget, _versionServices } from './monitoring-target';
import { MetricsReporter, ServiceAlertsOptions, _canaryThresholds, _sloTargets } from './service-alerts';
import { _versionServiceName } from '../_naming';
import * as argo from '../imports/argo-argoproj.io';
import * as flagger from '../imports/flagger-flagger.app';

/** The Prometheus address the exported templates query by default (prometheus-operator's Service). */
const DEFAULT_PROMETHEUS = 'http://prometheus-operated.monitoring.svc.cluster.local:9090';

/**
 * How Istio's metrics tell a canary's two versions apart.
 */
export enum CanaryVersionLabels {
  /**
   * One Service for both versions, told apart by `destination_version` (the pods' `version` label, as
   * the sidecars report it).
   */
  VERSION_LABEL = 'version-label',
  /**
   * One Service per version, named `<service>-<version>` (e.g. `catalog-v2`), as Gateway API routes need
   * them: `destination_service_name` tells the versions apart (waypoint-reported metrics in ambient mode).
   */
  PER_VERSION_SERVICES = 'per-version-services',
}

/**
 * How a canary is analysed: the window, the checks, the minimum traffic and the exports. The objectives
 * themselves are the service's SLOs (`successRateSlo`, `p99Latency`, `latencySloPercent`) and canary
 * thresholds (`canaryMaxSuccessRateDrop`, `canaryMaxLatencyRatio`) that drive its alerts.
 */
export interface CanaryAnalysisOptions {
  /**
   * The window analysed before each step (the evidence covers it).
   *
   * @default Duration.minutes(10)
   */
  readonly window?: Duration;
  /**
   * How often within the window the objectives are checked (each check covers one interval).
   *
   * @default Duration.minutes(1)
   */
  readonly interval?: Duration;
  /**
   * The fewest canary requests in the window for a verdict: with fewer, the canary holds.
   *
   * @default 100
   */
  readonly minRequests?: number;
  /**
   * Interval checks that may fail before the canary is rolled back.
   *
   * @default 1
   */
  readonly maxFailedChecks?: number;
  /**
   * Compare the canary with stable (`canaryMaxSuccessRateDrop`, `canaryMaxLatencyRatio`) as well as with
   * the objectives.
   *
   * @default true
   */
  readonly compareWithStable?: boolean;
  /**
   * How the metrics tell the versions apart.
   *
   * @default - CanaryVersionLabels.PER_VERSION_SERVICES when the reporter is the waypoint (ambient),
   * else CanaryVersionLabels.VERSION_LABEL
   */
  readonly versionLabels?: CanaryVersionLabels;
  /**
   * Also emit an Argo Rollouts `AnalysisTemplate` (`argoproj.io/v1alpha1`, usable by Argo Rollouts and
   * Kargo verification) with the same queries and thresholds. Needs Argo Rollouts' CRDs in the cluster.
   *
   * @default false
   */
  readonly argoAnalysisTemplate?: boolean;
  /**
   * Also emit Flagger `MetricTemplate`s (`flagger.app/v1beta1`) with the same queries. Needs Flagger's
   * CRDs in the cluster.
   *
   * @default false
   */
  readonly flaggerMetricTemplates?: boolean;
  /**
   * The Prometheus HTTP address the exported templates query (the `cdk8s-istio canary` CLI takes its own
   * `--prometheus`).
   *
   * @default "http://prometheus-operated.monitoring.svc.cluster.local:9090" (prometheus-operator's Service in `monitoring`)
   */
  readonly prometheusAddress?: string;
}

/**
 * Props of a canary's analysis.
 */
export interface CanaryAnalysisProps extends ServiceAlertsOptions, CanaryAnalysisOptions {
  /** The canary (a target whose `toMonitoringTarget().canary` is set, e.g. a CanaryService). */
  readonly target: IMonitoringTarget;
}

/**
 * A canary's analysis definition, carried in the manifests: a ConfigMap `<service>-canary-analysis`
 * (label `cdk8s-istio.dev/canary-analysis: v1`, key `analysis.json`; harmless to apply) that
 * `cdk8s-istio canary status|advance|report` reads to query Prometheus and decide promote, hold or
 * rollback; optionally the same analysis as an Argo Rollouts AnalysisTemplate and Flagger MetricTemplates.
 * `MeshObservability.monitor()` defines one for every canary.
 *
 * @example
 * new CanaryAnalysis(chart, 'catalog-analysis', {
 *   target: catalog,
 *   successRateSlo: 99.5,
 *   p99Latency: Duration.millis(250),
 *   minRequests: 200,
 *   argoAnalysisTemplate: true,
 * });
 */
export class CanaryAnalysis extends Construct {
  /** The ConfigMap carrying the definition. */
  public readonly configMap: ApiObject;
  /** The Argo Rollouts AnalysisTemplate `<service>-canary`, when `argoAnalysisTemplate` is set. */
  public readonly analysisTemplate?: ApiObject;
  /** The Flagger MetricTemplates `<service>-canary-success-rate` and `<service>-canary-latency`, when `flaggerMetricTemplates` is set. */
  public readonly metricTemplates: ApiObject[];

  /** @internal */
  public readonly _definition: _AnalysisDefinition;

  /**
   * Defines the ConfigMap (and the templates asked for) from the canary and its objectives.
   *
   * @param scope the parent construct (`MeshObservability.monitor()` uses the service's monitoring)
   * @param id the construct id, unique within `scope`
   * @param props the canary (`target`), its objectives and canary thresholds, the analysis window,
   * interval, minimum traffic and failed-check allowance, and which templates to export
   */
  constructor(scope: Construct, id: string, props: CanaryAnalysisProps) {
    super(scope, id);
    _checkProps('props', props, true, '{ target: catalog, successRateSlo: 99.5 }');
    const target = _readTarget('target', props.target);
    const d = analysisDefinition(props, target, _reporterFor(this, target.serviceName, target.namespace, props.reporter));
    const address = props.prometheusAddress ?? DEFAULT_PROMETHEUS;
    if (!/^https?:\/\/[^/\s]+/.test(address)) {
      throw _invalid('prometheusAddress', address, 'the templates query Prometheus over HTTP', 'give e.g. "http://prometheus-operated.monitoring.svc.cluster.local:9090"');
    }
    this._definition = d;
    this.configMap = new ApiObject(this, 'Resource', {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: `${d.service}-canary-analysis`, namespace: d.namespace, labels: { [ANALYSIS_LABEL]: 'v1' } },
      data: { [ANALYSIS_KEY]: `${JSON.stringify(d, undefined, 2)}\n` },
    });
    this.node.defaultChild = this.configMap;
    this.analysisTemplate = props.argoAnalysisTemplate ? argoAnalysisTemplate(this, d, address) : undefined;
    this.metricTemplates = props.flaggerMetricTemplates ? flaggerMetricTemplates(this, d, address) : [];
  }
}

/** The checks both exports run, from the definition: name, query (per interval), and the passing range. */
function exportedChecks(d: _AnalysisDefinition): Array<{ name: string; query: string; min?: number; max?: number }> {
  const { canary, stable } = d.queries;
  const checks: Array<{ name: string; query: string; min?: number; max?: number }> = [
    { name: 'success-rate', query: canary.successRateByInterval, min: d.successRateSlo / 100 },
    { name: 'latency', query: canary.latencyByInterval, max: d.latencyMs },
  ];
  if (d.compareWithStable) {
    checks.push({ name: 'success-rate-vs-stable', query: `${canary.successRateByInterval}\n- ${stable.successRateByInterval}`, min: -d.maxSuccessRateDrop / 100 });
    checks.push({ name: 'latency-vs-stable', query: `${canary.latencyByInterval}\n/ ${stable.latencyByInterval}`, max: d.maxLatencyRatio });
  }
  return checks;
}

/**
 * The analysis as an Argo Rollouts AnalysisTemplate: one metric per check, measured every interval over
 * the window, failing the run after more than `maxFailedChecks` failures. No data (an empty or NaN result)
 * fails a measurement: it never passes a canary.
 */
function argoAnalysisTemplate(scope: Construct, d: _AnalysisDefinition, address: string): ApiObject {
  return new argo.AnalysisTemplate(scope, 'AnalysisTemplate', {
    metadata: { name: `${d.service}-canary`, namespace: d.namespace },
    spec: {
      metrics: exportedChecks(d).map((c) => ({
        name: c.name,
        interval: d.interval,
        count: argo.AnalysisTemplateSpecMetricsCount.fromNumber(d.windowSeconds / d.intervalSeconds),
        failureLimit: argo.AnalysisTemplateSpecMetricsFailureLimit.fromNumber(d.maxFailedChecks),
        successCondition: `len(result) > 0 && ${c.min !== undefined ? `result[0] >= ${_promNumber(c.min)}` : `result[0] <= ${_promNumber(c.max!)}`}`,
        provider: { prometheus: { address, query: c.query } },
      })),
    },
  });
}

/**
 * The analysis as Flagger MetricTemplates (one per check; a Flagger Canary's `analysis.metrics` references
 * them with the `thresholdRange` their `cdk8s-istio.dev/threshold-range` annotation gives).
 */
function flaggerMetricTemplates(scope: Construct, d: _AnalysisDefinition, address: string): ApiObject[] {
  return exportedChecks(d).map((c) => new flagger.MetricTemplate(scope, `MetricTemplate-${c.name}`, {
    metadata: {
      name: `${d.service}-canary-${c.name}`,
      namespace: d.namespace,
      annotations: { 'cdk8s-istio.dev/threshold-range': c.min !== undefined ? `min=${_promNumber(c.min)}` : `max=${_promNumber(c.max!)}` },
    },
    spec: { provider: { type: flagger.MetricTemplateSpecProviderType.PROMETHEUS, address }, query: c.query },
  }));
}

function checkCount(prop: string, v: number, min: number, example: string): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min) {
    throw _invalid(prop, v, `it is a whole number of at least ${min}`, `use e.g. ${example}`);
  }
  return v;
}

/**
 * The definition of a canary's analysis, from props whose object shape and target the constructor has
 * checked (`target` is what `_readTarget()` read, `reporter` the resolved reporter); checks the rest.
 */
function analysisDefinition(props: CanaryAnalysisProps, target: MonitoringTargetConfig, reporter: MetricsReporter): _AnalysisDefinition {
  const c = target.canary;
  if (!c) {
    throw _invalid('target', `${target.serviceName}.${target.namespace}`, 'it is not a canary (no stable and canary versions)', 'analyse a CanaryService, or MonitoringTarget.canary({...})');
  }
  const slo = _sloTargets(props);
  const { drop, ratio } = _canaryThresholds(props);
  const windowD = props.window ?? Duration.minutes(10);
  const intervalD = props.interval ?? Duration.minutes(1);
  const window = _promDuration('window', windowD);
  const interval = _promDuration('interval', intervalD);
  const windowSeconds = windowD.toSeconds();
  const intervalSeconds = intervalD.toSeconds();
  if (intervalSeconds > windowSeconds || windowSeconds % intervalSeconds !== 0) {
    throw _invalid('interval', interval, `the window (${window}) must be a whole number of intervals`, 'use e.g. window 10m and interval 1m');
  }
  const own = _versionServices(target); // a target naming its per-version Services (Gateway API routing)
  const versionLabels: _VersionLabels = props.versionLabels
    ?? (own || reporter === MetricsReporter.WAYPOINT ? CanaryVersionLabels.PER_VERSION_SERVICES : CanaryVersionLabels.VERSION_LABEL);
  const queries = (v: string) => _versionQueries(target.serviceName, target.namespace, v, reporter, versionLabels, props.extraSelector ?? {},
    window, interval, slo.latencyPercent, (s, version) => own?.[version] ?? _versionServiceName(s, version));
  return {
    apiVersion: 'cdk8s-istio.dev/v1',
    kind: 'CanaryAnalysis',
    service: target.serviceName,
    namespace: target.namespace,
    stableVersion: c.stableVersion,
    canaryVersion: c.canaryVersion,
    canaryWeight: c.canaryWeight,
    steps: c.steps,
    step: c.step,
    stateFile: c.stateFile,
    reporter,
    versionLabels,
    successRateSlo: slo.successRate,
    latencyMs: slo.latencyMs,
    latencyPercent: slo.latencyPercent,
    compareWithStable: props.compareWithStable ?? true,
    maxSuccessRateDrop: drop,
    maxLatencyRatio: ratio,
    minRequests: checkCount('minRequests', props.minRequests ?? 100, 1, '100'),
    window,
    windowSeconds,
    interval,
    intervalSeconds,
    maxFailedChecks: checkCount('maxFailedChecks', props.maxFailedChecks ?? 1, 0, '1'),
    queries: { canary: queries(c.canaryVersion), stable: queries(c.stableVersion) },
  };
}
