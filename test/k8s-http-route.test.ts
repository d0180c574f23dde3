import { Chart, Duration, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-33';
import { KubernetesHttpRoute, KubernetesGateway, ListenerProtocol, RouteParent } from '../src';

function setup() {
  const app = Testing.app();
  const edge = new Chart(app, 'edge', { namespace: 'istio-ingress' });
  const gateway = new KubernetesGateway(edge, 'gw', {
    metadata: { name: 'edge' },
    listeners: [
      { port: 443, protocol: ListenerProtocol.HTTPS, hostname: 'shop.example.com', certificates: [{ name: 'shop-cert' }] },
      { port: 80, protocol: ListenerProtocol.HTTP, hostname: 'shop.example.com' },
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
    expect(Testing.synth(edge)).toMatchSnapshot();
  });

  test('renders an HTTPS redirect, and a parentRef namespace when the gateway is elsewhere', () => {
    const { edge, gateway } = setup();
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
    expect(() => r.addRule({ redirect: { statusCode: 307 } })).toThrow('Invalid redirect.statusCode 307: the standard channel supports 301 and 302');
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
});

describe('KubernetesHttpRoute: rule names, regex header matches, RequestMirror', () => {
  const mesh = () => {
    const chart = new Chart(Testing.app(), 'shop', { namespace: 'shop' });
    return { chart, route: new KubernetesHttpRoute(chart, 'r', { metadata: { name: 'catalog' }, parents: [RouteParent.service('catalog')] }) };
  };

  test('renders the rule name, a RegularExpression header match beside an exact one, and a mirror with its percent', () => {
    const { chart, route } = mesh();
    route.addRule({
      name: 'canary',
      matches: [{ headers: { 'x-canary': 'true' }, headersRegex: { cookie: '^(.*?;\\s*)?canary=always(;.*)?$' } }],
      backends: [{ serviceName: 'catalog-v1', port: 8080 }],
      mirror: { backend: { serviceName: 'catalog-v2', port: 8080, weight: 7 }, percent: 10 },
    });
    expect(Testing.synth(chart)[0].spec.rules).toEqual([{
      name: 'canary',
      matches: [{ headers: [{ name: 'x-canary', type: 'Exact', value: 'true' }, { name: 'cookie', type: 'RegularExpression', value: '^(.*?;\\s*)?canary=always(;.*)?$' }] }],
      backendRefs: [{ group: '', kind: 'Service', name: 'catalog-v1', port: 8080 }],
      filters: [{ type: 'RequestMirror', requestMirror: { backendRef: { group: '', kind: 'Service', name: 'catalog-v2', port: 8080 }, percent: 10 } }],
    }]);
  });

  test('fails on a rule name used twice or not a DNS label', () => {
    const { route } = mesh();
    route.addRule({ name: 'split', backends: [{ serviceName: 'a', port: 80 }] });
    expect(() => route.addRule({ name: 'split', backends: [{ serviceName: 'a', port: 80 }] })).toThrow(
      'Invalid name "split": the route already has a rule of that name. Fix: give each rule its own name');
    expect(() => route.addRule({ name: 'Split_2', backends: [{ serviceName: 'a', port: 80 }] })).toThrow(/^Invalid name "Split_2"/);
  });

  test('fails on a header matched both exactly and by regex, and on an invalid regex', () => {
    const { route } = mesh();
    expect(() => route.addRule({ matches: [{ headers: { Cookie: 'a' }, headersRegex: { cookie: 'b' } }], backends: [{ serviceName: 'a', port: 80 }] })).toThrow(
      'Invalid matches.headersRegex "cookie": the header is also matched exactly (a match names each header once). Fix: keep one of the two');
    expect(() => route.addRule({ matches: [{ headersRegex: { cookie: '' } }], backends: [{ serviceName: 'a', port: 80 }] })).toThrow(
      /^Invalid matches.headersRegex\["cookie"\] "": the regex is empty/);
  });

  test('fails on a mirror percent that is not a whole number from 0 to 100', () => {
    const { route } = mesh();
    for (const percent of [101, -1, 2.5]) {
      expect(() => route.addRule({ backends: [{ serviceName: 'a', port: 80 }], mirror: { backend: { serviceName: 'b', port: 80 }, percent } })).toThrow(
        `Invalid mirror.percent ${percent}: a RequestMirror percent is an integer from 0 to 100. Fix: use e.g. 10`);
    }
  });
});
