/**
 * Kiali's ambient validations (KIA0109/0110, KIA0210-0212, KIA1109-1117, KIA1311-1317) with Istio 1.30's
 * semantics, not Kiali's approximations: what ztunnel ignores (VirtualServices, DestinationRules, Telemetry,
 * WasmPlugins), what waypoints take (only `targetRefs` policies; routes and DestinationRules from the
 * Service's or the waypoint's namespace), and pods whose sidecar and ambient labels contradict each other.
 * Codes whose problem another rule already reports (MESH101, MESH102) are answered in `_KIALI_AMBIENT_COVERAGE`.
 * Internal: one pass over the inputs, then one lookup per host, reference or pod (no all-pairs scans).
 *
 * Where the semantics come from (istio/istio 1.30.3; shared ambient semantics in `_ambient-mode.ts`):
 * - pilot/pkg/networking/core/listener_waypoint.go (`getVirtualServiceForWaypoint`): a waypoint applies the
 *   mesh VirtualServices (http, tls, tcp) of the Service's namespace or its own namespace only;
 * - pilot/pkg/model/push_context.go (`destinationRule`): a proxy takes DestinationRules from its own
 *   namespace, the Service's namespace, then the root namespace;
 * - ztunnel is configured by WDS (workloads, services, authorization) only: no routes, DestinationRules,
 *   Telemetry or Wasm;
 * - pilot/pkg/model/policyattachment.go (`ShouldAttachPolicy`): "waypoints never use selector"; a proxy of a
 *   Gateway API Gateway takes policies without targetRefs only by selector (not waypoints); Service targetRefs
 *   attach only at waypoints. WasmPlugins (translated to TrafficExtensions) and selector Telemetries follow it;
 *   pilot/pkg/model/telemetry.go (`applicableTelemetries`): a namespace-wide Telemetry applies to waypoints of
 *   that namespace and of the Services they serve.
 */
import { _PodMode, _USE_WAYPOINT, _labelsOf as labelsOf, _namespaceIsAmbient, _podMode, _serviceWaypoint, _useWaypoint, _waypointAdmits, _waypointFor } from './_ambient-mode';
import { _field as field, _list as list, _namespaceOfDoc as nsOf, _text as text } from './_json';
import { _KialiCoverage, kiali } from './_kiali-coverage';
import { RuleContext, _MeshInput, _Pod } from './_mesh-index';
import { _apiGroup } from './_objects';
import type { _RuleDefinition } from './_rules';
import { ValidationSeverity } from './conformance';
import { _resolveShortname } from '../_naming';

const W = ValidationSeverity.WARNING;
type Labels = { [key: string]: unknown };

interface Ctx {
  readonly c: RuleContext;
  /** `ns/name` -> Gateway API Gateway (waypoints among them). */
  readonly gateways: Map<string, _MeshInput>;
  /** Namespaces with Gateway API Gateways. */
  readonly gatewayNamespaces: Set<string>;
  /** `ns/name` -> ServiceEntry. */
  readonly serviceEntries: Map<string, _MeshInput>;
  /** Exact host -> the first ServiceEntry defining it. */
  readonly seHosts: Map<string, _MeshInput>;
  /** WasmPlugins and TrafficExtensions (Istio translates the former into the latter). */
  readonly wasmPlugins: _MeshInput[];
  /** The distinct `spec.selector`s of Istio Gateways (the labels of gateway pods). */
  readonly gatewaySelectors: Labels[];
  /** Namespaces whose waypoint the input shows (a waypoint Gateway there, or a Service labelled `istio.io/use-waypoint`). */
  readonly waypointNamespaces: Set<string>;
  /** The pods' modes, once per pod. */
  readonly modes: Map<_Pod, _PodMode>;
}

/** The rule function the engine runs (once). */
function checkKialiAmbient(c: RuleContext): void {
  const x: Ctx = {
    c,
    gateways: new Map(),
    gatewayNamespaces: new Set(),
    serviceEntries: new Map(),
    seHosts: new Map(),
    wasmPlugins: [],
    gatewaySelectors: gatewaySelectors(c),
    waypointNamespaces: new Set(),
    modes: new Map(),
  };
  for (const input of c.inputs) {
    const d = input.doc;
    const key = `${nsOf(d)}/${text(field(d, 'metadata', 'name'))}`;
    const kind = field(d, 'kind');
    const group = _apiGroup(d);
    if (group === 'gateway.networking.k8s.io' && kind === 'Gateway') {
      x.gateways.set(key, input);
      x.gatewayNamespaces.add(nsOf(d));
      if (field(d, 'spec', 'gatewayClassName') === 'istio-waypoint') x.waypointNamespaces.add(nsOf(d));
    } else if (group === 'networking.istio.io' && kind === 'ServiceEntry') {
      x.serviceEntries.set(key, input);
      for (const h of list(field(d, 'spec', 'hosts'))) if (typeof h === 'string' && !h.startsWith('*') && !x.seHosts.has(h)) x.seHosts.set(h, input);
    } else if (group === 'extensions.istio.io' && (kind === 'WasmPlugin' || kind === 'TrafficExtension')) {x.wasmPlugins.push(input);}
  }
  for (const svc of c.ix.services.values()) if (_useWaypoint(svc.doc, nsOf(svc.doc))) x.waypointNamespaces.add(nsOf(svc.doc));
  for (const vs of c.ix.virtualServices) checkVirtualService(x, vs);
  for (const dr of c.ix.destinationRules) checkDestinationRule(x, dr);
  for (const t of c.ix.telemetries) checkAttachment(x, t, true);
  for (const w of x.wasmPlugins) checkAttachment(x, w, false);
  checkWaypointLabels(x);
  for (const [ns, pods] of c.ix.podsByNamespace) for (const pod of pods) checkPod(x, ns, pod);
}

/** Kiali's ambient validations that Istio's semantics support (registered through `_AMBIENT_RULES`). @internal */
export const _KIALI_AMBIENT_RULES: readonly _RuleDefinition[] = [
  {
    id: 'KIA1113',
    severity: W,
    check: checkKialiAmbient,
    mirrors: 'Kiali KIA1113 (L7 VirtualService targets a service not enrolled to use a waypoint); answers KIA1109',
    catches: 'a mesh VirtualService (no `gateways`, or `mesh`) with `http`, `tls` or `tcp` routes for a Service or ServiceEntry of the input in an ambient namespace that no waypoint serves '
      + '(no `istio.io/use-waypoint` on it or its Namespace, `none`, or a waypoint with `istio.io/waypoint-for: workload`): ztunnel applies no VirtualService, so only sidecar clients route by it',
  },
  {
    id: 'KIA1114',
    severity: W,
    check: checkKialiAmbient,
    mirrors: 'Kiali KIA1114 (L7 VirtualService should be in the same namespace as the Ambient destination service)',
    catches: 'such a VirtualService for an ambient Service or ServiceEntry that a waypoint serves, in a namespace that is neither its nor the waypoint\'s: the waypoint ignores it',
  },
  {
    id: 'KIA0211',
    severity: W,
    check: checkKialiAmbient,
    mirrors: 'Kiali KIA0211 (L7 DestinationRule targets a service not enrolled to use a waypoint); answers KIA0210',
    catches: 'a DestinationRule (without `workloadSelector`) with `loadBalancer`, `connectionPool` or `outlierDetection` (top level, port level or in a subset) for an ambient Service or '
      + 'ServiceEntry of the input that no waypoint serves: ztunnel applies no DestinationRule, so only sidecar clients apply them (Kiali counts only HTTP settings; ztunnel applies TCP ones neither)',
  },
  {
    id: 'KIA0212',
    severity: W,
    check: checkKialiAmbient,
    mirrors: 'Kiali KIA0212 (L7 DestinationRule should be in the same namespace as the Ambient destination service)',
    catches: 'such a DestinationRule (or one with `subsets`) for an ambient Service or ServiceEntry that a waypoint serves, in a namespace that is neither its, the waypoint\'s nor the root '
      + 'namespace: the waypoint does not look it up',
  },
  {
    id: 'KIA1116',
    severity: W,
    check: checkKialiAmbient,
    mirrors: 'Kiali KIA1116 (WasmPlugin in Ambient requires targetRefs)',
    catches: 'a WasmPlugin (or TrafficExtension, which Istio 1.30 translates it into) without `targetRefs` in an ambient namespace (not the root namespace): waypoints never take it and ztunnel runs no Wasm. Not reported when its selector '
      + 'selects gateway pods or pods of the input that run a sidecar, or (namespace-wide) when the namespace has such pods (pod templates are read by all three checkers)',
  },
  {
    id: 'KIA1111',
    severity: W,
    check: checkKialiAmbient,
    mirrors: 'Kiali KIA1111 (WasmPlugin in Ambient namespace requires waypoint enrollment)',
    catches: 'a WasmPlugin or TrafficExtension attached (`targetRefs`) to a Service or ServiceEntry of the input that no waypoint serves: only waypoints take such plugins',
  },
  {
    id: 'KIA1117',
    severity: W,
    check: checkKialiAmbient,
    mirrors: 'Kiali KIA1117 (L7 Telemetry in Ambient requires targetRefs), for selector Telemetries only',
    catches: 'a Telemetry with a `selector` in an ambient namespace whose selected pods (in the input; CLI and plugin) run no sidecar and are no gateway: waypoints never take a selector and ztunnel '
      + 'reads no Telemetry. A namespace-wide Telemetry is not reported here (Istio applies it to the namespace\'s waypoints, unlike Kiali\'s rule)',
  },
  {
    id: 'KIA1112',
    severity: W,
    check: checkKialiAmbient,
    mirrors: 'Kiali KIA1112 (L7 Telemetry in Ambient namespace requires waypoint enrollment)',
    catches: 'a Telemetry attached (`targetRefs`) to a Service or ServiceEntry of the input that no waypoint serves, or a namespace-wide Telemetry with `metrics`, `tracing` or '
      + '`accessLogging` in an ambient namespace (not the root namespace) where the input shows no waypoint (no `istio.io/use-waypoint` on the Namespace or its Services, no '
      + '`istio-waypoint` Gateway) and no pod with a sidecar (pods: CLI and plugin, as for KIA1116)',
  },
  {
    id: 'KIA1313',
    severity: W,
    check: checkKialiAmbient,
    mirrors: 'Kiali KIA1313 (annotated waypoint does not exist or is misconfigured), for Namespaces, Services, ServiceEntries and pods',
    catches: 'an `istio.io/use-waypoint` label naming a waypoint Gateway the input does not define while it defines that Namespace or other Gateways in it (declare one made by '
      + '`istioctl waypoint apply` external: `declareExternalGateways`, `--external-gateway ns/name`), a waypoint that does not take the object\'s traffic (`istio.io/waypoint-for`: a Service\'s own label needs `service`/`all`, a pod\'s '
      + '`workload`/`all`), or one in another namespace whose HBONE listener (port 15008) does not admit the object\'s namespace (`allowedRoutes` defaults to Same): the traffic skips the waypoint',
  },
  {
    id: 'KIA1311',
    severity: W,
    check: checkKialiAmbient,
    mirrors: 'Kiali KIA1311 (workload has both sidecar and Ambient label); answers KIA1314 in manifests',
    catches: 'a pod (Pod or workload template) labelled `istio.io/dataplane-mode: ambient` that the injector gives a sidecar (its namespace\'s `istio-injection: enabled`/`istio.io/rev`, '
      + 'or its own `sidecar.istio.io/inject: "true"`/`istio.io/rev`): istio-cni does not capture pods with a sidecar, so the ambient label has no effect (both labels on the Namespace: IST0123)',
  },
  {
    id: 'KIA1315',
    severity: W,
    check: checkKialiAmbient,
    mirrors: 'Kiali KIA1315 (pod with both a sidecar container and ambient labels)',
    catches: 'a pod already injected (the `sidecar.istio.io/status` annotation `istioctl kube-inject` writes with the `istio-proxy` container) while it or its namespace is labelled ambient: '
      + 'istio-cni skips it, so it stays a sidecar pod',
  },
  {
    id: 'KIA1316',
    severity: W,
    check: checkKialiAmbient,
    mirrors: 'Kiali KIA1316 (workload has a sidecar but is in an Ambient-enabled namespace)',
    catches: 'a pod in an ambient namespace that opts into a sidecar by its own label (`sidecar.istio.io/inject: "true"` or `istio.io/rev`) without saying it leaves ambient '
      + '(`istio.io/dataplane-mode: none`): it runs as a sidecar pod, outside ztunnel and the namespace\'s waypoint',
  },
  {
    id: 'KIA1312',
    severity: W,
    check: checkKialiAmbient,
    mirrors: 'Kiali KIA1312 (workload has waypoint labels but is not in Ambient)',
    catches: 'a pod labelled `istio.io/use-waypoint` that is not ambient (it runs a sidecar, is labelled `istio.io/dataplane-mode: none`, or its namespace in the input is not ambient): the label has no effect',
  },
];

/** Which waypoint serves a Service or ServiceEntry: `{ waypoint }`, `{ none: why }`, or undefined (its namespace's label is unknown). */
function serviceWaypoint(x: Ctx, target: _MeshInput, what: string): { waypoint: string } | { none: string } | undefined {
  const served = _serviceWaypoint(target.doc, x.c.ix.namespaces.get(nsOf(target.doc))?.doc, what, (key) => x.gateways.get(key)?.doc);
  if (!served || 'none' in served || served.takesServices) return served;
  return { none: `its waypoint ${served.waypoint} takes no service traffic (istio.io/waypoint-for: ${served.takes})` };
}

function ambientNamespace(x: Ctx, ns: string): boolean {
  const namespace = x.c.ix.namespaces.get(ns);
  return namespace !== undefined && _namespaceIsAmbient(namespace.doc);
}

const waypointFix = (kind: string) => `label the ${kind} (or its namespace) istio.io/use-waypoint=<waypoint> and deploy that waypoint (a Gateway of class istio-waypoint)`;

/** The Service (by its FQDN) or ServiceEntry (by one of its hosts) of the input that `host` names, in an ambient namespace. */
function ambientDestination(x: Ctx, host: string, ns: string): { target: _MeshInput; kind: string; what: string } | undefined {
  const svc = x.c.ix.services.get(_resolveShortname(host, ns));
  const target = svc ?? x.seHosts.get(host);
  if (!target || !ambientNamespace(x, nsOf(target.doc))) return undefined;
  const kind = svc ? 'Service' : 'ServiceEntry';
  return { target, kind, what: `${kind} ${nsOf(target.doc)}/${text(field(target.doc, 'metadata', 'name'))}` };
}

/** KIA1113, KIA1114: a mesh VirtualService for an ambient Service without a waypoint, or outside the namespaces its waypoint reads. */
function checkVirtualService(x: Ctx, vs: _MeshInput): void {
  const spec = field(vs.doc, 'spec');
  const gateways = list(field(spec, 'gateways'));
  if (gateways.length > 0 && !gateways.includes('mesh')) return;
  if (!['http', 'tls', 'tcp'].some((k) => list(field(spec, k)).length > 0)) return;
  const own = nsOf(vs.doc);
  const seen = new Set<_MeshInput>();
  list(field(spec, 'hosts')).forEach((h, i) => {
    const dest = typeof h === 'string' ? ambientDestination(x, h, own) : undefined;
    if (!dest || seen.has(dest.target)) return;
    seen.add(dest.target);
    const { what, kind } = dest;
    const served = serviceWaypoint(x, dest.target, what);
    if (!served) return;
    if ('none' in served) {
      x.c.report(vs, 'KIA1113', W, `spec.hosts[${i}]`,
        `${what} is in an ambient namespace and has no waypoint (${served.none}): ztunnel applies no VirtualService, so these routes apply only to clients with a sidecar; `
        + `ambient clients reach the ${kind} unrouted. Fix: ${waypointFix(kind)}`);
      return;
    }
    const [wpNs] = served.waypoint.split('/');
    const destNs = nsOf(dest.target.doc);
    if (own !== destNs && own !== wpNs) {
      x.c.report(vs, 'KIA1114', W, `spec.hosts[${i}]`,
        `${what} is served by waypoint ${served.waypoint}, which applies only VirtualServices in the ${kind}'s namespace (${destNs}) or its own (${wpNs}): it ignores this one in ${own}, `
        + `so only sidecar clients route by it. Fix: move the VirtualService to namespace ${destNs}`);
    }
  });
}

/** The first DestinationRule setting only an Envoy applies (load balancing, connection pool, outlier detection), with its path. */
function envoySetting(spec: unknown): string | undefined {
  const inPolicy = (tp: unknown, at: string): string | undefined => {
    for (const f of ['loadBalancer', 'connectionPool', 'outlierDetection']) if (field(tp, f) !== undefined) return `${at}.${f}`;
    let found: string | undefined;
    list(field(tp, 'portLevelSettings')).forEach((p, i) => { found ??= inPolicy(p, `${at}.portLevelSettings[${i}]`); });
    return found;
  };
  let found = inPolicy(field(spec, 'trafficPolicy'), 'spec.trafficPolicy');
  list(field(spec, 'subsets')).forEach((s, i) => { found ??= inPolicy(field(s, 'trafficPolicy'), `spec.subsets[${i}].trafficPolicy`); });
  return found;
}

/** KIA0211, KIA0212: a DestinationRule for an ambient Service without a waypoint, or outside the namespaces its waypoint reads. */
function checkDestinationRule(x: Ctx, dr: _MeshInput): void {
  const spec = field(dr.doc, 'spec');
  const host = text(field(spec, 'host'));
  if (!host || field(spec, 'workloadSelector') !== undefined) return; // a workloadSelector scopes it to sidecar clients
  const setting = envoySetting(spec);
  if (!setting && list(field(spec, 'subsets')).length === 0) return;
  const own = nsOf(dr.doc);
  const dest = ambientDestination(x, host, own);
  if (!dest) return;
  const { what, kind } = dest;
  const svcNs = nsOf(dest.target.doc);
  const served = serviceWaypoint(x, dest.target, what);
  if (!served) return;
  if ('none' in served) {
    if (setting) {
      x.c.report(dr, 'KIA0211', W, setting,
        `${what} is in an ambient namespace and has no waypoint (${served.none}): ztunnel applies no DestinationRule, so ${setting.split('.').pop()} applies only to clients with a sidecar. `
        + `Fix: ${waypointFix(kind)}`);
    }
    return;
  }
  const wpNs = served.waypoint.split('/')[0];
  if (own !== svcNs && own !== wpNs && own !== x.c.root) {
    x.c.report(dr, 'KIA0212', W, 'spec.host',
      `${what} is served by waypoint ${served.waypoint}, which looks up DestinationRules in its own namespace (${wpNs}), the ${kind}'s (${svcNs}) and the root namespace (${x.c.root}): `
      + `it ignores this one in ${own}, so only sidecar clients in ${own} apply it. Fix: move the DestinationRule to namespace ${svcNs}`);
  }
}

/** `spec.targetRefs`, or the deprecated single `spec.targetRef`, with their paths. */
function targetRefsOf(spec: unknown): Array<{ ref: unknown; path: string }> {
  const refs = list(field(spec, 'targetRefs'));
  if (refs.length > 0) return refs.map((ref, i) => ({ ref, path: `spec.targetRefs[${i}]` }));
  const one = field(spec, 'targetRef');
  return one ? [{ ref: one, path: 'spec.targetRef' }] : [];
}

function modeOf(x: Ctx, pod: _Pod): _PodMode {
  let mode = x.modes.get(pod);
  if (!mode) {
    const namespace = x.c.ix.namespaces.get(nsOf(pod.input.doc));
    mode = _podMode(pod.labels, pod.annotations, namespace ? labelsOf(namespace.doc) : undefined);
    x.modes.set(pod, mode);
  }
  return mode;
}

/** Pods of `ns` in the input that run an Envoy (a sidecar) and match `selector` (every pod when undefined). */
function envoyPods(x: Ctx, ns: string, selector?: Labels): boolean {
  return (x.c.ix.podsByNamespace.get(ns) ?? []).some((p) => modeOf(x, p).sidecar !== undefined
    && (!selector || within(selector, p.labels)));
}

/** The distinct selectors of the input's Istio Gateways (a few; read once). */
function gatewaySelectors(c: RuleContext): Labels[] {
  const distinct = new Map<string, Labels>();
  for (const gw of c.ix.gateways.values()) {
    const selector = field(gw.doc, 'spec', 'selector');
    if (selector && typeof selector === 'object' && Object.keys(selector).length > 0) distinct.set(JSON.stringify(selector), selector as Labels);
  }
  return [...distinct.values()];
}

const within = (small: Labels, big: Labels) => Object.entries(small).every(([k, v]) => big[k] === v);

/** A policy selector for gateway pods: Gateway API gateway pods, or an Istio Gateway's (their own Envoy). */
function selectsGatewayPods(x: Ctx, selector: Labels): boolean {
  if ('gateway.networking.k8s.io/gateway-name' in selector || 'istio.io/gateway-name' in selector) return true;
  return x.gatewaySelectors.some((pod) => within(selector, pod));
}

/** KIA1111/KIA1112 (attached to a Service without waypoint, or namespace-wide without one), KIA1116/KIA1117 (no targetRefs). */
function checkAttachment(x: Ctx, obj: _MeshInput, telemetry: boolean): void {
  const kind = String(field(obj.doc, 'kind'));
  const spec = field(obj.doc, 'spec');
  const ns = nsOf(obj.doc);
  const refs = targetRefsOf(spec);
  if (refs.length > 0) {
    checkAttachedTargets(x, obj, telemetry, refs);
    return;
  }
  if (ns === x.c.root || !ambientNamespace(x, ns)) return;
  const matchLabels = field(spec, 'selector', 'matchLabels');
  const selector = matchLabels && typeof matchLabels === 'object' && Object.keys(matchLabels).length > 0 ? matchLabels as Labels : undefined;
  const noTargets = telemetry ? 'KIA1117' : 'KIA1116';
  const does = telemetry ? 'reads no Telemetry' : 'runs no Wasm or Lua';
  if (selector) {
    if (selectsGatewayPods(x, selector) || envoyPods(x, ns, selector)) return;
    x.c.report(obj, noTargets, W, 'spec.selector',
      `Namespace ${ns} is ambient: the pods this ${kind} selects run without a sidecar, waypoints never take a ${kind} by selector, and ztunnel ${does}, so it has no effect. `
      + 'Fix: attach it with targetRefs to the Service (kind Service) or to the waypoint Gateway, served by a waypoint');
    return;
  }
  if (envoyPods(x, ns)) return;
  if (!telemetry) {
    x.c.report(obj, 'KIA1116', W, 'spec',
      `Namespace ${ns} is ambient and this ${kind} has neither targetRefs nor a selector: waypoints never take a ${kind} without targetRefs and ztunnel ${does}, so it has no effect. `
      + 'Fix: attach it with targetRefs to the Service (kind Service) or to the waypoint Gateway, served by a waypoint');
  } else if (['metrics', 'tracing', 'accessLogging'].some((k) => list(field(spec, k)).length > 0) && !x.waypointNamespaces.has(ns) && !_useWaypoint(x.c.ix.namespaces.get(ns)?.doc, ns)) {
    x.c.report(obj, 'KIA1112', W, 'spec',
      `Namespace ${ns} is ambient and the input shows no waypoint for it (no istio.io/use-waypoint on the Namespace or its Services, no istio-waypoint Gateway): `
      + `ztunnel reads no Telemetry, so this namespace-wide Telemetry applies to no proxy. Fix: label namespace ${ns} istio.io/use-waypoint=<waypoint> and deploy that waypoint `
      + '(or declare where it is; suppress KIA1112 when the waypoint is managed elsewhere)');
  }
}

/** KIA1111, KIA1112: a Telemetry or WasmPlugin attached to a Service or ServiceEntry of the input that no waypoint serves. */
function checkAttachedTargets(x: Ctx, obj: _MeshInput, telemetry: boolean, refs: Array<{ ref: unknown; path: string }>): void {
  const ns = nsOf(obj.doc);
  const kind = String(field(obj.doc, 'kind'));
  for (const { ref, path } of refs) {
    const group = text(field(ref, 'group')) ?? '';
    const refKind = text(field(ref, 'kind'));
    const name = text(field(ref, 'name'));
    let target: _MeshInput | undefined;
    if (refKind === 'Service' && (group === '' || group === 'core')) target = x.c.ix.services.get(_resolveShortname(String(name), ns));
    else if (refKind === 'ServiceEntry' && group === 'networking.istio.io') target = x.serviceEntries.get(`${ns}/${name}`);
    if (!target) continue;
    const served = serviceWaypoint(x, target, `${refKind}/${name}`);
    if (!served || !('none' in served)) continue;
    x.c.report(obj, telemetry ? 'KIA1112' : 'KIA1111', W, path,
      `${refKind}/${name} has no waypoint (${served.none}): only a waypoint applies a ${kind} attached to a ${refKind}; sidecars and ztunnel ignore it, so it has no effect. `
      + `Fix: label namespace ${ns} (or the ${refKind}) istio.io/use-waypoint=<waypoint> and deploy that waypoint, or use a selector for sidecar workloads`);
  }
}

/** KIA1313 for Namespaces, Services and ServiceEntries labelled `istio.io/use-waypoint`. */
function checkWaypointLabels(x: Ctx): void {
  for (const namespace of x.c.ix.namespaces.values()) {
    const ns = text(field(namespace.doc, 'metadata', 'name')) ?? '';
    const wp = _useWaypoint(namespace.doc, ns);
    if (wp) checkWaypointRef(x, namespace, wp, ns, undefined);
  }
  for (const target of [...x.c.ix.services.values(), ...x.serviceEntries.values()]) {
    const wp = _useWaypoint(target.doc, nsOf(target.doc));
    if (wp) checkWaypointRef(x, target, wp, nsOf(target.doc), 'service');
  }
}

/** KIA1313: the waypoint `key` an object names is missing, takes other traffic, or does not admit the object's namespace. */
function checkWaypointRef(x: Ctx, obj: _MeshInput, key: string, objNs: string, traffic: 'service' | 'workload' | undefined, labelsPath = 'metadata.labels'): void {
  const path = `${labelsPath}["${_USE_WAYPOINT}"]`;
  const gateway = x.gateways.get(key);
  const [wpNs, wpName] = key.split('/');
  if (!gateway) {
    // as for route parents (MESH405): decided where the input defines the namespace or other Gateways in it
    const known = x.c.ix.namespaces.has(wpNs) || x.gatewayNamespaces.has(wpNs);
    if (!known || (x.c.options.externalGateways?.has(key) ?? false)) return;
    x.c.report(obj, 'KIA1313', W, path,
      `Waypoint ${key} is not defined in the input (which defines namespace ${wpNs}): Istio finds no waypoint, so the traffic skips it and no L7 policy or route applies. `
      + `Fix: add the waypoint (a Gateway ${wpName} of class istio-waypoint in ${wpNs}), correct the label, or declare it external when istioctl waypoint apply creates it `
      + `(MeshValidation.declareExternalGateways(['${key}']), --external-gateway ${key})`);
    return;
  }
  const takes = _waypointFor(gateway.doc);
  if (traffic && takes !== traffic && takes !== 'all') {
    x.c.report(obj, 'KIA1313', W, path,
      `Waypoint ${key} takes ${takes} traffic (istio.io/waypoint-for: ${takes}), not ${traffic} traffic: Istio does not bind this ${traffic === 'service' ? 'Service' : 'workload'} to it, so its traffic skips the waypoint. `
      + `Fix: label the waypoint istio.io/waypoint-for=${traffic === 'service' ? 'service' : 'workload'} (or all), or name another waypoint`);
    return;
  }
  if (_waypointAdmits(gateway.doc, objNs, x.c.ix.namespaces.get(objNs)?.doc) === false) {
    x.c.report(obj, 'KIA1313', W, path,
      `Waypoint ${key} does not admit namespace ${objNs}: its HBONE listener (port 15008) allows attachment from its own namespace only (allowedRoutes.namespaces; Istio's default is Same), `
      + `so Istio denies the attachment and the traffic skips the waypoint. Fix: set allowedRoutes.namespaces.from: All (or a Selector matching ${objNs}) on that listener, or use a waypoint in ${objNs}`);
  }
}

/** Pods of gateways (Istio's gateway injection template, Gateway API gateways, waypoints) are proxies themselves. */
function isGatewayPod(x: Ctx, pod: _Pod): boolean {
  return 'gateway.networking.k8s.io/gateway-name' in pod.labels || pod.annotations['inject.istio.io/templates'] !== undefined
    || x.gatewaySelectors.some((selector) => within(selector, pod.labels));
}

/** KIA1311, KIA1315, KIA1316 (sidecar and ambient labels), KIA1312 (waypoint label on a non-ambient pod), KIA1313 (its waypoint). */
function checkPod(x: Ctx, ns: string, pod: _Pod): void {
  if (isGatewayPod(x, pod)) return;
  const mode = modeOf(x, pod);
  const label = (k: string) => `${pod.path}.labels["${k}"]`;
  const dataplane = 'istio.io/dataplane-mode';
  let conflict = true;
  if (mode.sidecar === 'manual' && mode.ambientLabelled) {
    x.c.report(pod.input, 'KIA1315', W, mode.podDataplane === 'ambient' ? label(dataplane) : pod.path,
      `The pod already has a sidecar (the sidecar.istio.io/status annotation and istio-proxy container of istioctl kube-inject) and ${mode.podDataplane === 'ambient' ? 'is labelled' : `namespace ${ns} is`} `
      + 'istio.io/dataplane-mode: ambient: istio-cni does not capture pods with a sidecar, so it stays a sidecar pod. Fix: remove the injected sidecar (deploy the manifest without kube-inject), '
      + 'or label the pod istio.io/dataplane-mode: none');
  } else if (mode.sidecar === 'webhook' && mode.podDataplane === 'ambient') {
    x.c.report(pod.input, 'KIA1311', W, label(dataplane),
      `The pod is labelled istio.io/dataplane-mode: ambient, and Istio injects a sidecar into it (${mode.sidecarByPod ? 'its own sidecar.istio.io/inject or istio.io/rev label' : `namespace ${ns}'s injection label`}): `
      + 'istio-cni does not capture pods with a sidecar, so the ambient label has no effect. Fix: remove one of the two: the ambient label, or the injection (sidecar.istio.io/inject: "false")');
  } else if (mode.sidecar === 'webhook' && mode.sidecarByPod && mode.podDataplane === undefined && ambientNamespace(x, ns)) {
    x.c.report(pod.input, 'KIA1316', W, label(pod.labels['sidecar.istio.io/inject'] === 'true' ? 'sidecar.istio.io/inject' : 'istio.io/rev'),
      `Namespace ${ns} is ambient, and this pod opts into a sidecar by its own label: it runs as a sidecar pod, outside ztunnel and the namespace's waypoint. `
      + 'Fix: remove the injection label to keep the pod in ambient, or label it istio.io/dataplane-mode: none to state that it leaves ambient');
  } else {
    conflict = false;
  }
  const wp = _useWaypoint({ metadata: { labels: pod.labels } }, ns);
  if (!wp || conflict) return;
  const ambient = mode.sidecar === undefined && mode.ambientLabelled;
  if (ambient) {
    checkWaypointRef(x, pod.input, wp, ns, 'workload', `${pod.path}.labels`);
  } else if (mode.sidecar !== undefined || mode.podDataplane !== undefined || x.c.ix.namespaces.has(ns)) {
    x.c.report(pod.input, 'KIA1312', W, label(_USE_WAYPOINT),
      `The pod names waypoint ${wp} but is not in ambient mode (${mode.sidecar ? 'it runs a sidecar' : mode.podDataplane === 'none' ? 'it is labelled istio.io/dataplane-mode: none' : `namespace ${ns} is not ambient`}): `
      + 'only ztunnel sends a workload\'s traffic to its waypoint, so the label has no effect. Fix: enrol the pod in ambient (istio.io/dataplane-mode: ambient, without a sidecar), or remove the label');
  }
}

/** How each of Kiali's ambient codes is answered. @internal */
export const _KIALI_AMBIENT_COVERAGE: readonly _KialiCoverage[] = [
  kiali('KIA0109', 'L7 AuthorizationPolicy in Ambient namespace requires waypoint enrollment (istio.io/use-waypoint)', ['MESH101', 'MESH102'],
    'without targetRefs ztunnel enforces it and drops (ALLOW) or widens (DENY) its HTTP rules: MESH101, whose fix is the waypoint; attached to a Service no waypoint serves: MESH102. '
    + 'Istio\'s HTTP attributes include `remoteIpBlocks` and every `when` key but the five L4 ones (Kiali checks fewer)'),
  kiali('KIA0110', 'L7 AuthorizationPolicy in Ambient requires targetRefs to a Service or Gateway; selector policies are ignored by waypoints', ['MESH101'],
    'a policy without targetRefs in an ambient namespace goes to ztunnel, which cannot evaluate HTTP attributes; policies selecting gateway pods are exempt (their own Envoy enforces them)'),
  kiali('KIA0210', 'L7 DestinationRule features in Ambient namespace require waypoint enrollment (istio.io/use-waypoint)', ['KIA0211'],
    'Istio decides by the destination Service\'s waypoint, not the DestinationRule\'s namespace: reported as KIA0211 when the input defines the Service; an unknown host needs the cluster'),
  kiali('KIA0211', 'L7 DestinationRule targets a service not enrolled to use a waypoint (istio.io/use-waypoint)', ['KIA0211'],
    'also load balancing and TCP connection pools (ztunnel applies no DestinationRule); not DestinationRules with a `workloadSelector` (sidecar clients only)'),
  kiali('KIA0212', 'L7 DestinationRule should be in the same namespace as the Ambient destination service to take effect', ['KIA0212'],
    'the waypoint also reads its own namespace and the root namespace (Istio\'s DestinationRule lookup), which are not reported'),
  kiali('KIA1109', 'L7 VirtualService for mesh traffic in Ambient namespace requires waypoint enrollment (istio.io/use-waypoint)', ['KIA1113'],
    'Istio decides by the destination Service\'s waypoint, not the VirtualService\'s namespace: reported as KIA1113 when the input defines the Service; an unknown host needs the cluster'),
  kiali('KIA1110', 'RequestAuthentication in Ambient namespace requires waypoint enrollment (istio.io/use-waypoint)', ['MESH101', 'MESH102'],
    'without targetRefs (ztunnel validates no JWT): MESH101; attached to a Service no waypoint serves: MESH102'),
  kiali('KIA1111', 'WasmPlugin in Ambient namespace requires waypoint enrollment (istio.io/use-waypoint)', ['KIA1111'],
    'for targetRefs to a Service or ServiceEntry of the input; a WasmPlugin without targetRefs is KIA1116 (waypoints never take it, enrolled or not)'),
  kiali('KIA1112', 'L7 Telemetry in Ambient namespace requires waypoint enrollment (istio.io/use-waypoint)', ['KIA1112'],
    'targetRefs to a Service without waypoint, and namespace-wide Telemetries where the input shows no waypoint and no sidecar pod; metrics count too (ztunnel reads no Telemetry)'),
  kiali('KIA1113', 'L7 VirtualService targets a service not enrolled to use a waypoint (istio.io/use-waypoint)', ['KIA1113'],
    'also TCP routes (waypoints apply `tcp` routes; ztunnel none) and ServiceEntry hosts (egress waypoints); a waypoint with `istio.io/waypoint-for: workload` serves no Service'),
  kiali('KIA1114', 'L7 VirtualService should be in the same namespace as the Ambient destination service to take effect', ['KIA1114'],
    'the waypoint also reads VirtualServices of its own namespace (Istio\'s `getVirtualServiceForWaypoint`), which are not reported'),
  kiali('KIA1115', 'RequestAuthentication in Ambient requires targetRefs to a Service or Gateway; selector policies are ignored by waypoints', ['MESH101'],
    'a RequestAuthentication without targetRefs in an ambient namespace: no token is validated (ztunnel); gateway pods exempt'),
  kiali('KIA1116', 'WasmPlugin in Ambient requires targetRefs to a Service or Gateway; selector policies are ignored by waypoints', ['KIA1116'],
    'not when the selector selects gateway or sidecar pods of the input (they run it)'),
  kiali('KIA1117', 'L7 Telemetry in Ambient requires targetRefs to a Service or Gateway; selector policies are ignored by waypoints', ['KIA1117'],
    'selector Telemetries only: Istio applies a namespace-wide Telemetry to the namespace\'s waypoints (Kiali reports it)'),
  kiali('KIA1311', 'This workload has both sidecar and Ambient label', ['KIA1311', 'IST0123'],
    'a warning (the sidecar wins; Istio accepts it); both labels on the Namespace are istioctl\'s IST0123'),
  kiali('KIA1312', 'This workload has waypoint labels but is not in Ambient', ['KIA1312'],
    'the pod\'s own label; a Namespace\'s `istio.io/use-waypoint` still serves its Services for sidecar clients and is not reported'),
  kiali('KIA1313', 'This workload has annotated waypoint but it does not exist or is misconfigured', ['KIA1313'],
    'decided when the input defines the waypoint\'s namespace (a waypoint made by `istioctl waypoint apply` is declared with `--external-gateway`); also Namespaces, Services and ServiceEntries'),
  kiali('KIA1314', 'This workload has a sidecar label and ambient redirection', [],
    'needs the cluster: `ambient.istio.io/redirection` is set by istio-cni on running pods; the manifest form (ambient and injection labels on one pod) is KIA1311'),
  kiali('KIA1315', 'This workload has a pod with both a sidecar container and ambient labels', ['KIA1315'],
    'decided by the `sidecar.istio.io/status` annotation of an injected manifest (istioctl kube-inject), which istio-cni tests; an `istio-proxy` container alone (a gateway) is not a sidecar'),
  kiali('KIA1316', 'This workload has a sidecar but is in an Ambient-enabled namespace', ['KIA1316'],
    'a pod opting into injection by its own label; not when it also says `istio.io/dataplane-mode: none` (the documented way to leave ambient)'),
  kiali('KIA1317', 'This workload has L7 Authorization Policies but no Waypoint', ['MESH101', 'MESH102'],
    'reported once, on the policy (one problem, one finding): selector policies with HTTP attributes in an ambient namespace (MESH101), Service targetRefs without waypoint (MESH102)'),
];
