// The test of acme-mesh, run against the compiled package (lib/index.js, written by `npx jsii`) with node's
// own test runner: `node --test test/` (scripts/platform-package-test.sh runs it against cdk8s-istio's packed tarball).
const assert = require('node:assert/strict');
const { test } = require('node:test');
const { Chart, Testing } = require('cdk8s');
const { HttpMethod, MeshGateway, MeshValidation, NamespaceRef, SecureNamespace, ValidationSeverity } = require('cdk8s-istio');
const { AcmeService } = require('../lib/index.js');

/** Two AcmeServices in `shop` (catalog with a 20% canary, cart stable only), both on one edge gateway. */
function shopApp() {
  const app = Testing.app();
  const chart = new Chart(app, 'platform', { namespace: 'shop' });
  const edge = new MeshGateway(chart, 'edge', { namespace: NamespaceRef.named('istio-ingress'), plaintext: true });
  const catalog = new AcmeService(chart, 'catalog', {
    namespace: 'shop',
    image: 'ghcr.io/acme/catalog:2.0.0',
    canaryImage: 'ghcr.io/acme/catalog:2.1.0',
    canaryWeight: 20,
    callers: [{ namespace: 'shop', serviceAccount: 'frontend', methods: [HttpMethod.GET], paths: ['/public'] }],
    edge: { gateway: edge, host: 'shop.acme.example', pathPrefix: '/catalog' },
  });
  const cart = new AcmeService(chart, 'cart', {
    namespace: 'shop',
    image: 'ghcr.io/acme/cart:1.0.0',
    callers: [{ namespace: 'shop', serviceAccount: 'frontend' }, { namespace: 'billing', serviceAccount: 'checkout' }],
    edge: { gateway: edge, host: 'shop.acme.example', pathPrefix: '/cart' },
  });
  const objects = Testing.synth(chart);
  const all = (kind, namespace) => objects.filter((o) => o.kind === kind && (namespace === undefined || o.metadata.namespace === namespace));
  const one = (kind, namespace, name) => {
    const found = objects.filter((o) => o.kind === kind && o.metadata.namespace === namespace && o.metadata.name === name);
    assert.equal(found.length, 1, `expected one ${kind} ${namespace}/${name}, found ${found.length}`);
    return found[0];
  };
  return { app, chart, edge, catalog, cart, objects, all, one };
}

const principals = (policy) => policy.spec.rules.flatMap((r) => (r.from ?? []).flatMap((f) => f.source.principals ?? []));

test('two AcmeServices in one namespace share one SecureNamespace', () => {
  const { chart, catalog, cart, all } = shopApp();
  assert.equal(catalog.secureNamespace, cart.secureNamespace);
  assert.equal(SecureNamespace.of(chart, 'shop'), catalog.secureNamespace);
  assert.deepEqual(all('Namespace').map((n) => n.metadata.name), ['shop']);
  assert.deepEqual(all('PeerAuthentication').map((p) => [p.metadata.namespace, p.metadata.name, p.spec.mtls.mode]), [['shop', 'default', 'STRICT']]);
  const denyAll = all('AuthorizationPolicy', 'shop').filter((p) => Object.keys(p.spec).length === 0);
  assert.deepEqual(denyAll.map((p) => p.metadata.name), ['allow-nothing']);
});

test("AcmeServices in other charts join the app's own SecureNamespace of that namespace", () => {
  const app = Testing.app();
  const own = new SecureNamespace(new Chart(app, 'namespaces'), 'shop', { name: 'shop' });
  const catalog = new AcmeService(new Chart(app, 'catalog-chart'), 'catalog', { namespace: 'shop', image: 'ghcr.io/acme/catalog:2.0.0' });
  const cart = new AcmeService(new Chart(app, 'cart-chart'), 'cart', { namespace: 'shop', image: 'ghcr.io/acme/cart:1.0.0' });
  assert.equal(catalog.secureNamespace, own);
  assert.equal(cart.secureNamespace, own);
  const objects = app.charts.flatMap((c) => c.toJson());
  assert.deepEqual(objects.filter((o) => o.kind === 'Namespace' || o.kind === 'PeerAuthentication').map((o) => `${o.kind} ${o.metadata.name}`),
    ['Namespace shop', 'PeerAuthentication default']);
  assert.deepEqual(MeshValidation.of(app).validate().filter((f) => f.severity === ValidationSeverity.ERROR), []);
});

test('each service has its DestinationRule and VirtualService with the expected weights', () => {
  const { one } = shopApp();
  const split = (vs) => vs.spec.http.find((h) => h.name === 'canary-split').route.map((r) => [r.destination.subset, r.weight]);

  const catalogDr = one('DestinationRule', 'shop', 'catalog');
  assert.equal(catalogDr.spec.host, 'catalog.shop.svc.cluster.local');
  assert.deepEqual(catalogDr.spec.subsets, [{ name: 'stable', labels: { version: 'v1' } }, { name: 'canary', labels: { version: 'v2' } }]);
  assert.deepEqual(split(one('VirtualService', 'shop', 'catalog')), [['stable', 80], ['canary', 20]]);

  const cartDr = one('DestinationRule', 'shop', 'cart');
  assert.deepEqual(cartDr.spec.subsets, [{ name: 'stable', labels: { version: 'v1' } }]);
  assert.deepEqual(split(one('VirtualService', 'shop', 'cart')), [['stable', undefined]]); // all traffic, no split

  const images = (name) => one('Deployment', 'shop', name).spec.template.spec.containers.map((c) => c.image);
  assert.deepEqual(images('catalog-v1'), ['ghcr.io/acme/catalog:2.0.0']);
  assert.deepEqual(images('catalog-v2'), ['ghcr.io/acme/catalog:2.1.0']);
  assert.deepEqual(images('cart-v1'), ['ghcr.io/acme/cart:1.0.0']);
});

test("the callers' ALLOW policies carry the right principals and operations", () => {
  const { one } = shopApp();
  const frontendToCatalog = one('AuthorizationPolicy', 'shop', 'allow-frontend-to-catalog');
  assert.equal(frontendToCatalog.spec.action, 'ALLOW');
  assert.deepEqual(frontendToCatalog.spec.selector, { matchLabels: { app: 'catalog' } });
  assert.deepEqual(principals(frontendToCatalog), ['cluster.local/ns/shop/sa/frontend']);
  assert.deepEqual(frontendToCatalog.spec.rules[0].to, [{ operation: { methods: ['GET'], paths: ['/public'] } }]);

  const frontendToCart = one('AuthorizationPolicy', 'shop', 'allow-frontend-to-cart');
  assert.deepEqual(frontendToCart.spec.selector, { matchLabels: { app: 'cart' } });
  assert.deepEqual(principals(frontendToCart), ['cluster.local/ns/shop/sa/frontend']);
  assert.equal(frontendToCart.spec.rules[0].to, undefined); // any method, any path

  const checkoutToCart = one('AuthorizationPolicy', 'shop', 'allow-billing-checkout-to-cart');
  assert.deepEqual(checkoutToCart.spec.selector, { matchLabels: { app: 'cart' } });
  assert.deepEqual(principals(checkoutToCart), ['cluster.local/ns/billing/sa/checkout']);
});

test('the edge VirtualService routes the host and path prefixes to the services', () => {
  const { all } = shopApp();
  const edgeVs = all('VirtualService', 'istio-ingress');
  assert.equal(edgeVs.length, 1);
  assert.deepEqual(edgeVs[0].spec.gateways, ['istio-ingress/edge']);
  assert.deepEqual(edgeVs[0].spec.hosts, ['shop.acme.example']);
  const routes = edgeVs[0].spec.http.map((h) => [h.match[0].uri.prefix, h.route.map((r) => [r.destination.host, r.destination.subset, r.weight])]);
  assert.deepEqual(routes, [
    ['/catalog', [['catalog.shop.svc.cluster.local', 'stable', 80], ['catalog.shop.svc.cluster.local', 'canary', 20]]],
    ['/cart', [['cart.shop.svc.cluster.local', 'stable', undefined]]],
  ]);
});

test("the edge gateway's identity may call each exposed service through the default-deny", () => {
  const { all } = shopApp();
  const fromEdge = all('AuthorizationPolicy', 'shop')
    .filter((p) => p.spec.rules && principals(p).includes('cluster.local/ns/istio-ingress/sa/istio-ingressgateway'))
    .map((p) => p.spec.selector.matchLabels.app)
    .sort();
  assert.deepEqual(fromEdge, ['cart', 'catalog']);
});

test('monitoring: SLO alerts per service, canary dashboard for the canary', () => {
  const { all } = shopApp();
  assert.deepEqual(all('PrometheusRule', 'shop').map((r) => r.metadata.name).sort(), ['cart-alerts', 'catalog-alerts']);
  const alerts = all('PrometheusRule', 'shop').find((r) => r.metadata.name === 'catalog-alerts')
    .spec.groups.flatMap((g) => g.rules.map((r) => r.alert)).filter(Boolean);
  assert.ok(alerts.includes('IstioCanarySuccessRateDegraded'), `catalog alerts: ${alerts.join(', ')}`);
  // dashboards, and the canary's analysis (read by `cdk8s-istio canary status`)
  assert.deepEqual(all('ConfigMap', 'shop').map((c) => c.metadata.name).sort(),
    ['cart-shop-service-dashboard', 'catalog-canary-analysis', 'catalog-shop-canary-dashboard', 'catalog-shop-service-dashboard']);
});

test('MeshValidation finds no errors, and the app synthesizes', () => {
  const { app } = shopApp();
  const errors = MeshValidation.of(app).validate().filter((f) => f.severity === ValidationSeverity.ERROR);
  assert.deepEqual(errors.map((e) => `${e.path}: ${e.message}`), []);
  const yaml = app.synthYaml();
  assert.match(yaml, /kind: PeerAuthentication/);
});

test('input errors name the prop, its value and the fix', () => {
  const app = Testing.app();
  const chart = new Chart(app, 'platform', { namespace: 'shop' });
  assert.throws(() => new AcmeService(chart, 'a', { namespace: 'shop', image: 'x:1', canaryWeight: 30 }),
    /^Error: Invalid canaryWeight 30: there is no canary without canaryImage\. Fix: set canaryImage/);
  assert.throws(() => new AcmeService(chart, 'b', { namespace: 'shop', image: 'x:1', callers: [{ namespace: 'shop' }] }),
    /^Error: Invalid callers\[0\] \{"namespace":"shop"\}: a caller is a namespace and a service account\. Fix: /);
  assert.throws(() => new AcmeService(chart, 'c', { namespace: 'Shop!', image: 'x:1' }), /Invalid namespaceName "Shop!"/);
});

test("AcmeRelease (CanaryService's extension points): Acme's labels on every object, two replicas spread over zones", () => {
  const app = Testing.app();
  app.node.setContext('acme.io/team', 'shop-team');
  const chart = new Chart(app, 'platform', { namespace: 'shop' });
  new AcmeService(chart, 'catalog', { namespace: 'shop', image: 'ghcr.io/acme/catalog:2.0.0', canaryImage: 'ghcr.io/acme/catalog:2.1.0' });
  const created = Testing.synth(chart).filter((o) => o.metadata.labels && o.metadata.labels['acme.io/managed-by']);
  assert.deepEqual(created.map((o) => `${o.kind}/${o.metadata.name}`), [
    'ServiceAccount/catalog', 'Deployment/catalog-v1', 'Deployment/catalog-v2', 'Service/catalog', 'DestinationRule/catalog', 'VirtualService/catalog',
  ]);
  assert.ok(created.every((o) => o.metadata.labels['acme.io/team'] === 'shop-team'));
  const deployments = created.filter((o) => o.kind === 'Deployment');
  assert.deepEqual(deployments.map((d) => [d.spec.replicas, d.spec.template.spec.containers[0].env]), [
    [2, [{ name: 'ACME_VERSION', value: 'v1' }]], [2, [{ name: 'ACME_VERSION', value: 'v2' }]],
  ]);
  assert.deepEqual(deployments[0].spec.template.spec.topologySpreadConstraints[0].labelSelector, { matchLabels: { app: 'catalog', version: 'v1' } });
  // the pods' labels are CanaryService's: the Service and the subsets still select them
  assert.equal(deployments[0].spec.template.metadata.labels['acme.io/managed-by'], undefined);
});
