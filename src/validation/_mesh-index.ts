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
}

/** Providers every Istio installation has without meshConfig. */
export const BUILT_IN_PROVIDERS = ['prometheus', 'envoy', 'stackdriver'];
/** Istio's protocol selection by port name prefix (`name` or `name-suffix`). */
export const PROTOCOL_PORT_NAME = /^(http|http2|https|grpc|grpc-web|tcp|tls|mongo|mysql|redis|udp)(-.*)?$/i;
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
  (spec?.http ?? []).forEach((h: any, i: number) => {
    (h?.route ?? []).forEach((r: any, j: number) => add(r?.destination, `spec.http[${i}].route[${j}].destination`));
    add(h?.mirror, `spec.http[${i}].mirror`);
    (h?.mirrors ?? []).forEach((m: any, j: number) => add(m?.destination, `spec.http[${i}].mirrors[${j}].destination`));
  });
  for (const proto of ['tcp', 'tls']) {
    (spec?.[proto] ?? []).forEach((t: any, i: number) => {
      (t?.route ?? []).forEach((r: any, j: number) => add(r?.destination, `spec.${proto}[${i}].route[${j}].destination`));
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
  readonly telemetries: _MeshInput[];
  /** Namespace -> its Sidecars without a workloadSelector. */
  readonly selectorlessSidecars: Map<string, _MeshInput[]>;
  readonly meshResourcesByNamespace: Map<string, _MeshInput[]>;
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
    telemetries: [],
    selectorlessSidecars: new Map(),
    meshResourcesByNamespace: new Map(),
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
    else indexIstio(ix, input, ns);
  }
  return ix;
}

function indexCore(ix: MeshIndex, input: _MeshInput, ns: string): void {
  const d = input.doc;
  if (d.kind === 'Service') {
    ix.services.set(_serviceFqdn(nameOf(d), ns), input);
  } else if (d.kind === 'Namespace') {
    ix.namespaces.set(nameOf(d), input);
    ix.definedNamespaces.add(nameOf(d));
  } else if (d.kind === 'ServiceAccount') {
    const set = ix.serviceAccounts.get(ns) ?? new Set<string>();
    set.add(nameOf(d));
    ix.serviceAccounts.set(ns, set);
  }
}

function indexIstio(ix: MeshIndex, input: _MeshInput, ns: string): void {
  const d = input.doc;
  if (is(d, 'networking.istio.io', 'ServiceEntry')) {
    for (const h of d.spec?.hosts ?? []) ix.serviceEntryHosts.add(h);
  } else if (is(d, 'networking.istio.io', 'DestinationRule')) {
    ix.destinationRules.push(input);
    if (typeof d.spec?.host === 'string') push(ix.drsByHost, _resolveShortname(d.spec.host, ns), input);
  } else if (is(d, 'networking.istio.io', 'Gateway')) {
    ix.gateways.set(`${ns}/${nameOf(d)}`, input);
  } else if (is(d, 'networking.istio.io', 'VirtualService')) {
    ix.virtualServices.push(input);
  } else if (is(d, 'networking.istio.io', 'Sidecar')) {
    if (!d.spec?.workloadSelector) push(ix.selectorlessSidecars, ns, input);
  } else if (is(d, 'security.istio.io', 'RequestAuthentication')) {
    ix.raNamespaces.add(ns);
  } else if (is(d, 'security.istio.io', 'PeerAuthentication')) {
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
