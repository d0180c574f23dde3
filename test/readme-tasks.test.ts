// README "Istio tasks, typed": the same code as the README blocks (which test/readme.test.ts only type-checks),
// synthesized, with the fields each task owns asserted exactly, every object valid against the CRDs, and the
// mesh rules clean.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Chart, Duration, Testing, Yaml } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import {
  AccessLogProvider, AuthorizationPolicy, ConformanceValidator, EgressGateway, ExtAuthzProvider, ExternalService, Gateway, GatewayProtocol,
  GatewayTls, HttpMatch, MeshConfigFragment, MeshDependencies, MeshValidation, MeshWorkload, MultiVersionService, OutboundTrafficMode,
  RequestAuthentication, ServiceHost, StringMatch, Telemetry, VirtualService,
} from '../src';
import { main } from '../src/validation/cli';

function shopApp(): { app: App; chart: Chart; frontend: kplus.Deployment } {
  const app = Testing.app();
  const chart = new Chart(app, 'shop', { namespace: 'shop' });
  const frontendSa = new kplus.ServiceAccount(chart, 'frontend-sa', { metadata: { name: 'frontend' } });
  const frontend = new kplus.Deployment(chart, 'frontend', {
    metadata: { name: 'frontend' },
    serviceAccount: frontendSa,
    select: false,
    podMetadata: { labels: { app: 'frontend' } },
    containers: [{ image: 'ghcr.io/acme/frontend:1.4.2', portNumber: 8080 }],
  });
  frontend.select(kplus.LabelSelector.of({ labels: { app: 'frontend' } }));
  return { app, chart, frontend };
}
const find = (chart: Chart, kind: string, name: string) => Testing.synth(chart).find((o: any) => o.kind === kind && o.metadata.name === name);
/** Clean for the three checkers: the CRDs, the synth-time mesh rules, and `cdk8s-istio validate` on the written output. */
function expectValid(chart: Chart): void {
  const v = ConformanceValidator.builtIn();
  const docs = Testing.synth(chart);
  expect(docs.flatMap((o: any) => v.validate(o))).toEqual([]);
  expect(MeshValidation.of(chart).validate().map((f) => `${f.rule} ${f.constructPath}: ${f.message}`)).toEqual([]);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk8s-istio-tasks-'));
  fs.writeFileSync(path.join(dir, 'out.k8s.yaml'), Yaml.stringify(...docs));
  let out = '';
  const rc = main(['validate', '--format', 'json', dir], { write: (t: string) => { out += t; return true; } }, { write: () => true });
  expect({ rc, findings: JSON.parse(out).map((f: any) => `${f.severity} ${f.rule} ${f.kind}/${f.name}: ${f.message}`) }).toEqual({ rc: 0, findings: [] });
}

describe('README: Istio tasks, typed', () => {
  test('egress control: REGISTRY_ONLY in the Helm values, frontend through the egress gateway', () => {
    const { chart, frontend } = shopApp();
    const mesh = new MeshConfigFragment(chart, 'mesh-config', { outboundTrafficPolicy: OutboundTrafficMode.REGISTRY_ONLY });
    const deps = new MeshDependencies(chart, 'egress');
    deps.dependsOnExternal(MeshWorkload.fromWorkload(frontend),
      ExternalService.originateTls('edition.cnn.com', { caCertificates: '/etc/ssl/certs/ca-certificates.crt' })
        .throughEgressGateway(EgressGateway.istio()));
    expect(mesh.toHelmValuesYaml()).toEqual('meshConfig:\n  outboundTrafficPolicy:\n    mode: REGISTRY_ONLY\n');
    expect(find(chart, 'AuthorizationPolicy', 'allow-egress-edition-cnn-com').spec.rules).toEqual([
      { from: [{ source: { principals: ['cluster.local/ns/shop/sa/frontend'] } }], to: [{ operation: { hosts: ['edition.cnn.com', 'edition.cnn.com:80'] } }] },
    ]);
    expect(find(chart, 'VirtualService', 'edition-cnn-com-from-egress-gateway').spec.http[0].route).toEqual([{ destination: { host: 'edition.cnn.com', port: { number: 443 } } }]);
    expectValid(chart);
  });

  test('ext-authz: a CUSTOM policy and its provider in the fragment', () => {
    const { chart, frontend } = shopApp();
    const extAuthz = ExtAuthzProvider.http({
      name: 'sample-ext-authz-http', service: 'ext-authz.foo.svc.cluster.local', port: 8000, includeRequestHeadersInCheck: ['x-ext-authz'],
    });
    AuthorizationPolicy.custom(chart, 'ext-authz', { provider: extAuthz, selector: MeshWorkload.fromWorkload(frontend), rules: [{ paths: ['/headers'] }] });
    const policy = Testing.synth(chart).find((o: any) => o.kind === 'AuthorizationPolicy');
    expect(policy.metadata.namespace).toBe('shop');
    expect(policy.spec).toEqual({
      selector: { matchLabels: { app: 'frontend' } },
      action: 'CUSTOM',
      provider: { name: 'sample-ext-authz-http' },
      rules: [{ to: [{ operation: { paths: ['/headers'] } }] }],
    });
    expect(MeshConfigFragment.of(chart).toMeshConfig().extensionProviders.map((p: any) => p.name)).toEqual(['sample-ext-authz-http']);
    // the declaration travels in the output, for the cdk8s plugin and `cdk8s-istio validate` (MESH002)
    expect(policy.metadata.annotations).toEqual({ 'validation.cdk8s-istio.dev/providers': 'sample-ext-authz-http' });
    expectValid(chart);
  });

  test('OpenTelemetry access logs: envoyOtelAls declared, a Telemetry for frontend', () => {
    const { chart, frontend } = shopApp();
    const otel = AccessLogProvider.openTelemetry({ name: 'otel', service: 'opentelemetry-collector.observability.svc.cluster.local' });
    const mesh = new MeshConfigFragment(chart, 'mesh-logs', { accessLogProviders: [otel] });
    new Telemetry(chart, 'frontend-logging', { selector: MeshWorkload.fromWorkload(frontend), accessLogging: [{ providers: [otel], filter: 'response.code >= 400' }] });
    expect(mesh.toMeshConfig().extensionProviders).toEqual([{ name: 'otel', envoyOtelAls: { port: 4317, service: 'opentelemetry-collector.observability.svc.cluster.local' } }]);
    expect(Testing.synth(chart).find((o: any) => o.kind === 'Telemetry').spec).toEqual({
      selector: { matchLabels: { app: 'frontend' } },
      accessLogging: [{ providers: [{ name: 'otel' }], filter: { expression: 'response.code >= 400' } }],
    });
    expectValid(chart);
  });

  test('JWT claim based routing: the claim match, a RequestAuthentication at the gateway, the port from the host', () => {
    const { chart } = shopApp();
    const ingress = MeshWorkload.labels({ istio: 'ingressgateway' }, { namespace: 'istio-system' });
    new RequestAuthentication(chart, 'ingress-jwt', {
      metadata: { namespace: 'istio-system' },
      selector: ingress,
      jwtRules: [{ issuer: 'testing@secure.istio.io', jwksUri: 'https://raw.githubusercontent.com/istio/istio/release-1.30/security/tools/jwt/samples/jwks.json' }],
    });
    const edge = new Gateway(chart, 'httpbin-gateway', {
      metadata: { namespace: 'istio-system' },
      selector: ingress,
      servers: [{ port: 443, protocol: GatewayProtocol.HTTPS, hosts: ['httpbin.example.com'], tls: GatewayTls.simple({ credentialName: 'httpbin-cert' }) }],
    });
    new VirtualService(chart, 'httpbin', {
      hosts: ['httpbin.example.com'],
      gateways: [edge],
      http: [{
        match: [HttpMatch.of({ uri: StringMatch.prefix('/headers'), headers: { '@request.auth.claims.groups': StringMatch.exact('group1') } })],
        destinations: [{ destination: ServiceHost.inNamespace('shop', 'httpbin', { port: 8000 }) }],
      }],
    });
    new kplus.Service(chart, 'httpbin-svc', { metadata: { name: 'httpbin' }, ports: [{ port: 8000, name: 'http' }], selector: kplus.Pods.select(chart, 'httpbin-pods', { labels: { app: 'httpbin' } }) });
    const vs = Testing.synth(chart).find((o: any) => o.kind === 'VirtualService');
    expect(vs.spec.http).toEqual([{
      match: [{ uri: { prefix: '/headers' }, headers: { '@request.auth.claims.groups': { exact: 'group1' } } }],
      route: [{ destination: { host: 'httpbin.shop.svc.cluster.local', port: { number: 8000 } } }],
    }]);
    expectValid(chart);
  });

  test('request routing and fault injection on bookinfo', () => {
    const chart = new Chart(Testing.app(), 'bookinfo', { namespace: 'bookinfo' });
    const jason = HttpMatch.header('end-user', StringMatch.exact('jason'));
    const reviews = new MultiVersionService(chart, 'reviews', { port: 9080, versions: [{ version: 'v1' }, { version: 'v2' }, { version: 'v3' }], defaultVersion: 'v1' });
    reviews.routeVersion({ version: 'v2', match: [jason] });
    reviews.split({ v1: 50, v3: 50 });
    const ratings = new MultiVersionService(chart, 'ratings', { port: 9080, versions: [{ version: 'v1' }, { version: 'v2' }] });
    ratings.routeVersion({ version: 'v1', match: [jason], fault: { delay: { fixedDelay: Duration.seconds(7), percentage: 100 } } });
    expect(find(chart, 'VirtualService', 'reviews').spec.http.map((r: any) => r.route.map((d: any) => [d.destination.subset, d.weight]))).toEqual([
      [['v2', undefined]], [['v1', 50], ['v3', 50]],
    ]);
    expect(find(chart, 'VirtualService', 'ratings').spec.http[0].fault).toEqual({ delay: { fixedDelay: '7s', percentage: { value: 100 } } });
    expectValid(chart);
  });
});
