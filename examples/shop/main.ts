// The seed scenario of cdk8s-istio, as an app. It uses the library from source (`../../src`); a user
// writes `from 'cdk8s-istio'`. Each section grows as its constructs land (see README).
import * as fs from 'fs';
import * as path from 'path';
import { ApiObject, App, Chart, ChartProps, Duration } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import {
  AlbIngress, AlbScheme, CanaryService, CertificateIssuer, ExternalService, GatewayTls, HttpMethod, MeshDependencies, MeshGateway,
  MeshObservability, MeshValidation, MeshWorkload, MonitoringTarget, NamespaceRef, SecureNamespace, ServiceHost, TracingProvider,
} from '../../src';

export class ShopChart extends Chart {
  /** frontend calls catalog */
  public readonly frontend: kplus.Deployment;
  public readonly frontendSa: kplus.ServiceAccount;
  /** the catalog Service (a plain object created by the CanaryService) */
  public readonly catalogService: ApiObject;
  /** §2: the secure `shop` namespace */
  public readonly shop: SecureNamespace;
  /** §3: catalog v1 (stable) and v2 (canary) behind one Service */
  public readonly catalog: CanaryService;
  /** §4: the edge entry point for shop.example.com */
  public readonly edge: MeshGateway;
  /** §4: the AWS ALB in front of the edge gateway */
  public readonly alb: AlbIngress;
  /** §5: tracing, scraping, alerts and dashboards */
  public readonly observability: MeshObservability;
  /** dependencies as code: Sidecar egress scopes, allow rules and ServiceEntries from one declaration */
  public readonly dependencies: MeshDependencies;

  constructor(scope: Construct, id: string, props: ChartProps = {}) {
    super(scope, id, { namespace: 'shop', ...props });

    // §2 — enrol `shop` in the mesh: sidecar injection, STRICT mTLS, default-deny (all three are defaults).
    // Defined first, so the Namespace comes first in the YAML (kubectl applies in file order).
    this.shop = new SecureNamespace(this, 'shop-namespace', { name: 'shop' });

    // the frontend workload, its identity and its Service
    this.frontendSa = new kplus.ServiceAccount(this, 'frontend-sa', { metadata: { name: 'frontend' } });
    this.frontend = new kplus.Deployment(this, 'frontend', {
      metadata: { name: 'frontend' },
      podMetadata: { labels: { app: 'frontend' } },
      select: false, // select by `app: frontend` (below) rather than kplus's generated address label
      serviceAccount: this.frontendSa,
      containers: [{ image: 'ghcr.io/acme/frontend:1.4.2', portNumber: 8080 }],
    });
    this.frontend.select(kplus.LabelSelector.of({ labels: { app: 'frontend' } }));
    const frontendService = this.frontend.exposeViaService({ name: 'frontend', ports: [{ port: 8080, name: 'http' }] });

    // §3 catalog: v1 (stable) and v2 (canary) behind one Service, 90/10; testers reach v2 with `x-canary: true`.
    // A pipeline moves the canary by changing one value: canaryWeight 10 -> 25 -> 50 -> 100 (README "Canary releases").
    this.catalog = new CanaryService(this, 'catalog', {
      port: 8080,
      stable: { image: 'ghcr.io/acme/catalog:2.0.0', version: 'v1' },
      canary: { image: 'ghcr.io/acme/catalog:2.1.0', version: 'v2' },
      canaryWeight: 10,
      canaryHeader: { name: 'x-canary', value: 'true' },
    });
    this.catalogService = this.catalog.service!; // created by the CanaryService (createService defaults to true)

    // §2 — "frontend may only GET /public on catalog"
    this.shop.allowServiceAccount(this.frontendSa).to(this.catalog).methods(HttpMethod.GET).paths('/public');

    // dependencies as code: the frontend's proxy sees only catalog (+ istio-system) and unknown hosts are
    // blocked (REGISTRY_ONLY); the same declaration is the allow rule on catalog (identical to the one above,
    // so nothing is duplicated); catalog calls the payment API over TLS originated and verified by its sidecar
    // (the tracing collector must stay visible to every proxy, or spans are dropped)
    this.dependencies = new MeshDependencies(this, 'dependencies', {
      registryOnlyNamespaces: [this.shop],
      alwaysVisible: ['istio-system/*', 'observability/jaeger-collector.observability.svc.cluster.local'],
    });
    this.dependencies.dependsOn(MeshWorkload.fromWorkload(this.frontend), this.catalog, { methods: [HttpMethod.GET], paths: ['/public'] });
    this.dependencies.dependsOnExternal(this.catalog,
      ExternalService.originateTls('api.payments.example.com', { caCertificates: '/etc/ssl/certs/ca-certificates.crt' }));

    // §4 — edge: HTTPS (TLS 1.2+) with a certificate cert-manager issues and renews into the Secret the gateway
    // reads (credentialName), HTTP->HTTPS redirect, the catalog canary split reused at the entry point,
    // a header route to the canary, and the frontend for everything else. Routes are ordered by specificity.
    this.edge = new MeshGateway(this, 'edge', {
      namespace: NamespaceRef.named('istio-ingress'),
      tls: GatewayTls.certificate({ credentialName: 'shop-example-com-cert', issuer: CertificateIssuer.clusterIssuer('letsencrypt-prod') }),
    });
    this.edge.expose('shop.example.com', this.catalog, { pathPrefix: '/catalog' }); // stable 90 / canary 10
    this.edge.expose('shop.example.com', this.catalog.canary!, { pathPrefix: '/catalog', headers: { 'x-beta': 'true' } });
    this.edge.expose('shop.example.com', ServiceHost.fromService(frontendService), { pathPrefix: '/' });
    // the cloud load balancer in front: an AWS ALB (Ingress for the AWS Load Balancer Controller) terminates the
    // public TLS with an ACM certificate and re-encrypts to the gateway's HTTPS port, so every request still
    // enters the mesh through the gateway's Envoy (mTLS, telemetry, the canary split above)
    this.alb = new AlbIngress(this, 'alb', {
      gateway: this.edge,
      scheme: AlbScheme.INTERNET_FACING,
      certificateArns: ['arn:aws:acm:eu-west-1:123456789012:certificate/0a1b2c3d-1111-2222-3333-444455556666'],
    });
    // edge traffic enters the default-deny namespace as the gateway's identity
    this.shop.allow(this.edge.identity).to(MeshWorkload.fromWorkload(this.frontend));
    this.shop.allow(this.edge.identity).to(this.catalog).methods(HttpMethod.GET);

    // §5 — observability: Jaeger tracing at 10% in `shop`, Prometheus scraping (PodMonitor + ServiceMonitor),
    // recording rules, SLO burn-rate alerts, and dashboards per service and per canary (stable vs canary)
    this.observability = new MeshObservability(this, 'observability', {
      tracing: TracingProvider.jaeger({ service: 'jaeger-collector.observability.svc.cluster.local' }),
      samplingPercent: 10,
    });
    this.observability.monitor(MonitoringTarget.inNamespace('shop', 'frontend'), { successRateSlo: 99.9, p99Latency: Duration.millis(500) });
    // the canary's analysis (a ConfigMap that `cdk8s-istio canary status` reads), also exported as an Argo Rollouts
    // AnalysisTemplate for teams whose Argo Rollouts or Kargo runs the analysis (needs Argo Rollouts' CRDs)
    this.observability.monitor(this.catalog, { successRateSlo: 99.5, p99Latency: Duration.millis(250), analysis: { argoAnalysisTemplate: true } });
  }
}

// `cdk8s synth` runs this file; tests import ShopChart without synthesizing
if (require.main === module) {
  const app = new App();
  // schema + CEL + mesh checks at synth (automatic once a cdk8s-istio construct is in the app; README "## Validation")
  MeshValidation.of(app).enableAtSynth();
  const shop = new ShopChart(app, 'shop');
  app.synth();
  // the mesh-config fragment the Istio install needs (extensionProviders), as Helm values for istiod in
  // dist-mesh/, beside the manifests folder and not in it (`kubectl apply -f dist/` applies every file there):
  //   helm upgrade istiod istio/istiod -n istio-system --reuse-values -f dist-mesh/istiod-values.yaml
  const meshDir = path.join(path.dirname(app.outdir), 'dist-mesh');
  fs.mkdirSync(meshDir, { recursive: true });
  fs.writeFileSync(path.join(meshDir, 'istiod-values.yaml'), shop.observability.meshConfig.toHelmValuesYaml());
}
