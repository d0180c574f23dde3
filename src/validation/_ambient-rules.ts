/**
 * The mesh rules of ambient mode (IST0167, MESH101, MESH102): what sidecars, ztunnel and waypoints each
 * enforce, as Istio 1.30 decides it. Internal: called once by the engine (`_meshChecks` in `_mesh.ts`)
 * with the inputs and the maps it has already built; one more pass over the inputs, then one lookup per
 * policy or target (no all-pairs scans).
 *
 * Where the semantics come from (istio/istio 1.30.3):
 * - pkg/config/analysis/analyzers/sidecar/selector.go and util/in_mesh.go (`NamespaceInAmbientMode`): a
 *   Sidecar in an ambient namespace has no impact (IST0167 IneffectivePolicy);
 * - pilot/pkg/serviceregistry/ambient/authorization.go (`convertAuthorizationPolicy`, `handleRule`):
 *   ztunnel takes every policy without targetRefs; it omits ALLOW rules with HTTP attributes and enforces
 *   DENY rules without them, and it does not support CUSTOM or AUDIT;
 * - pilot/pkg/model/policyattachment.go (`ShouldAttachPolicy`): a policy attached to a Service or
 *   ServiceEntry is taken only by a waypoint; sidecars and ztunnel ignore it;
 * - pilot/pkg/serviceregistry/ambient/waypoints.go (`fetchWaypointForTarget`, `getUseWaypoint`): a
 *   Service's waypoint is its own `istio.io/use-waypoint` label (`none` opts out), else its namespace's,
 *   in `istio.io/use-waypoint-namespace` when set; it must take service traffic (`istio.io/waypoint-for`
 *   `service` or `all`).
 * The shared ambient semantics (which namespaces are ambient, `istio.io/use-waypoint`, a Service's waypoint) are in `_ambient-mode.ts`;
 * Kiali's ambient validations in `_kiali-ambient.ts`, registered here.
 */
import { _namespaceIsAmbient, _podMode, _serviceWaypoint, _useWaypoint as useWaypoint } from './_ambient-mode';
import { _KIALI_AMBIENT_RULES } from './_kiali-ambient';
import { RuleContext, selectorMatches } from './_mesh-index';
import { _apiGroup } from './_objects';
import type { _RuleDefinition } from './_rules';
import { ValidationSeverity } from './conformance';
import { _serviceFqdn } from '../_naming';
import { _field as field, _list as list, _namespaceOfDoc as nsOf, _text as text } from './_json';

/** One input of the engine (`_MeshInput`), as far as these rules read it. @internal */
export interface _AmbientInput {
  readonly doc: unknown;
}

/** The engine's reporter. @internal */
export type _AmbientReport<I extends _AmbientInput> = (input: I, rule: string, severity: ValidationSeverity, path: string, message: string) => void;

/** HTTP-only fields of `to[].operation` (ztunnel cannot see them). */
const HTTP_OPERATION_FIELDS = ['hosts', 'notHosts', 'methods', 'notMethods', 'paths', 'notPaths'];
/** HTTP-only fields of `from[].source`. */
const HTTP_SOURCE_FIELDS = ['remoteIpBlocks', 'notRemoteIpBlocks', 'requestPrincipals', 'notRequestPrincipals'];
/** The `when` keys ztunnel evaluates; every other key is an HTTP attribute. */
const L4_WHEN_KEYS = new Set(['source.ip', 'source.namespace', 'source.principal', 'destination.ip', 'destination.port']);

/** A pod (or pod template) of the input: its labels and annotations. @internal */
export interface _AmbientPod {
  readonly labels: Record<string, string>;
  readonly annotations: Record<string, string>;
}

/** What the ambient rules look up: Namespaces, Services and pods (from the engine), plus their own pass. */
export interface _AmbientIndex<I extends _AmbientInput> {
  /** Namespace name -> Namespace. */
  readonly namespaces: ReadonlyMap<string, I>;
  /** Service FQDN (`_serviceFqdn(name, ns)`) -> Service. */
  readonly services: ReadonlyMap<string, I>;
  /** Namespace -> the pods (and workloads' pod templates) of the input there. */
  readonly podsByNamespace?: ReadonlyMap<string, ReadonlyArray<_AmbientPod>>;
}

interface Context<I extends _AmbientInput> extends _AmbientIndex<I> {
  readonly report: _AmbientReport<I>;
  /** `ns/name` -> ServiceEntry. */
  readonly serviceEntries: Map<string, I>;
  /** `ns/name` -> Gateway API Gateway. */
  readonly gateways: Map<string, I>;
  /** The `spec.selector`s of Istio Gateways: the labels of gateway pods, which run an Envoy of their own. */
  readonly gatewayPodLabels: Array<{ [key: string]: unknown }>;
}

/** The rule function the engine runs (once). */
function checkAmbient(c: RuleContext): void {
  _ambientChecks(c.inputs, c.ix, c.report);
}

/** The ambient rules' definitions (registered in `_rules.ts`; README's table is generated from them). @internal */
export const _AMBIENT_RULES: readonly _RuleDefinition[] = [
  {
    id: 'IST0167',
    severity: ValidationSeverity.WARNING,
    mirrors: 'istioctl analyze `IneffectivePolicy` (Sidecar in ambient mode)',
    check: checkAmbient,
    catches: 'a Sidecar in a namespace the input labels `istio.io/dataplane-mode=ambient` (without `istio-injection=enabled` or `istio.io/rev`, which win): its pods run '
      + 'without a sidecar (a Sidecar with a `workloadSelector` is reported too, unless the input defines the pods it selects and each opts into injection by its own label)',
  },
  {
    id: 'MESH101',
    severity: ValidationSeverity.ERROR,
    mirrors: 'this library (istiod\'s ztunnel policy conversion: status "ztunnel does not support HTTP attributes")',
    check: checkAmbient,
    catches: 'in such an ambient namespace, a policy ztunnel enforces (no `targetRefs`) that needs HTTP: an AuthorizationPolicy with `hosts`, `methods`, `paths` (or their '
      + '`not` forms), `requestPrincipals`, `remoteIpBlocks` or a `when` key other than `source.ip`/`source.namespace`/`source.principal`/`destination.ip`/`destination.port` '
      + '(ztunnel drops such ALLOW rules and enforces such DENY rules without them), a CUSTOM or AUDIT action, or a RequestAuthentication. Policies selecting an Istio '
      + 'Gateway\'s pods are exempt (their own Envoy enforces them)',
  },
  {
    id: 'MESH102',
    severity: ValidationSeverity.ERROR,
    mirrors: 'this library (istiod attaches Service/ServiceEntry `targetRefs` only at waypoints)',
    check: checkAmbient,
    catches: 'an AuthorizationPolicy or RequestAuthentication attached (`targetRefs`) to a Service or ServiceEntry of the input that no waypoint serves: neither it nor '
      + 'its Namespace (in the input) carries `istio.io/use-waypoint`, it opts out (`none`), or its waypoint Gateway (in the input) is `istio.io/waypoint-for: workload`/`none`. '
      + 'Only waypoints take such policies; sidecars and ztunnel ignore them',
  },
  {
    id: 'MESH103',
    severity: ValidationSeverity.WARNING,
    mirrors: 'this library (istiod\'s listener condition for waypoints: `Expected a single listener on port 15008 with protocol "HBONE"`)',
    check: checkAmbient,
    catches: 'a waypoint (Gateway API Gateway of class `istio-waypoint`) with a listener other than port 15008, protocol `HBONE`: istiod marks the listener not Accepted (UnsupportedProtocol)',
  },
  // Kiali's ambient validations, with Istio's semantics (src/validation/_kiali-ambient.ts)
  ..._KIALI_AMBIENT_RULES,
];

/**
 * Runs the ambient rules.
 * @internal
 */
export function _ambientChecks<I extends _AmbientInput>(inputs: readonly I[], ix: _AmbientIndex<I>, report: _AmbientReport<I>): void {
  const c: Context<I> = { ...ix, report, serviceEntries: new Map(), gateways: new Map(), gatewayPodLabels: [] };
  const sidecars: I[] = [];
  const policies: I[] = [];
  for (const input of inputs) {
    const d = input.doc;
    const kind = field(d, 'kind');
    const group = _apiGroup(d);
    const key = `${nsOf(d)}/${text(field(d, 'metadata', 'name'))}`;
    const gatewaySelector = field(d, 'spec', 'selector');
    if (group === 'networking.istio.io' && kind === 'Sidecar') {sidecars.push(input);} else if (group === 'networking.istio.io' && kind === 'ServiceEntry') {c.serviceEntries.set(key, input);} else if (group === 'networking.istio.io' && kind === 'Gateway' && gatewaySelector && typeof gatewaySelector === 'object') {
      c.gatewayPodLabels.push(gatewaySelector as { [key: string]: unknown });
    } else if (group === 'gateway.networking.k8s.io' && kind === 'Gateway') {c.gateways.set(key, input);} else if (group === 'security.istio.io' && (kind === 'AuthorizationPolicy' || kind === 'RequestAuthentication')) {policies.push(input);}
  }
  for (const s of sidecars) checkSidecar(c, s);
  for (const g of c.gateways.values()) checkWaypointListeners(c, g);
  for (const p of policies) {
    if (selectsProxyPods(c, field(p.doc, 'spec', 'selector', 'matchLabels'))) continue; // a gateway's own Envoy enforces it
    const targetRefs = targetRefsOf(field(p.doc, 'spec'));
    if (targetRefs.length > 0) checkTargets(c, p, targetRefs);
    else if (field(p.doc, 'kind') === 'AuthorizationPolicy') checkZtunnelPolicy(c, p);
    else checkZtunnelJwt(c, p);
  }
}

/** MESH103: a waypoint's listeners are one on port 15008 with protocol HBONE (istiod's unexpectedWaypointListener). */
function checkWaypointListeners<I extends _AmbientInput>(c: Context<I>, gateway: I): void {
  if (field(gateway.doc, 'spec', 'gatewayClassName') !== 'istio-waypoint') return;
  list(field(gateway.doc, 'spec', 'listeners')).forEach((l, i) => {
    const port = field(l, 'port');
    const protocol = field(l, 'protocol');
    if (port === 15008 && protocol === 'HBONE') return;
    c.report(gateway, 'MESH103', ValidationSeverity.WARNING, `spec.listeners[${i}]`,
      `Expected a single listener on port 15008 with protocol "HBONE" (this one: port ${String(port)}, protocol ${String(protocol)}): istiod does not accept the listener of a waypoint otherwise. `
      + 'Fix: give the waypoint one listener { name: mesh, port: 15008, protocol: HBONE } (as `istioctl waypoint generate` writes it)');
  });
}

/** Whether the input defines pods the selector picks in `ns`, and every one of them gets a sidecar (by its own label or injected). */
function selectedPodsAllInjected<I extends _AmbientInput>(c: Context<I>, ns: string, selector: Record<string, unknown>, namespace: unknown): boolean {
  const nsLabels = (field(namespace, 'metadata', 'labels') ?? {}) as Record<string, string>;
  const pods = (c.podsByNamespace?.get(ns) ?? []).filter((p) => selectorMatches(selector, p.labels));
  return pods.length > 0 && pods.every((p) => _podMode(p.labels, p.annotations, nsLabels).sidecar !== undefined);
}

/** IST0167: a Sidecar in an ambient namespace (its pods have no sidecar). */
function checkSidecar<I extends _AmbientInput>(c: Context<I>, sidecar: I): void {
  const d = sidecar.doc;
  const ns = nsOf(d);
  const namespace = c.namespaces.get(ns);
  if (!namespace || !_namespaceIsAmbient(namespace.doc)) return;
  const selector = field(d, 'spec', 'workloadSelector', 'labels');
  const selected = selector !== null && typeof selector === 'object' && Object.keys(selector).length > 0;
  if (selected && selectedPodsAllInjected(c, ns, selector as Record<string, unknown>, namespace.doc)) return;
  c.report(sidecar, 'IST0167', ValidationSeverity.WARNING, selected ? 'spec.workloadSelector' : 'metadata.namespace', selected
    ? `The policy has no impact: namespace ${ns} is in ambient mode (istio.io/dataplane-mode=ambient), so the workloads this Sidecar selects run without a sidecar `
      + '(unless their pods opt into injection with the label sidecar.istio.io/inject: "true"). Fix: remove the Sidecar (ambient scopes nothing per client; ztunnel and waypoints '
      + 'use ServiceEntries), or suppress IST0167 for it when the selected pods are injected'
    : `The policy has no impact: namespace ${ns} is in ambient mode (istio.io/dataplane-mode=ambient), where pods run without a sidecar. `
      + 'Fix: remove the Sidecar, or enrol the namespace for sidecar injection (istio-injection=enabled) instead of ambient');
}

/** MESH101: a policy ztunnel enforces (no targetRefs, ambient namespace) with HTTP attributes or an action ztunnel lacks. */
function checkZtunnelPolicy<I extends _AmbientInput>(c: Context<I>, policy: I): void {
  const d = policy.doc;
  const ns = nsOf(d);
  const namespace = c.namespaces.get(ns);
  if (!namespace || !_namespaceIsAmbient(namespace.doc)) return;
  const action = text(field(d, 'spec', 'action')) ?? 'ALLOW';
  const waypoint = useWaypoint(namespace.doc, ns);
  const fix = waypoint
    ? `attach it to the waypoint with targetRefs (kind Service for one Service, or the waypoint Gateway "${waypoint.split('/')[1]}" for the namespace) instead of a selector`
    : `route namespace ${ns} through a waypoint (label it istio.io/use-waypoint=<waypoint> and deploy the waypoint) and attach the policy with targetRefs, or keep only sources, ports and source/destination conditions`;
  if (action === 'CUSTOM' || action === 'AUDIT') {
    c.report(policy, 'MESH101', ValidationSeverity.ERROR, 'spec.action',
      `ztunnel enforces this policy (namespace ${ns} is ambient and the policy has no targetRefs), and ztunnel does not support the ${action} action: the policy is not applied. Fix: ${fix}`);
    return;
  }
  const found: string[] = [];
  let firstPath: string | undefined;
  const note = (attribute: string, path: string) => {
    if (!found.includes(attribute)) found.push(attribute);
    firstPath ??= path;
  };
  list(field(d, 'spec', 'rules')).forEach((r, i) => {
    list(field(r, 'to')).forEach((t, j) => {
      for (const f of HTTP_OPERATION_FIELDS) if (list(field(t, 'operation', f)).length > 0) note(f, `spec.rules[${i}].to[${j}].operation.${f}`);
    });
    list(field(r, 'from')).forEach((s, j) => {
      for (const f of HTTP_SOURCE_FIELDS) if (list(field(s, 'source', f)).length > 0) note(f, `spec.rules[${i}].from[${j}].source.${f}`);
    });
    list(field(r, 'when')).forEach((w, j) => {
      const key = text(field(w, 'key'));
      if (key !== undefined && !L4_WHEN_KEYS.has(key)) note(key, `spec.rules[${i}].when[${j}].key`);
    });
  });
  if (found.length === 0) return;
  const effect = action === 'DENY'
    ? 'it enforces this DENY policy without its HTTP conditions, so it denies more than written'
    : 'it omits the ALLOW rules that use them, so the requests they allow are denied';
  c.report(policy, 'MESH101', ValidationSeverity.ERROR, firstPath!,
    `ztunnel enforces this policy (namespace ${ns} is ambient and the policy has no targetRefs), and ztunnel does not see HTTP attributes (found: ${found.join(', ')}): ${effect}. Fix: ${fix}`);
}

/** MESH101: a RequestAuthentication without targetRefs in an ambient namespace (ztunnel validates no JWT). */
function checkZtunnelJwt<I extends _AmbientInput>(c: Context<I>, ra: I): void {
  const ns = nsOf(ra.doc);
  const namespace = c.namespaces.get(ns);
  if (!namespace || !_namespaceIsAmbient(namespace.doc)) return;
  const waypoint = useWaypoint(namespace.doc, ns);
  c.report(ra, 'MESH101', ValidationSeverity.ERROR, field(ra.doc, 'spec', 'selector') ? 'spec.selector' : 'spec',
    `Namespace ${ns} is ambient and this RequestAuthentication has no targetRefs: ztunnel does not see HTTP, so no token is validated and request principals stay empty. `
    + `Fix: ${waypoint ? `attach it with targetRefs to a Service or to the waypoint Gateway "${waypoint.split('/')[1]}"` : `route namespace ${ns} through a waypoint (istio.io/use-waypoint) and attach it with targetRefs`}`);
}

/** MESH102: a policy attached to a Service or ServiceEntry that no waypoint serves (nothing enforces it). */
function checkTargets<I extends _AmbientInput>(c: Context<I>, policy: I, targetRefs: Array<{ ref: unknown; path: string }>): void {
  const ns = nsOf(policy.doc);
  const policyKind = text(field(policy.doc, 'kind'));
  for (const { ref: r, path } of targetRefs) {
    const ref = { group: text(field(r, 'group')) ?? '', kind: text(field(r, 'kind')), name: text(field(r, 'name')) };
    const group = ref.group;
    let target: I | undefined;
    if (ref.kind === 'Service' && (group === '' || group === 'core')) target = c.services.get(_serviceFqdn(String(ref.name), ns));
    else if (ref.kind === 'ServiceEntry' && group === 'networking.istio.io') target = c.serviceEntries.get(`${ns}/${ref.name}`);
    else continue; // Gateways and GatewayClasses are the proxies themselves
    if (!target) continue; // defined outside the input: its labels are unknown
    const what = `${ref.kind}/${ref.name}`;
    const served = _serviceWaypoint(target.doc, c.namespaces.get(ns)?.doc, what, (key) => c.gateways.get(key)?.doc);
    if (!served) continue; // the namespace's label is unknown
    if ('none' in served) {
      c.report(policy, 'MESH102', ValidationSeverity.ERROR, path,
        `${what} has no waypoint (${served.none}): only a waypoint enforces a policy attached to a ${ref.kind}; sidecars and ztunnel ignore it, so this ${policyKind} has no effect. `
        + `Fix: label namespace ${ns} (or the ${ref.kind}) istio.io/use-waypoint=<waypoint> and deploy that waypoint, or use a workload selector instead of targetRefs`);
      continue;
    }
    if (!served.takesServices) {
      c.report(policy, 'MESH102', ValidationSeverity.ERROR, path,
        `${what} uses waypoint ${served.waypoint}, which takes no service traffic (istio.io/waypoint-for: ${served.takes}): the ${ref.kind} is not bound to it, so nothing enforces this ${policyKind}. `
        + 'Fix: label the waypoint istio.io/waypoint-for=service (or all)');
    }
  }
}

/** A selector for gateway pods: an Istio Gateway's (its Envoy enforces HTTP), or a Gateway API Gateway's (ztunnel skips it). */
function selectsProxyPods<I extends _AmbientInput>(c: Context<I>, matchLabels: unknown): boolean {
  if (!matchLabels || typeof matchLabels !== 'object') return false;
  const wanted = Object.entries(matchLabels as { [key: string]: unknown });
  if (wanted.length === 0) return false;
  if (wanted.some(([k]) => k === 'gateway.networking.k8s.io/gateway-name' || k === 'istio.io/gateway-name')) return true;
  return c.gatewayPodLabels.some((pod) => wanted.every(([k, v]) => pod[k] === v));
}

/** `spec.targetRefs`, or the deprecated single `spec.targetRef`, with their paths. */
function targetRefsOf(spec: unknown): Array<{ ref: unknown; path: string }> {
  const refs = list(field(spec, 'targetRefs'));
  if (refs.length > 0) return refs.map((ref, i) => ({ ref, path: `spec.targetRefs[${i}]` }));
  const one = field(spec, 'targetRef');
  return one ? [{ ref: one, path: 'spec.targetRef' }] : [];
}
