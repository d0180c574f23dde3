/**
 * The rule registry: every rule the checkers report, with what it catches, its severity, the Istio or
 * Kiali code it mirrors and the function that runs it. The engine (`_meshChecks`) runs the functions
 * registered here; README's rule table is generated from these definitions (`npx projen rules:readme`,
 * checked by test/validation/rules.test.ts), so the table cannot drift from the code.
 */
import {
  checkDestinationRuleDuplicates, checkDestinationRuleTls, checkEnrolment, checkIdentities, checkPortNames, checkProviders,
  checkSidecars, checkVirtualServices,
} from './_checks-core';
import { _AMBIENT_RULES } from './_ambient-rules';
import { _duplicateObjects } from './_duplicates';
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

function duplicates(c: RuleContext): void {
  for (const f of _duplicateObjects([...c.inputs, ...(c.options.otherObjects ?? [])])) c.findings.push(f);
}

/** Every rule, in README order. @internal */
export const _RULES: readonly _RuleDefinition[] = [
  {
    id: 'K8S-SCHEMA',
    severity: E,
    mirrors: 'Kubernetes API server (structural schema)',
    catches: 'the CRD\'s structural schema rejects the object: type, enum, pattern, format (`date-time`, `byte`, `ipv4`, `ipv6`, `cidr`, `uri`, `uuid`), min/max, length, items, properties, `required`, `oneOf`/`anyOf`/`not`, int-or-string, `x-kubernetes-list-type` set/map duplicates — and **unknown fields** (the API server would prune them silently; for a library a dropped field is a bug). Schema `default`s are applied first, as the API server does.',
  },
  {
    id: 'K8S-CEL',
    severity: E,
    mirrors: 'Kubernetes API server (`x-kubernetes-validations`)',
    catches: 'an `x-kubernetes-validations` rule does not return true, or fails to evaluate (e.g. "No such key"), on the defaulted object. Transition rules (`oldSelf`) are skipped: everything here is a create.',
  },
  {
    id: 'IST0101',
    severity: E,
    mirrors: 'istioctl analyze `ReferencedResourceNotFound`',
    check: checkVirtualServices,
    catches: 'a VirtualService route/mirror names a subset no DestinationRule of that host defines (checked when the input defines a DestinationRule, Service or ServiceEntry for the host; other hosts are external), a gateway that is neither in the input nor declared external, or a port the destination Service does not have',
  },
  {
    id: 'IST0132',
    severity: E,
    mirrors: 'istioctl analyze `VirtualServiceHostNotFoundInGateway`',
    check: checkVirtualServices,
    catches: 'a VirtualService host is not among the hosts its Gateway exposes to the VirtualService\'s namespace (`ns/host`, `./host`, `*/host`, wildcards)',
  },
  {
    id: 'IST0109',
    severity: E,
    mirrors: 'istioctl analyze `ConflictingMeshGatewayVirtualServiceHosts`',
    check: checkVirtualServices,
    catches: 'two VirtualServices (distinct namespace/name) define the same host on the mesh (FQDN) or on one gateway',
  },
  {
    id: 'IST0149',
    severity: E,
    mirrors: 'istioctl analyze `JwtClaimBasedRoutingWithoutRequestAuthN`',
    check: checkVirtualServices,
    catches: 'a route matches `@request.auth.claims.*` headers, but no RequestAuthentication exists in the route\'s namespace, its gateways\' namespaces or `istio-system`',
  },
  {
    id: 'IST0112',
    severity: E,
    mirrors: 'istioctl analyze `VirtualServiceDestinationPortSelectorRequired`',
    check: checkVirtualServices,
    catches: 'a VirtualService destination names no port while the Service the input defines for its host has several',
  },
  {
    id: 'MESH001',
    severity: E,
    mirrors: 'this library (Kiali KIA0201 for one namespace)',
    check: checkDestinationRuleDuplicates,
    catches: 'more than one DestinationRule (without `workloadSelector`) for one host in one namespace',
  },
  {
    id: 'MESH002',
    severity: E,
    mirrors: 'this library',
    check: checkProviders,
    catches: 'a Telemetry (tracing, access logging, metrics) or CUSTOM AuthorizationPolicy names a provider not declared with `declareProviders()` (`prometheus`, `envoy`, `stackdriver` are built in); off until providers are declared',
  },
  {
    id: 'MESH003',
    severity: E,
    mirrors: 'this library (Kiali KIA0207/KIA0208 for one direction)',
    check: checkDestinationRuleTls,
    catches: 'a DestinationRule sets TLS `DISABLE` (top level, port level or subset) toward `*.<ns>.svc.cluster.local` while a namespace-wide (or `istio-system` mesh-wide) PeerAuthentication of `<ns>` is `STRICT`',
  },
  {
    id: 'IST0118',
    severity: W,
    mirrors: 'istioctl analyze `PortNameIsNotUnderNamingConvention`',
    check: checkPortNames,
    catches: 'a Service port has neither a protocol-prefixed name (`http`, `http2`, `https`, `grpc`, `grpc-web`, `tcp`, `tls`, `mongo`, `mysql`, `redis`, `udp`, optionally `-suffix`) nor `appProtocol`',
  },
  {
    id: 'IST0102',
    severity: E,
    mirrors: 'istioctl analyze `NamespaceNotInjected`',
    check: checkEnrolment,
    catches: 'the app defines a Namespace without `istio-injection=enabled`, `istio.io/rev` or `istio.io/dataplane-mode=ambient`, and mesh resources (not Gateways) live in it',
  },
  {
    id: 'MESH004',
    severity: E,
    mirrors: 'this library',
    check: checkIdentities,
    catches: 'an AuthorizationPolicy principal/namespace/serviceAccount names a namespace or service account the app does not define while it defines one within 1-2 edits (`cluster.local/ns/shop/sa/frontnd` with SA `frontend` in `shop`)',
  },
  {
    id: 'IST0111',
    severity: E,
    mirrors: 'istioctl analyze `MultipleSidecarsWithoutWorkloadSelectors`',
    check: checkSidecars,
    catches: 'more than one Sidecar without a `workloadSelector` in one namespace (Istio applies one of them, undefined which)',
  },
  {
    id: 'MESH005',
    severity: E,
    mirrors: 'this library (Kubernetes: one object per name)',
    check: duplicates,
    catches: 'one object (API group, kind, namespace, name) defined twice: in an app (naming both construct paths), or within one file for the CLI and the plugin (a folder may hold alternatives, like Istio\'s samples)',
  },
  // ambient mode: what sidecars, ztunnel and waypoints each enforce (src/validation/_ambient-rules.ts)
  ..._AMBIENT_RULES,
  { id: 'K8S-YAML', severity: E, mirrors: 'this library (CLI)', catches: 'a file that is not YAML' },
  { id: 'K8S-OBJECT', severity: E, mirrors: 'this library (CLI)', catches: 'a document that is not a Kubernetes object (no `apiVersion` and `kind`)' },
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

const BEGIN = /<!-- rules:begin[^>]*-->\n/;
const END = '<!-- rules:end -->';

/** README text with the rule table between its markers replaced by the generated one. @internal */
export function _readmeWithRuleTable(readme: string): string {
  const begin = BEGIN.exec(readme);
  const end = readme.indexOf(END);
  if (!begin || end < begin.index) throw new Error('README.md has no <!-- rules:begin --> ... <!-- rules:end --> markers');
  const from = begin.index + begin[0].length;
  return `${readme.slice(0, from)}${_ruleTable()}\n${readme.slice(end)}`;
}
