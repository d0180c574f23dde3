import { _meshChecks } from '../../src/validation/_mesh';

// Kiali's manifest-only validations and the misconfigurations users hit most (src/validation/_checks-kiali.ts):
// each fails on a misconfigured manifest and stays silent on a near miss.

function check(...docs: any[]): string[] {
  return _meshChecks(docs.map((doc) => ({ doc }))).map((f) => `${f.rule} ${f.severity} ${f.kind}/${f.name} ${f.path}`);
}
const pa = (name: string, spec: any) => ({ apiVersion: 'security.istio.io/v1', kind: 'PeerAuthentication', metadata: { name, namespace: 'shop' }, spec });
const ap = (spec: any) => ({ apiVersion: 'security.istio.io/v1', kind: 'AuthorizationPolicy', metadata: { name: 'p', namespace: 'shop' }, spec });
const svc = (ports: any[]) => ({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'db', namespace: 'shop' }, spec: { selector: { app: 'db' }, ports } });
const se = (name: string, ports: any[], namespace = 'shop') => ({
  apiVersion: 'networking.istio.io/v1',
  kind: 'ServiceEntry',
  metadata: { name, namespace },
  spec: { hosts: ['api.example.com'], location: 'MESH_EXTERNAL', resolution: 'DNS', ports },
});
const tel = (spec: any) => ({ apiVersion: 'telemetry.istio.io/v1', kind: 'Telemetry', metadata: { name: 't', namespace: 'shop' }, spec });

describe('KIA0002 / KIA0003 PeerAuthentication conflicts', () => {
  test('fails on two namespace-wide PeerAuthentications, and on two with one selector', () => {
    expect(check(pa('a', { mtls: { mode: 'STRICT' } }), pa('b', { mtls: { mode: 'PERMISSIVE' } }))).toEqual([
      'KIA0002 error PeerAuthentication/a spec', 'KIA0002 error PeerAuthentication/b spec',
    ]);
    expect(check(pa('a', { selector: { matchLabels: { app: 'db' } }, mtls: { mode: 'STRICT' } }), pa('b', { selector: { matchLabels: { app: 'db' } }, mtls: { mode: 'DISABLE' } }))).toEqual([
      'KIA0003 error PeerAuthentication/a spec.selector', 'KIA0003 error PeerAuthentication/b spec.selector',
    ]);
  });
  test('near misses: one namespace-wide plus selected ones; RequestAuthentications (Istio merges them)', () => {
    expect(check(pa('a', { mtls: { mode: 'STRICT' } }), pa('b', { selector: { matchLabels: { app: 'db' } }, mtls: { mode: 'PERMISSIVE' } }))).toEqual([]);
    const ra = (name: string) => ({ apiVersion: 'security.istio.io/v1', kind: 'RequestAuthentication', metadata: { name, namespace: 'shop' }, spec: { jwtRules: [{ issuer: `https://${name}` }] } });
    expect(check(ra('a'), ra('b'))).toEqual([]);
  });
});

describe('MESH304 portLevelMtls keyed by the Service port', () => {
  test('fails on the Service port instead of the workload port', () => {
    expect(check(svc([{ name: 'tcp-db', port: 5432, targetPort: 15432 }]), pa('db', { selector: { matchLabels: { app: 'db' } }, mtls: { mode: 'STRICT' }, portLevelMtls: { 5432: { mode: 'PERMISSIVE' } } }))).toEqual([
      'MESH304 error PeerAuthentication/db spec.portLevelMtls["5432"]',
    ]);
  });
  test('near misses: keyed by the target port; a Service whose port is its target port', () => {
    expect(check(svc([{ name: 'tcp-db', port: 5432, targetPort: 15432 }]), pa('db', { selector: { matchLabels: { app: 'db' } }, portLevelMtls: { 15432: { mode: 'PERMISSIVE' } } }))).toEqual([]);
    expect(check(svc([{ name: 'tcp-db', port: 5432 }]), pa('db', { selector: { matchLabels: { app: 'db' } }, portLevelMtls: { 5432: { mode: 'PERMISSIVE' } } }))).toEqual([]);
  });
});

describe('MESH307 AuthorizationPolicy ports keyed by the Service port', () => {
  const allow = (ports: string[], field = 'ports') => ap({ selector: { matchLabels: { app: 'db' } }, rules: [{ to: [{ operation: { [field]: ports } }] }] });
  test('fails on the Service port instead of the workload port (ports and notPorts)', () => {
    expect(check(svc([{ name: 'http', port: 80, targetPort: 8080 }]), allow(['80']))).toEqual(['MESH307 error AuthorizationPolicy/p spec.rules[0].to[0].operation.ports[0]']);
    expect(check(svc([{ name: 'http', port: 80, targetPort: 8080 }]), allow(['80'], 'notPorts'))).toEqual(['MESH307 error AuthorizationPolicy/p spec.rules[0].to[0].operation.notPorts[0]']);
  });
  test('near misses: the target port; a Service whose port is its target port; a named targetPort (not decidable)', () => {
    expect(check(svc([{ name: 'http', port: 80, targetPort: 8080 }]), allow(['8080']))).toEqual([]);
    expect(check(svc([{ name: 'http', port: 8080 }]), allow(['8080']))).toEqual([]);
    expect(check(svc([{ name: 'http', port: 80, targetPort: 'web' }]), allow(['80']))).toEqual([]);
  });
});

describe('MESH303 HTTP-only fields on a TCP port', () => {
  test('warns on methods for a tcp-named port', () => {
    expect(check(svc([{ name: 'tcp-db', port: 5432 }]), ap({ selector: { matchLabels: { app: 'db' } }, rules: [{ to: [{ operation: { ports: ['5432'], methods: ['GET'] } }] }] }))).toEqual([
      'MESH303 warning AuthorizationPolicy/p spec.rules[0].to[0].operation.ports',
    ]);
  });
  test('near misses: an HTTP port; a TCP port without HTTP fields', () => {
    expect(check(svc([{ name: 'http-api', port: 8080 }]), ap({ selector: { matchLabels: { app: 'db' } }, rules: [{ to: [{ operation: { ports: ['8080'], methods: ['GET'] } }] }] }))).toEqual([]);
    expect(check(svc([{ name: 'tcp-db', port: 5432 }]), ap({ selector: { matchLabels: { app: 'db' } }, rules: [{ to: [{ operation: { ports: ['5432'] } }] }] }))).toEqual([]);
  });
});

describe('MESH305 built-in providers in the wrong section', () => {
  test('fails on prometheus for tracing and envoy for metrics', () => {
    expect(check(tel({ tracing: [{ providers: [{ name: 'prometheus' }] }], metrics: [{ providers: [{ name: 'envoy' }] }] }))).toEqual([
      'MESH305 error Telemetry/t spec.tracing[0].providers[0].name', 'MESH305 error Telemetry/t spec.metrics[0].providers[0].name',
    ]);
  });
  test('near miss: each where it serves', () => {
    expect(check(tel({ metrics: [{ providers: [{ name: 'prometheus' }] }], accessLogging: [{ providers: [{ name: 'envoy' }] }] }))).toEqual([]);
  });
});

describe('KIA1212 (formerly MESH301) ServiceEntries with one host and port, different protocols', () => {
  test('fails on HTTPS and TLS for one port', () => {
    expect(check(se('a', [{ number: 443, name: 'https', protocol: 'HTTPS' }]), se('b', [{ number: 443, name: 'tls', protocol: 'TLS' }]))).toEqual([
      'KIA1212 error ServiceEntry/a spec.ports[0]', 'KIA1212 error ServiceEntry/b spec.ports[0]',
    ]);
  });
  test('near misses: the same protocol; namespace-private entries in different namespaces', () => {
    expect(check(se('a', [{ number: 443, name: 'tls', protocol: 'TLS' }]), se('b', [{ number: 443, name: 'tls', protocol: 'TLS' }]))).toEqual([]);
    const priv = (name: string, ns: string, protocol: string) => ({ ...se(name, [{ number: 443, name: 'p', protocol }], ns), spec: { ...se(name, [], ns).spec, exportTo: ['.'], ports: [{ number: 443, name: 'p', protocol }] } });
    expect(check(priv('a', 'one', 'HTTPS'), priv('b', 'two', 'TLS'))).toEqual([]);
  });
});

describe('MESH306 a principal written as a SPIFFE URI', () => {
  test('fails on spiffe:// in principals and notPrincipals', () => {
    expect(check(ap({ rules: [{ from: [{ source: { principals: ['spiffe://cluster.local/ns/web/sa/web'] } }, { source: { notPrincipals: ['spiffe://cluster.local/*'] } }] }] }))).toEqual([
      'MESH306 error AuthorizationPolicy/p spec.rules[0].from[0].source.principals[0]', 'MESH306 error AuthorizationPolicy/p spec.rules[0].from[1].source.notPrincipals[0]',
    ]);
  });
  test('near misses: the Istio form, prefix and suffix wildcards', () => {
    expect(check(ap({ rules: [{ from: [{ source: { principals: ['cluster.local/ns/web/sa/web', 'cluster.local/*', '*/sa/web', '*'] } }] }] }))).toEqual([]);
  });
});
