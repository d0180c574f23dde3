import * as fs from 'fs';
import * as path from 'path';
import { Chart, Testing } from 'cdk8s';
import * as YAML from 'yaml';
import { DestinationRule, GatewayBinding, HttpMatch, MeshRouting, ServiceHost, StringMatch, VirtualService } from '../../src';
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
    expect(route({ path: '/items/42', method: 'POST' })).toEqual('post');
    expect(route({ path: '/items/42x', method: 'POST' })).toEqual('default');
    expect(route({ path: '/items/42', method: 'GET' })).toEqual('default');
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
      .toThrow('Expected GET ratings/ via mesh to reach ratings.default.svc.cluster.local 100%; but no VirtualService for host ratings on gateway mesh');
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
});
