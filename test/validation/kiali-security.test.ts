import { _KIALI_SECURITY_COVERAGE, _KIALI_SECURITY_RULES } from '../../src/validation/_kiali-security';
import { _meshChecks } from '../../src/validation/_mesh';
import { _KIALI_COVERAGE, _rule } from '../../src/validation/_rules';

// Kiali's security validations with Istio 1.30's semantics (src/validation/_kiali-security.ts): each rule fails
// on a misconfigured manifest and stays silent on a near miss.

const SECURITY = new Set(_KIALI_SECURITY_RULES.map((r) => r.id));

/** Findings of this file's rules only (other rules have their own tests), as `rule severity Kind/name path`. */
function check(...docs: any[]): string[] {
  return _meshChecks(docs.map((doc) => ({ doc }))).filter((f) => SECURITY.has(f.rule)).map((f) => `${f.rule} ${f.severity} ${f.kind}/${f.name} ${f.path}`);
}
function messages(...docs: any[]): string[] {
  return _meshChecks(docs.map((doc) => ({ doc }))).filter((f) => SECURITY.has(f.rule)).map((f) => f.message);
}
const ap = (spec: any, namespace = 'shop') => ({ apiVersion: 'security.istio.io/v1', kind: 'AuthorizationPolicy', metadata: { name: 'p', namespace }, spec });
const pa = (name: string, spec: any, namespace = 'shop') => ({ apiVersion: 'security.istio.io/v1', kind: 'PeerAuthentication', metadata: { name, namespace }, spec });
const dr = (name: string, spec: any, namespace = 'shop') => ({ apiVersion: 'networking.istio.io/v1', kind: 'DestinationRule', metadata: { name, namespace }, spec });
const ns = (name: string, labels: Record<string, string> = { 'istio-injection': 'enabled' }) => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels } });
const deploy = (name: string, labels: Record<string, string>, serviceAccountName?: string, namespace = 'shop') => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name, namespace },
  spec: { selector: { matchLabels: labels }, template: { metadata: { labels }, spec: { ...(serviceAccountName ? { serviceAccountName } : {}), containers: [{ name: 'app', image: 'app' }] } } },
});
const methods = (...m: string[]) => ap({ rules: [{ to: [{ operation: { methods: m } }] }] });
const fromPrincipals = (...p: string[]) => ap({ selector: { matchLabels: { app: 'db' } }, rules: [{ from: [{ source: { principals: p } }] }] });

describe('KIA0102 methods no request has', () => {
  test('warns on lower case, a gRPC method name, an inner wildcard and a non-token', () => {
    expect(check(methods('get', '/shop.Cart/Add', 'G*T', 'GET POST'))).toEqual([
      'KIA0102 warning AuthorizationPolicy/p spec.rules[0].to[0].operation.methods[0]',
      'KIA0102 warning AuthorizationPolicy/p spec.rules[0].to[0].operation.methods[1]',
      'KIA0102 warning AuthorizationPolicy/p spec.rules[0].to[0].operation.methods[2]',
      'KIA0102 warning AuthorizationPolicy/p spec.rules[0].to[0].operation.methods[3]',
    ]);
    const [lower, grpc] = messages(methods('get', 'shop.Cart/Add'));
    expect(lower).toContain('Fix: write "GET"');
    expect(grpc).toContain('to.operation.paths: ["/shop.Cart/Add"]');
  });
  test('warns on notMethods too', () => {
    expect(check(ap({ rules: [{ to: [{ operation: { notMethods: ['delete'] } }] }] }))).toEqual([
      'KIA0102 warning AuthorizationPolicy/p spec.rules[0].to[0].operation.notMethods[0]',
    ]);
  });
  test('near misses: HTTP methods, Istio wildcards, upper-case extension methods', () => {
    expect(check(methods('GET', '*', 'GE*', '*ST', 'PURGE', 'PROPFIND'))).toEqual([]);
  });
});

describe('KIA0105 identity fields on workloads that receive plaintext', () => {
  const disabled = pa('db', { selector: { matchLabels: { app: 'db' } }, mtls: { mode: 'DISABLE' } });
  test('warns on principals and a source.namespace condition of a DISABLE workload', () => {
    const policy = ap({ selector: { matchLabels: { app: 'db' } }, rules: [{ from: [{ source: { principals: ['cluster.local/ns/shop/sa/web'] } }], when: [{ key: 'source.namespace', values: ['shop'] }] }] });
    expect(check(disabled, policy)).toEqual([
      'KIA0105 warning AuthorizationPolicy/p spec.rules[0].from[0].source.principals',
      'KIA0105 warning AuthorizationPolicy/p spec.rules[0].when[0].values',
    ]);
    expect(messages(disabled, policy)[0]).toContain('PeerAuthentication shop/db sets mode DISABLE');
  });
  test('warns on a namespace-wide policy in a DISABLE namespace (namespace-wide or root PeerAuthentication)', () => {
    const policy = ap({ rules: [{ from: [{ source: { namespaces: ['web'] } }] }] });
    expect(check(pa('default', { mtls: { mode: 'DISABLE' } }), policy)).toEqual(['KIA0105 warning AuthorizationPolicy/p spec.rules[0].from[0].source.namespaces']);
    expect(check(pa('default', { mtls: { mode: 'DISABLE' } }, 'istio-system'), policy)).toEqual(['KIA0105 warning AuthorizationPolicy/p spec.rules[0].from[0].source.namespaces']);
  });
  test('PERMISSIVE set by a PeerAuthentication: warns where a plaintext request passes (DENY positive forms, ALLOW not- forms)', () => {
    const permissive = pa('default', { mtls: { mode: 'PERMISSIVE' } });
    expect(check(permissive, ap({ action: 'DENY', rules: [{ from: [{ source: { namespaces: ['guest'] } }] }] }))).toEqual([
      'KIA0105 warning AuthorizationPolicy/p spec.rules[0].from[0].source.namespaces',
    ]);
    expect(check(permissive, ap({ rules: [{ from: [{ source: { notNamespaces: ['guest'] } }], when: [{ key: 'source.principal', notValues: ['cluster.local/ns/a/sa/b'] }] }] }))).toEqual([
      'KIA0105 warning AuthorizationPolicy/p spec.rules[0].from[0].source.notNamespaces',
      'KIA0105 warning AuthorizationPolicy/p spec.rules[0].when[0].notValues',
    ]);
    expect(messages(permissive, ap({ action: 'DENY', rules: [{ from: [{ source: { namespaces: ['guest'] } }] }] }))[0]).toContain('ISTIO-SECURITY-2021-004');
  });
  test('PERMISSIVE near misses: where the policy fails closed, Istio\'s default PERMISSIVE (no PeerAuthentication), STRICT', () => {
    const permissive = pa('default', { mtls: { mode: 'PERMISSIVE' } });
    expect(check(permissive, ap({ rules: [{ from: [{ source: { namespaces: ['web'] } }] }] }))).toEqual([]);
    expect(check(permissive, ap({ action: 'DENY', rules: [{ from: [{ source: { notPrincipals: ['cluster.local/ns/shop/sa/web'] } }] }] }))).toEqual([]);
    expect(check(ap({ action: 'DENY', rules: [{ from: [{ source: { namespaces: ['guest'] } }] }] }))).toEqual([]);
    expect(check(pa('default', { mtls: { mode: 'STRICT' } }), ap({ action: 'DENY', rules: [{ from: [{ source: { namespaces: ['guest'] } }] }] }))).toEqual([]);
  });
  test('decides by the pods of the input when it has them', () => {
    const policy = ap({ selector: { matchLabels: { app: 'db' } }, rules: [{ from: [{ source: { principals: ['cluster.local/ns/shop/sa/web'] } }] }] });
    const byTier = pa('db', { selector: { matchLabels: { tier: 'data' } }, mtls: { mode: 'DISABLE' } });
    expect(check(byTier, policy, deploy('db', { app: 'db', tier: 'data' }))).toEqual(['KIA0105 warning AuthorizationPolicy/p spec.rules[0].from[0].source.principals']);
    // one of the selected pods is not DISABLE
    expect(check(byTier, policy, deploy('db', { app: 'db', tier: 'data' }), deploy('db2', { app: 'db' }))).toEqual([]);
  });
  test('near misses: PERMISSIVE/STRICT or no PeerAuthentication, ipBlocks only, a PeerAuthentication that may not select the pods, ambient', () => {
    const policy = fromPrincipals('cluster.local/ns/shop/sa/web');
    expect(check(pa('db', { selector: { matchLabels: { app: 'db' } }, mtls: { mode: 'PERMISSIVE' } }), policy)).toEqual([]);
    expect(check(policy)).toEqual([]);
    expect(check(disabled, ap({ selector: { matchLabels: { app: 'db' } }, rules: [{ from: [{ source: { ipBlocks: ['10.0.0.0/8'] } }] }] }))).toEqual([]);
    expect(check(pa('db', { selector: { matchLabels: { tier: 'data' } }, mtls: { mode: 'DISABLE' } }), policy)).toEqual([]);
    expect(check(pa('db', { selector: { matchLabels: { app: 'db' } }, mtls: { mode: 'DISABLE' }, portLevelMtls: { 8080: { mode: 'STRICT' } } }), policy)).toEqual([]);
    expect(check(ns('shop', { 'istio.io/dataplane-mode': 'ambient' }), pa('default', { mtls: { mode: 'DISABLE' } }), ap({ rules: [{ from: [{ source: { namespaces: ['web'] } }] }] }))).toEqual([]);
    // a root-namespace policy applies in every namespace
    expect(check(pa('default', { mtls: { mode: 'DISABLE' } }, 'istio-system'), ap({ rules: [{ from: [{ source: { namespaces: ['web'] } }] }] }, 'istio-system'))).toEqual([]);
    // a namespace-wide DISABLE with a workload that enables mTLS: not every workload is DISABLE
    expect(check(pa('default', { mtls: { mode: 'DISABLE' } }), pa('db', { selector: { matchLabels: { app: 'db' } }, mtls: { mode: 'STRICT' } }),
      ap({ rules: [{ from: [{ source: { namespaces: ['web'] } }] }] }))).toEqual([]);
  });
});

describe('MESH320 ISTIO_MUTUAL toward DISABLE', () => {
  const mutual = (host: string, namespace = 'shop') => dr('d', { host, trafficPolicy: { tls: { mode: 'ISTIO_MUTUAL' } } }, namespace);
  test('fails toward a DISABLE namespace (by Service host, namespace wildcard) and a DISABLE mesh', () => {
    expect(check(pa('default', { mtls: { mode: 'DISABLE' } }), mutual('db'))).toEqual(['MESH320 error DestinationRule/d spec.trafficPolicy.tls.mode']);
    expect(check(pa('default', { mtls: { mode: 'DISABLE' } }), mutual('*.shop.svc.cluster.local', 'web'))).toEqual(['MESH320 error DestinationRule/d spec.trafficPolicy.tls.mode']);
    expect(check(pa('default', { mtls: { mode: 'DISABLE' } }, 'istio-system'), mutual('*.local', 'istio-system'))).toEqual(['MESH320 error DestinationRule/d spec.trafficPolicy.tls.mode']);
    expect(check(pa('default', { mtls: { mode: 'DISABLE' } }), dr('d', { host: 'db', subsets: [{ name: 'v1', labels: { v: '1' }, trafficPolicy: { portLevelSettings: [{ port: { number: 80 }, tls: { mode: 'ISTIO_MUTUAL' } }] } }] }))).toEqual([
      'MESH320 error DestinationRule/d spec.subsets[0].trafficPolicy.portLevelSettings[0].tls.mode',
    ]);
  });
  test('near misses: PERMISSIVE/STRICT, no tls (auto mTLS), MUTUAL (the application\'s own TLS), a selector PeerAuthentication enabling mTLS, an external host', () => {
    expect(check(pa('default', { mtls: { mode: 'PERMISSIVE' } }), mutual('db'))).toEqual([]);
    expect(check(mutual('db'))).toEqual([]);
    expect(check(pa('default', { mtls: { mode: 'DISABLE' } }), dr('d', { host: 'db' }))).toEqual([]);
    expect(check(pa('default', { mtls: { mode: 'DISABLE' } }), dr('d', { host: 'db', trafficPolicy: { tls: { mode: 'MUTUAL', credentialName: 'c' } } }))).toEqual([]);
    expect(check(pa('default', { mtls: { mode: 'DISABLE' } }), pa('db', { selector: { matchLabels: { app: 'db' } }, mtls: { mode: 'STRICT' } }), mutual('db'))).toEqual([]);
    expect(check(pa('default', { mtls: { mode: 'DISABLE' } }), mutual('api.example.com'))).toEqual([]);
    expect(check(pa('default', { mtls: { mode: 'DISABLE' } }, 'istio-system'), pa('default', { mtls: { mode: 'STRICT' } }), mutual('*.local', 'istio-system'))).toEqual([]);
  });
});

describe('MESH321 a DestinationRule dropping a wildcard one\'s TLS origination', () => {
  const wide = dr('external', { host: '*.example.com', trafficPolicy: { tls: { mode: 'SIMPLE' } } });
  test('warns on a host without tls in the wildcard\'s namespace or under a root-namespace one', () => {
    expect(check(wide, dr('api', { host: 'api.example.com', trafficPolicy: { connectionPool: { tcp: { maxConnections: 10 } } } }))).toEqual([
      'MESH321 warning DestinationRule/api spec.trafficPolicy',
    ]);
    expect(check(dr('external', wide.spec, 'istio-system'), dr('api', { host: 'api.example.com' }))).toEqual(['MESH321 warning DestinationRule/api spec.trafficPolicy']);
  });
  test('near misses: the specific one repeats tls; ISTIO_MUTUAL wildcard (auto mTLS); another namespace; another domain', () => {
    expect(check(wide, dr('api', { host: 'api.example.com', trafficPolicy: { tls: { mode: 'SIMPLE', sni: 'api.example.com' } } }))).toEqual([]);
    expect(check(dr('all', { host: '*.shop.svc.cluster.local', trafficPolicy: { tls: { mode: 'ISTIO_MUTUAL' } } }), dr('db', { host: 'db' }))).toEqual([]);
    expect(check(wide, dr('api', { host: 'api.example.com' }, 'web'))).toEqual([]);
    expect(check(wide, dr('api', { host: 'api.example.org' }))).toEqual([]);
  });
});

describe('coverage', () => {
  test('every security code is answered, by registered rules', () => {
    const codes = ['KIA0101', 'KIA0102', 'KIA0104', 'KIA0105', 'KIA0106', 'KIA0108', 'KIA0204', 'KIA0205', 'KIA0206', 'KIA0207', 'KIA0208',
      'KIA0401', 'KIA0501', 'KIA0505', 'KIA0506', 'KIA1301'];
    expect(_KIALI_SECURITY_COVERAGE.map((k) => k.code)).toEqual(codes);
    for (const k of _KIALI_SECURITY_COVERAGE) {
      expect(_KIALI_COVERAGE).toContain(k);
      for (const id of k.reportedAs) expect(_rule(id)?.id).toBe(id);
      expect(k.note.length).toBeGreaterThan(20);
    }
  });
});
