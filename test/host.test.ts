import { Chart, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { MonitoringTarget, ServiceHost } from '../src';

describe('ServiceHost', () => {
  test('fromService renders the Service FQDN', () => {
    // GIVEN
    const chart = Testing.chart();
    const svc = new kplus.Service(chart, 'catalog', { metadata: { name: 'catalog', namespace: 'shop' }, ports: [{ port: 8080 }] });
    // WHEN
    const host = ServiceHost.fromService(svc);
    // THEN
    expect(host.fqdn).toEqual('catalog.shop.svc.cluster.local');
    expect(host.toMeshDestination()).toEqual({ host: 'catalog.shop.svc.cluster.local' });
    expect(host.serviceName).toEqual('catalog');
    expect(host.serviceNamespace).toEqual('shop');
    expect(host.isExternal).toBe(false);
  });

  test('fromService takes the chart namespace and a custom cluster domain', () => {
    const chart = new Chart(Testing.app(), 'c', { namespace: 'shop' });
    const svc = new kplus.Service(chart, 'svc', { metadata: { name: 'catalog' }, ports: [{ port: 80 }] });
    expect(ServiceHost.fromService(svc, { clusterDomain: 'prod.internal' }).fqdn).toEqual('catalog.shop.svc.prod.internal');
  });

  test('of() renders name.namespace.svc.cluster.local', () => {
    expect(ServiceHost.inNamespace('bookinfo', 'reviews').toString()).toEqual('reviews.bookinfo.svc.cluster.local');
  });

  test('external() accepts FQDNs and a leading wildcard label', () => {
    expect(ServiceHost.external('api.stripe.com').fqdn).toEqual('api.stripe.com');
    expect(ServiceHost.external('*.googleapis.com').isExternal).toBe(true);
  });

  test('fails on a Service without namespace', () => {
    const chart = Testing.chart();
    const svc = new kplus.Service(chart, 'svc', { metadata: { name: 'catalog' }, ports: [{ port: 80 }] });
    expect(() => ServiceHost.fromService(svc))
      .toThrow('Invalid service "test/svc (catalog)": it has no namespace, so its FQDN cannot be derived. Fix: set metadata.namespace on the Service (or a namespace on its Chart), or use ServiceHost.inNamespace(namespace, name)');
  });

  test('fails on an empty host', () => {
    expect(() => ServiceHost.external('')).toThrow('Invalid fqdn "": the host is empty. Fix: give a fully qualified name such as "api.example.com"');
    expect(() => ServiceHost.external('  ')).toThrow('Invalid fqdn "  ": the host is empty');
  });

  test('fails on a short (non-FQDN) external host', () => {
    expect(() => ServiceHost.external('stripe'))
      .toThrow('Invalid fqdn "stripe": a short name is resolved relative to the namespace of the resource using it, which is rarely what was meant. Fix: give a fully qualified name');
  });

  test('fails on a partial wildcard', () => {
    expect(() => ServiceHost.external('api*.example.com')).toThrow('Invalid fqdn "api*.example.com": only the first label may hold a wildcard, as a leading "*" ("*.example.com")');
    expect(() => ServiceHost.external('api.*.example.com')).toThrow('only the first label may hold a wildcard');
    // Istio's wildcard first label: "*", "*foo", "*-foo" (pkg/config/labels wildcardPrefix)
    expect(ServiceHost.external('*api.example.com').fqdn).toEqual('*api.example.com');
    expect(ServiceHost.external('*-api.example.com').fqdn).toEqual('*-api.example.com');
    expect(() => ServiceHost.external('*api-.example.com')).toThrow('Invalid fqdn "*api-.example.com": "*api-" is not a wildcard label Istio accepts');
  });

  test('fails on invalid DNS labels and overlong names', () => {
    expect(() => ServiceHost.external('api..example.com')).toThrow('Invalid fqdn "api..example.com": "" is not a valid DNS label');
    expect(() => ServiceHost.external('-api.example.com')).toThrow('"-api" is not a valid DNS label');
    expect(() => ServiceHost.external(`${'a'.repeat(60)}.${'b'.repeat(60)}.${'c'.repeat(60)}.${'d'.repeat(60)}.${'e'.repeat(10)}.com`)).toThrow('a DNS name has at most 253 characters');
  });

  test('fails on an invalid service name, namespace or cluster domain', () => {
    expect(() => ServiceHost.inNamespace('shop', 'Catalog')).toThrow('Invalid name "Catalog": it is not an RFC 1123 DNS label');
    expect(() => ServiceHost.inNamespace('shop_1', 'catalog')).toThrow('Invalid namespace "shop_1": it is not an RFC 1123 DNS label');
    expect(() => ServiceHost.inNamespace('shop', 'catalog', { clusterDomain: '*.local' })).toThrow('Invalid clusterDomain "*.local": wildcards are not allowed here');
  });

  test('a port on the host: by option, withPort(), or by the Service\'s port name; rendered in the destination', () => {
    // GIVEN
    const chart = Testing.chart();
    const svc = new kplus.Service(chart, 'reviews', { metadata: { name: 'reviews', namespace: 'bookinfo' }, ports: [{ port: 9080, name: 'http' }, { port: 9090, name: 'grpc' }] });
    // WHEN
    const byName = ServiceHost.fromService(svc).withPortNamed('grpc');
    const byOption = ServiceHost.fromService(svc, { port: 9080 });
    const byValue = ServiceHost.inNamespace('bookinfo', 'reviews', { port: 9080 });
    // THEN
    expect(byName.toMeshDestination()).toEqual({ host: 'reviews.bookinfo.svc.cluster.local', port: 9090 });
    expect(byOption.port).toBe(9080);
    expect(byValue.toMeshDestination()).toEqual({ host: 'reviews.bookinfo.svc.cluster.local', port: 9080 });
    expect(ServiceHost.external('api.stripe.com').withPort(443).toMeshDestination()).toEqual({ host: 'api.stripe.com', port: 443 });
    // near-miss: no port given, none rendered (Istio's default: the host's only port)
    expect(ServiceHost.fromService(svc).toMeshDestination()).toEqual({ host: 'reviews.bookinfo.svc.cluster.local' });
  });

  test('fails on a port the Service does not have, an unknown port name, a name without the Service, an invalid port', () => {
    const chart = Testing.chart();
    const svc = new kplus.Service(chart, 'reviews', { metadata: { name: 'reviews', namespace: 'bookinfo' }, ports: [{ port: 9080, name: 'http' }] });
    expect(() => ServiceHost.fromService(svc, { port: 80 }))
      .toThrow('Invalid port 80: Service reviews.bookinfo.svc.cluster.local has no such port (it has: 9080). Fix: use one of its ports, or withPortNamed(name)');
    expect(() => ServiceHost.fromService(svc).withPortNamed('grpc'))
      .toThrow('Invalid name "grpc": Service reviews.bookinfo.svc.cluster.local has no port of this name (named ports: http). Fix: use one of "http"');
    expect(() => ServiceHost.inNamespace('bookinfo', 'reviews').withPortNamed('http'))
      .toThrow('Invalid name "http": host reviews.bookinfo.svc.cluster.local was not made from a Service object, so its port names are unknown. Fix: use ServiceHost.fromService(service).withPortNamed(name), or withPort(number)');
    expect(() => ServiceHost.inNamespace('bookinfo', 'reviews', { port: 0 })).toThrow('Invalid port 0: a port is an integer from 1 to 65535. Fix: give the Service port, e.g. 9080');
  });
});

describe('ServiceHost.inNamespace: Istio\'s namespace/name order', () => {
  test('namespace first, as MeshIdentity.of() and GatewayBinding.of()', () => {
    expect(ServiceHost.inNamespace('bookinfo', 'reviews').fqdn).toEqual('reviews.bookinfo.svc.cluster.local');
  });

  test('fails: the removed ServiceHost.of(name, namespace) and MonitoringTarget.service(name, namespace) name their replacement (JavaScript callers)', () => {
    expect(() => (ServiceHost as any).of('reviews', 'bookinfo')).toThrow(
      'Invalid ServiceHost.of(name, namespace) ["reviews","bookinfo"]: it was removed: the arguments are now in Istio\'s namespace/name order, under a new name, so that no old call swaps them silently. Fix: call ServiceHost.inNamespace(namespace, name)');
    expect(() => (MonitoringTarget as any).service('reviews', 'bookinfo')).toThrow(/Fix: call MonitoringTarget.inNamespace\(namespace, name\)$/);
    expect(Object.keys(ServiceHost)).not.toContain('of');
  });
});
