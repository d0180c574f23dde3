import { Chart, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import {
  ConformanceValidator, EgressGateway, ExternalService, MeshDependencies, MeshEnrolment, MeshValidation, MeshWorkload, SecureNamespace,
} from '../../src';

const CA = '/etc/ssl/certs/ca-certificates.crt';

function app() {
  const a = Testing.app();
  const chart = new Chart(a, 'shop', { namespace: 'shop' });
  const workload = (name: string) => {
    const sa = new kplus.ServiceAccount(chart, `${name}-sa`, { metadata: { name } });
    const d = new kplus.Deployment(chart, name, {
      metadata: { name },
      serviceAccount: sa,
      select: false,
      podMetadata: { labels: { app: name } },
      containers: [{ image: `ghcr.io/acme/${name}:1.0.0`, portNumber: 8080 }],
    });
    d.select(kplus.LabelSelector.of({ labels: { app: name } }));
    return MeshWorkload.fromWorkload(d);
  };
  return { chart, curl: workload('curl'), news: workload('news') };
}
const byName = (chart: Chart) => new Map(Testing.synth(chart).filter((o: any) => o.apiVersion !== 'apps/v1' && o.kind !== 'ServiceAccount')
  .map((o: any) => [`${o.kind} ${o.metadata.namespace}/${o.metadata.name}`, o]));

describe('ExternalService through an egress gateway (Istio\'s egress-gateway tasks)', () => {
  test('TLS origination at the gateway: the task\'s Gateway, two-hop routes, DestinationRules, and an AuthorizationPolicy for the declared callers', () => {
    // GIVEN
    const { chart, curl, news } = app();
    const deps = new MeshDependencies(chart, 'deps');
    const cnn = ExternalService.originateTls('edition.cnn.com', { caCertificates: CA }).throughEgressGateway(EgressGateway.istio());
    // WHEN
    deps.dependsOnExternal(curl, cnn);
    deps.dependsOnExternal(news, cnn);
    deps.dependsOnExternal(news, cnn); // repeated: no-op
    // THEN
    const objs = byName(chart);
    expect([...objs.keys()].sort()).toEqual([
      'AuthorizationPolicy istio-system/allow-egress-edition-cnn-com',
      'DestinationRule istio-system/originate-tls-for-edition-cnn-com',
      'DestinationRule shop/egressgateway-for-edition-cnn-com',
      'Gateway istio-system/egress-edition-cnn-com',
      'ServiceEntry istio-system/edition-cnn-com',
      'ServiceEntry shop/edition-cnn-com',
      'Sidecar shop/curl',
      'Sidecar shop/news',
      'VirtualService istio-system/edition-cnn-com-from-egress-gateway',
      'VirtualService shop/direct-edition-cnn-com-through-egress-gateway',
    ]);
    const entry = {
      hosts: ['edition.cnn.com'],
      location: 'MESH_EXTERNAL',
      ports: [{ number: 80, name: 'http-port', protocol: 'HTTP' }, { number: 443, name: 'https', protocol: 'HTTPS' }],
      resolution: 'DNS',
      exportTo: ['.'],
    };
    expect(objs.get('ServiceEntry shop/edition-cnn-com')!.spec).toEqual(entry);
    expect(objs.get('ServiceEntry istio-system/edition-cnn-com')!.spec).toEqual(entry);
    // the Gateway on the egress gateway pods: mutual TLS from the sidecars, on the task's port 80
    expect(objs.get('Gateway istio-system/egress-edition-cnn-com')!.spec).toEqual({
      selector: { istio: 'egressgateway' },
      servers: [{ port: { number: 80, name: 'https-port-for-tls-origination', protocol: 'HTTPS' }, hosts: ['edition.cnn.com'], tls: { mode: 'ISTIO_MUTUAL' } }],
    });
    // the gateway subset: no labels (every gateway pod), ISTIO_MUTUAL with the external host as SNI
    expect(objs.get('DestinationRule shop/egressgateway-for-edition-cnn-com')!.spec).toEqual({
      host: 'istio-egressgateway.istio-system.svc.cluster.local',
      exportTo: ['.'],
      subsets: [{
        name: 'edition-cnn-com',
        trafficPolicy: { portLevelSettings: [{ port: { number: 80 }, tls: { mode: 'ISTIO_MUTUAL', sni: 'edition.cnn.com' } }] },
      }],
    });
    // hop 1: mesh -> the gateway subset (Istio's task writes weight: 100 for the only destination; the library leaves it out, same meaning)
    expect(objs.get('VirtualService shop/direct-edition-cnn-com-through-egress-gateway')!.spec).toEqual({
      hosts: ['edition.cnn.com'], // gateways: [mesh] is the default, left out
      exportTo: ['.'],
      http: [{
        match: [{ gateways: ['mesh'], port: 80 }],
        route: [{ destination: { host: 'istio-egressgateway.istio-system.svc.cluster.local', subset: 'edition-cnn-com', port: { number: 80 } } }],
      }],
    });
    // hop 2: the gateway -> the external host's TLS port, where the gateway originates TLS
    expect(objs.get('VirtualService istio-system/edition-cnn-com-from-egress-gateway')!.spec).toEqual({
      hosts: ['edition.cnn.com'],
      gateways: ['istio-system/egress-edition-cnn-com'],
      exportTo: ['.'],
      http: [{
        match: [{ gateways: ['istio-system/egress-edition-cnn-com'], port: 80 }],
        route: [{ destination: { host: 'edition.cnn.com', port: { number: 443 } } }],
      }],
    });
    expect(objs.get('DestinationRule istio-system/originate-tls-for-edition-cnn-com')!.spec).toEqual({
      host: 'edition.cnn.com',
      exportTo: ['.'],
      trafficPolicy: { portLevelSettings: [{ port: { number: 443 }, tls: { mode: 'SIMPLE', sni: 'edition.cnn.com', caCertificates: CA } }] },
    });
    // only the declared callers leave, toward this host
    expect(objs.get('AuthorizationPolicy istio-system/allow-egress-edition-cnn-com')!.spec).toEqual({
      selector: { matchLabels: { istio: 'egressgateway' } },
      action: 'ALLOW',
      rules: [
        { from: [{ source: { principals: ['cluster.local/ns/shop/sa/curl'] } }], to: [{ operation: { hosts: ['edition.cnn.com', 'edition.cnn.com:80'] } }] },
        { from: [{ source: { principals: ['cluster.local/ns/shop/sa/news'] } }], to: [{ operation: { hosts: ['edition.cnn.com', 'edition.cnn.com:80'] } }] },
      ],
    });
    // the callers' sidecars see the host and the gateway
    expect(objs.get('Sidecar shop/curl')!.spec.egress).toEqual([{
      hosts: ['istio-system/*', './edition.cnn.com', 'istio-system/istio-egressgateway.istio-system.svc.cluster.local'],
    }]);
    const validator = ConformanceValidator.builtIn();
    for (const o of objs.values()) expect(validator.validate(o)).toEqual([]);
    // and the mesh checks (gateway binding, subsets, hosts, identities) find nothing
    expect(MeshValidation.of(chart).validate().map((f) => `${f.rule} ${f.constructPath}: ${f.message}`)).toEqual([]);
  });

  test('plain HTTP through a custom gateway install: the gateway sends HTTP to the host\'s port, no origination rule', () => {
    const { chart, curl } = app();
    const gw = EgressGateway.istio({ namespace: 'istio-egress', serviceName: 'egress', selector: { app: 'egress' }, port: 8443 });
    new MeshDependencies(chart, 'deps').dependsOnExternal(curl, ExternalService.http('httpbin.org').throughEgressGateway(gw));
    const objs = byName(chart);
    expect(objs.has('DestinationRule istio-egress/originate-tls-for-httpbin-org')).toBe(false);
    expect(objs.get('ServiceEntry shop/httpbin-org')!.spec.ports).toEqual([{ number: 80, name: 'http-port', protocol: 'HTTP' }]);
    expect(objs.get('Gateway istio-egress/egress-httpbin-org')!.spec).toEqual({
      selector: { app: 'egress' },
      servers: [{ port: { number: 8443, name: 'https-mtls', protocol: 'HTTPS' }, hosts: ['httpbin.org'], tls: { mode: 'ISTIO_MUTUAL' } }],
    });
    expect(objs.get('VirtualService shop/direct-httpbin-org-through-egress-gateway')!.spec.http[0].route)
      .toEqual([{ destination: { host: 'egress.istio-egress.svc.cluster.local', subset: 'httpbin-org', port: { number: 8443 } } }]);
    expect(objs.get('VirtualService istio-egress/httpbin-org-from-egress-gateway')!.spec.http[0].route)
      .toEqual([{ destination: { host: 'httpbin.org', port: { number: 80 } } }]);
    expect(objs.get('AuthorizationPolicy istio-egress/allow-egress-httpbin-org')!.spec.selector).toEqual({ matchLabels: { app: 'egress' } });
  });

  test('near-miss: the direct forms are unchanged (no gateway objects)', () => {
    const { chart, curl } = app();
    new MeshDependencies(chart, 'deps').dependsOnExternal(curl, ExternalService.originateTls('edition.cnn.com', { caCertificates: CA }));
    expect([...byName(chart).keys()].sort()).toEqual(['DestinationRule shop/edition-cnn-com-tls', 'ServiceEntry shop/edition-cnn-com', 'Sidecar shop/curl']);
  });

  test('fails on TLS passthrough, TCP and wildcard hosts through the gateway, and on a bad gateway', () => {
    expect(() => ExternalService.tls('api.stripe.com').throughEgressGateway()).toThrow(
      'Invalid external "api.stripe.com": an egress gateway route is for HTTP (the gateway checks the caller\'s identity on a mutual-TLS hop and routes by HTTP host), not TLS_PASSTHROUGH. '
      + 'Fix: let the app speak HTTP and the gateway originate TLS: ExternalService.originateTls(\'api.stripe.com\', { caCertificates }).throughEgressGateway()');
    expect(() => ExternalService.tcp('db.example.com', 5432).throughEgressGateway()).toThrow(/not TCP/);
    expect(() => ExternalService.http('*.wikipedia.org').throughEgressGateway())
      .toThrow('Invalid external "*.wikipedia.org": the egress gateway serves, routes and authorizes one named host. Fix: name the host (e.g. "en.wikipedia.org")');
    expect(() => ExternalService.http('httpbin.org').throughEgressGateway({} as any)).toThrow('Invalid gateway {}: it is not an EgressGateway');
    expect(() => EgressGateway.istio({ selector: {} })).toThrow('Invalid selector {}: an empty selector matches every pod of the namespace');
    expect(() => EgressGateway.istio({ port: 70000 })).toThrow('Invalid port 70000: a port is an integer from 1 to 65535');
    expect(() => EgressGateway.istio({ namespace: 'Istio' })).toThrow('Invalid namespace "Istio": it is not an RFC 1123 DNS label');
  });

  test('fails on a caller in an ambient namespace, in the gateway\'s namespace, or without identity', () => {
    const { chart, curl } = app();
    new SecureNamespace(chart, 'ns', { name: 'shop', enrolment: MeshEnrolment.ambient({ waypoint: true }) });
    const via = ExternalService.http('httpbin.org').throughEgressGateway();
    expect(() => new MeshDependencies(chart, 'deps').dependsOnExternal(curl, via)).toThrow(
      'Invalid external "httpbin.org": namespace shop is ambient: its egress proxy is the namespace waypoint, and an egress gateway route needs the caller\'s sidecar. '
      + 'Fix: declare the external service without throughEgressGateway()');
    const chart2 = Testing.chart();
    const deps = new MeshDependencies(chart2, 'deps');
    expect(() => deps.dependsOnExternal(MeshWorkload.labels({ app: 'x' }, { namespace: 'istio-system', serviceAccountName: 'x' }), via))
      .toThrow('Invalid caller "x": it runs in the egress gateway\'s namespace istio-system, whose objects for httpbin.org are the gateway\'s. Fix: run the caller in its own namespace');
    expect(() => deps.dependsOnExternal(MeshWorkload.labels({ app: 'y' }, { namespace: 'shop' }), via))
      .toThrow('Invalid caller "y": its identity (service account) is unknown, so the callee cannot allow it');
  });
});
