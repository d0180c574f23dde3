import { Chart, Testing } from 'cdk8s';
import { MeshWorkload, OutboundTrafficMode, PortProtocol, Sidecar } from '../src';

const chart = () => new Chart(Testing.app(), 'shop', { namespace: 'shop' });

describe('Sidecar', () => {
  test('renders a scoped egress for one workload with REGISTRY_ONLY', () => {
    // GIVEN
    const c = chart();
    // WHEN
    const s = new Sidecar(c, 'frontend', {
      metadata: { name: 'frontend' },
      selector: MeshWorkload.labels({ app: 'frontend' }),
      outboundTrafficMode: OutboundTrafficMode.REGISTRY_ONLY,
    });
    s.addEgressHosts('shop/catalog.shop.svc.cluster.local', 'istio-system/*');
    s.addEgressHosts('istio-system/*'); // repeated intent: no-op
    // THEN
    expect(Testing.synth(c)[0].spec).toEqual({
      workloadSelector: { labels: { app: 'frontend' } },
      egress: [{ hosts: ['shop/catalog.shop.svc.cluster.local', 'istio-system/*'] }],
      outboundTrafficPolicy: { mode: 'REGISTRY_ONLY' },
    });
    expect(s.egressHosts).toEqual(['shop/catalog.shop.svc.cluster.local', 'istio-system/*']);
    expect(Testing.synth(c)).toMatchSnapshot();
  });

  test('renders port listeners before the catch-all, and ingress listeners', () => {
    const c = chart();
    new Sidecar(c, 's', {
      egress: [{ hosts: ['./*'] }, { hosts: ['*/db.example.com'], port: { number: 5432, protocol: PortProtocol.TCP } }],
      ingress: [{ port: { number: 8080, protocol: PortProtocol.HTTP, name: 'http' }, defaultEndpoint: '127.0.0.1:8080' }],
    });
    const spec = Testing.synth(c)[0].spec;
    expect(spec.egress).toEqual([
      { port: { number: 5432, protocol: 'TCP', name: 'tcp-5432' }, hosts: ['*/db.example.com'] },
      { hosts: ['./*'] },
    ]);
    expect(spec.ingress).toEqual([{ port: { number: 8080, protocol: 'HTTP', name: 'http' }, defaultEndpoint: '127.0.0.1:8080' }]);
    expect(spec.workloadSelector).toBeUndefined();
  });

  test('fails on egress hosts without a namespace part', () => {
    const s = new Sidecar(chart(), 's');
    expect(() => s.addEgressHosts('catalog.shop.svc.cluster.local'))
      .toThrow('Invalid egress hosts "catalog.shop.svc.cluster.local": a Sidecar egress host needs a namespace part ("namespace/host"). Fix: write "*/catalog.shop.svc.cluster.local" (any namespace), "./catalog.shop.svc.cluster.local" (own namespace) or "<namespace>/catalog.shop.svc.cluster.local"');
  });

  test('fails on invalid namespace or host parts', () => {
    const s = new Sidecar(chart(), 's');
    expect(() => s.addEgressHosts('Shop/*')).toThrow('Invalid egress hosts "Shop/*": "Shop" is not a namespace, ".", "*" or "~"');
    expect(() => s.addEgressHosts('shop/cat*.example.com')).toThrow('only the first label may hold a wildcard');
  });

  test('fails on an empty egress listener and duplicate ports', () => {
    const s = new Sidecar(chart(), 's', { egress: [{ hosts: ['./*'], port: { number: 80, protocol: PortProtocol.HTTP } }] });
    expect(() => s.addEgress({ hosts: [] })).toThrow('Invalid egress hosts []: an egress listener must contain at least one host');
    expect(() => s.addEgress({ hosts: ['./*'], port: { number: 80, protocol: PortProtocol.HTTP } })).toThrow('Invalid egress port 80: ports of egress listeners must be unique');
    s.addIngress({ port: { number: 8080, protocol: PortProtocol.HTTP } });
    expect(() => s.addIngress({ port: { number: 8080, protocol: PortProtocol.HTTP } })).toThrow('Invalid ingress port 8080: ports of ingress listeners must be unique');
  });

  test('fails on invalid ports and default endpoints', () => {
    const s = new Sidecar(chart(), 's');
    expect(() => s.addIngress({ port: { number: 0, protocol: PortProtocol.HTTP } })).toThrow('Invalid ingress port.number 0');
    expect(() => s.addIngress({ port: { number: 80, protocol: 'X' as PortProtocol } })).toThrow('Invalid ingress port.protocol "X"');
    expect(() => s.addIngress({ port: { number: 80, protocol: PortProtocol.HTTP, name: 'Web' } })).toThrow('Invalid ingress port.name "Web"');
    expect(() => s.addIngress({ port: { number: 80, protocol: PortProtocol.HTTP }, defaultEndpoint: '10.0.0.1:80' }))
      .toThrow('Invalid defaultEndpoint "10.0.0.1:80": it must be 127.0.0.1:<port>');
  });

  test('fails at synth when empty', () => {
    const c = chart();
    new Sidecar(c, 's');
    expect(() => Testing.synth(c)).toThrow(/Sidecar 'shop\/s' is empty \(no egress, ingress or outbound policy\), which Istio rejects/);
  });
});
