import { Chart, Testing } from 'cdk8s';
import { ConformanceValidator, KubernetesGateway, KubernetesGrpcRoute, ListenerProtocol, RouteParent, StringMatch } from '../src';

function setup() {
  const app = Testing.app();
  const chart = new Chart(app, 'shop', { namespace: 'shop' });
  const gateway = new KubernetesGateway(chart, 'gw', {
    metadata: { name: 'edge' },
    listeners: [
      { port: 80, protocol: ListenerProtocol.HTTP, hostname: 'grpc.example.com' },
      { port: 8443, protocol: ListenerProtocol.TLS, hostname: 'db.example.com', tlsPassthrough: true },
    ],
  });
  return { chart, gateway };
}

describe('KubernetesGrpcRoute', () => {
  test('renders service/method matches, header conditions, weighted backends, header modifiers and a mirror', () => {
    // GIVEN
    const { chart, gateway } = setup();
    // WHEN
    new KubernetesGrpcRoute(chart, 'greeter', {
      metadata: { name: 'greeter' },
      parents: [RouteParent.fromGateway(gateway, { sectionName: 'http-80' })],
      hostnames: ['grpc.example.com'],
      rules: [
        {
          name: 'v2-testers',
          matches: [{ service: 'helloworld.Greeter', method: 'SayHello', headers: { 'x-tester': 'true' } }],
          backends: [{ serviceName: 'greeter-v2', port: 50051 }],
        },
        {
          matches: [{ service: 'helloworld\\..*', regex: true, headerMatches: { 'x-env': StringMatch.regex('prod|staging') } }],
          backends: [{ serviceName: 'greeter-v1', port: 50051, weight: 90 }, { serviceName: 'greeter-v2', port: 50051, weight: 10 }],
          requestHeaders: { set: { 'x-route': 'grpc' } },
          responseHeaders: { remove: ['x-internal'] },
          mirrors: [{ backend: { serviceName: 'greeter-shadow', port: 50051 }, percent: 5 }],
        },
      ],
    });
    // THEN
    const route = Testing.synth(chart)[1];
    expect(route.apiVersion).toEqual('gateway.networking.k8s.io/v1');
    expect(route.kind).toEqual('GRPCRoute');
    expect(route.spec).toEqual({
      parentRefs: [{ group: 'gateway.networking.k8s.io', kind: 'Gateway', name: 'edge', sectionName: 'http-80' }],
      hostnames: ['grpc.example.com'],
      rules: [
        {
          name: 'v2-testers',
          matches: [{ method: { service: 'helloworld.Greeter', method: 'SayHello' }, headers: [{ name: 'x-tester', type: 'Exact', value: 'true' }] }],
          backendRefs: [{ group: '', kind: 'Service', name: 'greeter-v2', port: 50051 }],
        },
        {
          matches: [{ method: { type: 'RegularExpression', service: 'helloworld\\..*' }, headers: [{ name: 'x-env', type: 'RegularExpression', value: 'prod|staging' }] }],
          filters: [
            { type: 'RequestHeaderModifier', requestHeaderModifier: { set: [{ name: 'x-route', value: 'grpc' }] } },
            { type: 'ResponseHeaderModifier', responseHeaderModifier: { remove: ['x-internal'] } },
            { type: 'RequestMirror', requestMirror: { backendRef: { group: '', kind: 'Service', name: 'greeter-shadow', port: 50051 }, percent: 5 } },
          ],
          backendRefs: [
            { group: '', kind: 'Service', name: 'greeter-v1', port: 50051, weight: 90 },
            { group: '', kind: 'Service', name: 'greeter-v2', port: 50051, weight: 10 },
          ],
        },
      ],
    });
    const v = ConformanceValidator.builtIn();
    expect(Testing.synth(chart).flatMap((d) => v.validate(d)).map((f) => f.message)).toEqual([]);
  });

  test('attaches to a Service (mesh routing) and grants a backend in another namespace', () => {
    const { chart } = setup();
    new KubernetesGrpcRoute(chart, 'r', {
      parents: [RouteParent.service('greeter', { port: 50051 })],
      rules: [{ backends: [{ serviceName: 'greeter', namespace: 'other', port: 50051 }] }],
    });
    const docs = Testing.synth(chart);
    expect(docs[1].spec.parentRefs).toEqual([{ group: '', kind: 'Service', name: 'greeter', port: 50051 }]);
    expect([docs[2].kind, docs[2].metadata.namespace, docs[2].spec]).toEqual(['ReferenceGrant', 'other', {
      from: [{ group: 'gateway.networking.k8s.io', kind: 'GRPCRoute', namespace: 'shop' }],
      to: [{ group: '', kind: 'Service', name: 'greeter' }],
    }]);
  });

  test('fails on method names the CRD rejects, an empty regex match, no backends, repeated rule names, a TLS listener, or no rules', () => {
    const { chart, gateway } = setup();
    const r = new KubernetesGrpcRoute(chart, 'r', { parents: [RouteParent.fromGateway(gateway)] });
    const backends = [{ serviceName: 'a', port: 80 }];
    expect(() => r.addRule({ matches: [{ service: 'hello-world.Greeter' }], backends }))
      .toThrow('Invalid matches.service "hello-world.Greeter": it is not a valid gRPC name for an exact match. Fix: give e.g. "helloworld.Greeter", or set regex: true');
    expect(() => r.addRule({ matches: [{ method: 'Say.Hello' }], backends })).toThrow('Invalid matches.method "Say.Hello": it is not a valid gRPC name for an exact match');
    expect(() => r.addRule({ matches: [{ regex: true }], backends })).toThrow('Invalid matches.regex true: a regex method match needs a service or a method');
    expect(() => r.addRule({ matches: [{ method: '(?!x)', regex: true }], backends })).toThrow(/Invalid matches.method "\(\?!x\)"/);
    expect(() => r.addRule({ backends: [] })).toThrow('Invalid backends 0: a rule has 1 to 16 backends');
    r.addRule({ name: 'a', matches: [{ service: 'a.B' }], backends });
    expect(() => r.addRule({ name: 'a', backends })).toThrow('Invalid name "a": another rule of the route has this name');
    expect(() => new KubernetesGrpcRoute(chart, 'tls', { parents: [RouteParent.fromGateway(gateway, { sectionName: 'tls-8443' })] }))
      .toThrow('Invalid parents "Gateway/shop/edge#tls-8443": listener \'tls-8443\' is TLS, which does not accept GRPCRoutes. Fix: attach to a HTTP or HTTPS listener');
    expect(() => new KubernetesGrpcRoute(chart, 'none', { parents: [] })).toThrow('Invalid parents []: a GRPCRoute must attach to at least one parent');
    const empty = Testing.chart();
    new KubernetesGrpcRoute(empty, 'e', { parents: [RouteParent.service('a')] });
    expect(() => Testing.synth(empty)).toThrow(/KubernetesGrpcRoute '.*e' has no rules\. Fix: call addRule\(\)/);
  });
});
