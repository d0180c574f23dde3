import { Duration, Testing } from 'cdk8s';
import { DestinationRule, GatewayBinding, HttpMatch, HttpMethod, ServiceHost, StringMatch, VirtualService } from '../src';

const host = ServiceHost.inNamespace('bookinfo', 'reviews');
function setup() {
  const chart = Testing.chart();
  const dr = new DestinationRule(chart, 'dr', { host });
  const v1 = dr.addSubset('v1', { version: 'v1' });
  const v2 = dr.addSubset('v2', { version: 'v2' });
  const vs = new VirtualService(chart, 'vs', { metadata: { name: 'reviews', namespace: 'bookinfo' }, hosts: [host.fqdn] });
  return { chart, dr, v1, v2, vs };
}
const specOf = (chart: any) => Testing.synth(chart).find((o: any) => o.kind === 'VirtualService').spec;

describe('VirtualService', () => {
  test('request routing (jason -> v2, else v1): routes render in order, plus a reviewed snapshot', () => {
    // GIVEN
    const { chart, v1, v2, vs } = setup();
    // WHEN
    vs.addHttpRoute({ match: [HttpMatch.header('end-user', StringMatch.exact('jason'))], destinations: [{ destination: v2 }] });
    vs.addHttpRoute({ destinations: [{ destination: v1 }] });
    // THEN
    expect(specOf(chart)).toEqual({
      hosts: ['reviews.bookinfo.svc.cluster.local'],
      http: [
        { match: [{ headers: { 'end-user': { exact: 'jason' } } }], route: [{ destination: { host: 'reviews.bookinfo.svc.cluster.local', subset: 'v2' } }] },
        { route: [{ destination: { host: 'reviews.bookinfo.svc.cluster.local', subset: 'v1' } }] },
      ],
    });
    expect(Testing.synth(chart)).toMatchSnapshot();
  });

  test('traffic shifting 90/10 renders weights; insertHttpRoute puts a route first', () => {
    // GIVEN
    const { chart, v1, v2, vs } = setup();
    vs.addHttpRoute({ name: 'split', destinations: [{ destination: v1, weight: 90 }, { destination: v2, weight: 10 }] });
    // WHEN
    vs.insertHttpRoute(0, { name: 'testers', match: [HttpMatch.header('x-canary', StringMatch.exact('true'))], destinations: [{ destination: v2 }] });
    // THEN
    expect(specOf(chart).http.map((r: any) => r.route)).toEqual([
      [{ destination: { host: host.fqdn, subset: 'v2' } }],
      [{ destination: { host: host.fqdn, subset: 'v1' }, weight: 90 }, { destination: { host: host.fqdn, subset: 'v2' }, weight: 10 }],
    ]);
    expect(vs.httpRoutes.map((r) => r.name)).toEqual(['testers', 'split']);
  });

  test('every HTTP route feature renders with Istio field names', () => {
    // GIVEN
    const { chart, v1, v2, vs } = setup();
    // WHEN
    vs.addHttpRoute({
      name: 'full',
      match: [HttpMatch.prefix('/api')],
      destinations: [{ destination: { toMeshDestination: () => ({ host: host.fqdn, subset: 'v1', port: 9080 }) } }],
      timeout: Duration.seconds(3),
      retries: { attempts: 3, perTryTimeout: Duration.millis(500), retryOn: ['5xx', 'connect-failure', '503'], backoff: Duration.millis(50) },
      fault: { delay: { fixedDelay: Duration.seconds(7), percentage: 10 }, abort: { httpStatus: 503, percentage: 0.5 } },
      mirrors: [{ destination: v2, percentage: 5 }],
      rewrite: { uri: '/v1/api', authority: 'reviews-internal' },
      headers: { request: { set: { 'x-b': '1', 'x-a': '2' }, remove: ['x-debug'] }, response: { add: { 'x-served-by': 'reviews' } } },
      corsPolicy: { allowOrigins: [StringMatch.exact('https://shop.example.com')], allowMethods: [HttpMethod.GET, HttpMethod.POST], allowHeaders: ['x-token'], maxAge: Duration.hours(1), allowCredentials: true },
    });
    vs.addHttpRoute({ name: 'old', match: [HttpMatch.prefix('/old')], redirect: { uri: '/new', redirectCode: 308 } });
    vs.addHttpRoute({ match: [HttpMatch.regex('/rx/(.*)')], rewrite: { uriRegex: { match: '/rx/(.*)', rewrite: '/\\1' } }, destinations: [{ destination: v1 }] });
    // THEN
    const http = specOf(chart).http;
    expect(http[0]).toEqual({
      name: 'full',
      match: [{ uri: { prefix: '/api' } }],
      route: [{ destination: { host: host.fqdn, subset: 'v1', port: { number: 9080 } } }],
      timeout: '3s',
      retries: { attempts: 3, perTryTimeout: '0.5s', retryOn: '5xx,connect-failure,503', backoff: '0.05s' },
      fault: { delay: { fixedDelay: '7s', percentage: { value: 10 } }, abort: { httpStatus: 503, percentage: { value: 0.5 } } },
      mirrors: [{ destination: { host: host.fqdn, subset: 'v2' }, percentage: { value: 5 } }],
      rewrite: { uri: '/v1/api', authority: 'reviews-internal' },
      headers: { request: { set: { 'x-a': '2', 'x-b': '1' }, remove: ['x-debug'] }, response: { add: { 'x-served-by': 'reviews' } } },
      corsPolicy: { allowOrigins: [{ exact: 'https://shop.example.com' }], allowMethods: ['GET', 'POST'], allowHeaders: ['x-token'], maxAge: '3600s', allowCredentials: true },
    });
    expect(http[1]).toEqual({ name: 'old', match: [{ uri: { prefix: '/old' } }], redirect: { uri: '/new', redirectCode: 308 } });
    expect(http[2].rewrite).toEqual({ uriRegexRewrite: { match: '/rx/(.*)', rewrite: '/\\1' } });
  });

  test('gateways: mesh is the default (omitted); edge gateways render with mesh; exportTo', () => {
    // GIVEN
    const { chart, v1, vs } = setup();
    vs.addHttpRoute({ destinations: [{ destination: v1 }] });
    const edge = new VirtualService(chart, 'edge', {
      hosts: ['shop.example.com'],
      gateways: [GatewayBinding.mesh()],
      exportTo: ['.'],
      http: [{ match: [HttpMatch.of({ uri: StringMatch.prefix('/r'), gateways: [GatewayBinding.of('istio-ingress', 'edge')] })], destinations: [{ destination: v1 }] }],
    });
    // WHEN
    edge.addGateway(GatewayBinding.external('istio-ingress', 'edge'));
    // THEN
    const [, spec1, spec2] = Testing.synth(chart).map((o: any) => o.spec);
    expect(spec1.gateways).toBeUndefined();
    expect(spec2.gateways).toEqual(['mesh', 'istio-ingress/edge']);
    expect(spec2.exportTo).toEqual(['.']);
    expect(spec2.http[0].match).toEqual([{ uri: { prefix: '/r' }, gateways: ['istio-ingress/edge'] }]);
    expect(edge.gateways).toEqual(['mesh', 'istio-ingress/edge']);
  });

  test('TCP and TLS (SNI) routes', () => {
    // GIVEN
    const chart = Testing.chart();
    const db = ServiceHost.inNamespace('data', 'db');
    // WHEN
    const vs = new VirtualService(chart, 'vs', { hosts: ['db.data.svc.cluster.local', 'api.example.com'] });
    vs.addTcpRoute({ match: [{ port: 5432, sourceLabels: { app: 'catalog' } }], destinations: [{ destination: db }] });
    vs.addTlsRoute({ match: [{ sniHosts: ['api.example.com'], port: 443 }], destinations: [{ destination: ServiceHost.external('api.example.com') }] });
    // THEN
    const spec = Testing.synth(chart)[0].spec;
    expect(spec.tcp).toEqual([{ match: [{ port: 5432, sourceLabels: { app: 'catalog' } }], route: [{ destination: { host: 'db.data.svc.cluster.local' } }] }]);
    expect(spec.tls).toEqual([{ match: [{ sniHosts: ['api.example.com'], port: 443 }], route: [{ destination: { host: 'api.example.com' } }] }]);
  });

  test('checkSubsets: false allows subsets defined outside the app', () => {
    const chart = Testing.chart();
    new VirtualService(chart, 'vs', { hosts: ['x.y.svc.cluster.local'], checkSubsets: false, http: [{ destinations: [{ destination: { toMeshDestination: () => ({ host: 'x.y.svc.cluster.local', subset: 'v1' }) } }] }] });
    expect(() => Testing.synth(chart)).not.toThrow();
  });

  describe('bad input', () => {
    test('fails on a negative weight', () => {
      const { vs, v1, v2 } = setup();
      expect(() => vs.addHttpRoute({ destinations: [{ destination: v1, weight: -10 }, { destination: v2, weight: 110 }] }))
        .toThrow('Invalid http route #0 destinations[0].weight -10: a weight cannot be negative. Fix: use a value from 0 to 100');
    });

    test('fails on a weight above 100', () => {
      const { vs, v1, v2 } = setup();
      expect(() => vs.addHttpRoute({ destinations: [{ destination: v1, weight: 0 }, { destination: v2, weight: 101 }] }))
        .toThrow('Invalid http route #0 destinations[1].weight 101: a weight is a percentage and cannot exceed 100');
    });

    test('fails on a weight that is not an integer', () => {
      const { vs, v1, v2 } = setup();
      expect(() => vs.addHttpRoute({ destinations: [{ destination: v1, weight: 89.5 }, { destination: v2, weight: 10.5 }] }))
        .toThrow('Invalid http route #0 destinations[0].weight 89.5: a weight must be a whole number of percent. Fix: round it, e.g. 90');
    });

    test('fails on all-zero weights', () => {
      const { vs, v1, v2 } = setup();
      expect(() => vs.addHttpRoute({ destinations: [{ destination: v1, weight: 0 }, { destination: v2, weight: 0 }] }))
        .toThrow('Invalid http route #0 destinations weights [0,0]: all weights are zero, so the route sends traffic nowhere');
    });

    test('fails on weights not summing to 100', () => {
      const { vs, v1, v2 } = setup();
      expect(() => vs.addHttpRoute({ destinations: [{ destination: v1, weight: 80 }, { destination: v2, weight: 10 }] }))
        .toThrow('Invalid http route #0 destinations weights [80,10]: the weights sum to 90, not 100. Fix: make the weights of one route add up to 100 (e.g. 90 and 10)');
    });

    test('fails on a missing weight among several destinations, or a single destination below 100', () => {
      const { vs, v1, v2 } = setup();
      expect(() => vs.addHttpRoute({ destinations: [{ destination: v1, weight: 100 }, { destination: v2 }] }))
        .toThrow('Invalid http route #0 destinations[1].weight (undefined): with several destinations every destination needs a weight');
      expect(() => vs.addHttpRoute({ destinations: [{ destination: v1, weight: 50 }] }))
        .toThrow('Invalid http route #0 destinations[0].weight 50: the only destination of a route receives all its traffic');
    });

    test('fails at synth on a route to a subset no DestinationRule of the app defines', () => {
      const { chart, vs } = setup();
      vs.addHttpRoute({ destinations: [{ destination: { toMeshDestination: () => ({ host: host.fqdn, subset: 'v3' }) } }] });
      vs.addHttpRoute({ match: [HttpMatch.prefix('/x')], destinations: [{ destination: { toMeshDestination: () => ({ host: 'other.ns.svc.cluster.local', subset: 'v1' }) } }] });
      expect(() => Testing.synth(chart)).toThrow(/Invalid http route #0 destination subset "v3": no DestinationRule of this app for host reviews.bookinfo.svc.cluster.local defines it \(defined: v1, v2\)/);
      expect(() => Testing.synth(chart)).toThrow(/Invalid http route #1 destination subset "v1": no DestinationRule of this app is for host other.ns.svc.cluster.local, so Envoy has no such subset and returns 503/);
    });

    test('fails at synth on a subset of "reviews.bookinfo": Istio takes a host with a dot as is, so the DestinationRule for reviews.bookinfo.svc.cluster.local does not apply', () => {
      // fixed: the subset check used to expand "reviews.bookinfo" to the Service FQDN and accepted the route
      const { chart, vs } = setup();
      vs.addHttpRoute({ destinations: [{ destination: { toMeshDestination: () => ({ host: 'reviews.bookinfo', subset: 'v1' }) } }] });
      expect(() => Testing.synth(chart)).toThrow(/Invalid http route #0 destination subset "v1": no DestinationRule of this app is for host reviews.bookinfo, so Envoy has no such subset and returns 503/);
    });

    test('a short destination host ("reviews", no dot) is the Service of the VirtualService\'s namespace', () => {
      const { chart, vs } = setup();
      vs.addHttpRoute({ destinations: [{ destination: { toMeshDestination: () => ({ host: 'reviews', subset: 'v1' }) } }] });
      expect(specOf(chart).http[0].route).toEqual([{ destination: { host: 'reviews', subset: 'v1' } }]);
    });

    test('fails on retries with 0 attempts plus perTryTimeout', () => {
      const { vs, v1 } = setup();
      expect(() => vs.addHttpRoute({ destinations: [{ destination: v1 }], retries: { attempts: 0, perTryTimeout: Duration.seconds(1) } }))
        .toThrow('Invalid http route #0 retries {"attempts":0,"perTryTimeout":"1 second"}: attempts 0 disables retries, so the other retry settings are contradictory (Istio rejects them). Fix: set attempts > 0, or give only { attempts: 0 }');
    });

    test('fails on negative retry attempts', () => {
      const { vs, v1 } = setup();
      expect(() => vs.addHttpRoute({ destinations: [{ destination: v1 }], retries: { attempts: -1 } })).toThrow('Invalid http route #0 retries.attempts -1: attempts must be a non-negative integer');
    });

    test('fails on unknown retryOn values', () => {
      const { vs, v1 } = setup();
      expect(() => vs.addHttpRoute({ destinations: [{ destination: v1 }], retries: { attempts: 2, retryOn: ['5xx', 'on-failure'] } }))
        .toThrow(/^Invalid http route #0 retries.retryOn "on-failure": it is not a retry condition Istio accepts. Fix: use HTTP status codes or one of 5xx, gateway-error/);
    });

    test('fails on fault percentages outside 0-100', () => {
      const { vs, v1 } = setup();
      expect(() => vs.addHttpRoute({ destinations: [{ destination: v1 }], fault: { abort: { httpStatus: 500, percentage: 150 } } }))
        .toThrow('Invalid http route #0 fault.abort.percentage 150: a percentage must be between 0 and 100');
      expect(() => vs.addHttpRoute({ destinations: [{ destination: v1 }], fault: { delay: { fixedDelay: Duration.seconds(1), percentage: -1 } } }))
        .toThrow('Invalid http route #0 fault.delay.percentage -1: a percentage must be between 0 and 100');
    });

    test('fails on an empty fault, an abort status outside 200-599, or both/neither abort statuses', () => {
      const { vs, v1 } = setup();
      expect(() => vs.addHttpRoute({ destinations: [{ destination: v1 }], fault: {} })).toThrow('Invalid http route #0 fault {}: fault injection needs a delay and/or an abort');
      expect(() => vs.addHttpRoute({ destinations: [{ destination: v1 }], fault: { abort: { httpStatus: 700, percentage: 1 } } })).toThrow('Invalid http route #0 fault.abort.httpStatus 700: Istio accepts HTTP statuses 200..599');
      expect(() => vs.addHttpRoute({ destinations: [{ destination: v1 }], fault: { abort: { percentage: 1 } } })).toThrow(/give exactly one of httpStatus and grpcStatus/);
      expect(() => vs.addHttpRoute({ destinations: [{ destination: v1 }], fault: { abort: { grpcStatus: 'NOPE', percentage: 1 } } })).toThrow(/it is not a gRPC status name/);
    });

    test('fails on mirror percentages outside 0-100', () => {
      const { vs, v1, v2 } = setup();
      expect(() => vs.addHttpRoute({ destinations: [{ destination: v1 }], mirrors: [{ destination: v2, percentage: 101 }] }))
        .toThrow('Invalid http route #0 mirrors[0].percentage 101: a percentage must be between 0 and 100');
    });

    test('fails on durations below 1ms', () => {
      const { vs, v1 } = setup();
      expect(() => vs.addHttpRoute({ destinations: [{ destination: v1 }], timeout: Duration.millis(0) }))
        .toThrow('Invalid http route #0 timeout "0 millis": it is shorter than 1ms, which Istio rejects');
      expect(() => vs.addHttpRoute({ destinations: [{ destination: v1 }], retries: { attempts: 1, perTryTimeout: Duration.millis(0.5) } }))
        .toThrow('Invalid http route #0 retries.perTryTimeout');
    });

    test('fails on ":"-prefixed or Host header manipulation', () => {
      const { vs, v1 } = setup();
      expect(() => vs.addHttpRoute({ destinations: [{ destination: v1 }], headers: { request: { set: { ':path': '/x' } } } }))
        .toThrow('Invalid http route #0 headers.request header ":path": pseudo-headers and Host cannot be manipulated (Envoy ignores or rejects it). Fix: use rewrite.authority to change the authority; pick another header otherwise');
      expect(() => vs.addHttpRoute({ destinations: [{ destination: v1 }], headers: { request: { remove: ['Host'] } } }))
        .toThrow('Invalid http route #0 headers.request header "Host": pseudo-headers and Host cannot be manipulated');
      expect(() => vs.addHttpRoute({ destinations: [{ destination: v1 }], headers: { response: { add: { 'x-a': 'a\nb' } } } }))
        .toThrow(/Istio rejects it: it contains control characters \(CR, LF, NUL, \.\.\.\)/);
    });

    test('fails on a header value with an un-escaped "%" (Istio requires "%%" for a literal percent)', () => {
      const { vs, v1 } = setup();
      expect(() => vs.addHttpRoute({ destinations: [{ destination: v1 }], headers: { response: { set: { 'x-discount': '100%' } } } }))
        .toThrow('Invalid http route #0 headers.response header "x-discount" value "100%": Istio rejects it: an un-escaped "%" ends it. '
          + 'Fix: write "%%" for a literal percent sign (e.g. "100%%"), and %VARIABLE% only for Envoy variables such as %HOSTNAME%; remove control characters');
      const ok = vs.addHttpRoute({ destinations: [{ destination: v1 }], headers: { response: { set: { 'x-discount': '100%%', 'x-host': 'at %HOSTNAME%' } } } });
      expect(ok).toBeDefined();
    });

    test('fails at synth on a catch-all route placed before more specific routes', () => {
      const { chart, vs, v1, v2 } = setup();
      vs.addHttpRoute({ name: 'default', destinations: [{ destination: v1 }] });
      vs.addHttpRoute({ name: 'jason', match: [HttpMatch.header('end-user', StringMatch.exact('jason'))], destinations: [{ destination: v2 }] });
      expect(() => Testing.synth(chart))
        .toThrow('Invalid http route "default" "catch-all": it matches every request, so the routes after it (jason) are never used (routes are first-match). Fix: add the catch-all route last, or insert the specific routes before it with insertHttpRoute(0, ...)');
    });

    test('fails at synth on the wildcard host * bound to the mesh gateway', () => {
      const chart = Testing.chart();
      new VirtualService(chart, 'vs', { hosts: ['*'], http: [{ destinations: [{ destination: host }] }] });
      expect(() => Testing.synth(chart)).toThrow(/Invalid hosts "\*": wildcard host \* is not allowed for virtual services bound to the mesh gateway/);
      const edgeOnly = Testing.chart();
      new VirtualService(edgeOnly, 'vs', { hosts: ['*'], gateways: [GatewayBinding.external('istio-ingress', 'edge')], http: [{ destinations: [{ destination: host }] }] });
      expect(() => Testing.synth(edgeOnly)).not.toThrow();
    });

    test('fails at synth without hosts or routes', () => {
      const chart = Testing.chart();
      new VirtualService(chart, 'vs');
      expect(() => Testing.synth(chart)).toThrow(/Invalid hosts \[\]: a VirtualService needs at least one host/);
      expect(() => Testing.synth(chart)).toThrow(/Invalid routes \[\]: a VirtualService needs at least one http, tcp or tls route/);
    });

    test('fails on route + redirect, neither, or an invalid redirect', () => {
      const { vs, v1 } = setup();
      expect(() => vs.addHttpRoute({ destinations: [{ destination: v1 }], redirect: { uri: '/x' } })).toThrow('Invalid http route #0 "destinations + redirect": a route cannot both route and redirect');
      expect(() => vs.addHttpRoute({})).toThrow('Invalid http route #0 destinations (undefined): a route needs destinations or a redirect');
      expect(() => vs.addHttpRoute({ redirect: {} })).toThrow('Invalid http route #0 redirect {}: a redirect must change the uri, authority, scheme or port');
      expect(() => vs.addHttpRoute({ redirect: { uri: '/', redirectCode: 200 } })).toThrow('Invalid http route #0 redirect.redirectCode 200: it is not a 3xx status');
      expect(() => vs.addHttpRoute({ redirect: { scheme: 'ftp' } })).toThrow('Invalid http route #0 redirect.scheme "ftp": Istio accepts "http" or "https"');
      expect(() => vs.addHttpRoute({ redirect: { uri: '/' }, fault: { abort: { httpStatus: 503, percentage: 1 } } })).toThrow(/a redirect route cannot inject faults/);
    });

    test('fails on an invalid rewrite', () => {
      const { vs, v1 } = setup();
      expect(() => vs.addHttpRoute({ destinations: [{ destination: v1 }], rewrite: {} })).toThrow('Invalid http route #0 rewrite {}: a rewrite needs uri, uriRegex or authority');
      expect(() => vs.addHttpRoute({ destinations: [{ destination: v1 }], rewrite: { uri: '/', uriRegex: { match: 'a', rewrite: 'b' } } })).toThrow(/uri and uriRegex are mutually exclusive/);
      expect(() => vs.addHttpRoute({ destinations: [{ destination: v1 }], rewrite: { uriRegex: { match: '(', rewrite: 'b' } } })).toThrow(/Invalid http route #0 rewrite.uriRegex.match "\(": it is not a valid regular expression/);
    });

    test('fails on invalid CORS', () => {
      const { vs, v1 } = setup();
      expect(() => vs.addHttpRoute({ destinations: [{ destination: v1 }], corsPolicy: { allowMethods: ['get' as HttpMethod] } })).toThrow(
        'Invalid http route #0 corsPolicy.allowMethods[0] "get": it is not an HTTP method Istio matches. Fix: use HttpMethod.GET (Istio matches methods case-sensitively, in upper case)');
      expect(() => vs.addHttpRoute({ destinations: [{ destination: v1 }], corsPolicy: { maxAge: Duration.millis(1500) } })).toThrow(/it is accurate to seconds only/);
    });

    test('fails on an invalid insert position, duplicate host, invalid gateway', () => {
      const { vs, v1 } = setup();
      expect(() => vs.insertHttpRoute(3, { destinations: [{ destination: v1 }] })).toThrow('Invalid index 3: there are 0 HTTP routes. Fix: use 0..0');
      expect(() => vs.addHost(host.fqdn)).toThrow('Invalid hosts "reviews.bookinfo.svc.cluster.local": the host is listed twice');
      expect(() => new VirtualService(Testing.chart(), 'w', { hosts: ['*.example.com', 'api.example.com'] }))
        .toThrow('Invalid hosts "api.example.com": it overlaps "*.example.com" (Istio rejects duplicate hosts, wildcards included)');
      expect(() => vs.addGateway({ gatewayRef: 'edge' })).toThrow('Invalid gateways "edge": a gateway reference is "mesh" or "<namespace>/<name>"');
      expect(() => new VirtualService(Testing.chart(), 'x', { gateways: [] })).toThrow(/an empty list would still mean "mesh" to Istio/);
    });

    test('fails on wildcard hosts that overlap (host.Name.Matches: "*.com" covers "*.example.com")', () => {
      expect(() => new VirtualService(Testing.chart(), 'w', { hosts: ['*.com', '*.example.com'] }))
        .toThrow('Invalid hosts "*.example.com": it overlaps "*.com" (Istio rejects duplicate hosts, wildcards included)');
      expect(() => new VirtualService(Testing.chart(), 'w', { hosts: ['*.example.com', 'example.com'] })).not.toThrow();
    });

    test('fails on exportTo "~" (Istio allows it only on a ServiceEntry) and on "." next to its own namespace', () => {
      // fixed: both were accepted and rendered, and Istio rejects the VirtualService
      const chart = Testing.chart();
      expect(() => new VirtualService(chart, 'a', { hosts: ['a.example.com'], exportTo: ['~'] }))
        .toThrow('Invalid exportTo ["~"]: "~" (no one) is allowed only on a ServiceEntry; Istio rejects it on other configuration. Fix: use "." to keep the resource in its own namespace');
      expect(() => new VirtualService(chart, 'b', { metadata: { namespace: 'shop' }, hosts: ['b.example.com'], exportTo: ['.', 'shop'] }))
        .toThrow('Invalid exportTo [".","shop"]: "." and "shop" both name the resource\'s own namespace. Fix: keep one of them');
    });

    test('fails on TCP/TLS routes without destinations or SNI', () => {
      const { vs } = setup();
      expect(() => vs.addTcpRoute({ destinations: [] })).toThrow('Invalid tcp route #0 destinations []: a route needs at least one destination');
      expect(() => vs.addTlsRoute({ match: [], destinations: [{ destination: host }] })).toThrow('Invalid tls route #0 match []: a TLS route needs at least one SNI match');
      expect(() => vs.addTlsRoute({ match: [{ sniHosts: [] }], destinations: [{ destination: host }] })).toThrow(/a TLS match needs at least one SNI host/);
      expect(() => vs.addTcpRoute({ match: [{ destinationSubnets: ['nope'] }], destinations: [{ destination: host }] })).toThrow(/it is not an IP address or CIDR/);
    });

    test('fails on invalid L4 match fields', () => {
      const { vs } = setup();
      expect(() => vs.addTcpRoute({ match: [{ port: 0 }], destinations: [{ destination: host }] })).toThrow('Invalid tcp route #0 match[0].port 0: a port is an integer from 1 to 65535. Fix: use e.g. 8080');
      expect(() => vs.addTcpRoute({ match: [{ sourceNamespace: 'A' }], destinations: [{ destination: host }] })).toThrow('Invalid tcp route #0 match[0].sourceNamespace "A"');
      expect(() => vs.addTcpRoute({ match: [{ gateways: [{ gatewayRef: 'x/' }] }], destinations: [{ destination: host }] })).toThrow('Invalid tcp route #0 match[0].gateways "x/": a gateway reference is "mesh" or "<namespace>/<name>"');
    });

    test('fails on replacing a route of another VirtualService', () => {
      const { vs, v1 } = setup();
      const other = new VirtualService(Testing.chart(), 'other', { hosts: ['a.b.svc.cluster.local'] });
      const r = other.addHttpRoute({ name: 'r', destinations: [{ destination: v1 }] });
      expect(() => vs.replaceHttpRoute(r, { destinations: [{ destination: v1 }] })).toThrow('Invalid existing "r": it is not an HTTP route of VirtualService \'test/vs\'');
    });

    test('fails on a destination that is every host, or an invalid destination port', () => {
      const { vs } = setup();
      expect(() => vs.addHttpRoute({ destinations: [{ destination: { toMeshDestination: () => ({ host: '*' }) } }] })).toThrow('Invalid http route #0 destination host "*": a destination cannot be every host');
      expect(() => vs.addHttpRoute({ destinations: [{ destination: { toMeshDestination: () => ({ host: host.fqdn, port: 0 }) } }] })).toThrow('Invalid http route #0 destination port 0: a port is an integer from 1 to 65535');
    });

    test('fails on rewrite with redirect and on an empty regex replacement', () => {
      const { vs, v1 } = setup();
      expect(() => vs.addHttpRoute({ redirect: { uri: '/' }, rewrite: { uri: '/' } })).toThrow('Invalid http route #0 "rewrite + redirect": a redirect route cannot rewrite');
      expect(() => vs.addHttpRoute({ destinations: [{ destination: v1 }], rewrite: { uriRegex: { match: 'a', rewrite: '' } } })).toThrow('Invalid http route #0 rewrite.uriRegex.rewrite "": the replacement is empty');
      expect(() => vs.addHttpRoute({ redirect: { port: 70000 } })).toThrow('Invalid http route #0 redirect.port 70000: a port is an integer from 1 to 65535');
    });

    test('fails on a destination subset that is not a DNS label (e.g. a version "1.2.0")', () => {
      const { vs } = setup();
      expect(() => vs.addHttpRoute({ destinations: [{ destination: { toMeshDestination: () => ({ host: host.fqdn, subset: '1.2.0' }) } }] }))
        .toThrow('Invalid http route #0 destination subset "1.2.0": it is not an RFC 1123 DNS label');
    });

    test('fails on an invalid CORS header name', () => {
      const { vs, v1 } = setup();
      expect(() => vs.addHttpRoute({ destinations: [{ destination: v1 }], corsPolicy: { allowHeaders: ['x token'] } })).toThrow('Invalid http route #0 corsPolicy header "x token": it is not a valid HTTP header name');
    });

    test('resolves short DestinationRule hosts in their namespace when checking subsets', () => {
      const chart = Testing.chart();
      const dr = new DestinationRule(chart, 'dr', { metadata: { namespace: 'bookinfo' }, host: { toMeshDestination: () => ({ host: 'reviews' }) } });
      const v1 = dr.addSubset('v1', { version: 'v1' });
      new VirtualService(chart, 'vs', { metadata: { namespace: 'bookinfo' }, hosts: [host.fqdn], http: [{ destinations: [{ destination: { toMeshDestination: () => ({ host: host.fqdn, subset: v1.name }) } }] }] });
      expect(() => Testing.synth(chart)).not.toThrow();
    });
  });
});
