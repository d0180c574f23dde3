/**
 * Istio's traffic-management tasks that have a Gateway API tab, written with the typed constructs: one test
 * per task, asserting the emitted spec exactly (what the task applies, with the defaults the CRDs fill in
 * written out: backendRef group/kind, header match type) and that it passes the standard CRDs' schema + CEL.
 * TCP traffic shifting needs TCPRoute (experimental channel only) and is refused.
 *
 * @see https://istio.io/latest/docs/tasks/traffic-management/
 */
import { Chart, Duration, Testing } from 'cdk8s';
import {
  AllowedRoutes, ConformanceValidator, KubernetesGateway, KubernetesHttpRoute, KubernetesTlsRoute, ListenerProtocol, MeshRouting, RouteParent,
} from '../src';

const svc = (name: string, port: number, weight?: number) => ({ group: '', kind: 'Service', name, port, ...(weight !== undefined ? { weight } : {}) });
const REVIEWS_PARENT = [{ group: '', kind: 'Service', name: 'reviews', port: 9080 }];

function chart(namespace: string): Chart {
  return new Chart(Testing.app(), namespace, { namespace });
}
function conforms(c: Chart): string[] {
  const v = ConformanceValidator.builtIn();
  return Testing.synth(c).flatMap((d) => v.validate(d)).map((f) => `${f.kind}: ${f.message}`);
}

describe('Istio tasks, Gateway API tab', () => {
  test('request routing: end-user jason reaches reviews-v2, everyone else reviews-v1', () => {
    const c = chart('default');
    new KubernetesHttpRoute(c, 'reviews', {
      metadata: { name: 'reviews' },
      parents: [RouteParent.service('reviews', { port: 9080 })],
      rules: [
        { matches: [{ headers: { 'end-user': 'jason' } }], backends: [{ serviceName: 'reviews-v2', port: 9080 }] },
        { backends: [{ serviceName: 'reviews-v1', port: 9080 }] },
      ],
    });
    expect(Testing.synth(c)[0].spec).toEqual({
      parentRefs: REVIEWS_PARENT,
      rules: [
        { matches: [{ headers: [{ name: 'end-user', type: 'Exact', value: 'jason' }] }], backendRefs: [svc('reviews-v2', 9080)] },
        { backendRefs: [svc('reviews-v1', 9080)] },
      ],
    });
    MeshRouting.expectRoute(c, { host: 'reviews', port: 9080, headers: { 'end-user': 'jason' } }).toReach('reviews-v2');
    MeshRouting.expectRoute(c, { host: 'reviews', port: 9080 }).toReach('reviews-v1');
    expect(conforms(c)).toEqual([]);
  });

  test('traffic shifting: 50% to reviews-v1, 50% to reviews-v3', () => {
    const c = chart('default');
    new KubernetesHttpRoute(c, 'reviews', {
      metadata: { name: 'reviews' },
      parents: [RouteParent.service('reviews', { port: 9080 })],
      rules: [{ backends: [{ serviceName: 'reviews-v1', port: 9080, weight: 50 }, { serviceName: 'reviews-v3', port: 9080, weight: 50 }] }],
    });
    expect(Testing.synth(c)[0].spec).toEqual({ parentRefs: REVIEWS_PARENT, rules: [{ backendRefs: [svc('reviews-v1', 9080, 50), svc('reviews-v3', 9080, 50)] }] });
    MeshRouting.expectRoute(c, { host: 'reviews' }).toSplit([{ host: 'reviews-v1', weight: 50 }, { host: 'reviews-v3', weight: 50 }]);
    expect(conforms(c)).toEqual([]);
  });

  test('request timeouts: reviews-v2 with a 0.5 s request timeout', () => {
    const c = chart('default');
    new KubernetesHttpRoute(c, 'reviews', {
      metadata: { name: 'reviews' },
      parents: [RouteParent.service('reviews', { port: 9080 })],
      rules: [{ backends: [{ serviceName: 'reviews-v2', port: 9080 }], timeout: Duration.millis(500) }],
    });
    expect(Testing.synth(c)[0].spec).toEqual({ parentRefs: REVIEWS_PARENT, rules: [{ backendRefs: [svc('reviews-v2', 9080)], timeouts: { request: '500ms' } }] });
    expect(conforms(c)).toEqual([]);
  });

  test('mirroring: every request to httpbin-v1, a copy to httpbin-v2', () => {
    const c = chart('default');
    new KubernetesHttpRoute(c, 'httpbin', {
      metadata: { name: 'httpbin' },
      parents: [RouteParent.service('httpbin', { port: 8000 })],
      rules: [{ backends: [{ serviceName: 'httpbin-v1', port: 80 }], mirrors: [{ backend: { serviceName: 'httpbin-v2', port: 80 } }] }],
    });
    expect(Testing.synth(c)[0].spec).toEqual({
      parentRefs: [{ group: '', kind: 'Service', name: 'httpbin', port: 8000 }],
      rules: [{ filters: [{ type: 'RequestMirror', requestMirror: { backendRef: svc('httpbin-v2', 80) } }], backendRefs: [svc('httpbin-v1', 80)] }],
    });
    MeshRouting.expectRoute(c, { host: 'httpbin', port: 8000 }).toReach('httpbin-v1');
    expect(conforms(c)).toEqual([]);
  });

  test('TLS routing (egress gateway, TLS passthrough): TLS to edition.cnn.com through an egress gateway', () => {
    const c = chart('default');
    const egress = new KubernetesGateway(c, 'egress', {
      metadata: { name: 'cnn-egress-gateway', annotations: { 'networking.istio.io/service-type': 'ClusterIP' } },
      listeners: [{ name: 'tls', port: 443, protocol: ListenerProtocol.TLS, hostname: 'edition.cnn.com', tlsPassthrough: true }],
    });
    new KubernetesTlsRoute(c, 'direct', {
      metadata: { name: 'direct-cnn-to-egress-gateway' },
      parents: [RouteParent.serviceEntry('cnn')],
      hostnames: ['edition.cnn.com'],
      backends: [{ serviceName: 'cnn-egress-gateway-istio', port: 443 }],
    });
    new KubernetesTlsRoute(c, 'forward', {
      metadata: { name: 'forward-cnn-from-egress-gateway' },
      parents: [RouteParent.fromGateway(egress, { sectionName: 'tls' })],
      hostnames: ['edition.cnn.com'],
      backends: [{ hostname: 'edition.cnn.com', port: 443 }],
    });
    const [gw, direct, forward] = Testing.synth(c);
    expect(gw.metadata.annotations).toEqual({ 'networking.istio.io/service-type': 'ClusterIP' });
    expect(gw.spec).toEqual({ gatewayClassName: 'istio', listeners: [{ name: 'tls', port: 443, protocol: 'TLS', hostname: 'edition.cnn.com', tls: { mode: 'Passthrough' } }] });
    expect(direct.spec).toEqual({
      parentRefs: [{ group: 'networking.istio.io', kind: 'ServiceEntry', name: 'cnn' }],
      hostnames: ['edition.cnn.com'],
      rules: [{ backendRefs: [svc('cnn-egress-gateway-istio', 443)] }],
    });
    expect(forward.spec).toEqual({
      parentRefs: [{ group: 'gateway.networking.k8s.io', kind: 'Gateway', name: 'cnn-egress-gateway', sectionName: 'tls' }],
      hostnames: ['edition.cnn.com'],
      rules: [{ backendRefs: [{ group: 'networking.istio.io', kind: 'Hostname', name: 'edition.cnn.com', port: 443 }] }],
    });
    expect(conforms(c)).toEqual([]);
  });

  test('secure ingress: HTTPS for httpbin.example.com terminated at the gateway, routes from namespace default', () => {
    const app = Testing.app();
    const system = new Chart(app, 'istio-system', { namespace: 'istio-system' });
    const def = new Chart(app, 'default', { namespace: 'default' });
    const gateway = new KubernetesGateway(system, 'gw', {
      metadata: { name: 'mygateway' },
      listeners: [{
        name: 'https',
        port: 443,
        protocol: ListenerProtocol.HTTPS,
        hostname: 'httpbin.example.com',
        certificates: [{ name: 'httpbin-credential' }],
        allowedRoutesNamespaceLabels: { 'kubernetes.io/metadata.name': 'default' },
      }],
    });
    new KubernetesHttpRoute(def, 'httpbin', {
      metadata: { name: 'httpbin' },
      parents: [RouteParent.fromGateway(gateway)],
      hostnames: ['httpbin.example.com'],
      rules: [{ matches: [{ pathPrefix: '/status' }, { pathPrefix: '/delay' }], backends: [{ serviceName: 'httpbin', port: 8000 }] }],
    });
    expect(Testing.synth(system)[0].spec).toEqual({
      gatewayClassName: 'istio',
      listeners: [{
        name: 'https',
        hostname: 'httpbin.example.com',
        port: 443,
        protocol: 'HTTPS',
        tls: { mode: 'Terminate', certificateRefs: [{ group: '', kind: 'Secret', name: 'httpbin-credential' }] },
        allowedRoutes: { namespaces: { from: 'Selector', selector: { matchLabels: { 'kubernetes.io/metadata.name': 'default' } } } },
      }],
    });
    expect(Testing.synth(def)[0].spec).toEqual({
      parentRefs: [{ group: 'gateway.networking.k8s.io', kind: 'Gateway', name: 'mygateway', namespace: 'istio-system' }],
      hostnames: ['httpbin.example.com'],
      rules: [{ matches: [{ path: { type: 'PathPrefix', value: '/status' } }, { path: { type: 'PathPrefix', value: '/delay' } }], backendRefs: [svc('httpbin', 8000)] }],
    });
    MeshRouting.expectRoute(app, { host: 'httpbin.example.com', path: '/status/200', gateway: 'istio-system/mygateway' }).toReach('httpbin.default.svc.cluster.local');
    MeshRouting.expectRoute(app, { host: 'httpbin.example.com', path: '/headers', gateway: 'istio-system/mygateway' }).toMatchNothing();
    expect([...conforms(system), ...conforms(def)]).toEqual([]);
  });

  test('ingress SNI passthrough: TLS for nginx.example.com passed through to the nginx Service', () => {
    const app = Testing.app();
    const system = new Chart(app, 'istio-system', { namespace: 'istio-system' });
    const def = new Chart(app, 'default', { namespace: 'default' });
    const gateway = new KubernetesGateway(system, 'gw', {
      metadata: { name: 'mygateway' },
      listeners: [{ name: 'https', port: 443, protocol: ListenerProtocol.TLS, hostname: 'nginx.example.com', tlsPassthrough: true, allowedRoutes: AllowedRoutes.ALL_NAMESPACES }],
    });
    new KubernetesTlsRoute(def, 'nginx', {
      metadata: { name: 'nginx' },
      parents: [RouteParent.fromGateway(gateway)],
      hostnames: ['nginx.example.com'],
      backends: [{ serviceName: 'my-nginx', port: 443 }],
    });
    expect(Testing.synth(system)[0].spec.listeners).toEqual([
      { name: 'https', hostname: 'nginx.example.com', port: 443, protocol: 'TLS', tls: { mode: 'Passthrough' }, allowedRoutes: { namespaces: { from: 'All' } } },
    ]);
    expect(Testing.synth(def)[0].spec).toEqual({
      parentRefs: [{ group: 'gateway.networking.k8s.io', kind: 'Gateway', name: 'mygateway', namespace: 'istio-system' }],
      hostnames: ['nginx.example.com'],
      rules: [{ backendRefs: [svc('my-nginx', 443)] }],
    });
    expect([...conforms(system), ...conforms(def)]).toEqual([]);
  });

  test('fails: TCP traffic shifting needs TCPRoute, which is experimental-channel only', () => {
    const gateway = new KubernetesGateway(chart('istio-io-tcp-traffic-shifting'), 'gw');
    expect(() => gateway.addListener({ name: 'tcp-31400', port: 31400, protocol: ListenerProtocol.TCP }))
      .toThrow(/Invalid protocol "TCP": a TCP listener only accepts TCPRoutes, which are in Gateway API's experimental channel/);
  });
});
