import * as fs from 'fs';
import * as path from 'path';
import { Testing } from 'cdk8s';
import * as YAML from 'yaml';
import { ShopChart } from '../../examples/shop/main';
import { ConformanceValidator, MeshRouting } from '../../src';
import { describeWithShared } from '../shared';

// The bundled example app, as users run it (`npx projen example`), checked end to end.
describe('examples/shop', () => {
  const CATALOG = 'catalog.shop.svc.cluster.local';
  const EDGE = 'istio-ingress/edge';
  const JAEGER = 'observability/jaeger-collector.observability.svc.cluster.local';

  function synth() {
    const app = Testing.app();
    const chart = new ShopChart(app, 'shop');
    return { app, chart, manifests: Testing.synth(chart) };
  }

  test('the shop namespace is enrolled, STRICT and default-deny; frontend may only GET /public on catalog', () => {
    const { manifests } = synth();
    const ns = manifests.find((o: any) => o.kind === 'Namespace');
    expect(ns.metadata).toEqual({ name: 'shop', labels: { 'istio-injection': 'enabled' } });
    expect(manifests.find((o: any) => o.kind === 'PeerAuthentication').spec).toEqual({ mtls: { mode: 'STRICT' } });
    const policies = manifests.filter((o: any) => o.kind === 'AuthorizationPolicy');
    expect(policies.find((p: any) => p.metadata.name === 'allow-nothing').spec).toEqual({});
    const frontendToCatalog = policies.find((p: any) => p.metadata.name === 'allow-frontend-to-catalog');
    expect(frontendToCatalog.spec.rules).toEqual([{
      from: [{ source: { principals: ['cluster.local/ns/shop/sa/frontend'] } }],
      to: [{ operation: { methods: ['GET'], paths: ['/public'] } }],
    }]);
  });

  test('catalog is a 90/10 canary in the mesh, with the x-canary override', () => {
    const { app } = synth();
    MeshRouting.expectRoute(app, { host: CATALOG, path: '/items' }).toSplit([
      { host: CATALOG, subset: 'stable', weight: 90 },
      { host: CATALOG, subset: 'canary', weight: 10 },
    ]);
    MeshRouting.expectRoute(app, { host: CATALOG, headers: { 'x-canary': 'true' } }).toReach(CATALOG, 'canary');
  });

  test('the edge serves shop.example.com over HTTPS, redirects HTTP, reuses the canary split and routes x-beta to the canary', () => {
    const { app, manifests } = synth();
    const gw = manifests.find((o: any) => o.kind === 'Gateway');
    expect(gw.metadata).toEqual({ name: 'edge', namespace: 'istio-ingress' });
    expect(gw.spec.servers.map((s: any) => [s.port.number, s.tls])).toEqual([
      [443, { mode: 'SIMPLE', credentialName: 'shop-example-com-cert', minProtocolVersion: 'TLSV1_2' }],
      [80, { httpsRedirect: true }],
    ]);
    MeshRouting.expectRoute(app, { host: 'shop.example.com', path: '/catalog/items', gateway: EDGE }).toSplit([
      { host: CATALOG, subset: 'stable', weight: 90 },
      { host: CATALOG, subset: 'canary', weight: 10 },
    ]);
    MeshRouting.expectRoute(app, { host: 'shop.example.com', path: '/catalog', headers: { 'x-beta': 'true' }, gateway: EDGE }).toReach(CATALOG, 'canary');
    MeshRouting.expectRoute(app, { host: 'shop.example.com', path: '/cart', gateway: EDGE }).toReach('frontend.shop.svc.cluster.local');
  });

  test('an ALB Ingress in front of the edge: its backend is the ingress gateway\'s Service (HTTPS, re-encrypted), health-checked on 15021', () => {
    const { chart, manifests } = synth();
    const ingress = manifests.find((o: any) => o.kind === 'Ingress');
    expect([ingress.apiVersion, ingress.metadata.namespace, ingress.spec.ingressClassName]).toEqual(['networking.k8s.io/v1', 'istio-ingress', 'alb']);
    expect(ingress.spec.rules).toEqual([{
      host: 'shop.example.com',
      http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: 'istio-ingressgateway', port: { number: 443 } } } }] },
    }]);
    // the ingress gateway's Service: the one in front of the pods the Gateway selects, in their namespace
    expect([chart.edge._workload.serviceName, chart.edge._workload.namespace]).toEqual(['istio-ingressgateway', 'istio-ingress']);
    expect(manifests.find((o: any) => o.kind === 'Gateway').spec.selector).toEqual({ istio: 'ingressgateway' });
    expect(ingress.metadata.annotations).toMatchObject({
      'alb.ingress.kubernetes.io/backend-protocol': 'HTTPS',
      'alb.ingress.kubernetes.io/healthcheck-port': '15021',
      'alb.ingress.kubernetes.io/healthcheck-path': '/healthz/ready',
      'alb.ingress.kubernetes.io/target-type': 'ip',
    });
  });

  test('a cert-manager Certificate for shop.example.com whose Secret is the Gateway\'s credentialName, valid against its CRD', () => {
    const { manifests } = synth();
    const gw = manifests.find((o: any) => o.kind === 'Gateway');
    const cert = manifests.find((o: any) => o.kind === 'Certificate');
    expect(cert.metadata).toEqual({ name: 'shop-example-com-cert', namespace: 'istio-ingress' });
    expect(cert.spec.dnsNames).toEqual(['shop.example.com']);
    expect(cert.spec.secretName).toEqual(gw.spec.servers[0].tls.credentialName);
    expect(cert.spec.issuerRef).toEqual({ group: 'cert-manager.io', kind: 'ClusterIssuer', name: 'letsencrypt-prod' });
    expect(ConformanceValidator.builtIn().validate(cert)).toEqual([]);
  });

  test('edge traffic is allowed into the default-deny namespace as the gateway identity', () => {
    const { chart, manifests } = synth();
    const fromEdge = manifests.filter((o: any) => o.kind === 'AuthorizationPolicy'
      && JSON.stringify(o.spec.rules ?? []).includes('cluster.local/ns/istio-ingress/sa/istio-ingressgateway'));
    expect(fromEdge.map((p: any) => [p.spec.selector.matchLabels, p.spec.rules[0].to])).toEqual([
      [chart.frontend.matchLabels, undefined],
      [{ app: 'catalog' }, [{ operation: { methods: ['GET'] } }]],
    ]);
  });

  test('dependencies: frontend -> catalog and catalog -> the payment API render matching Sidecars, policy and ServiceEntry', () => {
    const { manifests } = synth();
    const sidecars = manifests.filter((o: any) => o.kind === 'Sidecar');
    expect(sidecars.map((s: any) => [s.metadata.name, s.spec.egress[0].hosts, s.spec.outboundTrafficPolicy])).toEqual([
      ['frontend', ['istio-system/*', JAEGER, 'shop/catalog.shop.svc.cluster.local'], { mode: 'REGISTRY_ONLY' }],
      ['catalog', ['istio-system/*', JAEGER, './api.payments.example.com'], { mode: 'REGISTRY_ONLY' }],
    ]);
    const se = manifests.find((o: any) => o.kind === 'ServiceEntry');
    expect(se.spec.hosts).toEqual(['api.payments.example.com']);
    expect(manifests.filter((o: any) => o.kind === 'AuthorizationPolicy' && o.metadata.name === 'allow-frontend-to-catalog')).toHaveLength(1);
  });

  test('synthesizing twice gives byte-identical YAML', () => {
    expect(JSON.stringify(synth().manifests)).toEqual(JSON.stringify(synth().manifests));
  });
});

describeWithShared('examples/shop: the canary analysis exported for Argo Rollouts', (shared) => {
  test('an AnalysisTemplate for catalog, valid against the Argo Rollouts v1.9.1 CRD', () => {
    const manifests = Testing.synth(new ShopChart(Testing.app(), 'shop'));
    const templates = manifests.filter((o: any) => o.kind === 'AnalysisTemplate');
    expect(templates.map((t: any) => [t.apiVersion, t.metadata.namespace, t.metadata.name])).toEqual([['argoproj.io/v1alpha1', 'shop', 'catalog-canary']]);
    expect(templates[0].spec.metrics.map((m: any) => [m.name, m.successCondition])).toEqual([
      ['success-rate', 'len(result) > 0 && result[0] >= 0.995'],
      ['latency', 'len(result) > 0 && result[0] <= 250'],
      ['success-rate-vs-stable', 'len(result) > 0 && result[0] >= -0.01'],
      ['latency-vs-stable', 'len(result) > 0 && result[0] <= 1.2'],
    ]);
    const crds = YAML.parseAllDocuments(fs.readFileSync(path.join(shared, 'argo-rollouts-v1.9.1', 'analysis-template-crds.yaml'), 'utf8')).map((d) => d.toJSON());
    const argo = ConformanceValidator.fromCrds(crds, { includeBuiltIn: false });
    expect(argo.validate(templates[0])).toEqual([]);
    // the same validator rejects a broken one (near miss: a metric without a provider)
    const broken = { ...templates[0], spec: { metrics: [{ name: 'x' }] } };
    expect(argo.validate(broken).map((f) => f.path)).toEqual(['spec.metrics[0].provider']);
  });
});
