import * as fs from 'fs';
import * as path from 'path';
import * as YAML from 'yaml';
import { ConformanceValidator, ValidationSeverity } from '../../src';
import { describeWithShared } from '../shared';

const V = ConformanceValidator.builtIn();
const NET = 'networking.istio.io/v1';
const SEC = 'security.istio.io/v1';
const TEL = 'telemetry.istio.io/v1';
const GW = 'gateway.networking.k8s.io/v1';
const MON = 'monitoring.coreos.com/v1';

function obj(apiVersion: string, kind: string, spec: any): any {
  return { apiVersion, kind, metadata: { name: 'x', namespace: 'shop' }, spec };
}
/** The findings as `RULE path: message`, the message in the API server's words (the fix after it is tested on its own). */
function messages(o: any): string[] {
  return V.validate(o).map((f) => `${f.rule} ${f.path}: ${f.message.replace(/\. Fix: [^]*$/, '')}`);
}

describe('ConformanceValidator: structural schema', () => {
  test('accepts a valid VirtualService with no findings', () => {
    // GIVEN
    const vs = obj(NET, 'VirtualService', { hosts: ['catalog'], http: [{ route: [{ destination: { host: 'catalog', subset: 'v1' }, weight: 100 }] }] });
    // THEN
    expect(V.validate(vs)).toEqual([]);
  });

  test('fails on an unknown field, which the API server would drop silently', () => {
    const vs = obj(NET, 'VirtualService', { hosts: ['catalog'], htp: [] });
    expect(V.validate(vs)).toEqual([{
      rule: 'K8S-SCHEMA',
      severity: ValidationSeverity.ERROR,
      kind: 'VirtualService',
      apiVersion: NET,
      namespace: 'shop',
      name: 'x',
      path: 'spec.htp',
      message: 'unknown field "spec.htp" (the API server would drop it silently). Fix: remove the field or correct its name (the CRD\'s field names, as in the API reference)',
    }]);
  });

  test('every schema and CEL finding ends with its fix, after the API server\'s words', () => {
    const fixes = (o: any) => V.validate(o).map((f) => f.message.slice(f.message.indexOf('. Fix: ') + 7));
    expect(fixes(obj(NET, 'DestinationRule', { host: 'a', trafficPolicy: { tls: { mode: 'MTLS' } } }))).toEqual(['use one of the supported values']);
    expect(fixes(obj(NET, 'VirtualService', { hosts: ['a'], http: [{ route: [{ destination: { host: 'a' }, weight: '5' }] }] }))).toEqual(['give a value of the type and form the CRD\'s schema states']);
    expect(fixes(obj(NET, 'DestinationRule', {}))[0]).toEqual('set the field');
    expect(fixes(obj(SEC, 'PeerAuthentication', { portLevelMtls: { 80: { mode: 'DISABLE' } } }))).toEqual(['change the object so that the CRD\'s validation rule holds']);
  });

  test('fails on an unknown metadata field, accepts labels and annotations', () => {
    const o = obj(NET, 'VirtualService', { hosts: ['a'] });
    o.metadata.labels = { app: 'a' };
    o.metadata.annotations = { a: 'b' };
    expect(messages(o)).toEqual([]);
    o.metadata.lables = {};
    expect(messages(o)).toEqual(['K8S-SCHEMA metadata.lables: unknown field "metadata.lables" (the API server would drop it silently)']);
  });

  test('fails on invalid metadata as the API server checks it (name, namespace, labels)', () => {
    const o = obj(NET, 'VirtualService', { hosts: ['a'] });
    o.metadata = { name: 'Catalog_V1', namespace: 'shop.eu', labels: { 'bad key!': 'x', 'app': 'not a value' } };
    expect(messages(o)).toEqual([
      'K8S-SCHEMA metadata.name: Invalid value: "Catalog_V1": should match \'^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$\'',
      'K8S-SCHEMA metadata.namespace: Invalid value: "shop.eu": should match \'^[a-z0-9]([-a-z0-9]*[a-z0-9])?$\'',
      'K8S-SCHEMA metadata.labels: Invalid value: "bad key!": not a valid key (a qualified name with an optional DNS prefix)',
      'K8S-SCHEMA metadata.labels.app: Invalid value: "not a value": should match \'^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$\'',
    ]);
  });

  test('fails on wrong types, enums, bounds, patterns and required fields', () => {
    expect(messages(obj(NET, 'VirtualService', { hosts: ['a'], http: [{ route: [{ destination: { host: 'a' }, weight: '50' }] }] })))
      .toEqual(['K8S-SCHEMA spec.http[0].route[0].weight: Invalid value: "50": must be of type integer']);
    expect(messages(obj(NET, 'DestinationRule', { host: 'a', trafficPolicy: { tls: { mode: 'STRIKT' } } })))
      .toEqual(['K8S-SCHEMA spec.trafficPolicy.tls.mode: Unsupported value: "STRIKT": supported values: "DISABLE", "SIMPLE", "MUTUAL", "ISTIO_MUTUAL"']);
    expect(messages(obj(NET, 'DestinationRule', { trafficPolicy: {} })))
      .toEqual(['K8S-SCHEMA spec.host: Required value']);
    expect(messages(obj(GW, 'HTTPRoute', { parentRefs: [{ name: 'gw', port: 70000 }] })))
      .toEqual(['K8S-SCHEMA spec.parentRefs[0].port: Invalid value: 70000: should be less than or equal to 65535']);
    expect(messages(obj(GW, 'HTTPRoute', { hostnames: ['Not_A_Host'] })))
      .toEqual([expect.stringMatching(/^K8S-SCHEMA spec.hostnames\[0\]: Invalid value: "Not_A_Host": should match /)]);
    expect(messages(obj(GW, 'HTTPRoute', { parentRefs: [{ name: '' }] })))
      .toEqual(['K8S-SCHEMA spec.parentRefs[0].name: Invalid value: "": should be at least 1 chars long']);
  });

  test('fails on too many items and duplicate set/map list entries', () => {
    const rules = Array.from({ length: 17 }, () => ({}));
    expect(messages(obj(GW, 'HTTPRoute', { rules }))).toContain('K8S-SCHEMA spec.rules: Too many: 17: must have at most 16 items');
    expect(messages(obj(GW, 'HTTPRoute', { rules: [{ filters: [{ type: 'CORS', cors: { allowMethods: ['GET', 'GET'] } }] }] })))
      .toContain('K8S-SCHEMA spec.rules[0].filters[0].cors.allowMethods[1]: Duplicate value: "GET"');
  });

  test('int-or-string fields take an integer or a string, nothing else', () => {
    const sm = (targetPort: any) => obj(MON, 'ServiceMonitor', { selector: {}, endpoints: [{ targetPort }] });
    expect(messages(sm(8080))).toEqual([]);
    expect(messages(sm('http'))).toEqual([]);
    expect(messages(sm(true))).toEqual(['K8S-SCHEMA spec.endpoints[0].targetPort: Invalid value: true: must be an integer or a string']);
  });

  test('accepts valid Gateway API and prometheus-operator objects', () => {
    const g = obj(GW, 'Gateway', { gatewayClassName: 'istio', listeners: [{ name: 'http', port: 80, protocol: 'HTTP' }], addresses: [{ type: 'IPAddress', value: '10.0.0.1' }] });
    expect(messages(g)).toEqual([]);
    const pm = obj(MON, 'PodMonitor', { selector: {}, podMetricsEndpoints: [{ port: 'http' }] });
    expect(messages(pm)).toEqual([]);
  });

  test('RE2 patterns: a leading (?i) is case-insensitive (PrometheusRule partial_response_strategy)', () => {
    const rule = (strategy: string) => obj(MON, 'PrometheusRule', { groups: [{ name: 'g', partial_response_strategy: strategy, rules: [{ alert: 'Down', expr: 'up == 0' }] }] });
    expect(messages(rule('WARN'))).toEqual([]);
    expect(messages(rule('abort'))).toEqual([]);
    expect(messages(rule('ignore'))).toEqual(['K8S-SCHEMA spec.groups[0].partial_response_strategy: Invalid value: "ignore": should match \'^(?i)(abort|warn)?$\'']);
  });

  test('objects of unknown kinds give no findings', () => {
    expect(V.validate({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'a' }, data: { a: 1 } })).toEqual([]);
    expect(V.knows(NET, 'VirtualService')).toBe(true);
    expect(V.knows('networking.istio.io/v1', 'EnvoyFilter')).toBe(false); // served as v1alpha3 only
    expect(V.validate({ apiVersion: 'networking.istio.io/v2', kind: 'VirtualService', metadata: { name: 'a' }, spec: { htp: [] } })).toEqual([]);
  });

  test('every served version is checked against its own schema: v1alpha3/v1beta1 Istio kinds, kinds served only in an older version', () => {
    // fixed: only v1 schemas were shipped, so these were skipped without a word
    const served = [
      ['networking.istio.io/v1alpha3', 'VirtualService'], ['networking.istio.io/v1beta1', 'VirtualService'],
      ['networking.istio.io/v1alpha3', 'EnvoyFilter'], ['networking.istio.io/v1beta1', 'ProxyConfig'],
      ['extensions.istio.io/v1alpha1', 'WasmPlugin'], ['security.istio.io/v1beta1', 'AuthorizationPolicy'],
      ['telemetry.istio.io/v1alpha1', 'Telemetry'], ['gateway.networking.k8s.io/v1beta1', 'HTTPRoute'],
    ];
    for (const [apiVersion, kind] of served) expect(`${apiVersion} ${kind} ${V.knows(apiVersion, kind)}`).toEqual(`${apiVersion} ${kind} true`);
    const typo = (apiVersion: string, kind: string, spec: any) => V.validate({ apiVersion, kind, metadata: { name: 'a', namespace: 'shop' }, spec })
      .map((f) => `${f.rule} ${f.apiVersion} ${f.path}`);
    expect(typo('networking.istio.io/v1alpha3', 'VirtualService', { hosts: ['a'], htp: [] })).toEqual(['K8S-SCHEMA networking.istio.io/v1alpha3 spec.htp']);
    expect(typo('networking.istio.io/v1alpha3', 'EnvoyFilter', { configPatchs: [] })).toEqual(['K8S-SCHEMA networking.istio.io/v1alpha3 spec.configPatchs']);
    expect(typo('security.istio.io/v1beta1', 'AuthorizationPolicy', { action: 'PERMIT' }).map((f) => f.split(' ')[0])).toContain('K8S-SCHEMA');
    // near misses: valid objects of those versions
    expect(typo('networking.istio.io/v1beta1', 'VirtualService', { hosts: ['a'], http: [{ route: [{ destination: { host: 'a' } }] }] })).toEqual([]);
    expect(typo('networking.istio.io/v1alpha3', 'EnvoyFilter', { configPatches: [] })).toEqual([]);
  });

  test('user CRDs replace the built-in schema of their kind (e.g. kubectl get crd -o yaml)', () => {
    // GIVEN a cluster CRD List that knows a stricter VirtualService
    const list = {
      apiVersion: 'v1',
      kind: 'List',
      items: [{
        apiVersion: 'apiextensions.k8s.io/v1',
        kind: 'CustomResourceDefinition',
        metadata: { name: 'virtualservices.networking.istio.io' },
        spec: {
          group: 'networking.istio.io',
          names: { kind: 'VirtualService', plural: 'virtualservices' },
          scope: 'Namespaced',
          versions: [{
            name: 'v1',
            served: true,
            storage: true,
            schema: {
              openAPIV3Schema: {
                type: 'object',
                properties: {
                  spec: { 'type': 'object', 'x-kubernetes-preserve-unknown-fields': true, 'x-kubernetes-validations': [{ rule: 'has(self.hosts)', message: 'hosts needed' }] },
                },
              },
            },
          }],
        },
      }],
    };
    // WHEN
    const v = ConformanceValidator.fromCrds([list]);
    // THEN
    expect(v.validate(obj(NET, 'VirtualService', { whatever: 1 })).map((f) => f.message)).toEqual(['Invalid value: "object": hosts needed. Fix: change the object so that the CRD\'s validation rule holds']);
    expect(v.knows(SEC, 'AuthorizationPolicy')).toBe(true);
    expect(ConformanceValidator.fromCrds([list], { includeBuiltIn: false }).knows(SEC, 'AuthorizationPolicy')).toBe(false);
  });

  test('CEL messageExpression and fieldPath of user CRDs (e.g. from the cluster)', () => {
    const crd = {
      apiVersion: 'apiextensions.k8s.io/v1',
      kind: 'CustomResourceDefinition',
      metadata: { name: 'widgets.example.com' },
      spec: {
        group: 'example.com',
        names: { kind: 'Widget' },
        scope: 'Namespaced',
        versions: [{
          name: 'v1',
          served: true,
          schema: {
            openAPIV3Schema: {
              type: 'object',
              properties: {
                spec: {
                  'type': 'object',
                  'properties': { replicas: { type: 'integer' }, max: { type: 'integer' } },
                  'x-kubernetes-validations': [
                    { rule: 'self.replicas <= self.max', messageExpression: '"replicas " + string(self.replicas) + " above " + string(self.max)', fieldPath: '.replicas' },
                    { rule: 'self.replicas >= 0', message: 'no negative replicas', messageExpression: 'no_such_function()' },
                    { rule: 'self.replicas == oldSelf.replicas', message: 'immutable' },
                  ],
                },
              },
            },
          },
        }],
      },
    };
    const v = ConformanceValidator.fromCrds([crd], { includeBuiltIn: false });
    const w = { apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w' }, spec: { replicas: -5, max: -6 } };
    expect(v.validate(w).map((f) => `${f.path}: ${f.message.replace(/\. Fix: [^]*$/, '')}`)).toEqual([
      'spec.replicas: Invalid value: "object": replicas -5 above -6',
      'spec: Invalid value: "object": no negative replicas',
    ]);
  });

  test('applies schema defaults before validating, as the API server does', () => {
    // backendRefs[].kind defaults to Service: the port rule then applies
    expect(messages(obj(GW, 'HTTPRoute', { rules: [{ backendRefs: [{ name: 'catalog' }] }] })))
      .toEqual(['K8S-CEL spec.rules[0].backendRefs[0]: Invalid value: "object": Must have port for Service reference']);
    expect(messages(obj(GW, 'HTTPRoute', { rules: [{ backendRefs: [{ name: 'catalog', port: 8080 }] }] }))).toEqual([]);
  });
});

// One bad case per CEL rule of every kind the library emits; the last test proves every rule is covered.
const CEL_CASES: Array<[string, any, string]> = [
  // DestinationRule
  ['DestinationRule idleTimeout < 1ms', obj(NET, 'DestinationRule', { host: 'a', trafficPolicy: { connectionPool: { http: { idleTimeout: '0.5ms' } } } }), 'spec.trafficPolicy.connectionPool.http.idleTimeout: Invalid value: "0.5ms": must be a valid duration greater than 1ms'],
  ['DestinationRule wildcard selector key', obj(NET, 'DestinationRule', { host: 'a', workloadSelector: { matchLabels: { 'a*': 'b' } } }), 'spec.workloadSelector.matchLabels: Invalid value: "object": wildcard not allowed in label key match'],
  ['DestinationRule empty selector key', obj(NET, 'DestinationRule', { host: 'a', workloadSelector: { matchLabels: { '': 'b' } } }), 'spec.workloadSelector.matchLabels: Invalid value: "object": key must not be empty'],
  ['DestinationRule wildcard selector value', obj(NET, 'DestinationRule', { host: 'a', workloadSelector: { matchLabels: { a: 'b*' } } }), 'spec.workloadSelector.matchLabels.a: Invalid value: "b*": wildcard not allowed in label value match'],
  // Gateway (Istio)
  ['Gateway tlsCertificates + credentialNames', obj(NET, 'Gateway', { servers: [{ port: { number: 443, name: 'https', protocol: 'HTTPS' }, hosts: ['*'], tls: { mode: 'SIMPLE', credentialNames: ['a'], tlsCertificates: [{ serverCertificate: 'c', privateKey: 'k' }] } }] }), 'spec.servers[0].tls: Invalid value: "object": only one of credentialNames or tlsCertificates can be set'],
  ['Gateway credentialName + credentialNames', obj(NET, 'Gateway', { servers: [{ port: { number: 443, name: 'https', protocol: 'HTTPS' }, hosts: ['*'], tls: { mode: 'SIMPLE', credentialName: 'a', credentialNames: ['a'] } }] }), 'spec.servers[0].tls: Invalid value: "object": only one of credentialName or credentialNames can be set'],
  // ServiceEntry
  ['ServiceEntry workloadSelector + endpoints', obj(NET, 'ServiceEntry', { hosts: ['a.example.com'], resolution: 'STATIC', workloadSelector: { labels: { a: 'b' } }, endpoints: [{ address: '1.1.1.1' }] }), 'spec: Invalid value: "object": only one of WorkloadSelector or Endpoints can be set'],
  ['ServiceEntry CIDR with DNS', obj(NET, 'ServiceEntry', { hosts: ['a.example.com'], addresses: ['10.0.0.0/8'], resolution: 'DNS' }), 'spec: Invalid value: "object": CIDR addresses are allowed only for NONE/STATIC resolution types'],
  ['ServiceEntry NONE with endpoints', obj(NET, 'ServiceEntry', { hosts: ['a.example.com'], endpoints: [{ address: '1.1.1.1' }] }), 'spec: Invalid value: "object": NONE mode cannot set endpoints'],
  ['ServiceEntry DNS_ROUND_ROBIN with 2 endpoints', obj(NET, 'ServiceEntry', { hosts: ['a.example.com'], resolution: 'DNS_ROUND_ROBIN', endpoints: [{ address: 'a.example.com' }, { address: 'b.example.com' }] }), 'spec: Invalid value: "object": DNS_ROUND_ROBIN mode cannot have multiple endpoints'],
  ['ServiceEntry endpoint without address or network', obj(NET, 'ServiceEntry', { hosts: ['a.example.com'], resolution: 'STATIC', endpoints: [{ labels: { a: 'b' } }] }), 'spec.endpoints[0]: Invalid value: "object": Address is required'],
  ['ServiceEntry unix endpoint with ports', obj(NET, 'ServiceEntry', { hosts: ['a.example.com'], resolution: 'STATIC', endpoints: [{ address: 'unix:///sock', ports: { http: 80 } }] }), 'spec.endpoints[0]: Invalid value: "object": UDS may not include ports'],
  ['ServiceEntry unix address not absolute', obj(NET, 'ServiceEntry', { hosts: ['a.example.com'], resolution: 'STATIC', endpoints: [{ address: 'unix://sock' }] }), 'spec.endpoints[0].address: Invalid value: "unix://sock": UDS must be an absolute path or abstract socket'],
  ['ServiceEntry unix address ends with /', obj(NET, 'ServiceEntry', { hosts: ['a.example.com'], resolution: 'STATIC', endpoints: [{ address: 'unix:///sock/' }] }), 'spec.endpoints[0].address: Invalid value: "unix:///sock/": UDS may not be a dir'],
  ['ServiceEntry bad endpoint port name', obj(NET, 'ServiceEntry', { hosts: ['a.example.com'], resolution: 'STATIC', endpoints: [{ address: '1.1.1.1', ports: { '-bad': 80 } }] }), 'spec.endpoints[0].ports: Invalid value: "object": port name must be valid'],
  ['ServiceEntry endpoint port 0', obj(NET, 'ServiceEntry', { hosts: ['a.example.com'], resolution: 'STATIC', endpoints: [{ address: '1.1.1.1', ports: { http: 0 } }] }), 'spec.endpoints[0].ports.http: Invalid value: 0: port must be between 1-65535'],
  ['ServiceEntry host *', obj(NET, 'ServiceEntry', { hosts: ['*'] }), 'spec.hosts[0]: Invalid value: "*": hostname cannot be wildcard'],
  ['ServiceEntry duplicate port numbers', obj(NET, 'ServiceEntry', { hosts: ['a.example.com'], ports: [{ number: 80, name: 'a' }, { number: 80, name: 'b' }] }), 'spec.ports: Invalid value: "array": port number cannot be duplicated'],
  ['ServiceEntry wildcard workloadSelector value', obj(NET, 'ServiceEntry', { hosts: ['a.example.com'], workloadSelector: { labels: { a: '*' } } }), 'spec.workloadSelector.labels.a: Invalid value: "*": wildcard is not supported in selector'],
  // Sidecar
  ['Sidecar inbound idleTimeout < 1ms', obj(NET, 'Sidecar', { inboundConnectionPool: { http: { idleTimeout: '0s' } } }), 'spec.inboundConnectionPool.http.idleTimeout: Invalid value: "0s": must be a valid duration greater than 1ms'],
  ['Sidecar ingress tls credentialNames + tlsCertificates', obj(NET, 'Sidecar', { ingress: [{ port: { number: 8443, name: 'https', protocol: 'HTTPS' }, tls: { mode: 'SIMPLE', credentialNames: ['a'], tlsCertificates: [{ serverCertificate: 'c', privateKey: 'k' }] } }] }), 'spec.ingress[0].tls: Invalid value: "object": only one of credentialNames or tlsCertificates can be set'],
  ['Sidecar wildcard selector', obj(NET, 'Sidecar', { workloadSelector: { labels: { a: 'b*' } } }), 'spec.workloadSelector.labels.a: Invalid value: "b*": wildcard is not supported in selector'],
  // VirtualService
  ['VirtualService corsPolicy.maxAge < 1ms', obj(NET, 'VirtualService', { hosts: ['a'], http: [{ corsPolicy: { maxAge: '0s' } }] }), 'spec.http[0].corsPolicy.maxAge: Invalid value: "0s": must be a valid duration greater than 1ms'],
  // AuthorizationPolicy
  ['AuthorizationPolicy selector + targetRef', obj(SEC, 'AuthorizationPolicy', { selector: { matchLabels: { a: 'b' } }, targetRef: { kind: 'Service', group: '', name: 'a' } }), 'spec: Invalid value: "object": only one of targetRefs or selector can be set'],
  ['AuthorizationPolicy serviceAccounts + principals', obj(SEC, 'AuthorizationPolicy', { rules: [{ from: [{ source: { serviceAccounts: ['shop/a'], principals: ['cluster.local/ns/shop/sa/a'] } }] }] }), 'spec.rules[0].from[0].source: Invalid value: "object": Cannot set serviceAccounts with namespaces or principals'],
  ['AuthorizationPolicy wildcard selector key', obj(SEC, 'AuthorizationPolicy', { selector: { matchLabels: { '*': 'b' } } }), 'spec.selector.matchLabels: Invalid value: "object": wildcard not allowed in label key match'],
  ['AuthorizationPolicy empty selector key', obj(SEC, 'AuthorizationPolicy', { selector: { matchLabels: { '': 'b' } } }), 'spec.selector.matchLabels: Invalid value: "object": key must not be empty'],
  ['AuthorizationPolicy wildcard selector value', obj(SEC, 'AuthorizationPolicy', { selector: { matchLabels: { a: '*' } } }), 'spec.selector.matchLabels.a: Invalid value: "*": wildcard not allowed in label value match'],
  ['AuthorizationPolicy cross-namespace targetRef', obj(SEC, 'AuthorizationPolicy', { targetRef: { kind: 'Service', group: '', name: 'a', namespace: 'other' } }), 'spec.targetRef.namespace: Invalid value: "other": cross namespace referencing is not currently supported'],
  // PeerAuthentication
  ['PeerAuthentication portLevelMtls without selector', obj(SEC, 'PeerAuthentication', { portLevelMtls: { 8080: { mode: 'DISABLE' } } }), 'spec: Invalid value: "object": portLevelMtls requires selector'],
  ['PeerAuthentication port 0', obj(SEC, 'PeerAuthentication', { selector: { matchLabels: { a: 'b' } }, portLevelMtls: { 0: { mode: 'DISABLE' } } }), 'spec.portLevelMtls: Invalid value: "object": port must be between 1-65535'],
  ['PeerAuthentication wildcard selector', obj(SEC, 'PeerAuthentication', { selector: { matchLabels: { a: 'b*' } } }), 'spec.selector.matchLabels.a: Invalid value: "b*": wildcard not allowed in label value match'],
  // RequestAuthentication
  ['RequestAuthentication selector + targetRefs', obj(SEC, 'RequestAuthentication', { selector: { matchLabels: { a: 'b' } }, targetRefs: [{ kind: 'Service', group: '', name: 'a' }] }), 'spec: Invalid value: "object": only one of targetRefs or selector can be set'],
  ['RequestAuthentication jwksUri + jwks', obj(SEC, 'RequestAuthentication', { jwtRules: [{ issuer: 'i', jwksUri: 'https://a/jwks', jwks: '{}' }] }), 'spec.jwtRules[0]: Invalid value: "object": only one of jwks or jwksUri can be set'],
  ['RequestAuthentication jwksUri not http(s)', obj(SEC, 'RequestAuthentication', { jwtRules: [{ issuer: 'i', jwksUri: 'ftp://a/jwks' }] }), 'spec.jwtRules[0].jwksUri: Invalid value: "ftp://a/jwks": url must have scheme http:// or https://'],
  ['RequestAuthentication timeout < 1ms', obj(SEC, 'RequestAuthentication', { jwtRules: [{ issuer: 'i', timeout: '0s' }] }), 'spec.jwtRules[0].timeout: Invalid value: "0s": must be a valid duration greater than 1ms'],
  ['RequestAuthentication cross-namespace targetRef', obj(SEC, 'RequestAuthentication', { targetRef: { kind: 'Service', group: '', name: 'a', namespace: 'o' } }), 'spec.targetRef.namespace: Invalid value: "o": cross namespace referencing is not currently supported'],
  ['RequestAuthentication empty selector key', obj(SEC, 'RequestAuthentication', { selector: { matchLabels: { '': 'b' } } }), 'spec.selector.matchLabels: Invalid value: "object": key must not be empty'],
  ['RequestAuthentication wildcard selector key', obj(SEC, 'RequestAuthentication', { selector: { matchLabels: { 'a*': 'b' } } }), 'spec.selector.matchLabels: Invalid value: "object": wildcard not allowed in label key match'],
  ['RequestAuthentication wildcard selector value', obj(SEC, 'RequestAuthentication', { selector: { matchLabels: { a: 'b*' } } }), 'spec.selector.matchLabels.a: Invalid value: "b*": wildcard not allowed in label value match'],
  // Telemetry
  ['Telemetry selector + targetRef', obj(TEL, 'Telemetry', { selector: { matchLabels: { a: 'b' } }, targetRef: { kind: 'Service', group: '', name: 'a' } }), 'spec: Invalid value: "object": only one of targetRefs or selector can be set'],
  ['Telemetry UPSERT without value', obj(TEL, 'Telemetry', { metrics: [{ overrides: [{ tagOverrides: { a: { operation: 'UPSERT', value: '' } } }] }] }), 'spec.metrics[0].overrides[0].tagOverrides.a: Invalid value: "object": value must be set when operation is UPSERT'],
  ['Telemetry REMOVE with value', obj(TEL, 'Telemetry', { metrics: [{ overrides: [{ tagOverrides: { a: { operation: 'REMOVE', value: 'x' } } }] }] }), 'spec.metrics[0].overrides[0].tagOverrides.a: Invalid value: "object": value must not be set when operation is REMOVE'],
  ['Telemetry reportingInterval < 1ms', obj(TEL, 'Telemetry', { metrics: [{ reportingInterval: '0s' }] }), 'spec.metrics[0].reportingInterval: Invalid value: "0s": must be a valid duration greater than 1ms'],
  ['Telemetry wildcard selector key', obj(TEL, 'Telemetry', { selector: { matchLabels: { 'a*': 'b' } } }), 'spec.selector.matchLabels: Invalid value: "object": wildcard not allowed in label key match'],
  ['Telemetry empty selector key', obj(TEL, 'Telemetry', { selector: { matchLabels: { '': 'b' } } }), 'spec.selector.matchLabels: Invalid value: "object": key must not be empty'],
  ['Telemetry wildcard selector value', obj(TEL, 'Telemetry', { selector: { matchLabels: { a: 'b*' } } }), 'spec.selector.matchLabels.a: Invalid value: "b*": wildcard not allowed in label value match'],
  ['Telemetry cross-namespace targetRef', obj(TEL, 'Telemetry', { targetRef: { kind: 'Service', group: '', name: 'a', namespace: 'o' } }), 'spec.targetRef.namespace: Invalid value: "o": cross namespace referencing is not currently supported'],
];

function gw(spec: any): any {
  return obj(GW, 'Gateway', { gatewayClassName: 'istio', listeners: [{ name: 'http', port: 80, protocol: 'HTTP' }], ...spec });
}
function l(name: string, port: number, protocol: string, extra: any = {}): any {
  return { name, port, protocol, ...extra };
}
const CERT = { certificateRefs: [{ name: 'cert' }] };
CEL_CASES.push(
  ['GW Gateway duplicate IP address', gw({ addresses: [{ type: 'IPAddress', value: '1.1.1.1' }, { type: 'IPAddress', value: '1.1.1.1' }] }), 'spec.addresses: Invalid value: "array": IPAddress values must be unique'],
  ['GW Gateway duplicate hostname address', gw({ addresses: [{ type: 'Hostname', value: 'a.example.com' }, { type: 'Hostname', value: 'a.example.com' }] }), 'spec.addresses: Invalid value: "array": Hostname values must be unique'],
  ['GW Gateway bad hostname address', gw({ addresses: [{ type: 'Hostname', value: 'A_B' }] }), 'spec.addresses[0]: Invalid value: "object": Hostname value must be empty or contain only valid characters (matching ^(\\*\\.)?[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$)'],
  ['GW Gateway bad infrastructure annotation key', gw({ infrastructure: { annotations: { '-bad': 'x' } } }), 'spec.infrastructure.annotations: Invalid value: "object": Annotation keys must be in the form of an optional DNS subdomain prefix followed by a required name segment of up to 63 characters.'],
  ['GW Gateway too long annotation prefix', gw({ infrastructure: { annotations: { [`${Array.from({ length: 5 }, () => 'a'.repeat(60)).join('.')}/x`]: 'x' } } }), 'spec.infrastructure.annotations: Invalid value: "object": If specified, the annotation key\'s prefix must be a DNS subdomain not longer than 253 characters in total.'],
  ['GW Gateway HTTP listener with tls', gw({ listeners: [l('http', 80, 'HTTP', { tls: { mode: 'Terminate', ...CERT } })] }), 'spec.listeners: Invalid value: "array": tls must not be specified for protocols [\'HTTP\', \'TCP\', \'UDP\']'],
  ['GW Gateway HTTPS listener with Passthrough', gw({ listeners: [l('https', 443, 'HTTPS', { tls: { mode: 'Passthrough' } })] }), 'spec.listeners: Invalid value: "array": tls mode must be Terminate for protocol HTTPS'],
  ['GW Gateway TLS listener without tls', gw({ listeners: [l('tls', 443, 'TLS')] }), 'spec.listeners: Invalid value: "array": tls mode must be set for protocol TLS'],
  ['GW Gateway TCP listener with hostname', gw({ listeners: [l('tcp', 9000, 'TCP', { hostname: 'a.example.com' })] }), 'spec.listeners: Invalid value: "array": hostname must not be specified for protocols [\'TCP\', \'UDP\']'],
  ['GW Gateway duplicate listener names', gw({ listeners: [l('a', 80, 'HTTP', { hostname: 'a.example.com' }), l('a', 80, 'HTTP', { hostname: 'b.example.com' })] }), 'spec.listeners: Invalid value: "array": Listener name must be unique within the Gateway'],
  ['GW Gateway duplicate port/protocol/hostname', gw({ listeners: [l('a', 80, 'HTTP'), l('b', 80, 'HTTP')] }), 'spec.listeners: Invalid value: "array": Combination of port, protocol and hostname must be unique for each listener'],
  ['GW Gateway Terminate without certificates', gw({ listeners: [l('https', 443, 'HTTPS', { tls: { mode: 'Terminate' } })] }), 'spec.listeners[0].tls: Invalid value: "object": certificateRefs or options must be specified when mode is Terminate'],
  ['GW Gateway duplicate perPort TLS', gw({ tls: { frontend: { default: { validation: { caCertificateRefs: [{ name: 'ca', kind: 'ConfigMap', group: '' }] } }, perPort: [{ port: 443, tls: { validation: { caCertificateRefs: [{ name: 'ca', kind: 'ConfigMap', group: '' }] } } }, { port: 443, tls: { validation: { caCertificateRefs: [{ name: 'ca', kind: 'ConfigMap', group: '' }] } } }] } } }), 'spec.tls.frontend.perPort: Invalid value: "array": Port for TLS configuration must be unique within the Gateway'],
);
function route(rule: any, spec: any = {}): any {
  return obj(GW, 'HTTPRoute', { rules: [rule], ...spec });
}
const BE = { name: 'catalog', port: 8080 };
const PREFIX = [{ path: { type: 'PathPrefix', value: '/a' } }];
function filt(type: string, f: any): any {
  return { type, ...f };
}
const F: Record<string, any> = {
  CORS: { cors: { allowOrigins: ['https://a.example.com'] } },
  RequestHeaderModifier: { requestHeaderModifier: { set: [{ name: 'a', value: 'b' }] } },
  ResponseHeaderModifier: { responseHeaderModifier: { set: [{ name: 'a', value: 'b' }] } },
  RequestMirror: { requestMirror: { backendRef: BE } },
  RequestRedirect: { requestRedirect: { scheme: 'https' } },
  URLRewrite: { urlRewrite: { hostname: 'a.example.com' } },
  ExtensionRef: { extensionRef: { group: 'x.io', kind: 'X', name: 'x' } },
};
CEL_CASES.push(
  ['HTTPRoute duplicate parentRefs sectionName mix', obj(GW, 'HTTPRoute', { parentRefs: [{ name: 'gw' }, { name: 'gw', sectionName: 'http' }] }), 'spec.parentRefs: Invalid value: "array": sectionName must be specified when parentRefs includes 2 or more references to the same parent'],
  ['HTTPRoute duplicate parentRefs', obj(GW, 'HTTPRoute', { parentRefs: [{ name: 'gw', sectionName: 'http' }, { name: 'gw', sectionName: 'http' }] }), 'spec.parentRefs: Invalid value: "array": sectionName must be unique when parentRefs includes 2 or more references to the same parent'],
  ['HTTPRoute more than 128 matches', obj(GW, 'HTTPRoute', { rules: Array.from({ length: 3 }, (_, r) => ({ matches: Array.from({ length: 64 }, (_x, i) => ({ path: { type: 'Exact', value: `/r${r}/m${i}` } })) })) }), 'spec.rules: Invalid value: "array": While 16 rules and 64 matches per rule are allowed, the total number of matches across all rules in a route must be less than 128'],
  ['HTTPRoute redirect with backendRefs', route({ backendRefs: [BE], filters: [filt('RequestRedirect', F.RequestRedirect)] }), 'spec.rules[0]: Invalid value: "object": RequestRedirect filter must not be used together with backendRefs'],
  ['HTTPRoute redirect ReplacePrefixMatch without PathPrefix', route({ matches: [{ path: { type: 'Exact', value: '/a' } }], filters: [filt('RequestRedirect', { requestRedirect: { path: { type: 'ReplacePrefixMatch', replacePrefixMatch: '/b' } } })] }), 'spec.rules[0]: Invalid value: "object": When using RequestRedirect filter with path.replacePrefixMatch, exactly one PathPrefix match must be specified'],
  ['HTTPRoute rewrite ReplacePrefixMatch without PathPrefix', route({ matches: [{ path: { type: 'Exact', value: '/a' } }], filters: [filt('URLRewrite', { urlRewrite: { path: { type: 'ReplacePrefixMatch', replacePrefixMatch: '/b' } } })] }), 'spec.rules[0]: Invalid value: "object": When using URLRewrite filter with path.replacePrefixMatch, exactly one PathPrefix match must be specified'],
  ['HTTPRoute backend redirect ReplacePrefixMatch without PathPrefix', route({ matches: [{ path: { type: 'Exact', value: '/a' } }], backendRefs: [{ ...BE, filters: [filt('RequestRedirect', { requestRedirect: { path: { type: 'ReplacePrefixMatch', replacePrefixMatch: '/b' } } })] }] }), 'spec.rules[0]: Invalid value: "object": Within backendRefs, when using RequestRedirect filter with path.replacePrefixMatch, exactly one PathPrefix match must be specified'],
  ['HTTPRoute backend rewrite ReplacePrefixMatch without PathPrefix', route({ matches: [{ path: { type: 'Exact', value: '/a' } }], backendRefs: [{ ...BE, filters: [filt('URLRewrite', { urlRewrite: { path: { type: 'ReplacePrefixMatch', replacePrefixMatch: '/b' } } })] }] }), 'spec.rules[0]: Invalid value: "object": Within backendRefs, When using URLRewrite filter with path.replacePrefixMatch, exactly one PathPrefix match must be specified'],
  ['HTTPRoute Service backendRef without port', route({ backendRefs: [{ name: 'catalog' }] }), 'spec.rules[0].backendRefs[0]: Invalid value: "object": Must have port for Service reference'],
  ['HTTPRoute redirect + rewrite', route({ matches: PREFIX, filters: [filt('RequestRedirect', F.RequestRedirect), filt('URLRewrite', F.URLRewrite)] }), 'spec.rules[0].filters: Invalid value: "array": May specify either httpRouteFilterRequestRedirect or httpRouteFilterRequestRewrite, but not both'],
  ['HTTPRoute two CORS filters', route({ filters: [filt('CORS', F.CORS), filt('CORS', F.CORS)] }), 'spec.rules[0].filters: Invalid value: "array": CORS filter cannot be repeated'],
  ['HTTPRoute two RequestHeaderModifier filters', route({ filters: [filt('RequestHeaderModifier', F.RequestHeaderModifier), filt('RequestHeaderModifier', F.RequestHeaderModifier)] }), 'spec.rules[0].filters: Invalid value: "array": RequestHeaderModifier filter cannot be repeated'],
  ['HTTPRoute two ResponseHeaderModifier filters', route({ filters: [filt('ResponseHeaderModifier', F.ResponseHeaderModifier), filt('ResponseHeaderModifier', F.ResponseHeaderModifier)] }), 'spec.rules[0].filters: Invalid value: "array": ResponseHeaderModifier filter cannot be repeated'],
  ['HTTPRoute two RequestRedirect filters', route({ filters: [filt('RequestRedirect', F.RequestRedirect), filt('RequestRedirect', F.RequestRedirect)] }), 'spec.rules[0].filters: Invalid value: "array": RequestRedirect filter cannot be repeated'],
  ['HTTPRoute two URLRewrite filters', route({ filters: [filt('URLRewrite', F.URLRewrite), filt('URLRewrite', F.URLRewrite)] }), 'spec.rules[0].filters: Invalid value: "array": URLRewrite filter cannot be repeated'],
);
for (const t of Object.keys(F)) {
  const field = Object.keys(F[t])[0];
  const other = t === 'CORS' ? 'URLRewrite' : 'CORS';
  CEL_CASES.push(
    [`HTTPRoute filter ${field} with type ${other}`, route({ filters: [filt(other, { ...F[t] })] }), `spec.rules[0].filters[0]: Invalid value: "object": filter.${field} must be nil if the filter.type is not ${t}`],
    [`HTTPRoute filter type ${t} without ${field}`, route({ filters: [filt(t, {})] }), `spec.rules[0].filters[0]: Invalid value: "object": filter.${field} must be specified for ${t} filter.type`],
  );
}
CEL_CASES.push(
  ['HTTPRoute CORS allowHeaders * with others', route({ filters: [filt('CORS', { cors: { allowHeaders: ['*', 'x-a'] } })] }), 'spec.rules[0].filters[0].cors.allowHeaders: Invalid value: "array": AllowHeaders cannot contain \'*\' alongside other methods'],
  ['HTTPRoute mirror percent + fraction', route({ filters: [filt('RequestMirror', { requestMirror: { backendRef: BE, percent: 10, fraction: { numerator: 1, denominator: 10 } } })] }), 'spec.rules[0].filters[0].requestMirror: Invalid value: "object": Only one of percent or fraction may be specified in HTTPRequestMirrorFilter'],
  ['HTTPRoute mirror fraction > 1', route({ filters: [filt('RequestMirror', { requestMirror: { backendRef: BE, fraction: { numerator: 3, denominator: 2 } } })] }), 'spec.rules[0].filters[0].requestMirror.fraction: Invalid value: "object": numerator must be less than or equal to denominator'],
  ['HTTPRoute redirect ReplaceFullPath without value', route({ filters: [filt('RequestRedirect', { requestRedirect: { path: { type: 'ReplaceFullPath' } } })] }), 'spec.rules[0].filters[0].requestRedirect.path: Invalid value: "object": replaceFullPath must be specified when type is set to \'ReplaceFullPath\''],
  ['HTTPRoute redirect replaceFullPath with other type', route({ matches: PREFIX, filters: [filt('RequestRedirect', { requestRedirect: { path: { type: 'ReplacePrefixMatch', replacePrefixMatch: '/b', replaceFullPath: '/c' } } })] }), 'spec.rules[0].filters[0].requestRedirect.path: Invalid value: "object": type must be \'ReplaceFullPath\' when replaceFullPath is set'],
  ['HTTPRoute redirect ReplacePrefixMatch without value', route({ matches: PREFIX, filters: [filt('RequestRedirect', { requestRedirect: { path: { type: 'ReplacePrefixMatch' } } })] }), 'spec.rules[0].filters[0].requestRedirect.path: Invalid value: "object": replacePrefixMatch must be specified when type is set to \'ReplacePrefixMatch\''],
  ['HTTPRoute redirect replacePrefixMatch with other type', route({ filters: [filt('RequestRedirect', { requestRedirect: { path: { type: 'ReplaceFullPath', replaceFullPath: '/c', replacePrefixMatch: '/b' } } })] }), 'spec.rules[0].filters[0].requestRedirect.path: Invalid value: "object": type must be \'ReplacePrefixMatch\' when replacePrefixMatch is set'],
  ['HTTPRoute path without leading /', route({ matches: [{ path: { type: 'PathPrefix', value: 'a' } }] }), 'spec.rules[0].matches[0].path: Invalid value: "object": value must be an absolute path and start with \'/\' when type one of [\'Exact\', \'PathPrefix\']'],
  ['HTTPRoute path with //', route({ matches: [{ path: { type: 'PathPrefix', value: '/a//b' } }] }), 'spec.rules[0].matches[0].path: Invalid value: "object": must not contain \'//\' when type one of [\'Exact\', \'PathPrefix\']'],
  ['HTTPRoute path with /./', route({ matches: [{ path: { type: 'PathPrefix', value: '/a/./b' } }] }), 'spec.rules[0].matches[0].path: Invalid value: "object": must not contain \'/./\' when type one of [\'Exact\', \'PathPrefix\']'],
  ['HTTPRoute path with /../', route({ matches: [{ path: { type: 'PathPrefix', value: '/a/../b' } }] }), 'spec.rules[0].matches[0].path: Invalid value: "object": must not contain \'/../\' when type one of [\'Exact\', \'PathPrefix\']'],
  ['HTTPRoute path with %2f', route({ matches: [{ path: { type: 'PathPrefix', value: '/a%2fb' } }] }), 'spec.rules[0].matches[0].path: Invalid value: "object": must not contain \'%2f\' when type one of [\'Exact\', \'PathPrefix\']'],
  ['HTTPRoute path with %2F', route({ matches: [{ path: { type: 'PathPrefix', value: '/a%2Fb' } }] }), 'spec.rules[0].matches[0].path: Invalid value: "object": must not contain \'%2F\' when type one of [\'Exact\', \'PathPrefix\']'],
  ['HTTPRoute path with #', route({ matches: [{ path: { type: 'PathPrefix', value: '/a#b' } }] }), 'spec.rules[0].matches[0].path: Invalid value: "object": must not contain \'#\' when type one of [\'Exact\', \'PathPrefix\']'],
  ['HTTPRoute path ending /..', route({ matches: [{ path: { type: 'PathPrefix', value: '/a/..' } }] }), 'spec.rules[0].matches[0].path: Invalid value: "object": must not end with \'/..\' when type one of [\'Exact\', \'PathPrefix\']'],
  ['HTTPRoute path ending /.', route({ matches: [{ path: { type: 'PathPrefix', value: '/a/.' } }] }), 'spec.rules[0].matches[0].path: Invalid value: "object": must not end with \'/.\' when type one of [\'Exact\', \'PathPrefix\']'],
  ['HTTPRoute unknown path type', route({ matches: [{ path: { type: 'Prefix', value: '/a' } }] }), 'spec.rules[0].matches[0].path: Invalid value: "object": type must be one of [\'Exact\', \'PathPrefix\', \'RegularExpression\']'],
  ['HTTPRoute path with invalid characters', route({ matches: [{ path: { type: 'Exact', value: '/a b' } }] }), 'spec.rules[0].matches[0].path: Invalid value: "object": must only contain valid characters (matching ^(?:[-A-Za-z0-9/._~!$&\'()*+,;=:@]|[%][0-9a-fA-F]{2})+$) for types [\'Exact\', \'PathPrefix\']'],
  ['HTTPRoute backendRequest > request timeout', route({ timeouts: { request: '1s', backendRequest: '2s' } }), 'spec.rules[0].timeouts: Invalid value: "object": backendRequest timeout cannot be longer than request timeout'],
);

const GRPC_BE = { name: 'greeter', port: 50051 };
function tlsRoute(hostnames: string[]): any {
  return obj(GW, 'TLSRoute', { hostnames, rules: [{ backendRefs: [BE] }] });
}
CEL_CASES.push(
  ['GRPCRoute more than 128 matches', obj(GW, 'GRPCRoute', { rules: Array.from({ length: 3 }, (_, r) => ({ matches: Array.from({ length: 64 }, (_x, i) => ({ method: { service: `s${r}`, method: `m${i}` } })), backendRefs: [GRPC_BE] })) }), 'spec.rules: Invalid value: "array": While 16 rules and 64 matches per rule are allowed, the total number of matches across all rules in a route must be less than 128'],
  ['GRPCRoute method type without service or method', obj(GW, 'GRPCRoute', { rules: [{ matches: [{ method: { type: 'Exact' } }], backendRefs: [GRPC_BE] }] }), 'spec.rules[0].matches[0].method: Invalid value: "object": One or both of \'service\' or \'method\' must be specified'],
  ['GRPCRoute invalid exact service', obj(GW, 'GRPCRoute', { rules: [{ matches: [{ method: { service: 'a-b' } }], backendRefs: [GRPC_BE] }] }), 'spec.rules[0].matches[0].method: Invalid value: "object": service must only contain valid characters (matching ^(?i)\\.?[a-z_][a-z_0-9]*(\\.[a-z_][a-z_0-9]*)*$)'],
  ['GRPCRoute invalid exact method', obj(GW, 'GRPCRoute', { rules: [{ matches: [{ method: { method: 'a.b' } }], backendRefs: [GRPC_BE] }] }), 'spec.rules[0].matches[0].method: Invalid value: "object": method must only contain valid characters (matching ^[A-Za-z_][A-Za-z_0-9]*$)'],
  ['TLSRoute IP hostname', tlsRoute(['10.0.0.1']), 'spec.hostnames: Invalid value: "array": Hostnames cannot contain an IP'],
  ['TLSRoute invalid hostname', tlsRoute(['a_b.example.com']), 'spec.hostnames: Invalid value: "array": Hostnames must be valid based on RFC-1123'],
  ['TLSRoute wildcard not first label', tlsRoute(['a.*.example.com']), 'spec.hostnames: Invalid value: "array": Wildcards on hostnames must be the first label, and the rest of hostname must be valid based on RFC-1123'],
);

describe('ConformanceValidator: CEL rules (x-kubernetes-validations)', () => {
  test.each(CEL_CASES)('fails: %s', (_name, o, expected) => {
    // a rule that fails to evaluate (e.g. "No such key") is a violation too; its message then says why
    expect(messages(o).filter((m) => m.startsWith(`K8S-CEL ${expected}`))).toHaveLength(1);
  });

  test('every CEL rule of the kinds the library emits has a bad case above (transition rules excepted)', () => {
    // GIVEN the rules in the shipped schema data
    const emitted = new Set(['VirtualService', 'DestinationRule', 'Gateway', 'ServiceEntry', 'Sidecar', 'AuthorizationPolicy', 'PeerAuthentication',
      'RequestAuthentication', 'Telemetry', 'HTTPRoute', 'GRPCRoute', 'TLSRoute', 'ReferenceGrant', 'PodMonitor', 'ServiceMonitor', 'PrometheusRule', 'Certificate']);
    const all = new Set<string>();
    for (const bundle of ['istio', 'gateway-api', 'prometheus-operator', 'cert-manager']) {
      const data = JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', 'src', 'validation', 'schemas', `${bundle}.json`), 'utf8'));
      for (const c of data.crds) {
        if (!emitted.has(c.kind)) continue;
        const visit = (s: any, where: string) => {
          if (!s || typeof s !== 'object') return;
          for (const r of s['x-kubernetes-validations'] ?? []) {
            // status is written by controllers, never by this library
            if (!/\boldSelf\b/.test(r.rule) && !where.startsWith('.status')) all.add(r.rule);
          }
          for (const [k, v] of Object.entries(s.properties ?? {})) visit(v, `${where}.${k}`);
          visit(s.items, `${where}[]`);
          if (typeof s.additionalProperties === 'object') visit(s.additionalProperties, `${where}{}`);
        };
        visit(c.schema, '');
      }
    }
    // WHEN the bad cases run
    const covered = new Set<string>();
    for (const [, o] of CEL_CASES) for (const f of V.validate(o)) if (f.expression) covered.add(f.expression);
    // THEN every rule fired at least once
    expect([...all].filter((r) => !covered.has(r))).toEqual([]);
    expect(all.size).toBeGreaterThan(80);
  });
});

describeWithShared('ConformanceValidator on the Istio 1.30.3 bookinfo samples', (shared) => {
  const root = path.join(shared, 'istio-1.30.3', 'samples', 'bookinfo');
  const docs: Array<[string, any]> = [];
  const walk = (dir: string) => {
    for (const f of fs.readdirSync(dir).sort()) {
      const p = path.join(dir, f);
      if (fs.statSync(p).isDirectory()) {walk(p);} else if (/\.ya?ml$/.test(f)) {
        for (const d of YAML.parseAllDocuments(fs.readFileSync(p, 'utf8'))) {
          const o = d.toJSON();
          if (o && V.knows(o.apiVersion, o.kind)) docs.push([`${path.relative(root, p)} ${o.kind}/${o.metadata?.name}`, o]);
        }
      }
    }
  };
  for (const d of ['networking', 'gateway-api', 'platform']) walk(path.join(root, d));

  test('finds the Istio and Gateway API objects of the samples', () => {
    expect(docs.length).toBeGreaterThanOrEqual(40);
  });

  test.each(docs)('accepts %s', (_name, o) => {
    expect(messages(o)).toEqual([]);
  });

  // Invalid variants, mutated here (never copied into the repo), rejected as the API server would
  const find = (file: string, kind: string) => JSON.parse(JSON.stringify(docs.find(([n, o]) => n.startsWith(file) && o.kind === kind)![1]));

  test('fails: VirtualService route weight as a string', () => {
    const vs = find('networking/virtual-service-reviews-80-20.yaml', 'VirtualService');
    vs.spec.http[0].route[0].weight = '80';
    expect(messages(vs)).toEqual(['K8S-SCHEMA spec.http[0].route[0].weight: Invalid value: "80": must be of type integer']);
  });

  test('fails: DestinationRule tls mode typo and misspelled field', () => {
    const dr = find('networking/destination-rule-all-mtls.yaml', 'DestinationRule');
    dr.spec.trafficPolicy.tls.mode = 'ISTIO_MTLS';
    dr.spec.subset = dr.spec.subsets;
    expect(messages(dr)).toEqual([
      'K8S-SCHEMA spec.subset: unknown field "spec.subset" (the API server would drop it silently)',
      'K8S-SCHEMA spec.trafficPolicy.tls.mode: Unsupported value: "ISTIO_MTLS": supported values: "DISABLE", "SIMPLE", "MUTUAL", "ISTIO_MUTUAL"',
    ]);
  });

  test('fails: fault injection delay below 1ms is not a CEL rule but a pattern', () => {
    const vs = find('networking/virtual-service-ratings-test-delay.yaml', 'VirtualService');
    vs.spec.http[0].fault.delay.percentage.value = 'all';
    expect(messages(vs)).toEqual(['K8S-SCHEMA spec.http[0].fault.delay.percentage.value: Invalid value: "all": must be of type number']);
  });

  test('fails: ServiceEntry host "*" and duplicate ports', () => {
    const se = find('networking/egress-rule-google-apis.yaml', 'ServiceEntry');
    se.spec.hosts = ['*'];
    se.spec.ports = [se.spec.ports[0], se.spec.ports[0]];
    expect(messages(se)).toEqual([
      'K8S-SCHEMA spec.ports[1]: Duplicate value: {"name":"http"}',
      'K8S-CEL spec.hosts[0]: Invalid value: "*": hostname cannot be wildcard',
      'K8S-CEL spec.ports: Invalid value: "array": port number cannot be duplicated',
    ]);
  });

  test('fails: HTTPRoute backendRef without port, path without leading slash', () => {
    const r = find('gateway-api/route-reviews-90-10.yaml', 'HTTPRoute');
    delete r.spec.rules[0].backendRefs[0].port;
    r.spec.rules[0].matches = [{ path: { type: 'PathPrefix', value: 'reviews' } }];
    expect(messages(r)).toEqual([
      'K8S-CEL spec.rules[0].backendRefs[0]: Invalid value: "object": Must have port for Service reference',
      'K8S-CEL spec.rules[0].matches[0].path: Invalid value: "object": value must be an absolute path and start with \'/\' when type one of [\'Exact\', \'PathPrefix\']',
    ]);
  });

  test('fails: Gateway API Gateway with duplicate listener names', () => {
    const g = find('gateway-api/bookinfo-gateway.yaml', 'Gateway');
    g.spec.listeners = [g.spec.listeners[0], { ...g.spec.listeners[0], port: 8080 }];
    expect(messages(g)).toEqual(['K8S-SCHEMA spec.listeners[1]: Duplicate value: {"name":"http"}', 'K8S-CEL spec.listeners: Invalid value: "array": Listener name must be unique within the Gateway']);
  });
});
