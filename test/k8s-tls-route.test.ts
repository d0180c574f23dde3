import { Chart, Testing } from 'cdk8s';
import { ConformanceValidator, KubernetesGateway, KubernetesTlsRoute, ListenerProtocol, RouteParent } from '../src';

function setup() {
  const chart = new Chart(Testing.app(), 'edge', { namespace: 'istio-ingress' });
  const gateway = new KubernetesGateway(chart, 'gw', {
    metadata: { name: 'edge' },
    listeners: [
      { port: 443, protocol: ListenerProtocol.TLS, hostname: 'nginx.example.com', tlsPassthrough: true, name: 'tls' },
      { port: 80, protocol: ListenerProtocol.HTTP },
    ],
  });
  return { chart, gateway };
}

describe('KubernetesTlsRoute', () => {
  test('routes a passthrough listener by SNI to weighted backends, with a ReferenceGrant for the other namespace', () => {
    const { chart, gateway } = setup();
    new KubernetesTlsRoute(chart, 'nginx', {
      metadata: { name: 'nginx' },
      parents: [RouteParent.fromGateway(gateway, { sectionName: 'tls' })],
      hostnames: ['nginx.example.com'],
      backends: [{ serviceName: 'my-nginx', namespace: 'web', port: 443 }],
    });
    const docs = Testing.synth(chart);
    expect(docs[1].kind).toEqual('TLSRoute');
    expect(docs[1].apiVersion).toEqual('gateway.networking.k8s.io/v1');
    expect(docs[1].spec).toEqual({
      parentRefs: [{ group: 'gateway.networking.k8s.io', kind: 'Gateway', name: 'edge', sectionName: 'tls' }],
      hostnames: ['nginx.example.com'],
      rules: [{ backendRefs: [{ group: '', kind: 'Service', name: 'my-nginx', namespace: 'web', port: 443 }] }],
    });
    expect(docs[2].spec.from).toEqual([{ group: 'gateway.networking.k8s.io', kind: 'TLSRoute', namespace: 'istio-ingress' }]);
    const v = ConformanceValidator.builtIn();
    expect(docs.flatMap((d) => v.validate(d)).map((f) => f.message)).toEqual([]);
  });

  test('fails without hostnames or backends, on an IP hostname, or on an HTTP listener', () => {
    const { chart, gateway } = setup();
    const parents = [RouteParent.fromGateway(gateway)];
    const backends = [{ serviceName: 'a', port: 443 }];
    expect(() => new KubernetesTlsRoute(chart, 'a', { parents, hostnames: [], backends }))
      .toThrow('Invalid hostnames []: a TLSRoute routes by SNI and needs at least one hostname. Fix: pass hostnames: ["nginx.example.com"]');
    expect(() => new KubernetesTlsRoute(chart, 'b', { parents, hostnames: ['a.example.com'], backends: [] })).toThrow('Invalid backends []: a TLSRoute has 1 to 16 backends');
    expect(() => new KubernetesTlsRoute(chart, 'c', { parents, hostnames: ['10.0.0.1'], backends })).toThrow('Invalid hostnames "10.0.0.1"');
    expect(() => new KubernetesTlsRoute(chart, 'd', { parents: [RouteParent.fromGateway(gateway, { sectionName: 'http-80' })], hostnames: ['a.example.com'], backends }))
      .toThrow('listener \'http-80\' is HTTP, which does not accept TLSRoutes. Fix: attach to a TLS listener');
  });
});
