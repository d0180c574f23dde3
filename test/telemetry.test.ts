import { ApiObject, Chart, Duration, JsonPatch, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import {
  AccessLogProvider, ConformanceValidator, IstioMetric, MeshConfigFragment, MeshWorkload, MetricsProvider, MetricTagOverride, Telemetry,
  TelemetryMode, PolicyTargetRef, TracingCustomTag, TracingProvider,
} from '../src';

const JAEGER = TracingProvider.jaeger({ service: 'jaeger-collector.observability.svc.cluster.local' });

function chartWithJaeger(namespace?: string): Chart {
  const chart = new Chart(Testing.app(), 'test', { namespace });
  new MeshConfigFragment(chart, 'mesh', { tracingProviders: [JAEGER] });
  return chart;
}

describe('Telemetry', () => {
  test('default: an empty namespace-wide Telemetry', () => {
    // GIVEN
    const chart = Testing.chart();
    // WHEN
    new Telemetry(chart, 'telemetry', { metadata: { name: 'default', namespace: 'shop' } });
    // THEN
    const [obj] = Testing.synth(chart);
    expect(obj).toEqual({ apiVersion: 'telemetry.istio.io/v1', kind: 'Telemetry', metadata: { name: 'default', namespace: 'shop' }, spec: {} });
  });

  test('tracing: providers, sampling percentage, custom tags (sorted), mode', () => {
    // GIVEN
    const chart = chartWithJaeger('shop');
    // WHEN
    new Telemetry(chart, 'telemetry', {
      tracing: [{
        providers: [JAEGER],
        samplingPercent: 10,
        mode: TelemetryMode.SERVER,
        customTags: [
          TracingCustomTag.literal('team', 'storefront'),
          TracingCustomTag.header('agent', 'user-agent', 'unknown'),
          TracingCustomTag.environment('cluster', 'CLUSTER_NAME'),
        ],
      }],
    });
    // THEN
    const spec = Testing.synth(chart).find((o) => o.kind === 'Telemetry')!.spec;
    expect(spec).toEqual({
      tracing: [{
        providers: [{ name: 'jaeger' }],
        randomSamplingPercentage: 10,
        match: { mode: 'SERVER' },
        customTags: {
          agent: { header: { name: 'user-agent', defaultValue: 'unknown' } },
          cluster: { environment: { name: 'CLUSTER_NAME' } },
          team: { literal: { value: 'storefront' } },
        },
      }],
    });
    expect(Object.keys(spec.tracing[0].customTags)).toEqual(['agent', 'cluster', 'team']);
  });

  test('access logging: built-in envoy provider, filter, disabled', () => {
    // GIVEN
    const chart = Testing.chart();
    // WHEN
    const t = new Telemetry(chart, 'telemetry', {
      metadata: { namespace: 'shop' },
      accessLogging: [{ providers: [AccessLogProvider.ENVOY], filter: 'response.code >= 400' }],
    });
    t.addAccessLogging({ disabled: true, mode: TelemetryMode.CLIENT });
    // THEN
    expect(Testing.synth(chart)[0].spec.accessLogging).toEqual([
      { providers: [{ name: 'envoy' }], filter: { expression: 'response.code >= 400' } },
      { disabled: true, match: { mode: 'CLIENT' } },
    ]);
  });

  test('metrics: tag overrides, disabled metrics, reporting interval', () => {
    // GIVEN
    const chart = Testing.chart();
    // WHEN
    new Telemetry(chart, 'telemetry', {
      metadata: { namespace: 'shop' },
      metrics: [{
        reportingInterval: Duration.seconds(15),
        overrides: [
          { metric: IstioMetric.REQUEST_COUNT, mode: TelemetryMode.SERVER, tagOverrides: [MetricTagOverride.remove('request_protocol'), MetricTagOverride.upsert('request_host', 'request.host')] },
          { metric: IstioMetric.REQUEST_SIZE, disabled: true },
        ],
      }],
    });
    // THEN
    expect(Testing.synth(chart)[0].spec.metrics).toEqual([{
      reportingInterval: '15s',
      overrides: [
        {
          match: { metric: 'REQUEST_COUNT', mode: 'SERVER' },
          tagOverrides: { request_host: { operation: 'UPSERT', value: 'request.host' }, request_protocol: { operation: 'REMOVE' } },
        },
        { match: { metric: 'REQUEST_SIZE' }, disabled: true },
      ],
    }]);
  });

  test('per workload: selector from an IMeshWorkload, placed in the workload namespace', () => {
    // GIVEN
    const chart = Testing.chart();
    const wl = MeshWorkload.labels({ app: 'catalog', version: 'v2' }, { namespace: 'shop' });
    // WHEN
    const t = new Telemetry(chart, 'telemetry', { selector: wl, accessLogging: [{ providers: [AccessLogProvider.ENVOY] }] });
    // THEN
    const [obj] = Testing.synth(chart);
    expect(t.selectorless).toBe(false);
    expect(obj.metadata.namespace).toEqual('shop');
    expect(obj.spec.selector).toEqual({ matchLabels: { app: 'catalog', version: 'v2' } });
  });

  test('per workload: selector from a kplus Deployment reads its labels at synth', () => {
    // GIVEN
    const chart = new Chart(Testing.app(), 'c', { namespace: 'shop' });
    const dep = new kplus.Deployment(chart, 'catalog', { containers: [{ image: 'catalog', portNumber: 8080 }] });
    // WHEN
    new Telemetry(chart, 'telemetry', { selector: MeshWorkload.fromWorkload(dep) });
    // THEN
    const obj = Testing.synth(chart).find((o) => o.kind === 'Telemetry')!;
    expect(obj.spec.selector.matchLabels).toEqual(dep.matchLabels);
  });

  test('targetRefs: Gateway and Service', () => {
    // GIVEN
    const chart = Testing.chart();
    // WHEN
    new Telemetry(chart, 'telemetry', { metadata: { namespace: 'shop' }, targetRefs: [PolicyTargetRef.gateway('edge'), PolicyTargetRef.service('catalog')] });
    // THEN
    expect(Testing.synth(chart)[0].spec.targetRefs).toEqual([
      { group: 'gateway.networking.k8s.io', kind: 'Gateway', name: 'edge' },
      { group: '', kind: 'Service', name: 'catalog' },
    ]);
  });

  test('mesh-wide: placed in the root namespace (istio-system by default, or another)', () => {
    // GIVEN
    const chart = Testing.chart();
    // WHEN
    new Telemetry(chart, 'mesh', { meshWide: true, metadata: { name: 'mesh-default' }, accessLogging: [{ providers: [AccessLogProvider.ENVOY] }] });
    new Telemetry(chart, 'mesh2', { meshWide: true, rootNamespace: 'istio-config', metadata: { name: 'mesh-default' } });
    // THEN
    const [a, b] = Testing.synth(chart);
    expect(a.metadata).toEqual({ name: 'mesh-default', namespace: 'istio-system' });
    expect(b.metadata).toEqual({ name: 'mesh-default', namespace: 'istio-config' });
  });

  test('a declared custom access log provider passes validation', () => {
    // GIVEN
    const chart = Testing.chart();
    const json = AccessLogProvider.envoyFile({ name: 'json-stdout', jsonLabels: { code: '%RESPONSE_CODE%' } });
    new MeshConfigFragment(chart, 'mesh', { accessLogProviders: [json] });
    // WHEN
    new Telemetry(chart, 'telemetry', { metadata: { namespace: 'shop' }, accessLogging: [{ providers: [json] }] });
    // THEN
    expect(Testing.synth(chart).find((o) => o.kind === 'Telemetry')!.spec.accessLogging).toEqual([{ providers: [{ name: 'json-stdout' }] }]);
  });

  test('selector-less Telemetries in different namespaces, or with selectors, are fine', () => {
    // GIVEN
    const chart = Testing.chart();
    // WHEN
    new Telemetry(chart, 'a', { metadata: { namespace: 'shop' } });
    new Telemetry(chart, 'b', { metadata: { namespace: 'payments' } });
    new Telemetry(chart, 'c', { metadata: { namespace: 'shop' }, selector: MeshWorkload.labels({ app: 'x' }) });
    // THEN
    expect(Testing.synth(chart)).toHaveLength(3);
  });

  test('the escape hatch reaches Istio field names', () => {
    // GIVEN
    const chart = Testing.chart();
    const t = new Telemetry(chart, 'telemetry', { metadata: { namespace: 'shop' } });
    // WHEN
    ApiObject.of(t).addJsonPatch(JsonPatch.add('/spec/tracing', [{ useRequestIdForTraceSampling: false }]));
    // THEN
    expect(Testing.synth(chart)[0].spec).toEqual({ tracing: [{ useRequestIdForTraceSampling: false }] });
  });

  test('fails on sampling outside 0-100', () => {
    const chart = chartWithJaeger('shop');
    expect(() => new Telemetry(chart, 't', { tracing: [{ providers: [JAEGER], samplingPercent: 101 }] }))
      .toThrow('Invalid samplingPercent 101: a sampling percentage is between 0 and 100. Fix: use e.g. 10 for 10% of requests (1 is Istio\'s default)');
    expect(() => new Telemetry(chart, 't2', { tracing: [{ samplingPercent: -1 }] })).toThrow('Invalid samplingPercent -1');
    expect(() => new Telemetry(chart, 't3', { tracing: [{ samplingPercent: NaN }] })).toThrow('Invalid samplingPercent');
  });

  test('fails synth on an undeclared tracing provider', () => {
    // GIVEN
    const chart = Testing.chart();
    const zipkin = TracingProvider.zipkin({ service: 'zipkin.observability.svc.cluster.local' });
    // WHEN
    new Telemetry(chart, 'telemetry', { metadata: { namespace: 'shop' }, tracing: [{ providers: [zipkin] }] });
    // THEN
    expect(() => Testing.synth(chart)).toThrow(
      'Invalid tracing provider of Telemetry \'test/telemetry\' "zipkin": no MeshConfigFragment of this app declares it, and Istio silently sends nothing to an undeclared provider. Fix: declare it');
  });

  test('fails synth on an undeclared access log provider', () => {
    const chart = Testing.chart();
    const json = AccessLogProvider.envoyFile({ name: 'json-stdout', jsonLabels: { code: '%RESPONSE_CODE%' } });
    new Telemetry(chart, 'telemetry', { metadata: { namespace: 'shop' }, accessLogging: [{ providers: [json] }] });
    expect(() => Testing.synth(chart)).toThrow(/Invalid accessLog provider of Telemetry 'test\/telemetry' "json-stdout": no MeshConfigFragment of this app declares it/);
  });

  test('fails synth on a provider whose name is declared with another definition', () => {
    const chart = chartWithJaeger();
    const other = TracingProvider.jaeger({ service: 'other.observability.svc.cluster.local' });
    new Telemetry(chart, 'telemetry', { metadata: { namespace: 'shop' }, tracing: [{ providers: [other] }] });
    expect(() => Testing.synth(chart)).toThrow(/Invalid tracing provider of Telemetry 'test\/telemetry' "jaeger": the app declares a different provider under this name/);
  });

  test('fails synth on two selector-less Telemetries in one namespace (IST0160)', () => {
    // GIVEN
    const chart = Testing.chart();
    // WHEN
    new Telemetry(chart, 'first', { metadata: { namespace: 'shop' } });
    new Telemetry(chart, 'second', { metadata: { namespace: 'shop' } });
    // THEN
    expect(() => Testing.synth(chart)).toThrow(
      'Invalid Telemetry \'test/second\' "shop": \'test/first\' is also a Telemetry without selector in this namespace; Istio then picks one arbitrarily (IST0160). Fix: merge them into one Telemetry, or give one of them a selector');
  });

  test('fails on selector together with targetRefs', () => {
    const chart = Testing.chart();
    expect(() => new Telemetry(chart, 't', { selector: MeshWorkload.labels({ app: 'a' }), targetRefs: [PolicyTargetRef.service('a')] }))
      .toThrow('Invalid targetRefs ["Service/a"]: Istio accepts either a selector or targetRefs, not both');
  });

  test('fails on meshWide with a selector, or in another namespace', () => {
    const chart = Testing.chart();
    expect(() => new Telemetry(chart, 't', { meshWide: true, selector: MeshWorkload.labels({ app: 'a' }) }))
      .toThrow('Invalid meshWide true: a mesh-wide Telemetry applies to every workload, so a selector or targetRefs contradicts it');
    expect(() => new Telemetry(chart, 't2', { meshWide: true, metadata: { namespace: 'shop' } }))
      .toThrow('Invalid metadata.namespace "shop": a mesh-wide Telemetry lives in the root namespace "istio-system"');
  });

  test('fails on a selector whose workload lives in another namespace', () => {
    const chart = Testing.chart();
    expect(() => new Telemetry(chart, 't', { metadata: { namespace: 'shop' }, selector: MeshWorkload.labels({ app: 'a' }, { namespace: 'payments' }) }))
      .toThrow('Invalid selector "a": the workload is in namespace "payments" but the Telemetry in "shop"');
  });

  test('fails on an empty access log filter, duplicate tags, invalid tag names and intervals', () => {
    const chart = Testing.chart();
    expect(() => new Telemetry(chart, 'a', { accessLogging: [{ filter: ' ' }] })).toThrow('Invalid filter " ": an empty filter expression is rejected by Istio');
    expect(() => new Telemetry(chart, 'b', { tracing: [{ customTags: [TracingCustomTag.literal('a', '1'), TracingCustomTag.literal('a', '2')] }] }))
      .toThrow('Invalid customTags "a": the tag is given twice');
    expect(() => MetricTagOverride.remove('request-host')).toThrow('Invalid tag "request-host": it is not a Prometheus label name');
    expect(() => MetricTagOverride.upsert('x', '')).toThrow('Invalid celExpression "": an upserted tag needs a value expression');
    expect(() => new Telemetry(chart, 'c', { metrics: [{ reportingInterval: Duration.millis(0) }] })).toThrow('Invalid reportingInterval "0 millis"');
    expect(() => new Telemetry(chart, 'd', { metrics: [{ overrides: [{ tagOverrides: [MetricTagOverride.remove('a'), MetricTagOverride.remove('a')] }] }] }))
      .toThrow('Invalid tagOverrides "a": the tag is overridden twice in one override');
  });

  test('fails on an access log filter or tag value that is not CEL', () => {
    const chart = Testing.chart();
    expect(() => new Telemetry(chart, 'a', { accessLogging: [{ filter: 'response.code >= ' }] }))
      .toThrow('Invalid filter "response.code >= ": it is not a valid CEL expression (Unexpected token: EOF). Fix: write a CEL expression such as "response.code >= 400"');
    expect(() => MetricTagOverride.upsert('host', 'request.host ==')).toThrow('Invalid celExpression "request.host ==": it is not a valid CEL expression');
  });

  test('fails on invalid custom tag sources', () => {
    expect(() => TracingCustomTag.literal('', 'x')).toThrow('Invalid tag "": a span tag needs a name');
    expect(() => TracingCustomTag.header('a', 'bad header')).toThrow('Invalid headerName "bad header": it is not an HTTP header name');
    expect(() => TracingCustomTag.environment('a', '1X')).toThrow('Invalid variable "1X": it is not an environment variable name');
  });

  test('metrics providers: the built-in prometheus and a declared one are rendered (a JavaScript providers value is no longer dropped)', () => {
    // GIVEN
    const chart = Testing.chart();
    const tenant = MetricsProvider.prometheus({ name: 'prometheus-tenant' });
    new MeshConfigFragment(chart, 'mesh', { metricsProviders: [tenant] });
    // WHEN
    new Telemetry(chart, 'telemetry', {
      metadata: { namespace: 'shop' },
      metrics: [{ providers: [MetricsProvider.PROMETHEUS, tenant], overrides: [{ metric: IstioMetric.REQUEST_COUNT, disabled: true }] }],
    });
    // THEN
    const [telemetry] = Testing.synth(chart);
    expect(telemetry.spec.metrics).toEqual([{
      providers: [{ name: 'prometheus' }, { name: 'prometheus-tenant' }],
      overrides: [{ match: { metric: 'REQUEST_COUNT' }, disabled: true }],
    }]);
    expect(ConformanceValidator.builtIn().validate(telemetry)).toEqual([]);
  });

  test('fails on metrics providers that are not MetricsProvider objects, listed twice, or undeclared (at synth)', () => {
    const chart = Testing.chart();
    expect(() => new Telemetry(chart, 'a', { metrics: [{ providers: ['prometheus'] as any }] }))
      .toThrow('Invalid metrics.providers "prometheus": it is not a MetricsProvider. Fix: use MetricsProvider.PROMETHEUS or MetricsProvider.prometheus({ name })');
    expect(() => new Telemetry(chart, 'b', { metrics: [{ providers: { name: 'prometheus' } as any }] }))
      .toThrow('Invalid metrics.providers {"name":"prometheus"}: it must be a list of MetricsProvider');
    expect(() => new Telemetry(chart, 'c', { metrics: [{ providers: [MetricsProvider.PROMETHEUS, MetricsProvider.PROMETHEUS] }] }))
      .toThrow('Invalid metrics.providers ["prometheus","prometheus"]: a provider is listed twice. Fix: list each provider once');
    expect(() => MetricsProvider.prometheus({ name: 'prometheus' }))
      .toThrow('Invalid name "prometheus": it is the name of Istio\'s built-in provider. Fix: use MetricsProvider.PROMETHEUS, or give another name');
    const chart2 = Testing.chart();
    new Telemetry(chart2, 'telemetry', { metadata: { namespace: 'shop' }, metrics: [{ providers: [MetricsProvider.prometheus({ name: 'tenant' })] }] });
    expect(() => Testing.synth(chart2)).toThrow(
      'Invalid metrics provider of Telemetry \'test/telemetry\' "tenant": no MeshConfigFragment of this app declares it, and Istio silently sends nothing to an undeclared provider. '
      + 'Fix: declare it: new MeshConfigFragment(scope, \'mesh-config\', { metricsProviders: [provider] }) (or fragment.addMetricsProvider(provider)), and install the fragment');
  });
});
