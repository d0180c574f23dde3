import { ApiObject, Chart, JsonPatch, Testing } from 'cdk8s';
import { Gateway, GatewayProtocol, GatewayTls, GatewayTlsMode, MeshWorkload, TlsVersion } from '../src';

const edgeChart = () => new Chart(Testing.app(), 'edge', { namespace: 'istio-ingress' });
const https = (hosts: string[] = ['shop.example.com']) => ({
  port: 443, protocol: GatewayProtocol.HTTPS, hosts, tls: GatewayTls.simple({ credentialName: 'shop-cert' }),
});

describe('Gateway', () => {
  test('renders an HTTPS server with explicit SIMPLE TLS (min TLS 1.2) and an HTTP redirect server', () => {
    // GIVEN
    const chart = edgeChart();
    // WHEN
    const gw = new Gateway(chart, 'gw', { metadata: { name: 'edge' } });
    gw.addServer(https());
    gw.addServer({ port: 80, protocol: GatewayProtocol.HTTP, hosts: ['shop.example.com'], httpsRedirect: true });
    // THEN
    const [obj] = Testing.synth(chart);
    expect(obj.apiVersion).toEqual('networking.istio.io/v1');
    expect(obj.spec).toEqual({
      selector: { istio: 'ingressgateway' },
      servers: [
        {
          port: { number: 443, protocol: 'HTTPS', name: 'https-443' },
          hosts: ['shop.example.com'],
          tls: { mode: 'SIMPLE', credentialName: 'shop-cert', minProtocolVersion: 'TLSV1_2' },
        },
        {
          port: { number: 80, protocol: 'HTTP', name: 'http-80' },
          hosts: ['shop.example.com'],
          tls: { httpsRedirect: true },
        },
      ],
    });
    expect(gw.gatewayRef).toEqual('istio-ingress/edge');
    expect(Testing.synth(chart)).toMatchSnapshot();
  });

  test('takes a custom selector, servers from props, and renders every TLS mode', () => {
    const chart = edgeChart();
    const gw = new Gateway(chart, 'gw', {
      selector: MeshWorkload.labels({ app: 'internal-gateway' }),
      servers: [
        {
          port: 8443,
          protocol: GatewayProtocol.HTTPS,
          hosts: ['api.example.com'],
          tls: GatewayTls.mutual({
            credentialName: 'api-cert',
            caCertCredentialName: 'api-client-ca',
            subjectAltNames: ['spiffe-client'],
            minProtocolVersion: TlsVersion.TLSV1_3,
            cipherSuites: ['ECDHE-ECDSA-AES256-GCM-SHA384'],
          }),
        },
        {
          port: 9443,
          protocol: GatewayProtocol.HTTPS,
          hosts: ['partners.example.com'],
          tls: GatewayTls.optionalMutual({ credentialName: 'partners-cert', caInCredential: true, maxProtocolVersion: TlsVersion.TLSV1_3 }),
        },
        { port: 15443, protocol: GatewayProtocol.TLS, hosts: ['*.local'], tls: GatewayTls.autoPassthrough(), name: 'tls-eastwest' },
        { port: 8444, protocol: GatewayProtocol.TLS, hosts: ['db.example.com'], tls: GatewayTls.passthrough() },
        { port: 8445, protocol: GatewayProtocol.TLS, hosts: ['mesh.example.com'], tls: GatewayTls.istioMutual() },
        { port: 3306, protocol: GatewayProtocol.TCP, hosts: ['*'], allowAnyHost: true },
      ],
    });
    const spec = Testing.synth(chart)[0].spec;
    expect(spec.selector).toEqual({ app: 'internal-gateway' });
    expect(spec.servers.map((s: any) => s.tls)).toEqual([
      {
        mode: 'MUTUAL',
        credentialName: 'api-cert',
        caCertCredentialName: 'api-client-ca',
        minProtocolVersion: 'TLSV1_3',
        cipherSuites: ['ECDHE-ECDSA-AES256-GCM-SHA384'],
        subjectAltNames: ['spiffe-client'],
      },
      { mode: 'OPTIONAL_MUTUAL', credentialName: 'partners-cert', minProtocolVersion: 'TLSV1_2', maxProtocolVersion: 'TLSV1_3' },
      { mode: 'AUTO_PASSTHROUGH' },
      { mode: 'PASSTHROUGH' },
      { mode: 'ISTIO_MUTUAL' },
      undefined,
    ]);
    expect(spec.servers[2].port).toEqual({ number: 15443, protocol: 'TLS', name: 'tls-eastwest' });
    expect(gw.servers.map((s) => s.tls?.mode)).toEqual([GatewayTlsMode.MUTUAL, GatewayTlsMode.OPTIONAL_MUTUAL,
      GatewayTlsMode.AUTO_PASSTHROUGH, GatewayTlsMode.PASSTHROUGH, GatewayTlsMode.ISTIO_MUTUAL, undefined]);
    expect(gw.hosts).toEqual(['api.example.com', 'partners.example.com', '*.local', 'db.example.com', 'mesh.example.com', '*']);
  });

  test('servesHost follows Istio host matching and namespace scoping', () => {
    const chart = edgeChart();
    const gw = new Gateway(chart, 'gw', { servers: [https(['shop.example.com', '*.api.example.com', 'shop/admin.example.com', './ops.example.com'])] });
    expect(gw.servesHost('shop.example.com', 'any')).toBe(true);
    expect(gw.servesHost('v1.api.example.com', 'any')).toBe(true);
    expect(gw.servesHost('api.example.com', 'any')).toBe(false);
    expect(gw.servesHost('admin.example.com', 'shop')).toBe(true);
    expect(gw.servesHost('admin.example.com', 'payments')).toBe(false);
    expect(gw.servesHost('ops.example.com', 'istio-ingress')).toBe(true);
    expect(gw.servesHost('ops.example.com', 'shop')).toBe(false);
    expect(gw.servesHost('other.example.com', 'shop')).toBe(false);
  });

  test('servesHost binds a wildcard route host to the server hosts it overlaps (host.Name.Matches, as pickMatchingGatewayHosts)', () => {
    // fixed: a wildcard route host was only served by a wider server host, while Istio binds every overlap
    const gw = new Gateway(edgeChart(), 'gw', { servers: [https(['shop.example.com', '*.api.example.com'])] });
    expect(gw.servesHost('*.example.com', 'any')).toBe(true); // Istio serves shop.example.com through it
    expect(gw.servesHost('*.v1.api.example.com', 'any')).toBe(true);
    expect(gw.servesHost('*.other.com', 'any')).toBe(false);
    expect(gw.servesHost('example.com', 'any')).toBe(false);
  });

  test('servers added after construction are rendered (lazy spec); the escape hatch patches the output', () => {
    const chart = edgeChart();
    const gw = new Gateway(chart, 'gw', { servers: [https()] });
    gw.addServer({ port: 80, protocol: GatewayProtocol.HTTP, hosts: ['shop.example.com'] });
    ApiObject.of(gw).addJsonPatch(JsonPatch.add('/spec/servers/0/tls/minProtocolVersion', 'TLSV1_3'));
    const spec = Testing.synth(chart)[0].spec;
    expect(spec.servers).toHaveLength(2);
    expect(spec.servers[1].tls).toBeUndefined();
    expect(spec.servers[0].tls.minProtocolVersion).toEqual('TLSV1_3');
  });

  test('fails at synth when no server was added', () => {
    const chart = edgeChart();
    new Gateway(chart, 'gw');
    expect(() => Testing.synth(chart)).toThrow(/Gateway 'edge\/gw' has no servers: a gateway must have at least one server\. Fix: call addServer\(\) or pass servers/);
  });

  test('fails on a gateway name with dots (Istio requires a DNS label)', () => {
    expect(() => new Gateway(edgeChart(), 'gw', { metadata: { name: 'shop.edge' } })).toThrow('Invalid metadata.name "shop.edge": it is not an RFC 1123 DNS label');
  });

  test('fails on ports outside 1-65535', () => {
    const gw = new Gateway(edgeChart(), 'gw');
    expect(() => gw.addServer({ ...https(), port: 0 })).toThrow('Invalid port 0: a port is an integer from 1 to 65535. Fix: use e.g. 443 or 80');
    expect(() => gw.addServer({ ...https(), port: 70000 })).toThrow('Invalid port 70000');
    expect(() => gw.addServer({ ...https(), port: 44.3 })).toThrow('Invalid port 44.3');
  });

  test('fails on an unknown protocol', () => {
    const gw = new Gateway(edgeChart(), 'gw');
    expect(() => gw.addServer({ ...https(), protocol: 'QUIC' as GatewayProtocol })).toThrow('Invalid protocol "QUIC": it is not a supported gateway protocol');
  });

  test('fails on duplicate port names', () => {
    const gw = new Gateway(edgeChart(), 'gw', { servers: [https()] });
    expect(() => gw.addServer({ ...https(['api.example.com']), port: 8443, name: 'https-443' }))
      .toThrow('Invalid name "https-443": port names must be unique in a gateway and "https-443" is already used. Fix: give the server another name');
  });

  test('fails on one port with two protocols (HTTPS and TLS may share a port: SNI tells them apart)', () => {
    const gw = new Gateway(edgeChart(), 'gw', { servers: [https()] });
    gw.addServer({ port: 443, protocol: GatewayProtocol.TLS, hosts: ['db.example.com'], tls: GatewayTls.passthrough(), name: 'tls' });
    expect(() => gw.addServer({ port: 443, protocol: GatewayProtocol.HTTP, hosts: ['www.example.com'], name: 'plain' }))
      .toThrow('Invalid protocol "HTTP": port 443 is already served as HTTPS; one port carries one protocol. Fix: use HTTPS or another port');
  });

  test('fails at synth when a server ends up with no host', () => {
    const chart = edgeChart();
    const gw = new Gateway(chart, 'gw');
    gw._addServerWithHosts({ port: 80, protocol: GatewayProtocol.HTTP }, []);
    expect(() => Testing.synth(chart)).toThrow(/Gateway 'edge\/gw' server 'http-80' serves no host, which Istio rejects\. Fix: expose at least one host through it/);
  });

  test('fails on a server without hosts or with a repeated host', () => {
    const gw = new Gateway(edgeChart(), 'gw');
    expect(() => gw.addServer(https([]))).toThrow('Invalid hosts []: a server must serve at least one host');
    expect(() => gw.addServer(https(['a.example.com', 'a.example.com']))).toThrow('a host is listed twice');
    expect(() => gw.addServer(https(['']))).toThrow('Invalid hosts "": the host is empty');
  });

  test('fails on short (non-FQDN) and partially wildcarded hosts', () => {
    const gw = new Gateway(edgeChart(), 'gw');
    expect(() => gw.addServer(https(['shop']))).toThrow('Invalid hosts "shop": a short name is resolved relative to the namespace');
    expect(() => gw.addServer(https(['shop*.example.com']))).toThrow('Invalid hosts "shop*.example.com": only the first label may hold a wildcard');
    expect(() => gw.addServer(https(['Shop_1/shop.example.com']))).toThrow('Invalid hosts "Shop_1/shop.example.com": "Shop_1" is not a namespace');
  });

  test('near miss: Istio\'s wildcard first label "*shop" (matches "eu-shop.example.com" by suffix) is accepted', () => {
    const chart = edgeChart();
    new Gateway(chart, 'gw').addServer(https(['*shop.example.com', '*-api.example.com']));
    expect(Testing.synth(chart)[0].spec.servers[0].hosts).toEqual(['*shop.example.com', '*-api.example.com']);
  });

  test('fails on a bare "*" host without the explicit opt-in', () => {
    const gw = new Gateway(edgeChart(), 'gw');
    expect(() => gw.addServer(https(['*'])))
      .toThrow('Invalid hosts "*": a bare "*" host serves every domain, so any VirtualService in the allowed namespaces can capture any host. Fix: list the FQDNs you serve, or set allowAnyHost: true on this server');
    expect(() => gw.addServer(https(['shop/*']))).toThrow('Invalid hosts "shop/*"');
  });

  test('fails on HTTPS/TLS without TLS settings, and TLS settings on plain-text servers', () => {
    const gw = new Gateway(edgeChart(), 'gw');
    expect(() => gw.addServer({ port: 443, protocol: GatewayProtocol.HTTPS, hosts: ['shop.example.com'] }))
      .toThrow('Invalid tls (undefined): a HTTPS server needs TLS settings (an unset mode would mean PASSTHROUGH and ignore any certificate)');
    expect(() => gw.addServer({ port: 80, protocol: GatewayProtocol.HTTP, hosts: ['shop.example.com'], tls: GatewayTls.passthrough() }))
      .toThrow('Invalid tls "PASSTHROUGH": a plain-text HTTP server cannot have TLS settings. Fix: use GatewayProtocol.HTTPS for TLS');
  });

  test('an HTTPS server in PASSTHROUGH mode is accepted, as Istio does (its SNI passthrough task uses one)', () => {
    const chart = edgeChart();
    const gw = new Gateway(chart, 'gw');
    gw.addServer({ port: 443, protocol: GatewayProtocol.HTTPS, name: 'https', hosts: ['nginx.example.com'], tls: GatewayTls.passthrough() });
    expect(Testing.synth(chart)[0].spec.servers).toEqual([
      { port: { number: 443, protocol: 'HTTPS', name: 'https' }, hosts: ['nginx.example.com'], tls: { mode: 'PASSTHROUGH' } },
    ]);
  });

  test('fails on httpsRedirect on a non-HTTP server', () => {
    const gw = new Gateway(edgeChart(), 'gw');
    expect(() => gw.addServer({ ...https(), httpsRedirect: true }))
      .toThrow('Invalid httpsRedirect true: a redirect to HTTPS only makes sense on a plain HTTP server, not HTTPS');
  });

  test('fails on SIMPLE/MUTUAL TLS without a credential', () => {
    expect(() => GatewayTls.simple({ credentialName: '' }))
      .toThrow('Invalid GatewayTls.simple() credentialName "": SIMPLE TLS terminates at the gateway and needs a server certificate');
    expect(() => GatewayTls.mutual({ credentialName: undefined as any, caInCredential: true })).toThrow('Invalid GatewayTls.mutual() credentialName (undefined)');
    expect(() => GatewayTls.simple({ credentialName: 'Bad Secret' })).toThrow('Invalid credentialName "Bad Secret": it is not a valid Secret name');
  });

  test('fails on MUTUAL without a CA', () => {
    expect(() => GatewayTls.mutual({ credentialName: 'api-cert' }))
      .toThrow('Invalid GatewayTls.mutual() caCertCredentialName (undefined): MUTUAL TLS must verify client certificates against a CA bundle. Fix: set caCertCredentialName');
    expect(() => GatewayTls.optionalMutual({ credentialName: 'api-cert' })).toThrow('Invalid GatewayTls.optionalMutual() caCertCredentialName');
    expect(() => GatewayTls.mutual({ credentialName: 'api-cert', caCertCredentialName: 'ca', caInCredential: true }))
      .toThrow('Invalid caCertCredentialName "ca": caInCredential is also set');
  });

  test('fails on TLS versions that accept nothing or old versions without cipher suites', () => {
    expect(() => GatewayTls.simple({ credentialName: 'c', minProtocolVersion: TlsVersion.TLSV1_3, maxProtocolVersion: TlsVersion.TLSV1_2 }))
      .toThrow('Invalid maxProtocolVersion "TLSV1_2": it is below minProtocolVersion TLSV1_3, so no TLS version is accepted');
    expect(() => GatewayTls.simple({ credentialName: 'c', minProtocolVersion: TlsVersion.TLSV1_0 }))
      .toThrow('Invalid minProtocolVersion "TLSV1_0": TLS versions below 1.2 need explicit cipher suites');
  });

  test('fails on malformed or repeated cipher suites', () => {
    expect(() => GatewayTls.simple({ credentialName: 'c', cipherSuites: ['AES 128'] })).toThrow('Invalid cipherSuites "AES 128": it is not a cipher suite name');
    expect(() => GatewayTls.simple({ credentialName: 'c', cipherSuites: ['AES128-SHA', 'AES128-SHA'] })).toThrow('Invalid cipherSuites "AES128-SHA": it is listed twice');
  });
});
