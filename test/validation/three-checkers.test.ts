// Issue "Three checkers, one answer": the synth-time checks, the cdk8s validation plugin and
// `cdk8s-istio validate` read the same output (the declarations made in code travel in it as
// annotations, src/validation/_declarations.ts) and report the same findings, on the example app and on a
// copy of it with several distinct mistakes.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ApiObject, App } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { ShopChart } from '../../examples/shop/main';
import { GatewayBinding, MeshValidation, MeshValidationPlugin, PluginViolation, ValidationFinding, ValidationSeverity, VirtualService } from '../../src';
import { main } from '../../src/validation/cli';

const NET = 'networking.istio.io/v1';
const TEL = 'telemetry.istio.io/v1';
const CATALOG = 'catalog.shop.svc.cluster.local';

/** One finding as all three checkers can express it: severity, rule, object, field path, message. */
function line(severity: string, rule: string, kind: string, namespace: string | undefined, name: string, at: string, message: string): string {
  return `${severity} ${rule} ${kind} ${namespace ? `${namespace}/` : ''}${name} ${at || '(object)'}: ${message}`;
}
function fromFinding(f: ValidationFinding): string {
  return line(f.severity === ValidationSeverity.ERROR ? 'error' : 'warning', f.rule, f.kind, f.namespace, f.name, f.path, f.message);
}
function fromViolation(v: PluginViolation): string {
  const [, rule, kind, id] = /^\[(\S+)\] (\S+) (\S+)$/.exec(v.ruleName)!;
  const [namespace, name] = id.includes('/') ? id.split('/') : [undefined, id];
  const message = v.fix.startsWith('see README') ? v.recommendation : `${v.recommendation}. Fix: ${v.fix}`;
  return line('error', rule, kind, namespace, name, v.violatingResources[0].locations[0], message);
}
function fromWarningLog(log: string): string {
  const [, rule, kind, id, at, message] = /^cdk8s-istio warning: \[(\S+)\] (\S+) (\S+): ([^:]*): (.*)$/s.exec(log)!;
  const [namespace, name] = id.includes('/') ? id.split('/') : [undefined, id];
  return line('warning', rule, kind, namespace, name, at, message);
}

interface Answers { readonly synth: string[]; readonly plugin: string[]; readonly cli: string[]; readonly manifests: any[] }

/** Runs the three checkers on one app: the synth-time checks, then (synth checks off) the output files. */
function threeCheckers(mistakes?: (shop: ShopChart) => void): Answers {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk8s-istio-three-'));
  const app = new App({ outdir });
  const shop = new ShopChart(app, 'shop');
  mistakes?.(shop);
  const synth = MeshValidation.of(app).validate().map(fromFinding).sort();
  // write the output as `cdk8s synth` does, even when it has errors (the synth checks would stop it)
  MeshValidation.disable(app);
  app.synth();
  const files = fs.readdirSync(outdir).filter((f) => f.endsWith('.k8s.yaml')).map((f) => path.join(outdir, f));

  const violations: PluginViolation[] = [];
  const logs: string[] = [];
  new MeshValidationPlugin().validate({
    manifests: files,
    report: { addViolation: (v) => violations.push(v), submit: () => undefined },
    logger: { log: (m) => logs.push(m) },
  });
  const plugin = [...violations.map(fromViolation), ...logs.map(fromWarningLog)].sort();

  let out = '';
  const rc = main(['validate', '--format', 'json', outdir], { write: (s: string) => { out += s; return true; } }, { write: () => true });
  const cli = (JSON.parse(out) as ValidationFinding[]).map(fromFinding).sort();
  expect(rc).toEqual(cli.some((f) => f.startsWith('error')) ? 1 : 0);
  return { synth, plugin, cli, manifests: app.charts.flatMap((c) => c.toJson()) };
}

describe('three checkers, one answer', () => {
  test('examples/shop: no finding from any of them; the declared tracing provider travels with the Telemetry', () => {
    const { synth, plugin, cli, manifests } = threeCheckers();
    expect(synth).toEqual([]);
    expect(plugin).toEqual([]);
    expect(cli).toEqual([]);
    const telemetry = manifests.find((o) => o.kind === 'Telemetry');
    expect(telemetry.metadata.annotations).toEqual({ 'validation.cdk8s-istio.dev/providers': 'jaeger' });
  });

  // each mistake is one the synth checks find only with what the code declared (providers, external
  // gateways, suppressions), next to near misses that the declarations make valid
  function broken(shop: ShopChart): void {
    // MESH002: a Telemetry naming a provider the mesh config does not declare (jaeger is declared)
    new ApiObject(shop, 'zipkin-tracing', { apiVersion: TEL, kind: 'Telemetry', metadata: { name: 'zipkin-tracing' }, spec: { tracing: [{ providers: [{ name: 'zipkin' }] }] } });
    // IST0101: a gateway neither in the app nor declared external; the one declared external is fine
    new VirtualService(shop, 'partner-routes', {
      metadata: { name: 'partner-routes' },
      hosts: ['partner.example.com'],
      gateways: [GatewayBinding.external('istio-ingress', 'partners'), GatewayBinding.of('istio-ingress', 'public')],
      http: [{ destinations: [{ destination: shop.catalog }] }],
    });
    // IST0101: a subset no DestinationRule defines
    new ApiObject(shop, 'to-missing-subset', {
      apiVersion: NET,
      kind: 'VirtualService',
      metadata: { name: 'to-missing-subset' },
      spec: {
        hosts: ['catalog-internal.example.com'], http: [{ route: [{ destination: { host: CATALOG, subset: 'v3' } }] }],
      },
    });
    // IST0118 (warning): a port without protocol name; the same on a suppressed Service is silent
    new kplus.Service(shop, 'metrics', { metadata: { name: 'metrics' }, ports: [{ port: 9090 }] });
    const vendor = new kplus.Service(shop, 'vendor-redis', { metadata: { name: 'vendor-redis' }, ports: [{ port: 6379 }] });
    MeshValidation.suppress(vendor, 'IST0118', 'port names are owned by the vendor chart');
    // MESH005: one ConfigMap defined twice; K8S-SCHEMA: an unknown field
    new ApiObject(shop, 'settings-a', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'settings' }, data: { a: '1' } } as any);
    new ApiObject(shop, 'settings-b', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'settings' }, data: { a: '2' } } as any);
    new ApiObject(shop, 'typo', { apiVersion: NET, kind: 'DestinationRule', metadata: { name: 'typo' }, spec: { host: 'reports.shop.svc.cluster.local', trafic: {} } });
  }

  test('a broken copy of examples/shop: the same findings from all three, declarations made in code respected by each', () => {
    const { synth, plugin, cli, manifests } = threeCheckers(broken);
    expect(synth.map((f) => f.split(':')[0])).toEqual([
      'error IST0101 VirtualService shop/partner-routes spec.gateways[1]',
      'error IST0101 VirtualService shop/to-missing-subset spec.http[0].route[0].destination.subset',
      // the second selector-less Telemetry in shop (IST0160 names both)
      'error IST0160 Telemetry shop/namespace-default spec',
      'error IST0160 Telemetry shop/zipkin-tracing spec',
      'error K8S-SCHEMA DestinationRule shop/typo spec.trafic',
      'error MESH002 Telemetry shop/zipkin-tracing spec.tracing[0].providers[0].name',
      'error MESH005 ConfigMap shop/settings metadata.name',
      'warning IST0118 Service shop/metrics spec.ports[0]',
      // partner-routes sends gateway traffic to catalog without a subset while catalog's mesh route splits by subset
      'warning IST0140 VirtualService shop/partner-routes spec.http[0].route[0].destination',
    ]);
    expect(plugin.map(sameWhere)).toEqual(synth.map(sameWhere));
    expect(cli.map(sameWhere)).toEqual(synth.map(sameWhere));
    // what the code declared, as the output carries it
    const byName = (kind: string, name: string) => manifests.find((o) => o.kind === kind && o.metadata.name === name);
    expect(byName('VirtualService', 'partner-routes').metadata.annotations).toEqual({ 'validation.cdk8s-istio.dev/external-gateways': 'istio-ingress/partners' });
    expect(byName('Service', 'vendor-redis').metadata.annotations).toEqual({ 'validation.cdk8s-istio.dev/suppress': 'IST0118: port names are owned by the vendor chart' });
    expect(byName('Telemetry', 'zipkin-tracing').metadata.annotations).toEqual({ 'validation.cdk8s-istio.dev/providers': 'jaeger' });
    expect(byName('Service', 'metrics').metadata.annotations).toBeUndefined();
  });
});

/** MESH005 names the two definitions: by construct path at synth, by file for the plugin and the CLI. */
function sameWhere(f: string): string {
  return f.replace(/defined twice, by .* and by .*: the API server/, 'defined twice, by (first) and by (second): the API server');
}
