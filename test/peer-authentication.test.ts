import { Testing } from 'cdk8s';
import { MeshWorkload, MtlsMode, PeerAuthentication } from '../src';

describe('PeerAuthentication', () => {
  test('defaults to namespace-wide STRICT mTLS', () => {
    // GIVEN
    const chart = Testing.chart();
    // WHEN
    new PeerAuthentication(chart, 'pa', { metadata: { name: 'default', namespace: 'shop' } });
    // THEN
    const manifest = Testing.synth(chart);
    expect(manifest).toEqual([{
      apiVersion: 'security.istio.io/v1',
      kind: 'PeerAuthentication',
      metadata: { name: 'default', namespace: 'shop' },
      spec: { mtls: { mode: 'STRICT' } },
    }]);
  });

  test('selects a workload and overrides modes per port, ports sorted', () => {
    // GIVEN
    const chart = Testing.chart();
    const legacy = MeshWorkload.labels({ app: 'legacy' }, { namespace: 'shop' });
    // WHEN
    const pa = new PeerAuthentication(chart, 'pa', {
      metadata: { namespace: 'shop' },
      selector: legacy,
      mtlsMode: MtlsMode.UNSET,
      portMtls: [{ port: 9090, mode: MtlsMode.PERMISSIVE }],
    });
    pa.addPortMtls(8080, MtlsMode.DISABLE);
    // THEN
    expect(Testing.synth(chart)[0].spec).toEqual({
      selector: { matchLabels: { app: 'legacy' } },
      portLevelMtls: { 8080: { mode: 'DISABLE' }, 9090: { mode: 'PERMISSIVE' } },
    });
    expect(Object.keys(Testing.synth(chart)[0].spec.portLevelMtls)).toEqual(['8080', '9090']);
    expect(pa.mtlsMode).toEqual(MtlsMode.UNSET);
  });

  test('PERMISSIVE renders the migration mode', () => {
    const chart = Testing.chart();
    new PeerAuthentication(chart, 'pa', { mtlsMode: MtlsMode.PERMISSIVE });
    expect(Testing.synth(chart)[0].spec).toEqual({ mtls: { mode: 'PERMISSIVE' } });
  });

  test('fails port-level mTLS without a selector', () => {
    const chart = Testing.chart();
    const pa = new PeerAuthentication(chart, 'pa');
    expect(() => pa.addPortMtls(8080, MtlsMode.DISABLE)).toThrow(
      'Invalid portMtls port 8080: Istio rejects port-level mTLS in a namespace-wide or mesh-wide PeerAuthentication. Fix: set `selector` to the workload that owns the port');
    expect(() => new PeerAuthentication(chart, 'pa2', { portMtls: [{ port: 1, mode: MtlsMode.STRICT }] })).toThrow(/port-level mTLS/);
  });

  test('fails a port outside 1..65535', () => {
    const chart = Testing.chart();
    const pa = new PeerAuthentication(chart, 'pa', { selector: MeshWorkload.labels({ app: 'a' }) });
    expect(() => pa.addPortMtls(70000, MtlsMode.DISABLE)).toThrow(/Invalid portMtls port 70000: a port is an integer from 1 to 65535/);
  });

  test('fails a port set twice', () => {
    const chart = Testing.chart();
    const pa = new PeerAuthentication(chart, 'pa', { selector: MeshWorkload.labels({ app: 'a' }) });
    pa.addPortMtls(8080, MtlsMode.DISABLE);
    expect(() => pa.addPortMtls(8080, MtlsMode.STRICT)).toThrow(/Invalid portMtls port 8080: port 8080 already has mode DISABLE/);
  });

  test('fails an unknown mode', () => {
    const chart = Testing.chart();
    expect(() => new PeerAuthentication(chart, 'pa', { mtlsMode: 'strict' as MtlsMode })).toThrow(/Invalid mtlsMode "strict": it is not an mTLS mode/);
  });

  test('fails a selector without labels (at synth)', () => {
    const chart = Testing.chart();
    const empty = { workloadKey: 'empty', toSelectorLabels: () => ({}) };
    new PeerAuthentication(chart, 'pa', { selector: empty });
    expect(() => Testing.synth(chart)).toThrow(/Invalid selector "empty": it selects no labels/);
  });

  test('fails a selector for a workload in another namespace (at synth)', () => {
    const chart = Testing.chart();
    new PeerAuthentication(chart, 'pa', { metadata: { namespace: 'shop' }, selector: MeshWorkload.labels({ app: 'ledger' }, { namespace: 'payments' }) });
    expect(() => Testing.synth(chart)).toThrow(
      /Invalid selector "ledger \(namespace payments\)": a selector only matches workloads in the policy's own namespace "shop". Fix: put the policy in namespace "payments"/);
  });
});
