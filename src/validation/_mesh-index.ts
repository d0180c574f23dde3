/**
 * The index every mesh rule reads: built in one pass over the inputs (maps by host, namespace, gateway),
 * plus the rule context (index, reporter, options) and the small JSON helpers the rules share.
 * Internal: `_mesh.ts` (the engine) builds it, the `_checks-*.ts` files read it.
 */
import { _apiGroup } from './_objects';
import { ValidationFinding, ValidationSeverity } from './conformance';
import { _HostSet, _resolveShortname, _serviceFqdn, _splitNamespacedHost } from '../_naming';

/** One object to check, with where it came from. @internal */
export interface _MeshInput {
  readonly doc: any;
  readonly constructPath?: string;
  readonly file?: string;
  /** Rule ids suppressed for this object (with their reasons). */
  readonly suppressed?: ReadonlyMap<string, string>;
}

/** @internal */
export interface _MeshOptions {
  /** Telemetry/extension providers the mesh config defines; undefined: the provider check is off. */
  readonly providers?: ReadonlySet<string>;
  /** Gateways (`namespace/name`) that exist outside the input. */
  readonly externalGateways?: ReadonlySet<string>;
  /** Istio's root namespace (mesh-wide PeerAuthentication, RequestAuthentication). */
  readonly rootNamespace?: string;
  /**
   * Objects no mesh rule reads (not rendered: only apiVersion, kind and metadata name/namespace), checked
   * for duplicates (MESH005) with the inputs.
   */
  readonly otherObjects?: readonly _MeshInput[];
  /**
   * MESH005 compares objects across files (the files are one app applied together: the cdk8s plugin, the
   * CLI's `--one-app`); otherwise file by file, as a folder may hold alternatives applied one at a time.
   */
  readonly duplicatesAcrossFiles?: boolean;
}

/** Providers every Istio installation has without meshConfig. */
export const BUILT_IN_PROVIDERS = ['prometheus', 'envoy', 'stackdriver'];
/** The fields of a Service port the protocol selection reads. */
export interface _ServicePort { readonly name?: unknown; readonly port?: unknown; readonly protocol?: unknown; readonly appProtocol?: unknown }

/** `namespace/name` of an object, as istioctl prints it. */
export function fullName(d: unknown): string {
  return `${nsOf(d)}/${nameOf(d)}`;
}

/** A label map as a stable string, sorted `k=v,...` (klabels.SelectorFromSet().String()); `''` when absent or empty. */
export function labelString(labels: unknown): string {
  if (!labels || typeof labels !== 'object') return '';
  return Object.entries(labels as Record<string, unknown>).map(([k, v]) => `${k}=${String(v)}`).sort().join(',');
}

/** Whether every label of a selector (`matchLabels`, a Service's `selector`) has that value in `labels`; an empty selector matches all. */
export function selectorMatches(selector: unknown, labels: Record<string, unknown>): boolean {
  return Object.entries(selector && typeof selector === 'object' ? selector : {}).every(([k, v]) => labels[k] === v);
}

/**
 * The elements of a JSON list read from a manifest (empty when it is not a list). Manifests are untyped
 * JSON: this is the one place the rules take their elements as `any`.
 */
export function items(x: unknown): any[] {
  return Array.isArray(x) ? x : [];
}

/** Protocols `protocol.Parse` knows (Istio 1.30, pkg/config/protocol). */
const PROTOCOLS = new Set(['tcp', 'udp', 'grpc', 'grpc-web', 'http', 'http_proxy', 'http2', 'https', 'tls', 'mongo', 'redis', 'mysql']);
/** Ports Istio treats as TCP without a protocol (pkg/config/kube wellKnownPorts: SMTP, DNS, MySQL, MongoDB). */
const WELL_KNOWN_PORTS = new Set([25, 53, 3306, 27017]);

/**
 * The protocol Istio selects for a Service port (pkg/config/kube ConvertProtocol: UDP, then appProtocol or
 * the name's prefix before "-", then TCP for well-known ports), lower-case; undefined: unsupported.
 */
export function portProtocol(p: _ServicePort | undefined): string | undefined {
  if (String(p?.protocol ?? '').toUpperCase() === 'UDP') return 'udp';
  let name = String(p?.appProtocol ?? p?.name ?? '');
  const k8s: Record<string, string> = { 'kubernetes.io/h2c': 'http2', 'kubernetes.io/ws': 'http', 'kubernetes.io/wss': 'https' };
  if (p?.appProtocol !== undefined && k8s[name]) return k8s[name];
  if (name.toLowerCase().startsWith('grpc-web')) return 'grpc-web';
  if (name.includes('-')) name = name.slice(0, name.indexOf('-'));
  if (PROTOCOLS.has(name.toLowerCase())) return name.toLowerCase();
  return typeof p?.port === 'number' && WELL_KNOWN_PORTS.has(p.port) ? 'tcp' : undefined;
}

/** Istio selects a protocol for the port (it is not treated as unsupported). */
export function portHasProtocol(p: _ServicePort | undefined): boolean {
  return portProtocol(p) !== undefined;
}

/** Kinds IST0102 considers (gateway config objects often live in namespaces without sidecars). */
export const WORKLOAD_MESH_KINDS = new Set(['VirtualService', 'DestinationRule', 'ServiceEntry', 'Sidecar', 'AuthorizationPolicy',
  'PeerAuthentication', 'RequestAuthentication', 'Telemetry', 'WorkloadEntry', 'WorkloadGroup']);

export function is(d: any, g: string, kind: string): boolean {
  return d?.kind === kind && _apiGroup(d) === g;
}
export function nsOf(d: any): string {
  return d?.metadata?.namespace ?? 'default';
}
export function nameOf(d: any): string {
  return String(d?.metadata?.name ?? '');
}

/** A Gateway's server hosts by namespace scope (`*`, `.` or a namespace), as `ns/host` splits them. */
export function gatewayHostIndex(gw: _MeshInput): Map<string, _HostSet> {
  const byScope = new Map<string, _HostSet>();
  for (const server of gw.doc.spec?.servers ?? []) {
    for (const raw of server?.hosts ?? []) {
      if (typeof raw !== 'string') continue;
      const { namespace: scope, host } = _splitNamespacedHost(raw);
      const set = byScope.get(scope) ?? new _HostSet([]);
      set.add(host);
      byScope.set(scope, set);
    }
  }
  return byScope;
}

function levenshtein(a: string, b: string, max: number): number {
  if (Math.abs(a.length - b.length) > max) return max + 1;
  let prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    let best = i;
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
      best = Math.min(best, cur[j]);
    }
    if (best > max) return max + 1;
    prev = cur;
  }
  return prev[b.length];
}

/** The closest candidate within a small edit distance (a typo), or undefined. */
export function closest(name: string, candidates: Iterable<string>): string | undefined {
  const max = name.length <= 4 ? 1 : 2;
  let best: string | undefined;
  let bestD = max + 1;
  // "team-20" vs "team-2" are siblings, not typos: ignore candidates that differ only in numbers
  const shape = (s: string) => s.replace(/[0-9]+/g, '#');
  const own = shape(name);
  for (const c of candidates) {
    if (c === name) return undefined;
    if (shape(c) === own) continue;
    const d = levenshtein(name, c, max);
    if (d < bestD || (d === bestD && best !== undefined && c < best)) { best = c; bestD = d; }
  }
  return bestD <= max ? best : undefined;
}

export interface Dest { readonly host: string; readonly subset?: string; readonly port?: unknown; readonly path: string }

export function destinations(spec: any): Dest[] {
  const out: Dest[] = [];
  const add = (d: any, path: string) => {
    if (d && typeof d.host === 'string') out.push({ host: d.host, subset: d.subset, port: d.port?.number, path });
  };
  items(spec?.http).forEach((h, i) => {
    items(h?.route).forEach((r, j) => add(r?.destination, `spec.http[${i}].route[${j}].destination`));
    add(h?.mirror, `spec.http[${i}].mirror`);
    items(h?.mirrors).forEach((m, j) => add(m?.destination, `spec.http[${i}].mirrors[${j}].destination`));
  });
  for (const proto of ['tcp', 'tls']) {
    items(spec?.[proto]).forEach((t, i) => {
      items(t?.route).forEach((r, j) => add(r?.destination, `spec.${proto}[${i}].route[${j}].destination`));
    });
  }
  return out;
}

/** Everything the rules look up, built in one pass over the inputs. */
export interface MeshIndex {
  readonly services: Map<string, _MeshInput>;
  readonly serviceEntryHosts: Set<string>;
  /** FQDN -> DestinationRules (any namespace). */
  readonly drsByHost: Map<string, _MeshInput[]>;
  /** `namespace/name` -> Gateway. */
  readonly gateways: Map<string, _MeshInput>;
  readonly raNamespaces: Set<string>;
  /** Namespace -> its namespace-wide PeerAuthentication. */
  readonly paByNamespace: Map<string, _MeshInput>;
  readonly namespaces: Map<string, _MeshInput>;
  readonly definedNamespaces: Set<string>;
  readonly serviceAccounts: Map<string, Set<string>>;
  readonly virtualServices: _MeshInput[];
  readonly destinationRules: _MeshInput[];
  readonly authorizationPolicies: _MeshInput[];
  readonly requestAuthentications: _MeshInput[];
  readonly peerAuthentications: _MeshInput[];
  /** Namespace -> its Services. */
  readonly servicesByNamespace: Map<string, _MeshInput[]>;
  readonly telemetries: _MeshInput[];
  /** Namespace -> its Sidecars without a workloadSelector. */
  readonly selectorlessSidecars: Map<string, _MeshInput[]>;
  readonly meshResourcesByNamespace: Map<string, _MeshInput[]>;
  readonly serviceEntries: _MeshInput[];
  readonly sidecars: _MeshInput[];
  /** Namespace -> the pods the input defines there (Pods, and the pod templates of workloads). */
  readonly podsByNamespace: Map<string, _Pod[]>;
  /** Objects whose annotations Istio's annotation analyzer reads (Namespace, Service, Deployment, Pod). */
  readonly annotated: _MeshInput[];
  /** Objects of kinds Istio removed (rbac.istio.io). */
  readonly removedKinds: _MeshInput[];
}

/** A pod the input defines: a Pod, or the pod template of a workload (Deployment, StatefulSet, ...). */
export interface _Pod {
  readonly input: _MeshInput;
  readonly labels: Record<string, string>;
  readonly annotations: Record<string, string>;
  /** Path of the pod metadata in the object (`metadata`, `spec.template.metadata`, ...). */
  readonly path: string;
}

/** Where each workload kind keeps its pod template. */
const POD_TEMPLATE_PATH: Record<string, string[]> = {
  Deployment: ['spec', 'template'],
  StatefulSet: ['spec', 'template'],
  DaemonSet: ['spec', 'template'],
  ReplicaSet: ['spec', 'template'],
  Job: ['spec', 'template'],
  Rollout: ['spec', 'template'],
  CronJob: ['spec', 'jobTemplate', 'spec', 'template'],
};
const WORKLOAD_GROUPS = new Set(['apps', 'batch', 'argoproj.io']);
const CORE_KINDS_READ = new Set(['Service', 'Namespace', 'ServiceAccount', 'Pod']);

/**
 * Whether the mesh rules read objects of this kind beyond their identity (Services, Namespaces, service
 * accounts, pods and workloads' pod templates): the synth-time checks render these, and only these, of
 * the kinds without a schema, so that the rules see what the plugin and the CLI see.
 * @internal
 */
export function _readByMeshRules(apiVersion: string, kind: string): boolean {
  if (apiVersion === 'v1') return CORE_KINDS_READ.has(kind);
  return POD_TEMPLATE_PATH[kind] !== undefined && WORKLOAD_GROUPS.has(apiVersion.split('/')[0]);
}

export type Report = (input: _MeshInput, rule: string, severity: ValidationSeverity, path: string, message: string) => void;

/** What every rule gets: the index, the reporter and the options. */
export interface RuleContext {
  readonly ix: MeshIndex;
  readonly report: Report;
  readonly options: _MeshOptions;
  /** Istio's root namespace. */
  readonly root: string;
  /** Every input, in order (rules that need more than the index, e.g. MESH005). */
  readonly inputs: readonly _MeshInput[];
  /** Where findings go (`report` adds to it; a rule with findings of its own may push them). */
  readonly findings: ValidationFinding[];
}

function emptyIndex(): MeshIndex {
  return {
    services: new Map(),
    serviceEntryHosts: new Set(),
    drsByHost: new Map(),
    gateways: new Map(),
    raNamespaces: new Set(),
    paByNamespace: new Map(),
    namespaces: new Map(),
    definedNamespaces: new Set(),
    serviceAccounts: new Map(),
    virtualServices: [],
    destinationRules: [],
    authorizationPolicies: [],
    requestAuthentications: [],
    peerAuthentications: [],
    servicesByNamespace: new Map(),
    telemetries: [],
    selectorlessSidecars: new Map(),
    meshResourcesByNamespace: new Map(),
    serviceEntries: [],
    sidecars: [],
    podsByNamespace: new Map(),
    annotated: [],
    removedKinds: [],
  };
}

export function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key) ?? [];
  list.push(value);
  map.set(key, list);
}

/** One pass over the inputs: every map the rules look up. */
export function indexInputs(inputs: readonly _MeshInput[]): MeshIndex {
  const ix = emptyIndex();
  for (const input of inputs) {
    const d = input.doc;
    if (!d || typeof d !== 'object' || typeof d.kind !== 'string') continue;
    const ns = nsOf(d);
    if (d.metadata?.namespace) ix.definedNamespaces.add(d.metadata.namespace);
    if (_apiGroup(d).endsWith('istio.io') && WORKLOAD_MESH_KINDS.has(d.kind)) push(ix.meshResourcesByNamespace, ns, input);
    if (d.apiVersion === 'v1') indexCore(ix, input, ns);
    else if (WORKLOAD_GROUPS.has(_apiGroup(d))) indexWorkload(ix, input, ns);
    else indexIstio(ix, input, ns);
  }
  return ix;
}

function indexCore(ix: MeshIndex, input: _MeshInput, ns: string): void {
  const d = input.doc;
  if (d.kind === 'Service') {
    ix.services.set(_serviceFqdn(nameOf(d), ns), input);
    push(ix.servicesByNamespace, ns, input);
  } else if (d.kind === 'Namespace') {
    ix.namespaces.set(nameOf(d), input);
    ix.definedNamespaces.add(nameOf(d));
  } else if (d.kind === 'ServiceAccount') {
    const set = ix.serviceAccounts.get(ns) ?? new Set<string>();
    set.add(nameOf(d));
    ix.serviceAccounts.set(ns, set);
  } else if (d.kind === 'Pod') {
    push(ix.podsByNamespace, ns, { input, labels: d.metadata?.labels ?? {}, annotations: d.metadata?.annotations ?? {}, path: 'metadata' });
  }
  if (d.kind === 'Service' || d.kind === 'Namespace' || d.kind === 'Pod') ix.annotated.push(input);
}

/** Workloads: their pod template is a pod of the namespace; a Deployment's own annotations are read too. */
function indexWorkload(ix: MeshIndex, input: _MeshInput, ns: string): void {
  const d = input.doc;
  const at = POD_TEMPLATE_PATH[d.kind];
  if (!at) return;
  if (d.kind === 'Deployment') ix.annotated.push(input);
  let t: unknown = d;
  for (const k of at) t = t && typeof t === 'object' ? (t as Record<string, unknown>)[k] : undefined;
  if (!t || typeof t !== 'object') return;
  const meta = (t as { metadata?: { labels?: Record<string, string>; annotations?: Record<string, string> } }).metadata;
  push(ix.podsByNamespace, ns, { input, labels: meta?.labels ?? {}, annotations: meta?.annotations ?? {}, path: `${at.join('.')}.metadata` });
}

function indexIstio(ix: MeshIndex, input: _MeshInput, ns: string): void {
  const d = input.doc;
  if (_apiGroup(d) === 'rbac.istio.io') {
    ix.removedKinds.push(input);
  } else if (is(d, 'networking.istio.io', 'ServiceEntry')) {
    ix.serviceEntries.push(input);
    for (const h of d.spec?.hosts ?? []) ix.serviceEntryHosts.add(h);
  } else if (is(d, 'networking.istio.io', 'DestinationRule')) {
    ix.destinationRules.push(input);
    if (typeof d.spec?.host === 'string') push(ix.drsByHost, _resolveShortname(d.spec.host, ns), input);
  } else if (is(d, 'networking.istio.io', 'Gateway')) {
    ix.gateways.set(`${ns}/${nameOf(d)}`, input);
  } else if (is(d, 'networking.istio.io', 'VirtualService')) {
    ix.virtualServices.push(input);
  } else if (is(d, 'networking.istio.io', 'Sidecar')) {
    ix.sidecars.push(input);
    if (!d.spec?.workloadSelector) push(ix.selectorlessSidecars, ns, input);
  } else if (is(d, 'security.istio.io', 'RequestAuthentication')) {
    ix.raNamespaces.add(ns);
    ix.requestAuthentications.push(input);
  } else if (is(d, 'security.istio.io', 'PeerAuthentication')) {
    ix.peerAuthentications.push(input);
    if (!d.spec?.selector && !d.spec?.targetRef && !d.spec?.targetRefs) ix.paByNamespace.set(ns, input);
  } else if (is(d, 'security.istio.io', 'AuthorizationPolicy')) {
    ix.authorizationPolicies.push(input);
  } else if (is(d, 'telemetry.istio.io', 'Telemetry')) {
    ix.telemetries.push(input);
  }
}

/** The reporter: a finding per call, unless the object suppresses the rule. */
export function reporter(findings: ValidationFinding[]): Report {
  return (input, rule, severity, path, message) => {
    if (input.suppressed?.has(rule)) return;
    const d = input.doc;
    findings.push({
      rule,
      severity,
      kind: String(d.kind),
      apiVersion: d.apiVersion,
      namespace: d.metadata?.namespace,
      name: nameOf(d),
      path,
      message,
      ...(input.constructPath !== undefined ? { constructPath: input.constructPath } : {}),
      ...(input.file !== undefined ? { file: input.file } : {}),
    });
  };
}
