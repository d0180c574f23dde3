import { GatewayBinding, HttpMatch, HttpMethod, StringMatch } from '../src';

describe('StringMatch', () => {
  test('renders exact, prefix and regex', () => {
    expect(StringMatch.exact('GET')._toIstio()).toEqual({ exact: 'GET' });
    expect(StringMatch.prefix('/api')._toIstio()).toEqual({ prefix: '/api' });
    expect(StringMatch.regex('^/v[0-9]+/.*')._toIstio()).toEqual({ regex: '^/v[0-9]+/.*' });
    expect(StringMatch.regex('(?P<ver>v[0-9]+)')._toIstio()).toEqual({ regex: '(?P<ver>v[0-9]+)' });
    expect(StringMatch.regex('(?i)^/API\\z')._toIstio()).toEqual({ regex: '(?i)^/API\\z' });
    expect(`${StringMatch.prefix('/api')}`).toEqual('prefix:/api');
  });

  test('fails on an invalid regex', () => {
    expect(() => StringMatch.regex('/api/(v1')).toThrow(/^Invalid regex "\/api\/\(v1": it is not a valid regular expression \(.*\)\. Fix: fix the syntax; Istio uses RE2/);
  });

  test('fails on an empty regex', () => {
    expect(() => StringMatch.regex('')).toThrow('Invalid regex "": the regex is empty. Fix: give a regex such as "/api/v[0-9]+/.*", or use a prefix match');
  });

  test('fails on regex features RE2 does not support (lookaround, backreferences)', () => {
    expect(() => StringMatch.regex('^/(?!admin).*')).toThrow('Invalid regex "^/(?!admin).*": lookahead and lookbehind ("(?=", "(?!", "(?<=", "(?<!") are not supported by RE2');
    expect(() => StringMatch.regex('(a)\\1')).toThrow('Invalid regex "(a)\\\\1": backreferences are not supported by RE2');
  });

  test('fails on a repeat count over 1000 (RE2 and Istio reject it); near misses stay valid', () => {
    expect(() => StringMatch.regex('^/a{1001}$')).toThrow(
      'Invalid regex "^/a{1001}$": the repeat count {1001} is over 1000, which RE2 (Go regexp, Istio\'s validation) rejects. Fix: use a smaller count, or a "+" / "*" repetition');
    expect(() => StringMatch.regex('^x{2,5000}')).toThrow('the repeat count {2,5000} is over 1000');
    for (const ok of ['^/a{1000}$', '^/a{2,}$', '\\{5000}', '[{]5000}', '^/v[0-9]{1,3}/.*']) expect(StringMatch.regex(ok)).toBeDefined();
  });

  test('fails on a regex longer than 1024 characters', () => {
    expect(() => StringMatch.regex('a'.repeat(1025))).toThrow(/the regex is 1025 characters long; Istio allows at most 1024/);
  });

  test('fails on an empty prefix', () => {
    expect(() => StringMatch.prefix('')).toThrow('Invalid prefix "": an empty prefix matches everything (Istio rejects it). Fix: give a prefix such as "/api", or leave the condition out');
  });
});

describe('HttpMatch', () => {
  test('renders every condition with sorted keys', () => {
    // GIVEN
    const m = HttpMatch.of({
      uri: StringMatch.prefix('/catalog'),
      method: StringMatch.exact('GET'),
      authority: StringMatch.exact('shop.example.com'),
      scheme: StringMatch.exact('https'),
      headers: { 'x-b': StringMatch.exact('1'), 'x-a': StringMatch.regex('a.*') },
      withoutHeaders: { 'x-debug': StringMatch.exact('1') },
      queryParams: { user: StringMatch.exact('jason') },
      ignoreUriCase: true,
      port: 8080,
      sourceLabels: { app: 'frontend' },
      sourceNamespace: 'shop',
      gateways: [GatewayBinding.mesh()],
      name: 'all',
    });
    // THEN
    expect(JSON.stringify(m._toIstio())).toEqual(JSON.stringify({
      name: 'all',
      uri: { prefix: '/catalog' },
      scheme: { exact: 'https' },
      method: { exact: 'GET' },
      authority: { exact: 'shop.example.com' },
      headers: { 'x-a': { regex: 'a.*' }, 'x-b': { exact: '1' } },
      withoutHeaders: { 'x-debug': { exact: '1' } },
      queryParams: { user: { exact: 'jason' } },
      ignoreUriCase: true,
      port: 8080,
      sourceLabels: { app: 'frontend' },
      sourceNamespace: 'shop',
      gateways: ['mesh'],
    }));
    expect(m.isCatchAll).toBe(false);
  });

  test('shorthands and catch-all detection', () => {
    expect(HttpMatch.prefix('/').isCatchAll).toBe(true);
    expect(HttpMatch.of({}).isCatchAll).toBe(true);
    expect(HttpMatch.prefix('/a').isCatchAll).toBe(false);
    expect(HttpMatch.exact('/a')._toIstio().uri).toEqual({ exact: '/a' });
    expect(HttpMatch.regex('/a.*')._toIstio().uri).toEqual({ regex: '/a.*' });
    expect(HttpMatch.method(HttpMethod.POST)._toIstio().method).toEqual({ exact: 'POST' });
    expect(HttpMatch.prefix('/').withHeader('x-canary', StringMatch.exact('true')).isCatchAll).toBe(false);
  });

  test('fails on a method Istio does not match (lower case, unknown)', () => {
    expect(() => HttpMatch.method('post' as HttpMethod)).toThrow(
      'Invalid match.method "post": it is not an HTTP method Istio matches. Fix: use HttpMethod.POST (Istio matches methods case-sensitively, in upper case)');
    expect(() => HttpMatch.method('FETCH' as HttpMethod)).toThrow(
      'Invalid match.method "FETCH": it is not an HTTP method Istio matches. Fix: use one of GET, HEAD, POST, PUT, PATCH, DELETE, CONNECT, OPTIONS, TRACE');
  });

  test('fails on a header name with uppercase letters', () => {
    expect(() => HttpMatch.header('X-Canary', StringMatch.exact('true')))
      .toThrow('Invalid match.headers key "X-Canary": Envoy lowercases header names, so a header key with uppercase letters never matches. Fix: use "x-canary"');
  });

  test('fails on an invalid header name', () => {
    expect(() => HttpMatch.header('x canary', StringMatch.exact('true')))
      .toThrow('Invalid match.headers key "x canary": it is not a valid HTTP header name (RFC 7230 token characters only). Fix: use a name such as "x-canary"');
  });

  test('fails on an invalid port', () => {
    expect(() => HttpMatch.of({ port: 70000 })).toThrow('Invalid match.port 70000: a port is an integer from 1 to 65535. Fix: use e.g. 8080');
  });
});

describe('GatewayBinding', () => {
  test('renders mesh and namespace/name', () => {
    expect(GatewayBinding.mesh().gatewayRef).toEqual('mesh');
    expect(GatewayBinding.mesh().isMesh).toBe(true);
    expect(GatewayBinding.of('istio-ingress', 'edge').gatewayRef).toEqual('istio-ingress/edge');
    expect(`${GatewayBinding.of('istio-ingress', 'edge')}`).toEqual('istio-ingress/edge');
  });

  test('fails on "mesh" as a gateway name', () => {
    expect(() => GatewayBinding.of('istio-system', 'mesh')).toThrow('Invalid name "mesh": "mesh" is the reserved name of the mesh gateway. Fix: use GatewayBinding.mesh()');
  });

  test('fails on an invalid namespace', () => {
    expect(() => GatewayBinding.of('Istio', 'edge')).toThrow('Invalid namespace "Istio": it is not an RFC 1123 DNS label');
  });
});

describe('HttpMatch on JWT claims (Istio routes on them at gateways, with a RequestAuthentication)', () => {
  test('accepts @request.auth.claims.<name> and @request.auth.claims[<name>] keys', () => {
    const m = HttpMatch.of({ headers: { '@request.auth.claims.groups': StringMatch.exact('beta'), '@request.auth.claims[realm][role]': StringMatch.exact('admin') } });
    expect(m._toIstio().headers).toEqual({ '@request.auth.claims.groups': { exact: 'beta' }, '@request.auth.claims[realm][role]': { exact: 'admin' } });
  });

  test('fails on a claim key that names no claim', () => {
    expect(() => HttpMatch.of({ headers: { '@request.auth.claims': StringMatch.exact('x') } })).toThrow(
      'Invalid match.headers key "@request.auth.claims": it is neither a header nor a JWT claim Istio routes on. '
      + 'Fix: name the claim: "@request.auth.claims.groups" (nested: "@request.auth.claims.realm.roles") or "@request.auth.claims[groups]"');
    expect(() => HttpMatch.of({ withoutHeaders: { '@request.auth.claims[': StringMatch.exact('x') } })).toThrow('Invalid match.withoutHeaders key "@request.auth.claims["');
  });
});

