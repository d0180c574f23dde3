/**
 * Istio 1.30's ambient-mode semantics that several mesh rules read (`_ambient-rules.ts`, `_kiali-ambient.ts`):
 * which namespaces and pods are ambient, which get a sidecar, and which waypoint serves an object.
 * Internal; each function reads one or two objects (no scans).
 *
 * Where the semantics come from (istio/istio 1.30.3):
 * - pkg/config/analysis/analyzers/util/in_mesh.go (`NamespaceInAmbientMode`): `istio.io/dataplane-mode:
 *   ambient`, unless sidecar injection (`istio-injection: enabled` or `istio.io/rev`) wins;
 * - manifests/charts/istio-cni/values.yaml (`ambient.enablementSelectors`) and cni/pkg/util/enablement_selector.go:
 *   a pod is captured when it or its namespace is labelled `istio.io/dataplane-mode: ambient` (the pod's `none`
 *   opts out), and never when it has a sidecar (annotation `sidecar.istio.io/status`: "Ztunnel and sidecar for a
 *   single pod is currently not supported"; the injector also skips pods that carry it);
 * - pkg/kube/inject/inject.go (`injectRequired`) and the injector's webhooks (istio-discovery chart): a pod gets a
 *   sidecar in a namespace labelled `istio-injection: enabled` or `istio.io/rev`, or by its own label
 *   `sidecar.istio.io/inject: "true"` / `istio.io/rev`; the pod's `sidecar.istio.io/inject: "false"` opts out;
 * - pilot/pkg/serviceregistry/ambient/waypoints.go (`fetchWaypointForTarget`, `getUseWaypoint`,
 *   `fetchWaypointForService`, `fetchWaypointForWorkload`, `makeAllowedRoutes`): an object's waypoint is its own
 *   `istio.io/use-waypoint` label (`none` opts out), else its namespace's, in `istio.io/use-waypoint-namespace`
 *   when set; the waypoint must take that traffic (`istio.io/waypoint-for`, default `service`) and, across
 *   namespaces, admit the object's namespace on its HBONE listener (port 15008; `allowedRoutes` default Same).
 */
import { _field as field, _list as list, _namespaceOfDoc as nsOf, _text as text } from './_json';
import { selectorMatches } from './_mesh-index';

const DATAPLANE_MODE = 'istio.io/dataplane-mode';
/** The label naming an object's waypoint. @internal */
export const _USE_WAYPOINT = 'istio.io/use-waypoint';
const USE_WAYPOINT_NAMESPACE = 'istio.io/use-waypoint-namespace';
const SIDECAR_INJECT = 'sidecar.istio.io/inject';
type Labels = { [key: string]: unknown };

/** An object's `metadata.labels` (empty when absent). @internal */
export function _labelsOf(d: unknown): { [key: string]: unknown } {
  const labels = field(d, 'metadata', 'labels');
  return labels !== null && typeof labels === 'object' ? labels as { [key: string]: unknown } : {};
}

function injectionByNamespace(nsLabels: { [key: string]: unknown }): boolean {
  if (nsLabels['istio-injection'] === 'enabled') return true;
  return nsLabels['istio-injection'] === undefined && typeof nsLabels['istio.io/rev'] === 'string' && nsLabels['istio.io/rev'] !== '';
}

/**
 * Istio's `NamespaceInAmbientMode`: `istio.io/dataplane-mode: ambient`, unless sidecar injection
 * (`istio-injection: enabled` or a non-empty `istio.io/rev`) wins.
 * @internal
 */
export function _namespaceIsAmbient(namespace: unknown): boolean {
  const labels = _labelsOf(namespace);
  if (labels['istio-injection'] === 'enabled') return false;
  if (typeof labels['istio.io/rev'] === 'string' && labels['istio.io/rev'] !== '') return false;
  return labels[DATAPLANE_MODE] === 'ambient';
}

/** The waypoint (`namespace/name`) named by an object's `istio.io/use-waypoint` label; null for `none`, undefined without. @internal */
export function _useWaypoint(d: unknown, fallbackNamespace: string): string | null | undefined {
  const labels = _labelsOf(d);
  const name = labels[_USE_WAYPOINT];
  if (typeof name !== 'string') return undefined;
  if (name === 'none') return null;
  const ns = typeof labels[USE_WAYPOINT_NAMESPACE] === 'string' ? labels[USE_WAYPOINT_NAMESPACE] : fallbackNamespace;
  return `${ns}/${name}`;
}

/** The traffic a waypoint Gateway takes (`istio.io/waypoint-for` on the Gateway; Istio's default `service`). @internal */
export function _waypointFor(gateway: unknown): string {
  return text(_labelsOf(gateway)['istio.io/waypoint-for']) ?? 'service';
}

/** The waypoint serving a Service or ServiceEntry, or why none does. @internal */
export type _ServiceWaypoint =
  | { readonly waypoint: string; readonly gateway?: unknown; readonly takesServices: boolean; readonly takes: string }
  | { readonly none: string };

/**
 * Istio's `fetchWaypointForService`: the waypoint (`namespace/name`) of a Service or ServiceEntry (`what` names
 * it in messages), from its own label, else its Namespace's (`namespaceDoc`; undefined when not in the input:
 * then undefined unless the object has its own label). `gateway` finds a waypoint Gateway of the input by
 * `namespace/name`; one that is absent is assumed to take service traffic.
 * @internal
 */
export function _serviceWaypoint(
  target: unknown, namespaceDoc: unknown, what: string, gateway: (key: string) => unknown,
): _ServiceWaypoint | undefined {
  const ns = nsOf(target);
  const own = _useWaypoint(target, ns);
  if (own === undefined && namespaceDoc === undefined) return undefined;
  const wp = own !== undefined ? own : _useWaypoint(namespaceDoc, ns);
  if (wp === null) return { none: `${what} opts out of waypoints (istio.io/use-waypoint: none)` };
  if (wp === undefined) return { none: `neither ${what} nor namespace ${ns} carries istio.io/use-waypoint` };
  const gw = gateway(wp);
  const takes = gw !== undefined ? _waypointFor(gw) : 'service';
  return { waypoint: wp, ...(gw !== undefined ? { gateway: gw } : {}), takesServices: takes === 'service' || takes === 'all', takes };
}

/**
 * Whether a waypoint Gateway admits objects of `namespace` (its HBONE listener's `allowedRoutes.namespaces`;
 * `Same` when absent). undefined: a label selector the input cannot decide.
 * @internal
 */
export function _waypointAdmits(gateway: unknown, namespace: string, namespaceDoc: unknown): boolean | undefined {
  if (nsOf(gateway) === namespace) return true;
  const hbone = list(field(gateway, 'spec', 'listeners')).find((l) => field(l, 'protocol') === 'HBONE' && field(l, 'port') === 15008);
  const from = text(field(hbone, 'allowedRoutes', 'namespaces', 'from')) ?? 'Same';
  if (from === 'All') return true;
  if (from !== 'Selector') return false;
  const match = field(hbone, 'allowedRoutes', 'namespaces', 'selector', 'matchLabels');
  if (namespaceDoc === undefined || field(hbone, 'allowedRoutes', 'namespaces', 'selector', 'matchExpressions') !== undefined) return undefined;
  const labels = _labelsOf(namespaceDoc);
  return selectorMatches(match, labels);
}

/** How a pod (its labels and annotations, its namespace's labels) joins the mesh. @internal */
export interface _PodMode {
  /**
   * `manual`: the pod is already injected (the `sidecar.istio.io/status` annotation istioctl kube-inject writes beside the
   * istio-proxy container: what istio-cni and the injector test); `webhook`: the injector adds the sidecar.
   */
  readonly sidecar?: 'manual' | 'webhook';
  /** The injection comes from the pod's own labels (not its namespace's). */
  readonly sidecarByPod: boolean;
  /** The pod's own `istio.io/dataplane-mode` label. */
  readonly podDataplane?: string;
  /** istio-cni would capture the pod (ambient), were it without a sidecar. */
  readonly ambientLabelled: boolean;
}

/**
 * The pod's mode: its sidecar (and where it comes from) and its ambient labels. `nsLabels` undefined: the
 * namespace is not in the input (only the pod's own labels decide).
 * @internal
 */
export function _podMode(labels: Labels, annotations: Labels, nsLabels: Labels | undefined): _PodMode {
  const manual = annotations['sidecar.istio.io/status'] !== undefined;
  const inject = labels[SIDECAR_INJECT] ?? annotations[SIDECAR_INJECT];
  const ns = nsLabels ?? {};
  const byNamespace = inject !== 'false' && injectionByNamespace(ns);
  const byPod = !byNamespace && ns['istio-injection'] === undefined
    && (inject === 'true' || (typeof labels['istio.io/rev'] === 'string' && labels['istio.io/rev'] !== ''));
  const podDataplane = text(labels[DATAPLANE_MODE]);
  const ambientLabelled = podDataplane === 'ambient' || (podDataplane !== 'none' && ns[DATAPLANE_MODE] === 'ambient');
  const sidecar: _PodMode['sidecar'] = manual ? 'manual' : byNamespace || byPod ? 'webhook' : undefined;
  const optional = { ...(sidecar ? { sidecar } : {}), ...(podDataplane !== undefined ? { podDataplane } : {}) };
  return { ...optional, sidecarByPod: !manual && byPod, ambientLabelled };
}
