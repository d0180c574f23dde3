import { Chart, Testing } from 'cdk8s';
import { AllowedRoutes, KubernetesGateway, ListenerProtocol, ReferenceGrant } from '../src';

const chart = () => new Chart(Testing.app(), 'edge', { namespace: 'istio-ingress' });

describe('KubernetesGateway', () => {
  test('renders gatewayClassName istio, a terminating HTTPS listener and an HTTP listener', () => {
    // GIVEN
    const c = chart();
    // WHEN
    const g = new KubernetesGateway(c, 'gw', { metadata: { name: 'edge' } });
    g.addListener({ port: 443, protocol: ListenerProtocol.HTTPS, hostname: 'shop.example.com', certificates: [{ name: 'shop-cert' }], allowedRoutes: AllowedRoutes.ALL_NAMESPACES });
    g.addListener({ port: 80, protocol: ListenerProtocol.HTTP, hostname: 'shop.example.com' });
    // THEN
    const [obj] = Testing.synth(c);
    expect(obj.apiVersion).toEqual('gateway.networking.k8s.io/v1');
    expect(obj.spec).toEqual({
      gatewayClassName: 'istio',
      listeners: [
        {
          name: 'https-443',
          port: 443,
          protocol: 'HTTPS',
          hostname: 'shop.example.com',
          tls: { mode: 'Terminate', certificateRefs: [{ group: '', kind: 'Secret', name: 'shop-cert' }] },
          allowedRoutes: { namespaces: { from: 'All' } },
        },
        { name: 'http-80', port: 80, protocol: 'HTTP', hostname: 'shop.example.com' },
      ],
    });
    expect(g.listeners.map((l) => l.name)).toEqual(['https-443', 'http-80']);
    expect(Testing.synth(c)).toMatchSnapshot();
  });

  test('renders passthrough TLS listeners, a custom class and cross-namespace certificates', () => {
    const c = chart();
    const g = new KubernetesGateway(c, 'gw', {
      gatewayClassName: 'istio-waypoint',
      listeners: [
        { port: 8443, protocol: ListenerProtocol.TLS, hostname: 'db.example.com', tlsPassthrough: true },
        { port: 9443, protocol: ListenerProtocol.TLS, hostname: '*.example.com', certificates: [{ name: 'wild', namespace: 'certs' }] },
      ],
    });
    // the Secret in another namespace needs a grant there (MESH403 at synth without it)
    new ReferenceGrant(c, 'grant', { metadata: { namespace: 'certs' }, from: [{ group: 'gateway.networking.k8s.io', kind: 'Gateway', namespace: 'istio-ingress' }], to: [{ group: '', kind: 'Secret', name: 'wild' }] });
    const spec = Testing.synth(c)[0].spec;
    expect(spec.gatewayClassName).toEqual('istio-waypoint');
    expect(spec.listeners.map((l: any) => l.tls)).toEqual([
      { mode: 'Passthrough' },
      { mode: 'Terminate', certificateRefs: [{ group: '', kind: 'Secret', name: 'wild', namespace: 'certs' }] },
    ]);
    expect(g.servesHostname('api.example.com')).toBe(true);
    expect(g.servesHostname('api.example.com', 'tls-8443')).toBe(false);
    expect(g.servesHostname('example.com', 'tls-9443')).toBe(false);
    expect(g.servesHostname('anything.org', 'tls-9443')).toBe(false);
  });

  test('fails at synth without listeners', () => {
    const c = chart();
    new KubernetesGateway(c, 'gw');
    expect(() => Testing.synth(c)).toThrow(/KubernetesGateway 'edge\/gw' has no listeners\. Fix: call addListener\(\) or pass listeners/);
  });

  test('fails on TLS settings for HTTP listeners', () => {
    const g = new KubernetesGateway(chart(), 'gw');
    expect(() => g.addListener({ port: 80, protocol: ListenerProtocol.HTTP, certificates: [{ name: 'c' }] }))
      .toThrow('Invalid certificates ["c"]: TLS must not be specified for HTTP listeners. Fix: use ListenerProtocol.HTTPS or TLS');
  });

  test('fails on an HTTPS listener that does not terminate, or terminates without certificates', () => {
    const g = new KubernetesGateway(chart(), 'gw');
    expect(() => g.addListener({ port: 443, protocol: ListenerProtocol.HTTPS, tlsPassthrough: true }))
      .toThrow('Invalid tlsPassthrough true: HTTPS listeners terminate TLS. Fix: use ListenerProtocol.TLS for passthrough');
    expect(() => g.addListener({ port: 443, protocol: ListenerProtocol.HTTPS }))
      .toThrow('Invalid certificates []: a terminating HTTPS listener needs certificateRefs');
    expect(() => g.addListener({ port: 8443, protocol: ListenerProtocol.TLS, tlsPassthrough: true, certificates: [{ name: 'c' }] }))
      .toThrow('Invalid certificates ["c"]: a passthrough listener does not use certificates');
  });

  test('fails on a TCP listener: TCPRoute is in the experimental channel only', () => {
    const g = new KubernetesGateway(chart(), 'gw');
    expect(() => g.addListener({ port: 3306, protocol: ListenerProtocol.TCP }))
      .toThrow('Invalid protocol "TCP": a TCP listener only accepts TCPRoutes, which are in Gateway API\'s experimental channel (not in the standard v1.5.1 CRDs this library targets). '
        + 'Fix: route TCP with an Istio Gateway and a VirtualService TCP route, or use ListenerProtocol.TLS with a KubernetesTlsRoute');
  });

  test('renders allowedRoutes: All, a namespace label selector, or a list of namespaces', () => {
    const c = chart();
    new KubernetesGateway(c, 'gw', {
      listeners: [
        { port: 80, protocol: ListenerProtocol.HTTP, allowedRoutes: AllowedRoutes.ALL_NAMESPACES },
        { port: 8080, protocol: ListenerProtocol.HTTP, allowedRoutesNamespaceLabels: { 'shared-gateway-access': 'true' } },
        { port: 8081, protocol: ListenerProtocol.HTTP, allowedRoutesNamespaces: ['shop', 'billing', 'shop'] },
        { port: 8082, protocol: ListenerProtocol.HTTP },
      ],
    });
    expect(Testing.synth(c)[0].spec.listeners.map((l: any) => l.allowedRoutes)).toEqual([
      { namespaces: { from: 'All' } },
      { namespaces: { from: 'Selector', selector: { matchLabels: { 'shared-gateway-access': 'true' } } } },
      { namespaces: { from: 'Selector', selector: { matchExpressions: [{ key: 'kubernetes.io/metadata.name', operator: 'In', values: ['billing', 'shop'] }] } } },
      undefined,
    ]);
  });

  test('fails on a namespace selector with allowedRoutes, an empty selector, or a bad namespace', () => {
    const g = new KubernetesGateway(chart(), 'gw');
    expect(() => g.addListener({ port: 80, protocol: ListenerProtocol.HTTP, allowedRoutes: AllowedRoutes.ALL_NAMESPACES, allowedRoutesNamespaces: ['shop'] }))
      .toThrow('Invalid allowedRoutes "All": a listener takes either allowedRoutes or a namespace selector. Fix: drop allowedRoutes, or the selector');
    expect(() => g.addListener({ port: 80, protocol: ListenerProtocol.HTTP, allowedRoutesNamespaceLabels: {} }))
      .toThrow('Invalid allowedRoutesNamespaceLabels {}: an empty selector selects every namespace. Fix: use allowedRoutes: AllowedRoutes.ALL_NAMESPACES, or give labels');
    expect(() => g.addListener({ port: 80, protocol: ListenerProtocol.HTTP, allowedRoutesNamespaces: [] })).toThrow('Invalid allowedRoutesNamespaces []: it is empty');
    expect(() => g.addListener({ port: 80, protocol: ListenerProtocol.HTTP, allowedRoutesNamespaces: ['Shop'] })).toThrow('Invalid allowedRoutesNamespaces "Shop"');
    expect(() => g.addListener({ port: 80, protocol: ListenerProtocol.HTTP, allowedRoutesNamespaceLabels: { 'a b': 'x' } })).toThrow('Invalid allowedRoutesNamespaceLabels key "a b"');
  });

  test('fails on an invalid hostname', () => {
    const g = new KubernetesGateway(chart(), 'gw');
    expect(() => g.addListener({ port: 80, protocol: ListenerProtocol.HTTP, hostname: 'Shop.Example.com' }))
      .toThrow('Invalid hostname "Shop.Example.com": Gateway API hostnames are lowercase');
    expect(() => g.addListener({ port: 80, protocol: ListenerProtocol.HTTP, hostname: 'shop' })).toThrow('Invalid hostname "shop": a short name');
  });

  test('fails on duplicate listener names and duplicate port/protocol/hostname', () => {
    const g = new KubernetesGateway(chart(), 'gw', { listeners: [{ port: 80, protocol: ListenerProtocol.HTTP }] });
    expect(() => g.addListener({ port: 8080, protocol: ListenerProtocol.HTTP, name: 'http-80' }))
      .toThrow('Invalid name "http-80": listener names must be unique within the Gateway');
    expect(() => g.addListener({ port: 80, protocol: ListenerProtocol.HTTP, name: 'other' }))
      .toThrow('Invalid port 80: another HTTP listener on port 80 already serves hostname (any)');
  });

  test('fails on invalid ports, protocols and class names', () => {
    const g = new KubernetesGateway(chart(), 'gw');
    expect(() => g.addListener({ port: 0, protocol: ListenerProtocol.HTTP })).toThrow('Invalid port 0: a port is an integer from 1 to 65535');
    expect(() => g.addListener({ port: 80, protocol: 'UDP' as ListenerProtocol })).toThrow('Invalid protocol "UDP": it is not a standard Gateway API listener protocol');
    expect(() => new KubernetesGateway(chart(), 'x', { gatewayClassName: 'Istio' })).toThrow('Invalid gatewayClassName "Istio"');
    expect(() => g.addListener({ port: 443, protocol: ListenerProtocol.HTTPS, certificates: [{ name: 'c', namespace: 'Certs' }] }))
      .toThrow('Invalid certificates.namespace "Certs"');
  });
});
