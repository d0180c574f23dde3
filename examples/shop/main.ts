// The seed scenario of cdk8s-istio, as an app. It uses the library from source (`../../src`); a user
// writes `from 'cdk8s-istio'`. Each section grows as its constructs land (see README).
import * as fs from 'fs';
import * as path from 'path';
import { App, Chart, ChartProps, Duration } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { MeshIdentity, MeshObservability, MeshWorkload, MonitoringTarget, ServiceHost, TracingProvider } from '../../src';

export class ShopChart extends Chart {
  /** frontend calls catalog */
  public readonly frontend: kplus.Deployment;
  public readonly frontendSa: kplus.ServiceAccount;
  public readonly catalogService: kplus.Service;
  /** §5: tracing, scraping, alerts and dashboards */
  public readonly observability: MeshObservability;

  constructor(scope: Construct, id: string, props: ChartProps = {}) {
    super(scope, id, { namespace: 'shop', ...props });

    // the frontend workload, its identity and its Service
    this.frontendSa = new kplus.ServiceAccount(this, 'frontend-sa', { metadata: { name: 'frontend' } });
    this.frontend = new kplus.Deployment(this, 'frontend', {
      metadata: { name: 'frontend' },
      serviceAccount: this.frontendSa,
      containers: [{ image: 'ghcr.io/acme/frontend:1.4.2', portNumber: 8080 }],
    });
    this.frontend.exposeViaService({ name: 'frontend', ports: [{ port: 8080, name: 'http' }] });

    // catalog: one Service in front of the catalog pods
    const catalogSa = new kplus.ServiceAccount(this, 'catalog-sa', { metadata: { name: 'catalog' } });
    const catalog = new kplus.Deployment(this, 'catalog', {
      metadata: { name: 'catalog' },
      serviceAccount: catalogSa,
      containers: [{ image: 'ghcr.io/acme/catalog:2.0.0', portNumber: 8080 }],
    });
    this.catalogService = catalog.exposeViaService({ name: 'catalog', ports: [{ port: 8080, name: 'http' }] });

    // the vocabulary every construct shares: identities, workloads and hosts derived from objects
    const caller = MeshIdentity.fromServiceAccount(this.frontendSa);
    const callee = MeshWorkload.fromWorkload(catalog);
    const host = ServiceHost.fromService(this.catalogService);
    this.node.addMetadata('seed', `${caller} -> ${callee.workloadKey} (${host})`);

    // §5 — observability: Jaeger tracing at 10% in `shop`, Prometheus scraping (PodMonitor + ServiceMonitor),
    // recording rules, SLO burn-rate alerts, and dashboards per service and per canary
    this.observability = new MeshObservability(this, 'observability', {
      tracing: TracingProvider.jaeger({ service: 'jaeger-collector.observability.svc.cluster.local' }),
      samplingPercent: 10,
    });
    this.observability.monitor(MonitoringTarget.service('frontend', 'shop'), { successRateSlo: 99.9, p99Latency: Duration.millis(500) });
    // catalog v1 (stable) / v2 (canary) at 90/10: a stand-in for the CanaryService (which implements IMonitoringTarget)
    const catalogCanary = MonitoringTarget.canary({ serviceName: 'catalog', namespace: 'shop', stableVersion: 'v1', canaryVersion: 'v2', canaryWeight: 10 });
    this.observability.monitor(catalogCanary, { successRateSlo: 99.5, p99Latency: Duration.millis(250) });
  }
}

const app = new App();
const shop = new ShopChart(app, 'shop');
app.synth();

// the mesh-config fragment the Istio install needs (extensionProviders), beside the manifests:
//   helm upgrade istiod istio/istiod -n istio-system --reuse-values -f dist/mesh-config.yaml
fs.writeFileSync(path.join(app.outdir, 'mesh-config.yaml'), shop.observability.meshConfig.toHelmValuesYaml());
