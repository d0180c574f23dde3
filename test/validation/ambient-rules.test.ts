import { ApiObject, App, Chart, Testing } from 'cdk8s';
import {
  CanaryService, ExternalService, HttpMethod, MeshDependencies, MeshEnrolment, MeshValidation, MeshWorkload, SecureNamespace, ValidationSeverity,
} from '../../src';

const NET = 'networking.istio.io/v1';
const SEC = 'security.istio.io/v1';

function setup(nsLabels?: { [k: string]: string }): { app: App; chart: Chart } {
  const app = Testing.app();
  const chart = new Chart(app, 'shop', { namespace: 'shop' });
  if (nsLabels) new ApiObject(chart, 'ns', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop', namespace: undefined, labels: nsLabels } });
  return { app, chart };
}
const AMBIENT = { 'istio.io/dataplane-mode': 'ambient' };
const AMBIENT_WAYPOINT = { 'istio.io/dataplane-mode': 'ambient', 'istio.io/use-waypoint': 'waypoint' };

function raw(chart: Chart, apiVersion: string, kind: string, name: string, spec: any, labels?: { [k: string]: string }): ApiObject {
  return new ApiObject(chart, `${kind}-${name}`, { apiVersion, kind, metadata: { name, labels }, spec });
}
function service(chart: Chart, name: string, labels?: { [k: string]: string }): ApiObject {
  return raw(chart, 'v1', 'Service', name, { ports: [{ name: 'http', port: 8080 }], selector: { app: name } }, labels);
}
function found(app: App, rule: string): string[] {
  return MeshValidation.of(app).validate().filter((f) => f.rule === rule).map((f) => `${f.severity} ${f.constructPath} ${f.path}: ${f.message}`);
}

const L7_ALLOW = {
  selector: { matchLabels: { app: 'catalog' } },
  rules: [{ from: [{ source: { principals: ['cluster.local/ns/shop/sa/frontend'] } }], to: [{ operation: { methods: ['GET'], paths: ['/public'] } }] }],
};

describe('IST0167: a Sidecar in an ambient namespace has no impact (warning)', () => {
  const sidecar = (chart: Chart, name: string, selector?: { [k: string]: string }) =>
    raw(chart, NET, 'Sidecar', name, { ...(selector ? { workloadSelector: { labels: selector } } : {}), egress: [{ hosts: ['./*'] }] });

  test('warns on a namespace-wide Sidecar and on a selected one', () => {
    const { app, chart } = setup(AMBIENT);
    sidecar(chart, 'default');
    sidecar(chart, 'frontend', { app: 'frontend' });
    expect(found(app, 'IST0167')).toEqual([
      'warning shop/Sidecar-default metadata.namespace: The policy has no impact: namespace shop is in ambient mode (istio.io/dataplane-mode=ambient), where pods run without a sidecar. '
      + 'Fix: remove the Sidecar, or enrol the namespace for sidecar injection (istio-injection=enabled) instead of ambient',
      'warning shop/Sidecar-frontend spec.workloadSelector: The policy has no impact: namespace shop is in ambient mode (istio.io/dataplane-mode=ambient), so the workloads this Sidecar selects '
      + 'run without a sidecar (unless their pods opt into injection with the label sidecar.istio.io/inject: "true"). Fix: remove the Sidecar (ambient scopes nothing per client; '
      + 'ztunnel and waypoints use ServiceEntries), or suppress IST0167 for it when the selected pods are injected',
    ]);
    // a warning: synth still succeeds
    expect(() => app.synth()).not.toThrow();
  });

  test('near misses: injection wins over the ambient label (as NamespaceInAmbientMode), a sidecar namespace, a namespace outside the input', () => {
    const cases: Array<{ [k: string]: string } | undefined> = [{ ...AMBIENT, 'istio-injection': 'enabled' }, { ...AMBIENT, 'istio.io/rev': '1-30-3' }, { 'istio-injection': 'enabled' }, undefined];
    for (const labels of cases) {
      const { app, chart } = setup(labels);
      sidecar(chart, 'default');
      expect([labels, found(app, 'IST0167')]).toEqual([labels, []]);
    }
  });

  test('near miss: a selected Sidecar whose pods (in the input) all opt into injection by their own label; still a warning when one does not', () => {
    const pod = (chart: Chart, name: string, labels: { [k: string]: string }) => new ApiObject(chart, `d-${name}`, {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name },
      spec: { selector: { matchLabels: { app: 'legacy' } }, template: { metadata: { labels: { app: 'legacy', ...labels } }, spec: { containers: [{ name: 'app', image: 'legacy:1' }] } } },
    });
    const { app, chart } = setup(AMBIENT);
    sidecar(chart, 'legacy', { app: 'legacy' });
    pod(chart, 'legacy', { 'sidecar.istio.io/inject': 'true', 'istio.io/dataplane-mode': 'none' });
    expect(found(app, 'IST0167')).toEqual([]);
    pod(chart, 'legacy-2', {});
    expect(found(app, 'IST0167').map((f) => f.split(':')[0])).toEqual(['warning shop/Sidecar-legacy spec.workloadSelector']);
  });
});

describe('MESH103: a waypoint\'s listener is port 15008, protocol HBONE', () => {
  const waypoint = (chart: Chart, listeners: any[]) => new ApiObject(chart, 'waypoint', {
    apiVersion: 'gateway.networking.k8s.io/v1', kind: 'Gateway', metadata: { name: 'waypoint' }, spec: { gatewayClassName: 'istio-waypoint', listeners },
  });
  test('warns on an HTTP listener on 15008 and on another port', () => {
    const { app, chart } = setup(AMBIENT_WAYPOINT);
    waypoint(chart, [{ name: 'mesh', port: 15008, protocol: 'HTTP' }, { name: 'web', port: 80, protocol: 'HTTP' }]);
    expect(found(app, 'MESH103')).toEqual([
      'warning shop/waypoint spec.listeners[0]: Expected a single listener on port 15008 with protocol "HBONE" (this one: port 15008, protocol HTTP): istiod does not accept the listener of a waypoint otherwise. '
      + 'Fix: give the waypoint one listener { name: mesh, port: 15008, protocol: HBONE } (as `istioctl waypoint generate` writes it)',
      'warning shop/waypoint spec.listeners[1]: Expected a single listener on port 15008 with protocol "HBONE" (this one: port 80, protocol HTTP): istiod does not accept the listener of a waypoint otherwise. '
      + 'Fix: give the waypoint one listener { name: mesh, port: 15008, protocol: HBONE } (as `istioctl waypoint generate` writes it)',
    ]);
  });
  test('near misses: the HBONE listener; an HTTP listener on a Gateway of another class', () => {
    const { app, chart } = setup(AMBIENT_WAYPOINT);
    waypoint(chart, [{ name: 'mesh', port: 15008, protocol: 'HBONE' }]);
    new ApiObject(chart, 'edge', { apiVersion: 'gateway.networking.k8s.io/v1', kind: 'Gateway', metadata: { name: 'edge' }, spec: { gatewayClassName: 'istio', listeners: [{ name: 'http', port: 80, protocol: 'HTTP' }] } });
    expect(found(app, 'MESH103')).toEqual([]);
  });
});

describe('MESH101: a policy ztunnel enforces (ambient, no targetRefs) with HTTP attributes', () => {
  test('fails on an ALLOW policy with methods and paths: ztunnel omits the rule', () => {
    const { app, chart } = setup(AMBIENT);
    raw(chart, SEC, 'AuthorizationPolicy', 'allow-get', L7_ALLOW);
    expect(found(app, 'MESH101')).toEqual([
      'error shop/AuthorizationPolicy-allow-get spec.rules[0].to[0].operation.methods: ztunnel enforces this policy (namespace shop is ambient and the policy has no targetRefs), '
      + 'and ztunnel does not see HTTP attributes (found: methods, paths): it omits the ALLOW rules that use them, so the requests they allow are denied. '
      + 'Fix: route namespace shop through a waypoint (label it istio.io/use-waypoint=<waypoint> and deploy the waypoint) and attach the policy with targetRefs, '
      + 'or keep only sources, ports and source/destination conditions',
    ]);
  });

  test('fails on a DENY policy with request principals and an HTTP condition: enforced without them; the fix names the waypoint', () => {
    const { app, chart } = setup(AMBIENT_WAYPOINT);
    raw(chart, SEC, 'AuthorizationPolicy', 'require-jwt', {
      action: 'DENY',
      selector: { matchLabels: { app: 'catalog' } },
      rules: [{ from: [{ source: { notRequestPrincipals: ['*'] } }] }, { when: [{ key: 'request.auth.claims[groups]', notValues: ['buyers'] }] }],
    });
    expect(found(app, 'MESH101')).toEqual([
      'error shop/AuthorizationPolicy-require-jwt spec.rules[0].from[0].source.notRequestPrincipals: ztunnel enforces this policy (namespace shop is ambient and the policy has no targetRefs), '
      + 'and ztunnel does not see HTTP attributes (found: notRequestPrincipals, request.auth.claims[groups]): it enforces this DENY policy without its HTTP conditions, so it denies more than written. '
      + 'Fix: attach it to the waypoint with targetRefs (kind Service for one Service, or the waypoint Gateway "waypoint" for the namespace) instead of a selector',
    ]);
  });

  test('fails on a CUSTOM policy and on a RequestAuthentication without targetRefs', () => {
    const { app, chart } = setup(AMBIENT);
    raw(chart, SEC, 'AuthorizationPolicy', 'ext-authz', { action: 'CUSTOM', provider: { name: 'opa' }, rules: [{}] });
    raw(chart, SEC, 'RequestAuthentication', 'jwt', { selector: { matchLabels: { app: 'catalog' } }, jwtRules: [{ issuer: 'https://issuer.example.com' }] });
    expect(found(app, 'MESH101')).toEqual([
      'error shop/AuthorizationPolicy-ext-authz spec.action: ztunnel enforces this policy (namespace shop is ambient and the policy has no targetRefs), and ztunnel does not support the CUSTOM action: '
      + 'the policy is not applied. Fix: route namespace shop through a waypoint (label it istio.io/use-waypoint=<waypoint> and deploy the waypoint) and attach the policy with targetRefs, '
      + 'or keep only sources, ports and source/destination conditions',
      'error shop/RequestAuthentication-jwt spec.selector: Namespace shop is ambient and this RequestAuthentication has no targetRefs: ztunnel does not see HTTP, so no token is validated '
      + 'and request principals stay empty. Fix: route namespace shop through a waypoint (istio.io/use-waypoint) and attach it with targetRefs',
    ]);
  });

  test('near misses: L4-only rules, the same rule attached to the waypoint, a sidecar namespace, gateway pods (their own Envoy)', () => {
    const l4 = setup(AMBIENT);
    raw(l4.chart, SEC, 'AuthorizationPolicy', 'allow-l4', {
      selector: { matchLabels: { app: 'catalog' } },
      rules: [{
        from: [{ source: { principals: ['cluster.local/ns/shop/sa/frontend'], namespaces: ['shop'] } }],
        to: [{ operation: { ports: ['8080'] } }],
        when: [{ key: 'source.ip', values: ['10.0.0.0/8'] }],
      }],
    });
    raw(l4.chart, SEC, 'AuthorizationPolicy', 'deny-l4', { action: 'DENY', rules: [{ from: [{ source: { notNamespaces: ['shop'] } }] }] });
    expect(found(l4.app, 'MESH101')).toEqual([]);

    const waypoint = setup(AMBIENT_WAYPOINT);
    service(waypoint.chart, 'catalog');
    raw(waypoint.chart, SEC, 'AuthorizationPolicy', 'allow-get', { ...L7_ALLOW, selector: undefined, targetRefs: [{ group: '', kind: 'Service', name: 'catalog' }] });
    expect(found(waypoint.app, 'MESH101')).toEqual([]);

    const sidecar = setup({ 'istio-injection': 'enabled' });
    raw(sidecar.chart, SEC, 'AuthorizationPolicy', 'allow-get', L7_ALLOW);
    expect(found(sidecar.app, 'MESH101')).toEqual([]);

    const gateway = setup(AMBIENT);
    raw(gateway.chart, NET, 'Gateway', 'public', { selector: { istio: 'ingressgateway' }, servers: [{ port: { number: 80, name: 'http', protocol: 'HTTP' }, hosts: ['*'] }] });
    raw(gateway.chart, SEC, 'AuthorizationPolicy', 'edge', { ...L7_ALLOW, selector: { matchLabels: { istio: 'ingressgateway' } } });
    expect(found(gateway.app, 'MESH101')).toEqual([]);
  });
});

describe('MESH102: a policy attached to a Service that no waypoint serves', () => {
  const attached = (chart: Chart, kind = 'AuthorizationPolicy') => raw(chart, SEC, kind, 'catalog-policy', kind === 'AuthorizationPolicy'
    ? { targetRefs: [{ group: '', kind: 'Service', name: 'catalog' }], rules: [{ to: [{ operation: { methods: ['GET'] } }] }] }
    : { targetRefs: [{ group: '', kind: 'Service', name: 'catalog' }], jwtRules: [{ issuer: 'https://issuer.example.com' }] });

  test('fails when neither the Service nor its namespace names a waypoint (also in a sidecar namespace: sidecars ignore targetRefs)', () => {
    for (const labels of [AMBIENT, { 'istio-injection': 'enabled' }]) {
      const { app, chart } = setup(labels);
      service(chart, 'catalog');
      attached(chart);
      attached(chart, 'RequestAuthentication');
      expect(found(app, 'MESH102')).toEqual(['AuthorizationPolicy', 'RequestAuthentication'].map((kind) =>
        `error shop/${kind}-catalog-policy spec.targetRefs[0]: Service/catalog has no waypoint (neither Service/catalog nor namespace shop carries istio.io/use-waypoint): `
        + `only a waypoint enforces a policy attached to a Service; sidecars and ztunnel ignore it, so this ${kind} has no effect. `
        + 'Fix: label namespace shop (or the Service) istio.io/use-waypoint=<waypoint> and deploy that waypoint, or use a workload selector instead of targetRefs'));
    }
  });

  test('fails when the Service opts out (istio.io/use-waypoint: none), or its waypoint takes no service traffic', () => {
    const optOut = setup(AMBIENT_WAYPOINT);
    service(optOut.chart, 'catalog', { 'istio.io/use-waypoint': 'none' });
    attached(optOut.chart);
    expect(found(optOut.app, 'MESH102')).toEqual([
      'error shop/AuthorizationPolicy-catalog-policy spec.targetRefs[0]: Service/catalog has no waypoint (Service/catalog opts out of waypoints (istio.io/use-waypoint: none)): '
      + 'only a waypoint enforces a policy attached to a Service; sidecars and ztunnel ignore it, so this AuthorizationPolicy has no effect. '
      + 'Fix: label namespace shop (or the Service) istio.io/use-waypoint=<waypoint> and deploy that waypoint, or use a workload selector instead of targetRefs',
    ]);

    const workloadOnly = setup(AMBIENT_WAYPOINT);
    service(workloadOnly.chart, 'catalog');
    attached(workloadOnly.chart);
    raw(workloadOnly.chart, 'gateway.networking.k8s.io/v1', 'Gateway', 'waypoint', {
      gatewayClassName: 'istio-waypoint', listeners: [{ name: 'mesh', port: 15008, protocol: 'HBONE' }],
    }, { 'istio.io/waypoint-for': 'workload' });
    expect(found(workloadOnly.app, 'MESH102')).toEqual([
      'error shop/AuthorizationPolicy-catalog-policy spec.targetRefs[0]: Service/catalog uses waypoint shop/waypoint, which takes no service traffic (istio.io/waypoint-for: workload): '
      + 'the Service is not bound to it, so nothing enforces this AuthorizationPolicy. Fix: label the waypoint istio.io/waypoint-for=service (or all)',
    ]);
  });

  test('near misses: a namespace or Service waypoint (also in another namespace), a ServiceEntry labelled for a waypoint, targets outside the input, Gateways', () => {
    const ns = setup(AMBIENT_WAYPOINT);
    service(ns.chart, 'catalog');
    attached(ns.chart);
    raw(ns.chart, 'gateway.networking.k8s.io/v1', 'Gateway', 'waypoint', {
      gatewayClassName: 'istio-waypoint', listeners: [{ name: 'mesh', port: 15008, protocol: 'HBONE' }],
    }, { 'istio.io/waypoint-for': 'service' });
    expect(found(ns.app, 'MESH102')).toEqual([]);

    const own = setup(AMBIENT);
    service(own.chart, 'catalog', { 'istio.io/use-waypoint': 'shared', 'istio.io/use-waypoint-namespace': 'waypoints' });
    attached(own.chart);
    expect(found(own.app, 'MESH102')).toEqual([]);

    const egress = setup(AMBIENT);
    raw(egress.chart, NET, 'ServiceEntry', 'stripe', { hosts: ['api.stripe.com'], ports: [{ number: 443, name: 'tls', protocol: 'TLS' }], resolution: 'DNS' },
      { 'istio.io/use-waypoint': 'egress' });
    raw(egress.chart, SEC, 'AuthorizationPolicy', 'allow-egress', { targetRefs: [{ group: 'networking.istio.io', kind: 'ServiceEntry', name: 'stripe' }], rules: [{}] });
    raw(egress.chart, SEC, 'AuthorizationPolicy', 'at-waypoint', { targetRefs: [{ group: 'gateway.networking.k8s.io', kind: 'Gateway', name: 'waypoint' }], rules: [{}] });
    attached(egress.chart); // Service/catalog is not in the input: its labels are unknown
    expect(found(egress.app, 'MESH102')).toEqual([]);

    const unknownNs = setup();
    service(unknownNs.chart, 'catalog');
    attached(unknownNs.chart); // the Namespace is not in the input
    expect(found(unknownNs.app, 'MESH102')).toEqual([]);
  });
});

describe('the ambient rules at synth', () => {
  test('fail app.synth() naming the rule and the culprit', () => {
    const { app, chart } = setup(AMBIENT);
    new SecureNamespace(new Chart(app, 'platform'), 'other', { name: 'other' }); // an L2 switches validation on
    raw(chart, SEC, 'AuthorizationPolicy', 'allow-get', L7_ALLOW);
    expect(() => app.synth()).toThrow('shop/AuthorizationPolicy-allow-get: [MESH101] ');
  });

  test('what SecureNamespace and MeshDependencies render for ambient namespaces is clean', () => {
    for (const enrolment of [MeshEnrolment.ambient({ waypoint: true }), MeshEnrolment.ambient()]) {
      const app = Testing.app();
      const chart = new Chart(app, 'shop', { namespace: 'shop' });
      const shop = new SecureNamespace(chart, 'ns', { name: 'shop', enrolment });
      // a canary's routing needs the waypoint (refused without one): stable only there
      const catalog = new CanaryService(chart, 'catalog', {
        port: 8080,
        stable: { image: 'ghcr.io/acme/catalog:2.0.0', version: 'v1' },
        canary: enrolment.hasWaypoint ? { image: 'ghcr.io/acme/catalog:2.1.0', version: 'v2' } : undefined,
      });
      const frontend = MeshWorkload.labels({ app: 'frontend' }, { namespace: 'shop', serviceAccountName: 'frontend' });
      const rule = shop.allow(frontend.workloadIdentity!).to(catalog).ports(8080);
      if (enrolment.hasWaypoint) rule.methods(HttpMethod.GET);
      if (enrolment.hasWaypoint) shop.requireJwt({ issuer: 'https://issuer.example.com', workload: catalog });
      const deps = new MeshDependencies(chart, 'deps');
      deps.dependsOn(frontend, catalog, { ports: [8080] });
      deps.dependsOnExternal(frontend, ExternalService.tls('api.stripe.com'));
      const ambient = MeshValidation.of(app).validate()
        .filter((f) => ['IST0167', 'MESH101', 'MESH102'].includes(f.rule) || f.severity === ValidationSeverity.ERROR);
      expect([enrolment.toString(), ambient]).toEqual([enrolment.toString(), []]);
    }
  });
});
