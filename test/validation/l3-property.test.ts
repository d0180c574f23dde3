// Property-based tests over the L3s: random but valid intents (SecureNamespace, CanaryService, MeshGateway,
// MeshDependencies, MeshObservability) produce output with zero schema/CEL/mesh findings, and
// synthesizing the same app twice is byte-identical.
import { App, Chart, Duration, Testing } from 'cdk8s';
import * as fc from 'fast-check';
import {
  CanaryService, EdgeApi, ExternalService, GatewayTls, HttpMethod, MeshDependencies, MeshGateway, MeshObservability, MeshValidation,
  SecureNamespace, TracingProvider, NamespaceRef,
} from '../../src';

const label = fc.stringMatching(/^[a-z]([a-z0-9-]{0,8}[a-z0-9])?$/);
const version = fc.stringMatching(/^[a-z0-9]([a-z0-9.-]{0,6}[a-z0-9])?$/);

const intent = fc.record({
  namespaces: fc.uniqueArray(label, { minLength: 1, maxLength: 3 }),
  services: fc.uniqueArray(label, { minLength: 1, maxLength: 4 }),
  // distinct also as Deployment names (<service>-<version>, made DNS-safe)
  versions: fc.uniqueArray(version, { minLength: 2, maxLength: 2, selector: (v) => v.replace(/[^a-z0-9]+/g, '-') }),
  canaryWeight: fc.integer({ min: 0, max: 100 }),
  port: fc.integer({ min: 1024, max: 65535 }),
  header: fc.boolean(),
  api: fc.constantFrom(EdgeApi.ISTIO, EdgeApi.GATEWAY_API),
  methods: fc.subarray([HttpMethod.GET, HttpMethod.POST, HttpMethod.PUT], { minLength: 0 }),
  external: fc.boolean(),
  slo: fc.constantFrom(99, 99.5, 99.9),
}, { noNullPrototype: true });

type Intent = typeof intent extends fc.Arbitrary<infer T> ? T : never;

function build(i: Intent): App {
  const app = Testing.app();
  const edgeChart = new Chart(app, 'edge');
  const edge = new MeshGateway(edgeChart, 'edge', { namespace: NamespaceRef.named('istio-ingress'), api: i.api, tls: GatewayTls.simple({ credentialName: 'edge-cert' }) });
  const obs = new MeshObservability(edgeChart, 'obs', { tracing: TracingProvider.jaeger({ service: 'jaeger-collector.observability.svc.cluster.local' }), samplingPercent: 5 });
  const deps = new MeshDependencies(edgeChart, 'deps');
  const canaries: CanaryService[] = [];
  i.namespaces.forEach((ns, k) => {
    const chart = new Chart(app, `ns-${ns}`, { namespace: ns });
    const secure = new SecureNamespace(chart, 'ns', { name: ns });
    for (const svc of i.services) {
      const c = new CanaryService(chart, svc, {
        port: i.port,
        stable: { image: `registry.example.com/${svc}:1`, version: i.versions[0] },
        canary: { image: `registry.example.com/${svc}:2`, version: i.versions[1] },
        canaryWeight: i.canaryWeight,
        canaryHeader: i.header ? { name: 'x-canary', value: 'true' } : undefined,
      });
      edge.expose(`${svc}.${ns}.example.com`, c, { pathPrefix: `/${svc}` });
      secure.allow(edge.identity).to(c);
      obs.monitor(c, { successRateSlo: i.slo, p99Latency: Duration.millis(250) });
      if (i.external && k === 0) deps.dependsOnExternal(c, ExternalService.tls('api.payments.example.com'));
      canaries.push(c);
    }
  });
  canaries.forEach((c, n) => {
    const callee = canaries[(n + 1) % canaries.length];
    if (callee !== c) deps.dependsOn(c, callee, { methods: i.methods.length > 0 ? i.methods : undefined });
  });
  return app;
}

describe('L3 properties', () => {
  test('random valid intents produce zero schema, CEL and mesh findings', () => {
    fc.assert(fc.property(intent, (i) => {
      const app = build(i);
      expect(MeshValidation.of(app).validate()).toEqual([]);
    }), { numRuns: 25 });
  });

  test('synthesizing the same intent twice is byte-identical', () => {
    fc.assert(fc.property(intent, (i) => {
      expect(build(i).synthYaml()).toEqual(build(i).synthYaml());
    }), { numRuns: 10 });
  });
});
