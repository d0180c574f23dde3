import { Duration, Testing } from 'cdk8s';
import { CertificateIssuer, ConformanceValidator, EdgeApi, GatewayTls, GatewayWorkload, MeshGateway, NamespaceRef, ServiceHost } from '../../src';

const issuer = CertificateIssuer.clusterIssuer('letsencrypt-prod');
const frontend = ServiceHost.inNamespace('shop', 'frontend');

describe('GatewayTls.certificate(): cert-manager issues the gateway\'s certificate', () => {
  test('one Certificate for the exposed hosts, in the gateway pods\' namespace, whose Secret is the credentialName', () => {
    // GIVEN
    const chart = Testing.chart();
    const edge = new MeshGateway(chart, 'edge', {
      namespace: NamespaceRef.named('istio-ingress'),
      tls: GatewayTls.certificate({ credentialName: 'shop-example-com-cert', issuer, renewBefore: Duration.days(30) }),
    });
    // WHEN hosts come from expose(), after the Certificate exists
    edge.expose('shop.example.com', frontend, { port: 8080 });
    edge.expose('www.example.com', frontend, { port: 8080 });
    // THEN
    const out = Testing.synth(chart);
    const gw = out.find((o) => o.kind === 'Gateway');
    const cert = out.find((o) => o.kind === 'Certificate');
    expect(gw.spec.servers[0]).toEqual({
      port: { number: 443, name: 'https', protocol: 'HTTPS' },
      hosts: ['shop.example.com', 'www.example.com'],
      tls: { mode: 'SIMPLE', credentialName: 'shop-example-com-cert', minProtocolVersion: 'TLSV1_2' },
    });
    expect(cert).toEqual({
      apiVersion: 'cert-manager.io/v1',
      kind: 'Certificate',
      metadata: { name: 'shop-example-com-cert', namespace: 'istio-ingress' },
      spec: {
        secretName: 'shop-example-com-cert',
        dnsNames: ['shop.example.com', 'www.example.com'],
        issuerRef: { group: 'cert-manager.io', kind: 'ClusterIssuer', name: 'letsencrypt-prod' },
        renewBefore: '720h',
        privateKey: { algorithm: 'ECDSA', size: 256, rotationPolicy: 'Always' },
      },
    });
    expect(cert.spec.secretName).toEqual(gw.spec.servers[0].tls.credentialName);
    expect(ConformanceValidator.builtIn().validate(cert)).toEqual([]);
  });

  test('the Certificate lives where the gateway pods read Secrets (istioctl default: istio-system)', () => {
    const chart = Testing.chart();
    const edge = new MeshGateway(chart, 'edge', {
      namespace: NamespaceRef.named('istio-ingress'), workload: GatewayWorkload.istioctlDefault(), tls: GatewayTls.certificate({ credentialName: 'c', issuer }),
    });
    edge.expose('shop.example.com', frontend, { port: 8080 });
    expect(Testing.synth(chart).find((o) => o.kind === 'Certificate').metadata).toEqual({ name: 'c', namespace: 'istio-system' });
  });

  test('one certificate per group of hosts: an HTTPS server per certificate (chosen by SNI), tls keeps the other hosts', () => {
    // GIVEN
    const chart = Testing.chart();
    const edge = new MeshGateway(chart, 'edge', {
      namespace: NamespaceRef.named('istio-ingress'),
      hosts: ['shop.example.com', 'www.example.com', 'api.example.com'],
      tls: GatewayTls.certificate({ credentialName: 'shop-cert', issuer, hosts: ['shop.example.com', 'www.example.com'] }),
      certificates: [GatewayTls.certificate({ credentialName: 'api-cert', issuer: CertificateIssuer.issuer('internal-ca'), hosts: ['api.example.com'] })],
    });
    edge.expose('shop.example.com', frontend, { port: 8080 });
    edge.expose('api.example.com', frontend, { port: 8080 });
    // THEN
    const out = Testing.synth(chart);
    const gw = out.find((o) => o.kind === 'Gateway');
    expect(gw.spec.servers.map((s: any) => [s.port.name, s.port.number, s.hosts, s.tls?.credentialName ?? s.tls?.httpsRedirect])).toEqual([
      ['https', 443, ['shop.example.com', 'www.example.com'], 'shop-cert'],
      ['https-1', 443, ['api.example.com'], 'api-cert'],
      ['http', 80, ['shop.example.com', 'www.example.com', 'api.example.com'], true],
    ]);
    const certs = out.filter((o) => o.kind === 'Certificate');
    expect(certs.map((c) => [c.metadata.name, c.spec.secretName, c.spec.dnsNames, c.spec.issuerRef.kind])).toEqual([
      ['shop-cert', 'shop-cert', ['shop.example.com', 'www.example.com'], 'ClusterIssuer'],
      ['api-cert', 'api-cert', ['api.example.com'], 'Issuer'],
    ]);
  });

  test('groups with hosts from expose(): a grouped host stays out of the default server', () => {
    const chart = Testing.chart();
    const edge = new MeshGateway(chart, 'edge', {
      namespace: NamespaceRef.named('istio-ingress'),
      tls: GatewayTls.simple({ credentialName: 'wildcard-cert' }),
      certificates: [GatewayTls.certificate({ credentialName: 'api-cert', issuer, hosts: ['api.example.com'] })],
    });
    edge.expose('shop.example.com', frontend, { port: 8080 });
    edge.expose('api.example.com', frontend, { port: 8080 });
    const gw = Testing.synth(chart).find((o) => o.kind === 'Gateway');
    expect(gw.spec.servers.map((s: any) => [s.port.name, s.hosts])).toEqual([
      ['https', ['shop.example.com']], ['https-1', ['api.example.com']], ['http', ['shop.example.com', 'api.example.com']],
    ]);
  });

  test('Gateway API flavour: the Certificate writes the listener\'s certificate Secret', () => {
    const chart = Testing.chart();
    const edge = new MeshGateway(chart, 'edge', { namespace: NamespaceRef.named('istio-ingress'), api: EdgeApi.GATEWAY_API, tls: GatewayTls.certificate({ credentialName: 'c', issuer }) });
    edge.expose('shop.example.com', frontend, { port: 8080 });
    const out = Testing.synth(chart);
    const listener = out.find((o) => o.kind === 'Gateway').spec.listeners.find((l: any) => l.name === 'https');
    expect(listener.tls.certificateRefs).toEqual([{ group: '', kind: 'Secret', name: 'c' }]);
    expect(out.find((o) => o.kind === 'Certificate').spec.dnsNames).toEqual(['shop.example.com']);
  });

  test('Gateway API flavour: one HTTPS listener per host of a certificate entry, its routes attached there; the grant covers every Secret', () => {
    // GIVEN
    const chart = Testing.chart();
    const edge = new MeshGateway(chart, 'edge', {
      namespace: NamespaceRef.named('istio-ingress'),
      api: EdgeApi.GATEWAY_API,
      certificateNamespace: 'certs',
      tls: GatewayTls.simple({ credentialName: 'shop-cert' }),
      certificates: [GatewayTls.certificate({ credentialName: 'api-cert', issuer, hosts: ['api.example.com'] })],
    });
    // WHEN
    edge.expose('shop.example.com', frontend, { port: 8080 });
    edge.expose('api.example.com', frontend, { port: 8080 });
    // THEN
    const out = Testing.synth(chart);
    const gw = out.find((o) => o.kind === 'Gateway');
    expect(gw.spec.listeners.map((l: any) => [l.name, l.port, l.hostname, l.tls?.certificateRefs?.[0]?.name])).toEqual([
      ['https', 443, undefined, 'shop-cert'],
      ['https-1-1', 443, 'api.example.com', 'api-cert'],
      ['http', 80, undefined, undefined],
    ]);
    const routes = out.filter((o) => o.kind === 'HTTPRoute' && o.spec.hostnames);
    expect(routes.map((r) => [r.spec.hostnames, r.spec.parentRefs.map((p: any) => p.sectionName)])).toEqual([
      [['shop.example.com'], ['https']],
      [['api.example.com'], ['https-1-1']],
    ]);
    expect(out.find((o) => o.kind === 'ReferenceGrant' && o.metadata.namespace === 'certs').spec.to).toEqual([
      { group: '', kind: 'Secret', name: 'shop-cert' }, { group: '', kind: 'Secret', name: 'api-cert' },
    ]);
    expect(out.find((o) => o.kind === 'Certificate').metadata).toEqual({ name: 'api-cert', namespace: 'certs' });
    expect(out.flatMap((o) => ConformanceValidator.builtIn().validate(o))).toEqual([]);
  });

  test('near-miss: a wildcard certificate covers the served subdomains', () => {
    const chart = Testing.chart();
    const edge = new MeshGateway(chart, 'edge', {
      namespace: NamespaceRef.named('istio-ingress'), hosts: ['*.example.com'], tls: GatewayTls.certificate({ credentialName: 'c', issuer, hosts: ['*.example.com'] }),
    });
    edge.expose('shop.example.com', frontend, { port: 8080 });
    expect(() => Testing.synth(chart)).not.toThrow();
  });
});

describe('GatewayTls.certificate() and certificates: errors', () => {
  test('fails: a certificate for a host the gateway does not serve (fixed hosts: at construction)', () => {
    expect(() => new MeshGateway(Testing.chart(), 'edge', {
      namespace: NamespaceRef.named('istio-ingress'),
      hosts: ['shop.example.com'],
      tls: GatewayTls.simple({ credentialName: 'shop-cert' }),
      certificates: [GatewayTls.certificate({ credentialName: 'api-cert', issuer, hosts: ['api.example.com'] })],
    })).toThrow('Invalid certificates[0].hosts "api.example.com": gateway \'istio-ingress/edge\' does not serve it, so a certificate for it would never be presented');
    expect(() => new MeshGateway(Testing.chart(), 'edge', {
      namespace: NamespaceRef.named('istio-ingress'), hosts: ['shop.example.com'], tls: GatewayTls.certificate({ credentialName: 'c', issuer, hosts: ['api.example.com'] }),
    })).toThrow('Invalid tls hosts "api.example.com": gateway \'istio-ingress/edge\' does not serve it');
  });

  test('fails: a certificate for a host nothing is exposed on (hosts from expose(): at synth)', () => {
    const chart = Testing.chart();
    const edge = new MeshGateway(chart, 'edge', {
      namespace: NamespaceRef.named('istio-ingress'),
      tls: GatewayTls.simple({ credentialName: 'shop-cert' }),
      certificates: [GatewayTls.certificate({ credentialName: 'api-cert', issuer, hosts: ['api.example.com'] })],
    });
    edge.expose('shop.example.com', frontend, { port: 8080 });
    expect(() => Testing.synth(chart)).toThrow('Invalid certificate hosts "api.example.com": gateway \'istio-ingress/edge\' does not serve it (nothing is exposed on it)');
  });

  test('fails: a served host the certificate does not cover (at synth)', () => {
    const chart = Testing.chart();
    const edge = new MeshGateway(chart, 'edge', {
      namespace: NamespaceRef.named('istio-ingress'), tls: GatewayTls.certificate({ credentialName: 'c', issuer, hosts: ['shop.example.com'] }),
    });
    edge.expose('shop.example.com', frontend, { port: 8080 });
    edge.expose('www.example.com', frontend, { port: 8080 });
    expect(() => Testing.synth(chart)).toThrow('Invalid tls hosts ["shop.example.com"]: the HTTPS server serves www.example.com, which certificate c does not cover, so clients would reject it');
  });

  test.each<[string, () => unknown, string]>([
    ['an entry without hosts', () => new MeshGateway(Testing.chart(), 'e', {
      namespace: NamespaceRef.named('n'), tls: GatewayTls.simple({ credentialName: 'a' }), certificates: [GatewayTls.simple({ credentialName: 'b' })],
    }), 'Invalid certificates[0] "SIMPLE": each entry is a certificate for its own hosts'],
    ['a host in two certificates', () => new MeshGateway(Testing.chart(), 'e', {
      namespace: NamespaceRef.named('n'),
      tls: GatewayTls.simple({ credentialName: 'a' }),
      certificates: [
        GatewayTls.certificate({ credentialName: 'b', issuer, hosts: ['x.example.com'] }), GatewayTls.certificate({ credentialName: 'c', issuer, hosts: ['x.example.com'] }),
      ],
    }), 'Invalid certificates[1].hosts "x.example.com": another certificate already covers it'],
    ['two certificates writing one Secret', () => new MeshGateway(Testing.chart(), 'e', {
      namespace: NamespaceRef.named('n'), tls: GatewayTls.certificate({ credentialName: 'a', issuer }), certificates: [GatewayTls.certificate({ credentialName: 'a', issuer, hosts: ['x.example.com'] })],
    }), 'Invalid credentialName "a": two certificates would write the same Secret'],
    ['certificates on a plaintext gateway', () => new MeshGateway(Testing.chart(), 'e', {
      namespace: NamespaceRef.named('n'), plaintext: true, certificates: [GatewayTls.certificate({ credentialName: 'a', issuer, hosts: ['x.example.com'] })],
    }), 'Invalid certificates 1: per-host certificates need a gateway that terminates TLS'],
    ['a bad issuer, duration or host', () => GatewayTls.certificate({ credentialName: 'a', issuer, duration: Duration.minutes(30) }), 'Invalid duration "30m"'],
    ['no issuer', () => GatewayTls.certificate({ credentialName: 'a' } as any), 'Invalid issuer (undefined): a certificate needs an issuer'],
    ['a bad host', () => GatewayTls.certificate({ credentialName: 'a', issuer, hosts: ['*'] }), 'Invalid hosts "*"'],
  ])('fails: %s', (_name, f, message) => {
    expect(f).toThrow(message);
  });
});
