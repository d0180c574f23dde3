/**
 * Istio's admission webhook rules (pkg/config/validation, Istio 1.30.3) that the CRD schema does not
 * enforce, for YAML the L2s did not build: errors where Istio rejects the object, warnings where it warns.
 * Where an L2 already checks the same thing, the same function is called (one rule, one place):
 * `_retryOnProblem`, `_checkCondition` and `_checkIp` (src/_istio-values.ts, used by http-route.ts and authorization-policy.ts),
 * `_envoyHeaderValueProblem` (_envoy.ts), `_validateRegex` (match.ts), `_validateDnsLabel` (_utils.ts).
 */
import { RuleContext, _MeshInput, items, nameOf } from './_mesh-index';
import { ValidationSeverity } from './conformance';
import { _envoyHeaderValueProblem } from '../_envoy';
import { _checkCondition, _checkIp, _retryOnProblem } from '../_istio-values';
import { _validateDnsLabel } from '../_utils';
import { _validateRegex } from '../match';

const E = ValidationSeverity.ERROR;
const W = ValidationSeverity.WARNING;

/** The problem an L2 check throws (its `Invalid ...` message), or undefined when it accepts the value. */
function problemOf(check: () => unknown): string | undefined {
  try {
    check();
    return undefined;
  } catch (e) {
    return (e as Error).message;
  }
}

/** MESH201: a retry policy Istio rejects (validateHTTPRetry). */
export function checkRetries(c: RuleContext): void {
  for (const vs of c.ix.virtualServices) {
    items(vs.doc.spec?.http).forEach((h, i) => {
      const r = h?.retries;
      if (!r || typeof r !== 'object') return;
      const path = `spec.http[${i}].retries`;
      const attempts = r.attempts ?? 0;
      if (typeof attempts === 'number' && attempts < 0) {
        c.report(vs, 'MESH201', E, `${path}.attempts`, `Retry attempts ${attempts} is negative: Istio rejects the VirtualService. Fix: use 0 (no retries) or more`);
      }
      if (attempts === 0 && (r.perTryTimeout !== undefined || (r.retryOn ?? '') !== '' || r.retryRemoteLocalities !== undefined)) {
        c.report(vs, 'MESH201', E, path,
          'http retry policy configured when attempts are set to 0 (disabled) (perTryTimeout, retryOn or retryRemoteLocalities without attempts): Istio rejects the VirtualService. Fix: set attempts (e.g. 3), or drop the other retry settings');
      }
      if (typeof r.retryOn === 'string' && r.retryOn !== '') {
        for (const policy of r.retryOn.split(',')) {
          const problem = _retryOnProblem(policy);
          if (problem) {
            c.report(vs, 'MESH201', E, `${path}.retryOn`, `"${policy}" is not a valid retryOn policy (${problem}): Istio rejects the VirtualService. Fix: use HTTP status codes or Envoy retry conditions such as 5xx, gateway-error, connect-failure, retriable-4xx, reset`);
          }
        }
      }
    });
  }
}

/** HTTP-only fields of an AuthorizationPolicy source / operation (a TCP connection has none of them). */
const TCP_SOURCE_FIELDS = ['principals', 'notPrincipals', 'ipBlocks', 'notIpBlocks', 'namespaces', 'notNamespaces',
  'remoteIpBlocks', 'notRemoteIpBlocks', 'serviceAccounts', 'notServiceAccounts'];
const SOURCE_FIELDS = [...TCP_SOURCE_FIELDS, 'requestPrincipals', 'notRequestPrincipals', 'trustDomains', 'notTrustDomains'];

/**
 * MESH202-MESH205, MESH206: an AuthorizationPolicy Istio rejects (ValidateAuthorizationPolicy): DENY
 * without rules, bad sources (empty, serviceAccounts with principals/namespaces, IPs, trust domains),
 * bad `when` conditions; and the webhook's warning for a DENY rule of HTTP attributes only.
 */
export function checkAuthorizationPolicies(c: RuleContext): void {
  for (const ap of c.ix.authorizationPolicies) {
    const spec = ap.doc.spec ?? {};
    if (spec.action === 'DENY' && items(spec.rules).length === 0) {
      c.report(ap, 'MESH202', E, 'spec.rules',
        'DENY action without `rules` is meaningless as it will never be triggered: Istio rejects the policy. Fix: add an empty rule `{}` to deny every request, or the rules that should be denied');
    }
    items(spec.rules).forEach((rule, i) => {
      const tcpFrom = checkSources(c, ap, rule, i);
      checkConditions(c, ap, rule, i);
      checkOperations(c, ap, rule, i);
      const to = items(rule?.to);
      const tcpTo = to.some((t) => t?.operation?.ports !== undefined || t?.operation?.notPorts !== undefined);
      const fromExists = items(rule?.from).some((f) => f?.source);
      if (spec.action === 'DENY' && ((fromExists && to.length === 0 && !tcpFrom) || (to.length > 0 && !tcpTo))) {
        c.report(ap, 'MESH206', W, `spec.rules[${i}]`,
          'configured AuthorizationPolicy will deny all traffic to TCP ports under its scope due to the use of only HTTP attributes in a DENY rule (a TCP connection has no method, path, host or request principal, so the rule matches it). Fix: name the HTTP ports in to.operation.ports');
      }
    });
  }
}

/** Sources of one rule; returns whether a field a TCP connection has is used (tcpRulesInFrom). */
function checkSources(c: RuleContext, ap: _MeshInput, rule: { readonly from?: unknown } | undefined, i: number): boolean {
  let tcp = false;
  items(rule?.from).forEach((f, j) => {
    const src = f?.source;
    if (!src || typeof src !== 'object') return;
    const path = `spec.rules[${i}].from[${j}].source`;
    const n = (k: string) => items(src[k]).length;
    if (SOURCE_FIELDS.every((k) => n(k) === 0)) {
      c.report(ap, 'MESH203', E, path, `\`from.source\` must not be empty, found at rule ${i}: Istio rejects the policy. Fix: name principals, namespaces, IP blocks... or remove the source`);
    }
    if (n('principals') + n('notPrincipals') + n('namespaces') + n('notNamespaces') > 0 && n('serviceAccounts') + n('notServiceAccounts') > 0) {
      c.report(ap, 'MESH203', E, path, `cannot set serviceAccounts with namespaces or principals, found at rule ${i}: Istio rejects the policy. Fix: use one form, e.g. principals "cluster.local/ns/<ns>/sa/<sa>"`);
    }
    for (const k of ['ipBlocks', 'notIpBlocks', 'remoteIpBlocks', 'notRemoteIpBlocks']) {
      items(src[k]).forEach((v, m) => {
        const problem = typeof v === 'string' ? problemOf(() => _checkIp(`${k}`, v)) : 'not a string';
        if (problem) c.report(ap, 'MESH204', E, `${path}.${k}[${m}]`, `${problem} (Istio rejects the policy)`);
      });
    }
    for (const k of ['trustDomains', 'notTrustDomains']) {
      items(src[k]).forEach((v, m) => {
        const stars = typeof v === 'string' ? v.split('*').length - 1 : 0;
        if (typeof v === 'string' && (v === '' || v.includes('/') || stars > 1 || (stars === 1 && !v.startsWith('*') && !v.endsWith('*')))) {
          c.report(ap, 'MESH204', E, `${path}.${k}[${m}]`,
            `Trust domain "${v}" is invalid (it must not be empty, contain "/", or a "*" other than a prefix or suffix wildcard): Istio rejects the policy. Fix: give the trust domain only, e.g. "cluster.local" (not a SPIFFE ID)`);
        }
      });
    }
    if (TCP_SOURCE_FIELDS.some((k) => src[k] !== undefined)) tcp = true;
  });
  return tcp;
}

const OPERATION_FIELDS = ['ports', 'methods', 'paths', 'hosts', 'notPorts', 'notMethods', 'notPaths', 'notHosts'];
const EMPTY_CHECKED_SOURCE_FIELDS = ['principals', 'requestPrincipals', 'namespaces', 'ipBlocks', 'remoteIpBlocks', 'notPrincipals', 'notRequestPrincipals',
  'notNamespaces', 'notIpBlocks', 'notRemoteIpBlocks'];

/**
 * MESH222: what ValidateAuthorizationPolicy rejects in a rule's `to` (an empty list, an operation that is
 * missing or names nothing) and empty strings in operation and source lists (CheckEmptyValues).
 */
function checkOperations(c: RuleContext, ap: _MeshInput, rule: { readonly to?: unknown; readonly from?: unknown } | undefined, i: number): void {
  const reject = (path: string, problem: string, fix: string) => c.report(ap, 'MESH222', E, path, `${problem}, found at rule ${i}: Istio rejects the policy. Fix: ${fix}`);
  if (Array.isArray(rule?.to) && rule.to.length === 0) reject(`spec.rules[${i}].to`, '`to` must not be empty', 'remove `to` (any operation) or name the operations');
  items(rule?.to).forEach((t, j) => {
    const op = t?.operation;
    const path = `spec.rules[${i}].to[${j}].operation`;
    if (!op || typeof op !== 'object') return reject(path, '`to.operation` must not be nil', 'give the operation (ports, methods, paths, hosts) or remove this `to` entry');
    if (OPERATION_FIELDS.every((k) => items(op[k]).length === 0)) reject(path, '`to.operation` must not be empty', 'name ports, methods, paths or hosts, or remove this `to` entry');
    emptyValues(op, OPERATION_FIELDS, path, reject);
  });
  items(rule?.from).forEach((f, j) => { if (f?.source && typeof f.source === 'object') emptyValues(f.source, EMPTY_CHECKED_SOURCE_FIELDS, `spec.rules[${i}].from[${j}].source`, reject); });
}

function emptyValues(o: Record<string, unknown>, fields: string[], path: string, reject: (path: string, problem: string, fix: string) => void): void {
  for (const k of new Set(fields)) {
    const m = items(o[k]).findIndex((v) => v === '');
    if (m >= 0) reject(`${path}.${k}[${m}]`, `empty value not allowed, found in ${k[0].toUpperCase()}${k.slice(1)}`, 'remove the empty string (use "*" for any value)');
  }
}

/** `when` conditions of one rule, checked by the L2's own `_checkCondition`. */
function checkConditions(c: RuleContext, ap: _MeshInput, rule: { readonly when?: unknown } | undefined, i: number): void {
  items(rule?.when).forEach((w, j) => {
    const problem = problemOf(() => _checkCondition(w));
    if (problem) c.report(ap, 'MESH205', E, `spec.rules[${i}].when[${j}]`, `${problem} (Istio rejects the policy)`);
  });
}

/** MESH207: RequestAuthentication JWT rules Istio rejects (validateJwtRule). */
export function checkJwtRules(c: RuleContext): void {
  for (const ra of c.ix.requestAuthentications) {
    items(ra.doc.spec?.jwtRules).forEach((r, i) => {
      const path = `spec.jwtRules[${i}]`;
      if (!r?.issuer && !r?.jwksUri) {
        c.report(ra, 'MESH207', E, path, 'issuer or jwksUri must be non-empty string: Istio rejects the RequestAuthentication. Fix: set issuer (and jwksUri or jwks)');
      }
      if (typeof r?.jwksUri === 'string' && r.jwksUri !== '') {
        const scheme = /^([a-zA-Z][a-zA-Z0-9+.-]*):/.exec(r.jwksUri)?.[1];
        if (scheme !== 'http' && scheme !== 'https') {
          c.report(ra, 'MESH207', E, `${path}.jwksUri`,
            `URI scheme "${scheme ?? ''}" is not supported in jwksUri "${r.jwksUri}" (Istio accepts http and https): Istio rejects the RequestAuthentication. Fix: use the https:// URL of the issuer's JWKS`);
        }
      }
      items(r?.audiences).forEach((a, j) => {
        if (a === '') c.report(ra, 'MESH207', E, `${path}.audiences[${j}]`, 'audience must be non-empty string: Istio rejects the RequestAuthentication. Fix: remove the empty audience');
      });
      items(r?.fromHeaders).forEach((h, j) => {
        if (!h?.name) c.report(ra, 'MESH207', E, `${path}.fromHeaders[${j}].name`, 'location header name must be non-empty string: Istio rejects the RequestAuthentication. Fix: name the header (e.g. Authorization)');
      });
    });
  }
}

/** Gateway server protocols Istio knows (protocol.Parse), and which of them are TLS. */
const SERVER_PROTOCOLS = new Set(['HTTP', 'HTTPS', 'HTTP2', 'GRPC', 'GRPC-WEB', 'TCP', 'TLS', 'MONGO', 'REDIS', 'MYSQL', 'UDP', 'HTTP_PROXY']);

/** MESH208: Gateway servers Istio rejects (validateServer, validateServerPort). */
export function checkGatewayServers(c: RuleContext): void {
  for (const gw of c.ix.gateways.values()) {
    items(gw.doc.spec?.servers).forEach((s, i) => {
      const path = `spec.servers[${i}]`;
      const protocol = String(s?.port?.protocol ?? '').toUpperCase();
      if (s?.port && !s.port.name) {
        c.report(gw, 'MESH208', E, `${path}.port.name`, 'port name must be set: Istio rejects the Gateway. Fix: name the port, e.g. "https"');
      }
      if (s?.port && !SERVER_PROTOCOLS.has(protocol)) {
        c.report(gw, 'MESH208', E, `${path}.port.protocol`, `invalid protocol "${s.port.protocol}": Istio rejects the Gateway. Fix: use HTTP, HTTPS, HTTP2, GRPC, TCP, TLS, MONGO, REDIS or MYSQL`);
      }
      if (s?.port && s.port.targetPort !== undefined && s.port.targetPort > 0) {
        c.report(gw, 'MESH208', E, `${path}.port.targetPort`, 'targetPort has no impact on Gateways: Istio rejects the Gateway. Fix: remove targetPort');
      }
      const tlsProtocol = protocol === 'HTTPS' || protocol === 'TLS';
      if (tlsProtocol && !s?.tls) {
        c.report(gw, 'MESH208', E, path, 'server must have TLS settings for HTTPS/TLS protocols: Istio rejects the Gateway. Fix: add tls (e.g. mode: SIMPLE, credentialName: <secret>)');
      } else if (!tlsProtocol && SERVER_PROTOCOLS.has(protocol) && s?.tls) {
        // a plain HTTP port may carry passthrough-mode TLS settings without certificates (httpsRedirect): IsPassThroughServer
        const http = ['HTTP', 'HTTP2', 'GRPC', 'GRPC-WEB', 'HTTP_PROXY'].includes(protocol);
        const passthrough = [undefined, 'PASSTHROUGH', 'AUTO_PASSTHROUGH'].includes(s.tls.mode);
        if (!http || !passthrough || s.tls.caCertificates || s.tls.privateKey || s.tls.serverCertificate) {
          c.report(gw, 'MESH208', E, `${path}.tls`, `server cannot have TLS settings for ${protocol} ports (a plain HTTP port takes only httpsRedirect): Istio rejects the Gateway. Fix: use protocol HTTPS or TLS, or keep only tls.httpsRedirect`);
        }
      }
    });
  }
}

/** MESH209: DestinationRule subset names that are not DNS-1123 labels (validateSubsetName). */
export function checkSubsetNames(c: RuleContext): void {
  for (const dr of c.ix.destinationRules) {
    items(dr.doc.spec?.subsets).forEach((s, i) => {
      const problem = problemOf(() => _validateDnsLabel('subset name', s?.name));
      if (problem) c.report(dr, 'MESH209', E, `spec.subsets[${i}].name`, `${problem} (Istio rejects the DestinationRule: subset names are DNS-1123 labels)`);
    });
  }
}

/** The header operations of an HTTP route and of its destinations, with their paths. */
type HeaderOps = Record<string, { readonly set?: Record<string, unknown>; readonly add?: Record<string, unknown> } | undefined>;
function headerOperations(h: { readonly headers?: HeaderOps; readonly route?: unknown } | undefined,
  i: number): Array<[string, HeaderOps | undefined]> {
  const out: Array<[string, HeaderOps | undefined]> = [[`spec.http[${i}].headers`, h?.headers]];
  items(h?.route).forEach((r, j) => out.push([`spec.http[${i}].route[${j}].headers`, r?.headers]));
  return out;
}

/** MESH210: header values Envoy cannot parse (validateHTTPHeaderValue, `%` formatting). */
export function checkHeaderValues(c: RuleContext): void {
  for (const vs of c.ix.virtualServices) {
    items(vs.doc.spec?.http).forEach((h, i) => {
      for (const [base, ops] of headerOperations(h, i)) {
        for (const dir of ['request', 'response']) {
          for (const op of ['set', 'add'] as const) {
            const values = ops?.[dir]?.[op];
            if (!values || typeof values !== 'object') continue;
            for (const [name, value] of Object.entries(values)) {
              const problem = typeof value === 'string' ? _envoyHeaderValueProblem(value) : undefined;
              if (problem) {
                c.report(vs, 'MESH210', E, `${base}.${dir}.${op}["${name}"]`,
                  `Header value "${value}" is invalid: ${problem}: Istio rejects the VirtualService. Fix: write a literal % as %%, and use only %VARIABLE% forms Envoy knows`);
              }
            }
          }
        }
      }
    });
  }
}

/** The StringMatch fields of an HTTP match that can hold a regex, with their paths. */
type StringMatchJson = { readonly regex?: unknown } | undefined;
function stringMatches(m: Record<string, unknown> | undefined, base: string): Array<[string, StringMatchJson]> {
  const out: Array<[string, StringMatchJson]> = [];
  for (const k of ['uri', 'scheme', 'method', 'authority']) out.push([`${base}.${k}`, m?.[k] as StringMatchJson]);
  for (const k of ['headers', 'queryParams', 'withoutHeaders']) {
    for (const [name, v] of Object.entries(m?.[k] ?? {})) out.push([`${base}.${k}["${name}"]`, v as StringMatchJson]);
  }
  return out;
}

/** MESH211: route regexes RE2 (Envoy, Istio's validation) rejects, checked by the L2s' `_validateRegex`. */
export function checkRegexes(c: RuleContext): void {
  for (const vs of c.ix.virtualServices) {
    items(vs.doc.spec?.http).forEach((h, i) => {
      const found: Array<[string, StringMatchJson]> = [];
      items(h?.match).forEach((m, j) => found.push(...stringMatches(m, `spec.http[${i}].match[${j}]`)));
      if (h?.rewrite?.uriRegexRewrite?.match !== undefined) found.push([`spec.http[${i}].rewrite.uriRegexRewrite`, { regex: h.rewrite.uriRegexRewrite.match }]);
      for (const [path, sm] of found) {
        const regex = sm?.regex;
        if (typeof regex !== 'string') continue;
        const problem = problemOf(() => _validateRegex('regex', regex));
        if (problem) c.report(vs, 'MESH211', E, `${path}.regex`, `${problem} (Istio rejects the VirtualService ${nameOf(vs.doc)})`);
      }
    });
  }
}

/** MESH212: a VirtualService for the mesh gateway with host `*` (validateVirtualService). */
export function checkMeshWildcardHosts(c: RuleContext): void {
  for (const vs of c.ix.virtualServices) {
    const gateways = items(vs.doc.spec?.gateways);
    if (gateways.length > 0 && !gateways.includes('mesh')) continue;
    items(vs.doc.spec?.hosts).forEach((h, i) => {
      if (h === '*') {
        c.report(vs, 'MESH212', E, `spec.hosts[${i}]`,
          'wildcard host * is not allowed for virtual services bound to the mesh gateway: Istio rejects the VirtualService. Fix: name the hosts (e.g. "frontend" or "*.shop.svc.cluster.local"), or bind it to a Gateway');
      }
    });
  }
}

/** MESH213: CUSTOM without rules or provider, a provider on a non-CUSTOM policy (ValidateAuthorizationPolicy). */
export function checkCustomProviders(c: RuleContext): void {
  for (const ap of c.ix.authorizationPolicies) {
    const spec = ap.doc.spec ?? {};
    const custom = spec.action === 'CUSTOM';
    if (custom && spec.rules === undefined) {
      c.report(ap, 'MESH213', E, 'spec.rules',
        'CUSTOM action without `rules` is meaningless as it will never be triggered: Istio rejects the policy. Fix: add an empty rule `{}` to send every request to the provider, or the rules that should');
    } else if (custom && !spec.provider?.name) {
      c.report(ap, 'MESH213', E, 'spec.provider', '`provider.name` must not be empty for the CUSTOM action: Istio rejects the policy. Fix: name the extension provider declared in meshConfig.extensionProviders');
    }
    if (!custom && spec.provider !== undefined) {
      c.report(ap, 'MESH213', E, 'spec.provider', `\`provider\` must not be with non CUSTOM action, found ${spec.action ?? 'ALLOW'}: Istio rejects the policy. Fix: set action CUSTOM, or remove provider`);
    }
  }
}

/** The traffic policies of a DestinationRule (top level, subsets) with their paths, and their port-level settings. */
type Json = Record<string, unknown>;
function trafficPolicies(dr: _MeshInput): Array<[string, Json]> {
  const out: Array<[string, Json]> = [];
  const add = (path: string, p: unknown) => {
    if (!p || typeof p !== 'object') return;
    const policy = p as Json;
    out.push([path, policy]);
    items(policy.portLevelSettings).forEach((s, i) => { if (s && typeof s === 'object') out.push([`${path}.portLevelSettings[${i}]`, s]); });
  };
  add('spec.trafficPolicy', dr.doc.spec?.trafficPolicy);
  items(dr.doc.spec?.subsets).forEach((s, i) => add(`spec.subsets[${i}].trafficPolicy`, s?.trafficPolicy));
  return out;
}

/** The problems Istio's client TLS validation (agent.ValidateTLS) finds in one `tls` block. */
function clientTlsProblems(t: Json): string[] {
  const out: string[] = [];
  const set = (k: string) => { const v = t[k]; return v !== undefined && v !== '' && !(Array.isArray(v) && v.length === 0); };
  if (t.insecureSkipVerify === true && t.mode === 'SIMPLE' && (set('caCertificates') || set('credentialName') || set('subjectAltNames'))) {
    out.push('cannot specify caCertificates, credentialName or subjectAltNames when insecureSkipVerify is true');
  }
  if (t.insecureSkipVerify === true && t.mode === 'MUTUAL' && (set('caCertificates') || set('subjectAltNames'))) {
    out.push('cannot specify caCertificates or subjectAltNames when insecureSkipVerify is true');
  }
  if ((t.mode === 'SIMPLE' || t.mode === 'MUTUAL') && set('credentialName')) {
    if (['clientCertificate', 'caCertificates', 'privateKey', 'caCrl'].some(set)) out.push('cannot specify client certificates or CA certificate or CA CRL if credentialName is set');
    return out;
  }
  if (t.mode === 'MUTUAL' && !set('clientCertificate')) out.push('client certificate required for mutual tls');
  if (t.mode === 'MUTUAL' && !set('privateKey')) out.push('private key required for mutual tls');
  return out;
}

/** MESH214, MESH215: DestinationRule client TLS (agent.ValidateTLS) and outlier detection percentages Istio rejects. */
export function checkDestinationRuleValues(c: RuleContext): void {
  for (const dr of c.ix.destinationRules) {
    for (const [path, p] of trafficPolicies(dr)) {
      if (p.tls && typeof p.tls === 'object') {
        for (const problem of clientTlsProblems(p.tls as Json)) {
          c.report(dr, 'MESH214', E, `${path}.tls`, `${problem}: Istio rejects the DestinationRule. Fix: for MUTUAL give credentialName (a Secret with the client certificate) or clientCertificate and privateKey; with insecureSkipVerify drop the CA settings`);
        }
      }
      for (const k of ['maxEjectionPercent', 'minHealthPercent']) {
        const v = (p.outlierDetection as Json | undefined)?.[k];
        if (typeof v === 'number' && (v < 0 || v > 100)) {
          c.report(dr, 'MESH215', E, `${path}.outlierDetection.${k}`, `percentage ${v} is not in range 0..100: Istio rejects the DestinationRule. Fix: use a percentage from 0 to 100`);
        }
      }
    }
  }
}

/** MESH216: two servers of one Gateway with the same port name (ValidateGateway). */
export function checkGatewayPortNames(c: RuleContext): void {
  for (const gw of c.ix.gateways.values()) {
    const seen = new Set<string>();
    items(gw.doc.spec?.servers).forEach((s, i) => {
      const name = s?.port?.name;
      if (typeof name !== 'string') return;
      if (seen.has(name)) {
        c.report(gw, 'MESH216', E, `spec.servers[${i}].port.name`, `port names in servers must be unique: duplicate name ${name}: Istio rejects the Gateway. Fix: give each server its own port name, e.g. http and https`);
      }
      seen.add(name);
    });
  }
}

/** MESH217: a Sidecar egress host that is not `namespace/dnsName` (agent.ValidateNamespaceSlashWildcardHostname). */
export function checkSidecarHosts(c: RuleContext): void {
  for (const sc of c.ix.sidecars) {
    items(sc.doc.spec?.egress).forEach((e, i) => {
      items(e?.hosts).forEach((h, j) => {
        if (typeof h !== 'string') return;
        const slash = h.indexOf('/');
        const ns = h.slice(0, slash);
        let problem: string | undefined;
        if (slash < 0) problem = 'host must be of form namespace/dnsName';
        else if (ns === '' || slash === h.length - 1) problem = 'config namespace and dnsName in host entry cannot be empty';
        else if (!['*', '.', '~'].includes(ns) && !/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/.test(ns)) problem = `invalid namespace value "${ns}" in sidecar`;
        if (problem) {
          c.report(sc, 'MESH217', E, `spec.egress[${i}].hosts[${j}]`, `${problem} (got "${h}"): Istio rejects the Sidecar. Fix: prefix the namespace, e.g. "*/${slash < 0 ? h : h.slice(slash + 1)}" or "<namespace>/${slash < 0 ? h : h.slice(slash + 1)}"`);
        }
      });
    });
  }
}

/** MESH218: a ServiceEntry endpoint port name that the ServiceEntry's ports do not define (validateWorkloadEntry). */
export function checkServiceEntryEndpointPorts(c: RuleContext): void {
  for (const se of c.ix.serviceEntries) {
    const spec = se.doc.spec ?? {};
    if (!['STATIC', 'DNS', 'DNS_ROUND_ROBIN'].includes(spec.resolution ?? 'NONE')) continue;
    const names = new Set(items(spec.ports).map((p) => p?.name));
    items(spec.endpoints).forEach((ep, i) => {
      for (const [name, port] of Object.entries(ep?.ports ?? {})) {
        if (!names.has(name)) {
          c.report(se, 'MESH218', E, `spec.endpoints[${i}].ports["${name}"]`,
            `endpoint port ${String(port)} is not defined by the service entry (no port named "${name}"): Istio rejects the ServiceEntry. Fix: key endpoint ports by the names in spec.ports (${[...names].join(', ')})`);
        }
      }
    });
  }
}

/**
 * MESH221: a ServiceEntry's resolution and endpoints Istio rejects (ValidateServiceEntry): DNS resolution
 * without endpoints needs FQDN hosts (a wildcard cannot be resolved), DNS_ROUND_ROBIN takes at most one
 * endpoint, NONE takes none; DYNAMIC_DNS takes wildcard hosts only, no addresses or endpoints, and HTTP, TLS,
 * GRPC or HTTP2 ports.
 */
export function checkServiceEntryResolution(c: RuleContext): void {
  for (const se of c.ix.serviceEntries) {
    const spec = se.doc.spec ?? {};
    const resolution = spec.resolution ?? 'NONE';
    const endpoints = items(spec.endpoints);
    if ((resolution === 'DNS' || resolution === 'DNS_ROUND_ROBIN') && endpoints.length === 0) {
      const i = items(spec.hosts).findIndex((h) => typeof h === 'string' && h.includes('*'));
      if (i >= 0) {
        c.report(se, 'MESH221', E, `spec.hosts[${i}]`,
          `hosts must be FQDN if no endpoints are provided for resolution mode ${resolution} ("${spec.hosts[i]}" is a wildcard, which DNS cannot resolve): Istio rejects the ServiceEntry. Fix: use resolution DYNAMIC_DNS (HTTP/TLS/gRPC ports) or NONE for wildcard hosts, or list the FQDNs`);
      }
    }
    if (resolution === 'DNS_ROUND_ROBIN' && endpoints.length > 1) {
      c.report(se, 'MESH221', E, 'spec.endpoints',
        `there must only be 0 or 1 endpoint for resolution mode DNS_ROUND_ROBIN (${endpoints.length} given): Istio rejects the ServiceEntry. Fix: use resolution DNS for several endpoints`);
    }
    if (resolution === 'DYNAMIC_DNS') checkDynamicDns(c, se, spec, endpoints);
    if (resolution === 'NONE' && endpoints.length > 0) {
      c.report(se, 'MESH221', E, 'spec.endpoints',
        'no endpoints should be provided for resolution type none: Istio rejects the ServiceEntry. Fix: set resolution STATIC (IP endpoints) or DNS (host-name endpoints), or remove the endpoints');
    }
  }
}

const DYNAMIC_DNS_PROTOCOLS = new Set(['HTTP', 'TLS', 'GRPC', 'HTTP2']);

function checkDynamicDns(c: RuleContext, se: _MeshInput, spec: Record<string, unknown>, endpoints: unknown[]): void {
  const hosts = items(spec.hosts);
  const i = hosts.findIndex((h) => typeof h !== 'string' || !h.startsWith('*'));
  const problems: Array<[string, string]> = [
    ...(i >= 0 ? [[`spec.hosts[${i}]`, `host must be wildcarded for resolution mode DYNAMIC_DNS ("${String(hosts[i])}")`] as [string, string]] : []),
    ...(items(spec.addresses).length > 0 ? [['spec.addresses', 'addresses cannot be set for resolution type DYNAMIC_DNS'] as [string, string]] : []),
    ...(endpoints.length > 0 ? [['spec.endpoints', 'endpoints cannot be set for resolution type DYNAMIC_DNS'] as [string, string]] : []),
    ...items(spec.ports).flatMap((p, k) => DYNAMIC_DNS_PROTOCOLS.has(String(p?.protocol ?? '').toUpperCase()) ? []
      : [[`spec.ports[${k}].protocol`, `only HTTP, TLS, GRPC, and HTTP2 protocols are supported for resolution type DYNAMIC_DNS (got ${String(p?.protocol ?? 'none')})`] as [string, string]]),
  ];
  for (const [path, problem] of problems) {
    c.report(se, 'MESH221', E, path, `${problem}: Istio rejects the ServiceEntry. Fix: use DYNAMIC_DNS for wildcard hosts only (the destination is resolved from the request's host), or another resolution`);
  }
}

/** MESH219, MESH220: VirtualService fault percentages and http rule combinations Istio rejects (validateHTTPRoute). */
export function checkHttpRouteShape(c: RuleContext): void {
  for (const vs of c.ix.virtualServices) {
    items(vs.doc.spec?.http).forEach((h, i) => {
      if (!h || typeof h !== 'object') return;
      for (const kind of ['delay', 'abort']) {
        const v = h.fault?.[kind]?.percentage?.value;
        if (typeof v === 'number' && (v < 0 || v > 100 || (v > 0 && v < 0.0001))) {
          c.report(vs, 'MESH219', E, `spec.http[${i}].fault.${kind}.percentage.value`,
            `percentage ${v} is neither 0.0, nor in range [0.0001, 100.0]: Istio rejects the VirtualService. Fix: give the share of requests in percent, e.g. 10`);
        }
      }
      const has = (k: string) => h[k] !== undefined && h[k] !== null;
      const conflicts: Array<[string, string]> = has('redirect')
        ? [['route', 'redirect'], ['fault', 'redirect'], ['rewrite', 'redirect'], ['directResponse', 'redirect']]
        : [['route', 'directResponse'], ['fault', 'directResponse']];
      for (const [a, b] of conflicts) {
        if (has(b) && (a === 'route' ? items(h.route).length > 0 : has(a))) {
          c.report(vs, 'MESH220', E, `spec.http[${i}]`, `HTTP route cannot contain both ${a} and ${b}: Istio rejects the VirtualService. Fix: keep ${b} alone in this rule, or remove it`);
        }
      }
    });
  }
}
