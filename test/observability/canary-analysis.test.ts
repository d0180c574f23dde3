import { App, Chart, Duration, Testing } from 'cdk8s';
import { CanaryAnalysis, CanaryService, CanaryVersionLabels, ConformanceValidator, MeshObservability, MetricsReporter, MonitoringTarget } from '../../src';
import { _AnalysisDefinition, _Evidence, _verdict } from '../../src/observability/_canary-analysis';

function shopChart(context: { [k: string]: any } = {}): Chart {
  const app = new App();
  for (const [k, v] of Object.entries(context)) app.node.setContext(k, v);
  return new Chart(app, 'shop', { namespace: 'shop' });
}
const versions = { stable: { version: 'v1' }, canary: { version: 'v2' } };

describe('CanaryAnalysis', () => {
  test('a ConfigMap carries the definition: the canary, its schedule, the SLOs and the queries', () => {
    const chart = shopChart({ [CanaryService.STATE_FILE_CONTEXT_KEY]: 'does-not-exist-yet.json' });
    const catalog = new CanaryService(chart, 'catalog', { port: 8080, ...versions, steps: [10, 25, 50, 100] });
    const a = new CanaryAnalysis(chart, 'analysis', { target: catalog, successRateSlo: 99.5, p99Latency: Duration.millis(250), extraSelector: { cluster: 'eu' } });
    const cm = Testing.synth(chart).find((o) => o.kind === 'ConfigMap')!;
    expect(cm.metadata).toEqual({ name: 'catalog-canary-analysis', namespace: 'shop', labels: { 'cdk8s-istio.dev/canary-analysis': 'v1' } });
    const d = JSON.parse(cm.data['analysis.json']);
    expect(d).toEqual(a._definition);
    const { queries, ...rest } = d;
    expect(rest).toEqual({
      apiVersion: 'cdk8s-istio.dev/v1',
      kind: 'CanaryAnalysis',
      service: 'catalog',
      namespace: 'shop',
      stableVersion: 'v1',
      canaryVersion: 'v2',
      canaryWeight: 10,
      steps: [10, 25, 50, 100],
      step: 0,
      stateFile: 'does-not-exist-yet.json',
      reporter: 'destination',
      versionLabels: 'version-label',
      successRateSlo: 99.5,
      latencyMs: 250,
      latencyPercent: 99,
      compareWithStable: true,
      maxSuccessRateDrop: 1,
      maxLatencyRatio: 1.2,
      minRequests: 100,
      window: '10m',
      windowSeconds: 600,
      interval: '1m',
      intervalSeconds: 60,
      maxFailedChecks: 1,
    });
    const sel = 'reporter="destination",destination_service_namespace="shop",destination_service_name="catalog",cluster="eu",destination_version="v2"';
    expect(queries.canary).toEqual({
      requests: `sum(increase(istio_requests_total{${sel}}[10m]))`,
      successRate: `(sum(rate(istio_requests_total{${sel},response_code!~"5.."}[10m])) / sum(rate(istio_requests_total{${sel}}[10m])))`,
      latency: `histogram_quantile(0.99, sum by (le) (rate(istio_request_duration_milliseconds_bucket{${sel}}[10m])))`,
      successRateByInterval: `(sum(rate(istio_requests_total{${sel},response_code!~"5.."}[1m])) / sum(rate(istio_requests_total{${sel}}[1m])))`,
      latencyByInterval: `histogram_quantile(0.99, sum by (le) (rate(istio_request_duration_milliseconds_bucket{${sel}}[1m])))`,
    });
    expect(queries.stable.requests).toContain('destination_version="v1"');
  });

  test('without a state file the step is fixed by the app (no stateFile); per-version Services by option', () => {
    const chart = shopChart({ 'cdk8s-istio/canary-step': 2 });
    const catalog = new CanaryService(chart, 'catalog', { port: 8080, ...versions, steps: [10, 25, 50, 100] });
    const d = new CanaryAnalysis(chart, 'a', { target: catalog, versionLabels: CanaryVersionLabels.PER_VERSION_SERVICES, reporter: MetricsReporter.DESTINATION })._definition;
    expect([d.step, d.stateFile, d.canaryWeight]).toEqual([2, undefined, 50]);
    expect(d.queries.canary.requests).toEqual('sum(increase(istio_requests_total{reporter="destination",destination_service_namespace="shop",destination_service_name="catalog-v2"}[10m]))');
    // the per-service context value wins over the state file: advance could not move it
    const pinned = shopChart({ [CanaryService.STATE_FILE_CONTEXT_KEY]: 's.json', 'cdk8s-istio/canary-step/catalog': 1 });
    const c2 = new CanaryService(pinned, 'catalog', { port: 8080, ...versions, steps: [10, 25, 50, 100] });
    expect(new CanaryAnalysis(pinned, 'a', { target: c2 })._definition.stateFile).toBeUndefined();
  });

  test('fails on untyped callers: missing props, analysis options that are not an object', () => {
    expect(() => new CanaryAnalysis(Testing.chart(), 'a', undefined as any))
      .toThrow('Invalid props (undefined): it is required and must be an object. Fix: pass e.g. { target: catalog, successRateSlo: 99.5 }');
    const obs = new MeshObservability(Testing.chart(), 'obs');
    const canary = MonitoringTarget.canary({ serviceName: 'catalog', namespace: 'shop', stableVersion: 'v1', canaryVersion: 'v2', canaryWeight: 10 });
    expect(() => obs.monitor(canary, { analysis: 'fast' as any }))
      .toThrow('Invalid analysis "fast": it must be an object when given. Fix: pass e.g. { minRequests: 200, window: Duration.minutes(10) }');
  });

  test('fails on a target without a canary, a window that is not whole intervals, bad counts', () => {
    const chart = Testing.chart();
    const canary = MonitoringTarget.canary({ serviceName: 'catalog', namespace: 'shop', stableVersion: 'v1', canaryVersion: 'v2', canaryWeight: 10 });
    expect(() => new CanaryAnalysis(chart, 'a', { target: MonitoringTarget.inNamespace('shop', 'catalog') }))
      .toThrow('Invalid target "catalog.shop": it is not a canary (no stable and canary versions). Fix: analyse a CanaryService, or MonitoringTarget.canary({...})');
    expect(() => new CanaryAnalysis(chart, 'b', { target: canary, window: Duration.minutes(10), interval: Duration.minutes(3) }))
      .toThrow('Invalid interval "3m": the window (10m) must be a whole number of intervals. Fix: use e.g. window 10m and interval 1m');
    expect(() => new CanaryAnalysis(chart, 'c', { target: canary, minRequests: 0 })).toThrow('Invalid minRequests 0: it is a whole number of at least 1. Fix: use e.g. 100');
    expect(() => new CanaryAnalysis(chart, 'd', { target: canary, maxFailedChecks: 1.5 })).toThrow('Invalid maxFailedChecks 1.5: it is a whole number of at least 0. Fix: use e.g. 1');
    expect(() => new CanaryAnalysis(chart, 'e', { target: canary, canaryMaxLatencyRatio: 0.5 })).toThrow('Invalid canaryMaxLatencyRatio 0.5');
    // near misses stay valid
    expect(new CanaryAnalysis(chart, 'f', { target: canary, window: Duration.minutes(1), interval: Duration.minutes(1), maxFailedChecks: 0, minRequests: 1 })._definition.window).toEqual('1m');
  });
});

describe('CanaryAnalysis exports', () => {
  const target = MonitoringTarget.canary({ serviceName: 'catalog', namespace: 'shop', stableVersion: 'v1', canaryVersion: 'v2', canaryWeight: 10 });

  test('Argo Rollouts AnalysisTemplate: one metric per check, every interval over the window, valid against its CRD', () => {
    const chart = Testing.chart();
    const a = new CanaryAnalysis(chart, 'a', { target, successRateSlo: 99.5, p99Latency: Duration.millis(250), argoAnalysisTemplate: true, prometheusAddress: 'http://prom.monitoring:9090' });
    const t = Testing.synth(chart).find((o) => o.kind === 'AnalysisTemplate')!;
    expect(a.analysisTemplate).toBeDefined();
    expect(a.metricTemplates).toEqual([]);
    expect([t.apiVersion, t.metadata]).toEqual(['argoproj.io/v1alpha1', { name: 'catalog-canary', namespace: 'shop' }]);
    const q = a._definition.queries;
    expect(t.spec.metrics[0]).toEqual({
      name: 'success-rate',
      interval: '1m',
      count: 10,
      failureLimit: 1,
      successCondition: 'len(result) > 0 && result[0] >= 0.995',
      provider: { prometheus: { address: 'http://prom.monitoring:9090', query: q.canary.successRateByInterval } },
    });
    expect(t.spec.metrics[3].provider.prometheus.query).toEqual(`${q.canary.latencyByInterval}\n/ ${q.stable.latencyByInterval}`);
    expect(ConformanceValidator.builtIn().validate(t)).toEqual([]);
  });

  test('Flagger MetricTemplates: one per check with its threshold range; without comparison, two', () => {
    const chart = Testing.chart();
    const a = new CanaryAnalysis(chart, 'a', { target, flaggerMetricTemplates: true, compareWithStable: false });
    const ts = Testing.synth(chart).filter((o) => o.kind === 'MetricTemplate');
    expect(a.analysisTemplate).toBeUndefined();
    expect(ts.map((t) => [t.apiVersion, t.metadata.name, t.metadata.annotations['cdk8s-istio.dev/threshold-range']])).toEqual([
      ['flagger.app/v1beta1', 'catalog-canary-success-rate', 'min=0.999'],
      ['flagger.app/v1beta1', 'catalog-canary-latency', 'max=1000'],
    ]);
    expect(ts[0].spec).toEqual({ provider: { type: 'prometheus', address: 'http://prometheus-operated.monitoring.svc.cluster.local:9090' }, query: a._definition.queries.canary.successRateByInterval });
    for (const t of ts) expect(ConformanceValidator.builtIn().validate(t)).toEqual([]);
  });

  test('fails on a Prometheus address that is not an HTTP URL', () => {
    expect(() => new CanaryAnalysis(Testing.chart(), 'a', { target, argoAnalysisTemplate: true, prometheusAddress: 'prom:9090' }))
      .toThrow('Invalid prometheusAddress "prom:9090": the templates query Prometheus over HTTP. Fix: give e.g. "http://prometheus-operated.monitoring.svc.cluster.local:9090"');
  });
});

describe('the verdict rule', () => {
  const d = new CanaryAnalysis(Testing.chart(), 'a', {
    target: MonitoringTarget.canary({ serviceName: 'catalog', namespace: 'shop', stableVersion: 'v1', canaryVersion: 'v2', canaryWeight: 10 }),
    successRateSlo: 99,
    p99Latency: Duration.millis(250),
    window: Duration.minutes(3),
    interval: Duration.minutes(1),
  })._definition as _AnalysisDefinition;
  const good = { requests: 1000, successRate: 0.999, latency: 100 };
  const evidence = (over: Partial<_Evidence['series']> = {}, canary: _Evidence['canary'] = good, stable: _Evidence['stable'] = good): _Evidence => ({
    canary,
    stable,
    series: {
      times: [1, 2, 3],
      canarySuccessRate: [0.999, 0.999, 0.999],
      stableSuccessRate: [0.999, 0.999, 0.999],
      canaryLatency: [100, 100, 100],
      stableLatency: [100, 100, 100],
      ...over,
    },
  });

  test('promote only with enough traffic, every check present and the window within the objectives', () => {
    expect(_verdict(d, evidence()).verdict).toEqual('promote');
    // one failed check is allowed (maxFailedChecks 1), two are not
    expect(_verdict(d, evidence({ canarySuccessRate: [0.9, 0.999, 0.999] })).verdict).toEqual('promote');
    expect(_verdict(d, evidence({ canarySuccessRate: [0.9, 0.9, 0.999] }))).toEqual({
      verdict: 'rollback',
      failedChecks: 2,
      checks: 3,
      missingChecks: 0,
      reasons: ['2 of 3 checks (every 1m) failed, more than the 1 allowed', 'success rate 90% is below the 99% objective', 'success rate 90% is more than 1 points below stable\'s 99.9%'],
    });
  });

  test('hold: missing checks, missing stable data, a window missing an objective, too little traffic', () => {
    expect(_verdict(d, evidence({ canarySuccessRate: [undefined, 0.999, 0.999] })).reasons).toEqual(['missing data: 1 of 3 checks had no canary success rate']);
    expect(_verdict(d, evidence({}, good, { requests: 0, successRate: undefined, latency: undefined })).reasons).toEqual(['missing data: no stable success rate over 3m to compare with']);
    expect(_verdict(d, evidence({}, { ...good, latency: 300 })).reasons).toEqual(['over the whole 3m window: p99 300ms is above the 250ms objective; p99 300ms is more than 1.2x stable\'s 100ms']);
    expect(_verdict(d, evidence({}, { ...good, requests: 99 })).reasons).toEqual(['too little traffic: 99 canary requests in 3m, the analysis needs at least 100']);
    expect(_verdict(d, evidence({ times: [], canarySuccessRate: [], stableSuccessRate: [], canaryLatency: [], stableLatency: [] })).verdict).toEqual('hold');
  });
});
