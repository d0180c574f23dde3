import { App, Chart, Testing } from 'cdk8s';
import {
  CanaryAnalysis, CanaryDashboard, MeshEnrolment, MeshObservability, MetricsReporter, MonitoringTarget, SecureNamespace, ServiceAlerts,
  ServiceDashboard, WaypointTrafficType,
} from '../../src';

function shop(enrolment?: MeshEnrolment): { app: App; chart: Chart } {
  const app = Testing.app();
  const chart = new Chart(app, 'shop', { namespace: 'shop' });
  if (enrolment) new SecureNamespace(chart, 'ns', { name: 'shop', enrolment });
  return { app, chart };
}
const observability = (chart: Chart) => new MeshObservability(chart, 'obs', { scraping: false, recordingRules: false, meshDashboard: false });
const alertExprs = (chart: Chart) => Testing.synth(chart).filter((o: any) => o.kind === 'PrometheusRule')
  .flatMap((r: any) => r.spec.groups.flatMap((g: any) => g.rules.map((x: any) => x.expr)));
const panelExprs = (d: ServiceDashboard | CanaryDashboard) =>
  JSON.parse(d.toJsonString()).panels.flatMap((p: any) => (p.targets ?? []).map((t: any) => t.expr));
const CANARY = { serviceName: 'catalog', namespace: 'shop', stableVersion: 'v1', canaryVersion: 'v2', canaryWeight: 10 };
const PER_VERSION = { ...CANARY, stableServiceName: 'catalog-v1', canaryServiceName: 'catalog-v2' };

describe('the reporter follows the data plane of the target\'s namespace', () => {
  test('ambient with a waypoint: every alert and panel reads reporter="waypoint"', () => {
    // GIVEN
    const { chart } = shop(MeshEnrolment.ambient({ waypoint: true }));
    // WHEN
    const monitoring = observability(chart).monitor(MonitoringTarget.inNamespace('shop', 'catalog'));
    // THEN
    const exprs = [...alertExprs(chart), ...panelExprs(monitoring.dashboard!)];
    expect(exprs.length).toBeGreaterThan(0);
    expect(exprs.filter((e: string) => !e.includes('reporter="waypoint"'))).toEqual([]);
    expect(alertExprs(chart)[0]).toEqual(
      '(sum by (destination_service_namespace, destination_service_name) (rate(istio_requests_total{reporter="waypoint",destination_service_namespace="shop",destination_service_name="catalog",response_code=~"5.."}[1h]))'
      + ' / sum by (destination_service_namespace, destination_service_name) (rate(istio_requests_total{reporter="waypoint",destination_service_namespace="shop",destination_service_name="catalog"}[1h]))) > 0.0144\nand\n'
      + '(sum by (destination_service_namespace, destination_service_name) (rate(istio_requests_total{reporter="waypoint",destination_service_namespace="shop",destination_service_name="catalog",response_code=~"5.."}[5m]))'
      + ' / sum by (destination_service_namespace, destination_service_name) (rate(istio_requests_total{reporter="waypoint",destination_service_namespace="shop",destination_service_name="catalog"}[5m]))) > 0.0144');
  });

  test('sidecar namespaces, and namespaces the app does not define, keep reporter="destination" (unchanged output)', () => {
    for (const enrolment of [MeshEnrolment.sidecarInjection(), undefined]) {
      const { chart } = shop(enrolment);
      observability(chart).monitor(MonitoringTarget.inNamespace('shop', 'catalog'));
      expect(alertExprs(chart).filter((e: string) => !e.includes('reporter="destination"'))).toEqual([]);
    }
  });

  test('the mesh-wide reporter of MeshObservability applies to namespaces the app does not enrol', () => {
    const { chart } = shop(MeshEnrolment.sidecarInjection());
    const obs = new MeshObservability(chart, 'obs', { reporter: MetricsReporter.WAYPOINT, scraping: false, recordingRules: false, meshDashboard: false });
    obs.monitor(MonitoringTarget.inNamespace('shop', 'catalog'));
    obs.monitor(MonitoringTarget.inNamespace('other', 'reviews'));
    const rules = Testing.synth(chart).filter((o: any) => o.kind === 'PrometheusRule');
    expect(rules.map((r: any) => [r.metadata.namespace, /reporter="(\w+)"/.exec(r.spec.groups[0].rules[0].expr)![1]])).toEqual([['shop', 'destination'], ['other', 'waypoint']]);
  });

  test('fails: ambient without a waypoint for service traffic (ztunnel reports only L4 metrics)', () => {
    for (const enrolment of [MeshEnrolment.ambient(), MeshEnrolment.ambient({ waypoint: true, waypointTrafficType: WaypointTrafficType.WORKLOAD })]) {
      const { chart } = shop(enrolment);
      expect(() => observability(chart).monitor(MonitoringTarget.inNamespace('shop', 'catalog'))).toThrow(
        'Invalid target "catalog.shop": namespace shop is ambient without a waypoint for service traffic: ztunnel reports only L4 metrics (istio_tcp_*), '
        + 'no istio_requests_total or request durations, so request-based alerts and dashboards would stay empty. '
        + 'Fix: enrol shop with MeshEnrolment.ambient({ waypoint: true }) (the waypoint reports L7 metrics with reporter="waypoint"), or do not monitor catalog here');
    }
  });

  test('fails: an explicit reporter that contradicts the namespace', () => {
    const ambient = shop(MeshEnrolment.ambient({ waypoint: true }));
    expect(() => new ServiceAlerts(ambient.chart, 'a', { target: MonitoringTarget.inNamespace('shop', 'catalog'), reporter: MetricsReporter.DESTINATION })).toThrow(
      'Invalid reporter "destination": namespace shop is ambient: its request metrics are reported by the waypoint (reporter="waypoint"), and ztunnel reports only L4 metrics. '
      + 'Fix: drop `reporter` (derived from the namespace), or use MetricsReporter.WAYPOINT');
    const sidecar = shop(MeshEnrolment.sidecarInjection());
    expect(() => new ServiceDashboard(sidecar.chart, 'd', { target: MonitoringTarget.inNamespace('shop', 'catalog'), reporter: MetricsReporter.WAYPOINT })).toThrow(
      'Invalid reporter "waypoint": namespace shop runs sidecars (sidecar injection), which report as "destination" (server side) or "source"; no waypoint reports its metrics. '
      + 'Fix: drop `reporter` (derived from the namespace), or use MetricsReporter.DESTINATION');
    // near miss: the matching explicit reporter is fine
    expect(() => new ServiceAlerts(ambient.chart, 'b', { target: MonitoringTarget.inNamespace('shop', 'catalog'), reporter: MetricsReporter.WAYPOINT })).not.toThrow();
  });

  test('fails at synth when the SecureNamespace that makes the namespace ambient is defined after the monitoring', () => {
    const { app, chart } = shop();
    observability(chart).monitor(MonitoringTarget.inNamespace('shop', 'catalog'));
    new SecureNamespace(chart, 'ns', { name: 'shop', enrolment: MeshEnrolment.ambient({ waypoint: true }) });
    expect(() => app.synth()).toThrow('Invalid reporter "destination": namespace shop turned out to report with reporter="waypoint" (its SecureNamespace was defined after the monitoring). '
      + 'Fix: define the SecureNamespace of "shop" before monitoring its services, or pass reporter: MetricsReporter.WAYPOINT');
  });
});

describe('canaries with a Service per version (Gateway API routing)', () => {
  test('alerts: the versions by their Services, the whole service over all three, ratios kept per namespace, the service as an alert label', () => {
    const { chart } = shop(MeshEnrolment.ambient({ waypoint: true }));
    observability(chart).monitor(MonitoringTarget.canary(PER_VERSION));
    const rule = Testing.synth(chart).find((o: any) => o.kind === 'PrometheusRule');
    const [slo, canary] = rule.spec.groups;
    expect(slo.rules[0].labels).toEqual({ destination_service_name: 'catalog', long_window: '1h', severity: 'critical', slo: 'success-rate' });
    expect(slo.rules[0].expr.split('\n')[0]).toEqual(
      '(sum by (destination_service_namespace) (rate(istio_requests_total{reporter="waypoint",destination_service_namespace="shop",destination_service_name=~"catalog|catalog-v1|catalog-v2",response_code=~"5.."}[1h]))'
      + ' / sum by (destination_service_namespace) (rate(istio_requests_total{reporter="waypoint",destination_service_namespace="shop",destination_service_name=~"catalog|catalog-v1|catalog-v2"}[1h]))) > 0.0144');
    expect(canary.rules[0].expr).toEqual(
      '(sum by (destination_service_namespace) (rate(istio_requests_total{reporter="waypoint",destination_service_namespace="shop",destination_service_name="catalog-v2",response_code!~"5.."}[5m]))'
      + ' / sum by (destination_service_namespace) (rate(istio_requests_total{reporter="waypoint",destination_service_namespace="shop",destination_service_name="catalog-v2"}[5m])))\n'
      + '< (sum by (destination_service_namespace) (rate(istio_requests_total{reporter="waypoint",destination_service_namespace="shop",destination_service_name="catalog-v1",response_code!~"5.."}[5m]))'
      + ' / sum by (destination_service_namespace) (rate(istio_requests_total{reporter="waypoint",destination_service_namespace="shop",destination_service_name="catalog-v1"}[5m]))) - 0.01');
    expect(alertExprs(chart).filter((e: string) => e.includes('destination_version'))).toEqual([]);
  });

  test('dashboards: canary panels per version Service, service panels over all three', () => {
    const { chart } = shop(MeshEnrolment.ambient({ waypoint: true }));
    const m = observability(chart).monitor(MonitoringTarget.canary(PER_VERSION));
    expect(panelExprs(m.canaryDashboard!)[0]).toEqual(
      '(sum(rate(istio_requests_total{reporter="waypoint",destination_service_namespace="shop",destination_service_name="catalog-v1",response_code!~"5.."}[$__rate_interval]))'
      + ' / sum(rate(istio_requests_total{reporter="waypoint",destination_service_namespace="shop",destination_service_name="catalog-v1"}[$__rate_interval])))');
    expect(panelExprs(m.dashboard!)[0]).toEqual(
      'sum(rate(istio_requests_total{reporter="waypoint",destination_service_namespace="shop",destination_service_name=~"catalog|catalog-v1|catalog-v2"}[$__rate_interval]))');
    // the template of one shape is not reused for the other
    const plain = observability(shop(MeshEnrolment.ambient({ waypoint: true })).chart).monitor(MonitoringTarget.canary(CANARY));
    expect(panelExprs(plain.canaryDashboard!)[0]).toContain('destination_service_name="catalog",destination_version="v1"');
  });

  test('the canary analysis queries the named per-version Services', () => {
    const { chart } = shop(MeshEnrolment.ambient({ waypoint: true }));
    const analysis = new CanaryAnalysis(chart, 'analysis', { target: MonitoringTarget.canary({ ...PER_VERSION, stableServiceName: 'catalog-stable', canaryServiceName: 'catalog-canary' }) });
    const def = JSON.parse(Object.values(Testing.synth(chart).find((o: any) => o.metadata?.name === analysis.configMap.name).data)[0] as string);
    expect(def.queries.canary.requests).toEqual(
      'sum(increase(istio_requests_total{reporter="waypoint",destination_service_namespace="shop",destination_service_name="catalog-canary"}[10m]))');
  });

  test('fails on one per-version Service without the other, or on names that are not distinct', () => {
    expect(() => new ServiceAlerts(Testing.chart(), 'a', { target: MonitoringTarget.canary({ ...CANARY, canaryServiceName: 'catalog-v2' }) })).toThrow(
      'Invalid target.canary.stableServiceName (undefined): per-version Services tell the versions apart only when both are named. Fix: name both (e.g. "catalog-v1" and "catalog-v2"), or neither');
    expect(() => new ServiceAlerts(Testing.chart(), 'b', { target: MonitoringTarget.canary({ ...CANARY, stableServiceName: 'catalog', canaryServiceName: 'catalog-v2' }) })).toThrow(
      'Invalid target.canary.canaryServiceName "catalog-v2": the main Service and the two per-version Services must differ (got "catalog", "catalog", "catalog-v2")');
    expect(() => new ServiceAlerts(Testing.chart(), 'c', { target: MonitoringTarget.canary({ ...CANARY, stableServiceName: 'Catalog_V1', canaryServiceName: 'catalog-v2' }) }))
      .toThrow('Invalid target.canary.stableServiceName "Catalog_V1"');
  });
});
