import { Chart, Testing } from 'cdk8s';
import { AccessLogProvider, MeshConfigFragment, TracingProvider } from '../../src';

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
});
