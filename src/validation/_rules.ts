/**
 * The rule registry: every rule the checkers report, with what it catches, its severity, the Istio or
 * Kiali code it mirrors and the function that runs it. The engine (`_meshChecks`) runs the functions
 * registered here; README's rule table is generated from these definitions (`npx projen rules:readme`,
 * checked by test/validation/rules.test.ts), so the table cannot drift from the code.
 */
import { _AMBIENT_RULES } from './_ambient-rules';
import {
  checkAnnotations, checkCaCertificates, checkConflictingGateways, checkDeprecations, checkDuplicateCertificates, checkExternalNamePorts,
  checkIngressSubsets, checkInjectionLabels, checkServiceEntryAddresses, checkSubsetPods, checkTelemetries, checkUnreachableRules,
} from './_checks-analyze';
import {
  checkDestinationRuleTls, checkEnrolment, checkIdentities, checkPortNames, checkProviders,
  checkSidecars, checkVirtualServices,
} from './_checks-core';
import {
  checkAuthorizationPorts, checkHttpFieldsOnTcpPorts, checkPeerAuthenticationConflicts, checkPortLevelMtls, checkProviderKinds,
  checkSpiffePrincipals,
} from './_checks-kiali';
import {
  checkAuthorizationPolicies, checkCustomProviders, checkDestinationRuleValues, checkGatewayPortNames, checkGatewayServers, checkHeaderValues,
  checkHttpRouteShape, checkJwtRules, checkMeshWildcardHosts, checkRegexes, checkRetries, checkServiceEntryEndpointPorts, checkServiceEntryResolution,
  checkSidecarHosts,
  checkSubsetNames,
} from './_checks-webhook';
import { _duplicateObjects } from './_duplicates';
import { _GATEWAY_API_RULES } from './_gateway-api-rules';
import { _KIALI_AMBIENT_COVERAGE } from './_kiali-ambient';
import { _KIALI_CORE_COVERAGE, _KialiCoverage } from './_kiali-coverage';
import { _KIALI_K8S_COVERAGE, _KIALI_K8S_RULES } from './_kiali-k8s';
import { _KIALI_SECURITY_COVERAGE, _KIALI_SECURITY_RULES } from './_kiali-security';
import { _KIALI_TRAFFIC_COVERAGE, _KIALI_TRAFFIC_RULES, checkDestinationRuleMerges } from './_kiali-traffic';
import { RuleContext } from './_mesh-index';
import { ValidationSeverity } from './conformance';

/** A rule's function: reads the index, reports through the context. @internal */
export type _RuleCheck = (c: RuleContext) => void;

/** One rule. @internal */
export interface _RuleDefinition {
  /** `IST0101` (istioctl analyze's code), `KIA1106` (Kiali's), `MESH00N`/`K8S-*` (this library's). */
  readonly id: string;
  readonly severity: ValidationSeverity;
  /** What it catches (README, one table cell; Markdown). */
  readonly catches: string;
  /** The Istio/Kiali check it mirrors (README), or "this library". */
  readonly mirrors: string;
  /**
   * The function that reports it. Several ids may share one function (one pass over VirtualServices
   * reports IST0101, IST0109, IST0112, IST0132 and IST0149); the engine runs each function once.
   * Undefined: reported outside the mesh engine (schema, CEL, the CLI's file reading).
   */
  readonly check?: _RuleCheck;
}

const E = ValidationSeverity.ERROR;
const W = ValidationSeverity.WARNING;

function rule(id: string, severity: ValidationSeverity, mirrors: string, catches: string, check?: _RuleCheck): _RuleDefinition {
  return { id, severity, mirrors, catches, ...(check ? { check } : {}) };
}

function duplicates(c: RuleContext): void {
  for (const f of _duplicateObjects([...c.inputs, ...(c.options.otherObjects ?? [])], c.options.duplicatesAcrossFiles ?? false)) c.findings.push(f);
}

/** Every rule, in README order. @internal */
export const _RULES: readonly _RuleDefinition[] = [
  rule('K8S-SCHEMA', E, 'Kubernetes API server (structural schema)',
    'the CRD\'s structural schema rejects the object: type, enum, pattern, format (`date-time`, `byte`, `ipv4`, `ipv6`, `cidr`, `uri`, `uuid`), min/max, length, items, properties, `required`, `oneOf`/`anyOf`/`not`, int-or-string, `x-kubernetes-list-type` set/map duplicates — and **unknown fields** (the API server would prune them silently; for a library a dropped field is a bug). Schema `default`s are applied first, as the API server does.'),
  rule('K8S-CEL', E, 'Kubernetes API server (`x-kubernetes-validations`)',
    'an `x-kubernetes-validations` rule does not return true, or fails to evaluate (e.g. "No such key"), on the defaulted object. Transition rules (`oldSelf`) are skipped: everything here is a create.'),
  rule('IST0101', E, 'istioctl analyze `ReferencedResourceNotFound`',
    'a VirtualService route/mirror names a subset no DestinationRule of that host defines (checked when the input defines a DestinationRule, Service or ServiceEntry for the host; other hosts are external), a gateway that is neither in the input nor declared external, or a port the destination Service does not have; a Gateway `selector` that matches no pod, when the input defines pods with the selector\'s label keys (its gateway workloads)', checkVirtualServices),
  rule('IST0132', E, 'istioctl analyze `VirtualServiceHostNotFoundInGateway`',
    'a VirtualService host is not among the hosts its Gateway exposes to the VirtualService\'s namespace (`ns/host`, `./host`, `*/host`, wildcards)', checkVirtualServices),
  rule('IST0109', E, 'istioctl analyze `ConflictingMeshGatewayVirtualServiceHosts`',
    'two VirtualServices (distinct namespace/name) bound to the mesh gateway define the same host (FQDN); on other gateways Istio merges them (see KIA1106)', checkVirtualServices),
  rule('KIA1106', W, 'Kiali KIA1106 (More than one Virtual Service for same host), with Istio\'s merge semantics',
    'VirtualServices merged on one gateway other than the mesh (same host) have the same match (catch-alls count as one): Istio appends their rules in creation order (catch-alls last), so only the oldest one\'s rule matches', checkVirtualServices),
  rule('IST0149', E, 'istioctl analyze `JwtClaimBasedRoutingWithoutRequestAuthN`',
    'a route matches `@request.auth.claims.*` headers, but no RequestAuthentication exists in the route\'s namespace, its gateways\' namespaces or `istio-system`', checkVirtualServices),
  rule('IST0112', E, 'istioctl analyze `VirtualServiceDestinationPortSelectorRequired`',
    'a VirtualService destination names no port while the Service the input defines for its host has several', checkVirtualServices),
  rule('MESH001', E, 'this library (Kiali KIA0201, with Istio\'s merge semantics)',
    'DestinationRules that Istio merges (one namespace, one exact host, no or equal `workloadSelector`) set more than one top-level `trafficPolicy` (only the oldest applies), or differ in `exportTo` with overlapping audiences (not merged: a client that sees both gets one of them whole). Subsets merge; DestinationRules in other namespaces or for wildcard hosts never merge and are not reported', checkDestinationRuleMerges),
  rule('MESH002', E, 'this library',
    'a Telemetry (tracing, access logging, metrics) or CUSTOM AuthorizationPolicy names a provider not declared with `declareProviders()` (`prometheus`, `envoy`, `stackdriver` are built in); off until providers are declared', checkProviders),
  rule('MESH003', E, 'this library (Kiali KIA0207/KIA0208 for one direction)',
    'a DestinationRule sets TLS `DISABLE` (top level, port level or subset) toward `*.<ns>.svc.cluster.local` while a namespace-wide (or `istio-system` mesh-wide) PeerAuthentication of `<ns>` is `STRICT`', checkDestinationRuleTls),
  rule('IST0118', W, 'istioctl analyze `PortNameIsNotUnderNamingConvention`',
    'Istio cannot select a protocol for a Service port: neither `appProtocol` nor the name (before an optional `-suffix`) is one of `http`, `http2`, `https`, `grpc`, `grpc-web`, `tcp`, `tls`, `mongo`, `mysql`, `redis`, `udp`, `http_proxy`, the port is not UDP and not a well-known port (25, 53, 3306, 27017); Istio\'s own Services (an `istio` label, `release: istio`, gateways Istio deploys) are skipped, as istioctl does', checkPortNames),
  rule('IST0102', E, 'istioctl analyze `NamespaceNotInjected`',
    'the app defines a Namespace without `istio-injection=enabled`, `istio.io/rev` or `istio.io/dataplane-mode=ambient`, and policies that act on its own workloads\' proxies (Sidecar, AuthorizationPolicy, PeerAuthentication, RequestAuthentication, Telemetry; not targetRefs policies, not routing) live in it: an error when the app defines its workloads and none gets a proxy (by pod label `sidecar.istio.io/inject=true` or a gateway injection template), a warning when it defines none; silent where a Gateway API Gateway is deployed (istioctl reports it as Info for every such namespace)', checkEnrolment),
  rule('MESH004', E, 'this library',
    'an AuthorizationPolicy principal/namespace/serviceAccount names a namespace or service account the app does not define while it defines one within 1-2 edits (`cluster.local/ns/shop/sa/frontnd` with SA `frontend` in `shop`)', checkIdentities),
  rule('IST0111', E, 'istioctl analyze `MultipleSidecarsWithoutWorkloadSelectors`',
    'more than one Sidecar without a `workloadSelector` in one namespace (Istio applies one of them, undefined which)', checkSidecars),
  rule('IST0123', W, 'istioctl analyze `NamespaceMultipleInjectionLabels`',
    'a Namespace carries more than one kind of injection label (`istio-injection` with `istio.io/rev` or `istio.io/dataplane-mode`, unless `istio-injection` is not `enabled`)', checkInjectionLabels),
  rule('IST0128', W, 'istioctl analyze `NoServerCertificateVerificationDestinationLevel`',
    'a DestinationRule\'s `trafficPolicy.tls` is `SIMPLE`/`MUTUAL` with `insecureSkipVerify: true`: the server certificate is not verified (istioctl fires on an empty `caCertificates`, but Istio 1.30 then verifies against the system roots)', checkCaCertificates),
  rule('IST0129', W, 'istioctl analyze `NoServerCertificateVerificationPortLevel`',
    'the same, in `trafficPolicy.portLevelSettings[].tls`', checkCaCertificates),
  rule('IST0130', W, 'istioctl analyze `VirtualServiceUnreachableRule` (admission webhook warning)',
    'an HTTP/TCP/TLS route rule is never used: it follows a rule without matches, or all its matches repeat earlier ones', checkUnreachableRules),
  rule('IST0131', W, 'istioctl analyze `VirtualServiceIneffectiveMatch` (Info in Istio)',
    'a route match repeats a match of an earlier rule (compared without its `name`)', checkUnreachableRules),
  rule('IST0134', W, 'istioctl analyze `ServiceEntryAddressesRequired`',
    'a ServiceEntry without `addresses` (nor allocated ones in `status`) has a TCP port or a port without protocol', checkServiceEntryAddresses),
  rule('IST0138', W, 'istioctl analyze `GatewayDuplicateCertificate`',
    'two Gateways whose selectors overlap (one a subset of the other) serve the same certificate (`credentialName`, or `serverCertificate` + `privateKey`)', checkDuplicateCertificates),
  rule('IST0140', W, 'istioctl analyze `IngressRouteRulesNotAffected`',
    'a gateway-bound VirtualService routes to a host without a subset while a VirtualService for that host routes by subset (not applied at the gateway)', checkIngressSubsets),
  rule('IST0145', E, 'istioctl analyze `ConflictingGateways`',
    'two Gateways on common gateway pods serve the same host (and `bind`) on the same port: Istio\'s selection, not istioctl\'s equal selector strings — one selector is a subset of the other (every pod the narrower picks runs both), or a pod of the input matches both', checkConflictingGateways),
  rule('IST0150', W, 'istioctl analyze `ExternalNameServiceTypeInvalidPortName`',
    'an `ExternalName` Service port without a protocol Istio can select, or named `tcp`', checkExternalNamePorts),
  rule('IST0157', W, 'istioctl analyze `InvalidTelemetryProvider`',
    'a Telemetry `accessLogging` entry without providers (and not `disabled`): ignored while meshConfig has no default access-log provider (the default)', checkTelemetries),
  rule('IST0160', E, 'istioctl analyze `MultipleTelemetriesWithoutWorkloadSelectors`',
    'more than one Telemetry without `selector`/`targetRef(s)` in one namespace', checkTelemetries),
  rule('IST0173', E, 'istioctl analyze `DestinationRuleSubsetNotSelectPods`',
    'a VirtualService routes to a DestinationRule subset that selects none of the pods (Pods; pod templates of Deployments, StatefulSets, DaemonSets, ReplicaSets, Jobs, CronJobs, Rollouts) of the host\'s Service in its namespace (503 UH); decided only when the input defines the Service and at least one pod it selects. istioctl also reports subsets nothing routes to; those are harmless (declared ahead of a canary) and not reported', checkSubsetPods),
  rule('IST0108', W, 'istioctl analyze `UnknownAnnotation`',
    'an Istio annotation (`*istio.io/...`) that Istio 1.30 does not define, on a Namespace, Service, Deployment, Pod or pod template', checkAnnotations),
  rule('IST0107', W, 'istioctl analyze `MisplacedAnnotation`',
    'an Istio annotation on a kind it does not apply to (e.g. `sidecar.istio.io/proxyCPU` on a Deployment instead of its pod template)', checkAnnotations),
  rule('IST0135', W, 'istioctl analyze `DeprecatedAnnotation` (Info in Istio)',
    'a deprecated Istio annotation (`sidecar.istio.io/inject` is not reported when the label is set too)', checkAnnotations),
  rule('IST0002', W, 'istioctl analyze `Deprecated`',
    'a deprecated field (`http[].fault.delay.percent`, Sidecar `outboundTrafficPolicy.egressProxy`) or an object of a removed kind (`rbac.istio.io`)', checkDeprecations),
  rule('MESH005', E, 'this library (Kubernetes: one object per name)',
    'one object (API group, kind, namespace, name) defined twice: in an app (naming both construct paths), or within one file for the CLI and the plugin (a folder may hold alternatives, like Istio\'s samples)', duplicates),
  // Istio's admission webhook (pkg/config/validation): what the CRD schema does not enforce (src/validation/_checks-webhook.ts)
  rule('MESH201', E, 'admission webhook `validateHTTPRetry`',
    'a retry policy Istio rejects: negative `attempts`; `perTryTimeout`, `retryOn` or `retryRemoteLocalities` with `attempts` 0 (or unset); a `retryOn` entry that is neither an HTTP status code nor an Envoy retry condition', checkRetries),
  rule('MESH202', E, 'admission webhook `ValidateAuthorizationPolicy`',
    'a DENY AuthorizationPolicy without `rules` (it never triggers; `rules: [{}]` denies everything)', checkAuthorizationPolicies),
  rule('MESH203', E, 'admission webhook `ValidateAuthorizationPolicy`',
    'an AuthorizationPolicy `from.source` that is empty, or sets `serviceAccounts` with `principals`/`namespaces`', checkAuthorizationPolicies),
  rule('MESH204', E, 'admission webhook `security.ValidateIPs`, `CheckTrustDomainValues`',
    'an AuthorizationPolicy IP block (`ipBlocks`, `remoteIpBlocks` and their `not` forms) that is not an IP or CIDR, or a trust domain that is empty, contains `/` (a SPIFFE ID) or an inner `*`', checkAuthorizationPolicies),
  rule('MESH205', E, 'admission webhook `ValidateAuthorizationPolicy` (`when`)',
    'a `when` condition with a key Istio does not know (or a removed one: `destination.namespace`, `destination.labels`...), a map key without `[name]`, no values, or IP/port values that are not IPs/ports', checkAuthorizationPolicies),
  rule('MESH206', W, 'admission webhook warning (ValidateAuthorizationPolicy)',
    'a DENY rule of HTTP attributes only (methods, paths, hosts, request principals) without `to.operation.ports`: it denies all traffic to TCP ports in its scope', checkAuthorizationPolicies),
  rule('MESH207', E, 'admission webhook `validateJwtRule`',
    'a RequestAuthentication JWT rule without `issuer` and `jwksUri`, a `jwksUri` that is not http(s), an empty audience or `fromHeaders` name', checkJwtRules),
  rule('MESH208', E, 'admission webhook `validateServer`, `validateServerPort`',
    'a Gateway server port without a name, with an unknown protocol or a `targetPort`; an HTTPS/TLS server without `tls`; `tls` on a plain port (other than `httpsRedirect` on HTTP)', checkGatewayServers),
  rule('MESH209', E, 'admission webhook `validateSubsetName`',
    'a DestinationRule subset name that is not a DNS-1123 label', checkSubsetNames),
  rule('MESH210', E, 'admission webhook `ValidateHTTPHeaderValue` (Envoy header formatting)',
    'a VirtualService header value (`headers.request/response.set/add`, route or destination level) Envoy cannot parse: a lone `%`, an unknown or unterminated `%VARIABLE%`, control characters', checkHeaderValues),
  rule('MESH211', E, 'admission webhook regex validation (RE2)',
    'a route match regex (`uri`, `scheme`, `method`, `authority`, `headers`, `queryParams`, `withoutHeaders`) or `uriRegexRewrite.match` RE2 rejects: lookaround, backreferences, repeat counts over 1000, longer than the limit, bad syntax', checkRegexes),
  rule('MESH212', E, 'admission webhook `validateVirtualService`',
    'a VirtualService bound to the mesh gateway (no `gateways`, or `mesh` among them) with host `*`', checkMeshWildcardHosts),
  rule('MESH213', E, 'admission webhook `ValidateAuthorizationPolicy` (CUSTOM)',
    'a CUSTOM AuthorizationPolicy without `rules` or without `provider.name`, or a `provider` on an ALLOW/DENY/AUDIT policy', checkCustomProviders),
  rule('MESH214', E, 'admission webhook `agent.ValidateTLS` (DestinationRule)',
    'a DestinationRule client `tls` (top level, port level, subsets) Istio rejects: MUTUAL without `credentialName` and without `clientCertificate`/`privateKey`; `insecureSkipVerify` with `caCertificates`/`subjectAltNames` (or `credentialName` in SIMPLE); `credentialName` together with certificate files', checkDestinationRuleValues),
  rule('MESH215', E, 'admission webhook `validateOutlierDetection`',
    'a DestinationRule `outlierDetection.maxEjectionPercent` or `minHealthPercent` outside 0..100', checkDestinationRuleValues),
  rule('MESH216', E, 'admission webhook `ValidateGateway`',
    'two servers of one Gateway with the same port name', checkGatewayPortNames),
  rule('MESH217', E, 'admission webhook `agent.ValidateNamespaceSlashWildcardHostname` (Sidecar)',
    'a Sidecar egress host that is not `namespace/dnsName` (namespace `*`, `.`, `~` or a DNS label), e.g. a bare FQDN', checkSidecarHosts),
  rule('MESH218', E, 'admission webhook `validateWorkloadEntry` (ServiceEntry endpoints)',
    'a ServiceEntry (STATIC, DNS, DNS_ROUND_ROBIN) endpoint `ports` key that names no port of the ServiceEntry', checkServiceEntryEndpointPorts),
  rule('MESH221', E, 'admission webhook `ValidateServiceEntry` (resolution)',
    'a ServiceEntry with DNS/DNS_ROUND_ROBIN resolution and no endpoints has a wildcard host, DNS_ROUND_ROBIN has several endpoints, NONE has endpoints, or DYNAMIC_DNS has a host without wildcard, addresses, endpoints or a port that is not HTTP, TLS, GRPC or HTTP2', checkServiceEntryResolution),
  rule('MESH222', E, 'admission webhook `ValidateAuthorizationPolicy` (operations, `CheckEmptyValues`)',
    'an AuthorizationPolicy rule with an empty `to` list, a `to` entry without `operation` or with an operation naming nothing, or an empty string in an operation or source list', checkAuthorizationPolicies),
  rule('MESH219', E, 'admission webhook `validatePercentage` (fault injection)',
    'a VirtualService fault `delay`/`abort` `percentage.value` that is neither 0 nor in [0.0001, 100]', checkHttpRouteShape),
  rule('MESH220', E, 'admission webhook `validateHTTPRoute` (conflicts)',
    'an http rule with `redirect` and `route`, `fault`, `rewrite` or `directResponse`; or `directResponse` with `route` or `fault`', checkHttpRouteShape),
  // Kiali's manifest-only validations and the misconfigurations users hit most (src/validation/_checks-kiali.ts)
  rule('KIA0002', E, 'Kiali KIA0002 (More than one selector-less object in the same namespace)',
    'more than one namespace-wide PeerAuthentication (no `selector`, no `targetRef(s)`) in one namespace: Istio applies the oldest (RequestAuthentications merge and are not reported)', checkPeerAuthenticationConflicts),
  rule('KIA0003', E, 'Kiali KIA0003 (More than one object applied to the same workload)',
    'more than one PeerAuthentication with the same `selector` in one namespace: Istio applies the oldest', checkPeerAuthenticationConflicts),
  rule('MESH303', W, 'this library (Istio: authorization of TCP traffic)',
    'an AuthorizationPolicy rule names a port that the input\'s Services of the selected workloads serve as TCP (or without a protocol Istio can select), together with HTTP-only fields (methods, paths, hosts, request principals, `request.*` conditions): on that port the rule never matches', checkHttpFieldsOnTcpPorts),
  rule('MESH304', E, 'this library (Istio: PeerAuthentication `portLevelMtls` keys)',
    'a PeerAuthentication `portLevelMtls` key is the Service port of the selected workloads, not their workload (target) port, which Istio keys it by: the setting never applies', checkPortLevelMtls),
  rule('MESH307', E, 'this library (Istio: authorization `ports` are workload ports)',
    'an AuthorizationPolicy `ports`/`notPorts` entry is the Service port of the selected workloads, not their workload (target) port, which Istio matches: the entry never matches', checkAuthorizationPorts),
  rule('MESH305', E, 'this library (Istio\'s built-in providers)',
    'a Telemetry names a built-in provider in a section it does not serve (`prometheus` outside `metrics`, `envoy` outside `accessLogging`): it does nothing', checkProviderKinds),
  rule('MESH306', E, 'this library (Istio: principals are matched with `spiffe://` prepended)',
    'an AuthorizationPolicy `principals`/`notPrincipals` entry written as a SPIFFE URI (`spiffe://td/ns/a/sa/b`): Istio matches `spiffe://spiffe://...`, so the entry never matches', checkSpiffePrincipals),
  // Kiali's security validations with Istio's semantics: methods, identities without mTLS, mTLS modes (src/validation/_kiali-security.ts)
  ..._KIALI_SECURITY_RULES,
  // ambient mode: what sidecars, ztunnel and waypoints each enforce (src/validation/_ambient-rules.ts)
  ..._AMBIENT_RULES,
  // Gateway API routes: backends, parents, ReferenceGrants, VirtualService + HTTPRoute (src/validation/_gateway-api-rules.ts)
  ..._GATEWAY_API_RULES,
  // Kiali's traffic validations with Istio's semantics: DestinationRule merges, ServiceEntry hosts, Sidecars, routes (src/validation/_kiali-traffic.ts)
  ..._KIALI_TRAFFIC_RULES,
  // Kiali's Service/Deployment and Gateway API checks, istioctl's IST0116/IST0162 (src/validation/_kiali-k8s.ts)
  ..._KIALI_K8S_RULES,
  rule('K8S-YAML', E, 'this library (CLI)', 'a file that is not YAML'),
  rule('K8S-OBJECT', E, 'this library (CLI)', 'a document that is not a Kubernetes object (no `apiVersion` and `kind`)'),
];

const BY_ID = new Map(_RULES.map((r) => [r.id, r]));

/** The definition of a rule id, or undefined. @internal */
export function _rule(id: string): _RuleDefinition | undefined {
  return BY_ID.get(id);
}

/** The distinct rule functions, in registry order (each runs once). @internal */
export function _ruleChecks(): _RuleCheck[] {
  return [...new Set(_RULES.flatMap((r) => (r.check ? [r.check] : [])))];
}

/** README's rule table (Markdown), generated from the definitions. @internal */
export function _ruleTable(): string {
  const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');
  return [
    '| id | severity | what it catches | mirrors |',
    '|---|---|---|---|',
    ..._RULES.map((r) => `| \`${r.id}\` | ${r.severity} | ${cell(r.catches)} | ${cell(r.mirrors)} |`),
  ].join('\n');
}

/**
 * Every Kiali code this analyzer answers (reported under its own id or another, or not reported with the
 * reason), in code order. @internal
 */
export const _KIALI_COVERAGE: readonly _KialiCoverage[] = [
  ..._KIALI_CORE_COVERAGE,
  ..._KIALI_AMBIENT_COVERAGE,
  ..._KIALI_TRAFFIC_COVERAGE,
  ..._KIALI_SECURITY_COVERAGE,
  ..._KIALI_K8S_COVERAGE,
].sort((a, b) => a.code.localeCompare(b.code));

/** README's Kiali table (Markdown), generated from `_KIALI_COVERAGE`. @internal */
export function _kialiTable(): string {
  const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');
  return [
    '| Kiali code | Kiali\'s message | reported here as | note |',
    '|---|---|---|---|',
    ..._KIALI_COVERAGE.map((k) => `| \`${k.code}\` | ${cell(k.kiali)} | ${k.reportedAs.length ? k.reportedAs.map((id) => `\`${id}\``).join(', ') : 'not reported'} | ${cell(k.note)} |`),
  ].join('\n');
}

function replaceBetween(readme: string, marker: string, body: string): string {
  const b = new RegExp(`<!-- ${marker}:begin[^>]*-->\\n`).exec(readme);
  const e = readme.indexOf(`<!-- ${marker}:end -->`);
  if (!b || e < b.index) throw new Error(`README.md has no <!-- ${marker}:begin --> ... <!-- ${marker}:end --> markers`);
  const from = b.index + b[0].length;
  return `${readme.slice(0, from)}${body}\n${readme.slice(e)}`;
}

/** README text with the rule table and the Kiali table between their markers replaced by the generated ones. @internal */
export function _readmeWithRuleTable(readme: string): string {
  return replaceBetween(replaceBetween(readme, 'rules', _ruleTable()), 'kiali', _kialiTable());
}
