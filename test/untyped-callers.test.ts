import { Chart, Testing } from 'cdk8s';
import { AuthorizationPolicy, CanaryService, DestinationRule, ExtAuthzProvider, HttpMatch, KubernetesGrpcRoute, KubernetesHttpRoute, KubernetesTlsRoute, MeshGateway, MultiVersionService, RouteParent, SecureNamespace, ServiceHost } from '../src';

// JavaScript and jsii callers are not type-checked: a missing or wrong object gets the prop/value/fix message, never a raw TypeError
describe('untyped callers', () => {
  const chart = () => new Chart(Testing.app(), 'shop', { namespace: 'shop' });

  test('fails on missing required props of the L3s and L2s', () => {
    expect(() => new CanaryService(chart(), 'catalog', undefined as any)).toThrow(
      'Invalid props (undefined): it is required and must be an object. Fix: pass e.g. { stable: { version: "v1" }, canary: { version: "v2" } }');
    expect(() => new MeshGateway(chart(), 'edge', undefined as any)).toThrow(
      'Invalid props (undefined): it is required and must be an object. Fix: pass e.g. { namespace: NamespaceRef.named("istio-ingress"), tls: GatewayTls.simple({ credentialName: "shop-cert" }) }');
    expect(() => new DestinationRule(chart(), 'reviews', undefined as any)).toThrow(
      'Invalid props (undefined): it is required and must be an object. Fix: pass e.g. { host: ServiceHost.inNamespace("bookinfo", "reviews") }');
    expect(() => HttpMatch.of(undefined as any)).toThrow('Invalid options (undefined): it is required and must be an object. Fix: pass e.g. { uri: StringMatch.prefix("/api") }');
    expect(() => new KubernetesHttpRoute(chart(), 'r', undefined as any)).toThrow(
      'Invalid props (undefined): it is required and must be an object. Fix: pass e.g. { parents: [RouteParent.service("catalog")] }');
    expect(() => new KubernetesGrpcRoute(chart(), 'g', undefined as any)).toThrow('Invalid props (undefined): it is required and must be an object');
    expect(() => new KubernetesTlsRoute(chart(), 't', undefined as any)).toThrow('Invalid props (undefined): it is required and must be an object');
    const route = new KubernetesHttpRoute(chart(), 'r', { parents: [RouteParent.service('catalog')] });
    expect(() => route.addRule(undefined as any)).toThrow(
      'Invalid options (undefined): it is required and must be an object. Fix: pass e.g. { backends: [{ serviceName: "catalog", port: 8080 }] }');
    expect(() => new KubernetesGrpcRoute(chart(), 'g2', { parents: [RouteParent.service('a')] }).addRule(null as any)).toThrow('Invalid options null');
    expect(() => new MultiVersionService(chart(), 'reviews', undefined as any)).toThrow(
      'Invalid props (undefined): it is required and must be an object. Fix: pass e.g. { versions: [{ version: "v1" }, { version: "v2" }, { version: "v3" }] }');
    expect(() => ExtAuthzProvider.http(undefined as any)).toThrow('Invalid options (undefined): it is required and must be an object');
    expect(() => AuthorizationPolicy.custom(chart(), 'ext-authz', undefined as any)).toThrow(
      'Invalid provider (undefined): a CUSTOM policy needs the external authorizer it delegates to, as an ExtAuthzProvider');
  });

  test('fails on null or a string where optional props are an object', () => {
    expect(() => new SecureNamespace(chart(), 'shop', null as any)).toThrow('Invalid props null: it must be an object when given. Fix: pass e.g. { name: "shop" }');
    expect(() => new DestinationRule(chart(), 'reviews', 'reviews' as any)).toThrow('Invalid props "reviews": it is required and must be an object');
  });

  test('fails on a number where a name is meant, saying so', () => {
    expect(() => ServiceHost.inNamespace('shop', 1 as any)).toThrow('Invalid name 1: it is a number, not a string. Fix: give a lowercase RFC 1123 name such as "shop"');
  });
});
