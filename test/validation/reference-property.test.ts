// Property-based tests (fast-check) of the references the checks follow: random sets of objects with
// duplicate identities (MESH005), random Service ports and destinations (IST0112 / IST0101 host:port),
// random gateways, external declarations and gateway references (IST0101). Each property states exactly
// which findings must come out, so both the misses and the false alarms fail it. They run the engine the
// plugin and the CLI use (`_validateDocuments`) and, for duplicates, the synth-time checks too.
import { ApiObject, Chart, Testing } from 'cdk8s';
import * as fc from 'fast-check';
import { ConformanceValidator, MeshValidation } from '../../src';
import { _validateDocuments } from '../../src/validation/_mesh';

const V = ConformanceValidator.builtIn();
const label = fc.stringMatching(/^[a-z]([a-z0-9-]{0,6}[a-z0-9])?$/);
const RUNS = { numRuns: 60 };

const findings = (docs: any[], externalGateways: string[] = []) =>
  _validateDocuments(docs.map((doc) => ({ doc, file: 'out.k8s.yaml' })), V, { externalGateways: new Set(externalGateways) })
    .map((f) => `${f.rule} ${f.kind} ${f.namespace ?? ''}/${f.name} ${f.path}`).sort();

// ---------------------------------------------------------------------------------------------- duplicates

/** Object shapes that are valid on their own (schema and mesh rules). */
const SHAPES: Record<string, (ns: string, name: string) => any> = {
  ConfigMap: (ns, name) => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: ns }, data: { k: 'v' } }),
  ServiceAccount: (ns, name) => ({ apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name, namespace: ns } }),
  AuthorizationPolicy: (ns, name) => ({ apiVersion: 'security.istio.io/v1', kind: 'AuthorizationPolicy', metadata: { name, namespace: ns }, spec: {} }),
  PeerAuthentication: (ns, name) => ({ apiVersion: 'security.istio.io/v1', kind: 'PeerAuthentication', metadata: { name, namespace: ns }, spec: { mtls: { mode: 'STRICT' } } }),
};
const identity = fc.record({ kind: fc.constantFrom(...Object.keys(SHAPES)), ns: fc.constantFrom('shop', 'pay'), name: label }, { noNullPrototype: true });
const key = (o: { kind: string; ns: string; name: string }) => `${o.kind}|${o.ns}|${o.name}`;

describe('property: duplicate objects (MESH005)', () => {
  test('each identity defined k times gives exactly k-1 findings, in the engine and at synth; distinct identities none', () => {
    fc.assert(fc.property(
      fc.uniqueArray(identity, { minLength: 1, maxLength: 8, selector: key }),
      fc.array(fc.nat(), { maxLength: 4 }),
      (objects, picks) => {
        // copies of random objects (the same identity again, maybe with other content)
        const copies = picks.map((p) => objects[p % objects.length]);
        const all = [...objects, ...copies];
        const expected = copies.map((o) => `MESH005 ${o.kind} ${o.ns}/${o.name} metadata.name`).sort();
        expect(findings(all.map((o) => SHAPES[o.kind](o.ns, o.name))).filter((f) => f.startsWith('MESH005'))).toEqual(expected);

        const app = Testing.app();
        const chart = new Chart(app, 'c');
        all.forEach((o, i) => new ApiObject(chart, `o${i}`, SHAPES[o.kind](o.ns, o.name)));
        MeshValidation.of(app).enableAtSynth();
        expect(MeshValidation.of(app).validate().filter((f) => f.rule === 'MESH005').map((f) => `MESH005 ${f.kind} ${f.namespace}/${f.name} ${f.path}`).sort())
          .toEqual(expected);
      }), RUNS);
  });

  test('near misses: the same name in another kind, namespace or API group is another object', () => {
    fc.assert(fc.property(label, (name) => {
      const docs = [
        SHAPES.ConfigMap('shop', name), SHAPES.ConfigMap('pay', name), SHAPES.ServiceAccount('shop', name),
        { apiVersion: 'networking.istio.io/v1', kind: 'Gateway', metadata: { name, namespace: 'shop' }, spec: { servers: [{ port: { number: 80, name: 'http', protocol: 'HTTP' }, hosts: ['a.example.com'] }] } },
        { apiVersion: 'gateway.networking.k8s.io/v1', kind: 'Gateway', metadata: { name, namespace: 'shop' }, spec: { gatewayClassName: 'istio', listeners: [{ name: 'http', port: 80, protocol: 'HTTP' }] } },
      ];
      expect(findings(docs).filter((f) => f.startsWith('MESH005'))).toEqual([]);
    }), RUNS);
  });
});

// ------------------------------------------------------------------------------------------------- ports

const service = (ports: number[]) => ({
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name: 'catalog', namespace: 'shop' },
  spec: { selector: { app: 'catalog' }, ports: ports.map((port, i) => ({ name: `http-${i}`, port })) },
});
const routeTo = (port: number | undefined) => ({
  apiVersion: 'networking.istio.io/v1',
  kind: 'VirtualService',
  metadata: { name: 'routes', namespace: 'shop' },
  spec: { hosts: ['catalog'], http: [{ route: [{ destination: { host: 'catalog', ...(port === undefined ? {} : { port: { number: port } }) } }] }] },
});

describe('property: destination ports (IST0112, IST0101 host:port)', () => {
  test('a destination port the Service lacks is IST0101, no port toward several is IST0112, anything else is clean', () => {
    fc.assert(fc.property(
      fc.uniqueArray(fc.integer({ min: 1, max: 65535 }), { minLength: 1, maxLength: 5 }),
      fc.option(fc.integer({ min: 1, max: 65535 }), { nil: undefined }),
      (ports, port) => {
        const dest = 'spec.http[0].route[0].destination';
        let expected: string[] = [];
        if (port === undefined && ports.length > 1) expected = [`IST0112 VirtualService shop/routes ${dest}`];
        if (port !== undefined && !ports.includes(port)) expected = [`IST0101 VirtualService shop/routes ${dest}.port.number`];
        expect(findings([service(ports), routeTo(port)])).toEqual(expected);
      }), RUNS);
  });

  test('near miss: a port the Service has is always clean', () => {
    fc.assert(fc.property(
      fc.uniqueArray(fc.integer({ min: 1, max: 65535 }), { minLength: 1, maxLength: 5 }), fc.nat(),
      (ports, i) => expect(findings([service(ports), routeTo(ports[i % ports.length])])).toEqual([])), RUNS);
  });
});

// ---------------------------------------------------------------------------------------------- gateways

const gatewayRef = fc.record({ ns: fc.constantFrom('shop', 'edge'), name: fc.constantFrom('public', 'private', 'partners') }, { noNullPrototype: true });
const refKey = (g: { ns: string; name: string }) => `${g.ns}/${g.name}`;
const gateway = (g: { ns: string; name: string }) => ({
  apiVersion: 'networking.istio.io/v1',
  kind: 'Gateway',
  metadata: { name: g.name, namespace: g.ns },
  spec: { selector: { istio: 'ingressgateway' }, servers: [{ port: { number: 80, name: 'http', protocol: 'HTTP' }, hosts: ['*/*.example.com'] }] },
});

describe('property: gateway references (IST0101)', () => {
  test('a reference is reported exactly when its gateway is neither defined nor declared external, in every reference form', () => {
    fc.assert(fc.property(
      fc.uniqueArray(gatewayRef, { maxLength: 4, selector: refKey }),
      fc.uniqueArray(gatewayRef, { maxLength: 3, selector: refKey }),
      fc.uniqueArray(gatewayRef, { minLength: 1, maxLength: 3, selector: refKey }),
      fc.constantFrom('ns/name', 'name', './name'),
      (defined, external, refs, form) => {
        // the route lives in `shop`: the short forms name gateways of `shop` only
        const usable = form === 'ns/name' ? refs : refs.filter((r) => r.ns === 'shop');
        fc.pre(usable.length > 0);
        const written = usable.map((r) => (form === 'ns/name' ? refKey(r) : form === 'name' ? r.name : `./${r.name}`));
        const vs = {
          apiVersion: 'networking.istio.io/v1',
          kind: 'VirtualService',
          metadata: { name: 'edge', namespace: 'shop' },
          spec: { hosts: ['shop.example.com'], gateways: written, http: [{ route: [{ destination: { host: 'frontend.shop.svc.cluster.local' } }] }] },
        };
        const known = new Set([...defined, ...external].map(refKey));
        const expected = usable.map((r, i) => (known.has(refKey(r)) ? undefined : `IST0101 VirtualService shop/edge spec.gateways[${i}]`))
          .filter((f): f is string => f !== undefined).sort();
        // only IST0101 is this property's concern (gateways generated on one selector and port also conflict: IST0145)
        expect(findings([...defined.map(gateway), vs], external.map(refKey)).filter((f) => f.startsWith('IST0101 '))).toEqual(expected);
      }), RUNS);
  });
});
