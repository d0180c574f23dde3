import { Chart, Testing } from 'cdk8s';
import { AccessLogProvider, ExtAuthzProvider, MeshConfigFragment, MetricsProvider, OutboundTrafficMode, TracingProvider } from '../../src';

const JAEGER = TracingProvider.jaeger({ service: 'jaeger-collector.observability.svc.cluster.local' });
const JSON_LOG = AccessLogProvider.envoyFile({ name: 'json-stdout', jsonLabels: { code: '%RESPONSE_CODE%' } });

describe('MeshConfigFragment', () => {
  test('default: renders nothing into the manifests, an empty fragment as a value', () => {
    // GIVEN
    const chart = Testing.chart();
    // WHEN
    const mesh = new MeshConfigFragment(chart, 'mesh');
    // THEN
    expect(Testing.synth(chart)).toEqual([]);
    expect(mesh.toMeshConfig()).toEqual({});
    expect(mesh.configMap).toBeUndefined();
  });

  test('extensionProviders sorted by name, defaultProviders listed', () => {
    // GIVEN
    const chart = Testing.chart();
    // WHEN
    const mesh = new MeshConfigFragment(chart, 'mesh', { tracingProviders: [JAEGER], defaultAccessLogProviders: [AccessLogProvider.ENVOY] });
    mesh.addAccessLogProvider(JSON_LOG);
    mesh.addTracingProvider(JAEGER, true); // again, now as default: no-op declaration
    // THEN
    expect(mesh.toMeshConfig()).toEqual({
      defaultProviders: { accessLogging: ['envoy'], tracing: ['jaeger'] },
      extensionProviders: [
        { name: 'jaeger', opentelemetry: { port: 4317, service: 'jaeger-collector.observability.svc.cluster.local' } },
        { name: 'json-stdout', envoyFileAccessLog: { logFormat: { labels: { code: '%RESPONSE_CODE%' } }, path: '/dev/stdout' } },
      ],
    });
  });

  test('Helm values YAML for the istiod chart', () => {
    const chart = Testing.chart();
    const mesh = new MeshConfigFragment(chart, 'mesh', { defaultTracingProviders: [JAEGER] });
    expect(mesh.toHelmValuesYaml()).toEqual([
      'meshConfig:',
      '  defaultProviders:',
      '    tracing:',
      '      - jaeger',
      '  extensionProviders:',
      '    - name: jaeger',
      '      opentelemetry:',
      '        port: 4317',
      '        service: jaeger-collector.observability.svc.cluster.local',
      '',
    ].join('\n'));
  });

  test('optionally the istio ConfigMap (snapshot)', () => {
    // GIVEN
    const chart = Testing.chart();
    // WHEN
    new MeshConfigFragment(chart, 'mesh', { tracingProviders: [JAEGER], emitConfigMap: true });
    // THEN
    const [cm] = Testing.synth(chart);
    expect(cm.metadata).toEqual({ name: 'istio', namespace: 'istio-system' });
    expect(cm.data.mesh).toEqual('extensionProviders:\n  - name: jaeger\n    opentelemetry:\n      port: 4317\n      service: jaeger-collector.observability.svc.cluster.local\n');
    expect(Testing.synth(chart)).toMatchSnapshot();
  });

  test('fails on a different provider under a taken name', () => {
    const chart = Testing.chart();
    new MeshConfigFragment(chart, 'a', { tracingProviders: [JAEGER] });
    const other = TracingProvider.zipkin({ service: 'zipkin.obs.svc.cluster.local', name: 'jaeger' });
    expect(() => new MeshConfigFragment(chart, 'b', { tracingProviders: [other] }))
      .toThrow('Invalid provider name "jaeger": test/a already declares a different provider under this name');
  });

  test('fails on an invalid ConfigMap namespace', () => {
    const chart = Testing.chart();
    expect(() => new MeshConfigFragment(chart, 'm', { emitConfigMap: true, istioNamespace: 'Istio' })).toThrow('Invalid istioNamespace "Istio"');
  });
});

describe('MeshConfigFragment.of(): the app\'s one mesh-config fragment', () => {
  test('returns the first fragment of the app, or creates it once in the scope\'s Chart', () => {
    const app = Testing.app();
    const chart = new Chart(app, 'platform');
    const other = new Chart(app, 'shop', { namespace: 'shop' });
    const created = MeshConfigFragment.of(other);
    expect(created.node.path).toEqual('shop/MeshConfig');
    expect(MeshConfigFragment.of(chart)).toBe(created);
    const jaeger = TracingProvider.jaeger({ service: 'jaeger-collector.observability.svc.cluster.local' });
    MeshConfigFragment.of(chart).addTracingProvider(jaeger);
    expect(created.toMeshConfig().extensionProviders.map((p: any) => p.name)).toEqual([jaeger.name]);
  });

  test('an app that defines a fragment itself gets that one', () => {
    const chart = Testing.chart();
    const own = new MeshConfigFragment(chart, 'mesh');
    expect(MeshConfigFragment.of(chart)).toBe(own);
  });

  test('mesh-wide settings: REGISTRY_ONLY, ext-authz providers, the OpenTelemetry access log, default providers, trace sampling (Helm values)', () => {
    // GIVEN
    const chart = Testing.chart();
    const otelAls = AccessLogProvider.openTelemetry({ name: 'otel', service: 'opentelemetry-collector.observability.svc.cluster.local' });
    // WHEN
    const mesh = new MeshConfigFragment(chart, 'mesh', {
      outboundTrafficPolicy: OutboundTrafficMode.REGISTRY_ONLY,
      extAuthzProviders: [
        ExtAuthzProvider.http({ name: 'sample-ext-authz-http', service: 'ext-authz.foo.svc.cluster.local', port: 8000, includeRequestHeadersInCheck: ['x-ext-authz'] }),
        ExtAuthzProvider.grpc({ name: 'sample-ext-authz-grpc', service: 'ext-authz.foo.svc.cluster.local', port: 9000 }),
      ],
      accessLogProviders: [otelAls],
      defaultMetricsProviders: [MetricsProvider.PROMETHEUS],
      defaultTracingProviders: [JAEGER],
      tracingSamplingPercent: 10,
    });
    mesh.addAccessLogProvider(otelAls, true);
    // THEN
    expect(Testing.synth(chart)).toEqual([]);
    expect(mesh.toHelmValuesYaml()).toEqual([
      'meshConfig:',
      '  defaultConfig:',
      '    tracing:',
      '      sampling: 10',
      '  defaultProviders:',
      '    accessLogging:',
      '      - otel',
      '    metrics:',
      '      - prometheus',
      '    tracing:',
      '      - jaeger',
      '  extensionProviders:',
      '    - name: jaeger',
      '      opentelemetry:',
      '        port: 4317',
      '        service: jaeger-collector.observability.svc.cluster.local',
      '    - envoyOtelAls:',
      '        port: 4317',
      '        service: opentelemetry-collector.observability.svc.cluster.local',
      '      name: otel',
      '    - envoyExtAuthzGrpc:',
      '        port: 9000',
      '        service: ext-authz.foo.svc.cluster.local',
      '      name: sample-ext-authz-grpc',
      '    - envoyExtAuthzHttp:',
      '        includeRequestHeadersInCheck:',
      '          - x-ext-authz',
      '        port: 8000',
      '        service: ext-authz.foo.svc.cluster.local',
      '      name: sample-ext-authz-http',
      '  outboundTrafficPolicy:',
      '    mode: REGISTRY_ONLY',
      '',
    ].join('\n'));
  });

  test('a named Prometheus metrics provider is declared; the built-in one only when made a default', () => {
    const chart = Testing.chart();
    const mesh = new MeshConfigFragment(chart, 'mesh', { metricsProviders: [MetricsProvider.PROMETHEUS, MetricsProvider.prometheus({ name: 'tenant' })] });
    expect(mesh.toMeshConfig()).toEqual({ extensionProviders: [{ name: 'tenant', prometheus: {} }] });
  });

  test('the OpenTelemetry access log provider: log name and format', () => {
    expect(AccessLogProvider.openTelemetry({
      name: 'otel', service: 'otel.o.svc.cluster.local', port: 4318, logName: 'envoy', jsonLabels: { path: '%REQ(:PATH)%' },
    })._toExtensionProvider()).toEqual({
      name: 'otel', envoyOtelAls: { logFormat: { labels: { path: '%REQ(:PATH)%' } }, logName: 'envoy', port: 4318, service: 'otel.o.svc.cluster.local' },
    });
  });

  test('fails on an unknown outbound mode, a sampling percentage outside 0-100, a non-provider, an empty OTel log name', () => {
    const chart = Testing.chart();
    expect(() => new MeshConfigFragment(chart, 'a', { outboundTrafficPolicy: 'DENY' as any }))
      .toThrow('Invalid outboundTrafficPolicy "DENY": it is not an outbound traffic mode. Fix: use OutboundTrafficMode.REGISTRY_ONLY or ALLOW_ANY');
    expect(() => new MeshConfigFragment(chart, 'b', { tracingSamplingPercent: 150 }))
      .toThrow('Invalid tracingSamplingPercent 150: a sampling percentage is between 0 and 100 (istiod replaces a larger one with 1). Fix: use e.g. 10 for 10% of requests');
    expect(() => new MeshConfigFragment(chart, 'c', { extAuthzProviders: ['opa' as any] }))
      .toThrow('Invalid extAuthzProviders "opa": it is not an ExtAuthzProvider');
    expect(() => new MeshConfigFragment(chart, 'd', { metricsProviders: ['prometheus' as any] }))
      .toThrow('Invalid metricsProviders "prometheus": it is not a MetricsProvider');
    expect(() => AccessLogProvider.openTelemetry({ name: 'otel', service: 'otel.o.svc.cluster.local', logName: ' ' }))
      .toThrow('Invalid logName " ": the log name is empty');
    expect(() => AccessLogProvider.openTelemetry({ name: 'otel', service: 'otel.o.svc.cluster.local', textFormat: 'a', jsonLabels: { a: 'b' } }))
      .toThrow('Invalid textFormat "a": textFormat and jsonLabels are mutually exclusive');
  });
});
