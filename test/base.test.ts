import { ApiObject, Chart, JsonPatch, Lazy, Testing } from 'cdk8s';
import { Construct } from 'constructs';
import { IstioResource, IstioResourceProps, MeshValidation } from '../src';
import * as net from '../src/imports/istio-networking.istio.io';

// GIVEN a user-written L2 on top of the base, exactly as the library's own L2s are written
interface EgressScopeProps extends IstioResourceProps {
  readonly hosts?: string[];
}
class EgressScope extends IstioResource {
  public readonly apiObject: ApiObject;
  private readonly hosts: string[];
  constructor(scope: Construct, id: string, props: EgressScopeProps = {}) {
    super(scope, id, props);
    this.hosts = [...(props.hosts ?? [])];
    this.apiObject = this._createApiObject(net.Sidecar, {
      metadata: props.metadata,
      spec: Lazy.any({ produce: () => net.toJson_SidecarSpec(this._toIstio()) }),
    });
  }
  public addHost(host: string) {
    this.hosts.push(host);
  }
  private _toIstio(): net.SidecarSpec {
    return {
      egress: [{ hosts: [...this.hosts] }],
      outboundTrafficPolicy: { mode: net.SidecarSpecOutboundTrafficPolicyMode.REGISTRY_UNDERSCORE_ONLY },
    };
  }
}

describe('IstioResource', () => {
  test('renders apiVersion, kind, metadata and the spec from the L1 under id "Resource"', () => {
    // GIVEN
    const chart = Testing.chart();
    // WHEN
    new EgressScope(chart, 'scope', { metadata: { name: 'frontend-egress', namespace: 'shop' }, hosts: ['./*'] });
    // THEN
    const [obj] = Testing.synth(chart);
    expect(obj).toEqual({
      apiVersion: 'networking.istio.io/v1',
      kind: 'Sidecar',
      metadata: { name: 'frontend-egress', namespace: 'shop' },
      spec: { egress: [{ hosts: ['./*'] }], outboundTrafficPolicy: { mode: 'REGISTRY_ONLY' } },
    });
    expect(Testing.synth(chart)).toMatchSnapshot();
  });

  test('renders the spec lazily: state added after construction reaches the output', () => {
    // GIVEN
    const chart = Testing.chart();
    const scope = new EgressScope(chart, 'scope', { hosts: ['./*'] });
    // WHEN
    scope.addHost('istio-system/*');
    // THEN
    expect(Testing.synth(chart)[0].spec.egress).toEqual([{ hosts: ['./*', 'istio-system/*'] }]);
  });

  test('exposes name, namespace, metadata, apiVersion, kind and apiObject', () => {
    // GIVEN
    const chart = Testing.chart();
    // WHEN
    const scope = new EgressScope(chart, 'scope', { metadata: { namespace: 'shop' } });
    scope.metadata.addLabel('team', 'storefront');
    // THEN
    expect(scope.name).toMatch(/^test-scope-[0-9a-f]{8}$/);
    expect(scope.namespace).toEqual('shop');
    expect(scope.apiVersion).toEqual('networking.istio.io/v1');
    expect(scope.kind).toEqual('Sidecar');
    expect(scope.apiObject).toBeInstanceOf(net.Sidecar);
    expect(scope.node.defaultChild).toBe(scope.apiObject);
    expect(scope.apiObject.node.id).toEqual('Resource');
    expect(Testing.synth(chart)[0].metadata.labels).toEqual({ team: 'storefront' });
  });

  test('takes the namespace of its chart when it sets none', () => {
    // GIVEN
    const app = Testing.app();
    const chart = new Chart(app, 'c', { namespace: 'payments' });
    // WHEN
    const scope = new EgressScope(chart, 'scope');
    // THEN
    expect(scope.namespace).toEqual('payments');
    expect(Testing.synth(chart)[0].metadata.namespace).toEqual('payments');
  });

  test('the escape hatch: ApiObject.of(l2).addJsonPatch() patches the rendered object on real Istio field names', () => {
    // GIVEN
    const chart = Testing.chart();
    const scope = new EgressScope(chart, 'scope', { hosts: ['./*'] });
    // WHEN
    ApiObject.of(scope).addJsonPatch(
      JsonPatch.add('/spec/outboundTrafficPolicy/mode', 'ALLOW_ANY'),
      JsonPatch.add('/spec/futureField', { enabled: true }),
    );
    // a field newer than the bundled CRD schema fails synth-time validation unless suppressed
    MeshValidation.suppress(scope, 'K8S-SCHEMA', 'futureField is newer than the Istio 1.30 CRD');
    // THEN
    const spec = Testing.synth(chart)[0].spec;
    expect(spec.outboundTrafficPolicy).toEqual({ mode: 'ALLOW_ANY' });
    expect(spec.futureField).toEqual({ enabled: true });
  });

  test('renders deterministically: two identical apps give byte-identical JSON', () => {
    const render = () => {
      const chart = Testing.chart();
      const s = new EgressScope(chart, 'scope', { metadata: { namespace: 'shop' }, hosts: ['b/*', 'a/*'] });
      s.metadata.addLabel('z', '1');
      s.metadata.addLabel('a', '2');
      return JSON.stringify(Testing.synth(chart));
    };
    expect(render()).toEqual(render());
  });

  test('fails on a metadata.name that is not an RFC 1123 subdomain', () => {
    const chart = Testing.chart();
    expect(() => new EgressScope(chart, 'scope', { metadata: { name: 'Frontend_Egress' } }))
      .toThrow('Invalid metadata.name "Frontend_Egress": it is not an RFC 1123 DNS subdomain (at most 253 characters: lowercase letters, digits, "-" and ".", each part starting and ending with a letter or digit). Fix: use a name such as "frontend-egress"');
  });

  test('fails on an empty metadata.name', () => {
    const chart = Testing.chart();
    expect(() => new EgressScope(chart, 'scope', { metadata: { name: '' } })).toThrow('Invalid metadata.name "": it is empty');
  });

  test('fails on a metadata.namespace that is not an RFC 1123 label', () => {
    const chart = Testing.chart();
    expect(() => new EgressScope(chart, 'scope', { metadata: { namespace: 'shop.prod' } }))
      .toThrow('Invalid metadata.namespace "shop.prod": it is not an RFC 1123 DNS label');
  });

  test('fails with the fix when a namespace is required but unknown', () => {
    const chart = Testing.chart();
    const scope = new EgressScope(chart, 'scope');
    expect(() => scope._requireNamespace('derive its host'))
      .toThrow(/Invalid Sidecar 'test\/scope' metadata.namespace \(undefined\): a namespace is needed to derive its host\. Fix: set metadata.namespace on it or a namespace on its Chart/);
  });
});

describe('IstioResource: synth-time validation', () => {
  test('fails synth of a chart with an L2 whose output the CRD schema rejects, naming the construct path', () => {
    // GIVEN
    const chart = Testing.chart();
    const scope = new EgressScope(chart, 'scope', { hosts: ['./*'] });
    // WHEN
    ApiObject.of(scope).addJsonPatch(JsonPatch.add('/spec/outboundTrafficPolicy/mode', 'ALLOW_ALL'));
    // THEN
    expect(() => Testing.synth(chart)).toThrow(/test\/scope: \[K8S-SCHEMA\] Sidecar\/test-scope-c8[0-9a-f]+: spec.outboundTrafficPolicy.mode: Unsupported value: "ALLOW_ALL": supported values: "REGISTRY_ONLY", "ALLOW_ANY"/);
  });
});
