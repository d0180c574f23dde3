import { Chart, Testing } from 'cdk8s';
import { MeshWorkload, PortProtocol, ServiceEntry, ServiceEntryLocation, ServiceEntryResolution } from '../src';

const chart = () => new Chart(Testing.app(), 'shop', { namespace: 'shop' });

describe('ServiceEntry', () => {
  test('renders an external TLS host with DNS resolution by default', () => {
    // GIVEN
    const c = chart();
    // WHEN
    const se = new ServiceEntry(c, 'stripe', { metadata: { name: 'stripe' }, hosts: ['api.stripe.com'], ports: [{ number: 443, protocol: PortProtocol.TLS }] });
    // THEN
    const [obj] = Testing.synth(c);
    expect(obj.apiVersion).toEqual('networking.istio.io/v1');
    expect(obj.spec).toEqual({
      hosts: ['api.stripe.com'],
      ports: [{ number: 443, protocol: 'TLS', name: 'tls-443' }],
      location: 'MESH_EXTERNAL',
      resolution: 'DNS',
    });
    expect(se.toMeshDestination()).toEqual({ host: 'api.stripe.com' });
    expect(se.portNumbers).toEqual([443]);
    expect(Testing.synth(c)).toMatchSnapshot();
  });

  test('renders static endpoints, addresses, exportTo and TLS origination ports', () => {
    const c = chart();
    new ServiceEntry(c, 'db', {
      hosts: ['db.internal.example.com'],
      addresses: ['10.0.0.0/24'],
      ports: [{ number: 5432, protocol: PortProtocol.TCP, name: 'postgres' }, { number: 80, protocol: PortProtocol.HTTP, targetPort: 443 }],
      resolution: ServiceEntryResolution.STATIC,
      location: ServiceEntryLocation.MESH_INTERNAL,
      endpoints: [{ address: '10.0.0.5', labels: { zone: 'b', role: 'primary' }, ports: { postgres: 6432 } }, { address: '10.0.0.6', weight: 2 }],
      exportTo: ['.'],
    });
    expect(Testing.synth(c)[0].spec).toEqual({
      hosts: ['db.internal.example.com'],
      addresses: ['10.0.0.0/24'],
      ports: [{ number: 5432, protocol: 'TCP', name: 'postgres' }, { number: 80, protocol: 'HTTP', name: 'http-80', targetPort: 443 }],
      location: 'MESH_INTERNAL',
      resolution: 'STATIC',
      endpoints: [{ address: '10.0.0.5', labels: { role: 'primary', zone: 'b' }, ports: { postgres: 6432 } }, { address: '10.0.0.6', weight: 2 }],
      exportTo: ['.'],
    });
  });

  test('renders a workload selector and wildcard hosts with NONE resolution', () => {
    const c = chart();
    new ServiceEntry(c, 'vms', {
      hosts: ['*.vm.example.com'],
      ports: [{ number: 8080, protocol: PortProtocol.HTTP }],
      resolution: ServiceEntryResolution.NONE,
      workloadSelector: MeshWorkload.labels({ app: 'legacy' }),
      location: ServiceEntryLocation.MESH_INTERNAL,
    });
    const spec = Testing.synth(c)[0].spec;
    expect(spec.workloadSelector).toEqual({ labels: { app: 'legacy' } });
    expect(spec.resolution).toEqual('NONE');
  });

  test('fails without hosts or with a "*" host', () => {
    expect(() => new ServiceEntry(chart(), 'a', { hosts: [], ports: [{ number: 443, protocol: PortProtocol.TLS }] }))
      .toThrow('Invalid hosts []: a ServiceEntry needs at least one host');
    expect(() => new ServiceEntry(chart(), 'a', { hosts: ['*'], ports: [{ number: 443, protocol: PortProtocol.TLS }] }))
      .toThrow('Invalid hosts "*": a ServiceEntry host cannot be "*"');
    expect(() => new ServiceEntry(chart(), 'a', { hosts: ['stripe'], ports: [{ number: 443, protocol: PortProtocol.TLS }] })).toThrow('Invalid hosts "stripe": a short name');
  });

  test('fails on wildcard hosts with DNS resolution and no endpoints', () => {
    expect(() => new ServiceEntry(chart(), 'a', { hosts: ['*.googleapis.com'], ports: [{ number: 443, protocol: PortProtocol.TLS }] }))
      .toThrow('Invalid hosts "*.googleapis.com": DNS resolution without endpoints needs FQDN hosts (a wildcard cannot be resolved)');
  });

  test('fails on several hosts on a TCP port with DNS resolution', () => {
    expect(() => new ServiceEntry(chart(), 'a', { hosts: ['a.example.com', 'b.example.com'], ports: [{ number: 5432, protocol: PortProtocol.TCP }] }))
      .toThrow('Invalid hosts ["a.example.com","b.example.com"]: with DNS resolution, several hosts on the TCP port 5432 cannot be told apart (no Host header or SNI). Fix: use one ServiceEntry per host, resolution NONE, or an HTTP/TLS port');
  });

  test('fails without ports, on duplicate ports or names, bad numbers and protocols', () => {
    const h = ['api.example.com'];
    expect(() => new ServiceEntry(chart(), 'a', { hosts: h, ports: [] })).toThrow('Invalid ports []: a ServiceEntry needs at least one port');
    expect(() => new ServiceEntry(chart(), 'a', { hosts: h, ports: [{ number: 443, protocol: PortProtocol.TLS }, { number: 443, protocol: PortProtocol.TLS, name: 'x' }] }))
      .toThrow('Invalid ports.number 443: the port is defined twice');
    expect(() => new ServiceEntry(chart(), 'a', { hosts: h, ports: [{ number: 443, protocol: PortProtocol.TLS, name: 'p' }, { number: 80, protocol: PortProtocol.HTTP, name: 'p' }] }))
      .toThrow('Invalid ports.name "p": port names must be unique in a ServiceEntry');
    expect(() => new ServiceEntry(chart(), 'a', { hosts: h, ports: [{ number: 0, protocol: PortProtocol.TLS }] })).toThrow('Invalid ports.number 0');
    expect(() => new ServiceEntry(chart(), 'a', { hosts: h, ports: [{ number: 80, protocol: PortProtocol.HTTP, targetPort: 70000 }] })).toThrow('Invalid ports.targetPort 70000');
    expect(() => new ServiceEntry(chart(), 'a', { hosts: h, ports: [{ number: 80, protocol: 'QUIC' as PortProtocol }] })).toThrow('Invalid ports.protocol "QUIC"');
  });

  test('fails on endpoint rules of each resolution', () => {
    const base = { hosts: ['db.example.com'], ports: [{ number: 5432, protocol: PortProtocol.TCP, name: 'pg' }] };
    expect(() => new ServiceEntry(chart(), 'a', { ...base, resolution: ServiceEntryResolution.NONE, endpoints: [{ address: '10.0.0.1' }] }))
      .toThrow('Invalid endpoints ["10.0.0.1"]: NONE resolution cannot have endpoints');
    expect(() => new ServiceEntry(chart(), 'a', { ...base, resolution: ServiceEntryResolution.DNS_ROUND_ROBIN, endpoints: [{ address: 'a.example.com' }, { address: 'b.example.com' }] }))
      .toThrow('DNS_ROUND_ROBIN resolution cannot have several endpoints');
    expect(() => new ServiceEntry(chart(), 'a', { ...base, resolution: ServiceEntryResolution.STATIC, endpoints: [{ address: 'db.example.com' }] }))
      .toThrow('Invalid endpoints.address "db.example.com": STATIC resolution needs IP addresses');
    expect(() => new ServiceEntry(chart(), 'a', { ...base, endpoints: [{ address: '10.0.0.1', ports: { mysql: 3306 } }] }))
      .toThrow('Invalid endpoints.ports "mysql": it is not the name of a port of this ServiceEntry. Fix: use one of ["pg"]');
    expect(() => new ServiceEntry(chart(), 'a', { ...base, endpoints: [{ address: '10.0.0.1', weight: -1 }] })).toThrow('Invalid endpoints.weight -1');
    expect(() => new ServiceEntry(chart(), 'a', { ...base, endpoints: [{ address: '10.0.0.1' }], workloadSelector: MeshWorkload.labels({ app: 'db' }) }))
      .toThrow('Invalid workloadSelector "db": only one of workloadSelector or endpoints can be set');
  });

  test('fails on bad addresses and CIDRs with DNS resolution', () => {
    const base = { hosts: ['db.example.com'], ports: [{ number: 5432, protocol: PortProtocol.TCP }] };
    expect(() => new ServiceEntry(chart(), 'a', { ...base, addresses: ['10.0.0.0/24'] })).toThrow('CIDR addresses are allowed only for NONE/STATIC resolution');
    expect(() => new ServiceEntry(chart(), 'a', { ...base, addresses: ['not-an-ip'] })).toThrow('Invalid addresses "not-an-ip": it is not an IP address or CIDR');
  });

  test('fails on invalid exportTo', () => {
    const base = { hosts: ['db.example.com'], ports: [{ number: 5432, protocol: PortProtocol.TCP }] };
    expect(() => new ServiceEntry(chart(), 'a', { ...base, exportTo: ['*', 'shop'] })).toThrow('Invalid exportTo ["*","shop"]: "*" already exports to all namespaces');
    expect(() => new ServiceEntry(chart(), 'a', { ...base, exportTo: ['~', 'shop'] })).toThrow('Invalid exportTo ["~","shop"]: "~" (no one) cannot be combined with other entries');
    expect(() => new ServiceEntry(chart(), 'a', { ...base, exportTo: ['shop', 'shop'] })).toThrow('Invalid exportTo "shop": it is listed twice');
    expect(() => new ServiceEntry(chart(), 'a', { ...base, exportTo: ['Shop'] })).toThrow('Invalid exportTo "Shop"');
    // fixed: "." next to the own namespace was accepted; Istio rejects the duplicate
    expect(() => new ServiceEntry(chart(), 'a', { ...base, exportTo: ['.', 'shop'] })).toThrow('Invalid exportTo [".","shop"]: "." and "shop" both name the resource\'s own namespace');
    expect(new ServiceEntry(chart(), 'a', { ...base, exportTo: ['~'] }).hosts).toEqual(['db.example.com']); // "~" is for ServiceEntries
  });
});
