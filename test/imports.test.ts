import * as fs from 'fs';
import * as path from 'path';
import * as YAML from 'yaml';
import { cert_manager, gateway_api, istio_networking, istio_security, istio_telemetry, monitoring } from '../src';
import { describeWithShared } from './shared';

// The generated classes the library builds on, and the GVK each must carry.
const GENERATED: Array<[string, { GVK: { apiVersion: string; kind: string } }]> = [
  ['VirtualService', istio_networking.VirtualService],
  ['DestinationRule', istio_networking.DestinationRule],
  ['Gateway', istio_networking.Gateway],
  ['ServiceEntry', istio_networking.ServiceEntry],
  ['Sidecar', istio_networking.Sidecar],
  ['AuthorizationPolicy', istio_security.AuthorizationPolicy],
  ['PeerAuthentication', istio_security.PeerAuthentication],
  ['RequestAuthentication', istio_security.RequestAuthentication],
  ['Telemetry', istio_telemetry.Telemetry],
  ['Gateway', gateway_api.Gateway],
  ['HTTPRoute', gateway_api.HttpRoute],
  ['ReferenceGrant', gateway_api.ReferenceGrant],
  ['PodMonitor', monitoring.PodMonitor],
  ['ServiceMonitor', monitoring.ServiceMonitor],
  ['PrometheusRule', monitoring.PrometheusRule],
  ['Certificate', cert_manager.Certificate],
];

describe('generated bindings (src/imports)', () => {
  test.each(GENERATED)('%s carries a v1 GVK', (kind, cls) => {
    expect(cls.GVK.kind).toEqual(kind);
    expect(cls.GVK.apiVersion).toMatch(/^[a-z0-9.-]+\/v1$/);
  });

  test('carry no upstream description prose, only the generator\'s own doc lines', () => {
    const dir = path.join(__dirname, '..', 'src', 'imports');
    const generatorLines = [
      /^This can be used to inline resource manifests inside other objects/,
      /^Renders the object to Kubernetes JSON\.$/,
      /^Returns the apiVersion and kind for "\w+"$/,
      /^Renders a Kubernetes manifest for "\w+"\.$/,
      /^Defines a "\w+" API object$/,
      /^Converts an object of type '\w+' to JSON representation\.$/,
    ];
    for (const f of fs.readdirSync(dir)) {
      const prose = fs.readFileSync(path.join(dir, f), 'utf8').split('\n')
        .map((l) => l.trim())
        .filter((l) => l.startsWith('* ') && !l.startsWith('* @'))
        .map((l) => l.slice(2))
        .filter((l) => !generatorLines.some((re) => re.test(l)));
      expect({ file: f, prose: prose.slice(0, 3) }).toEqual({ file: f, prose: [] });
    }
  });
});

describeWithShared('generated bindings match the CRD bundles in ../shared', (shared) => {
  const bundles = [
    'istio-1.30.3/crd-all.gen.yaml',
    'gateway-api-v1.5.1/standard-crds.yaml',
    'prometheus-operator-v0.93.0/crds.yaml',
    'cert-manager-v1.21.1/crds.yaml',
  ];
  const served = new Set<string>();
  beforeAll(() => {
    for (const b of bundles) {
      for (const doc of YAML.parseAllDocuments(fs.readFileSync(path.join(shared, b), 'utf8'))) {
        const crd = doc.toJSON();
        if (crd?.kind !== 'CustomResourceDefinition') continue;
        for (const v of crd.spec.versions) if (v.served) served.add(`${crd.spec.group}/${v.name} ${crd.spec.names.kind}`);
      }
    }
  });

  test.each(GENERATED)('%s is a served version of a CRD in the bundle', (_kind, cls) => {
    expect(served.has(`${cls.GVK.apiVersion} ${cls.GVK.kind}`)).toBe(true);
  });
});
