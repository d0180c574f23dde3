import * as fs from 'fs';
import * as path from 'path';
import { Chart, Testing } from 'cdk8s';
import * as YAML from 'yaml';
import {
  DestinationRule, GatewayBinding, HttpMatch, HttpMethod, KubernetesGateway, KubernetesHttpRoute, KubernetesHttpRouteRuleOptions, ListenerProtocol,
  MeshRouting, RouteParent, ServiceHost, StringMatch, VirtualService,
} from '../../src';
import { describeWithShared } from '../shared';

const REVIEWS = 'reviews.bookinfo.svc.cluster.local';

/** bookinfo's reviews service, expressed with the L2s */
function bookinfo(routes: (vs: VirtualService, v: { [name: string]: any }) => void): Chart {
  const chart = new Chart(Testing.app(), 'bookinfo', { namespace: 'bookinfo' });
  const dr = new DestinationRule(chart, 'reviews-dr', { metadata: { name: 'reviews' }, host: ServiceHost.inNamespace('bookinfo', 'reviews') });
  const v = { v1: dr.addSubset('v1', { version: 'v1' }), v2: dr.addSubset('v2', { version: 'v2' }), v3: dr.addSubset('v3', { version: 'v3' }) };
  const vs = new VirtualService(chart, 'reviews', { metadata: { name: 'reviews' }, hosts: [REVIEWS] });
  routes(vs, v);
  return chart;
}

describe('MeshRouting', () => {
  test('request routing: end-user jason reaches v2, everyone else v1 (first match wins)', () => {
    // GIVEN
    const chart = bookinfo((vs, v) => {
      vs.addHttpRoute({ match: [HttpMatch.header('end-user', StringMatch.exact('jason'))], destinations: [{ destination: v.v2 }] });
      vs.addHttpRoute({ destinations: [{ destination: v.v1 }] });
    });
    // THEN
    MeshRouting.expectRoute(chart, { host: 'reviews', headers: { 'end-user': 'jason' } }).toReach('reviews', 'v2');
    MeshRouting.expectRoute(chart, { host: 'reviews', headers: { 'End-User': 'jason' } }).toMatchRoute(0);
    MeshRouting.expectRoute(chart, { host: 'reviews', headers: { 'end-user': 'bob' } }).toReach(REVIEWS, 'v1');
    MeshRouting.expectRoute(chart, { host: 'reviews.bookinfo' }).toReach('reviews', 'v1');
    const r = MeshRouting.evaluate(chart, { host: REVIEWS, headers: { 'end-user': 'jason' } });
    expect(r).toEqual({
      matched: true,
      virtualService: 'bookinfo/reviews',
      routeIndex: 0,
      routeName: undefined,
      redirect: false,
      destinations: [{ host: REVIEWS, fqdn: REVIEWS, subset: 'v2', port: undefined, weight: 100 }],
      description: `VirtualService bookinfo/reviews route #0 sends: ${REVIEWS} subset v2 100%`,
    });
  });

  test('traffic shifting: 50/50 and 90/10', () => {
    for (const [a, b] of [[50, 50], [90, 10]]) {
      // GIVEN
      const chart = bookinfo((vs, v) => vs.addHttpRoute({ destinations: [{ destination: v.v1, weight: a }, { destination: v.v3, weight: b }] }));
      // THEN
      MeshRouting.expectRoute(chart, { host: 'reviews' }).toSplit([{ host: 'reviews', subset: 'v1', weight: a }, { host: 'reviews', subset: 'v3', weight: b }]);
    }
  });

  test('matches paths, methods, query parameters, withoutHeaders, gateways and source labels', () => {
    // GIVEN
    const chart = bookinfo((vs, v) => {
      vs.addGateway(GatewayBinding.external('istio-ingress', 'edge'));
      vs.addHttpRoute({ name: 'edge', match: [HttpMatch.of({ uri: StringMatch.prefix('/edge'), gateways: [GatewayBinding.of('istio-ingress', 'edge')] })], destinations: [{ destination: v.v3 }] });
      vs.addHttpRoute({ name: 'post', match: [HttpMatch.of({ method: StringMatch.exact('POST'), uri: StringMatch.regex('/items/[0-9]+') })], destinations: [{ destination: v.v2 }] });
      vs.addHttpRoute({ name: 'query', match: [HttpMatch.of({ queryParams: { beta: StringMatch.exact('1') }, withoutHeaders: { 'x-no-beta': StringMatch.exact('1') } })], destinations: [{ destination: v.v2 }] });
      vs.addHttpRoute({ name: 'from-ratings', match: [HttpMatch.of({ sourceLabels: { app: 'ratings' } })], destinations: [{ destination: v.v3 }] });
      vs.addHttpRoute({ name: 'case', match: [HttpMatch.of({ uri: StringMatch.exact('/CaSe'), ignoreUriCase: true })], destinations: [{ destination: v.v3 }] });
      vs.addHttpRoute({ name: 'rx-i', match: [HttpMatch.regex('(?i)/RX/[a-z]+')], destinations: [{ destination: v.v3 }] });
      vs.addHttpRoute({ name: 'old', match: [HttpMatch.prefix('/old')], redirect: { uri: '/new' } });
      vs.addHttpRoute({ name: 'default', destinations: [{ destination: v.v1 }] });
    });
    const route = (req: any) => MeshRouting.evaluate(chart, { host: 'reviews', ...req }).routeName;
    // THEN
    expect(route({ path: '/edge/x', gateway: 'istio-ingress/edge' })).toEqual('edge');
    expect(route({ path: '/edge/x' })).toEqual('default');
    expect(route({ path: '/items/42', method: HttpMethod.POST })).toEqual('post');
    expect(route({ path: '/items/42x', method: HttpMethod.POST })).toEqual('default');
    expect(route({ path: '/items/42', method: HttpMethod.GET })).toEqual('default');
    // JavaScript callers are not type-checked: a method Istio never matches is refused
    expect(() => route({ path: '/items/42', method: 'post' as HttpMethod })).toThrow(
      'Invalid method "post": it is not an HTTP method Istio matches. Fix: use HttpMethod.POST');
    expect(route({ path: '/x?beta=1' })).toEqual('query');
    expect(route({ path: '/x?beta=1', headers: { 'x-no-beta': '1' } })).toEqual('default');
    expect(route({ sourceLabels: { app: 'ratings', version: 'v1' } })).toEqual('from-ratings');
    expect(route({ path: '/case' })).toEqual('case');
    expect(route({ path: '/rx/AbC' })).toEqual('rx-i');
    expect(route({ path: '/rx/abc/more' })).toEqual('default');
    expect(MeshRouting.evaluate(chart, { host: 'reviews', path: '/old/a' }).redirect).toBe(true);
    MeshRouting.expectRoute(chart, { host: 'ratings' }).toMatchNothing();
  });

  test('fails with a clear description when the expectation does not hold', () => {
    // GIVEN
    const chart = bookinfo((vs, v) => vs.addHttpRoute({ destinations: [{ destination: v.v1, weight: 90 }, { destination: v.v2, weight: 10 }] }));
    // THEN
    expect(() => MeshRouting.expectRoute(chart, { host: 'reviews' }).toReach('reviews', 'v2'))
      .toThrow(`Expected GET reviews/ via mesh to reach ${REVIEWS} subset v2 100%; but VirtualService bookinfo/reviews route #0 sends: ${REVIEWS} subset v1 90%, ${REVIEWS} subset v2 10%`);
    expect(() => MeshRouting.expectRoute(chart, { host: 'ratings' }).toReach('ratings'))
      .toThrow('Expected GET ratings/ via mesh to reach ratings.default.svc.cluster.local 100%; but no VirtualService or HTTPRoute for host ratings on gateway mesh');
    expect(() => MeshRouting.expectRoute(chart, { host: 'reviews' }).toMatchRoute(1)).toThrow('Expected GET reviews/ via mesh to match route #1; but VirtualService bookinfo/reviews route #0');
    expect(() => MeshRouting.expectRoute(chart, { host: 'reviews' }).toMatchNothing()).toThrow('Expected GET reviews/ via mesh to match no route; but VirtualService');
  });
});

describe('MeshRouting host naming: configuration hosts as Istio resolves them, request hosts as clients send them', () => {
  const manifest = (hosts: string[], destHost: string) => [{
    apiVersion: 'networking.istio.io/v1',
    kind: 'VirtualService',
    metadata: { name: 'reviews', namespace: 'bookinfo' },
    spec: { hosts, http: [{ route: [{ destination: { host: destHost } }] }] },
  }];

  test('a destination "reviews.bookinfo" is taken as is (only a name without a dot is short)', () => {
    // fixed: the route tester used to expand it to reviews.bookinfo.svc.cluster.local, which Istio never does
    const r = MeshRouting.evaluateManifests(manifest([REVIEWS], 'reviews.bookinfo'), { host: 'reviews' });
    expect(r.destinations.map((d) => d.fqdn)).toEqual(['reviews.bookinfo']);
    MeshRouting.expectManifestRoute(manifest([REVIEWS], 'reviews.bookinfo'), { host: 'reviews' }).toReach('reviews.bookinfo');
    expect(() => MeshRouting.expectManifestRoute(manifest([REVIEWS], 'reviews.bookinfo'), { host: 'reviews' }).toReach('reviews'))
      .toThrow('Expected GET reviews/ via mesh to reach reviews.bookinfo.svc.cluster.local 100%; but VirtualService bookinfo/reviews route #0 sends: reviews.bookinfo 100%');
    expect(MeshRouting.evaluateManifests(manifest([REVIEWS], 'reviews'), { host: 'reviews' }).destinations[0].fqdn).toBe(REVIEWS);
  });

  test('a VirtualService host "reviews.bookinfo" is not the Service: a client calling "reviews" does not reach it', () => {
    // fixed: the VirtualService host used to be expanded to the Service FQDN and took these requests
    MeshRouting.expectManifestRoute(manifest(['reviews.bookinfo'], 'reviews'), { host: 'reviews' }).toMatchNothing();
    MeshRouting.expectManifestRoute(manifest(['reviews.bookinfo'], 'reviews'), { host: 'reviews.bookinfo' }).toReach('reviews');
  });

  test('request hosts name a Service as clients do (reviews, reviews.bookinfo, reviews.bookinfo.svc) and gateways resolve as in Istio', () => {
    for (const host of ['reviews', 'reviews.bookinfo', 'reviews.bookinfo.svc', REVIEWS]) {
      MeshRouting.expectManifestRoute(manifest([REVIEWS], 'reviews'), { host, namespace: 'bookinfo' }).toReach('reviews');
    }
    const viaGateway = [{ ...manifest(['shop.example.com'], 'reviews')[0], spec: { hosts: ['shop.example.com'], gateways: ['./edge'], http: [{ route: [{ destination: { host: 'reviews' } }] }] } }];
    MeshRouting.expectManifestRoute(viaGateway, { host: 'shop.example.com', gateway: 'bookinfo/edge' }).toReach('reviews');
  });
});

/** HTTPRoutes of one namespace (`shop`), mesh routing for the `catalog` Service */
function meshRoutes(...rules: KubernetesHttpRouteRuleOptions[][]): Chart {
  const chart = new Chart(Testing.app(), 'shop', { namespace: 'shop' });
  rules.forEach((r, i) => new KubernetesHttpRoute(chart, `r${i}`, { metadata: { name: `route-${String.fromCharCode(97 + i)}` }, parents: [RouteParent.service('catalog')], rules: r }));
  return chart;
}
const to = (serviceName: string) => ({ backends: [{ serviceName, port: 8080 }] });

describe('MeshRouting on HTTPRoutes (Gateway API precedence)', () => {
  test('the same route test passes for a VirtualService and an HTTPRoute of the same intent', () => {
    // GIVEN the intent "x-canary: true reaches catalog-v2; everyone else 90/10 to catalog-v1/catalog-v2", twice
    const sidecar = new Chart(Testing.app(), 'shop', { namespace: 'shop' });
    const vs = new VirtualService(sidecar, 'catalog', { hosts: ['catalog.shop.svc.cluster.local'] });
    vs.addHttpRoute({ match: [HttpMatch.header('x-canary', StringMatch.exact('true'))], destinations: [{ destination: ServiceHost.inNamespace('shop', 'catalog-v2') }] });
    vs.addHttpRoute({ destinations: [{ destination: ServiceHost.inNamespace('shop', 'catalog-v1'), weight: 90 }, { destination: ServiceHost.inNamespace('shop', 'catalog-v2'), weight: 10 }] });
    // the HTTPRoute lists the split first: precedence (more header matches), not order, puts the header rule first
    const ambient = meshRoutes([
      { backends: [{ serviceName: 'catalog-v1', port: 8080, weight: 90 }, { serviceName: 'catalog-v2', port: 8080, weight: 10 }] },
      { matches: [{ headers: { 'x-canary': 'true' } }], ...to('catalog-v2') },
    ]);
    // THEN one test, both data planes
    for (const app of [sidecar, ambient]) {
      MeshRouting.expectRoute(app, { host: 'catalog', sourceNamespace: 'shop', headers: { 'X-Canary': 'true' } }).toReach('catalog-v2');
      MeshRouting.expectRoute(app, { host: 'catalog.shop', headers: { 'x-canary': 'false' } })
        .toSplit([{ host: 'catalog-v1', weight: 90 }, { host: 'catalog-v2', weight: 10 }]);
    }
    expect(MeshRouting.evaluate(ambient, { host: 'catalog.shop.svc.cluster.local', headers: { 'x-canary': 'true' } })).toMatchObject({
      matched: true, httpRoute: 'shop/route-a', routeIndex: 1, description: 'HTTPRoute shop/route-a rule #1 sends: catalog-v2.shop.svc.cluster.local 100%',
    });
  });

  test('exact over prefix, the longest prefix, element-wise prefixes, a trailing "/" ignored, regex last', () => {
    const chart = meshRoutes([
      { matches: [{ pathRegex: '/items/[0-9]+' }], ...to('regex') },
      { matches: [{ pathPrefix: '/items/' }], ...to('items') },
      { matches: [{ pathPrefix: '/items/special' }], ...to('special') },
      { matches: [{ pathExact: '/items' }], ...to('exact') },
      { ...to('default') },
    ]);
    const reach = (p: string, svc: string) => MeshRouting.expectRoute(chart, { host: 'catalog.shop', path: p }).toReach(`${svc}.shop.svc.cluster.local`);
    reach('/items', 'exact');
    reach('/items/special/1', 'special');
    reach('/items/1', 'items');
    reach('/itemsx', 'default');
    reach('/items/specialx', 'items');
    reach('/', 'default');
  });

  test('then a method match, more header matches, more query matches; then the older route, then namespace/name', () => {
    const chart = meshRoutes(
      [
        { matches: [{ pathPrefix: '/a', queryParams: { q: StringMatch.exact('1') } }], ...to('query') },
        { matches: [{ pathPrefix: '/a', headers: { h1: 'x', h2: 'y' } }], ...to('two-headers') },
        { matches: [{ pathPrefix: '/a', headers: { h1: 'x' } }], ...to('one-header') },
        { matches: [{ pathPrefix: '/a', method: HttpMethod.POST }], ...to('post') },
      ],
      [{ matches: [{ pathPrefix: '/a' }], ...to('route-b') }],
    );
    const reach = (r: any, svc: string) => MeshRouting.expectRoute(chart, { host: 'catalog.shop', path: '/a', ...r }).toReach(`${svc}.shop.svc.cluster.local`);
    reach({ method: HttpMethod.POST, headers: { h1: 'x', h2: 'y' } }, 'post');
    reach({ headers: { h1: 'x', h2: 'y' }, path: '/a?q=1' }, 'two-headers');
    reach({ headers: { h1: 'x' }, path: '/a?q=1' }, 'one-header');
    reach({ path: '/a?q=1' }, 'query');
    reach({ path: '/a?q=2' }, 'route-b'); // a tie with no condition left: route-a's rules did not match, route-b's does
    // two routes with the same match: the older one, then "namespace/name" (route-a before route-z)
    const tie = meshRoutes([{ matches: [{ pathPrefix: '/t' }], ...to('first') }], [{ matches: [{ pathPrefix: '/t' }], ...to('second') }]);
    MeshRouting.expectRoute(tie, { host: 'catalog.shop', path: '/t' }).toReach('first.shop.svc.cluster.local');
    const created: { [name: string]: string } = { 'route-a': '2024-05-01T00:00:00Z', 'route-b': '2020-01-01T00:00:00Z' };
    const manifests = Testing.synth(tie).map((o) => ({ ...o, metadata: { ...o.metadata, creationTimestamp: created[o.metadata.name] } }));
    MeshRouting.expectManifestRoute(manifests, { host: 'catalog.shop', path: '/t' }).toReach('second.shop.svc.cluster.local');
  });

  test('Service parents: consumer routes replace the producer routes for their namespace; a parent port must match', () => {
    const chart = new Chart(Testing.app(), 'shop', { namespace: 'shop' });
    new KubernetesHttpRoute(chart, 'producer', { parents: [RouteParent.service('catalog', { port: 8080 })], rules: [to('catalog-v1')] });
    new KubernetesHttpRoute(chart, 'consumer', { metadata: { namespace: 'frontend' }, parents: [RouteParent.service('catalog', { namespace: 'shop' })], rules: [{ backends: [{ serviceName: 'catalog-v2', namespace: 'shop', port: 8080 }] }] });
    MeshRouting.expectRoute(chart, { host: 'catalog.shop', sourceNamespace: 'frontend' }).toReach('catalog-v2.shop.svc.cluster.local');
    MeshRouting.expectRoute(chart, { host: 'catalog', sourceNamespace: 'shop' }).toReach('catalog-v1');
    MeshRouting.expectRoute(chart, { host: 'catalog.shop', port: 9090, sourceNamespace: 'shop' }).toMatchNothing();
    expect(MeshRouting.evaluate(chart, { host: 'catalog.shop', gateway: 'istio-ingress/edge' }).description).toEqual('no VirtualService or HTTPRoute for host catalog.shop on gateway istio-ingress/edge');
  });

  test('Gateway parents: the most specific hostname wins; redirects; weights of 0', () => {
    const edge = new Chart(Testing.app(), 'edge', { namespace: 'istio-ingress' });
    const gateway = new KubernetesGateway(edge, 'gw', { metadata: { name: 'edge' }, listeners: [{ port: 80, protocol: ListenerProtocol.HTTP }] });
    new KubernetesHttpRoute(edge, 'wild', { parents: [RouteParent.fromGateway(gateway)], hostnames: ['*.example.com'], rules: [to('wild'), { matches: [{ pathPrefix: '/old' }], redirect: { scheme: 'https' } }] });
    new KubernetesHttpRoute(edge, 'shop', { parents: [RouteParent.fromGateway(gateway)], hostnames: ['shop.example.com'], rules: [{ backends: [{ serviceName: 'shop', port: 8080, weight: 0 }] }] });
    const via = { gateway: 'istio-ingress/edge' };
    MeshRouting.expectRoute(edge, { host: 'api.example.com', ...via }).toReach('wild.istio-ingress.svc.cluster.local');
    expect(MeshRouting.evaluate(edge, { host: 'api.example.com', path: '/old/x', ...via })).toMatchObject({ matched: true, redirect: true, destinations: [] });
    expect(MeshRouting.evaluate(edge, { host: 'shop.example.com', ...via }).destinations).toEqual([{ host: 'shop', fqdn: 'shop.istio-ingress.svc.cluster.local', port: 8080, weight: 0 }]);
    MeshRouting.expectRoute(edge, { host: 'example.org', ...via }).toMatchNothing();
    expect(() => MeshRouting.expectRoute(edge, { host: 'api.example.com', ...via }).toReach('other'))
      .toThrow('Expected GET api.example.com/ via istio-ingress/edge to reach other.istio-ingress.svc.cluster.local 100%; but HTTPRoute istio-ingress/edge-wild-c8');
  });
});

describeWithShared('MeshRouting on Istio\'s bookinfo samples', (shared) => {
  const dir = path.join(shared, 'istio-1.30.3', 'samples', 'bookinfo', 'networking');
  const load = (file: string) => YAML.parseAllDocuments(fs.readFileSync(path.join(dir, file), 'utf8')).map((d) => d.toJSON()).filter((o) => o);

  test('request routing (virtual-service-reviews-test-v2.yaml): jason -> v2, else v1', () => {
    const m = load('virtual-service-reviews-test-v2.yaml');
    MeshRouting.expectManifestRoute(m, { host: 'reviews', headers: { 'end-user': 'jason' } }).toReach('reviews', 'v2');
    MeshRouting.expectManifestRoute(m, { host: 'reviews.default.svc.cluster.local' }).toReach('reviews', 'v1');
  });

  test('traffic shifting (virtual-service-reviews-50-v3.yaml, -90-10.yaml, -80-20.yaml)', () => {
    MeshRouting.expectManifestRoute(load('virtual-service-reviews-50-v3.yaml'), { host: 'reviews' })
      .toSplit([{ host: 'reviews', subset: 'v1', weight: 50 }, { host: 'reviews', subset: 'v3', weight: 50 }]);
    MeshRouting.expectManifestRoute(load('virtual-service-reviews-90-10.yaml'), { host: 'reviews' })
      .toSplit([{ host: 'reviews', subset: 'v1', weight: 90 }, { host: 'reviews', subset: 'v2', weight: 10 }]);
    MeshRouting.expectManifestRoute(load('virtual-service-reviews-80-20.yaml'), { host: 'reviews' })
      .toSplit([{ host: 'reviews', subset: 'v1', weight: 80 }, { host: 'reviews', subset: 'v2', weight: 20 }]);
  });

  test('virtual-service-all-v1.yaml sends every service to v1; the ingress gateway routes /productpage', () => {
    const all = load('virtual-service-all-v1.yaml');
    for (const svc of ['productpage', 'reviews', 'ratings', 'details']) MeshRouting.expectManifestRoute(all, { host: svc }).toReach(svc, 'v1');
    const gw = load('bookinfo-gateway.yaml');
    MeshRouting.expectManifestRoute(gw, { host: 'bookinfo.example.com', path: '/productpage', gateway: 'default/bookinfo-gateway' }).toReach('productpage');
    MeshRouting.expectManifestRoute(gw, { host: 'bookinfo.example.com', path: '/admin', gateway: 'default/bookinfo-gateway' }).toMatchNothing();
    MeshRouting.expectManifestRoute(gw, { host: 'bookinfo.example.com', path: '/productpage' }).toMatchNothing();
  });

  test('Gateway API samples (gateway-api/route-reviews-90-10.yaml, -50-v3, bookinfo-gateway.yaml): Service and Gateway parents', () => {
    const gwapi = (file: string) => YAML.parseAllDocuments(fs.readFileSync(path.join(dir, '..', 'gateway-api', file), 'utf8')).map((d) => d.toJSON()).filter((o) => o);
    MeshRouting.expectManifestRoute(gwapi('route-reviews-90-10.yaml'), { host: 'reviews', port: 9080 })
      .toSplit([{ host: 'reviews-v1', weight: 90 }, { host: 'reviews-v2', weight: 10 }]);
    MeshRouting.expectManifestRoute(gwapi('route-reviews-50-v3.yaml'), { host: 'reviews' })
      .toSplit([{ host: 'reviews-v1', weight: 50 }, { host: 'reviews-v3', weight: 50 }]);
    const gw = gwapi('bookinfo-gateway.yaml');
    MeshRouting.expectManifestRoute(gw, { host: 'bookinfo.example.com', path: '/productpage', gateway: 'default/bookinfo-gateway' }).toReach('productpage');
    MeshRouting.expectManifestRoute(gw, { host: 'bookinfo.example.com', path: '/static/app.js', gateway: 'default/bookinfo-gateway' }).toReach('productpage');
    MeshRouting.expectManifestRoute(gw, { host: 'bookinfo.example.com', path: '/admin', gateway: 'default/bookinfo-gateway' }).toMatchNothing();
  });
});
