import { App, Chart, Duration, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import {
  CanaryService, DestinationRule, EdgeApi, GatewayTls, HttpMethod, IMeshDestination, ITrafficSplit, MeshDestinationConfig, MeshGateway,
  MeshIdentity, MeshRouting,
  MeshEnrolment, MeshWorkload, RouteDestination, NamespaceRef, SecureNamespace, ServiceHost, TrafficDialect,
} from '../../src';
import { _transition } from '../../src/validation/_transition';

// A weighted split exposing pods by labels: the shape CanaryService has (stable 90 / canary 10).
class Split implements ITrafficSplit {
  constructor(private readonly parts: RouteDestination[], private readonly host: string) {}
  public toRouteDestinations(): RouteDestination[] {
    return this.parts;
  }
  public toMeshDestination(): MeshDestinationConfig {
    return { host: this.host };
  }
}
// A subset whose pods are known (as CanaryService subsets are): needed by the Gateway API flavour.
class Subset implements IMeshDestination {
  constructor(private readonly subset: string, private readonly labels: { [k: string]: string }) {}
  public toMeshDestination(): MeshDestinationConfig {
    return { host: 'catalog.shop.svc.cluster.local', subset: this.subset, port: 8080 };
  }
  public toSelectorLabels() {
    return this.labels;
  }
}

function shop(app: App) {
  const chart = new Chart(app, 'shop', { namespace: 'shop' });
  const dr = new DestinationRule(chart, 'catalog-dr', { metadata: { name: 'catalog' }, host: ServiceHost.inNamespace('shop', 'catalog') });
  dr.addSubset('stable', { app: 'catalog', version: 'v1' });
  dr.addSubset('canary', { app: 'catalog', version: 'v2' });
  const stable = new Subset('stable', { app: 'catalog', version: 'v1' });
  const canary = new Subset('canary', { app: 'catalog', version: 'v2' });
  const catalog = new Split([{ destination: stable, weight: 90 }, { destination: canary, weight: 10 }], 'catalog.shop.svc.cluster.local');
  return { chart, stable, canary, catalog, frontend: ServiceHost.inNamespace('shop', 'frontend') };
}

describe('MeshGateway (Istio API)', () => {
  test('renders HTTPS with explicit TLS 1.2+, an HTTP->HTTPS redirect, and one VirtualService per host bound to the gateway', () => {
    // GIVEN
    const app = Testing.app();
    const { catalog, canary, frontend } = shop(app);
    const edgeChart = new Chart(app, 'edge');
    // WHEN
    const edge = new MeshGateway(edgeChart, 'edge', { namespace: NamespaceRef.named('istio-ingress'), tls: GatewayTls.simple({ credentialName: 'shop-example-com-cert' }) });
    edge.expose('shop.example.com', frontend, { pathPrefix: '/', port: 8080 });
    edge.expose('shop.example.com', catalog, { pathPrefix: '/catalog' });
    edge.expose('shop.example.com', canary, { pathPrefix: '/catalog', headers: { 'x-beta': 'true' } });
    // THEN
    const [gw, vs] = Testing.synth(edgeChart);
    expect(gw.kind).toEqual('Gateway');
    expect(gw.metadata).toEqual({ name: 'edge', namespace: 'istio-ingress' });
    expect(gw.spec.servers).toEqual([
      {
        port: { number: 443, protocol: 'HTTPS', name: 'https' },
        hosts: ['shop.example.com'],
        tls: { mode: 'SIMPLE', credentialName: 'shop-example-com-cert', minProtocolVersion: 'TLSV1_2' },
      },
      { port: { number: 80, protocol: 'HTTP', name: 'http' }, hosts: ['shop.example.com'], tls: { httpsRedirect: true } },
    ]);
    expect(vs.kind).toEqual('VirtualService');
    expect(vs.metadata).toEqual({ name: 'edge-shop-example-com', namespace: 'istio-ingress' });
    expect(vs.spec.hosts).toEqual(['shop.example.com']);
    expect(vs.spec.gateways).toEqual(['istio-ingress/edge']);
    // first-match order by specificity: header route, then /catalog, then the catch-all /
    expect(vs.spec.http.map((r: any) => r.match)).toEqual([
      [{ uri: { prefix: '/catalog' }, headers: { 'x-beta': { exact: 'true' } } }],
      [{ uri: { prefix: '/catalog' } }],
      [{ uri: { prefix: '/' } }],
    ]);
    expect(vs.spec.http.map((r: any) => r.route)).toEqual([
      [{ destination: { host: 'catalog.shop.svc.cluster.local', subset: 'canary', port: { number: 8080 } } }],
      [{ destination: { host: 'catalog.shop.svc.cluster.local', subset: 'stable', port: { number: 8080 } }, weight: 90 },
        { destination: { host: 'catalog.shop.svc.cluster.local', subset: 'canary', port: { number: 8080 } }, weight: 10 }],
      [{ destination: { host: 'frontend.shop.svc.cluster.local', port: { number: 8080 } } }],
    ]);
    expect(edge.gatewayRef).toEqual('istio-ingress/edge');
    expect(edge.hosts).toEqual(['shop.example.com']);
    expect(Testing.synth(edgeChart)).toMatchSnapshot();
  });

  test('returns the route it defined; repeating an exposure is a no-op', () => {
    const app = Testing.app();
    const { frontend } = shop(app);
    const edge = new MeshGateway(new Chart(app, 'edge'), 'edge', { namespace: NamespaceRef.named('istio-ingress'), tls: GatewayTls.simple({ credentialName: 'c' }) });
    const r1 = edge.expose('shop.example.com', frontend, { port: 8080 });
    const r2 = edge.expose('shop.example.com', frontend, { port: 8080 });
    expect(r2).toBe(r1);
    expect(r1.host).toEqual('shop.example.com');
    expect(r1.match).toEqual('prefix /');
    expect(r1.virtualService).toBe(edge.virtualServiceFor('shop.example.com'));
    expect(r1.httpRoute).toBe(edge.virtualServiceFor('shop.example.com')!.httpRoutes[0]);
  });

  test('renders weighted splits, rewrites, timeouts and several hosts on one gateway', () => {
    const app = Testing.app();
    const { stable, canary, frontend } = shop(app);
    const edgeChart = new Chart(app, 'edge');
    const edge = new MeshGateway(edgeChart, 'edge', { namespace: NamespaceRef.named('istio-ingress'), tls: GatewayTls.simple({ credentialName: 'c' }), plainHttpRoutes: true });
    edge.split('api.example.com', [{ destination: stable, weight: 50 }, { destination: canary, weight: 50 }], { pathPrefix: '/catalog', rewritePrefix: '/', timeout: Duration.seconds(3) });
    edge.expose('www.example.com', frontend, { port: 8080, pathExact: '/health' });
    const out = Testing.synth(edgeChart);
    expect(out[0].spec.servers.map((s: any) => [s.port.number, s.hosts, s.tls])).toEqual([
      [443, ['api.example.com', 'www.example.com'], { mode: 'SIMPLE', credentialName: 'c', minProtocolVersion: 'TLSV1_2' }],
      [80, ['api.example.com', 'www.example.com'], undefined],
    ]);
    expect(out[1].spec.http).toEqual([{
      match: [{ uri: { prefix: '/catalog' } }],
      rewrite: { uri: '/' },
      timeout: '3s',
      route: [
        { destination: { host: 'catalog.shop.svc.cluster.local', subset: 'stable', port: { number: 8080 } }, weight: 50 },
        { destination: { host: 'catalog.shop.svc.cluster.local', subset: 'canary', port: { number: 8080 } }, weight: 50 },
      ],
    }]);
    expect(out[2].spec.http[0].match).toEqual([{ uri: { exact: '/health' } }]);
  });

  test('passthrough: a TLS server on 443 beside HTTPS, routed by SNI to a TLS backend', () => {
    const app = Testing.app();
    const { frontend } = shop(app);
    const edgeChart = new Chart(app, 'edge');
    const edge = new MeshGateway(edgeChart, 'edge', { namespace: NamespaceRef.named('istio-ingress'), tls: GatewayTls.simple({ credentialName: 'c' }) });
    edge.expose('shop.example.com', frontend, { port: 8080 });
    edge.passthrough('db.example.com', ServiceHost.inNamespace('data', 'db'), 5443);
    const out = Testing.synth(edgeChart);
    expect(out[0].spec.servers[2]).toEqual({ port: { number: 443, protocol: 'TLS', name: 'tls-passthrough' }, hosts: ['db.example.com'], tls: { mode: 'PASSTHROUGH' } });
    expect(out[0].spec.servers[0].hosts).toEqual(['shop.example.com']);
    const vs = out.find((o: any) => o.kind === 'VirtualService' && o.spec.hosts[0] === 'db.example.com');
    expect(vs.spec).toEqual({
      hosts: ['db.example.com'],
      gateways: ['istio-ingress/edge'],
      tls: [{ match: [{ sniHosts: ['db.example.com'] }], route: [{ destination: { host: 'db.data.svc.cluster.local', port: { number: 5443 } } }] }],
    });
  });

  test('fails on passthrough conflicts and unsupported forms', () => {
    const app = Testing.app();
    const { frontend } = shop(app);
    const edge = new MeshGateway(new Chart(app, 'edge'), 'edge', { namespace: NamespaceRef.named('istio-ingress'), tls: GatewayTls.simple({ credentialName: 'c' }) });
    edge.expose('shop.example.com', frontend, { port: 8080 });
    edge.passthrough('db.example.com', frontend, 5443);
    expect(() => edge.passthrough('shop.example.com', frontend, 443)).toThrow('Invalid sniHost "shop.example.com": the host is already routed at this gateway');
    expect(() => edge.expose('db.example.com', frontend, { port: 8080 })).toThrow('Invalid host "db.example.com": the host is already passed through as TLS at this gateway');
    expect(() => edge.passthrough('*.example.com', frontend, 443)).toThrow('Invalid sniHost "*.example.com": a passthrough route needs the exact SNI host');
    expect(() => edge.passthrough('x.example.com', frontend, 0)).toThrow('Invalid port 0: a port is an integer from 1 to 65535');
    const gwapi = new MeshGateway(new Chart(app, 'edge2'), 'edge', { namespace: NamespaceRef.named('istio-ingress'), api: EdgeApi.GATEWAY_API, plaintext: true });
    expect(() => gwapi.passthrough('db.example.com', frontend, 443)).toThrow('Invalid api "GATEWAY_API": SNI passthrough is rendered with the Istio API only');
  });

  test('plaintext: an HTTP-only gateway on explicit request', () => {
    const app = Testing.app();
    const { frontend } = shop(app);
    const edgeChart = new Chart(app, 'edge');
    const edge = new MeshGateway(edgeChart, 'edge', { namespace: NamespaceRef.named('istio-ingress'), plaintext: true, selector: MeshWorkload.labels({ istio: 'internal-gateway' }) });
    edge.expose('intranet.example.com', frontend, { port: 8080 });
    const gw = Testing.synth(edgeChart)[0].spec;
    expect(gw.selector).toEqual({ istio: 'internal-gateway' });
    expect(gw.servers).toEqual([{ port: { number: 80, protocol: 'HTTP', name: 'http' }, hosts: ['intranet.example.com'] }]);
  });

  test('fails without TLS unless plaintext is explicit, and with both', () => {
    const c = Testing.chart();
    expect(() => new MeshGateway(c, 'a', { namespace: NamespaceRef.named('istio-ingress') }))
      .toThrow('Invalid tls (undefined): an edge gateway should terminate TLS. Fix: pass tls: GatewayTls.simple({ credentialName: "<tls-secret>" }), or set plaintext: true for an HTTP-only gateway');
    expect(() => new MeshGateway(c, 'b', { namespace: NamespaceRef.named('istio-ingress'), plaintext: true, tls: GatewayTls.simple({ credentialName: 'c' }) }))
      .toThrow('Invalid plaintext true: tls is also set');
    expect(() => new MeshGateway(c, 'd', { namespace: NamespaceRef.named('istio-ingress'), tls: GatewayTls.autoPassthrough() }))
      .toThrow('Invalid tls "AUTO_PASSTHROUGH": AUTO_PASSTHROUGH is for east-west (multi-cluster) gateways, not an edge');
  });

  test('a passthrough-only gateway (tls: GatewayTls.passthrough()): TLS routed by SNI, no terminating server, HTTP routes refused', () => {
    const chart = new Chart(Testing.app(), 'edge');
    const edge = new MeshGateway(chart, 'edge', { namespace: NamespaceRef.named('istio-ingress'), tls: GatewayTls.passthrough() });
    edge.passthrough('db.example.com', ServiceHost.inNamespace('shop', 'db'), 8443);
    const [gw, vs] = Testing.synth(chart);
    expect(gw.spec.servers).toEqual([{ port: { number: 443, protocol: 'TLS', name: 'tls-passthrough' }, hosts: ['db.example.com'], tls: { mode: 'PASSTHROUGH' } }]);
    expect(vs.spec.tls).toEqual([{ match: [{ sniHosts: ['db.example.com'] }], route: [{ destination: { host: 'db.shop.svc.cluster.local', port: { number: 8443 } } }] }]);
    expect(() => edge.expose('shop.example.com', ServiceHost.inNamespace('shop', 'web'), { port: 8080 })).toThrow(
      'Invalid host "shop.example.com": this gateway passes TLS through unterminated (tls: GatewayTls.passthrough()), so it cannot route HTTP. '
      + 'Fix: use passthrough(sniHost, target, port), or a second MeshGateway that terminates TLS for HTTP routes');
    expect(() => new MeshGateway(chart, 'api', { namespace: NamespaceRef.named('istio-ingress'), api: EdgeApi.GATEWAY_API, tls: GatewayTls.passthrough() })).toThrow(
      'Invalid tls "PASSTHROUGH": SNI passthrough is rendered with the Istio API only in this version');
  });

  test('fails on a host the gateway does not serve (IST0132)', () => {
    const app = Testing.app();
    const { frontend } = shop(app);
    const edge = new MeshGateway(new Chart(app, 'edge'), 'edge', { namespace: NamespaceRef.named('istio-ingress'), tls: GatewayTls.simple({ credentialName: 'c' }), hosts: ['shop.example.com', '*.api.example.com'] });
    expect(edge.expose('v1.api.example.com', frontend, { port: 8080 }).host).toEqual('v1.api.example.com');
    expect(() => edge.expose('admin.example.com', frontend, { port: 8080 }))
      .toThrow('Invalid host "admin.example.com": gateway \'istio-ingress/edge\' does not serve it (Istio IST0132: the route would never receive traffic). Fix: add it to hosts (now ["shop.example.com","*.api.example.com"]) or expose a served host');
  });

  test('fails on short, partially wildcarded or bare "*" hosts', () => {
    const app = Testing.app();
    const { frontend } = shop(app);
    const edge = new MeshGateway(new Chart(app, 'edge'), 'edge', { namespace: NamespaceRef.named('istio-ingress'), tls: GatewayTls.simple({ credentialName: 'c' }) });
    expect(() => edge.expose('shop', frontend)).toThrow('Invalid host "shop": a short name');
    expect(() => edge.expose('shop*.example.com', frontend)).toThrow('Invalid host "shop*.example.com": only the first label may hold a wildcard, as a leading "*" ("*.example.com"); wildcards like "api*.example.com" never match');
    expect(() => edge.expose('*shop*.example.com', frontend)).toThrow('Invalid host "*shop*.example.com": "*shop*" is not a wildcard label Istio accepts. Fix: use "*", "*.example.com" or "*foo.example.com"');
    // Istio accepts a wildcard first label "*foo" (hosts match by suffix: "eu-shop.example.com")
    expect(edge.expose('*shop.example.com', frontend, { port: 8080 }).host).toEqual('*shop.example.com');
    expect(() => edge.expose('*', frontend)).toThrow('Invalid host "*": a bare "*" lets this gateway answer for any domain');
    expect(() => new MeshGateway(Testing.chart(), 'x', { namespace: NamespaceRef.named('istio-ingress'), plaintext: true, hosts: [] })).toThrow('Invalid hosts []: an empty host list serves nothing');
  });

  test('fails on invalid gateway names and namespaces', () => {
    expect(() => new MeshGateway(Testing.chart(), 'x', { namespace: NamespaceRef.named('istio-ingress'), plaintext: true, name: 'edge.gw' })).toThrow('Invalid name "edge.gw"');
    expect(() => new MeshGateway(Testing.chart(), 'x', { namespace: NamespaceRef.named('Istio'), plaintext: true })).toThrow('Invalid namespace "Istio"');
  });

  test('fails on conflicting exposures of one host and match', () => {
    const app = Testing.app();
    const { frontend, canary } = shop(app);
    const edge = new MeshGateway(new Chart(app, 'edge'), 'edge', { namespace: NamespaceRef.named('istio-ingress'), tls: GatewayTls.simple({ credentialName: 'c' }) });
    edge.expose('shop.example.com', frontend, { pathPrefix: '/x', port: 8080 });
    expect(() => edge.expose('shop.example.com', canary, { pathPrefix: '/x' }))
      .toThrow('Invalid expose "shop.example.com prefix /x": this host and match are already routed to another target: the routes would conflict (Istio IST0109)');
  });

  test('fails on invalid paths and splits', () => {
    const app = Testing.app();
    const { frontend, stable } = shop(app);
    const edge = new MeshGateway(new Chart(app, 'edge'), 'edge', { namespace: NamespaceRef.named('istio-ingress'), tls: GatewayTls.simple({ credentialName: 'c' }) });
    expect(() => edge.expose('shop.example.com', frontend, { pathPrefix: 'catalog' })).toThrow('Invalid pathPrefix "catalog": a path starts with "/". Fix: use "/catalog"');
    expect(() => edge.expose('shop.example.com', frontend, { pathPrefix: '/a', pathExact: '/a' })).toThrow('Invalid pathExact "/a": pathPrefix is also set');
    expect(() => edge.split('shop.example.com', [{ destination: stable, weight: 100 }])).toThrow('a split needs at least two destinations');
    expect(() => edge.split('shop.example.com', [{ destination: stable, weight: 60 }, { destination: frontend, weight: 30 }]))
      .toThrow('Invalid destinations weights [60,30]: a split needs a weight on every destination summing to 100 (got 90)');
  });
});

describe('MeshGateway (Gateway API)', () => {
  test('renders a Gateway of class istio, an HTTPS redirect route, weighted HTTPRoutes to per-version Services, and ReferenceGrants', () => {
    // GIVEN
    const app = Testing.app();
    const { catalog, canary, frontend } = shop(app);
    const edgeChart = new Chart(app, 'edge');
    // WHEN
    const edge = new MeshGateway(edgeChart, 'edge', { namespace: NamespaceRef.named('istio-ingress'), api: EdgeApi.GATEWAY_API, tls: GatewayTls.simple({ credentialName: 'shop-cert' }) });
    edge.expose('shop.example.com', frontend, { port: 8080 });
    edge.expose('shop.example.com', catalog, { pathPrefix: '/catalog' });
    edge.expose('shop.example.com', canary, { pathPrefix: '/catalog', headers: { 'x-beta': 'true' } });
    // THEN
    const out = Testing.synth(edgeChart);
    const byKind = (k: string) => out.filter((o: any) => o.kind === k);
    expect(byKind('Gateway')[0].spec).toEqual({
      gatewayClassName: 'istio',
      listeners: [
        { name: 'https', port: 443, protocol: 'HTTPS', tls: { mode: 'Terminate', certificateRefs: [{ group: '', kind: 'Secret', name: 'shop-cert' }] } },
        { name: 'http', port: 80, protocol: 'HTTP' },
      ],
    });
    const [redirect, route] = byKind('HTTPRoute');
    expect(redirect.spec.rules).toEqual([{ name: 'https-redirect', filters: [{ type: 'RequestRedirect', requestRedirect: { scheme: 'https', statusCode: 301 } }] }]);
    expect(redirect.spec.parentRefs).toEqual([{ group: 'gateway.networking.k8s.io', kind: 'Gateway', name: 'edge', sectionName: 'http' }]);
    expect(route.spec.hostnames).toEqual(['shop.example.com']);
    // each rule named after its match (a header match: readable part + hash of the match)
    expect(route.spec.rules.map((r: any) => r.name)).toEqual(['prefix-catalog-x-beta-hbc842e9e', 'prefix-catalog', 'prefix']);
    expect(route.spec.rules.map((r: any) => r.backendRefs)).toEqual([
      [{ group: '', kind: 'Service', name: 'catalog-canary', namespace: 'shop', port: 8080 }],
      [{ group: '', kind: 'Service', name: 'catalog-stable', namespace: 'shop', port: 8080, weight: 90 },
        { group: '', kind: 'Service', name: 'catalog-canary', namespace: 'shop', port: 8080, weight: 10 }],
      [{ group: '', kind: 'Service', name: 'frontend', namespace: 'shop', port: 8080 }],
    ]);
    const services = byKind('Service');
    // a subset that is not a CanaryService version: its Service is named by the subset
    expect(services.map((s: any) => [s.metadata.name, s.metadata.namespace, s.spec.selector])).toEqual([
      ['catalog-stable', 'shop', { app: 'catalog', version: 'v1' }],
      ['catalog-canary', 'shop', { app: 'catalog', version: 'v2' }],
    ]);
    expect(byKind('ReferenceGrant').map((g: any) => [g.metadata.namespace, g.spec])).toEqual([
      ['shop', { from: [{ group: 'gateway.networking.k8s.io', kind: 'HTTPRoute', namespace: 'istio-ingress' }], to: [{ group: '', kind: 'Service' }] }],
    ]);
    expect(out).toMatchSnapshot();
  });

  test('creates a ReferenceGrant for a certificate in another namespace', () => {
    const edgeChart = Testing.chart();
    new MeshGateway(edgeChart, 'edge', { namespace: NamespaceRef.named('istio-ingress'), api: EdgeApi.GATEWAY_API, tls: GatewayTls.simple({ credentialName: 'wild' }), certificateNamespace: 'certs' })
      .expose('shop.example.com', ServiceHost.inNamespace('istio-ingress', 'frontend'), { port: 80 });
    const grant = Testing.synth(edgeChart).find((o: any) => o.kind === 'ReferenceGrant');
    expect(grant.metadata.namespace).toEqual('certs');
    expect(grant.spec).toEqual({ from: [{ group: 'gateway.networking.k8s.io', kind: 'Gateway', namespace: 'istio-ingress' }], to: [{ group: '', kind: 'Secret', name: 'wild' }] });
  });

  test('fails on a subset whose pods are unknown, a backend without port, or a non-Service host', () => {
    const app = Testing.app();
    const edge = new MeshGateway(new Chart(app, 'edge'), 'edge', { namespace: NamespaceRef.named('istio-ingress'), api: EdgeApi.GATEWAY_API, plaintext: true });
    const bare = { toMeshDestination: () => ({ host: 'catalog.shop.svc.cluster.local', subset: 'v1', port: 80 }) };
    expect(() => edge.expose('shop.example.com', bare)).toThrow('HTTPRoute cannot target DestinationRule subsets, and the subset\'s pod labels are unknown');
    expect(() => edge.expose('a.example.com', ServiceHost.inNamespace('shop', 'frontend'))).toThrow('Invalid port (undefined): the HTTPRoute backend frontend.shop.svc.cluster.local needs a port');
    expect(() => edge.expose('b.example.com', ServiceHost.external('api.stripe.com'), { port: 443 })).toThrow('Invalid target "api.stripe.com": Gateway API backends must be Kubernetes Services of this cluster');
    expect(() => edge.expose('*shop.example.com', ServiceHost.inNamespace('shop', 'frontend').withPort(80))).toThrow('Invalid host "*shop.example.com": a partial wildcard "*shop" is not allowed here (Gateway API hostnames and certificate DNS names take a whole "*." label only). Fix: use "*.example.com" or list the hosts');
  });

  test('fails on Istio-only options', () => {
    expect(() => new MeshGateway(Testing.chart(), 'a', { namespace: NamespaceRef.named('istio-ingress'), plaintext: true, certificateNamespace: 'certs' }))
      .toThrow('Invalid certificateNamespace "certs": Istio Gateways read credentialName from the gateway workload\'s namespace');
    expect(() => new MeshGateway(Testing.chart(), 'b', { namespace: NamespaceRef.named('istio-ingress'), plaintext: true, api: EdgeApi.GATEWAY_API, selector: MeshWorkload.labels({ a: 'b' }) }))
      .toThrow('Invalid selector "a-b": a Gateway API Gateway deploys its own pods');
    expect(() => new MeshGateway(Testing.chart(), 'c', { namespace: NamespaceRef.named('istio-ingress'), api: EdgeApi.GATEWAY_API, tls: GatewayTls.istioMutual() }))
      .toThrow('Invalid tls "ISTIO_MUTUAL": the Gateway API flavour terminates TLS with a certificate Secret');
  });
});

describe('MeshGateway with a CanaryService', () => {
  function canaryApp(api: EdgeApi) {
    const app = Testing.app();
    const chart = new Chart(app, 'shop', { namespace: 'shop' });
    const catalog = new CanaryService(chart, 'catalog', {
      port: 8080,
      stable: { image: 'ghcr.io/acme/catalog:2.0.0', version: 'v1' },
      canary: { image: 'ghcr.io/acme/catalog:2.1.0', version: 'v2' },
    });
    const edgeChart = new Chart(app, 'edge');
    const edge = new MeshGateway(edgeChart, 'edge', { namespace: NamespaceRef.named('istio-ingress'), api, tls: GatewayTls.simple({ credentialName: 'shop-cert' }) });
    return { app, chart, edgeChart, catalog, edge };
  }

  test('reuses the canary weights at the edge and follows promote() made after expose()', () => {
    // GIVEN
    const { app, edgeChart, catalog, edge } = canaryApp(EdgeApi.ISTIO);
    edge.expose('shop.example.com', catalog, { pathPrefix: '/catalog' });
    edge.expose('shop.example.com', catalog.canary!, { pathPrefix: '/catalog', headers: { 'x-beta': 'true' } });
    const FQDN = 'catalog.shop.svc.cluster.local';
    // THEN: the route tester sees the edge split and the header override
    expect(MeshRouting.evaluate(app, { host: 'shop.example.com', path: '/catalog/items', gateway: 'istio-ingress/edge' }).destinations
      .map((d) => [d.subset, d.weight])).toEqual([['stable', 90], ['canary', 10]]);
    MeshRouting.expectRoute(app, { host: 'shop.example.com', path: '/catalog', headers: { 'x-beta': 'true' }, gateway: 'istio-ingress/edge' })
      .toReach(FQDN, 'canary');
    // WHEN the pipeline promotes the canary
    catalog.promote();
    // THEN the edge follows
    const vs = Testing.synth(edgeChart).find((o: any) => o.kind === 'VirtualService');
    expect(vs.spec.http[1].route).toEqual([
      { destination: { host: FQDN, subset: 'stable' }, weight: 0 },
      { destination: { host: FQDN, subset: 'canary' }, weight: 100 },
    ]);
  });

  test('Gateway API: per-version Services named by version as the Gateway API dialect names them, on the canary port, following rollback()', () => {
    const { edgeChart, catalog, edge } = canaryApp(EdgeApi.GATEWAY_API);
    edge.expose('shop.example.com', catalog, { pathPrefix: '/catalog' });
    catalog.rollback();
    const out = Testing.synth(edgeChart);
    const route = out.filter((o: any) => o.kind === 'HTTPRoute')[1];
    expect(route.spec.rules[0].backendRefs).toEqual([
      { group: '', kind: 'Service', name: 'catalog-v1', namespace: 'shop', port: 8080, weight: 100 },
      { group: '', kind: 'Service', name: 'catalog-v2', namespace: 'shop', port: 8080, weight: 0 },
    ]);
    expect(out.filter((o: any) => o.kind === 'Service').map((s: any) => [s.metadata, s.spec.selector, s.spec.ports])).toEqual([
      [{ name: 'catalog-v1', namespace: 'shop' }, { app: 'catalog', version: 'v1' }, [{ name: 'http', port: 8080, targetPort: 8080 }]],
      [{ name: 'catalog-v2', namespace: 'shop' }, { app: 'catalog', version: 'v2' }, [{ name: 'http', port: 8080, targetPort: 8080 }]],
    ]);
  });

  test('Gateway API: the per-version Service has the name the Gateway API dialect gives the same version (a DNS label: dots become dashes)', () => {
    const app = Testing.app();
    const chart = new Chart(app, 'shop', { namespace: 'shop' });
    const versions = { stable: { version: '1.2.0' }, canary: { version: '1.3.0' } };
    const sidecar = new CanaryService(chart, 'catalog', { port: 8080, ...versions });
    const dialect = new CanaryService(chart, 'orders', { port: 8080, ...versions, routing: TrafficDialect.GATEWAY_API });
    const edge = new MeshGateway(new Chart(app, 'edge'), 'edge', { namespace: NamespaceRef.named('istio-ingress'), api: EdgeApi.GATEWAY_API, plaintext: true });
    edge.expose('shop.example.com', sidecar, { pathPrefix: '/catalog' });
    edge.expose('shop.example.com', dialect, { pathPrefix: '/orders' });
    const names = (c: Chart) => c.toJson().filter((o: any) => o.kind === 'Service').map((s: any) => s.metadata.name);
    expect(names(app.charts[1])).toEqual(['catalog-1-2-0', 'catalog-1-3-0']); // made by the edge for the sidecar-dialect canary
    expect(names(app.charts[0])).toEqual(['catalog', 'orders', 'orders-1-2-0', 'orders-1-3-0']); // the dialect's own, reused by the edge
    const backends = app.charts[1].toJson().find((o: any) => o.kind === 'HTTPRoute' && o.spec.hostnames).spec.rules.map((r: any) => r.backendRefs.map((b: any) => b.name));
    expect(backends).toEqual([['catalog-1-2-0', 'catalog-1-3-0'], ['orders-1-2-0', 'orders-1-3-0']]);
  });

  test('Gateway API: two gateways routing to the same version share its per-version Service', () => {
    const { app, catalog, edge } = canaryApp(EdgeApi.GATEWAY_API);
    const internal = new MeshGateway(new Chart(app, 'internal'), 'internal', { namespace: NamespaceRef.named('istio-internal'), api: EdgeApi.GATEWAY_API, plaintext: true });
    edge.expose('shop.example.com', catalog, { pathPrefix: '/catalog' });
    internal.expose('shop.internal', catalog);
    const services = app.charts.flatMap((c) => c.toJson()).filter((o: any) => o.kind === 'Service' && o.metadata.namespace === 'shop');
    expect(services.map((s: any) => s.metadata.name)).toEqual(['catalog', 'catalog-v1', 'catalog-v2']);
    const internalRoute = app.charts[2].toJson().find((o: any) => o.kind === 'HTTPRoute');
    expect(internalRoute.spec.rules[0].backendRefs.map((b: any) => [b.name, b.weight])).toEqual([['catalog-v1', 90], ['catalog-v2', 10]]);
  });

  test.each([true, false])('Gateway API: in an ambient namespace (waypoint %s), the per-version Service sends edge traffic through the waypoint as the dialect\'s do', (waypoint) => {
    const app = Testing.app();
    const { chart, stable, canary } = shop(app);
    const secure = new SecureNamespace(chart, 'shop-namespace', { name: 'shop', enrolment: MeshEnrolment.ambient({ waypoint }) });
    const edge = new MeshGateway(new Chart(app, 'edge'), 'edge', { namespace: NamespaceRef.named('istio-ingress'), api: EdgeApi.GATEWAY_API, plaintext: true });
    edge.split('shop.example.com', [{ destination: stable, weight: 90 }, { destination: canary, weight: 10 }], { pathPrefix: '/catalog' });
    secure.allow(edge.identity).to(MeshWorkload.labels({ app: 'catalog' }), { service: ServiceHost.inNamespace('shop', 'catalog') });
    const labels = app.charts[1].toJson().filter((o: any) => o.kind === 'Service').map((s: any) => [s.metadata.name, s.metadata.labels]);
    const label = waypoint ? { 'istio.io/ingress-use-waypoint': 'true' } : undefined;
    expect(labels).toEqual([['catalog-stable', label], ['catalog-canary', label]]);
  });

  test('fails when a gateway needs a version\'s Service on another port than the one already made for it', () => {
    const { app, catalog, edge } = canaryApp(EdgeApi.GATEWAY_API);
    edge.expose('shop.example.com', catalog, { pathPrefix: '/catalog' });
    const internal = new MeshGateway(new Chart(app, 'internal'), 'internal', { namespace: NamespaceRef.named('istio-internal'), api: EdgeApi.GATEWAY_API, plaintext: true });
    expect(() => internal.expose('shop.internal', catalog, { port: 9090 })).toThrow(
      'Invalid target "catalog.shop version v1": its per-version Service shop/catalog-v1 already routes port 8080 to {"app":"catalog","version":"v1"} (made for edge/edge); '
      + 'a Service of that name cannot also route port 9090 to {"app":"catalog","version":"v1"}. Fix: expose the version on the same port');
  });
});

describe('MeshGateway edge policy', () => {
  test('identity: the gateway service account, to allow edge traffic into a secure namespace', () => {
    const c = Testing.chart();
    expect(new MeshGateway(c, 'edge', { namespace: NamespaceRef.named('istio-ingress'), plaintext: true }).identity.toMeshIdentityConfig().principals)
      .toEqual(['cluster.local/ns/istio-ingress/sa/istio-ingressgateway']);
    expect(new MeshGateway(c, 'public', { namespace: NamespaceRef.named('gw'), plaintext: true, api: EdgeApi.GATEWAY_API }).identity.toMeshIdentityConfig().principals)
      .toEqual(['cluster.local/ns/gw/sa/public-istio']);
    expect(new MeshGateway(c, 'x', { namespace: NamespaceRef.named('gw'), plaintext: true, serviceAccountName: 'edge-sa' }).identity.toMeshIdentityConfig().principals)
      .toEqual(['cluster.local/ns/gw/sa/edge-sa']);
  });

  test('allowOnlyFromIpBlocks: a DENY policy with notRemoteIpBlocks on the gateway pods', () => {
    const c = Testing.chart();
    const edge = new MeshGateway(c, 'edge', { namespace: NamespaceRef.named('istio-ingress'), tls: GatewayTls.simple({ credentialName: 'c' }) });
    edge.expose('shop.example.com', ServiceHost.inNamespace('shop', 'frontend'), { port: 8080 });
    edge.allowOnlyFromIpBlocks(['203.0.113.0/24', '198.51.100.7']);
    const ap = Testing.synth(c).find((o: any) => o.kind === 'AuthorizationPolicy');
    expect(ap.metadata).toEqual({ name: 'edge-ip-allow-list', namespace: 'istio-ingress' });
    expect(ap.spec).toEqual({
      action: 'DENY',
      selector: { matchLabels: { istio: 'ingressgateway' } },
      rules: [{ from: [{ source: { notRemoteIpBlocks: ['203.0.113.0/24', '198.51.100.7'] } }] }],
    });
  });

  test('requireJwt: RequestAuthentication plus a DENY for token-less requests, scoped to hosts and paths', () => {
    const c = Testing.chart();
    const edge = new MeshGateway(c, 'edge', { namespace: NamespaceRef.named('istio-ingress'), tls: GatewayTls.simple({ credentialName: 'c' }) });
    edge.expose('api.example.com', ServiceHost.inNamespace('shop', 'orders'), { port: 8080 });
    const req = edge.requireJwt({ issuer: 'https://accounts.example.com', jwksUri: 'https://accounts.example.com/jwks.json', hosts: ['api.example.com'], paths: ['/orders/*'] });
    const out = Testing.synth(c);
    const ra = out.find((o: any) => o.kind === 'RequestAuthentication');
    expect(ra.spec).toEqual({
      selector: { matchLabels: { istio: 'ingressgateway' } },
      jwtRules: [{ issuer: 'https://accounts.example.com', jwksUri: 'https://accounts.example.com/jwks.json' }],
    });
    const ap = out.find((o: any) => o.kind === 'AuthorizationPolicy');
    expect(ap.spec).toEqual({
      action: 'DENY',
      selector: { matchLabels: { istio: 'ingressgateway' } },
      rules: [{ from: [{ source: { notRequestPrincipals: ['*'] } }], to: [{ operation: { hosts: ['api.example.com'], paths: ['/orders/*'] } }] }],
    });
    expect(req.authorizationPolicy.name).toEqual(ap.metadata.name);
  });

  test('Gateway API flavour: edge policies attach to the Gateway by targetRefs', () => {
    const c = Testing.chart();
    const edge = new MeshGateway(c, 'edge', { namespace: NamespaceRef.named('istio-ingress'), api: EdgeApi.GATEWAY_API, plaintext: true });
    edge.allowOnlyFromIpBlocks(['10.0.0.0/8']);
    const ap = Testing.synth(c).find((o: any) => o.kind === 'AuthorizationPolicy');
    expect(ap.spec.targetRefs).toEqual([{ group: 'gateway.networking.k8s.io', kind: 'Gateway', name: 'edge' }]);
    expect(ap.spec.selector).toBeUndefined();
  });

  test('fails on an empty or repeated IP allow-list, a repeated issuer, and bad JWT hosts', () => {
    const c = Testing.chart();
    const edge = new MeshGateway(c, 'edge', { namespace: NamespaceRef.named('istio-ingress'), tls: GatewayTls.simple({ credentialName: 'c' }) });
    expect(() => edge.allowOnlyFromIpBlocks([])).toThrow('Invalid cidrs []: an empty allow-list would admit nobody');
    edge.allowOnlyFromIpBlocks(['10.0.0.0/8']);
    expect(() => edge.allowOnlyFromIpBlocks(['10.0.0.0/8'])).toThrow('the gateway already has an IP allow-list');
    edge.requireJwt({ issuer: 'https://a.example.com', jwksUri: 'https://a.example.com/jwks' });
    expect(() => edge.requireJwt({ issuer: 'https://a.example.com', jwksUri: 'https://a.example.com/jwks' }))
      .toThrow('Invalid issuer "https://a.example.com": a JWT requirement for this issuer already exists on the gateway');
    expect(() => edge.requireJwt({ issuer: 'https://b.example.com', jwksUri: 'https://b.example.com/jwks', hosts: ['api'] })).toThrow('Invalid hosts "api": a short name');
  });
});

describe('README "Edge gateway" section', () => {
  test('compiles and renders as documented', () => {
    // GIVEN the context of the README code (its `shop` is `shopNs` here)
    const app = Testing.app();
    const chart = new Chart(app, 'shop', { namespace: 'shop' });
    const shopNs = new SecureNamespace(chart, 'shop-namespace', { name: 'shop' });
    const catalog = new CanaryService(chart, 'catalog', {
      port: 8080, stable: { image: 'ghcr.io/acme/catalog:2.0.0', version: 'v1' }, canary: { image: 'ghcr.io/acme/catalog:2.1.0', version: 'v2' },
    });
    const frontend = new kplus.Deployment(chart, 'frontend', { containers: [{ image: 'ghcr.io/acme/frontend:1.4.2', portNumber: 8080 }] });
    const frontendService = frontend.exposeViaService({ name: 'frontend', ports: [{ port: 8080, name: 'http' }] });
    // WHEN (verbatim)
    const edge = new MeshGateway(chart, 'edge', {
      namespace: NamespaceRef.named('istio-ingress'), // where the ingress gateway pods run
      tls: GatewayTls.simple({ credentialName: 'shop-example-com-cert' }),
    });
    edge.expose('shop.example.com', catalog, { pathPrefix: '/catalog' }); // reuses catalog's 90/10 split
    edge.expose('shop.example.com', catalog.canary!, { pathPrefix: '/catalog', headers: { 'x-beta': 'true' } });
    edge.expose('shop.example.com', ServiceHost.fromService(frontendService)); // everything else
    shopNs.allow(edge.identity).to(catalog).methods(HttpMethod.GET); // edge traffic into a default-deny namespace
    shopNs.allow(edge.identity).to(MeshWorkload.fromWorkload(frontend));
    // THEN
    MeshRouting.expectRoute(app, { host: 'shop.example.com', path: '/catalog', gateway: 'istio-ingress/edge' }).toSplit([
      { host: 'catalog.shop.svc.cluster.local', subset: 'stable', weight: 90 },
      { host: 'catalog.shop.svc.cluster.local', subset: 'canary', weight: 10 },
    ]);
    MeshRouting.expectRoute(app, { host: 'shop.example.com', path: '/', gateway: 'istio-ingress/edge' }).toReach('frontend.shop.svc.cluster.local');

    // the Gateway API snippet (verbatim)
    const apiEdge = new MeshGateway(chart, 'edge-gwapi', {
      namespace: NamespaceRef.named('istio-ingress'),
      api: EdgeApi.GATEWAY_API,
      tls: GatewayTls.simple({ credentialName: 'shop-example-com-cert' }),
    });
    apiEdge.expose('shop.example.com', catalog, { pathPrefix: '/catalog' });
    shopNs.allow(apiEdge.identity).to(catalog);
    const out = Testing.synth(chart);
    expect(out.filter((o: any) => o.apiVersion === 'gateway.networking.k8s.io/v1').map((o: any) => `${o.kind}/${o.metadata.namespace}/${o.metadata.name}`)).toEqual([
      'Gateway/istio-ingress/edge-gwapi',
      'HTTPRoute/istio-ingress/edge-gwapi-https-redirect',
      'HTTPRoute/istio-ingress/edge-gwapi-shop-example-com',
      'ReferenceGrant/shop/edge-gwapi-routes',
    ]);
    expect(out.filter((o: any) => o.kind === 'Service' && o.metadata.name.startsWith('catalog-')).map((o: any) => o.metadata.name)).toEqual(['catalog-v1', 'catalog-v2']);
  });
});

describe('MeshGateway: a CanaryService\'s canary header at the edge', () => {
  const build = (canary: boolean) => {
    const app = Testing.app();
    const chart = new Chart(app, 'shop', { namespace: 'shop' });
    const catalog = new CanaryService(chart, 'catalog', {
      port: 8080, stable: { version: 'v1' }, canary: canary ? { version: 'v2' } : undefined, canaryWeight: 10, canaryHeader: { name: 'x-canary', value: 'true' },
    });
    const edgeChart = new Chart(app, 'edge');
    const edge = new MeshGateway(edgeChart, 'edge', { namespace: NamespaceRef.named('istio-ingress'), tls: GatewayTls.simple({ credentialName: 'cert' }) });
    edge.expose('shop.example.com', catalog, { pathPrefix: '/catalog' });
    return Testing.synth(edgeChart).find((d) => d.kind === 'VirtualService').spec.http;
  };
  const FQDN = 'catalog.shop.svc.cluster.local';

  test('a request with the canary header reaches the canary through the gateway; the rest is split by weight', () => {
    expect(build(true)).toEqual([
      {
        match: [{ uri: { prefix: '/catalog' }, headers: { 'x-canary': { exact: 'true' } } }],
        route: [{ destination: { host: FQDN, subset: 'canary' } }],
      },
      {
        match: [{ uri: { prefix: '/catalog' } }],
        route: [{ destination: { host: FQDN, subset: 'stable' }, weight: 90 }, { destination: { host: FQDN, subset: 'canary' }, weight: 10 }],
      },
    ]);
  });

  test('near miss: between releases (no canary) there is no header route at the edge', () => {
    expect(build(false)).toEqual([{ match: [{ uri: { prefix: '/catalog' } }], route: [{ destination: { host: FQDN, subset: 'stable' } }] }]);
  });
});

describe('MeshGateway: a CanaryService\'s canary cookie at the edge', () => {
  const build = (api: EdgeApi) => {
    const app = Testing.app();
    const chart = new Chart(app, 'shop', { namespace: 'shop' });
    const catalog = new CanaryService(chart, 'catalog', {
      port: 8080, stable: { version: 'v1' }, canary: { version: 'v2' }, canaryWeight: 10, canaryCookie: { name: 'canary', value: 'always' },
    });
    const edge = new MeshGateway(new Chart(app, 'edge'), 'edge', { namespace: NamespaceRef.named('istio-ingress'), api, tls: GatewayTls.simple({ credentialName: 'cert' }) });
    edge.expose('shop.example.com', catalog, { pathPrefix: '/catalog' });
    return app;
  };
  const COOKIE = '^(.*?;\\s*)?canary=always(;.*)?$';

  test('Istio flavour: a request with the cookie reaches the canary through the gateway (the regex the mesh route uses), the rest is split', () => {
    const app = build(EdgeApi.ISTIO);
    const http = app.charts[1].toJson().find((d: any) => d.kind === 'VirtualService').spec.http;
    expect(http[0]).toEqual({
      match: [{ uri: { prefix: '/catalog' }, headers: { cookie: { regex: COOKIE } } }],
      route: [{ destination: { host: 'catalog.shop.svc.cluster.local', subset: 'canary' } }],
    });
    const mesh = app.charts[0].toJson().find((d: any) => d.kind === 'VirtualService').spec.http;
    expect(mesh[0].match).toEqual([{ headers: { cookie: { regex: COOKIE } } }]);
    const request = { host: 'shop.example.com', path: '/catalog/items', gateway: 'istio-ingress/edge' };
    MeshRouting.expectRoute(app, { ...request, headers: { cookie: 'session=1; canary=always' } }).toReach('catalog.shop.svc.cluster.local', 'canary');
    MeshRouting.expectRoute(app, { ...request, headers: { cookie: 'canary=never' } }).toSplit([
      { host: 'catalog.shop.svc.cluster.local', subset: 'stable', weight: 90 }, { host: 'catalog.shop.svc.cluster.local', subset: 'canary', weight: 10 },
    ]);
  });

  test('Gateway API flavour: the cookie rule is a RegularExpression header match before the split', () => {
    const route = build(EdgeApi.GATEWAY_API).charts[1].toJson().find((d: any) => d.kind === 'HTTPRoute' && d.spec.rules.length > 1);
    expect(route.spec.rules[0].matches).toEqual([{ path: { type: 'PathPrefix', value: '/catalog' }, headers: [{ name: 'cookie', type: 'RegularExpression', value: COOKIE }] }]);
    expect(route.spec.rules[1].backendRefs.map((b: any) => [b.name, b.weight])).toEqual([['catalog-v1', 90], ['catalog-v2', 10]]);
  });
});

describe('MeshGateway into a default-deny SecureNamespace', () => {
  const build = (allow: boolean | 'namespace', api: EdgeApi) => {
    const app = Testing.app();
    const chart = new Chart(app, 'shop', { namespace: 'shop' });
    const secure = new SecureNamespace(chart, 'shop-namespace', { name: 'shop' });
    const catalog = new CanaryService(chart, 'catalog', { port: 8080, stable: { version: 'v1' }, canary: { version: 'v2' } });
    const edge = new MeshGateway(chart, 'edge', { namespace: NamespaceRef.named('istio-ingress'), api, tls: GatewayTls.simple({ credentialName: 'cert' }) });
    edge.expose('shop.example.com', catalog, { pathPrefix: '/catalog' });
    if (allow === true) secure.allow(edge.identity).to(catalog);
    if (allow === 'namespace') secure.allow(MeshIdentity.namespace(NamespaceRef.named('istio-ingress'))).to(catalog);
    return () => Testing.synth(chart);
  };

  test.each([EdgeApi.ISTIO, EdgeApi.GATEWAY_API])('fails at synth (%s) when no intent lets the gateway\'s identity in', (api) => {
    const sa = api === EdgeApi.ISTIO ? 'istio-ingressgateway' : 'edge-istio';
    expect(build(false, api)).toThrow(
      `Invalid expose "catalog.shop": namespace "shop" denies by default and no intent lets the gateway's identity (cluster.local/ns/istio-ingress/sa/${sa}) in, so edge traffic would get 403. `
      + 'Fix: allow it on that SecureNamespace (shop/shop-namespace): .allow(edge.identity).to(<the exposed workload>)');
  });

  test.each([EdgeApi.ISTIO, EdgeApi.GATEWAY_API])('near miss (%s): with the intent, the synth passes', (api) => {
    expect(build(true, api)().filter((d: any) => d.kind === 'AuthorizationPolicy').map((d: any) => d.metadata.name)).toContain(
      api === EdgeApi.ISTIO ? 'allow-istio-ingress-istio-ingressgateway-to-catalog' : 'allow-istio-ingress-edge-istio-to-catalog');
    expect(build('namespace', api)().length).toBeGreaterThan(0); // the gateway's whole namespace admitted
  });
});


describe('MeshGateway (Gateway API): rules named after their matches', () => {
  const release = (canaryWeight: number, beta: boolean) => {
    const app = Testing.app();
    const chart = new Chart(app, 'shop', { namespace: 'shop' });
    const catalog = new CanaryService(chart, 'catalog', { port: 8080, stable: { version: 'v1' }, canary: { version: 'v2' }, canaryWeight });
    const edgeChart = new Chart(app, 'edge');
    const edge = new MeshGateway(edgeChart, 'edge', { namespace: NamespaceRef.named('istio-ingress'), api: EdgeApi.GATEWAY_API, plaintext: true });
    edge.expose('shop.example.com', catalog, { pathPrefix: '/catalog' });
    if (beta) edge.expose('shop.example.com', catalog.canary!, { pathPrefix: '/catalog', headers: { 'x-beta': 'true' } });
    edge.expose('shop.example.com', ServiceHost.inNamespace('shop', 'frontend'), { port: 8080 });
    return Testing.synth(edgeChart).map((doc: any) => ({ doc }));
  };

  test('cdk8s-istio diff reports a weight step and a new rule ranked first by rule name, not by a shifting index', () => {
    const t = _transition(release(10, false), release(25, true));
    const route = 'HTTPRoute/istio-ingress/edge-shop-example-com'; // the frontend rule moves from #1 to #2 but keeps its name: no note
    expect(t.notes).toEqual([
      `route added: ${route} route prefix-catalog-x-beta-hbc842e9e: catalog-v2 100%`,
      `weights: ${route} route prefix-catalog: catalog-v1 90%, catalog-v2 10% -> catalog-v1 75%, catalog-v2 25%`,
    ]);
  });

  test('near miss: the same app synthesized twice gives the same names (no notes)', () => {
    expect(_transition(release(10, true), release(10, true)).notes).toEqual([]);
  });
});
