import { Chart, Duration, Testing } from 'cdk8s';
import {
  AccessLogProvider, MeshConfigFragment, MeshObservability, MetricsReporter, MonitoringTarget, ServiceMonitoring, Telemetry, TracingProvider,
} from '../../src';

const JAEGER = TracingProvider.jaeger({ service: 'jaeger-collector.observability.svc.cluster.local' });
const CANARY = MonitoringTarget.canary({ serviceName: 'catalog', namespace: 'shop', stableVersion: 'v1', canaryVersion: 'v2', canaryWeight: 10 });

function kinds(chart: Chart): string[] {
  return Testing.synth(chart).map((o) => `${o.kind}/${o.metadata.namespace}/${o.metadata.name}`);
}

describe('MeshObservability', () => {
  test('default: scraping, recording rules and the mesh dashboard in istio-system, no Telemetry (snapshot)', () => {
    // GIVEN
    const chart = Testing.chart();
    // WHEN
    const obs = new MeshObservability(chart, 'obs');
    // THEN
    expect(obs.telemetry).toBeUndefined();
    expect(obs.meshConfig.toMeshConfig()).toEqual({});
    expect(kinds(chart)).toEqual([
      'PodMonitor/istio-system/envoy-stats-monitor',
      'ServiceMonitor/istio-system/istio-component-monitor',
      'PrometheusRule/istio-system/istio-recording-rules',
      'ConfigMap/istio-system/istio-mesh-overview-dashboard',
    ]);
    expect(Testing.synth(chart)).toMatchSnapshot();
  });

  test('tracing in the chart namespace: provider declared, Telemetry with sampling', () => {
    // GIVEN
    const chart = new Chart(Testing.app(), 'shop', { namespace: 'shop' });
    // WHEN
    const obs = new MeshObservability(chart, 'obs', { tracing: JAEGER, samplingPercent: 10, scraping: false, recordingRules: false, meshDashboard: false });
    // THEN
    const [tel] = Testing.synth(chart);
    expect(tel.kind).toEqual('Telemetry');
    // the declared provider travels with the Telemetry, for the cdk8s plugin and the CLI (MESH002)
    expect(tel.metadata).toEqual({ name: 'namespace-default', namespace: 'shop', annotations: { 'validation.cdk8s-istio.dev/providers': 'jaeger' } });
    expect(tel.spec).toEqual({ tracing: [{ providers: [{ name: 'jaeger' }], randomSamplingPercentage: 10 }] });
    expect(obs.meshConfig.toMeshConfig().extensionProviders).toEqual([JAEGER._toExtensionProvider()]);
  });

  test('tracing mesh-wide when the chart has no namespace; access logging; default sampling 1%', () => {
    const chart = Testing.chart();
    new MeshObservability(chart, 'obs', { tracing: JAEGER, accessLogging: AccessLogProvider.ENVOY, scraping: false, recordingRules: false, meshDashboard: false });
    const [tel] = Testing.synth(chart);
    expect(tel.metadata).toEqual({ name: 'mesh-default', namespace: 'istio-system', annotations: { 'validation.cdk8s-istio.dev/providers': 'jaeger' } });
    expect(tel.spec).toEqual({
      accessLogging: [{ providers: [{ name: 'envoy' }] }],
      tracing: [{ providers: [{ name: 'jaeger' }], randomSamplingPercentage: 1 }],
    });
  });

  test('uses a given mesh-config fragment', () => {
    const chart = Testing.chart();
    const mesh = new MeshConfigFragment(chart, 'mesh', { emitConfigMap: true });
    const obs = new MeshObservability(chart, 'obs', { tracing: JAEGER, meshConfig: mesh, telemetryNamespace: 'shop' });
    expect(obs.meshConfig).toBe(mesh);
    expect(Testing.synth(chart).find((o) => o.kind === 'ConfigMap' && o.metadata.name === 'istio')!.data.mesh).toContain('jaeger-collector');
  });

  test('monitor(service): alerts and a dashboard in the service namespace, with Prometheus labels', () => {
    // GIVEN
    const chart = Testing.chart();
    const obs = new MeshObservability(chart, 'obs', { scraping: false, recordingRules: false, meshDashboard: false, prometheusLabels: { release: 'prom' } });
    // WHEN
    const m = obs.monitor(MonitoringTarget.inNamespace('shop', 'frontend'), { successRateSlo: 99.5 });
    // THEN
    expect(m.canaryDashboard).toBeUndefined();
    const objs = Testing.synth(chart);
    expect(kinds(chart)).toEqual(['PrometheusRule/shop/frontend-alerts', 'ConfigMap/shop/frontend-shop-service-dashboard']);
    expect(objs[0].metadata.labels).toEqual({ release: 'prom' });
    expect(objs[0].spec.groups[0].rules[0].annotations.summary).toContain('99.5%');
  });

  test('monitor(canary): service + canary alerts in one PrometheusRule, service and canary dashboards', () => {
    const chart = Testing.chart();
    const obs = new MeshObservability(chart, 'obs', { scraping: false, recordingRules: false, meshDashboard: false, reporter: MetricsReporter.WAYPOINT, dashboardNamespace: 'monitoring' });
    const m = obs.monitor(CANARY, { p99Latency: Duration.millis(250) });
    expect(m.alerts).toBeDefined();
    expect(kinds(chart)).toEqual([
      'PrometheusRule/shop/catalog-alerts',
      'ConfigMap/monitoring/catalog-shop-service-dashboard',
      'ConfigMap/monitoring/catalog-shop-canary-dashboard',
      'ConfigMap/shop/catalog-canary-analysis',
    ]);
    const rule = Testing.synth(chart)[0];
    expect(rule.spec.groups.map((g: any) => g.name)).toEqual(['catalog.shop.slo', 'catalog.shop.canary']);
    expect(rule.spec.groups[1].rules[0].expr).toContain('reporter="waypoint"');
    // the analysis reads the waypoint's per-version Services
    const analysis = JSON.parse(Testing.synth(chart)[3].data['analysis.json']);
    expect([analysis.reporter, analysis.versionLabels, analysis.latencyMs]).toEqual(['waypoint', 'per-version-services', 250]);
    expect(m.canaryAnalysis).toBeDefined();
  });

  test('monitor(canary, { canaryAnalysis: false }) emits no analysis; analysis options reach it', () => {
    const chart = Testing.chart();
    const obs = new MeshObservability(chart, 'obs', { scraping: false, recordingRules: false, meshDashboard: false });
    expect(obs.monitor(CANARY, { alerts: false, dashboards: false, canaryAnalysis: false }).canaryAnalysis).toBeUndefined();
    const other = MonitoringTarget.canary({ serviceName: 'reviews', namespace: 'shop', stableVersion: 'v1', canaryVersion: 'v2', canaryWeight: 10 });
    const analysis = { minRequests: 500, window: Duration.minutes(30), interval: Duration.minutes(5) };
    obs.monitor(other, { alerts: false, dashboards: false, analysis });
    const objs = Testing.synth(chart);
    expect(objs.map((o) => `${o.kind}/${o.metadata.name}`)).toEqual(['ConfigMap/reviews-canary-analysis']);
    const d = JSON.parse(objs[0].data['analysis.json']);
    expect([d.minRequests, d.window, d.interval, d.windowSeconds, d.intervalSeconds]).toEqual([500, '30m', '5m', 1800, 300]);
  });

  test('monitor() switches: alerts or dashboards off; ServiceMonitoring standalone', () => {
    const chart = Testing.chart();
    const obs = new MeshObservability(chart, 'obs', { scraping: false, recordingRules: false, meshDashboard: false });
    obs.monitor(MonitoringTarget.inNamespace('shop', 'a'), { alerts: false });
    obs.monitor(MonitoringTarget.inNamespace('shop', 'b'), { dashboards: false });
    new ServiceMonitoring(chart, 'c', { target: MonitoringTarget.inNamespace('shop', 'c'), alerts: false, dashboardFolder: 'Shop' });
    expect(kinds(chart)).toEqual(['ConfigMap/shop/a-shop-service-dashboard', 'PrometheusRule/shop/b-alerts', 'ConfigMap/shop/c-shop-service-dashboard']);
  });

  test('a user Telemetry without selector in the same namespace fails synth (IST0160)', () => {
    const chart = new Chart(Testing.app(), 'shop', { namespace: 'shop' });
    new MeshObservability(chart, 'obs', { tracing: JAEGER });
    new Telemetry(chart, 'mine');
    expect(() => Testing.synth(chart)).toThrow(/IST0160/);
  });

  test('fails on sampling without a provider, or sampling outside 0-100', () => {
    expect(() => new MeshObservability(Testing.chart(), 'o', { samplingPercent: 10 })).toThrow('Invalid samplingPercent 10: sampling without a tracing provider traces nowhere');
    expect(() => new MeshObservability(Testing.chart(), 'o', { tracing: JAEGER, samplingPercent: 150 })).toThrow('Invalid samplingPercent 150: a sampling percentage is between 0 and 100');
  });

  test('fails on monitoring a service twice', () => {
    const obs = new MeshObservability(Testing.chart(), 'o');
    obs.monitor(MonitoringTarget.inNamespace('shop', 'catalog'));
    expect(() => obs.monitor(MonitoringTarget.inNamespace('shop', 'catalog'))).toThrow('Invalid target "catalog.shop": the service is already monitored');
  });

  test('fails on SLO targets outside (0, 100) through monitor()', () => {
    const obs = new MeshObservability(Testing.chart(), 'o');
    expect(() => obs.monitor(CANARY, { successRateSlo: 100.5 })).toThrow('Invalid successRateSlo 100.5');
  });
});
