// Issue "Validation you can trust": a mistake of each kind, placed in the example app, fails synthesis with
// its rule id and the construct path of the culprit (and the unchanged example synthesizes cleanly).
import * as os from 'os';
import { ApiObject, App } from 'cdk8s';
import { ShopChart } from '../../examples/shop/main';
import { MeshValidation } from '../../src';

const NET = 'networking.istio.io/v1';
const SEC = 'security.istio.io/v1';
const TEL = 'telemetry.istio.io/v1';
const CATALOG = 'catalog.shop.svc.cluster.local';
const raw = (shop: ShopChart, id: string, apiVersion: string, kind: string, spec: any) =>
  new ApiObject(shop, id, { apiVersion, kind, metadata: { name: id }, spec });

const MISTAKES: Array<[string, string, (shop: ShopChart) => void]> = [
  ['K8S-SCHEMA', 'shop/typo', (s) => raw(s, 'typo', NET, 'VirtualService', { hosts: [CATALOG], htttp: [] })],
  ['K8S-CEL', 'shop/bad-timeout', (s) => raw(s, 'bad-timeout', NET, 'VirtualService', {
    hosts: ['reports.shop.svc.cluster.local'], http: [{ route: [{ destination: { host: 'reports.shop.svc.cluster.local' } }], timeout: '0s' }],
  })],
  ['IST0101', 'shop/to-missing-subset', (s) => raw(s, 'to-missing-subset', NET, 'VirtualService', {
    hosts: ['catalog-internal.example.com'], http: [{ route: [{ destination: { host: CATALOG, subset: 'v3' } }] }],
  })],
  ['IST0132', 'shop/unserved-host', (s) => raw(s, 'unserved-host', NET, 'VirtualService', {
    hosts: ['admin.example.com'], gateways: ['istio-ingress/edge'], http: [{ route: [{ destination: { host: CATALOG } }] }],
  })],
  ['IST0109', 'shop/second-catalog-routes', (s) => raw(s, 'second-catalog-routes', NET, 'VirtualService', {
    hosts: [CATALOG], http: [{ route: [{ destination: { host: CATALOG, subset: 'stable' } }] }],
  })],
  // a second DestinationRule for catalog, private to shop: not merged with the CanaryService's (other exportTo), shop's clients get one of them whole
  ['MESH001', 'shop/second-catalog-rule', (s) => raw(s, 'second-catalog-rule', NET, 'DestinationRule', {
    host: CATALOG, exportTo: ['.'], trafficPolicy: { connectionPool: { tcp: { maxConnections: 10 } } },
  })],
  ['IST0149', 'shop/claims', (s) => raw(s, 'claims', NET, 'VirtualService', {
    hosts: ['claims.example.com'], http: [{ match: [{ headers: { '@request.auth.claims.group': { exact: 'beta' } } }], route: [{ destination: { host: CATALOG } }] }],
  })],
  ['MESH002', 'shop/zipkin-tracing', (s) => raw(s, 'zipkin-tracing', TEL, 'Telemetry', { selector: { matchLabels: { app: 'catalog' } }, tracing: [{ providers: [{ name: 'zipkin' }] }] })],
  ['MESH003', 'shop/plaintext-to-catalog', (s) => raw(s, 'plaintext-to-catalog', NET, 'DestinationRule', {
    host: 'frontend.shop.svc.cluster.local', trafficPolicy: { tls: { mode: 'DISABLE' } },
  })],
  ['MESH004', 'shop/typo-principal', (s) => raw(s, 'typo-principal', SEC, 'AuthorizationPolicy', {
    selector: { matchLabels: { app: 'catalog' } }, rules: [{ from: [{ source: { principals: ['cluster.local/ns/shop/sa/frontnd'] } }] }],
  })],
];

function synthShop(mistake?: (shop: ShopChart) => void): string {
  const app = new App({ outdir: os.tmpdir() });
  MeshValidation.of(app).enableAtSynth();
  const shop = new ShopChart(app, 'shop');
  mistake?.(shop);
  try {
    app.synthYaml();
    return '';
  } catch (e: any) {
    return e.message;
  }
}

describe('examples/shop with a mistake placed in it', () => {
  test('the example as shipped synthesizes without findings', () => {
    expect(synthShop()).toEqual('');
  });

  test.each(MISTAKES)('fails: %s names %s', (rule, culprit, mistake) => {
    expect(synthShop(mistake)).toContain(`${culprit}: [${rule}] `);
  });
});
