import { Testing } from 'cdk8s';
import { JaegerAllInOne, MeshObservability } from '../../src';

describe('JaegerAllInOne', () => {
  test('default: Deployment out of the mesh, collector and UI Services in observability (snapshot)', () => {
    // GIVEN
    const chart = Testing.chart();
    // WHEN
    const j = new JaegerAllInOne(chart, 'jaeger');
    // THEN
    const objs = Testing.synth(chart);
    expect(objs.map((o) => `${o.kind}/${o.metadata.namespace}/${o.metadata.name}`)).toEqual([
      'Deployment/observability/jaeger', 'Service/observability/jaeger-collector', 'Service/observability/tracing',
    ]);
    expect(objs[0].spec.template.metadata.labels['sidecar.istio.io/inject']).toEqual('false');
    expect(objs[1].spec.ports).toEqual([
      { name: 'grpc-otlp', port: 4317, targetPort: 4317 },
      { name: 'http-otlp', port: 4318, targetPort: 4318 },
      { name: 'http-zipkin', port: 9411, targetPort: 9411 },
    ]);
    expect(j.provider._toExtensionProvider()).toEqual({ name: 'jaeger', opentelemetry: { port: 4317, service: 'jaeger-collector.observability.svc.cluster.local' } });
    expect(Testing.synth(chart)).toMatchSnapshot();
  });

  test('its provider plugs into MeshObservability', () => {
    const chart = Testing.chart();
    const j = new JaegerAllInOne(chart, 'jaeger', { namespace: 'tracing' });
    const obs = new MeshObservability(chart, 'obs', { tracing: j.provider, samplingPercent: 100, scraping: false, recordingRules: false, meshDashboard: false });
    expect(obs.meshConfig.toMeshConfig().extensionProviders[0].opentelemetry.service).toEqual('jaeger-collector.tracing.svc.cluster.local');
    expect(Testing.synth(chart).find((o) => o.kind === 'Telemetry')!.spec.tracing[0].randomSamplingPercentage).toEqual(100);
  });

  test('fails on an invalid namespace', () => {
    expect(() => new JaegerAllInOne(Testing.chart(), 'j', { namespace: 'Obs' })).toThrow('Invalid namespace "Obs"');
  });
});
