// The seed scenario of cdk8s-istio in AMBIENT mode: the same intent calls as examples/shop/main.ts, in a
// namespace enrolled in ambient mode with a waypoint. What changes in the output (README "Sidecar or ambient"):
// no Sidecar and no VirtualService for `shop`; the canary is per-version Services plus an HTTPRoute with the
// catalog Service as parent; L7 policies attach to Services by targetRefs and are enforced by the waypoint.
// It uses the library from source (`../../src`); a user writes `from 'cdk8s-istio'`.
import * as fs from 'fs';
import * as path from 'path';
import { App, Chart, ChartProps, Duration } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import {
  CanaryService, EdgeApi, ExternalService, GatewayTls, HttpMethod, MeshDependencies, MeshEnrolment, MeshGateway, MeshObservability,
  MeshValidation, MeshWorkload, MetricsReporter, MonitoringTarget, NamespaceRef, SecureNamespace, ServiceHost, TracingProvider,
} from '../../src';

export class AmbientShopChart extends Chart {
  public readonly frontend: kplus.Deployment;
  public readonly frontendSa: kplus.ServiceAccount;
  /** the secure `shop` namespace, in ambient mode with a waypoint */
  public readonly shop: SecureNamespace;
  /** catalog v1 (stable) and v2 (canary): per-version Services and an HTTPRoute (the Gateway API dialect) */
  public readonly catalog: CanaryService;
  /** the edge entry point for shop.example.com (Gateway API) */
  public readonly edge: MeshGateway;
  public readonly observability: MeshObservability;
  public readonly dependencies: MeshDependencies;

  constructor(scope: Construct, id: string, props: ChartProps = {}) {
    super(scope, id, { namespace: 'shop', ...props });

    // enrol `shop` in AMBIENT mode with a waypoint (L7 policy and routing need it), STRICT mTLS, default-deny.
    // Defined first: the canary below reads the enrolment to choose its dialect (Gateway API in ambient).
    this.shop = new SecureNamespace(this, 'shop-namespace', { name: 'shop', enrolment: MeshEnrolment.ambient({ waypoint: true }) });

    // the frontend workload, its identity and its Service (as in examples/shop)
    this.frontendSa = new kplus.ServiceAccount(this, 'frontend-sa', { metadata: { name: 'frontend' } });
    this.frontend = new kplus.Deployment(this, 'frontend', {
      metadata: { name: 'frontend' },
      podMetadata: { labels: { app: 'frontend' } },
      select: false,
      serviceAccount: this.frontendSa,
      containers: [{ image: 'ghcr.io/acme/frontend:1.4.2', portNumber: 8080 }],
    });
    this.frontend.select(kplus.LabelSelector.of({ labels: { app: 'frontend' } }));
    const frontendService = this.frontend.exposeViaService({ name: 'frontend', ports: [{ port: 8080, name: 'http' }] });
    // edge traffic to the frontend passes the waypoint too, where the edge's allow rule is enforced (an ingress
    // gateway skips waypoints unless the Service asks; the canary's per-version Services carry this label already)
    frontendService.metadata.addLabel('istio.io/ingress-use-waypoint', 'true');

    // catalog: v1 (stable) and v2 (canary), 90/10; testers reach v2 with `x-canary: true` (the same call as in examples/shop)
    this.catalog = new CanaryService(this, 'catalog', {
      port: 8080,
      stable: { image: 'ghcr.io/acme/catalog:2.0.0', version: 'v1' },
      canary: { image: 'ghcr.io/acme/catalog:2.1.0', version: 'v2' },
      canaryWeight: 10,
      canaryHeader: { name: 'x-canary', value: 'true' },
    });

    // "frontend may only GET /public on catalog": enforced by the waypoint (targetRefs to the catalog Services)
    this.shop.allowServiceAccount(this.frontendSa).to(this.catalog).methods(HttpMethod.GET).paths('/public');

    // dependencies as code: the same declarations; in ambient mode no Sidecar (ztunnel has no egress scope and
    // no outbound traffic policy, so no registryOnlyNamespaces), the allow rule at the waypoint, the ServiceEntry
    this.dependencies = new MeshDependencies(this, 'dependencies');
    this.dependencies.dependsOn(MeshWorkload.fromWorkload(this.frontend), this.catalog, { methods: [HttpMethod.GET], paths: ['/public'] });
    this.dependencies.dependsOnExternal(this.catalog,
      ExternalService.originateTls('api.payments.example.com', { caCertificates: '/etc/ssl/certs/ca-certificates.crt' }));

    // edge: HTTPS (TLS 1.2+) and the HTTP->HTTPS redirect, as a Gateway API Gateway; the catalog split and its
    // canary header reused at the entry point (routes to the per-version Services), x-beta to the canary, the
    // frontend for everything else
    this.edge = new MeshGateway(this, 'edge', {
      namespace: NamespaceRef.named('istio-ingress'),
      api: EdgeApi.GATEWAY_API,
      tls: GatewayTls.simple({ credentialName: 'shop-example-com-cert' }),
    });
    this.edge.expose('shop.example.com', this.catalog, { pathPrefix: '/catalog' }); // stable 90 / canary 10
    this.edge.expose('shop.example.com', this.catalog.canary!, { pathPrefix: '/catalog', headers: { 'x-beta': 'true' } });
    this.edge.expose('shop.example.com', ServiceHost.fromService(frontendService), { pathPrefix: '/', port: 8080 });
    // edge traffic enters the default-deny namespace as the gateway's identity
    this.shop.allow(this.edge.identity).to(MeshWorkload.fromWorkload(this.frontend), { service: ServiceHost.fromService(frontendService) });
    this.shop.allow(this.edge.identity).to(this.catalog).methods(HttpMethod.GET);

    // observability: the same tracing, scraping, alerts and dashboards; L7 metrics come from the waypoint
    this.observability = new MeshObservability(this, 'observability', {
      tracing: TracingProvider.jaeger({ service: 'jaeger-collector.observability.svc.cluster.local' }),
      samplingPercent: 10,
      reporter: MetricsReporter.WAYPOINT,
    });
    this.observability.monitor(MonitoringTarget.inNamespace('shop', 'frontend'), { successRateSlo: 99.9, p99Latency: Duration.millis(500) });
    this.observability.monitor(this.catalog, { successRateSlo: 99.5, p99Latency: Duration.millis(250), analysis: { argoAnalysisTemplate: true } });
  }
}

// `cdk8s synth` runs this file; tests import AmbientShopChart without synthesizing
if (require.main === module) {
  const app = new App();
  MeshValidation.of(app).enableAtSynth();
  const shop = new AmbientShopChart(app, 'shop');
  app.synth();
  const meshDir = path.join(path.dirname(app.outdir), 'dist-mesh');
  fs.mkdirSync(meshDir, { recursive: true });
  fs.writeFileSync(path.join(meshDir, 'istiod-values.yaml'), shop.observability.meshConfig.toHelmValuesYaml());
}
