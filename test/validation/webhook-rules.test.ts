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

describe('MESH222 AuthorizationPolicy operations and empty values', () => {
  test('fails on an empty `to`, a `to` without operation, an operation naming nothing, empty strings in operations and sources', () => {
    expect(check(ap({ rules: [{ to: [] }] }))).toEqual(['MESH222 error AuthorizationPolicy/p spec.rules[0].to']);
    expect(check(ap({ rules: [{ to: [{}] }] }))).toEqual(['MESH222 error AuthorizationPolicy/p spec.rules[0].to[0].operation']);
    expect(check(ap({ rules: [{ to: [{ operation: {} }] }] }))).toEqual(['MESH222 error AuthorizationPolicy/p spec.rules[0].to[0].operation']);
    expect(check(ap({ rules: [{ to: [{ operation: { methods: ['GET', ''] } }] }] }))).toEqual(['MESH222 error AuthorizationPolicy/p spec.rules[0].to[0].operation.methods[1]']);
    expect(message(ap({ rules: [{ to: [{ operation: { methods: ['GET', ''] } }] }] }))).toEqual(
      'empty value not allowed, found in Methods, found at rule 0: Istio rejects the policy. Fix: remove the empty string (use "*" for any value)');
    expect(check(ap({ rules: [{ from: [{ source: { principals: [''] } }] }] }))).toEqual(['MESH222 error AuthorizationPolicy/p spec.rules[0].from[0].source.principals[0]']);
  });
  test('near misses: no `to` (any operation); an operation with a value; "*"', () => {
    expect(check(ap({ rules: [{ from: [{ source: { principals: ['*'] } }] }] }))).toEqual([]);
    expect(check(ap({ rules: [{ to: [{ operation: { paths: ['/public'] } }] }] }))).toEqual([]);
    expect(check(ap({ rules: [{ to: [{ operation: { methods: ['*'] } }] }] }))).toEqual([]);
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

const dr = (spec: any) => ({ apiVersion: 'networking.istio.io/v1', kind: 'DestinationRule', metadata: { name: 'd', namespace: 'shop' }, spec: { host: 'a', ...spec } });
const sidecar = (hosts: string[]) => ({ apiVersion: 'networking.istio.io/v1', kind: 'Sidecar', metadata: { name: 'default', namespace: 'shop' }, spec: { egress: [{ hosts }] } });
const se = (resolution: string, endpoints: any[]) => ({
  apiVersion: 'networking.istio.io/v1',
  kind: 'ServiceEntry',
  metadata: { name: 'db', namespace: 'shop' },
  spec: { hosts: ['db.example.com'], addresses: ['10.0.0.5'], resolution, ports: [{ number: 5432, name: 'tcp-pg', protocol: 'TCP' }], endpoints },
});

describe('MESH213 CUSTOM AuthorizationPolicy provider', () => {
  test('fails on CUSTOM without provider, CUSTOM without rules, a provider on ALLOW', () => {
    expect(check(ap({ action: 'CUSTOM', rules: [{ to: [{ operation: { paths: ['/admin/*'] } }] }] }))).toEqual(['MESH213 error AuthorizationPolicy/p spec.provider']);
    expect(check(ap({ action: 'CUSTOM', provider: { name: 'opa' } }))).toEqual(['MESH213 error AuthorizationPolicy/p spec.rules']);
    expect(check(ap({ action: 'ALLOW', provider: { name: 'opa' }, rules: [{}] }))).toEqual(['MESH213 error AuthorizationPolicy/p spec.provider']);
    expect(message(ap({ action: 'CUSTOM', rules: [{}] }))).toContain('`provider.name` must not be empty');
  });
  test('near miss: CUSTOM with a provider and rules', () => {
    expect(check(ap({ action: 'CUSTOM', provider: { name: 'opa' }, rules: [{ to: [{ operation: { paths: ['/admin/*'] } }] }] }))).toEqual([]);
  });
});

describe('MESH214-MESH215 DestinationRule client TLS and outlier percentages', () => {
  test('fails on MUTUAL without client certificate, insecureSkipVerify with a CA, a port-level credentialName with files, maxEjectionPercent 150', () => {
    expect(check(dr({ trafficPolicy: { tls: { mode: 'MUTUAL', caCertificates: '/ca.pem' } } }))).toEqual([
      'MESH214 error DestinationRule/d spec.trafficPolicy.tls', 'MESH214 error DestinationRule/d spec.trafficPolicy.tls',
    ]);
    expect(message(dr({ trafficPolicy: { tls: { mode: 'MUTUAL', caCertificates: '/ca.pem' } } }))).toContain('client certificate required for mutual tls');
    expect(check(dr({ trafficPolicy: { tls: { mode: 'SIMPLE', caCertificates: '/ca.pem', insecureSkipVerify: true } } })))
      .toEqual(expect.arrayContaining(['MESH214 error DestinationRule/d spec.trafficPolicy.tls']));
    expect(check(dr({ subsets: [{ name: 'v1', labels: { v: '1' }, trafficPolicy: { portLevelSettings: [{ port: { number: 443 }, tls: { mode: 'SIMPLE', credentialName: 'c', caCertificates: '/ca.pem' } }] } }] })))
      .toEqual(['MESH214 error DestinationRule/d spec.subsets[0].trafficPolicy.portLevelSettings[0].tls']);
    expect(check(dr({ trafficPolicy: { outlierDetection: { maxEjectionPercent: 150 } } }))).toEqual(['MESH215 error DestinationRule/d spec.trafficPolicy.outlierDetection.maxEjectionPercent']);
  });
  test('near misses: MUTUAL with credentialName or with certificate files; SIMPLE with insecureSkipVerify alone; ISTIO_MUTUAL; maxEjectionPercent 100', () => {
    expect(check(dr({ trafficPolicy: { tls: { mode: 'MUTUAL', credentialName: 'client-cert' } } }))).toEqual([]);
    expect(check(dr({ trafficPolicy: { tls: { mode: 'MUTUAL', clientCertificate: '/c.pem', privateKey: '/k.pem', caCertificates: '/ca.pem' } } }))).toEqual([]);
    expect(check(dr({ trafficPolicy: { tls: { mode: 'ISTIO_MUTUAL' }, outlierDetection: { maxEjectionPercent: 100, minHealthPercent: 0 } } }))).toEqual([]);
  });
});

describe('MESH216 Gateway server port names', () => {
  test('fails on two servers with one port name', () => {
    const s = (number: number, protocol: string, tls?: any) => ({ port: { number, name: 'web', protocol }, hosts: ['a.example.com'], ...(tls ? { tls } : {}) });
    expect(check(gw([s(80, 'HTTP'), s(443, 'HTTPS', { mode: 'SIMPLE', credentialName: 'c' })]))).toEqual(['MESH216 error Gateway/g spec.servers[1].port.name']);
  });
  test('near miss: distinct port names', () => {
    expect(check(gw([{ port: { number: 80, name: 'http', protocol: 'HTTP' }, hosts: ['a.example.com'] },
      { port: { number: 443, name: 'https', protocol: 'HTTPS' }, hosts: ['a.example.com'], tls: { mode: 'SIMPLE', credentialName: 'c' } }]))).toEqual([]);
  });
});

describe('MESH217 Sidecar egress hosts', () => {
  test('fails on a bare FQDN, an empty namespace, an invalid namespace', () => {
    expect(check(sidecar(['./*', 'reviews.other.svc.cluster.local', '/a.example.com', 'Other/*']))).toEqual([
      'MESH217 error Sidecar/default spec.egress[0].hosts[1]', 'MESH217 error Sidecar/default spec.egress[0].hosts[2]', 'MESH217 error Sidecar/default spec.egress[0].hosts[3]',
    ]);
    expect(message(sidecar(['reviews.other.svc.cluster.local']))).toContain('host must be of form namespace/dnsName');
  });
  test('near misses: ./*, */host, ~/*, ns/host', () => {
    expect(check(sidecar(['./*', '*/api.example.com', '~/*', 'istio-system/*', 'other/reviews.other.svc.cluster.local']))).toEqual([]);
  });
});

describe('MESH218 ServiceEntry endpoint ports', () => {
  test('fails on an endpoint port key that names no ServiceEntry port (STATIC and DNS)', () => {
    expect(check(se('STATIC', [{ address: '10.0.0.5', ports: { postgres: 5432 } }]))).toEqual(['MESH218 error ServiceEntry/db spec.endpoints[0].ports["postgres"]']);
    expect(check(se('DNS', [{ address: 'db1.example.com', ports: { postgres: 5432 } }]))).toEqual(['MESH218 error ServiceEntry/db spec.endpoints[0].ports["postgres"]']);
  });
  test('near miss: the port name of the ServiceEntry', () => {
    expect(check(se('STATIC', [{ address: '10.0.0.5', ports: { 'tcp-pg': 5432 } }]))).toEqual([]);
  });
});

describe('MESH221 ServiceEntry resolution and endpoints', () => {
  const wild = (resolution: string, endpoints: any[] = []) => ({ ...se(resolution, endpoints), spec: { ...se(resolution, endpoints).spec, hosts: ['*.googleapis.com'], addresses: undefined, ports: [{ number: 443, name: 'https', protocol: 'HTTPS' }] } });
  test('fails on a wildcard host with DNS resolution and no endpoints, several DNS_ROUND_ROBIN endpoints, NONE with endpoints', () => {
    expect(check(wild('DNS'))).toEqual(['MESH221 error ServiceEntry/db spec.hosts[0]']);
    expect(message(wild('DNS'))).toContain('hosts must be FQDN if no endpoints are provided for resolution mode DNS ("*.googleapis.com" is a wildcard, which DNS cannot resolve): Istio rejects the ServiceEntry. Fix: use resolution DYNAMIC_DNS (HTTP/TLS/gRPC ports) or NONE for wildcard hosts');
    expect(check(se('DNS_ROUND_ROBIN', [{ address: 'a.example.com' }, { address: 'b.example.com' }]))).toEqual(['MESH221 error ServiceEntry/db spec.endpoints']);
    expect(check(se('NONE', [{ address: '10.0.0.5' }]))).toEqual(['MESH221 error ServiceEntry/db spec.endpoints']);
    // DYNAMIC_DNS: wildcard hosts only, no addresses, no endpoints, HTTP/TLS/GRPC/HTTP2 ports
    expect(check(se('DYNAMIC_DNS', [{ address: 'a.example.com' }]))).toEqual([
      'MESH221 error ServiceEntry/db spec.hosts[0]', 'MESH221 error ServiceEntry/db spec.addresses', 'MESH221 error ServiceEntry/db spec.endpoints', 'MESH221 error ServiceEntry/db spec.ports[0].protocol',
    ]);
  });
  test('near misses: a wildcard with NONE, or with DNS and endpoints; one DNS_ROUND_ROBIN endpoint; an FQDN with DNS', () => {
    expect(check(wild('NONE'))).toEqual([]);
    expect(check(wild('DNS', [{ address: 'googleapis.example.com', ports: { https: 443 } }]))).toEqual([]);
    expect(check(se('DNS_ROUND_ROBIN', [{ address: 'a.example.com' }]))).toEqual([]);
    expect(check(se('DNS', []))).toEqual([]);
    expect(check({ ...wild('DYNAMIC_DNS'), spec: { ...wild('DYNAMIC_DNS').spec, ports: [{ number: 443, name: 'tls', protocol: 'TLS' }] } })).toEqual([]);
  });
});

describe('MESH219-MESH220 fault percentages and http rule conflicts', () => {
  test('fails on a fault percentage over 100, route with redirect, directResponse with route', () => {
    expect(check(vs([route({ fault: { abort: { httpStatus: 503, percentage: { value: 150 } } } })]))).toEqual(['MESH219 error VirtualService/a spec.http[0].fault.abort.percentage.value']);
    expect(check(vs([route({ redirect: { uri: '/new' } })]))).toEqual(['MESH220 error VirtualService/a spec.http[0]']);
    expect(message(vs([route({ redirect: { uri: '/new' } })]))).toContain('HTTP route cannot contain both route and redirect');
    expect(check(vs([route({ directResponse: { status: 503 } })]))).toEqual(['MESH220 error VirtualService/a spec.http[0]']);
  });
  test('near misses: a fault of 0 or 100 percent, redirect alone, directResponse alone', () => {
    expect(check(vs([route({ fault: { delay: { fixedDelay: '1s', percentage: { value: 100 } }, abort: { httpStatus: 503, percentage: { value: 0 } } } })]))).toEqual([]);
    expect(check(vs([{ match: [{ uri: { prefix: '/old' } }], redirect: { uri: '/new' } }, { directResponse: { status: 503 } }]))).toEqual([]);
  });
});
