import { ApiObject, Chart, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import {
  AuthorizationPolicy, EnrolmentMode, HttpMethod, MeshEnrolment, MeshIdentity, MeshWorkload, MtlsMode, NamespaceRef, PeerAuthentication,
  SecureNamespace, ServiceHost, WaypointTrafficType,
} from '../../src';

function shopChart() {
  return new Chart(Testing.app(), 'shop', { namespace: 'shop' });
}
const byKind = (objs: any[], kind: string) => objs.filter((o) => o.kind === kind);
const byName = (objs: any[], name: string) => objs.find((o) => o.metadata.name === name);
const catalog = MeshWorkload.labels({ app: 'catalog' }, { namespace: 'shop' });
const frontend = MeshIdentity.of('shop', 'frontend');

describe('SecureNamespace', () => {
  test('defaults: sidecar injection, STRICT mTLS, allow-nothing', () => {
    // GIVEN
    const chart = shopChart();
    // WHEN
    const shop = new SecureNamespace(chart, 'shop', { name: 'shop' });
    // THEN
    const manifest = Testing.synth(chart);
    expect(manifest).toEqual([
      { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop', labels: { 'istio-injection': 'enabled' } } },
      { apiVersion: 'security.istio.io/v1', kind: 'PeerAuthentication', metadata: { name: 'default', namespace: 'shop' }, spec: { mtls: { mode: 'STRICT' } } },
      { apiVersion: 'security.istio.io/v1', kind: 'AuthorizationPolicy', metadata: { name: 'allow-nothing', namespace: 'shop' }, spec: {} },
    ]);
    expect(shop.name).toEqual('shop');
    expect(shop.namespace).toBeInstanceOf(ApiObject);
    expect(shop.namespace?.kind).toEqual('Namespace');
    expect(shop.peerAuthentication).toBeInstanceOf(PeerAuthentication);
    expect(shop.denyAll).toBeInstanceOf(AuthorizationPolicy);
    expect(shop.enrolment.mode).toEqual(EnrolmentMode.SIDECAR);
    expect(shop.policies).toEqual([]);
  });

  test('the Namespace is cluster-scoped even in a chart without a namespace', () => {
    const chart = Testing.chart();
    new SecureNamespace(chart, 'ns', { name: 'payments' });
    const [ns, pa] = Testing.synth(chart);
    expect(ns.metadata).toEqual({ name: 'payments', labels: { 'istio-injection': 'enabled' } });
    expect(pa.metadata.namespace).toEqual('payments');
  });

  test('"frontend may only GET /public on catalog" renders one ALLOW rule selecting catalog', () => {
    // GIVEN
    const chart = shopChart();
    const shop = new SecureNamespace(chart, 'shop', { name: 'shop' });
    const frontendSa = new kplus.ServiceAccount(chart, 'frontend-sa', { metadata: { name: 'frontend' } });
    // WHEN
    const rule = shop.allowServiceAccount(frontendSa).to(catalog).methods(HttpMethod.GET).paths('/public');
    // THEN
    const policy = byName(Testing.synth(chart), 'allow-frontend-to-catalog');
    expect(policy).toEqual({
      apiVersion: 'security.istio.io/v1',
      kind: 'AuthorizationPolicy',
      metadata: { name: 'allow-frontend-to-catalog', namespace: 'shop' },
      spec: {
        action: 'ALLOW',
        selector: { matchLabels: { app: 'catalog' } },
        rules: [{
          from: [{ source: { principals: ['cluster.local/ns/shop/sa/frontend'] } }],
          to: [{ operation: { methods: ['GET'], paths: ['/public'] } }],
        }],
      },
    });
    expect(shop.policies).toEqual([rule.policy]);
    expect(rule.policy.node.id).toEqual('Allow-frontend-To-catalog');
    expect([rule.caller.identityKey, rule.target]).toEqual(['shop-frontend', catalog]);
  });

  test('repeating the same intent is a no-op; another intent on the same pair is another rule (OR)', () => {
    const chart = shopChart();
    const shop = new SecureNamespace(chart, 'shop', { name: 'shop' });
    shop.allow(frontend).to(catalog).methods(HttpMethod.GET).paths('/public');
    shop.allow(frontend).to(catalog).methods(HttpMethod.GET).paths('/public');
    shop.grantAccess(frontend, catalog, { methods: [HttpMethod.POST], paths: ['/cart'] });
    expect(shop.policies).toHaveLength(1);
    expect(byName(Testing.synth(chart), 'allow-frontend-to-catalog').spec.rules).toEqual([
      { from: [{ source: { principals: ['cluster.local/ns/shop/sa/frontend'] } }], to: [{ operation: { methods: ['GET'], paths: ['/public'] } }] },
      { from: [{ source: { principals: ['cluster.local/ns/shop/sa/frontend'] } }], to: [{ operation: { methods: ['POST'], paths: ['/cart'] } }] },
    ]);
  });

  test('callers from other namespaces and whole namespaces get their own deterministic policies', () => {
    const chart = shopChart();
    const shop = new SecureNamespace(chart, 'shop', { name: 'shop' });
    shop.allow(MeshIdentity.of('payments', 'billing')).to(catalog).ports(8080);
    shop.allow(MeshIdentity.namespace(NamespaceRef.named('monitoring'))).to(catalog).tcpPorts(9090);
    shop.allow(frontend).to(catalog).hosts('catalog.shop.svc.cluster.local').when('request.headers[x-tenant]', 'acme');
    const out = Testing.synth(chart);
    expect(byName(out, 'allow-payments-billing-to-catalog').spec.rules).toEqual([
      { from: [{ source: { principals: ['cluster.local/ns/payments/sa/billing'] } }], to: [{ operation: { ports: ['8080'] } }] },
    ]);
    expect(byName(out, 'allow-ns-monitoring-to-catalog').spec.rules).toEqual([
      { from: [{ source: { namespaces: ['monitoring'] } }], to: [{ operation: { ports: ['9090'] } }] },
    ]);
    expect(byName(out, 'allow-frontend-to-catalog').spec.rules).toEqual([{
      from: [{ source: { principals: ['cluster.local/ns/shop/sa/frontend'] } }],
      to: [{ operation: { hosts: ['catalog.shop.svc.cluster.local'] } }],
      when: [{ key: 'request.headers[x-tenant]', values: ['acme'] }],
    }]);
  });

  test('a kplus workload as caller: its service account (or default)', () => {
    const chart = shopChart();
    const shop = new SecureNamespace(chart, 'shop', { name: 'shop', trustDomain: 'acme.internal' });
    const sa = new kplus.ServiceAccount(chart, 'sa', { metadata: { name: 'frontend' } });
    const withSa = new kplus.Deployment(chart, 'frontend', { serviceAccount: sa, containers: [{ image: 'frontend' }] });
    const withoutSa = new kplus.Deployment(chart, 'batch', { containers: [{ image: 'batch' }] });
    shop.allowWorkload(withSa).to(catalog).methods(HttpMethod.GET);
    shop.allowWorkload(withoutSa).to(catalog).methods(HttpMethod.POST);
    const out = Testing.synth(chart);
    expect(byName(out, 'allow-frontend-to-catalog').spec.rules[0].from).toEqual([{ source: { principals: ['acme.internal/ns/shop/sa/frontend'] } }]);
    expect(byName(out, 'allow-default-to-catalog').spec.rules[0].from).toEqual([{ source: { principals: ['acme.internal/ns/shop/sa/default'] } }]);
  });

  test('a kplus workload as target, through MeshWorkload.fromWorkload', () => {
    const chart = shopChart();
    const shop = new SecureNamespace(chart, 'shop', { name: 'shop' });
    const deployment = new kplus.Deployment(chart, 'catalog', { metadata: { name: 'catalog' }, containers: [{ image: 'catalog', portNumber: 8080 }] });
    shop.allow(frontend).to(MeshWorkload.fromWorkload(deployment)).methods(HttpMethod.GET);
    expect(byName(Testing.synth(chart), 'allow-frontend-to-catalog').spec.selector).toEqual({ matchLabels: deployment.matchLabels });
  });

  test('revision enrolment, PERMISSIVE migration, no default deny', () => {
    const chart = shopChart();
    const shop = new SecureNamespace(chart, 'shop', { name: 'shop', enrolment: MeshEnrolment.revision('1-30-3'), mtlsMode: MtlsMode.PERMISSIVE, defaultDeny: false });
    const out = Testing.synth(chart);
    expect(out.map((o) => `${o.kind}/${o.metadata.name}`)).toEqual(['Namespace/shop', 'PeerAuthentication/default']);
    expect(out[0].metadata.labels).toEqual({ 'istio.io/rev': '1-30-3' });
    expect(out[1].spec).toEqual({ mtls: { mode: 'PERMISSIVE' } });
    expect(shop.denyAll).toBeUndefined();
  });

  test('UNSET creates no PeerAuthentication; createNamespace: false creates no Namespace', () => {
    const chart = shopChart();
    const shop = new SecureNamespace(chart, 'shop', { name: 'shop', mtlsMode: MtlsMode.UNSET, createNamespace: false });
    expect(Testing.synth(chart).map((o) => `${o.kind}/${o.metadata.name}`)).toEqual(['AuthorizationPolicy/allow-nothing']);
    expect(shop.peerAuthentication).toBeUndefined();
    expect(shop.namespace).toBeUndefined();
  });

  test('adopts a kplus Namespace and labels it', () => {
    const chart = shopChart();
    const ns = new kplus.Namespace(chart, 'ns', { metadata: { name: 'shop', labels: { team: 'storefront' } } });
    const shop = new SecureNamespace(chart, 'shop', { namespace: ns });
    expect(shop.name).toEqual('shop');
    expect(byKind(Testing.synth(chart), 'Namespace')[0].metadata.labels).toEqual({ 'team': 'storefront', 'istio-injection': 'enabled' });
  });

  test('ambient with a waypoint: labels, Gateway, waypoint allowed through default-deny, L7 intents on the Service', () => {
    // GIVEN
    const chart = shopChart();
    const shop = new SecureNamespace(chart, 'shop', { name: 'shop', enrolment: MeshEnrolment.ambient({ waypoint: true }) });
    // WHEN
    shop.allow(frontend).to(catalog, { service: ServiceHost.inNamespace('shop', 'catalog') }).methods(HttpMethod.GET).paths('/public');
    shop.requireJwt({ issuer: 'https://accounts.example.com' });
    // THEN
    const out = Testing.synth(chart);
    expect(out.map((o) => `${o.kind}/${o.metadata.name}`)).toEqual([
      'Namespace/shop', 'Gateway/waypoint', 'PeerAuthentication/default', 'AuthorizationPolicy/allow-nothing',
      'AuthorizationPolicy/allow-nothing-waypoint', 'AuthorizationPolicy/allow-waypoint',
      'AuthorizationPolicy/allow-frontend-to-catalog', 'RequestAuthentication/jwt', 'AuthorizationPolicy/require-jwt',
    ]);
    expect(out[0].metadata.labels).toEqual({ 'istio.io/dataplane-mode': 'ambient', 'istio.io/use-waypoint': 'waypoint' });
    expect(out[1]).toEqual({
      apiVersion: 'gateway.networking.k8s.io/v1',
      kind: 'Gateway',
      metadata: { name: 'waypoint', namespace: 'shop', labels: { 'istio.io/waypoint-for': 'service' } },
      spec: { gatewayClassName: 'istio-waypoint', listeners: [{ name: 'mesh', port: 15008, protocol: 'HBONE' }] },
    });
    expect(byName(out, 'allow-waypoint').spec).toEqual({
      action: 'ALLOW',
      rules: [{ from: [{ source: { principals: ['cluster.local/ns/shop/sa/waypoint'] } }] }],
    });
    expect(byName(out, 'allow-nothing-waypoint').spec).toEqual({ targetRefs: [{ group: 'gateway.networking.k8s.io', kind: 'Gateway', name: 'waypoint' }] });
    expect(byName(out, 'allow-frontend-to-catalog').spec.targetRefs).toEqual([{ group: '', kind: 'Service', name: 'catalog' }]);
    expect(byName(out, 'allow-frontend-to-catalog').spec.selector).toBeUndefined();
    expect(byName(out, 'require-jwt').spec.targetRefs).toEqual([{ group: 'gateway.networking.k8s.io', kind: 'Gateway', name: 'waypoint' }]);
    expect(byName(out, 'jwt').spec.targetRefs).toEqual([{ group: 'gateway.networking.k8s.io', kind: 'Gateway', name: 'waypoint' }]);
    expect(out).toMatchSnapshot();
    expect([shop.waypoint?.name, shop.waypointDenyAll?.name, shop.waypointAccess?.name]).toEqual(['waypoint', 'allow-nothing-waypoint', 'allow-waypoint']);
  });

  test('ambient waypoint: the Service comes from an IMeshDestination target; traffic type is configurable', () => {
    const chart = shopChart();
    const shop = new SecureNamespace(chart, 'shop', { name: 'shop', enrolment: MeshEnrolment.ambient({ waypoint: true, waypointName: 'shop-waypoint', waypointTrafficType: WaypointTrafficType.ALL }) });
    const canaryLike = { workloadKey: 'catalog', workloadNamespace: 'shop', toSelectorLabels: () => ({ app: 'catalog' }), toMeshDestination: () => ({ host: 'catalog.shop.svc.cluster.local' }) };
    shop.allow(frontend).to(canaryLike).methods(HttpMethod.GET);
    shop.grantAccess(MeshIdentity.namespace(NamespaceRef.named('ops')), catalog, { service: ServiceHost.inNamespace('shop', 'catalog'), paths: ['/admin/*'] });
    const out = Testing.synth(chart);
    expect(byName(out, 'allow-ns-ops-to-catalog').spec).toEqual({
      action: 'ALLOW',
      targetRefs: [{ group: '', kind: 'Service', name: 'catalog' }],
      rules: [{ from: [{ source: { namespaces: ['ops'] } }], to: [{ operation: { paths: ['/admin/*'] } }] }],
    });
    expect(byName(out, 'allow-frontend-to-catalog').spec.targetRefs).toEqual([{ group: '', kind: 'Service', name: 'catalog' }]);
    expect(byName(out, 'shop-waypoint').metadata.labels).toEqual({ 'istio.io/waypoint-for': 'all' });
    expect(byName(out, 'allow-shop-waypoint')).toBeDefined();
  });

  test('ambient without a waypoint: L4 intents use a selector (ztunnel)', () => {
    const chart = shopChart();
    const shop = new SecureNamespace(chart, 'shop', { name: 'shop', enrolment: MeshEnrolment.ambient() });
    shop.allow(frontend).to(catalog).ports(8080);
    const out = Testing.synth(chart);
    expect(out[0].metadata.labels).toEqual({ 'istio.io/dataplane-mode': 'ambient' });
    expect(byName(out, 'allow-frontend-to-catalog').spec).toEqual({
      action: 'ALLOW',
      selector: { matchLabels: { app: 'catalog' } },
      rules: [{ from: [{ source: { principals: ['cluster.local/ns/shop/sa/frontend'] } }], to: [{ operation: { ports: ['8080'] } }] }],
    });
  });

  test('requireJwt on a workload: RequestAuthentication + DENY without a request principal, claims as extra DENY rules', () => {
    // GIVEN
    const chart = shopChart();
    const shop = new SecureNamespace(chart, 'shop', { name: 'shop' });
    // WHEN
    const req = shop.requireJwt({
      workload: catalog,
      issuer: 'https://accounts.example.com',
      jwksUri: 'https://accounts.example.com/.well-known/jwks.json',
      audiences: ['shop'],
      requiredClaims: { 'groups': ['buyers', 'admins'], 'realm_access.roles': ['shopper'] },
    });
    shop.requireJwt({ workload: catalog, issuer: 'https://accounts.example.com' }); // repeat: no-op
    // THEN
    const out = Testing.synth(chart);
    expect(byName(out, 'catalog-jwt')).toEqual({
      apiVersion: 'security.istio.io/v1',
      kind: 'RequestAuthentication',
      metadata: { name: 'catalog-jwt', namespace: 'shop' },
      spec: {
        selector: { matchLabels: { app: 'catalog' } },
        jwtRules: [{ issuer: 'https://accounts.example.com', jwksUri: 'https://accounts.example.com/.well-known/jwks.json', audiences: ['shop'] }],
      },
    });
    expect(byName(out, 'catalog-require-jwt')).toEqual({
      apiVersion: 'security.istio.io/v1',
      kind: 'AuthorizationPolicy',
      metadata: { name: 'catalog-require-jwt', namespace: 'shop' },
      spec: {
        action: 'DENY',
        selector: { matchLabels: { app: 'catalog' } },
        rules: [
          { from: [{ source: { notRequestPrincipals: ['*'] } }] },
          { when: [{ key: 'request.auth.claims[groups]', notValues: ['buyers', 'admins'] }] },
          { when: [{ key: 'request.auth.claims[realm_access][roles]', notValues: ['shopper'] }] },
        ],
      },
    });
    expect(req.authorizationPolicy.ruleCount).toEqual(3);
    expect(req.requestAuthentication.issuers).toEqual(['https://accounts.example.com']);
  });

  test('mTLS exceptions per workload and per port; repeating is a no-op', () => {
    const chart = shopChart();
    const shop = new SecureNamespace(chart, 'shop', { name: 'shop' });
    const legacy = MeshWorkload.labels({ app: 'legacy' }, { namespace: 'shop' });
    shop.addMtlsException(legacy);
    shop.addMtlsException(legacy);
    shop.addMtlsException(catalog, { ports: [9090], mode: MtlsMode.DISABLE });
    shop.addMtlsException(catalog, { ports: [9090], mode: MtlsMode.DISABLE });
    const out = Testing.synth(chart);
    expect(byName(out, 'legacy-mtls').spec).toEqual({ selector: { matchLabels: { app: 'legacy' } }, mtls: { mode: 'PERMISSIVE' } });
    expect(byName(out, 'catalog-mtls').spec).toEqual({
      selector: { matchLabels: { app: 'catalog' } }, portLevelMtls: { 9090: { mode: 'DISABLE' } },
    });
  });

  test('meshWideStrictMtls: PeerAuthentication default in the root namespace', () => {
    const chart = shopChart();
    SecureNamespace.meshWideStrictMtls(chart, 'mesh');
    SecureNamespace.meshWideStrictMtls(chart, 'mesh2', { rootNamespace: 'istio-config' });
    expect(Testing.synth(chart)).toEqual([
      { apiVersion: 'security.istio.io/v1', kind: 'PeerAuthentication', metadata: { name: 'default', namespace: 'istio-system' }, spec: { mtls: { mode: 'STRICT' } } },
      { apiVersion: 'security.istio.io/v1', kind: 'PeerAuthentication', metadata: { name: 'default', namespace: 'istio-config' }, spec: { mtls: { mode: 'STRICT' } } },
    ]);
  });

  test('README "Security" section compiles and renders as documented', () => {
    // GIVEN (the README code, verbatim)
    const chart = shopChart();
    const shop = new SecureNamespace(chart, 'shop-namespace', { name: 'shop' });
    const frontendSa = new kplus.ServiceAccount(chart, 'frontend-sa', { metadata: { name: 'frontend' } });
    const catalogDeployment = new kplus.Deployment(chart, 'catalog', { metadata: { name: 'catalog' }, containers: [{ image: 'ghcr.io/acme/catalog:2.0.0', portNumber: 8080 }] });
    const legacy = MeshWorkload.labels({ app: 'legacy' }, { namespace: 'shop' });
    // WHEN
    shop.allowServiceAccount(frontendSa).to(MeshWorkload.fromWorkload(catalogDeployment)).methods(HttpMethod.GET).paths('/public');
    shop.allow(MeshIdentity.namespace(NamespaceRef.named('monitoring'))).to(catalog).tcpPorts(9090);
    shop.requireJwt({
      workload: catalog,
      issuer: 'https://accounts.example.com',
      jwksUri: 'https://accounts.example.com/.well-known/jwks.json',
      requiredClaims: { groups: ['buyers'] },
      exceptTcpPorts: [9090], // the monitoring intent's plain-TCP port (checked at synth)
    });
    shop.addMtlsException(legacy, { ports: [9090], mode: MtlsMode.PERMISSIVE });
    SecureNamespace.meshWideStrictMtls(chart, 'mesh-mtls');
    // THEN
    expect(Testing.synth(chart).map((o) => `${o.kind}/${o.metadata.namespace ?? ''}/${o.metadata.name}`)).toEqual([
      'Namespace//shop', 'PeerAuthentication/shop/default', 'AuthorizationPolicy/shop/allow-nothing',
      'AuthorizationPolicy/shop/allow-frontend-to-catalog', 'AuthorizationPolicy/shop/allow-ns-monitoring-to-catalog',
      'RequestAuthentication/shop/catalog-jwt', 'AuthorizationPolicy/shop/catalog-require-jwt', 'PeerAuthentication/shop/legacy-mtls',
      'ServiceAccount/shop/frontend', 'Deployment/shop/' + catalogDeployment.name, 'PeerAuthentication/istio-system/default',
    ]);
  });

  // ------------------------------------------------------------------ failures
  test('fails namespace-wide DISABLE', () => {
    expect(() => new SecureNamespace(shopChart(), 'shop', { name: 'shop', mtlsMode: MtlsMode.DISABLE }))
      .toThrow(/Invalid mtlsMode "DISABLE": a secure namespace does not accept plaintext namespace-wide. Fix: use MtlsMode.PERMISSIVE while migrating/);
  });

  test('fails conflicting enrolment modes (adopted labels, and labels added later at synth)', () => {
    const chart = shopChart();
    const ns = new kplus.Namespace(chart, 'ns', { metadata: { name: 'shop', labels: { 'istio-injection': 'enabled' } } });
    expect(() => new SecureNamespace(chart, 'shop', { namespace: ns, enrolment: MeshEnrolment.ambient() })).toThrow(
      'Invalid enrolment "ambient": the namespace also carries istio-injection: enabled, a conflicting enrolment (a namespace is enrolled in exactly one way). Fix: remove that label, or choose the matching MeshEnrolment');
    const chart2 = shopChart();
    const shop = new SecureNamespace(chart2, 'shop', { name: 'shop' });
    shop.namespace!.metadata.addLabel('istio.io/rev', 'canary');
    expect(() => Testing.synth(chart2)).toThrow(/Invalid enrolment "sidecar injection": the namespace also carries istio.io\/rev: canary/);
  });

  test('fails waypoint options without a waypoint', () => {
    expect(() => MeshEnrolment.ambient({ waypointName: 'wp' })).toThrow(/Invalid waypointName "wp": waypoint options are set but `waypoint` is not enabled/);
  });

  test('fails an empty revision', () => {
    expect(() => MeshEnrolment.revision('')).toThrow(/Invalid revision "": the revision is empty/);
  });

  test('fails without a name, and with an adopted namespace plus createNamespace: false', () => {
    const chart = shopChart();
    expect(() => new SecureNamespace(chart, 'a')).toThrow(/Invalid name \(undefined\): the namespace has no name/);
    const ns = new kplus.Namespace(chart, 'ns', { metadata: { name: 'shop' } });
    expect(() => new SecureNamespace(chart, 'b', { namespace: ns, createNamespace: false })).toThrow(/Invalid createNamespace false/);
    expect(() => new SecureNamespace(chart, 'c', { namespace: ns, name: 'other' })).toThrow(/Invalid name "other": it differs from the adopted namespace's name "shop"/);
  });

  test('fails a caller or target that is not an identity or a workload', () => {
    const shop = new SecureNamespace(shopChart(), 'shop', { name: 'shop' });
    expect(() => shop.allow('frontend' as unknown as MeshIdentity).to(catalog)).toThrow(/Invalid from "frontend": it is not an IMeshIdentity/);
    expect(() => shop.allow(frontend).to({} as unknown as MeshWorkload)).toThrow(/Invalid to \{\}: it is not an IMeshWorkload/);
  });

  test('fails a target in another namespace', () => {
    const shop = new SecureNamespace(shopChart(), 'shop', { name: 'shop' });
    expect(() => shop.allow(frontend).to(MeshWorkload.labels({ app: 'ledger' }, { namespace: 'payments' })))
      .toThrow(/Invalid to "ledger \(namespace payments\)": an AuthorizationPolicy lives in the namespace of the workload it protects, not in "shop". Fix: call allow\(\) on the SecureNamespace of "payments"/);
  });

  test('fails L7 rules in an ambient namespace without a waypoint', () => {
    const shop = new SecureNamespace(shopChart(), 'shop', { name: 'shop', enrolment: MeshEnrolment.ambient() });
    expect(() => shop.allow(frontend).to(catalog).methods(HttpMethod.GET)).toThrow(
      /Invalid methods "namespace shop": in ambient mode L7 rules .* are enforced only by a waypoint, and this namespace has none .*Fix: enrol with MeshEnrolment.ambient\(\{ waypoint: true \}\)/);
    expect(() => shop.grantAccess(frontend, catalog, { paths: ['/x'] })).toThrow(/Invalid paths "namespace shop"/);
    expect(() => shop.requireJwt({ issuer: 'x' })).toThrow(/Invalid requireJwt "namespace shop"/);
  });

  test('fails grantAccess with an invalid option, and adds no rule (not even the broader caller-only rule)', () => {
    const shop = new SecureNamespace(shopChart(), 'shop', { name: 'shop' });
    expect(() => shop.grantAccess(frontend, catalog, { methods: [HttpMethod.GET], ports: [0] })).toThrow(/Invalid rule.ports/);
    expect(shop.policies.map((p) => (p.apiObject.toJson().spec.rules ?? []).length)).toEqual([0]);
    // the same intent, valid, renders the whole rule once
    shop.grantAccess(frontend, catalog, { methods: [HttpMethod.GET], ports: [8080] });
    expect(shop.policies[0].apiObject.toJson().spec.rules).toEqual([{
      from: [{ source: { principals: ['cluster.local/ns/shop/sa/frontend'] } }],
      to: [{ operation: { methods: ['GET'], ports: ['8080'] } }],
    }]);
  });

  test('fails an ambient waypoint target whose Service cannot be derived', () => {
    const shop = new SecureNamespace(shopChart(), 'shop', { name: 'shop', enrolment: MeshEnrolment.ambient({ waypoint: true }) });
    expect(() => shop.allow(frontend).to(catalog)).toThrow(/Invalid allow\(\).to\(\) target "catalog": in an ambient namespace with a waypoint, policies attach to the Service/);
  });

  test('fails HTTP-only refinements on TCP ports, and invalid intent refinements leave the rule unchanged', () => {
    const chart = shopChart();
    const shop = new SecureNamespace(chart, 'shop', { name: 'shop' });
    const rule = shop.allow(frontend).to(catalog).tcpPorts(5432);
    expect(() => rule.methods(HttpMethod.GET)).toThrow(/methods is HTTP-only, and on a TCP port Istio cannot see them/);
    expect(() => rule.paths('public')).toThrow(/Invalid rule.paths "public"/);
    expect(byName(Testing.synth(chart), 'allow-frontend-to-catalog').spec.rules).toEqual([
      { from: [{ source: { principals: ['cluster.local/ns/shop/sa/frontend'] } }], to: [{ operation: { ports: ['5432'] } }] },
    ]);
  });

  test('fails a required claim without values or with brackets, and conflicting mTLS exceptions', () => {
    const shop = new SecureNamespace(shopChart(), 'shop', { name: 'shop' });
    expect(() => shop.requireJwt({ issuer: 'x', requiredClaims: { 'roles[0]': ['a'] } })).toThrow(/Invalid requiredClaims "roles\[0\]": a claim name has no "\[" or "\]"/);
    expect(() => shop.requireJwt({ issuer: 'x', requiredClaims: { groups: [] } })).toThrow(/Invalid requiredClaims\["groups"\] \[\]: a required claim needs the accepted values/);
    shop.addMtlsException(catalog);
    expect(() => shop.addMtlsException(catalog, { mode: MtlsMode.DISABLE })).toThrow(/workload "catalog" already has an mTLS exception with mode PERMISSIVE/);
  });

  test('fails on a spiffe:// trust domain, suggesting the bare trust domain', () => {
    expect(() => new SecureNamespace(shopChart(), 'shop', { name: 'shop', trustDomain: 'spiffe://acme.local' })).toThrow(
      'Invalid trustDomain "spiffe://acme.local": Istio adds the "spiffe://" prefix itself, so a rule with it never matches. Fix: drop the prefix: "acme.local"');
  });

  describe('requireJwt and plain-TCP intents', () => {
    const jwt = { issuer: 'https://accounts.example.com', jwksUri: 'https://accounts.example.com/jwks.json' };

    test('fails at synth when the DENY would block a tcpPorts() intent on the same workload', () => {
      const chart = shopChart();
      const shop = new SecureNamespace(chart, 'shop', { name: 'shop' });
      shop.allow(MeshIdentity.namespace(NamespaceRef.named('monitoring'))).to(catalog).tcpPorts(9090);
      shop.requireJwt({ ...jwt, workload: catalog });
      expect(() => Testing.synth(chart)).toThrow(
        'Invalid requireJwt "catalog-require-jwt": its DENY rule also rejects the plain-TCP traffic that allow-ns-monitoring-to-catalog allows on port(s) 9090 '
        + '(a DENY on request principals matches TCP connections, which carry no JWT). Fix: add exceptTcpPorts: [9090] to requireJwt(), or drop the TCP intent');
    });

    test('a namespace-wide requirement conflicts with every TCP intent of the namespace', () => {
      const chart = shopChart();
      const shop = new SecureNamespace(chart, 'shop', { name: 'shop' });
      shop.allow(frontend).to(MeshWorkload.labels({ app: 'db' }, { namespace: 'shop' })).tcpPorts(5432);
      shop.requireJwt(jwt);
      expect(() => Testing.synth(chart)).toThrow(/Invalid requireJwt "require-jwt": its DENY rule also rejects the plain-TCP traffic that allow-frontend-to-db allows on port\(s\) 5432/);
    });

    test('exceptTcpPorts keeps the TCP port out of every DENY rule; near miss: a TCP intent on another workload is no conflict', () => {
      const chart = shopChart();
      const shop = new SecureNamespace(chart, 'shop', { name: 'shop' });
      shop.allow(MeshIdentity.namespace(NamespaceRef.named('monitoring'))).to(catalog).tcpPorts(9090);
      shop.allow(frontend).to(MeshWorkload.labels({ app: 'db' }, { namespace: 'shop' })).tcpPorts(5432);
      const req = shop.requireJwt({ ...jwt, workload: catalog, requiredClaims: { groups: ['buyers'] }, exceptTcpPorts: [9090] });
      const deny = Testing.synth(chart).find((d) => d.metadata.name === req.authorizationPolicy.name);
      expect(deny.spec.action).toEqual('DENY');
      expect(deny.spec.rules).toEqual([
        { from: [{ source: { notRequestPrincipals: ['*'] } }], to: [{ operation: { notPorts: ['9090'] } }] },
        { to: [{ operation: { notPorts: ['9090'] } }], when: [{ key: 'request.auth.claims[groups]', notValues: ['buyers'] }] },
      ]);
    });
  });
});

describe('SecureNamespace: any caller, any authenticated caller, and the ALLOW form of requireJwt', () => {
  const ruleOf = (out: any[], name: string) => byName(out, name).spec.rules;

  test('allowAuthenticated(): any mesh identity (principals ["*"]); allowAnyCaller(): no source at all', () => {
    const chart = shopChart();
    const shop = new SecureNamespace(chart, 'shop', { name: 'shop' });
    shop.allowAuthenticated().to(catalog).methods(HttpMethod.GET);
    shop.allowAnyCaller().to(MeshWorkload.labels({ app: 'status' }, { namespace: 'shop' })).paths('/healthz');
    const out = Testing.synth(chart);
    expect(ruleOf(out, 'allow-any-authenticated-to-catalog')).toEqual([
      { from: [{ source: { principals: ['*'] } }], to: [{ operation: { methods: ['GET'] } }] },
    ]);
    expect(ruleOf(out, 'allow-anyone-to-status')).toEqual([{ to: [{ operation: { paths: ['/healthz'] } }] }]);
    expect(MeshIdentity.anyCaller().toString()).toEqual('any caller');
    expect(MeshIdentity.anyAuthenticated().toString()).toEqual('any authenticated caller');
  });

  test('an any-caller intent alone allows every request to its target (the rule {}); mixed with named callers, the named ones add nothing', () => {
    const chart = shopChart();
    const shop = new SecureNamespace(chart, 'shop', { name: 'shop' });
    shop.allowAnyCaller().to(catalog);
    const policy = new AuthorizationPolicy(chart, 'mixed', { selector: catalog });
    policy.addRule({ from: [frontend, MeshIdentity.anyCaller()], methods: [HttpMethod.GET] });
    const out = Testing.synth(chart);
    expect(ruleOf(out, 'allow-anyone-to-catalog')).toEqual([{}]);
    expect(out.find((o: any) => o.metadata.name.startsWith('shop-mixed')).spec.rules).toEqual([{ to: [{ operation: { methods: ['GET'] } }] }]);
  });

  test('the edge identity is admitted by an any-authenticated or any-caller intent (no "allow the gateway identity" error)', () => {
    const edge = MeshIdentity.of('istio-ingress', 'istio-ingressgateway');
    const chart = shopChart();
    const shop = new SecureNamespace(chart, 'shop', { name: 'shop' });
    expect(shop._admits(edge)).toBe(false);
    shop.allowAuthenticated().to(catalog);
    expect(shop._admits(edge)).toBe(true);
    expect(shop._admits(MeshIdentity.anyCaller())).toBe(false); // plaintext callers carry no identity
    shop.allowAnyCaller().to(catalog);
    expect(shop._admits(MeshIdentity.anyCaller())).toBe(true);
  });

  test('fails: notFrom any caller, and a custom identity that names nothing', () => {
    const chart = shopChart();
    const policy = new AuthorizationPolicy(chart, 'p', { selector: catalog });
    expect(() => policy.addRule({ notFrom: [MeshIdentity.anyCaller()], methods: [HttpMethod.GET] }))
      .toThrow('Invalid rule.notFrom "any caller": excluding every caller makes the rule never match. Fix: name the callers to exclude, or drop the rule');
    const nobody = { identityKey: 'nobody', identityNamespace: 'shop', toMeshIdentityConfig: () => ({}) };
    expect(() => policy.addRule({ from: [nobody], methods: [HttpMethod.GET] }))
      .toThrow('Invalid rule.from "nobody": the identity names no principal and no namespace, so the rule would silently match every caller. Fix: return principals or namespaces from toMeshIdentityConfig(), or use MeshIdentity.anyCaller() if any caller is meant');
  });

  test('allowJwt: RequestAuthentication + one ALLOW rule on the listed request principals (default: any token of the issuer), claims AND-ed', () => {
    const chart = shopChart();
    const shop = new SecureNamespace(chart, 'shop', { name: 'shop' });
    const issuer = 'https://accounts.example.com';
    const req = shop.allowJwt({ workload: catalog, issuer, requestPrincipals: [`${issuer}/user-1`, `${issuer}/svc-*`], requiredClaims: { groups: ['buyers'] } });
    shop.allowJwt({ issuer });
    const out = Testing.synth(chart);
    expect(byName(out, 'catalog-jwt').spec).toEqual({ selector: { matchLabels: { app: 'catalog' } }, jwtRules: [{ issuer }] });
    expect(byName(out, 'catalog-allow-jwt').spec).toEqual({
      action: 'ALLOW',
      selector: { matchLabels: { app: 'catalog' } },
      rules: [{
        from: [{ source: { requestPrincipals: [`${issuer}/user-1`, `${issuer}/svc-*`] } }],
        when: [{ key: 'request.auth.claims[groups]', values: ['buyers'] }],
      }],
    });
    expect(byName(out, 'allow-jwt').spec).toEqual({ action: 'ALLOW', rules: [{ from: [{ source: { requestPrincipals: [`${issuer}/*`] } }] }] });
    expect(byName(out, 'jwt').spec).toEqual({ jwtRules: [{ issuer }] });
    expect(req.authorizationPolicy.action).toEqual('ALLOW');
    expect(shop.policies.map((p) => p.name)).toEqual(['catalog-allow-jwt', 'allow-jwt']);
  });

  test('requireJwt and allowJwt on one workload share its RequestAuthentication', () => {
    const chart = shopChart();
    const shop = new SecureNamespace(chart, 'shop', { name: 'shop' });
    const a = shop.requireJwt({ workload: catalog, issuer: 'https://a.example.com' });
    const b = shop.allowJwt({ workload: catalog, issuer: 'https://a.example.com', requestPrincipals: ['*'] });
    expect(b.requestAuthentication).toBe(a.requestAuthentication);
    expect(byKind(Testing.synth(chart), 'RequestAuthentication')).toHaveLength(1);
  });

  test('fails: allowJwt with no request principal, a "*" in the middle, no options, or in an ambient namespace without a waypoint', () => {
    const chart = shopChart();
    const shop = new SecureNamespace(chart, 'shop', { name: 'shop' });
    expect(() => shop.allowJwt({ issuer: 'x', requestPrincipals: [] }))
      .toThrow('Invalid requestPrincipals []: an empty list lets no token in. Fix: list "<iss>/<sub>" values, or leave it out for any token of the issuer');
    expect(() => shop.allowJwt({ issuer: 'x', requestPrincipals: ['https://a.example.com/user-*-admin'] }))
      .toThrow(/Invalid requestPrincipals "https:\/\/a.example.com\/user-\*-admin": Istio treats "\*" as a wildcard only alone, at the start or at the end/);
    expect(() => shop.allowJwt(undefined as any)).toThrow(/Invalid options \(undefined\): it is required and must be an object/);
    expect(() => shop.requireJwt(undefined as any)).toThrow(/Invalid options \(undefined\): it is required and must be an object/);
    const ambient = new SecureNamespace(shopChart(), 'ambient', { name: 'shop', enrolment: MeshEnrolment.ambient() });
    expect(() => ambient.allowJwt({ issuer: 'x' })).toThrow(/Invalid allowJwt "namespace shop"/);
  });
});

describe('SecureNamespace: the Service in front of a target is an object (ambient waypoints)', () => {
  const ambient = () => new SecureNamespace(shopChart(), 'shop', { name: 'shop', enrolment: MeshEnrolment.ambient({ waypoint: true }) });

  test('service: ServiceHost.inNamespace(...) or fromService(...) attaches the policy to that Service', () => {
    const shop = ambient();
    shop.allow(frontend).to(catalog, { service: ServiceHost.inNamespace('shop', 'catalog') });
    const svc = new kplus.Service(shop, 'reviews-svc', { metadata: { name: 'reviews', namespace: 'shop' }, ports: [{ port: 9080 }] });
    shop.requireJwt({ issuer: 'https://a.example.com', workload: MeshWorkload.labels({ app: 'reviews' }, { namespace: 'shop' }), service: ServiceHost.fromService(svc) });
    const out = Testing.synth(Chart.of(shop));
    expect(byName(out, 'allow-frontend-to-catalog').spec.targetRefs).toEqual([{ group: '', kind: 'Service', name: 'catalog' }]);
    expect(byName(out, 'reviews-require-jwt').spec.targetRefs).toEqual([{ group: '', kind: 'Service', name: 'reviews' }]);
  });

  test('fails: the removed serviceName string (JavaScript callers), a Service of another namespace, an external host', () => {
    const shop = ambient();
    expect(() => shop.allow(frontend).to(catalog, { serviceName: 'catalog' } as any)).toThrow(
      'Invalid serviceName "catalog": the Service is given as an object now (option `service`). Fix: pass service: ServiceHost.inNamespace("shop", "catalog") or ServiceHost.fromService(svc)');
    expect(() => shop.allow(frontend).to(catalog, { service: ServiceHost.inNamespace('pay', 'catalog') }))
      .toThrow(/Invalid service "catalog.pay.svc.cluster.local": it is not a Service of namespace shop/);
    expect(() => shop.requireJwt({ issuer: 'x', workload: catalog, service: ServiceHost.external('api.example.com') }))
      .toThrow(/Invalid service "api.example.com": it is not a Service of namespace shop/);
  });
});
