import * as fc from 'fast-check';
import {
  _HostSet, _clientHostToFqdn, _hostNamespaceAllows, _hostSubsetOf, _hostsMatch, _isKubernetesServiceHost, _isWildcarded,
  _matchRuleName, _parseServiceFqdn, _resolveGatewayRef, _resolveShortname, _serviceFqdn, _splitNamespacedHost, _validateExportTo,
  _versionServiceName, _versionedName,
} from '../src/_naming';
import { _isDnsSubdomain } from '../src/_utils';

// Each table pins Istio 1.30.3's behaviour; the Go function named in the title is the source of the rows
// (most rows are the examples of its doc comment or unit test in istio/istio).

describe('short host -> FQDN in configuration (ResolveShortnameToFQDN)', () => {
  test.each([
    ['reviews', 'bookinfo', 'reviews.bookinfo.svc.cluster.local'],
    ['reviews.bookinfo', 'default', 'reviews.bookinfo'], // a dot: taken as is, never "<ns>.svc..."
    ['reviews.bookinfo.svc', 'default', 'reviews.bookinfo.svc'],
    ['reviews.bookinfo.svc.cluster.local', 'default', 'reviews.bookinfo.svc.cluster.local'],
    ['api.example.com', 'shop', 'api.example.com'],
    ['*', 'shop', '*'],
    ['*.example.com', 'shop', '*.example.com'],
    ['10.0.0.1', 'shop', '10.0.0.1'],
    ['2001:db8::1', 'shop', '2001:db8::1'],
    ['::1', 'shop', '::1'],
    ['', 'shop', ''],
  ])('%s in namespace %s -> %s', (host, ns, expected) => {
    expect(_resolveShortname(host, ns)).toBe(expected);
  });

  test('the cluster domain and an empty namespace are appended as Istio does', () => {
    expect(_resolveShortname('reviews', 'bookinfo', 'corp.internal')).toBe('reviews.bookinfo.svc.corp.internal');
    expect(_resolveShortname('reviews', '')).toBe('reviews.svc.cluster.local');
    expect(_resolveShortname('reviews', 'bookinfo', '')).toBe('reviews.bookinfo');
  });
});

describe('a client\'s Host header -> Service FQDN (GenerateAltVirtualHosts for Kubernetes Services)', () => {
  test.each([
    ['reviews', 'bookinfo', 'reviews.bookinfo.svc.cluster.local'], // own namespace only
    ['reviews.bookinfo', 'default', 'reviews.bookinfo.svc.cluster.local'], // request naming expands name.ns
    ['reviews.bookinfo.svc', 'default', 'reviews.bookinfo.svc.cluster.local'],
    ['reviews.bookinfo.svc.cluster.local', 'default', 'reviews.bookinfo.svc.cluster.local'],
    ['api.example.io.org', 'default', 'api.example.io.org'],
    ['10.0.0.1', 'default', '10.0.0.1'],
    ['::1', 'default', '::1'],
  ])('%s from namespace %s -> %s', (host, ns, expected) => {
    expect(_clientHostToFqdn(host, ns)).toBe(expected);
  });
});

describe('Service FQDN <-> (name, namespace)', () => {
  test('builds <name>.<namespace>.svc.<domain>', () => {
    expect(_serviceFqdn('reviews', 'bookinfo')).toBe('reviews.bookinfo.svc.cluster.local');
    expect(_serviceFqdn('reviews', 'bookinfo', 'corp.internal')).toBe('reviews.bookinfo.svc.corp.internal');
  });

  test.each([
    ['reviews.bookinfo.svc.cluster.local', { name: 'reviews', namespace: 'bookinfo' }],
    ['reviews.bookinfo.svc.corp.internal', { name: 'reviews', namespace: 'bookinfo' }],
    ['a.b.svc.c.svc.cluster.local', { name: 'a', namespace: 'b' }], // the first ".svc." splits, as in Istio
    ['reviews.bookinfo', undefined],
    ['reviews.bookinfo.svc', undefined],
    ['bookinfo.svc.cluster.local', undefined], // no namespace label
    ['a.b.c.svc.cluster.local', undefined], // "b.c" is not a namespace
    ['api.example.com', undefined],
    ['*.bookinfo.svc.cluster.local', undefined],
  ])('%s -> %j', (host, expected) => {
    expect(_parseServiceFqdn(host)).toEqual(expected);
  });

  test.each([
    ['reviews.bookinfo.svc.cluster.local', true],
    ['bookinfo.svc.cluster.local', true],
    ['.svc.cluster.local', false],
    ['api.example.com', false],
    ['svc.example.com', false],
  ])('%s is a Kubernetes Service host: %s', (host, expected) => {
    expect(_isKubernetesServiceHost(host)).toBe(expected);
  });
});

describe('wildcard hosts (host.Name.Matches / SubsetOf / IsWildCarded)', () => {
  // [a, b, a.Matches(b), a.SubsetOf(b)]: the examples of pkg/config/host/name.go and name_test.go
  test.each([
    ['foo.com', 'foo.com', true, true],
    ['foo.com', 'bar.com', false, false],
    ['*.com', 'foo.com', true, false],
    ['bar.com', '*.com', true, true],
    ['*.foo.com', 'foo.com', false, false],
    ['*', 'foo.com', true, false],
    ['*', '*.com', true, false],
    ['*.com', '*', true, true],
    ['*.com', '*.com', true, true],
    ['*.foo.com', '*.com', true, true],
    ['*.com', '*.foo.com', true, false],
    ['a.b.example.com', '*.example.com', true, true],
    ['example.com', '*.example.com', false, false],
    ['afoo.com', '*foo.com', true, true], // Istio matches by string suffix, not by label
    ['', '*', true, true],
  ])('%s vs %s: Matches %s, SubsetOf %s', (a, b, matches, subset) => {
    expect(_hostsMatch(a, b)).toBe(matches);
    expect(_hostsMatch(b, a)).toBe(matches); // Matches is symmetric
    expect(_hostSubsetOf(a, b)).toBe(subset);
  });

  test.each([['*', true], ['*.example.com', true], ['example.com', false], ['', false]])('%s is wildcarded: %s', (h, expected) => {
    expect(_isWildcarded(h)).toBe(expected);
  });

  test('_HostSet.matches agrees with a scan of Matches on random hosts and patterns', () => {
    const label = fc.constantFrom('a', 'b', 'api', 'example', 'com', 'shop', 'xa');
    const host = fc.tuple(fc.constantFrom('', '*.', '*', '*x'), fc.array(label, { minLength: 1, maxLength: 4 }))
      .map(([prefix, labels]) => `${prefix}${labels.join('.')}`);
    const pattern = fc.oneof(host, fc.constant('*'), fc.constant('*.com'));
    fc.assert(fc.property(fc.array(pattern, { maxLength: 6 }), host, (patterns, h) => {
      expect(new _HostSet(patterns).matches(h)).toBe(patterns.some((p) => _hostsMatch(p, h)));
    }), { numRuns: 3000 });
  });

  test('_HostSet: exact cases in both directions, and its members in insertion order', () => {
    const set = new _HostSet(['shop.example.com', '*.api.example.com']);
    expect(set.matches('shop.example.com')).toBe(true);
    expect(set.matches('*.example.com')).toBe(true); // covers shop.example.com, and *.api.example.com
    expect(set.matches('v1.api.example.com')).toBe(true);
    expect(set.matches('api.example.com')).toBe(false);
    expect(set.matches('other.example.com')).toBe(false);
    expect(set.matches('*')).toBe(true);
    expect(new _HostSet([]).matches('*')).toBe(false);
    expect(set.list()).toEqual(['shop.example.com', '*.api.example.com']);
  });
});

describe('namespace/host and gateway references', () => {
  test.each([
    ['shop/api.example.com', { namespace: 'shop', host: 'api.example.com', explicit: true }],
    ['./api.example.com', { namespace: '.', host: 'api.example.com', explicit: true }],
    ['*/*', { namespace: '*', host: '*', explicit: true }],
    ['api.example.com', { namespace: '*', host: 'api.example.com', explicit: false }],
  ])('%s splits (strings.Cut at the first "/") into %j', (raw, expected) => {
    expect(_splitNamespacedHost(raw)).toEqual(expected);
  });

  test.each([
    // scope, route namespace, gateway namespace, allowed
    ['*', 'shop', 'istio-ingress', true],
    ['shop', 'shop', 'istio-ingress', true],
    ['shop', 'payments', 'istio-ingress', false],
    ['.', 'istio-ingress', 'istio-ingress', true],
    ['.', 'shop', 'istio-ingress', false],
    ['.', 'shop', undefined, false],
  ])('server host scope %s lets a route in %s bind (gateway in %s): %s', (scope, routeNs, gwNs, expected) => {
    expect(_hostNamespaceAllows(scope, routeNs, gwNs)).toBe(expected);
  });

  test.each([
    ['mesh', 'shop', 'mesh'],
    ['istio-ingress/edge', 'shop', 'istio-ingress/edge'],
    ['./edge', 'shop', 'shop/edge'],
    ['edge', 'shop', 'shop/edge'],
    ['edge.istio-ingress.svc.cluster.local', 'shop', 'istio-ingress/edge'], // legacy FQDN
    ['edge.istio-ingress', 'shop', 'istio-ingress/edge'],
  ])('gateway %s in a VirtualService of %s -> %s (resolveGatewayName)', (ref, ns, expected) => {
    expect(_resolveGatewayRef(ref, ns)).toBe(expected);
  });
});

describe('exportTo (validateExportTo, visibility.Instance.Validate)', () => {
  test.each([
    [['.'], {}],
    [['*'], {}],
    [['shop', 'payments'], {}],
    [['.', 'payments'], { namespace: 'shop' }],
    [['~'], { isServiceEntry: true }],
    [['.'], { namespace: 'shop', hasWorkloadSelector: true }],
    [['shop'], { namespace: 'shop', hasWorkloadSelector: true }],
    [[], {}],
  ])('accepts %j (%j) and returns a copy', (exportTo, context) => {
    const out = _validateExportTo(exportTo, context);
    expect(out).toEqual(exportTo);
    expect(out).not.toBe(exportTo);
  });

  test.each([
    [['shop', 'shop'], {}, 'Invalid exportTo "shop": it is listed twice. Fix: list each namespace once'],
    [['shop', '.'], { namespace: 'shop' }, 'Invalid exportTo ["shop","."]: "." and "shop" both name the resource\'s own namespace. Fix: keep one of them'],
    [['.', 'shop'], { namespace: 'shop' }, 'Invalid exportTo [".","shop"]: "." and "shop" both name the resource\'s own namespace. Fix: keep one of them'],
    [['*', 'shop'], {}, 'Invalid exportTo ["*","shop"]: "*" already exports to all namespaces. Fix: give "*" alone'],
    [['~', 'shop'], { isServiceEntry: true }, 'Invalid exportTo ["~","shop"]: "~" (no one) cannot be combined with other entries. Fix: give "~" alone'],
    [['~'], {}, 'Invalid exportTo ["~"]: "~" (no one) is allowed only on a ServiceEntry; Istio rejects it on other configuration. Fix: use "." to keep the resource in its own namespace'],
    [['Shop'], {}, 'Invalid exportTo "Shop": it is not an RFC 1123 DNS label'],
    [['*'], { namespace: 'shop', hasWorkloadSelector: true }, 'Invalid exportTo ["*"]: a DestinationRule with a workloadSelector can only be exported to its own namespace. Fix: use exportTo ["."], or drop the workloadSelector'],
    [['payments'], { namespace: 'shop', hasWorkloadSelector: true }, 'can only be exported to its own namespace'],
    [['.', 'payments'], { namespace: 'shop', hasWorkloadSelector: true }, 'can only be exported to its own namespace'],
  ])('fails on %j (%j)', (exportTo, context, message) => {
    expect(() => _validateExportTo(exportTo, context)).toThrow(message);
  });
});

describe('names of per-version objects', () => {
  test.each([
    ['catalog', 'v1', 'catalog-v1', 'catalog-v1'],
    ['catalog', 'V2', 'catalog-v2', 'catalog-v2'],
    ['catalog', '1.2.0', 'catalog-1.2.0', 'catalog-1-2-0'], // a Service name is a DNS label: no dots
    ['catalog', 'v1_rc', 'catalog-v1-rc', 'catalog-v1-rc'],
  ])('%s version %s: Deployment %s, per-version Service %s', (service, version, deployment, svc) => {
    expect(_versionedName(service, version)).toEqual(deployment);
    expect(_versionServiceName(service, version)).toEqual(svc);
  });
});

describe('names of generated route rules (from the match alone)', () => {
  test.each([
    ['prefix', '/', [], 'prefix /', 'prefix'],
    ['prefix', '/catalog', [], 'prefix /catalog', 'prefix-catalog'],
    ['exact', '/api/v1', [], 'exact /api/v1', 'exact-api-v1'],
  ])('a path-only match with lowercase alphanumeric segments is named readably: %s %s', (kind, path, headers, key, name) => {
    expect(_matchRuleName(kind, path, headers, key)).toEqual(name);
  });

  test('any other match gets a hash of the whole match, so paths that would read alike get distinct names', () => {
    const names = [
      _matchRuleName('prefix', '/a/b', [], 'prefix /a/b'),
      _matchRuleName('prefix', '/a-b', [], 'prefix /a-b'),
      _matchRuleName('prefix', '/a/b/', [], 'prefix /a/b/'),
      _matchRuleName('prefix', '/A/b', [], 'prefix /A/b'),
      _matchRuleName('prefix', '/a/b', ['x-beta'], 'prefix /a/b, header x-beta=true'),
      _matchRuleName('prefix', '/a/b', ['x-beta'], 'prefix /a/b, header x-beta=false'),
    ];
    expect(names[0]).toEqual('prefix-a-b');
    expect(names[1]).toMatch(/^prefix-a-b-h[0-9a-f]{8}$/);
    expect(names[4]).toMatch(/^prefix-a-b-x-beta-h[0-9a-f]{8}$/);
    expect(new Set(names).size).toEqual(names.length);
    for (const n of names) expect(_isDnsSubdomain(n) && n.length <= 63).toBe(true);
    // stable: the same match, the same name
    expect(_matchRuleName('prefix', '/a/b', ['x-beta'], 'prefix /a/b, header x-beta=true')).toEqual(names[4]);
  });

  test('a long path keeps the name within 63 characters', () => {
    const path = `/${'segment/'.repeat(12)}end`;
    const name = _matchRuleName('prefix', path, [], `prefix ${path}`);
    expect(name).toMatch(/^prefix-segment-[a-z0-9-]+-h[0-9a-f]{8}$/);
    expect(name.length).toBeLessThanOrEqual(63);
  });
});
