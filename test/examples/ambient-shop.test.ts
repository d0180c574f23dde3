import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Testing } from 'cdk8s';
import * as YAML from 'yaml';
import { expectSeedRouting } from './same-intent';
import { AmbientShopChart } from '../../examples/ambient-shop/main';
import { ShopChart } from '../../examples/shop/main';
import { MeshValidation, TrafficDialect } from '../../src';
import { main } from '../../src/validation/cli';

// examples/ambient-shop: the seed scenario in an ambient namespace with a waypoint, from the same intent calls
// as examples/shop (README "Sidecar or ambient"), checked on what `npx projen example` synthesizes.
describe('examples/ambient-shop', () => {
  function synth() {
    const app = Testing.app();
    const chart = new AmbientShopChart(app, 'shop');
    return { app, chart, manifests: Testing.synth(chart) };
  }
  const inShop = (manifests: any[], kind: string) => manifests.filter((o: any) => o.kind === kind && o.metadata.namespace === 'shop');
  const svc = (name: string, weight?: number) => ({ group: '', kind: 'Service', name, port: 8080, ...(weight === undefined ? {} : { weight }) });

  test('no VirtualService and no Sidecar for the ambient namespace (nor anywhere else)', () => {
    const { manifests } = synth();
    expect(manifests.filter((o: any) => ['VirtualService', 'Sidecar'].includes(o.kind))).toEqual([]);
    expect(manifests.find((o: any) => o.kind === 'Namespace').metadata.labels).toEqual({ 'istio.io/dataplane-mode': 'ambient', 'istio.io/use-waypoint': 'waypoint' });
  });

  test('an HTTPRoute with the catalog Service as parent: the header rule, then 90/10 between the per-version Services', () => {
    const { chart, manifests } = synth();
    expect(chart.catalog.routing).toEqual(TrafficDialect.GATEWAY_API);
    const routes = inShop(manifests, 'HTTPRoute');
    expect(routes.map((r: any) => r.metadata.name)).toEqual(['catalog']);
    expect(routes[0].spec).toEqual({
      parentRefs: [{ group: '', kind: 'Service', name: 'catalog' }],
      rules: [
        { name: 'canary-override', matches: [{ headers: [{ name: 'x-canary', type: 'Exact', value: 'true' }] }], backendRefs: [svc('catalog-v2')] },
        { name: 'canary-split', backendRefs: [svc('catalog-v1', 90), svc('catalog-v2', 10)] },
      ],
    });
    expect(inShop(manifests, 'Service').filter((s: any) => s.metadata.name.startsWith('catalog')).map((s: any) => [s.metadata.name, s.spec.selector]))
      .toEqual([['catalog', { app: 'catalog' }], ['catalog-v1', { app: 'catalog', version: 'v1' }], ['catalog-v2', { app: 'catalog', version: 'v2' }]]);
    expect(inShop(manifests, 'DestinationRule').map((d: any) => d.metadata.name)).toEqual(['api-payments-example-com-tls']);
  });

  test('a waypoint Gateway (class istio-waypoint), and every L7 policy attached by targetRefs (none by selector)', () => {
    const { manifests } = synth();
    const waypoint = inShop(manifests, 'Gateway');
    expect(waypoint.map((g: any) => [g.metadata.name, g.spec.gatewayClassName, g.spec.listeners])).toEqual([
      ['waypoint', 'istio-waypoint', [{ name: 'mesh', port: 15008, protocol: 'HBONE' }]],
    ]);
    const l7 = inShop(manifests, 'AuthorizationPolicy').filter((p: any) => JSON.stringify(p.spec.rules ?? []).includes('"operation"'));
    expect(l7.map((p: any) => p.metadata.name)).toEqual(['allow-frontend-to-catalog', 'allow-istio-ingress-edge-istio-to-catalog']);
    for (const p of l7) {
      expect(p.spec.selector).toBeUndefined();
      expect(p.spec.targetRefs.map((t: any) => `${t.kind}/${t.name}`)).toEqual(['Service/catalog', 'Service/catalog-v1', 'Service/catalog-v2']);
    }
    const frontendToCatalog = l7[0];
    expect(frontendToCatalog.spec.rules).toEqual([{
      from: [{ source: { principals: ['cluster.local/ns/shop/sa/frontend'] } }],
      to: [{ operation: { methods: ['GET'], paths: ['/public'] } }],
    }]);
  });

  test('the HTTPS edge with its redirect routes to the per-version Services (the canary header first)', () => {
    const { manifests } = synth();
    const edge = manifests.filter((o: any) => o.metadata.namespace === 'istio-ingress');
    expect(edge.map((o: any) => `${o.kind}/${o.metadata.name}`)).toEqual(['Gateway/edge', 'HTTPRoute/edge-https-redirect', 'HTTPRoute/edge-shop-example-com']);
    const gw = edge[0];
    expect(gw.spec.listeners.map((l: any) => [l.name, l.port, l.protocol])).toEqual([['https', 443, 'HTTPS'], ['http', 80, 'HTTP']]);
    expect(edge[1].spec.rules).toEqual([{ name: 'https-redirect', filters: [{ type: 'RequestRedirect', requestRedirect: { scheme: 'https', statusCode: 301 } }] }]);
    const shopSvc = (name: string, weight?: number) => ({ ...svc(name, weight), namespace: 'shop' });
    expect(edge[2].spec.rules.map((r: any) => r.backendRefs)).toEqual([
      [shopSvc('catalog-v2')], [shopSvc('catalog-v2')], [shopSvc('catalog-v1', 90), shopSvc('catalog-v2', 10)], [shopSvc('frontend')],
    ]);
    // rules named after their matches (diff reports them by name): header matches add a hash of the match
    expect(edge[2].spec.rules.map((r: any) => r.name)).toEqual(['prefix-catalog-x-canary-h44a3e1bb', 'prefix-catalog-x-beta-hbc842e9e', 'prefix-catalog', 'prefix']);
  });

  test('zero findings from the checks: synth-time (MeshValidation) and the CLI on the synthesized YAML', () => {
    const { app } = synth();
    expect(MeshValidation.of(app).validate()).toEqual([]);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ambient-shop-'));
    app.synth();
    for (const f of fs.readdirSync(app.outdir)) fs.copyFileSync(path.join(app.outdir, f), path.join(dir, f));
    let out = '';
    const code = main(['validate', '--format', 'json', dir], { write: (s: string) => { out += s; } }, { write: () => undefined });
    expect(code).toEqual(0);
    expect(JSON.parse(out)).toEqual([]);
  });

  test('synthesizing twice gives byte-identical YAML', () => {
    expect(JSON.stringify(synth().manifests)).toEqual(JSON.stringify(synth().manifests));
  });
});

describe('the same route assertions hold for both examples (one intent, two dialects)', () => {
  test('examples/shop (sidecar dialect: subsets)', () => {
    const app = Testing.app();
    const chart = new ShopChart(app, 'shop');
    expectSeedRouting(app, chart.catalog);
  });

  test('examples/ambient-shop (Gateway API dialect: per-version Services behind the HTTPRoute)', () => {
    const app = Testing.app();
    const chart = new AmbientShopChart(app, 'shop');
    expectSeedRouting(app, chart.catalog);
  });
});

/** The routing objects of each example, as the README's "Sidecar or ambient" section shows them side by side. */
function sideBySideYaml(): { sidecar: string; ambient: string } {
  const pick = (docs: any[], keys: string[]) => keys.map((k) => {
    const found = docs.find((d: any) => `${d.kind}/${d.metadata.name}` === k);
    if (!found) throw new Error(`no ${k}`);
    return YAML.stringify(found);
  }).join('---\n');
  return {
    sidecar: pick(Testing.synth(new ShopChart(Testing.app(), 'shop')), ['DestinationRule/catalog', 'VirtualService/catalog']),
    ambient: pick(Testing.synth(new AmbientShopChart(Testing.app(), 'shop')), ['Service/catalog-v1', 'Service/catalog-v2', 'HTTPRoute/catalog']),
  };
}

describe('README "Sidecar or ambient"', () => {
  test('shows the real output of both examples for the same CanaryService', () => {
    const readme = fs.readFileSync(path.join(__dirname, '..', '..', 'README.md'), 'utf8');
    const { sidecar, ambient } = sideBySideYaml();
    expect(readme).toContain('```yaml\n' + sidecar + '```');
    expect(readme).toContain('```yaml\n' + ambient + '```');
  });
});
