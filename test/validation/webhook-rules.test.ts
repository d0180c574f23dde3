import { _meshChecks } from '../../src/validation/_mesh';

// Istio's admission webhook rules the CRD schema does not enforce (src/validation/_checks-webhook.ts):
// each fails on what Istio rejects (or warns on) and stays silent on a near miss.

function check(...docs: any[]): string[] {
  return _meshChecks(docs.map((doc) => ({ doc }))).map((f) => `${f.rule} ${f.severity} ${f.kind}/${f.name} ${f.path}`);
}
function message(...docs: any[]): string {
  return _meshChecks(docs.map((doc) => ({ doc })))[0]?.message ?? '';
}
const vs = (http: any[]) => ({ apiVersion: 'networking.istio.io/v1', kind: 'VirtualService', metadata: { name: 'a', namespace: 'shop' }, spec: { hosts: ['a'], http } });
const route = (extra: any) => ({ ...extra, route: [{ destination: { host: 'a' } }] });
const ap = (spec: any) => ({ apiVersion: 'security.istio.io/v1', kind: 'AuthorizationPolicy', metadata: { name: 'p', namespace: 'shop' }, spec });
const ra = (jwtRules: any[]) => ({ apiVersion: 'security.istio.io/v1', kind: 'RequestAuthentication', metadata: { name: 'jwt', namespace: 'shop' }, spec: { jwtRules } });
const gw = (servers: any[]) => ({ apiVersion: 'networking.istio.io/v1', kind: 'Gateway', metadata: { name: 'g', namespace: 'edge' }, spec: { selector: { istio: 'ingressgateway' }, servers } });

describe('MESH201 retries', () => {
  test('fails on retry settings without attempts, a negative count and an unknown retryOn policy', () => {
    expect(check(vs([route({ retries: { perTryTimeout: '2s' } })]))).toEqual(['MESH201 error VirtualService/a spec.http[0].retries']);
    expect(check(vs([route({ retries: { attempts: -1 } })]))).toEqual(['MESH201 error VirtualService/a spec.http[0].retries.attempts']);
    expect(check(vs([route({ retries: { attempts: 3, retryOn: '5xx,connect-failure,flaky' } })]))).toEqual(['MESH201 error VirtualService/a spec.http[0].retries.retryOn']);
    expect(message(vs([route({ retries: { attempts: 3, retryOn: 'flaky' } })]))).toContain('"flaky" is not a valid retryOn policy');
  });
  test('near misses: attempts with retryOn conditions and status codes; attempts 0 alone', () => {
    expect(check(vs([route({ retries: { attempts: 3, perTryTimeout: '2s', retryOn: '5xx,gateway-error,503,retriable-4xx' } })]))).toEqual([]);
    expect(check(vs([route({ retries: { attempts: 0 } })]))).toEqual([]);
  });
});

describe('MESH202-MESH206 AuthorizationPolicy', () => {
  test('fails on DENY without rules; an empty source; serviceAccounts with principals; a bad CIDR; a SPIFFE ID as trust domain; an unknown when key', () => {
    expect(check(ap({ action: 'DENY' }))).toEqual(['MESH202 error AuthorizationPolicy/p spec.rules']);
    expect(check(ap({ rules: [{ from: [{ source: {} }] }] }))).toEqual(['MESH203 error AuthorizationPolicy/p spec.rules[0].from[0].source']);
    expect(check(ap({ rules: [{ from: [{ source: { principals: ['cluster.local/ns/a/sa/b'], serviceAccounts: ['a/b'] } }] }] }))).toEqual(['MESH203 error AuthorizationPolicy/p spec.rules[0].from[0].source']);
    expect(check(ap({ rules: [{ from: [{ source: { ipBlocks: ['10.0.0.0/33'] } }] }] }))).toEqual(['MESH204 error AuthorizationPolicy/p spec.rules[0].from[0].source.ipBlocks[0]']);
    expect(check(ap({ rules: [{ from: [{ source: { trustDomains: ['spiffe://cluster.local/ns/a'] } }] }] }))).toEqual(['MESH204 error AuthorizationPolicy/p spec.rules[0].from[0].source.trustDomains[0]']);
    expect(check(ap({ rules: [{ when: [{ key: 'request.header[x-team]', values: ['a'] }] }] }))).toEqual(['MESH205 error AuthorizationPolicy/p spec.rules[0].when[0]']);
    expect(message(ap({ rules: [{ when: [{ key: 'destination.namespace', values: ['a'] }] }] }))).toContain('Istio replaced it with the policy\'s metadata.namespace');
  });
  test('warns on a DENY rule of HTTP attributes only (it denies every TCP connection)', () => {
    expect(check(ap({ action: 'DENY', rules: [{ to: [{ operation: { methods: ['DELETE'] } }] }] }))).toEqual(['MESH206 warning AuthorizationPolicy/p spec.rules[0]']);
  });
  test('near misses: DENY with rules naming ports; `rules: [{}]`; valid sources and conditions; ALLOW of HTTP attributes', () => {
    expect(check(ap({ action: 'DENY', rules: [{ to: [{ operation: { methods: ['DELETE'], ports: ['8080'] } }] }] }))).toEqual([]);
    expect(check(ap({ action: 'DENY', rules: [{}] }))).toEqual([]);
    expect(check(ap({
      rules: [{
        from: [{ source: { ipBlocks: ['10.0.0.0/16', '2001:db8::/32'], trustDomains: ['*.example.com', 'cluster.local'] } }],
        when: [{ key: 'request.headers[x-team]', values: ['a'] }, { key: 'source.ip', notValues: ['10.1.0.0/16'] }],
      }],
    }))).toEqual([]);
    expect(check(ap({ action: 'ALLOW', rules: [{ to: [{ operation: { methods: ['GET'] } }] }] }))).toEqual([]);
  });
});

describe('MESH207 RequestAuthentication', () => {
  test('fails on a rule without issuer and jwksUri, a non-http jwksUri, an empty audience', () => {
    expect(check(ra([{ audiences: ['api'] }]))).toEqual(['MESH207 error RequestAuthentication/jwt spec.jwtRules[0]']);
    expect(check(ra([{ issuer: 'https://idp', jwksUri: 'ftp://idp/keys' }]))).toEqual(['MESH207 error RequestAuthentication/jwt spec.jwtRules[0].jwksUri']);
    expect(check(ra([{ issuer: 'https://idp', audiences: [''] }]))).toEqual(['MESH207 error RequestAuthentication/jwt spec.jwtRules[0].audiences[0]']);
  });
  test('near miss: issuer with an https jwksUri', () => {
    expect(check(ra([{ issuer: 'https://idp.example.com', jwksUri: 'https://idp.example.com/.well-known/jwks.json', audiences: ['api'] }]))).toEqual([]);
  });
});

describe('MESH208 Gateway servers', () => {
  const https = { port: { number: 443, name: 'https', protocol: 'HTTPS' }, hosts: ['*/shop.example.com'], tls: { mode: 'SIMPLE', credentialName: 'shop' } };
  test('fails on an HTTPS server without tls, TLS settings on plain HTTP, an unknown protocol', () => {
    expect(check(gw([{ ...https, tls: undefined }]))).toEqual(['MESH208 error Gateway/g spec.servers[0]']);
    expect(check(gw([{ port: { number: 80, name: 'http', protocol: 'HTTP' }, hosts: ['*/shop.example.com'], tls: { mode: 'SIMPLE', credentialName: 'shop' } }]))).toEqual(['MESH208 error Gateway/g spec.servers[0].tls']);
    expect(check(gw([{ port: { number: 80, name: 'web', protocol: 'WEB' }, hosts: ['*/shop.example.com'] }]))).toEqual(['MESH208 error Gateway/g spec.servers[0].port.protocol']);
  });
  test('near misses: HTTPS with tls; HTTP with only httpsRedirect', () => {
    expect(check(gw([https, { port: { number: 80, name: 'http', protocol: 'HTTP' }, hosts: ['*/shop.example.com'], tls: { httpsRedirect: true } }]))).toEqual([]);
  });
});

describe('MESH209-MESH211 subset names, header values, regexes', () => {
  test('fails on a subset name with capitals, a lone % in a header value, a lookahead regex', () => {
    expect(check({
      apiVersion: 'networking.istio.io/v1',
      kind: 'DestinationRule',
      metadata: { name: 'd', namespace: 'shop' },
      spec: { host: 'a', subsets: [{ name: 'V1', labels: { version: 'v1' } }] },
    })).toEqual(['MESH209 error DestinationRule/d spec.subsets[0].name']);
    expect(check(vs([route({ headers: { response: { set: { 'x-discount': '10%' } } } })]))).toEqual(['MESH210 error VirtualService/a spec.http[0].headers.response.set["x-discount"]']);
    expect(check(vs([route({ match: [{ uri: { regex: '/api/(?!internal).*' } }] })]))).toEqual(['MESH211 error VirtualService/a spec.http[0].match[0].uri.regex']);
  });
  test('near misses: a DNS-label subset, %% and a known %VARIABLE%, an RE2 regex', () => {
    expect(check({
      apiVersion: 'networking.istio.io/v1',
      kind: 'DestinationRule',
      metadata: { name: 'd', namespace: 'shop' },
      spec: { host: 'a', subsets: [{ name: 'v1-canary', labels: { version: 'v1' } }] },
    })).toEqual([]);
    expect(check(vs([route({ headers: { response: { set: { 'x-discount': '10%%', 'x-up': '%UPSTREAM_HOST%' } } }, match: [{ uri: { regex: '/api/v[0-9]+/.*' } }] })]))).toEqual([]);
  });
});

describe('MESH212 host * on the mesh gateway', () => {
  test('fails on host * without gateways or with mesh', () => {
    expect(check({ ...vs([route({})]), spec: { hosts: ['*'], http: [route({})] } })).toEqual(['MESH212 error VirtualService/a spec.hosts[0]']);
    // bound to the mesh and a gateway (the gateway is not in the input: IST0101 too)
    expect(check({ ...vs([route({})]), spec: { hosts: ['*'], gateways: ['mesh', 'edge/gw'], http: [route({})] } }).filter((f) => f.startsWith('MESH212')))
      .toEqual(['MESH212 error VirtualService/a spec.hosts[0]']);
  });
  test('near miss: host * on a Gateway only', () => {
    expect(check({ ...vs([route({})]), spec: { hosts: ['*'], gateways: ['edge/gw'], http: [route({})] } }).filter((f) => f.startsWith('MESH212'))).toEqual([]);
  });
});
