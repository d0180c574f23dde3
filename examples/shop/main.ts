// The seed scenario of cdk8s-istio, as an app. It uses the library from source (`../../src`); a user
// writes `from 'cdk8s-istio'`. Each section grows as its constructs land (see README).
import { App, Chart, ChartProps } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { MeshIdentity, MeshValidation, MeshWorkload, ServiceHost } from '../../src';

export class ShopChart extends Chart {
  /** frontend calls catalog */
  public readonly frontend: kplus.Deployment;
  public readonly frontendSa: kplus.ServiceAccount;
  public readonly catalogService: kplus.Service;

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
  }
}

const app = new App();
// schema + CEL + mesh checks at synth (automatic once a cdk8s-istio construct is in the app; README "## Validation")
MeshValidation.of(app).enableAtSynth();
new ShopChart(app, 'shop');
app.synth();
