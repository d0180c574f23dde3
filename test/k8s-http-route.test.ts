import { ApiObject, Chart, Duration, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-33';
import { ConformanceValidator, HttpMethod, KubernetesHttpRoute, KubernetesGateway, ListenerProtocol, MeshValidation, RouteParent, StringMatch } from '../src';

/** `routeNamespaces`: namespaces other than the Gateway's whose routes the listeners admit (MESH406 otherwise). */
function setup(routeNamespaces?: string[]) {
  const app = Testing.app();
  const edge = new Chart(app, 'edge', { namespace: 'istio-ingress' });
  const admit = routeNamespaces ? { allowedRoutesNamespaces: ['istio-ingress', ...routeNamespaces] } : {};
  const gateway = new KubernetesGateway(edge, 'gw', {
    metadata: { name: 'edge' },
    listeners: [
      { port: 443, protocol: ListenerProtocol.HTTPS, hostname: 'shop.example.com', certificates: [{ name: 'shop-cert' }], ...admit },
      { port: 80, protocol: ListenerProtocol.HTTP, hostname: 'shop.example.com', ...admit },
    ],
  });
  return { edge, gateway };
}

describe('KubernetesHttpRoute', () => {
  test('renders weighted backends, header matches and a prefix rewrite', () => {
    // GIVEN
    const { edge, gateway } = setup();
    // WHEN
    new KubernetesHttpRoute(edge, 'catalog', {
      metadata: { name: 'catalog' },
      parents: [RouteParent.fromGateway(gateway, { sectionName: 'https-443' })],
      hostnames: ['shop.example.com'],
      rules: [
        { matches: [{ pathPrefix: '/catalog', headers: { 'x-beta': 'true' } }], backends: [{ serviceName: 'catalog-v2', namespace: 'shop', port: 8080 }] },
        {
          matches: [{ pathPrefix: '/catalog' }],
          backends: [{ serviceName: 'catalog-v1', namespace: 'shop', port: 8080, weight: 90 }, { serviceName: 'catalog-v2', namespace: 'shop', port: 8080, weight: 10 }],
          rewrite: { replacePrefixMatch: '/' },
          setRequestHeaders: { 'x-forwarded-prefix': '/catalog' },
          timeout: Duration.seconds(5),
        },
      ],
    });
    // THEN
    const route = Testing.synth(edge)[1];
    expect(route.kind).toEqual('HTTPRoute');
    expect(route.spec.parentRefs).toEqual([{ group: 'gateway.networking.k8s.io', kind: 'Gateway', name: 'edge', sectionName: 'https-443' }]);
    expect(route.spec.rules[1]).toEqual({
      matches: [{ path: { type: 'PathPrefix', value: '/catalog' } }],
      filters: [
        { type: 'URLRewrite', urlRewrite: { path: { type: 'ReplacePrefixMatch', replacePrefixMatch: '/' } } },
        { type: 'RequestHeaderModifier', requestHeaderModifier: { set: [{ name: 'x-forwarded-prefix', value: '/catalog' }] } },
      ],
      backendRefs: [
        { group: '', kind: 'Service', name: 'catalog-v1', namespace: 'shop', port: 8080, weight: 90 },
        { group: '', kind: 'Service', name: 'catalog-v2', namespace: 'shop', port: 8080, weight: 10 },
      ],
      timeouts: { request: '5s' },
    });
    expect(route.spec.rules[0].matches).toEqual([{ path: { type: 'PathPrefix', value: '/catalog' }, headers: [{ name: 'x-beta', type: 'Exact', value: 'true' }] }]);
    // the backends are in namespace shop: a ReferenceGrant there lets the route reference them
    const grant = Testing.synth(edge)[2];
    expect(grant.kind).toEqual('ReferenceGrant');
    expect(grant.metadata.namespace).toEqual('shop');
    expect(grant.spec).toEqual({
      from: [{ group: 'gateway.networking.k8s.io', kind: 'HTTPRoute', namespace: 'istio-ingress' }],
      to: [{ group: '', kind: 'Service', name: 'catalog-v2' }, { group: '', kind: 'Service', name: 'catalog-v1' }],
    });
    expect(Testing.synth(edge)).toMatchSnapshot();
  });

  test('renders an HTTPS redirect, and a parentRef namespace when the gateway is elsewhere', () => {
    const { edge, gateway } = setup(['shop']);
    const shop = new Chart(edge.node.scope!, 'shop', { namespace: 'shop' });
    new KubernetesHttpRoute(edge, 'redirect', { parents: [RouteParent.fromGateway(gateway, { sectionName: 'http-80' })], rules: [{ redirect: { scheme: 'https', statusCode: 301 } }] });
    new KubernetesHttpRoute(shop, 'r', { parents: [RouteParent.fromGateway(gateway)], rules: [{ matches: [{ pathExact: '/health' }], backends: [{ serviceName: 'frontend', port: 8080 }] }] });
    expect(Testing.synth(edge)[1].spec.rules).toEqual([{ filters: [{ type: 'RequestRedirect', requestRedirect: { scheme: 'https', statusCode: 301 } }] }]);
    const r = Testing.synth(shop)[0].spec;
    expect(r.parentRefs).toEqual([{ group: 'gateway.networking.k8s.io', kind: 'Gateway', name: 'edge', namespace: 'istio-ingress' }]);
    expect(r.rules[0].matches).toEqual([{ path: { type: 'Exact', value: '/health' } }]);
  });

  test('fails without parents, with an unknown sectionName, or a repeated parent', () => {
    const { edge, gateway } = setup();
    expect(() => new KubernetesHttpRoute(edge, 'a', { parents: [] })).toThrow('Invalid parents []: an HTTPRoute must attach to at least one parent');
    expect(() => new KubernetesHttpRoute(edge, 'b', { parents: [RouteParent.fromGateway(gateway, { sectionName: 'grpc' })] }))
      .toThrow('Invalid sectionName "grpc": gateway \'edge/gw\' has no listener of that name. Fix: use one of ["https-443","http-80"]');
    expect(() => new KubernetesHttpRoute(edge, 'c', { parents: [RouteParent.fromGateway(gateway), RouteParent.fromGateway(gateway)] })).toThrow('the same parent is listed twice');
  });

  test('fails at synth without rules', () => {
    const { edge, gateway } = setup();
    new KubernetesHttpRoute(edge, 'r', { parents: [RouteParent.fromGateway(gateway)] });
    expect(() => Testing.synth(edge)).toThrow(/KubernetesHttpRoute 'edge\/r' has no rules\. Fix: call addRule\(\)/);
  });

  test('fails on a redirect with backends, and a rule with neither', () => {
    const { edge, gateway } = setup();
    const r = new KubernetesHttpRoute(edge, 'r', { parents: [RouteParent.fromGateway(gateway)] });
    expect(() => r.addRule({ redirect: { scheme: 'https' }, backends: [{ serviceName: 'a', port: 80 }] }))
      .toThrow('a RequestRedirect filter must not be used together with backends');
    expect(() => r.addRule({})).toThrow('Invalid backends []: a rule without redirect needs at least one backend');
  });

  test('fails on replacePrefixMatch without exactly one pathPrefix match', () => {
    const { edge, gateway } = setup();
    const r = new KubernetesHttpRoute(edge, 'r', { parents: [RouteParent.fromGateway(gateway)] });
    const backends = [{ serviceName: 'a', port: 80 }];
    expect(() => r.addRule({ backends, rewrite: { replacePrefixMatch: '/' } }))
      .toThrow('Invalid rewrite.replacePrefixMatch "/": replacePrefixMatch needs exactly one match, with a pathPrefix');
    expect(() => r.addRule({ backends, matches: [{ pathExact: '/a' }], rewrite: { replacePrefixMatch: '/' } })).toThrow('replacePrefixMatch needs exactly one match');
  });

  test('fails on paths the CRD rejects', () => {
    const { edge, gateway } = setup();
    const r = new KubernetesHttpRoute(edge, 'r', { parents: [RouteParent.fromGateway(gateway)] });
    const add = (p: string) => () => r.addRule({ matches: [{ pathPrefix: p }], backends: [{ serviceName: 'a', port: 80 }] });
    expect(add('catalog')).toThrow('Invalid matches.pathPrefix "catalog": it must start with "/"');
    expect(add('/a//b')).toThrow('it must not contain "//"');
    expect(add('/a/../b')).toThrow('it must not contain "/./" or "/../" segments');
    expect(add('/a%2Fb')).toThrow('it must not contain an encoded "/" (%2F)');
    expect(add('/a#b')).toThrow('it must not contain "#"');
    expect(add('/a b')).toThrow('it contains characters not allowed in a path');
    expect(() => r.addRule({ matches: [{ pathPrefix: '/a', pathExact: '/a' }], backends: [{ serviceName: 'a', port: 80 }] })).toThrow('a match has one path condition');
  });

  test('fails on invalid backends, headers, redirects and hostnames', () => {
    const { edge, gateway } = setup();
    const r = new KubernetesHttpRoute(edge, 'r', { parents: [RouteParent.fromGateway(gateway)] });
    expect(() => r.addRule({ backends: [{ serviceName: 'a', port: 0 }] })).toThrow('Invalid backends.port 0: a port is an integer from 1 to 65535. Fix: set port to the Service port');
    expect(() => r.addRule({ backends: [{ serviceName: 'a', port: 80, weight: -1 }] })).toThrow('Invalid backends.weight -1');
    expect(() => r.addRule({ backends: [{ serviceName: 'A', port: 80 }] })).toThrow('Invalid backends.serviceName "A"');
    expect(() => r.addRule({ matches: [{ headers: { 'bad header': 'x' } }], backends: [{ serviceName: 'a', port: 80 }] })).toThrow('Invalid matches.headers "bad header"');
    expect(() => r.addRule({ backends: [{ serviceName: 'a', port: 80 }], setRequestHeaders: { 'a b': 'x' } })).toThrow('Invalid setRequestHeaders "a b"');
    expect(() => r.addRule({ redirect: { scheme: 'ftp' } })).toThrow('Invalid redirect.scheme "ftp"');
    expect(() => r.addRule({ redirect: { statusCode: 304 } })).toThrow('Invalid redirect.statusCode 304: a redirect status is one of 301, 302, 303, 307, 308. Fix: use 301 (permanent) or 302');
    expect(() => new KubernetesHttpRoute(edge, 'h', { parents: [RouteParent.fromGateway(gateway)], hostnames: ['Shop.example.com'] })).toThrow('Invalid hostnames "Shop.example.com"');
  });

  test('fails beyond 16 rules', () => {
    const { edge, gateway } = setup();
    const r = new KubernetesHttpRoute(edge, 'r', { parents: [RouteParent.fromGateway(gateway)] });
    for (let i = 0; i < 16; i++) r.addRule({ matches: [{ pathPrefix: `/p${i}` }], backends: [{ serviceName: 'a', port: 80 }] });
    expect(() => r.addRule({ backends: [{ serviceName: 'a', port: 80 }] })).toThrow('Invalid rules 17: an HTTPRoute has at most 16 rules');
  });

  test('fails beyond 64 matches in a rule', () => {
    const { edge, gateway } = setup();
    const r = new KubernetesHttpRoute(edge, 'r', { parents: [RouteParent.fromGateway(gateway)] });
    const matches = Array.from({ length: 65 }, (_, i) => ({ pathPrefix: `/p${i}` }));
    expect(() => r.addRule({ matches, backends: [{ serviceName: 'a', port: 80 }] })).toThrow('Invalid matches 65: a rule has at most 64 matches');
  });

  test('attaches to a Service (mesh routing) with a weighted split across per-version Services', () => {
    // GIVEN
    const app = Testing.app();
    const shop = new Chart(app, 'shop', { namespace: 'shop' });
    const catalog = new kplus.Service(shop, 'catalog', { metadata: { name: 'catalog' }, ports: [{ port: 8080, name: 'http' }] });
    // WHEN
    new KubernetesHttpRoute(shop, 'split', {
      metadata: { name: 'catalog' },
      parents: [RouteParent.fromService(catalog, { port: 8080 })],
      rules: [{ backends: [{ serviceName: 'catalog-v1', port: 8080, weight: 90 }, { serviceName: 'catalog-v2', port: 8080, weight: 10 }] }],
    });
    // THEN
    const route = Testing.synth(shop).find((o) => o.kind === 'HTTPRoute');
    expect(route.spec).toEqual({
      parentRefs: [{ group: '', kind: 'Service', name: 'catalog', port: 8080 }],
      rules: [{
        backendRefs: [
          { group: '', kind: 'Service', name: 'catalog-v1', port: 8080, weight: 90 },
          { group: '', kind: 'Service', name: 'catalog-v2', port: 8080, weight: 10 },
        ],
      }],
    });
  });

  test('renders parents by name: a Service in another namespace (consumer route) and a Gateway managed elsewhere', () => {
    const shop = Testing.chart();
    new KubernetesHttpRoute(shop, 'r', {
      metadata: { namespace: 'frontend' },
      parents: [RouteParent.service('catalog', { namespace: 'shop' }), RouteParent.gateway('edge', { namespace: 'istio-ingress', sectionName: 'https' })],
      rules: [{ backends: [{ serviceName: 'catalog', namespace: 'shop', port: 8080 }] }],
    });
    expect(Testing.synth(shop)[0].spec.parentRefs).toEqual([
      { group: '', kind: 'Service', name: 'catalog', namespace: 'shop' },
      { group: 'gateway.networking.k8s.io', kind: 'Gateway', name: 'edge', namespace: 'istio-ingress', sectionName: 'https' },
    ]);
  });

  test('a parent repeats with distinct sectionNames (near miss of the repeated-parent rule)', () => {
    const { edge, gateway } = setup();
    const r = new KubernetesHttpRoute(edge, 'r', {
      parents: [RouteParent.fromGateway(gateway, { sectionName: 'https-443' }), RouteParent.fromGateway(gateway, { sectionName: 'http-80' })],
      rules: [{ backends: [{ serviceName: 'a', port: 80 }] }],
    });
    expect(Testing.synth(edge)[1].spec.parentRefs.map((p: any) => p.sectionName)).toEqual(['https-443', 'http-80']);
    expect(r.kind).toEqual('HTTPRoute');
  });

  test('fails on a Service listed twice (two ports), a non-Service object, a bad port or a non-RouteParent', () => {
    const shop = new Chart(Testing.app(), 'shop', { namespace: 'shop' });
    const svc = new kplus.Service(shop, 'catalog', { ports: [{ port: 8080 }, { port: 9090 }] });
    const deployment = new kplus.Deployment(shop, 'd', { containers: [{ image: 'x' }] });
    expect(() => new KubernetesHttpRoute(shop, 'a', { parents: [RouteParent.fromService(svc, { port: 8080 }), RouteParent.fromService(svc, { port: 9090 })] }))
      .toThrow(/Invalid parents \["Service\/shop\/shop-catalog-c8\w+:8080","Service\/shop\/shop-catalog-c8\w+:9090"\]: the same parent is listed twice \(a parent may repeat only with distinct sectionNames\)\. Fix: list each Service once \(without port to cover every port\)/);
    expect(() => RouteParent.fromService(deployment)).toThrow(/Invalid service "shop\/d \(a Deployment\)": it is not a Service\. Fix: pass the Service, or use RouteParent.service\(name\)/);
    expect(() => RouteParent.service('catalog', { port: 0 })).toThrow('Invalid port 0: a port is an integer from 1 to 65535. Fix: use the Service port, e.g. 8080, or leave it out for every port');
    expect(() => RouteParent.service('Catalog')).toThrow('Invalid name "Catalog"');
    expect(() => RouteParent.fromGateway({} as any)).toThrow('Invalid gateway {}: it is not a KubernetesGateway');
    expect(() => new KubernetesHttpRoute(shop, 'b', { parents: [{ gateway: svc } as any] })).toThrow(/it is not a RouteParent\. Fix: use RouteParent.fromGateway\(\)/);
  });

  test('renders every standard match: path regex, header and query conditions, method', () => {
    const { edge, gateway } = setup();
    new KubernetesHttpRoute(edge, 'r', {
      parents: [RouteParent.fromGateway(gateway)],
      rules: [{
        matches: [
          { pathRegex: '/v[0-9]+/items', headers: { 'x-user': 'jason' }, headerMatches: { 'x-env': StringMatch.regex('prod|staging') }, method: HttpMethod.GET },
          { pathExact: '/items', queryParams: { version: StringMatch.exact('2'), debug: StringMatch.regex('on|true') } },
        ],
        backends: [{ serviceName: 'a', port: 80 }],
      }],
    });
    expect(Testing.synth(edge)[1].spec.rules[0].matches).toEqual([
      {
        path: { type: 'RegularExpression', value: '/v[0-9]+/items' },
        headers: [{ name: 'x-env', type: 'RegularExpression', value: 'prod|staging' }, { name: 'x-user', type: 'Exact', value: 'jason' }],
        method: 'GET',
      },
      {
        path: { type: 'Exact', value: '/items' },
        queryParams: [{ name: 'debug', type: 'RegularExpression', value: 'on|true' }, { name: 'version', type: 'Exact', value: '2' }],
      },
    ]);
  });

  test('renders header modifiers, mirrors, redirects with path and port, full-path rewrites, timeouts and a rule name', () => {
    const { edge, gateway } = setup(['shop']);
    new KubernetesHttpRoute(edge, 'r', {
      metadata: { namespace: 'shop' },
      parents: [RouteParent.fromGateway(gateway)],
      rules: [
        {
          name: 'catalog',
          matches: [{ pathPrefix: '/catalog' }],
          backends: [{ serviceName: 'catalog', port: 8080 }],
          rewrite: { replaceFullPath: '/index' },
          requestHeaders: { set: { 'x-a': '1' }, add: { 'x-b': '2' }, remove: ['x-c'] },
          responseHeaders: { remove: ['server'] },
          mirrors: [{ backend: { serviceName: 'catalog-v2', port: 8080 }, percent: 10 }, { backend: { serviceName: 'audit', port: 80 }, fraction: { numerator: 1, denominator: 1000 } }],
          timeout: Duration.seconds(90),
          backendRequestTimeout: Duration.millis(1500),
        },
        { matches: [{ pathPrefix: '/old' }], redirect: { replacePrefixMatch: '/new', port: 8443, statusCode: 308 } },
      ],
    });
    const rules = Testing.synth(edge)[1].spec.rules;
    expect(rules[0]).toEqual({
      name: 'catalog',
      matches: [{ path: { type: 'PathPrefix', value: '/catalog' } }],
      filters: [
        { type: 'URLRewrite', urlRewrite: { path: { type: 'ReplaceFullPath', replaceFullPath: '/index' } } },
        { type: 'RequestHeaderModifier', requestHeaderModifier: { set: [{ name: 'x-a', value: '1' }], add: [{ name: 'x-b', value: '2' }], remove: ['x-c'] } },
        { type: 'ResponseHeaderModifier', responseHeaderModifier: { remove: ['server'] } },
        { type: 'RequestMirror', requestMirror: { backendRef: { group: '', kind: 'Service', name: 'catalog-v2', port: 8080 }, percent: 10 } },
        { type: 'RequestMirror', requestMirror: { backendRef: { group: '', kind: 'Service', name: 'audit', port: 80 }, fraction: { numerator: 1, denominator: 1000 } } },
      ],
      backendRefs: [{ group: '', kind: 'Service', name: 'catalog', port: 8080 }],
      timeouts: { request: '1m30s', backendRequest: '1s500ms' },
    });
    expect(rules[1].filters).toEqual([{ type: 'RequestRedirect', requestRedirect: { port: 8443, path: { type: 'ReplacePrefixMatch', replacePrefixMatch: '/new' }, statusCode: 308 } }]);
  });

  test('renders an Istio Hostname backend for egress (a ServiceEntry host), and a zero timeout that disables it', () => {
    const { edge, gateway } = setup();
    new KubernetesHttpRoute(edge, 'r', {
      parents: [RouteParent.fromGateway(gateway)],
      rules: [{ backends: [{ hostname: 'api.example.com', port: 443 }], timeout: Duration.seconds(0) }],
    });
    expect(Testing.synth(edge)[1].spec.rules[0]).toEqual({
      backendRefs: [{ group: 'networking.istio.io', kind: 'Hostname', name: 'api.example.com', port: 443 }],
      timeouts: { request: '0s' },
    });
  });

  test('creates one ReferenceGrant per other namespace (backends and mirrors), or none with referenceGrants: false', () => {
    const app = Testing.app();
    const shop = new Chart(app, 'shop', { namespace: 'shop' });
    new KubernetesHttpRoute(shop, 'r', {
      parents: [RouteParent.service('catalog')],
      rules: [
        { backends: [{ serviceName: 'a', namespace: 'other', port: 80 }, { serviceName: 'b', namespace: 'other', port: 80 }, { serviceName: 'c', port: 80 }] },
        { matches: [{ pathPrefix: '/x' }], backends: [{ serviceName: 'a', namespace: 'other', port: 80 }], mirrors: [{ backend: { serviceName: 'm', namespace: 'mirror', port: 80 } }] },
      ],
    });
    const noGrants = new KubernetesHttpRoute(shop, 'no-grants', {
      parents: [RouteParent.service('catalog')],
      referenceGrants: false,
      rules: [{ backends: [{ serviceName: 'z', namespace: 'other', port: 80 }] }],
    });
    // without its grant the synth-time checks report MESH403; here the grant is managed elsewhere
    MeshValidation.suppress(noGrants, 'MESH403', 'the platform team grants shop access to other/z');
    const grants = Testing.synth(shop).filter((o) => o.kind === 'ReferenceGrant').map((g) => [g.metadata.namespace, g.spec]);
    const from = [{ group: 'gateway.networking.k8s.io', kind: 'HTTPRoute', namespace: 'shop' }];
    expect(grants).toEqual([
      ['other', { from, to: [{ group: '', kind: 'Service', name: 'a' }, { group: '', kind: 'Service', name: 'b' }] }],
      ['mirror', { from, to: [{ group: '', kind: 'Service', name: 'm' }] }],
    ]);
  });

  test('everything it renders passes the standard CRD schema and CEL rules', () => {
    const { edge, gateway } = setup();
    new KubernetesHttpRoute(edge, 'r', {
      parents: [RouteParent.fromGateway(gateway, { sectionName: 'https-443' }), RouteParent.service('catalog', { namespace: 'shop', port: 8080 })],
      hostnames: ['shop.example.com', '*.shop.example.com'],
      rules: [
        {
          name: 'all',
          matches: [{ pathPrefix: '/a', headerMatches: { 'x-b': StringMatch.regex('b+') }, queryParams: { q: StringMatch.exact('1') }, method: HttpMethod.POST }],
          backends: [{ serviceName: 'a', namespace: 'shop', port: 80, weight: 3 }, { hostname: 'api.example.com', port: 443, weight: 1 }],
          rewrite: { replacePrefixMatch: '/', hostname: 'a.internal' },
          requestHeaders: { set: { 'x-a': '%%1' } },
          responseHeaders: { add: { 'x-r': 'r' } },
          mirrors: [{ backend: { serviceName: 'm', port: 80 }, fraction: { numerator: 5 } }],
          timeout: Duration.seconds(10),
          backendRequestTimeout: Duration.seconds(10),
        },
        { matches: [{ pathPrefix: '/old' }], redirect: { scheme: 'https', hostname: 'b.example.com', replacePrefixMatch: '/new', statusCode: 303 } },
      ],
    });
    const docs = Testing.synth(edge);
    expect(docs.map((d) => d.kind)).toEqual(['Gateway', 'HTTPRoute', 'ReferenceGrant']);
    const v = ConformanceValidator.builtIn();
    expect(docs.flatMap((d) => v.validate(d)).map((f) => f.message)).toEqual([]);
  });

  test('fails on match conditions the CRD or Istio rejects', () => {
    const { edge, gateway } = setup();
    const r = new KubernetesHttpRoute(edge, 'r', { parents: [RouteParent.fromGateway(gateway)] });
    const add = (m: any) => () => r.addRule({ matches: [m], backends: [{ serviceName: 'a', port: 80 }] });
    expect(add({ pathPrefix: '/a', pathRegex: '/b' })).toThrow('a match has one path condition. Fix: use one of pathPrefix, pathExact or pathRegex');
    expect(add({ pathRegex: '/(?=a)' })).toThrow(/Invalid matches.pathRegex "\/\(\?=a\)"/);
    expect(add({ headerMatches: { 'x-a': StringMatch.prefix('v') } }))
      .toThrow('Invalid matches.headers.x-a "prefix:v": Gateway API matches a header exactly or by regular expression, not by prefix. Fix: use StringMatch.regex(\'v.*\')');
    expect(add({ headers: { 'X-A': '1' }, headerMatches: { 'x-a': StringMatch.exact('2') } }))
      .toThrow('Invalid matches.headers "x-a": the header is matched twice (header names are case-insensitive). Fix: match each header once');
    expect(add({ queryParams: { 'a b': StringMatch.exact('1') } })).toThrow('Invalid matches.queryParams "a b": it is not a valid query parameter name');
    expect(add({ queryParams: { q: StringMatch.exact('') } })).toThrow('Invalid matches.queryParams.q "": a query parameter match value is 1 to 1024 characters');
    expect(add({ headerMatches: { q: 'x' } })).toThrow('Invalid matches.headers.q "x": it is not a StringMatch');
    expect(add({ method: 'get' })).toThrow('Invalid matches.method "get": it is not an HTTP method Istio matches. Fix: use HttpMethod.GET');
    const many = Object.fromEntries(Array.from({ length: 17 }, (_, i) => [`h${i}`, 'v']));
    expect(add({ headers: many })).toThrow('Invalid matches.headers 17: a match has at most 16 header conditions');
  });

  test('fails on filters the CRD or Istio rejects', () => {
    const { edge, gateway } = setup();
    const r = new KubernetesHttpRoute(edge, 'r', { parents: [RouteParent.fromGateway(gateway)] });
    const backends = [{ serviceName: 'a', port: 80 }];
    const add = (o: any) => () => r.addRule({ backends, ...o });
    expect(add({ requestHeaders: { set: { 'x-a': '1' }, remove: ['X-A'] } }))
      .toThrow('Invalid requestHeaders.remove "X-A": the header is already in set of the same modifier (header names are case-insensitive). Fix: list each header once');
    expect(add({ requestHeaders: { set: { 'x-a': '100%' } } })).toThrow('Invalid requestHeaders.set.x-a "100%": Envoy rejects the header value: an un-escaped "%" ends it. Fix: write a literal "%" as "%%"');
    expect(add({ responseHeaders: { add: { 'x-a': '' } } })).toThrow('Invalid responseHeaders.add.x-a "": a header value is 1 to 4096 characters');
    expect(add({ setRequestHeaders: { a: '1' }, requestHeaders: { set: { b: '2' } } })).toThrow('Invalid setRequestHeaders {"a":"1"}: a rule has one RequestHeaderModifier. Fix: move the headers into requestHeaders.set');
    expect(add({ mirrors: [{ backend: { serviceName: 'm', port: 80 }, percent: 10, fraction: { numerator: 1 } }] }))
      .toThrow('Invalid mirrors {"percent":10,"fraction":{"numerator":1}}: only one of percent or fraction may be specified');
    expect(add({ mirrors: [{ backend: { serviceName: 'm', port: 80 }, percent: 10.5 }] })).toThrow('Invalid mirrors.percent 10.5: a mirror percent is an integer from 0 to 100');
    expect(add({ mirrors: [{ backend: { serviceName: 'm', port: 80 }, fraction: { numerator: 3, denominator: 2 } }] })).toThrow('Invalid mirrors.fraction {"numerator":3,"denominator":2}');
    expect(add({ mirrors: [{ backend: { serviceName: 'm', port: 80, weight: 1 } }] })).toThrow('Invalid mirrors.backend.weight 1: a mirror has no weight');
    expect(add({ rewrite: {} })).toThrow('Invalid rewrite {}: the rewrite changes nothing');
    expect(() => r.addRule({ redirect: { scheme: 'https' }, rewrite: { hostname: 'a.example.com' } }))
      .toThrow('Invalid rewrite {"hostname":"a.example.com"}: a rule either redirects or rewrites (the CRD allows a RequestRedirect or a URLRewrite filter, not both)');
    expect(add({ matches: [{ pathPrefix: '/a' }], rewrite: { replaceFullPath: '/b', replacePrefixMatch: '/c' } })).toThrow('a path is replaced either fully or by prefix');
    expect(() => r.addRule({ redirect: { replacePrefixMatch: '/n' } })).toThrow('Invalid redirect.replacePrefixMatch "/n": replacePrefixMatch needs exactly one match, with a pathPrefix');
    expect(() => r.addRule({ redirect: { port: 0 } })).toThrow('Invalid redirect.port 0');
  });

  test('fails on backends, timeouts and rule names the CRD or Istio rejects', () => {
    const { edge, gateway } = setup();
    const r = new KubernetesHttpRoute(edge, 'r', { parents: [RouteParent.fromGateway(gateway)] });
    const add = (o: any) => () => r.addRule({ backends: [{ serviceName: 'a', port: 80 }], ...o });
    expect(() => r.addRule({ backends: [{ port: 80 } as any] })).toThrow(
      'Invalid backends {"port":80}: a backend is either a Service (service, or serviceName for one managed elsewhere) or an Istio Hostname (hostname). '
      + 'Fix: give exactly one of service, serviceName and hostname');
    expect(() => r.addRule({ backends: [{ serviceName: 'a', hostname: 'a.example.com', port: 80 }] })).toThrow('a backend is either a Service');
    expect(() => r.addRule({ backends: [{ hostname: 'api.example.com', namespace: 'x', port: 443 }] }))
      .toThrow('Invalid backends.namespace "x": Istio rejects a namespace on a Hostname backend ("namespace may not be set with Hostname type")');
    expect(() => r.addRule({ backends: [{ hostname: 'api', port: 443 }] })).toThrow('Invalid backends.hostname "api"');
    expect(add({ timeout: Duration.seconds(1), backendRequestTimeout: Duration.seconds(2) }))
      .toThrow('Invalid backendRequestTimeout "2s": it is longer than the request timeout (1s). Fix: make backendRequestTimeout at most timeout (or the request timeout 0, which disables it)');
    expect(add({ timeout: Duration.millis(0.5) })).toThrow('Invalid timeout "0.5 millis": a Gateway API duration is a whole number of milliseconds');
    expect(add({ name: 'Bad_Name' })).toThrow('Invalid name "Bad_Name"');
    r.addRule({ name: 'one', matches: [{ pathPrefix: '/one' }], backends: [{ serviceName: 'a', port: 80 }] });
    expect(add({ name: 'one' })).toThrow('Invalid name "one": another rule of the route has this name. Fix: give each rule its own name');
    expect(add({ backends: Array.from({ length: 17 }, () => ({ serviceName: 'a', port: 80 })) })).toThrow('Invalid backends 17: a rule has at most 16 backends');
  });

  test('a backend given as the Service object: name and namespace read from it (any cdk8s-plus, plain ApiObject), a grant where it crosses namespaces', () => {
    const { edge, gateway } = setup(['shop']);
    const shop = new Chart(edge.node.scope!, 'shop', { namespace: 'shop' });
    const catalog = new kplus.Service(shop, 'catalog', { metadata: { name: 'catalog' }, ports: [{ name: 'http', port: 8080 }] });
    const plain = new ApiObject(shop, 'search', {
      apiVersion: 'v1', kind: 'Service', metadata: { name: 'search', namespace: 'shop' }, spec: { ports: [{ name: 'http', port: 8080 }], selector: { app: 'search' } },
    });
    new KubernetesHttpRoute(edge, 'r', {
      metadata: { name: 'r' },
      parents: [RouteParent.fromGateway(gateway)],
      rules: [{ backends: [{ service: catalog, port: 8080, weight: 90 }, { service: plain, port: 8080, weight: 10 }] }],
    });
    const out = Testing.synth(edge);
    expect(out.find((d: any) => d.kind === 'HTTPRoute').spec.rules[0].backendRefs).toEqual([
      { group: '', kind: 'Service', name: 'catalog', namespace: 'shop', port: 8080, weight: 90 },
      { group: '', kind: 'Service', name: 'search', namespace: 'shop', port: 8080, weight: 10 },
    ]);
    expect(out.find((d: any) => d.kind === 'ReferenceGrant').metadata.namespace).toEqual('shop');
  });

  test('fails on a backend service that is not a Service, or with a namespace beside it', () => {
    const { edge, gateway } = setup();
    const r = new KubernetesHttpRoute(edge, 'r', { parents: [RouteParent.fromGateway(gateway)] });
    const cm = new ApiObject(edge, 'cm', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cm' } });
    expect(() => r.addRule({ backends: [{ service: cm, port: 80 }] })).toThrow('Invalid backends.service');
    const svc = new ApiObject(edge, 'svc', { apiVersion: 'v1', kind: 'Service', metadata: { name: 'svc' } });
    expect(() => r.addRule({ backends: [{ service: svc, namespace: 'x', port: 80 }] }))
      .toThrow('Invalid backends.namespace "x": the namespace is read from the Service object. Fix: leave namespace out');
    expect(() => r.addRule({ backends: [{ service: svc, serviceName: 'svc', port: 80 }] })).toThrow('give exactly one of service, serviceName and hostname');
  });

  test('a request timeout of 0 allows any backendRequest timeout (near miss of the CEL rule)', () => {
    const { edge, gateway } = setup();
    new KubernetesHttpRoute(edge, 'r', { parents: [RouteParent.fromGateway(gateway)], rules: [{ backends: [{ serviceName: 'a', port: 80 }], timeout: Duration.seconds(0), backendRequestTimeout: Duration.hours(2) }] });
    expect(Testing.synth(edge)[1].spec.rules[0].timeouts).toEqual({ request: '0s', backendRequest: '2h' });
  });
});
