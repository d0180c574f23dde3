// The seed scenario of cdk8s-istio, as an app. It uses the library from source (`../../src`); a user
// writes `from 'cdk8s-istio'`. Each section grows as its constructs land (see README).
import { App, Chart, ChartProps } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { CanaryService, HttpMethod, MeshIdentity, SecureNamespace, ServiceHost } from '../../src';

export class ShopChart extends Chart {
  /** frontend calls catalog */
  public readonly frontend: kplus.Deployment;
  public readonly frontendSa: kplus.ServiceAccount;
  public readonly catalogService: kplus.Service;
  /** §2: the secure `shop` namespace */
  public readonly shop: SecureNamespace;
  /** §3: catalog v1 (stable) and v2 (canary) behind one Service */
  public readonly catalog: CanaryService;

  constructor(scope: Construct, id: string, props: ChartProps = {}) {
    super(scope, id, { namespace: 'shop', ...props });

    // §2 — enrol `shop` in the mesh: sidecar injection, STRICT mTLS, default-deny (all three are defaults).
    // Defined first, so the Namespace comes first in the YAML (kubectl applies in file order).
    this.shop = new SecureNamespace(this, 'shop-namespace', { name: 'shop' });

    // the frontend workload, its identity and its Service
    this.frontendSa = new kplus.ServiceAccount(this, 'frontend-sa', { metadata: { name: 'frontend' } });
    this.frontend = new kplus.Deployment(this, 'frontend', {
      metadata: { name: 'frontend' },
      serviceAccount: this.frontendSa,
      containers: [{ image: 'ghcr.io/acme/frontend:1.4.2', portNumber: 8080 }],
    });
    this.frontend.exposeViaService({ name: 'frontend', ports: [{ port: 8080, name: 'http' }] });

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

    // the vocabulary every construct shares: identities, workloads and hosts derived from objects
    const caller = MeshIdentity.fromServiceAccount(this.frontendSa);
    const callee = this.catalog; // an IMeshWorkload (app: catalog, both versions)
    const host = ServiceHost.fromService(this.catalogService);
    this.node.addMetadata('seed', `${caller} -> ${callee.workloadKey} (${host})`);
  }
}

const app = new App();
new ShopChart(app, 'shop');
app.synth();
