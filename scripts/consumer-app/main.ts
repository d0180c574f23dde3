// The consumer app of scripts/consumer-test.sh: written the way a user of cdk8s-istio writes it, in a
// fresh `cdk8s init typescript-app` project (this file replaces the template's main.ts). The test script
// swaps 'cdk8s-plus-33' (the template's cdk8s-plus) for the version under test: nothing else changes.
import { Construct } from 'constructs';
import { App, Chart, ChartProps } from 'cdk8s';
import * as kplus from 'cdk8s-plus-33';
import {
  AccessLogProvider, CanaryService, HttpMethod, IstioMetric, MeshWorkload, MetricTagOverride, SecureNamespace, Telemetry,
} from 'cdk8s-istio';

export class MyChart extends Chart {
  public readonly shop: SecureNamespace;
  public readonly frontendSa: kplus.ServiceAccount;
  public readonly frontend: kplus.Deployment;
  public readonly reporting: kplus.Deployment;
  public readonly catalogService: kplus.Service;
  public readonly catalog: CanaryService;
  public readonly telemetry: Telemetry;

  constructor(scope: Construct, id: string, props: ChartProps = { }) {
    super(scope, id, { namespace: 'shop', ...props });

    // sidecar injection, STRICT mTLS, default-deny
    this.shop = new SecureNamespace(this, 'shop', { name: 'shop' });

    // the callers: frontend (its own service account) and reporting (service account "reporting")
    this.frontendSa = new kplus.ServiceAccount(this, 'frontend-sa', { metadata: { name: 'frontend' } });
    this.frontend = new kplus.Deployment(this, 'frontend', {
      metadata: { name: 'frontend' },
      podMetadata: { labels: { app: 'frontend' } },
      select: false,
      serviceAccount: this.frontendSa,
      containers: [{ image: 'ghcr.io/acme/frontend:1.4.2', portNumber: 8080 }],
    });
    this.frontend.select(kplus.LabelSelector.of({ labels: { app: 'frontend' } }));
    this.reporting = new kplus.Deployment(this, 'reporting', {
      metadata: { name: 'reporting' },
      podMetadata: { labels: { app: 'reporting' } },
      select: false,
      serviceAccount: new kplus.ServiceAccount(this, 'reporting-sa', { metadata: { name: 'reporting' } }),
      containers: [{ image: 'ghcr.io/acme/reporting:0.9.0', portNumber: 8080 }],
    });
    this.reporting.select(kplus.LabelSelector.of({ labels: { app: 'reporting' } }));

    // catalog: the user's Service; v1 (stable) and v2 (canary) Deployments created by the CanaryService
    this.catalogService = new kplus.Service(this, 'catalog-service', {
      metadata: { name: 'catalog' },
      ports: [{ port: 8080, name: 'http' }],
    });
    this.catalogService.selectLabel('app', 'catalog');
    this.catalog = new CanaryService(this, 'catalog', {
      service: this.catalogService,
      stable: { image: 'ghcr.io/acme/catalog:2.0.0', version: 'v1' },
      canary: { image: 'ghcr.io/acme/catalog:2.1.0', version: 'v2' },
      canaryWeight: 20,
      canaryHeader: { name: 'x-canary', value: 'true' },
    });

    // "frontend may only GET /public on catalog", "reporting may only GET /stats on catalog"
    this.shop.allowServiceAccount(this.frontendSa).to(this.catalog).methods(HttpMethod.GET).paths('/public');
    this.shop.allowWorkload(this.reporting).to(this.catalog).methods(HttpMethod.GET).paths('/stats');

    // access logs of failed requests and a request_host tag on the frontend's proxy (both CEL expressions)
    this.telemetry = new Telemetry(this, 'frontend-telemetry', {
      metadata: { name: 'frontend' },
      selector: MeshWorkload.fromWorkload(this.frontend),
      accessLogging: [{ providers: [AccessLogProvider.ENVOY], filter: 'response.code >= 400' }],
      metrics: [{ overrides: [{ metric: IstioMetric.REQUEST_COUNT, tagOverrides: [MetricTagOverride.upsert('request_host', 'request.host')] }] }],
    });
  }
}

const app = new App();
new MyChart(app, 'shop');
app.synth();
