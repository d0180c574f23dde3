import { Chart } from 'cdk8s';
import { Construct } from 'constructs';
import { _checkProps, _invalid, _validateDnsLabel, _validateLabels } from '../_utils';
import { Telemetry } from '../telemetry';
import { CanaryAnalysis, CanaryAnalysisOptions } from './canary-analysis';
import { CanaryDashboard, MeshDashboard, ServiceDashboard } from './dashboards';
import { MeshConfigFragment } from './mesh-config';
import { IMonitoringTarget, _readTarget } from './monitoring-target';
import { AccessLogProvider, TracingProvider } from './providers';
import { IstioRecordingRules } from './recording-rules';
import { IstioMetricsScraping } from './scraping';
import { MetricsReporter, ServiceAlerts, ServiceAlertsOptions } from './service-alerts';
import { SecureNamespace } from '../patterns/secure-namespace';

/**
 * Props of the mesh's observability.
 */
export interface MeshObservabilityProps {
  /**
   * Where the proxies send spans. Declared in `meshConfig` and referenced by a Telemetry.
   *
   * @default - no tracing Telemetry
   */
  readonly tracing?: TracingProvider;
  /**
   * Percentage (0–100) of requests traced.
   *
   * @default 1
   */
  readonly samplingPercent?: number;
  /**
   * Access log provider to turn on (e.g. `AccessLogProvider.ENVOY`).
   *
   * @default - no access logging Telemetry
   */
  readonly accessLogging?: AccessLogProvider;
  /**
   * Namespace of the tracing/access-log Telemetry.
   *
   * @default - the chart's namespace; mesh-wide (the root namespace) when the chart has none
   */
  readonly telemetryNamespace?: string;
  /**
   * The mesh's root namespace, for a mesh-wide Telemetry.
   *
   * @default "istio-system"
   */
  readonly rootNamespace?: string;
  /**
   * The fragment the providers are declared in.
   *
   * @default - a new MeshConfigFragment (exposed as `meshConfig`)
   */
  readonly meshConfig?: MeshConfigFragment;
  /**
   * Emit the PodMonitor (sidecars) and ServiceMonitor (istiod).
   *
   * @default true
   */
  readonly scraping?: boolean;
  /**
   * Emit the recording rules.
   *
   * @default true
   */
  readonly recordingRules?: boolean;
  /**
   * Emit the mesh overview dashboard.
   *
   * @default true
   */
  readonly meshDashboard?: boolean;
  /**
   * Namespace of the monitors, recording rules and mesh dashboard.
   *
   * @default "istio-system"
   */
  readonly monitoringNamespace?: string;
  /**
   * Labels on the PodMonitor, ServiceMonitor and every PrometheusRule, to match your Prometheus's
   * selectors (e.g. `{ release: 'kube-prometheus-stack' }`).
   *
   * @default - Istio's documented monitor labels; none on rules
   */
  readonly prometheusLabels?: { [key: string]: string };
  /**
   * Namespace of the per-service dashboards.
   *
   * @default - each service's namespace
   */
  readonly dashboardNamespace?: string;
  /**
   * Grafana folder of every dashboard (`grafana_folder` annotation).
   *
   * @default - none
   */
  readonly dashboardFolder?: string;
  /**
   * Which proxy reports the metrics: `DESTINATION` for sidecars, `WAYPOINT` for ambient. Services whose
   * namespace has a SecureNamespace in the app get their namespace's reporter instead (see `monitor()`).
   *
   * @default MetricsReporter.DESTINATION
   */
  readonly reporter?: MetricsReporter;
}

/**
 * Options of `MeshObservability.monitor()`: the SLO alert settings, plus switches.
 */
export interface MonitorOptions extends ServiceAlertsOptions {
  /**
   * Emit the PrometheusRule with the SLO (and canary) alerts.
   *
   * @default true
   */
  readonly alerts?: boolean;
  /**
   * Emit the dashboards (per service, plus per canary for a canary).
   *
   * @default true
   */
  readonly dashboards?: boolean;
  /**
   * For a canary: emit its analysis definition (a `CanaryAnalysis` ConfigMap that `cdk8s-istio canary
   * status` reads to decide promote, hold or rollback).
   *
   * @default true
   */
  readonly canaryAnalysis?: boolean;
  /**
   * For a canary: how it is analysed (window, checks, minimum traffic, Argo Rollouts / Flagger exports).
   *
   * @default - the CanaryAnalysisOptions defaults
   */
  readonly analysis?: CanaryAnalysisOptions;
}

/**
 * Props of the monitoring of one service.
 */
export interface ServiceMonitoringProps extends MonitorOptions {
  /** The service or canary to monitor. */
  readonly target: IMonitoringTarget;
  /**
   * Namespace of the dashboards.
   *
   * @default - the service's namespace
   */
  readonly dashboardNamespace?: string;
  /**
   * Grafana folder of the dashboards.
   *
   * @default - none
   */
  readonly dashboardFolder?: string;
  /**
   * Labels on the PrometheusRule (to match your Prometheus's `ruleSelector`).
   *
   * @default - none
   */
  readonly prometheusLabels?: { [key: string]: string };
}

/**
 * The monitoring of one service: its SLO alerts and dashboard and, for a canary (a target whose
 * `toMonitoringTarget().canary` is set), canary-vs-stable alerts, a canary dashboard and the canary's
 * analysis definition (`CanaryAnalysis`, read by `cdk8s-istio canary status|advance|report`).
 * `MeshObservability.monitor()` defines one.
 *
 * @example
 * new ServiceMonitoring(chart, 'catalog', { target: MonitoringTarget.inNamespace('shop', 'catalog') });
 */
export class ServiceMonitoring extends Construct {
  /** The SLO (and canary) alerts, if emitted. */
  public readonly alerts?: ServiceAlerts;
  /** The per-service dashboard, if emitted. */
  public readonly dashboard?: ServiceDashboard;
  /** The per-canary dashboard, for a canary target. */
  public readonly canaryDashboard?: CanaryDashboard;
  /** The canary's analysis definition, for a canary target (unless `canaryAnalysis: false`). */
  public readonly canaryAnalysis?: CanaryAnalysis;

  /**
   * Defines the service's PrometheusRule (`<service>-alerts`) and dashboard ConfigMaps, as `props` asks.
   *
   * @param scope the parent construct (`MeshObservability.monitor()` uses the MeshObservability)
   * @param id the construct id, unique within `scope`
   * @param props the service or canary (`target`), SLOs and alert options, whether to emit alerts and
   * dashboards (default both), dashboard namespace and folder, and PrometheusRule labels
   */
  constructor(scope: Construct, id: string, props: ServiceMonitoringProps) {
    super(scope, id);
    const config = _readTarget('target', props.target);
    if (props.prometheusLabels) _validateLabels('prometheusLabels', props.prometheusLabels);
    if (props.alerts ?? true) {
      this.alerts = new ServiceAlerts(this, 'Alerts', {
        ...props, metadata: props.prometheusLabels ? { labels: props.prometheusLabels } : undefined,
      });
    }
    if (props.dashboards ?? true) {
      const d = { target: props.target, namespace: props.dashboardNamespace, folder: props.dashboardFolder, reporter: props.reporter };
      this.dashboard = new ServiceDashboard(this, 'Dashboard', d);
      if (config.canary) this.canaryDashboard = new CanaryDashboard(this, 'CanaryDashboard', d);
    }
    _checkProps('analysis', props.analysis, false, '{ minRequests: 200, window: Duration.minutes(10) }');
    if (config.canary && (props.canaryAnalysis ?? true)) {
      this.canaryAnalysis = new CanaryAnalysis(this, 'CanaryAnalysis', { ...props, ...props.analysis });
    }
  }
}

/**
 * The mesh's observability in one construct: tracing (provider declared in the mesh config, sampling
 * in a Telemetry), Prometheus scraping of sidecars and istiod, recording rules, a mesh dashboard, and
 * per service `monitor()`: SLO burn-rate alerts plus a dashboard, and for a canary the canary-vs-stable
 * alerts and dashboard.
 *
 * @example
 * const obs = new MeshObservability(chart, 'observability', {
 *   tracing: TracingProvider.jaeger({ service: 'jaeger-collector.observability.svc.cluster.local' }),
 *   samplingPercent: 10,
 * });
 * obs.monitor(MonitoringTarget.inNamespace('shop', 'catalog'), { successRateSlo: 99.5, p99Latency: Duration.millis(250) });
 * // Helm values for istiod beside the manifests folder, not in it (`kubectl apply -f dist/` applies every file there)
 * fs.mkdirSync('dist-mesh', { recursive: true });
 * fs.writeFileSync('dist-mesh/istiod-values.yaml', obs.meshConfig.toHelmValuesYaml());
 */
export class MeshObservability extends Construct {
  /** The mesh-config fragment declaring the providers: feed `toHelmValuesYaml()` to your Istio install. */
  public readonly meshConfig: MeshConfigFragment;
  /** The tracing / access-log Telemetry, if any. */
  public readonly telemetry?: Telemetry;
  /** The PodMonitor + ServiceMonitor, if emitted. */
  public readonly scraping?: IstioMetricsScraping;
  /** The recording rules, if emitted. */
  public readonly recordingRules?: IstioRecordingRules;
  /** The mesh overview dashboard, if emitted. */
  public readonly meshDashboard?: MeshDashboard;

  private readonly props: MeshObservabilityProps;

  /**
   * Defines the mesh-wide pieces: the provider declarations, a Telemetry for tracing and access logs
   * (when a provider is given), the PodMonitor + ServiceMonitor, the recording rules and the mesh
   * dashboard. Services are added with `monitor()`.
   *
   * @param scope the parent construct (usually a Chart, whose namespace, if any, scopes the Telemetry)
   * @param id the construct id, unique within `scope`
   * @param props tracing provider and `samplingPercent` (default 1), access logging, which monitoring
   * objects to emit (default all) and their namespace (default `istio-system`), Prometheus labels
   */
  constructor(scope: Construct, id: string, props: MeshObservabilityProps = {}) {
    super(scope, id);
    this.props = props;
    const monitoringNamespace = _validateDnsLabel('monitoringNamespace', props.monitoringNamespace ?? 'istio-system');
    if (props.prometheusLabels) _validateLabels('prometheusLabels', props.prometheusLabels);
    if (props.dashboardNamespace !== undefined) _validateDnsLabel('dashboardNamespace', props.dashboardNamespace);
    if (props.samplingPercent !== undefined && !props.tracing) {
      throw _invalid('samplingPercent', props.samplingPercent, 'sampling without a tracing provider traces nowhere', 'set tracing: TracingProvider.jaeger({...})');
    }

    this.meshConfig = props.meshConfig ?? new MeshConfigFragment(this, 'MeshConfig');
    if (props.tracing) this.meshConfig.addTracingProvider(props.tracing);
    if (props.accessLogging) this.meshConfig.addAccessLogProvider(props.accessLogging);

    if (props.tracing || props.accessLogging) {
      const ns = props.telemetryNamespace ?? Chart.of(this).namespace;
      this.telemetry = new Telemetry(this, 'Telemetry', {
        metadata: { name: ns !== undefined ? 'namespace-default' : 'mesh-default', namespace: ns },
        meshWide: ns === undefined,
        rootNamespace: props.rootNamespace,
        tracing: props.tracing ? [{ providers: [props.tracing], samplingPercent: props.samplingPercent ?? 1 }] : undefined,
        accessLogging: props.accessLogging ? [{ providers: [props.accessLogging] }] : undefined,
      });
    }
    if (props.scraping ?? true) {
      this.scraping = new IstioMetricsScraping(this, 'Scraping', { namespace: monitoringNamespace, labels: props.prometheusLabels });
    }
    if (props.recordingRules ?? true) {
      this.recordingRules = new IstioRecordingRules(this, 'RecordingRules', {
        metadata: { namespace: monitoringNamespace, labels: props.prometheusLabels },
      });
    }
    if (props.meshDashboard ?? true) {
      this.meshDashboard = new MeshDashboard(this, 'MeshDashboard', { namespace: monitoringNamespace, folder: props.dashboardFolder, reporter: props.reporter });
    }
  }

  /**
   * Monitors a service or a canary: SLO burn-rate alerts and a dashboard, and for a canary target
   * (`toMonitoringTarget().canary` set, e.g. a CanaryService) also canary-vs-stable alerts and a
   * canary dashboard and analysis definition (`CanaryAnalysis`: what `cdk8s-istio canary status` decides
   * promote, hold or rollback from). Monitoring the same service twice fails.
   *
   * @param target the service (`MonitoringTarget.inNamespace('shop', 'catalog')`) or canary (a `CanaryService`)
   * @param options SLOs (`successRateSlo` default 99.9, `p99Latency` default 1 s), burn-rate windows,
   * canary thresholds, and whether to emit alerts and dashboards (default both)
   * @returns the construct holding the service's alerts and dashboards
   */
  public monitor(target: IMonitoringTarget, options: MonitorOptions = {}): ServiceMonitoring {
    const c = _readTarget('target', target);
    const id = `${c.namespace}-${c.serviceName}`;
    if (this.node.tryFindChild(id)) {
      throw _invalid('target', `${c.serviceName}.${c.namespace}`, 'the service is already monitored', 'call monitor() once per service (its options cover alerts and dashboards)');
    }
    const p = this.props;
    return new ServiceMonitoring(this, id, {
      ...options,
      // the mesh-wide reporter is for namespaces the app does not enrol; an enrolled one has its own
      reporter: options.reporter ?? (SecureNamespace._lookup(this, c.namespace) ? undefined : p.reporter),
      target,
      dashboardNamespace: p.dashboardNamespace,
      dashboardFolder: p.dashboardFolder,
      prometheusLabels: p.prometheusLabels,
    });
  }
}
