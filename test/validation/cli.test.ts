import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { main } from '../../src/validation/cli';
import { describeWithShared } from '../shared';

function run(args: string[]): { code: number; out: string; err: string } {
  let out = '';
  let err = '';
  const code = main(args, { write: (s: string) => (out += s) }, { write: (s: string) => (err += s) });
  return { code, out, err };
}
function tmp(files: Record<string, string>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk8s-istio-cli-'));
  for (const [name, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    fs.writeFileSync(path.join(dir, name), text);
  }
  return dir;
}

const GOOD = `apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: { name: catalog, namespace: shop }
spec:
  host: catalog
  subsets: [{ name: v1, labels: { version: v1 } }]
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: { name: catalog, namespace: shop }
spec:
  hosts: [catalog]
  http: [{ route: [{ destination: { host: catalog, subset: v1 } }] }]
`;

describe('cdk8s-istio validate (CLI)', () => {
  test('exits 0 and prints nothing per finding when clean', () => {
    const dir = tmp({ 'a.yaml': GOOD, 'notes.txt': 'not yaml: [' });
    const r = run(['validate', dir]);
    expect(r).toEqual({ code: 0, out: '', err: 'cdk8s-istio validate: 1 file(s), 2 object(s): 0 error(s), 0 warning(s)\n' });
  });

  test('fails: exits 1 and prints FILE: Kind/namespace/name: path: [RULE] message per finding', () => {
    const dir = tmp({
      'a.yaml': GOOD.replace('subset: v1 }', 'subset: v2 }'),
      'sub/b.yml': 'apiVersion: v1\nkind: Service\nmetadata: { name: web, namespace: shop }\nspec: { ports: [{ name: web, port: 80 }] }\n---\napiVersion: networking.istio.io/v1\nkind: Sidecar\nmetadata: { name: s, namespace: shop }\nspec: { egres: [] }\n',
    });
    const r = run(['validate', dir]);
    expect(r.code).toEqual(1);
    const a = path.join(dir, 'a.yaml');
    const b = path.join(dir, 'sub', 'b.yml');
    expect(r.out.split('\n')).toEqual([
      `${b}: Sidecar/shop/s: spec.egres: [K8S-SCHEMA] unknown field "spec.egres" (the API server would drop it silently). Fix: remove the field or correct its name (the CRD's field names, as in the API reference)`,
      `${a}: VirtualService/shop/catalog: spec.http[0].route[0].destination.subset: [IST0101] Referenced host+subset in destinationrule not found: "catalog.shop.svc.cluster.local+v2" (subsets defined: v1). Fix: add subset "v2" to DestinationRule shop/catalog or route to an existing subset`,
      `${b}: Service/shop/web: spec.ports[0]: [IST0118 warning] Port name "web" (port 80) is not under the naming convention: Istio cannot select the protocol and treats the traffic as opaque TCP. Fix: name it <protocol>[-<suffix>] (e.g. "http", "grpc-api") or set appProtocol`,
      '',
    ]);
    expect(r.err).toEqual('cdk8s-istio validate: 2 file(s), 4 object(s): 2 error(s), 1 warning(s)\n');
  });

  test('warnings alone exit 0', () => {
    const dir = tmp({ 's.yaml': 'apiVersion: v1\nkind: Service\nmetadata: { name: web }\nspec: { ports: [{ port: 80 }] }\n' });
    const r = run(['validate', path.join(dir, 's.yaml')]);
    expect(r.code).toEqual(0);
    expect(r.out).toContain('Service/web: spec.ports[0]: [IST0118 warning]');
  });

  test('--crds validates against the given CRDs; --provider and --external-gateway feed the mesh rules', () => {
    const crd = `apiVersion: v1
kind: List
items:
- apiVersion: apiextensions.k8s.io/v1
  kind: CustomResourceDefinition
  metadata: { name: sidecars.networking.istio.io }
  spec:
    group: networking.istio.io
    names: { kind: Sidecar, plural: sidecars }
    scope: Namespaced
    versions:
    - name: v1
      served: true
      storage: true
      schema: { openAPIV3Schema: { type: object, x-kubernetes-preserve-unknown-fields: true } }
`;
    const dir = tmp({
      'crds.yaml': crd,
      'm/s.yaml': 'apiVersion: networking.istio.io/v1\nkind: Sidecar\nmetadata: { name: s, namespace: shop }\nspec: { egres: [] }\n'
        + '---\napiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata: { name: edge, namespace: shop }\nspec: { hosts: [a.example.com], gateways: [istio-ingress/public], http: [{ route: [{ destination: { host: web } }] }] }\n'
        + '---\napiVersion: telemetry.istio.io/v1\nkind: Telemetry\nmetadata: { name: t, namespace: shop }\nspec: { tracing: [{ providers: [{ name: otel }] }] }\n',
    });
    const m = path.join(dir, 'm');
    expect(run(['validate', '--crds', path.join(dir, 'crds.yaml'), '--external-gateway=istio-ingress/public', '--provider', 'otel', m]).code).toEqual(0);
    const r = run(['validate', '--provider', 'zipkin', m]);
    expect(r.code).toEqual(1);
    expect(r.out.split('\n').map((l) => l.replace(/^.*?: /, '').replace(/ (Referenced|unknown|Provider).*$/, ''))).toEqual([
      'Sidecar/shop/s: spec.egres: [K8S-SCHEMA]',
      'VirtualService/shop/edge: spec.gateways[0]: [IST0101]',
      'Telemetry/shop/t: spec.tracing[0].providers[0].name: [MESH002]',
      '',
    ]);
  });

  test('reads what the app declared from the annotations of the output (providers, external gateways, suppressions), as the synth checks do', () => {
    const objects = (annotations: { vs?: string; tel?: string; svc?: string }) => tmp({
      'a.yaml': `apiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata: { name: edge, namespace: shop${annotations.vs ?? ''} }\n`
        + 'spec: { hosts: [a.example.com], gateways: [istio-ingress/public], http: [{ route: [{ destination: { host: web } }] }] }\n'
        + `---\napiVersion: telemetry.istio.io/v1\nkind: Telemetry\nmetadata: { name: t, namespace: shop${annotations.tel ?? ''} }\nspec: { tracing: [{ providers: [{ name: otel }] }] }\n`
        + `---\napiVersion: v1\nkind: Service\nmetadata: { name: web, namespace: shop${annotations.svc ?? ''} }\nspec: { ports: [{ port: 80 }] }\n`,
    });
    const rules = (dir: string) => run(['validate', '--format', 'json', dir]).out;
    const found = (dir: string) => JSON.parse(rules(dir)).map((f: any) => `${f.rule} ${f.kind}/${f.name}`);
    // nothing declared: the gateway is missing, the provider is not checked, the port name warns
    expect(found(objects({}))).toEqual(['IST0101 VirtualService/edge', 'IST0118 Service/web']);
    // declared in code, carried in the output: nothing left
    expect(found(objects({
      vs: ', annotations: { validation.cdk8s-istio.dev/external-gateways: istio-ingress/public }',
      tel: ', annotations: { validation.cdk8s-istio.dev/providers: "otel,zipkin" }',
      svc: ', annotations: { validation.cdk8s-istio.dev/suppress: "IST0118: the vendor names the ports" }',
    }))).toEqual([]);
    // near misses: another gateway, another provider (turns MESH002 on), another rule suppressed
    expect(found(objects({
      vs: ', annotations: { validation.cdk8s-istio.dev/external-gateways: istio-ingress/private }',
      tel: ', annotations: { validation.cdk8s-istio.dev/providers: zipkin }',
      svc: ', annotations: { validation.cdk8s-istio.dev/suppress: "IST0101: not this one" }',
    }))).toEqual(['IST0101 VirtualService/edge', 'MESH002 Telemetry/t', 'IST0118 Service/web']);
  });

  test('fails: usage errors exit 2 with the usage text', () => {
    expect(run([]).code).toEqual(2);
    expect(run(['validate']).err).toContain('cdk8s-istio: no FILE_OR_DIR given\nusage: cdk8s-istio validate');
    expect(run(['validate', '--crds']).err).toContain('cdk8s-istio: --crds needs a value');
    expect(run(['validate', '--strict', 'x']).err).toContain('cdk8s-istio: unknown option --strict');
    expect(run(['validate', '/nonexistent/x.yaml'])).toEqual(expect.objectContaining({ code: 2, err: expect.stringContaining('ENOENT') }));
    expect(run(['validate', '--help'])).toEqual(expect.objectContaining({ code: 0, out: expect.stringContaining('usage: cdk8s-istio validate') }));
    expect(run(['validate', '--format', 'xml', 'x']).err).toContain('cdk8s-istio: --format is text, json or sarif, got xml');
    expect(run(['validate', '--min-severity', 'info', 'x']).err).toContain('cdk8s-istio: --min-severity is error or warning, got info');
    expect(run(['validate', '--failure-threshold', 'info', 'x']).err).toContain('cdk8s-istio: --failure-threshold is error or warning, got info');
    expect(run(['frobnicate'])).toEqual(expect.objectContaining({ code: 2, err: expect.stringContaining('cdk8s-istio: unknown command frobnicate') }));
    expect(run(['validate', '--min-severity', 'error', '--failure-threshold', 'warning', 'x']).err)
      .toContain('cdk8s-istio: --min-severity error hides the warnings that --failure-threshold warning fails on: drop one of them');
    // a suppression that could never match is a mistake, not a silent no-op
    expect(run(['validate', '--suppress', 'ist0130', 'x'])).toEqual(expect.objectContaining({
      code: 2, err: expect.stringContaining('cdk8s-istio: --suppress names no rule: ist0130 (rule ids are upper case, e.g. IST0101; README "Rules" lists them)'),
    }));
    expect(run(['validate', '--suppress', 'IST0130=AuthorizationPolicy/shop/', 'x']).err)
      .toContain('cdk8s-istio: --suppress IST0130=AuthorizationPolicy/shop/: the object is Kind/namespace/name (or Kind/name without a namespace), as the findings print it');
  });

  test('--help and --version print to stdout and exit 0', () => {
    expect(run(['--help'])).toEqual(expect.objectContaining({ code: 0, err: '', out: expect.stringMatching(/^usage: cdk8s-istio validate .* \| cdk8s-istio diff/) }));
    const pkg = JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', 'package.json'), 'utf8'));
    expect(run(['--version'])).toEqual({ code: 0, err: '', out: `${pkg.version}\n` });
  });

  test('fails on a file that is not YAML and on documents that are not Kubernetes objects; the other files are still checked', () => {
    const dir = tmp({ 'bad.yaml': 'a: [\n', 'scalar.yaml': 'just text\n---\n- 1\n---\nkind: Service\n', 'z.yaml': GOOD.replace('subset: v1 }', 'subset: v2 }') });
    const r = run(['validate', dir]);
    expect(r.code).toEqual(1);
    const lines = r.out.trim().split('\n');
    expect(lines.slice(0, 4)).toEqual([
      `${path.join(dir, 'bad.yaml')}: [K8S-YAML] it is not YAML (YAML parse error: Flow sequence in block collection must be sufficiently indented and end with a ] at line 2, column 1:). Fix: give Kubernetes YAML, or leave the file out`,
      `${path.join(dir, 'scalar.yaml')}: document 1: [K8S-OBJECT] it is not a Kubernetes object (no apiVersion and kind). Fix: give each document an apiVersion, a kind and metadata`,
      `${path.join(dir, 'scalar.yaml')}: document 2: [K8S-OBJECT] it is not a Kubernetes object (no apiVersion and kind). Fix: give each document an apiVersion, a kind and metadata`,
      `${path.join(dir, 'scalar.yaml')}: document 3: [K8S-OBJECT] it is not a Kubernetes object (no apiVersion and kind). Fix: give each document an apiVersion, a kind and metadata`,
    ]);
    expect(lines[4]).toMatch(/z\.yaml: VirtualService\/shop\/catalog: .*\[IST0101\]/);
  });

  test('reads stdin for "-"; --suppress drops a rule (everywhere or for one object); --min-severity error hides warnings', () => {
    const svc = 'apiVersion: v1\nkind: Service\nmetadata: { name: web, namespace: shop }\nspec: { ports: [{ name: web, port: 80 }] }\n';
    const withStdin = (args: string[]) => {
      let out = '';
      const code = main(args, { write: (x: string) => (out += x) }, { write: () => undefined }, () => svc);
      return { code, out };
    };
    expect(withStdin(['validate', '-']).out).toEqual('(stdin): Service/shop/web: spec.ports[0]: [IST0118 warning] Port name "web" (port 80) is not under the naming convention: '
      + 'Istio cannot select the protocol and treats the traffic as opaque TCP. Fix: name it <protocol>[-<suffix>] (e.g. "http", "grpc-api") or set appProtocol\n');
    expect(withStdin(['validate', '--suppress', 'IST0118', '-']).out).toEqual('');
    expect(withStdin(['validate', '--suppress=IST0118=Service/shop/web', '-']).out).toEqual('');
    expect(withStdin(['validate', '--suppress=IST0118=Service/shop/other', '-']).out).toContain('[IST0118 warning]');
    expect(withStdin(['validate', '--min-severity', 'error', '-'])).toEqual({ code: 0, out: '' });
  });

  test('--failure-threshold warning fails the run on a warning (istioctl analyze --failure-threshold); the default fails on errors only', () => {
    const svc = 'apiVersion: v1\nkind: Service\nmetadata: { name: web, namespace: shop }\nspec: { ports: [{ name: web, port: 80 }] }\n';
    const code = (args: string[]) => main(args, { write: () => undefined }, { write: () => undefined }, () => svc);
    expect([code(['validate', '-']), code(['validate', '--failure-threshold', 'error', '-']), code(['validate', '--failure-threshold=warning', '-'])]).toEqual([0, 0, 1]);
    // a suppressed warning does not fail it
    expect(code(['validate', '--failure-threshold', 'warning', '--suppress', 'IST0118', '-'])).toEqual(0);
  });

  test('--format sarif places each finding on the line of its field (block YAML; the document start when the field is absent)', () => {
    const block = 'apiVersion: v1\nkind: ConfigMap\nmetadata: { name: x, namespace: shop }\n---\napiVersion: networking.istio.io/v1\nkind: DestinationRule\nmetadata:\n  name: d\n  namespace: shop\n'
      + 'spec:\n  host: d\n  trafficPolicy:\n    tls:\n      mode: MTLS\n';
    const noHost = 'apiVersion: networking.istio.io/v1\nkind: DestinationRule\nmetadata: { name: e, namespace: shop }\nspec: {}\n';
    const results = JSON.parse(run(['validate', '--format', 'sarif', tmp({ 'b.yaml': block, 'c.yaml': noHost })]).out).runs[0].results;
    const where = (r: any) => r.locations[0].physicalLocation;
    expect(results.map((r: any) => [r.ruleId, path.basename(where(r).artifactLocation.uri), where(r).region.startLine]))
      .toEqual([['K8S-SCHEMA', 'b.yaml', 14], ['K8S-SCHEMA', 'c.yaml', 4]]); // `mode: MTLS`; c.yaml's missing spec.host: its spec
  });

  test('--format json and sarif carry the same findings', () => {
    const dir = tmp({ 'a.yaml': GOOD.replace('subset: v1 }', 'subset: v2 }') });
    const json = JSON.parse(run(['validate', '--format', 'json', dir]).out);
    expect(json.map((f: any) => [f.rule, f.severity, f.kind, f.namespace, f.name, f.path])).toEqual([
      ['IST0101', 'error', 'VirtualService', 'shop', 'catalog', 'spec.http[0].route[0].destination.subset'],
    ]);
    const sarif = run(['validate', '--format', 'sarif', dir]);
    expect(sarif.code).toEqual(1);
    const log = JSON.parse(sarif.out);
    expect(log.version).toEqual('2.1.0');
    // each rule described from the registry; each result on the line of its field (code-scanning annotations)
    expect(log.runs[0].tool.driver.rules.map((r: any) => [r.id, r.shortDescription.text.slice(0, 40), r.help.text])).toEqual([
      ['IST0101', 'a VirtualService route/mirror names a su', 'Mirrors: istioctl analyze ReferencedResourceNotFound'],
    ]);
    expect(log.runs[0].results).toEqual([{
      ruleId: 'IST0101',
      level: 'error',
      message: { text: `VirtualService/shop/catalog: spec.http[0].route[0].destination.subset: ${json[0].message}` },
      locations: [{
        physicalLocation: { artifactLocation: { uri: path.join(dir, 'a.yaml') }, region: { startLine: 13 } }, // the `http:` line holding `subset: v2` (flow YAML: the line of the node)
        logicalLocations: [{ fullyQualifiedName: 'VirtualService/shop/catalog.spec.http[0].route[0].destination.subset', kind: 'resource' }],
      }],
    }]);
  });
});

describeWithShared('cdk8s-istio validate on the Istio 1.30.3 bookinfo samples', (shared) => {
  const root = path.join(shared, 'istio-1.30.3', 'samples', 'bookinfo');
  // Decision (README "## Validation"): references to objects outside the input (a gateway in another
  // namespace, a DestinationRule not given) are external unless the input defines that host's Service;
  // the same kind/namespace/name in several files is one object (alternative versions of it).
  // Warnings Istio itself gives on its samples (true positives, not errors): the admission webhook warns on
  // fault-injection-details-v1's second rule (after a rule without matches), and istioctl analyze's IST0140
  // on the ingress route to productpage while virtual-service-all-v1 routes productpage by subset.
  const ISTIO_WARNS: Record<string, string[]> = {
    'fault-injection-details-v1.yaml': ['VirtualService/details: spec.http[1]: [IST0130 warning]'],
  };
  const ISTIO_WARNS_TOGETHER: Record<string, string[]> = {
    networking: ['bookinfo-gateway.yaml: VirtualService/bookinfo: spec.http[0].route[0].destination: [IST0140 warning]',
      'fault-injection-details-v1.yaml: VirtualService/details: spec.http[1]: [IST0130 warning]'],
  };
  const lines = (out: string, dir: string) => out.split('\n').filter((l) => l).map((l) => l.replace(`${dir}${path.sep}`, '').replace(/ warning\].*$/, ' warning]')).sort();
  test('the whole bookinfo folder at once is not one configuration: alternatives conflict (MESH404) and routed subsets lack the Deployments this copy leaves out (IST0173)', () => {
    const json = JSON.parse(run(['validate', '--format', 'json', root]).out);
    const count = (rule: string) => json.filter((f: any) => f.rule === rule).length;
    // gateway-api/route-*.yaml and networking/virtual-service-*.yaml route the same Services: Istio's tasks apply one or the other
    expect(json.filter((f: any) => f.rule === 'MESH404').every((f: any) => f.kind === 'HTTPRoute')).toBe(true);
    // ratings v2/v2-mysql/v2-mysql-vm and details v2: their Deployments (bookinfo-ratings-v2.yaml, ...) are not in this copy
    expect([...new Set(json.filter((f: any) => f.rule === 'IST0173').map((f: any) => `${f.name} ${f.path}`))].sort()).toEqual([
      'details spec.subsets[1].labels', 'ratings spec.subsets[1].labels', 'ratings spec.subsets[2].labels', 'ratings spec.subsets[3].labels',
    ]);
    expect([count('MESH404'), count('IST0173'), json.length]).toEqual([8, 8, 18]); // + the two warnings Istio gives too (IST0130, IST0140)
  });

  test.each(['networking', 'gateway-api', 'platform'])('accepts every file of %s, one by one and all together (no errors; only the warnings Istio gives too)', (dir) => {
    const full = path.join(root, dir);
    const files = fs.readdirSync(full).filter((f) => /\.ya?ml$/.test(f)).map((f) => path.join(full, f));
    for (const f of files) {
      const r = run(['validate', f]);
      expect([f, lines(r.out, path.dirname(f)).map((l) => l.replace(`${path.basename(f)}: `, ''))]).toEqual([f, ISTIO_WARNS[path.basename(f)] ?? []]);
      expect(r.code).toEqual(0);
    }
    const all = run(['validate', full]);
    expect(lines(all.out, full)).toEqual(ISTIO_WARNS_TOGETHER[dir] ?? []);
    expect(all.code).toEqual(0);
  });
});
