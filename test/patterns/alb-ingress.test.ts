import { Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import {
  AlbBackendProtocol, AlbIngress, AlbIpAddressType, AlbScheme, AlbTargetType, EdgeApi, GatewayServiceType, GatewayTls, GatewayWorkload, MeshGateway,
  NamespaceRef, ServiceHost,
} from '../../src';

const ARN = 'arn:aws:acm:eu-west-1:123456789012:certificate/0a1b2c3d-1111-2222-3333-444455556666';
const frontend = ServiceHost.inNamespace('shop', 'frontend');

function edgeOf(props: object = {}) {
  const chart = Testing.chart();
  const edge = new MeshGateway(chart, 'edge', { namespace: NamespaceRef.named('istio-ingress'), tls: GatewayTls.simple({ credentialName: 'shop-cert' }), ...props });
  edge.expose('shop.example.com', frontend, { port: 8080 });
  return { chart, edge };
}

function ingressOf(chart: any): any {
  return Testing.synth(chart).find((o) => o.kind === 'Ingress');
}

describe('AlbIngress', () => {
  test('an ALB Ingress in front of the gateway: IP targets, readiness health check, TLS at the ALB, re-encryption to the gateway', () => {
    // GIVEN
    const { chart, edge } = edgeOf();
    // WHEN
    const alb = new AlbIngress(chart, 'alb', { gateway: edge, scheme: AlbScheme.INTERNET_FACING, certificateArns: [ARN] });
    // THEN
    const ingress = ingressOf(chart);
    expect(ingress).toEqual({
      apiVersion: 'networking.k8s.io/v1',
      kind: 'Ingress',
      metadata: {
        name: 'edge-alb',
        namespace: 'istio-ingress',
        annotations: {
          'alb.ingress.kubernetes.io/backend-protocol': 'HTTPS',
          'alb.ingress.kubernetes.io/certificate-arn': ARN,
          'alb.ingress.kubernetes.io/healthcheck-path': '/healthz/ready',
          'alb.ingress.kubernetes.io/healthcheck-port': '15021',
          'alb.ingress.kubernetes.io/healthcheck-protocol': 'HTTP',
          'alb.ingress.kubernetes.io/ip-address-type': 'ipv4',
          'alb.ingress.kubernetes.io/listen-ports': '[{"HTTP":80},{"HTTPS":443}]',
          'alb.ingress.kubernetes.io/scheme': 'internet-facing',
          'alb.ingress.kubernetes.io/ssl-policy': 'ELBSecurityPolicy-TLS13-1-2-2021-06',
          'alb.ingress.kubernetes.io/ssl-redirect': '443',
          'alb.ingress.kubernetes.io/target-type': 'ip',
        },
      },
      spec: {
        ingressClassName: 'alb',
        rules: [{
          host: 'shop.example.com',
          http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: 'istio-ingressgateway', port: { number: 443 } } } }] },
        }],
      },
    });
    expect([alb.backendServiceName, alb.backendPort, alb.backendProtocol]).toEqual(['istio-ingressgateway', 443, AlbBackendProtocol.HTTPS]);
    // valid against the Kubernetes networking.k8s.io/v1 Ingress schema (the generated converter keeps every field)
    const { apiVersion: _a, kind: _k, ...props } = ingress;
    expect(JSON.parse(JSON.stringify(kplus.k8s.toJson_KubeIngressProps(props)))).toEqual(props);
  });

  test('the backend is the gateway workload\'s Service, in its namespace (istioctl default: istio-system)', () => {
    const { chart, edge } = edgeOf({ workload: GatewayWorkload.istioctlDefault() });
    new AlbIngress(chart, 'alb', { gateway: edge, certificateArns: [ARN] });
    const ingress = ingressOf(chart);
    expect(ingress.metadata.namespace).toEqual('istio-system');
    expect(ingress.spec.rules[0].http.paths[0].backend).toEqual({ service: { name: 'istio-ingressgateway', port: { number: 443 } } });
  });

  test('plain HTTP to a gateway that serves its routes on port 80 (plainHttpRoutes), instance targets via the named status port, internal by default', () => {
    const { chart, edge } = edgeOf({ plainHttpRoutes: true, workload: GatewayWorkload.injected({ serviceType: GatewayServiceType.NODE_PORT }) });
    new AlbIngress(chart, 'alb', {
      gateway: edge,
      certificateArns: [ARN, 'arn:aws:iam::123456789012:server-certificate/legacy'],
      backendProtocol: AlbBackendProtocol.HTTP,
      targetType: AlbTargetType.INSTANCE,
      inboundCidrs: ['203.0.113.0/24', '2001:db8::/32'],
      ipAddressType: AlbIpAddressType.DUALSTACK,
      name: 'shop-alb',
    });
    const ingress = ingressOf(chart);
    expect(ingress.metadata.name).toEqual('shop-alb');
    expect(ingress.metadata.annotations).toMatchObject({
      'alb.ingress.kubernetes.io/backend-protocol': 'HTTP',
      'alb.ingress.kubernetes.io/certificate-arn': `${ARN},arn:aws:iam::123456789012:server-certificate/legacy`,
      'alb.ingress.kubernetes.io/healthcheck-port': 'status-port',
      'alb.ingress.kubernetes.io/inbound-cidrs': '203.0.113.0/24,2001:db8::/32',
      'alb.ingress.kubernetes.io/ip-address-type': 'dualstack',
      'alb.ingress.kubernetes.io/scheme': 'internal',
      'alb.ingress.kubernetes.io/target-type': 'instance',
    });
    expect(ingress.spec.rules[0].http.paths[0].backend).toEqual({ service: { name: 'edge-gateway', port: { number: 80 } } });
    // the gateway serves the routes on 80 and 443 (no redirect on 80)
    const gw = Testing.synth(chart).find((o) => o.kind === 'Gateway');
    expect(gw.spec.servers.map((s: any) => [s.port.number, s.tls?.httpsRedirect ?? false])).toEqual([[443, false], [80, false]]);
  });

  test('an HTTP-only ALB in front of a plaintext gateway; a Gateway API gateway\'s Service is <name>-istio', () => {
    const { chart, edge } = edgeOf({ tls: undefined, plaintext: true });
    new AlbIngress(chart, 'alb', { gateway: edge, plaintext: true });
    const a = ingressOf(chart);
    expect(a.metadata.annotations['alb.ingress.kubernetes.io/listen-ports']).toEqual('[{"HTTP":80}]');
    expect(a.metadata.annotations['alb.ingress.kubernetes.io/certificate-arn']).toBeUndefined();
    expect(a.spec.rules[0].http.paths[0].backend).toEqual({ service: { name: 'istio-ingressgateway', port: { number: 80 } } });

    const g = edgeOf({ api: EdgeApi.GATEWAY_API });
    new AlbIngress(g.chart, 'alb', { gateway: g.edge, certificateArns: [ARN] });
    expect(ingressOf(g.chart).spec.rules[0].http.paths[0].backend).toEqual({ service: { name: 'edge-istio', port: { number: 443 } } });
  });

  test('hosts: a subset of the gateway\'s hosts, checked at synth for hosts exposed later', () => {
    const { chart, edge } = edgeOf();
    new AlbIngress(chart, 'alb', { gateway: edge, certificateArns: [ARN], hosts: ['api.example.com'] });
    edge.expose('api.example.com', frontend, { port: 8080 });
    expect(ingressOf(chart).spec.rules.map((r: any) => r.host)).toEqual(['api.example.com']);
  });

  test('fails at synth: a host the gateway never serves', () => {
    const { chart, edge } = edgeOf();
    new AlbIngress(chart, 'alb', { gateway: edge, certificateArns: [ARN], hosts: ['api.example.com'] });
    expect(() => Testing.synth(chart)).toThrow('Invalid hosts "api.example.com": gateway \'istio-ingress/edge\' does not serve it, so the ALB would forward requests the gateway answers with 404');
  });

  const fixed = () => edgeOf({ hosts: ['shop.example.com'] });
  test.each<[string, () => object, string]>([
    ['a malformed ACM ARN', () => ({ certificateArns: ['arn:aws:acm:eu-west-1:1234:certificate/abc'] }),
      'Invalid certificateArns "arn:aws:acm:eu-west-1:1234:certificate/abc": it is not an ACM certificate ARN (or IAM server certificate ARN)'],
    ['a certificate name instead of an ARN', () => ({ certificateArns: ['shop-cert'] }), 'Invalid certificateArns "shop-cert"'],
    ['no certificate and no plaintext', () => ({}), 'Invalid certificateArns (undefined): the ALB would listen on plain HTTP only'],
    ['certificates and plaintext', () => ({ certificateArns: [ARN], plaintext: true }), 'Invalid plaintext true: certificateArns is also set'],
    ['a target type the controller rejects', () => ({ certificateArns: [ARN], targetType: 'lambda' }),
      'Invalid targetType "lambda": the AWS Load Balancer Controller rejects this value. Fix: use one of "ip", "instance"'],
    ['a scheme the controller rejects', () => ({ certificateArns: [ARN], scheme: 'public' }), 'Invalid scheme "public": the AWS Load Balancer Controller rejects this value'],
    ['a backend protocol the controller rejects', () => ({ certificateArns: [ARN], backendProtocol: 'GRPC' }), 'Invalid backendProtocol "GRPC"'],
    ['an IP address type the controller rejects', () => ({ certificateArns: [ARN], ipAddressType: 'ipv6' }), 'Invalid ipAddressType "ipv6"'],
    ['an SSL policy that is not an ELB policy', () => ({ certificateArns: [ARN], sslPolicy: 'TLSv1.2' }), 'Invalid sslPolicy "TLSv1.2": it is not an ELB security policy name'],
    ['an address without a mask', () => ({ certificateArns: [ARN], inboundCidrs: ['203.0.113.7'] }), 'Invalid inboundCidrs "203.0.113.7": the controller takes CIDR blocks. Fix: use e.g. "203.0.113.0/24" (a single address as "203.0.113.7/32")'],
    ['an IPv6 block on an IPv4 ALB', () => ({ certificateArns: [ARN], inboundCidrs: ['2001:db8::/32'] }), 'Invalid inboundCidrs "2001:db8::/32": an IPv6 block needs a dual-stack ALB'],
    ['plain HTTP to a gateway that redirects port 80 to HTTPS (a redirect loop)', () => ({ certificateArns: [ARN], backendProtocol: AlbBackendProtocol.HTTP }),
      'Invalid backendProtocol "HTTP": gateway \'istio-ingress/edge\' answers plain HTTP with a redirect to HTTPS, so the ALB\'s requests would loop'],
    ['an empty host list', () => ({ certificateArns: [ARN], hosts: [] }), 'Invalid hosts []: an empty host list forwards nothing'],
    ['an uppercase host', () => ({ certificateArns: [ARN], hosts: ['Shop.example.com'] }), 'Invalid hosts "Shop.example.com": an Ingress host is a lowercase DNS name'],
    ['a bad name', () => ({ certificateArns: [ARN], name: 'Shop_ALB' }), 'Invalid name "Shop_ALB"'],
  ])('fails: %s', (_name, props, message) => {
    const { chart, edge } = edgeOf();
    expect(() => new AlbIngress(chart, 'alb', { gateway: edge, ...props() } as any)).toThrow(message);
  });

  test('fails: a host a gateway with fixed hosts does not serve (at construction)', () => {
    const { chart, edge } = fixed();
    expect(() => new AlbIngress(chart, 'alb', { gateway: edge, certificateArns: [ARN], hosts: ['api.example.com'] }))
      .toThrow('Invalid hosts "api.example.com": gateway \'istio-ingress/edge\' does not serve it');
    // near-miss: a served host of a wildcard gateway
    const w = edgeOf({ hosts: ['*.example.com'] });
    expect(() => new AlbIngress(w.chart, 'alb', { gateway: w.edge, certificateArns: [ARN], hosts: ['shop.example.com'] })).not.toThrow();
  });

  test('fails: re-encryption to a gateway that requires client certificates, or that does not terminate TLS', () => {
    const m = edgeOf({ tls: GatewayTls.mutual({ credentialName: 'c', caInCredential: true }) });
    expect(() => new AlbIngress(m.chart, 'alb', { gateway: m.edge, certificateArns: [ARN] }))
      .toThrow('Invalid backendProtocol "HTTPS": gateway \'istio-ingress/edge\' requires client certificates (MUTUAL), which an ALB never presents');
    const p = edgeOf({ tls: undefined, plaintext: true });
    expect(() => new AlbIngress(p.chart, 'alb', { gateway: p.edge, certificateArns: [ARN], backendProtocol: AlbBackendProtocol.HTTPS }))
      .toThrow('Invalid backendProtocol "HTTPS": gateway \'istio-ingress/edge\' does not terminate TLS on port 443');
  });

  test('fails: untyped callers (JavaScript): no props, a gateway that is not a MeshGateway', () => {
    expect(() => new AlbIngress(Testing.chart(), 'alb', undefined as any)).toThrow('Invalid props (undefined): it is required and must be an object');
    expect(() => new AlbIngress(Testing.chart(), 'alb', { gateway: 'istio-ingress/edge' as any, certificateArns: [ARN] }))
      .toThrow('Invalid gateway "istio-ingress/edge": it is not a MeshGateway. Fix: pass the MeshGateway the ALB forwards to');
  });

  test('gateway pods the library deploys get the Service type the ALB needs, unless it was given', () => {
    const serviceType = (workload: GatewayWorkload, targetType: AlbTargetType) => {
      const { chart, edge } = edgeOf({ workload });
      new AlbIngress(chart, 'alb', { gateway: edge, certificateArns: [ARN], targetType });
      return Testing.synth(chart).find((o) => o.kind === 'Service').spec.type;
    };
    expect(serviceType(GatewayWorkload.injected(), AlbTargetType.IP)).toEqual('ClusterIP');
    expect(serviceType(GatewayWorkload.injected(), AlbTargetType.INSTANCE)).toEqual('NodePort');
    expect(serviceType(GatewayWorkload.injected({ serviceType: GatewayServiceType.LOAD_BALANCER }), AlbTargetType.IP)).toEqual('LoadBalancer');
    // without an ALB: a LoadBalancer Service
    expect(Testing.synth(edgeOf({ workload: GatewayWorkload.injected() }).chart).find((o) => o.kind === 'Service').spec.type).toEqual('LoadBalancer');
  });

  test('fails: instance targets to a ClusterIP gateway Service', () => {
    const { chart, edge } = edgeOf({ workload: GatewayWorkload.injected({ serviceType: GatewayServiceType.CLUSTER_IP }) });
    expect(() => new AlbIngress(chart, 'alb', { gateway: edge, certificateArns: [ARN], targetType: AlbTargetType.INSTANCE }))
      .toThrow('Invalid targetType "instance": instance targets reach pods through a NodePort, and the gateway\'s Service is ClusterIP');
  });
});

describe('MeshGateway port 80: a plain HTTP server serving routes only when asked for', () => {
  test('httpsRedirect: false closes port 80 (no server), plainHttpRoutes: true serves the routes there', () => {
    const closed = edgeOf({ httpsRedirect: false });
    expect(Testing.synth(closed.chart)[0].spec.servers.map((s: any) => s.port.number)).toEqual([443]);
    const open = edgeOf({ api: EdgeApi.GATEWAY_API, plainHttpRoutes: true });
    const route = Testing.synth(open.chart).find((o) => o.kind === 'HTTPRoute');
    expect(route.spec.parentRefs.map((p: any) => p.sectionName)).toEqual(['https', 'http']);
  });

  test.each<[string, object, string]>([
    ['plainHttpRoutes without tls', { tls: undefined, plaintext: true, plainHttpRoutes: true }, 'Invalid plainHttpRoutes true: without tls every route is plain HTTP already'],
    ['plainHttpRoutes with httpsRedirect', { plainHttpRoutes: true, httpsRedirect: true }, 'Invalid plainHttpRoutes true: httpsRedirect is also set'],
  ])('fails: %s', (_name, props, message) => {
    expect(() => edgeOf(props)).toThrow(message);
  });
});
