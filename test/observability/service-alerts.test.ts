import { ApiObject, Duration, JsonPatch, Testing } from 'cdk8s';
import { BurnRateWindow, MetricsReporter, MonitoringTarget, ServiceAlerts } from '../../src';

const CATALOG = MonitoringTarget.inNamespace('shop', 'catalog');
const CANARY = MonitoringTarget.canary({ serviceName: 'catalog', namespace: 'shop', stableVersion: 'v1', canaryVersion: 'v2', canaryWeight: 10 });
const SEL = 'reporter="destination",destination_service_namespace="shop",destination_service_name="catalog"';
const BY = 'sum by (destination_service_namespace, destination_service_name) ';

describe('ServiceAlerts', () => {
  test('default: success-rate and latency burn-rate alerts, 1h/5m at 14.4x and 6h/30m at 6x (snapshot)', () => {
    // GIVEN
    const chart = Testing.chart();
    // WHEN
    new ServiceAlerts(chart, 'alerts', { target: CATALOG });
    // THEN
    const [rule] = Testing.synth(chart);
    expect(rule.apiVersion).toEqual('monitoring.coreos.com/v1');
    expect(rule.kind).toEqual('PrometheusRule');
    expect(rule.metadata).toEqual({ name: 'catalog-alerts', namespace: 'shop' });
    expect(rule.spec.groups.map((g: any) => g.name)).toEqual(['catalog.shop.slo']);
    const rules = rule.spec.groups[0].rules;
    expect(rules.map((r: any) => [r.alert, r.labels.long_window, r.labels.severity])).toEqual([
      ['IstioServiceErrorBudgetBurn', '1h', 'critical'],
      ['IstioServiceErrorBudgetBurn', '6h', 'warning'],
      ['IstioServiceLatencyBudgetBurn', '1h', 'critical'],
      ['IstioServiceLatencyBudgetBurn', '6h', 'warning'],
    ]);
    expect(Testing.synth(chart)).toMatchSnapshot();
  });

  test('success-rate burn: error ratio over the long and the short window above burn rate x budget (exact PromQL)', () => {
    const chart = Testing.chart();
    new ServiceAlerts(chart, 'alerts', { target: CATALOG, successRateSlo: 99.5, latencyAlerts: false, burnRateWindows: [BurnRateWindow.FAST] });
    const rules = Testing.synth(chart)[0].spec.groups[0].rules;
    const ratio = (w: string) => `(${BY}(rate(istio_requests_total{${SEL},response_code=~"5.."}[${w}])) / ${BY}(rate(istio_requests_total{${SEL}}[${w}])))`;
    expect(rules).toEqual([{
      alert: 'IstioServiceErrorBudgetBurn',
      annotations: {
        description: 'Over 1h and 5m more than 7.2% of requests to catalog.shop failed (objective: 99.5% succeed).',
        summary: 'catalog.shop: 5xx errors burn the 99.5% success-rate budget 14.4x too fast',
      },
      expr: `${ratio('1h')} > 0.072\nand\n${ratio('5m')} > 0.072`,
      labels: { long_window: '1h', severity: 'critical', slo: 'success-rate' },
    }]);
  });

  test('latency burn: share of requests slower than the p99 objective (a bucket boundary)', () => {
    const chart = Testing.chart();
    new ServiceAlerts(chart, 'alerts', { target: CATALOG, p99Latency: Duration.millis(250), burnRateWindows: [BurnRateWindow.SLOW] });
    const rules = Testing.synth(chart)[0].spec.groups[0].rules;
    const slow = (w: string) => `(1 - (${BY}(rate(istio_request_duration_milliseconds_bucket{${SEL},le=~"250(\\\\.0)?"}[${w}]))`
      + ` / ${BY}(rate(istio_request_duration_milliseconds_count{${SEL}}[${w}]))))`;
    expect(rules[1].expr).toEqual(`${slow('6h')} > 0.06\nand\n${slow('30m')} > 0.06`);
    expect(rules[1].labels).toEqual({ long_window: '6h', severity: 'warning', slo: 'latency' });
  });

  test('ambient: reporter="waypoint"; extra selector and alert labels', () => {
    const chart = Testing.chart();
    new ServiceAlerts(chart, 'alerts', {
      target: CATALOG,
      reporter: MetricsReporter.WAYPOINT,
      extraSelector: { cluster: 'eu-1' },
      alertLabels: { team: 'storefront' },
      latencyAlerts: false,
      burnRateWindows: [BurnRateWindow.of({ longWindow: Duration.days(3), shortWindow: Duration.hours(6), burnRate: 1, severity: 'ticket' })],
    });
    const [r] = Testing.synth(chart)[0].spec.groups[0].rules;
    expect(r.expr).toContain('{reporter="waypoint",destination_service_namespace="shop",destination_service_name="catalog",cluster="eu-1",response_code=~"5.."}[3d]');
    expect(r.labels).toEqual({ long_window: '3d', severity: 'ticket', slo: 'success-rate', team: 'storefront' });
    expect(r.expr).toContain('> 0.001');
  });

  test('canary: canary vs stable success rate and p99 latency, by destination_version (exact PromQL)', () => {
    // GIVEN
    const chart = Testing.chart();
    // WHEN
    new ServiceAlerts(chart, 'alerts', { target: CANARY });
    // THEN
    const groups = Testing.synth(chart)[0].spec.groups;
    expect(groups.map((g: any) => g.name)).toEqual(['catalog.shop.slo', 'catalog.shop.canary']);
    const [success, latency] = groups[1].rules;
    const ok = (v: string) => `(${BY}(rate(istio_requests_total{${SEL},destination_version="${v}",response_code!~"5.."}[5m]))`
      + ` / ${BY}(rate(istio_requests_total{${SEL},destination_version="${v}"}[5m])))`;
    expect(success.alert).toEqual('IstioCanarySuccessRateDegraded');
    expect(success.expr).toEqual(`${ok('v2')}\n< ${ok('v1')} - 0.01`);
    expect(success.for).toEqual('5m');
    expect(success.labels).toEqual({ canary_version: 'v2', severity: 'warning', stable_version: 'v1' });
    const p99 = (v: string) => `histogram_quantile(0.99, sum by (le, destination_service_namespace, destination_service_name) (rate(istio_request_duration_milliseconds_bucket{${SEL},destination_version="${v}"}[5m])))`;
    expect(latency.alert).toEqual('IstioCanaryLatencyDegraded');
    expect(latency.expr).toEqual(`${p99('v2')}\n> 1.2 * ${p99('v1')}`);
  });

  test('escapes quotes and backslashes in label values from the target', () => {
    const chart = Testing.chart();
    const odd = { toMonitoringTarget: () => ({ serviceName: 'catalog', namespace: 'shop', canary: { stableVersion: 'v1"x', canaryVersion: 'v2\\', stableWeight: 90, canaryWeight: 10 } }) };
    new ServiceAlerts(chart, 'alerts', { target: odd, latencyAlerts: false });
    const expr = Testing.synth(chart)[0].spec.groups[1].rules[0].expr;
    expect(expr).toContain('destination_version="v2\\\\"');
    expect(expr).toContain('destination_version="v1\\"x"');
  });

  test('escape hatch: ApiObject.of(alerts)', () => {
    const chart = Testing.chart();
    const a = new ServiceAlerts(chart, 'alerts', { target: CATALOG });
    ApiObject.of(a).addJsonPatch(JsonPatch.add('/metadata/labels', { release: 'prom' }));
    expect(Testing.synth(chart)[0].metadata.labels).toEqual({ release: 'prom' });
  });

  test('fails on SLO targets outside (0, 100)', () => {
    const chart = Testing.chart();
    expect(() => new ServiceAlerts(chart, 'a', { target: CATALOG, successRateSlo: 100 })).toThrow(
      'Invalid successRateSlo 100: an objective is a percentage strictly between 0 and 100 (100% leaves no error budget, so every error would page). Fix: use e.g. 99.9');
    expect(() => new ServiceAlerts(chart, 'b', { target: CATALOG, successRateSlo: 0 })).toThrow('Invalid successRateSlo 0');
    expect(() => new ServiceAlerts(chart, 'c', { target: CATALOG, latencySloPercent: 120 })).toThrow('Invalid latencySloPercent 120');
  });

  test('fails on a burn rate that can never fire for the SLO', () => {
    const chart = Testing.chart();
    expect(() => new ServiceAlerts(chart, 'a', { target: CATALOG, successRateSlo: 90 })).toThrow(
      'Invalid burnRateWindows "14.4x": with successRateSlo the alert threshold 144% of requests can never be exceeded. Fix: lower the burn rate below 10 or raise successRateSlo');
  });

  test('fails on alert windows that are not valid durations', () => {
    expect(() => BurnRateWindow.of({ longWindow: Duration.millis(3_600_500), shortWindow: Duration.minutes(5), burnRate: 14.4 }))
      .toThrow('Invalid longWindow "1 hour 500 millis": Prometheus range windows here are whole, positive numbers of seconds');
    expect(() => BurnRateWindow.of({ longWindow: Duration.minutes(5), shortWindow: Duration.hours(1), burnRate: 14.4 }))
      .toThrow('Invalid shortWindow "1h": the short window must be shorter than the long window (5m)');
    expect(() => BurnRateWindow.of({ longWindow: Duration.hours(1), shortWindow: Duration.minutes(5), burnRate: 0 })).toThrow('Invalid burnRate 0: a burn rate is a positive number');
    expect(() => new ServiceAlerts(Testing.chart(), 'a', { target: CANARY, canaryWindow: Duration.millis(10) })).toThrow('Invalid canaryWindow "10 millis"');
  });

  test('fails on a latency objective that is not a histogram bucket boundary', () => {
    expect(() => new ServiceAlerts(Testing.chart(), 'a', { target: CATALOG, p99Latency: Duration.millis(300) })).toThrow(
      'Invalid p99Latency "300ms": it is not a bucket boundary of istio_request_duration_milliseconds, so the share of slower requests cannot be measured. Fix: use Duration.millis(250) or Duration.millis(500)');
  });

  test('fails on label values that would break PromQL', () => {
    const chart = Testing.chart();
    const bad = { toMonitoringTarget: () => ({ serviceName: 'catalog', namespace: 'shop', canary: { stableVersion: 'v1', canaryVersion: 'v2"}\n', stableWeight: 90, canaryWeight: 10 } }) };
    expect(() => new ServiceAlerts(chart, 'a', { target: bad })).toThrow('Invalid canary.canaryVersion "v2\\"}\\n": label values with control characters');
    expect(() => new ServiceAlerts(chart, 'b', { target: CATALOG, extraSelector: { cluster: 'a\nb' } })).toThrow('Invalid extraSelector["cluster"] "a\\nb"');
  });

  test('fails on alert labels that are not Prometheus label names, and on an invalid severity', () => {
    expect(() => new ServiceAlerts(Testing.chart(), 'a', { target: CATALOG, alertLabels: { 'team-name': 'storefront' } }))
      .toThrow('Invalid alertLabels key "team-name": it is not a Prometheus label name');
    expect(() => BurnRateWindow.of({ longWindow: Duration.hours(1), shortWindow: Duration.minutes(5), burnRate: 2, severity: 'page me' }))
      .toThrow('Invalid severity["severity"] "page me": it is not a valid label value');
  });

  test('fails on bad canary thresholds and targets', () => {
    const chart = Testing.chart();
    expect(() => new ServiceAlerts(chart, 'a', { target: CANARY, canaryMaxLatencyRatio: 0.9 })).toThrow('Invalid canaryMaxLatencyRatio 0.9');
    expect(() => new ServiceAlerts(chart, 'b', { target: CANARY, canaryMaxSuccessRateDrop: 100 })).toThrow('Invalid canaryMaxSuccessRateDrop 100');
    expect(() => new ServiceAlerts(chart, 'c', { target: CATALOG, burnRateWindows: [] })).toThrow('Invalid burnRateWindows []: no window means no SLO alert');
    const same = { toMonitoringTarget: () => ({ serviceName: 'catalog', namespace: 'shop', canary: { stableVersion: 'v1', canaryVersion: 'v1', stableWeight: 90, canaryWeight: 10 } }) };
    expect(() => new ServiceAlerts(chart, 'd', { target: same })).toThrow('Invalid target.canary.canaryVersion "v1": stable and canary have the same version');
    const empty = { toMonitoringTarget: () => ({ serviceName: 'catalog', namespace: 'shop', canary: { stableVersion: '', canaryVersion: 'v2', stableWeight: 90, canaryWeight: 10 } }) };
    expect(() => new ServiceAlerts(chart, 'e', { target: empty })).toThrow('Invalid target.canary.stableVersion "": a version label is needed to tell stable from canary');
  });
});
