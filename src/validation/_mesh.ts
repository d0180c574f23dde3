/**
 * Cross-resource mesh checks over plain JSON objects (an app's `ApiObject.toJson()`s, or YAML files).
 * Internal engine shared by `MeshValidation` (synth), `MeshValidationPlugin` and the CLI.
 *
 * Everything is indexed once (maps by host, namespace, gateway); each rule is then a lookup per
 * reference: O(objects + references), no all-pairs scans.
 */
import { _duplicateObjects } from './_duplicates';
import { ConformanceValidator, ValidationFinding, ValidationSeverity } from './conformance';
import { _HostSet, _MESH_GATEWAY, _hostNamespaceAllows, _parseServiceFqdn, _resolveGatewayRef, _resolveShortname, _serviceFqdn, _splitNamespacedHost } from '../_naming';

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
const BUILT_IN_PROVIDERS = ['prometheus', 'envoy', 'stackdriver'];
/** Istio's protocol selection by port name prefix (`name` or `name-suffix`). */
const PROTOCOL_PORT_NAME = /^(http|http2|https|grpc|grpc-web|tcp|tls|mongo|mysql|redis|udp)(-.*)?$/i;
/** Kinds IST0102 considers (gateway config objects often live in namespaces without sidecars). */
const WORKLOAD_MESH_KINDS = new Set(['VirtualService', 'DestinationRule', 'ServiceEntry', 'Sidecar', 'AuthorizationPolicy',
  'PeerAuthentication', 'RequestAuthentication', 'Telemetry', 'WorkloadEntry', 'WorkloadGroup']);

function group(d: any): string {
  const av = typeof d?.apiVersion === 'string' ? d.apiVersion : '';
  return av.includes('/') ? av.split('/')[0] : '';
}
function is(d: any, g: string, kind: string): boolean {
  return d?.kind === kind && group(d) === g;
}
function nsOf(d: any): string {
  return d?.metadata?.namespace ?? 'default';
}
function nameOf(d: any): string {
  return String(d?.metadata?.name ?? '');
}

/** A Gateway's server hosts by namespace scope (`*`, `.` or a namespace), as `ns/host` splits them. */
function gatewayHostIndex(gw: _MeshInput): Map<string, _HostSet> {
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
function closest(name: string, candidates: Iterable<string>): string | undefined {
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

interface Dest { readonly host: string; readonly subset?: string; readonly path: string }

function destinations(spec: any): Dest[] {
  const out: Dest[] = [];
  const add = (d: any, path: string) => {
    if (d && typeof d.host === 'string') out.push({ host: d.host, subset: d.subset, path });
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

/**
 * Runs every mesh rule over the inputs.
 * @internal
 */
export function _meshChecks(inputs: readonly _MeshInput[], options: _MeshOptions = {}): ValidationFinding[] {
  const root = options.rootNamespace ?? 'istio-system';
  const findings: ValidationFinding[] = [];
  const report = (input: _MeshInput, rule: string, severity: ValidationSeverity, path: string, message: string) => {
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

  // ---- indexes (one pass) ----
  const services = new Map<string, _MeshInput>();
  const serviceEntryHosts = new Set<string>();
  const drsByHost = new Map<string, _MeshInput[]>(); // fqdn -> DRs (any namespace)
  const gateways = new Map<string, _MeshInput>(); // ns/name
  const raNamespaces = new Set<string>();
  const paByNamespace = new Map<string, _MeshInput>(); // namespace-wide PeerAuthentication
  const namespaces = new Map<string, _MeshInput>();
  const definedNamespaces = new Set<string>();
  const serviceAccounts = new Map<string, Set<string>>();
  const virtualServices: _MeshInput[] = [];
  const destinationRules: _MeshInput[] = [];
  const authorizationPolicies: _MeshInput[] = [];
  const telemetries: _MeshInput[] = [];
  const meshResourcesByNamespace = new Map<string, _MeshInput[]>();

  for (const input of inputs) {
    const d = input.doc;
    if (!d || typeof d !== 'object' || typeof d.kind !== 'string') continue;
    const ns = nsOf(d);
    const g = group(d);
    if (d.metadata?.namespace) definedNamespaces.add(d.metadata.namespace);
    if (g.endsWith('istio.io') && WORKLOAD_MESH_KINDS.has(d.kind)) {
      const list = meshResourcesByNamespace.get(ns) ?? [];
      list.push(input);
      meshResourcesByNamespace.set(ns, list);
    }
    if (d.apiVersion === 'v1' && d.kind === 'Service') {services.set(_serviceFqdn(nameOf(d), ns), input);} else if (d.apiVersion === 'v1' && d.kind === 'Namespace') { namespaces.set(nameOf(d), input); definedNamespaces.add(nameOf(d)); } else if (d.apiVersion === 'v1' && d.kind === 'ServiceAccount') {
      const set = serviceAccounts.get(ns) ?? new Set<string>();
      set.add(nameOf(d));
      serviceAccounts.set(ns, set);
    } else if (is(d, 'networking.istio.io', 'ServiceEntry')) {
      for (const h of d.spec?.hosts ?? []) serviceEntryHosts.add(h);
    } else if (is(d, 'networking.istio.io', 'DestinationRule')) {
      destinationRules.push(input);
      if (typeof d.spec?.host === 'string') {
        const key = _resolveShortname(d.spec.host, ns);
        const list = drsByHost.get(key) ?? [];
        list.push(input);
        drsByHost.set(key, list);
      }
    } else if (is(d, 'networking.istio.io', 'Gateway')) {
      gateways.set(`${ns}/${nameOf(d)}`, input);
    } else if (is(d, 'networking.istio.io', 'VirtualService')) {
      virtualServices.push(input);
    } else if (is(d, 'security.istio.io', 'RequestAuthentication')) {
      raNamespaces.add(ns);
    } else if (is(d, 'security.istio.io', 'PeerAuthentication')) {
      if (!d.spec?.selector && !d.spec?.targetRef && !d.spec?.targetRefs) paByNamespace.set(ns, input);
    } else if (is(d, 'security.istio.io', 'AuthorizationPolicy')) {
      authorizationPolicies.push(input);
    } else if (is(d, 'telemetry.istio.io', 'Telemetry')) {
      telemetries.push(input);
    }
  }

  const isExternalGateway = (key: string) => options.externalGateways?.has(key) ?? false;

  // ---- VirtualServices: gateways (IST0101/IST0132), conflicts (IST0109), subsets (IST0101), claims (IST0149) ----
  const hostOwners = new Map<string, _MeshInput[]>(); // gateway|host -> VSs
  const gatewayHosts = new Map<_MeshInput, Map<string, _HostSet>>();
  for (const vs of virtualServices) {
    const d = vs.doc;
    const ns = nsOf(d);
    const hosts: string[] = Array.isArray(d.spec?.hosts) ? d.spec.hosts : [];
    const gws: string[] = Array.isArray(d.spec?.gateways) && d.spec.gateways.length > 0 ? d.spec.gateways : [_MESH_GATEWAY];
    const gatewayNamespaces = new Set<string>();
    gws.forEach((ref, gi) => {
      if (typeof ref !== 'string') return;
      const key = _resolveGatewayRef(ref, ns);
      if (key !== _MESH_GATEWAY) gatewayNamespaces.add(key.split('/')[0]);
      for (const h of hosts) {
        const owner = `${key}|${key === _MESH_GATEWAY ? _resolveShortname(h, ns) : h}`;
        const list = hostOwners.get(owner) ?? [];
        list.push(vs);
        hostOwners.set(owner, list);
      }
      if (key === _MESH_GATEWAY) return;
      const gw = gateways.get(key);
      if (!gw) {
        if (!isExternalGateway(key)) {
          report(vs, 'IST0101', ValidationSeverity.ERROR, d.spec?.gateways ? `spec.gateways[${gi}]` : 'spec.gateways',
            `Referenced gateway "${key}" not found: no Gateway of that name is defined. Fix: define it, fix the reference, or declare it with MeshValidation.of(app).declareExternalGateways(['${key}'])`);
        }
        return;
      }
      const gwNs = key.split('/')[0];
      let byScope = gatewayHosts.get(gw);
      if (!byScope) {
        byScope = gatewayHostIndex(gw); // once per Gateway, not per route
        gatewayHosts.set(gw, byScope);
      }
      const visible = [...byScope].filter(([scope]) => _hostNamespaceAllows(scope, ns, gwNs)).map(([, set]) => set);
      hosts.forEach((h, hi) => {
        // Istio binds a route host to a gateway host when the two `Matches` (pickMatchingGatewayHosts)
        if (!visible.some((set) => set.matches(h))) {
          const patterns = visible.flatMap((x) => x.list());
          report(vs, 'IST0132', ValidationSeverity.ERROR, `spec.hosts[${hi}]`,
            `Host "${h}" is not exposed by gateway "${key}" (its hosts visible to namespace ${ns}: ${patterns.length ? patterns.map((p) => `"${p}"`).join(', ') : 'none'}): the route never matches. Fix: add the host to the Gateway's servers or remove the gateway from spec.gateways`);
        }
      });
    });

    for (const dest of destinations(d.spec)) {
      if (!dest.subset) continue;
      const host = _resolveShortname(dest.host, ns);
      const drs = drsByHost.get(host);
      if (drs) {
        if (!drs.some((dr) => (dr.doc.spec?.subsets ?? []).some((s: any) => s?.name === dest.subset))) {
          const known = [...new Set(drs.flatMap((dr) => (dr.doc.spec?.subsets ?? []).map((s: any) => s?.name)))].sort();
          report(vs, 'IST0101', ValidationSeverity.ERROR, `${dest.path}.subset`,
            `Referenced host+subset in destinationrule not found: "${host}+${dest.subset}" (subsets defined: ${known.length ? known.join(', ') : 'none'}). Fix: add subset "${dest.subset}" to DestinationRule ${drs.map((dr) => `${nsOf(dr.doc)}/${nameOf(dr.doc)}`).join(', ')} or route to an existing subset`);
        }
      } else if (services.has(host) || serviceEntryHosts.has(host)) {
        report(vs, 'IST0101', ValidationSeverity.ERROR, `${dest.path}.subset`,
          `Referenced host+subset in destinationrule not found: "${host}+${dest.subset}": no DestinationRule for this host defines subsets. Fix: add a DestinationRule for "${host}" with subset "${dest.subset}"`);
      }
    }

    (d.spec?.http ?? []).forEach((h: any, i: number) => {
      (h?.match ?? []).forEach((m: any, j: number) => {
        for (const field of ['headers', 'withoutHeaders']) {
          for (const key of Object.keys(m?.[field] ?? {})) {
            if (!key.startsWith('@request.auth.claims')) continue;
            const ok = raNamespaces.has(ns) || raNamespaces.has(root) || [...gatewayNamespaces].some((g) => raNamespaces.has(g));
            if (!ok) {
              report(vs, 'IST0149', ValidationSeverity.ERROR, `spec.http[${i}].match[${j}].${field}["${key}"]`,
                `JWT claim based routing on "${key}" without a RequestAuthentication: the claim is never populated and the match never succeeds. Fix: add a RequestAuthentication for the receiving workload (namespace ${[ns, ...gatewayNamespaces].join(' or ')})`);
            }
          }
        }
      });
    });
  }
  for (const [owner, list] of hostOwners) {
    const distinct = new Map(list.map((v) => [`${nsOf(v.doc)}/${nameOf(v.doc)}`, v]));
    if (distinct.size < 2) continue;
    const [gw, host] = owner.split('|');
    const names = [...distinct.keys()].sort();
    for (const [id, vs] of distinct) {
      report(vs, 'IST0109', ValidationSeverity.ERROR, 'spec.hosts',
        `The VirtualServices ${names.join(', ')} associated with ${gw === _MESH_GATEWAY ? 'mesh gateway' : `gateway "${gw}"`} define the same host "${host}", which can lead to undefined behavior. Fix: merge them into one VirtualService (other: ${names.filter((n) => n !== id).join(', ')})`);
    }
  }

  // ---- DestinationRules: duplicates (MESH001), STRICT + DISABLE (MESH003) ----
  for (const [host, drs] of drsByHost) {
    const byNs = new Map<string, _MeshInput[]>();
    for (const dr of drs) {
      if (dr.doc.spec?.workloadSelector) continue;
      const list = byNs.get(nsOf(dr.doc)) ?? [];
      list.push(dr);
      byNs.set(nsOf(dr.doc), list);
    }
    for (const [ns, all] of byNs) {
      // the same object (name) given twice, e.g. alternative versions of one file, is one object
      const list = [...new Map(all.map((dr) => [nameOf(dr.doc), dr])).values()];
      if (list.length < 2) continue;
      const names = list.map((dr) => nameOf(dr.doc)).sort();
      for (const dr of list) {
        report(dr, 'MESH001', ValidationSeverity.ERROR, 'spec.host',
          `More than one DestinationRule for host "${host}" in namespace ${ns} (${names.join(', ')}): Istio merges them in an undefined order and drops conflicting settings. Fix: keep one DestinationRule per host`);
      }
    }
  }
  for (const dr of destinationRules) {
    const d = dr.doc;
    const host = _resolveShortname(String(d.spec?.host ?? ''), nsOf(d));
    const serviceNs = _parseServiceFqdn(host)?.namespace;
    if (serviceNs === undefined) continue;
    const pa = paByNamespace.get(serviceNs) ?? paByNamespace.get(root);
    if (pa?.doc.spec?.mtls?.mode !== 'STRICT') continue;
    const tlsSettings: Array<[string, any]> = [];
    const collect = (tp: any, path: string) => {
      if (!tp) return;
      tlsSettings.push([`${path}.tls.mode`, tp.tls]);
      (tp.portLevelSettings ?? []).forEach((p: any, i: number) => tlsSettings.push([`${path}.portLevelSettings[${i}].tls.mode`, p?.tls]));
    };
    collect(d.spec?.trafficPolicy, 'spec.trafficPolicy');
    (d.spec?.subsets ?? []).forEach((s: any, i: number) => collect(s?.trafficPolicy, `spec.subsets[${i}].trafficPolicy`));
    for (const [path, tls] of tlsSettings) {
      if (tls?.mode === 'DISABLE') {
        report(dr, 'MESH003', ValidationSeverity.ERROR, path,
          `TLS is disabled toward "${host}", but namespace ${serviceNs} requires mutual TLS (PeerAuthentication ${nsOf(pa.doc)}/${nameOf(pa.doc)} mode STRICT): every call will be refused. Fix: use tls mode ISTIO_MUTUAL (or drop the tls setting)`);
      }
    }
  }

  // ---- Telemetry / CUSTOM authorization providers (MESH002) ----
  if (options.providers) {
    const allowed = new Set([...BUILT_IN_PROVIDERS, ...options.providers]);
    const check = (input: _MeshInput, name: unknown, path: string) => {
      if (typeof name === 'string' && !allowed.has(name)) {
        report(input, 'MESH002', ValidationSeverity.ERROR, path,
          `Provider "${name}" is not declared in the mesh config (declared: ${[...allowed].sort().join(', ')}): Istio ignores the setting. Fix: add it to meshConfig.extensionProviders and declare it with MeshValidation.of(app).declareProviders(['${name}'])`);
      }
    };
    for (const t of telemetries) {
      for (const section of ['tracing', 'accessLogging', 'metrics']) {
        (t.doc.spec?.[section] ?? []).forEach((s: any, i: number) => {
          (s?.providers ?? []).forEach((p: any, j: number) => check(t, p?.name, `spec.${section}[${i}].providers[${j}].name`));
        });
      }
    }
    for (const ap of authorizationPolicies) {
      if (ap.doc.spec?.action === 'CUSTOM') check(ap, ap.doc.spec?.provider?.name, 'spec.provider.name');
    }
  }

  // ---- authorization principals / namespaces naming what the app defines under another name (MESH004) ----
  for (const ap of authorizationPolicies) {
    (ap.doc.spec?.rules ?? []).forEach((r: any, i: number) => {
      (r?.from ?? []).forEach((f: any, j: number) => {
        const src = f?.source ?? {};
        const base = `spec.rules[${i}].from[${j}].source`;
        for (const field of ['principals', 'notPrincipals']) {
          (src[field] ?? []).forEach((p: unknown, k: number) => {
            const m = typeof p === 'string' ? /^([^/]+)\/ns\/([^/]+)\/sa\/([^/]+)$/.exec(p) : null;
            if (m) checkIdentity(ap, `${base}.${field}[${k}]`, m[2], m[3], p as string);
          });
        }
        for (const field of ['namespaces', 'notNamespaces']) {
          (src[field] ?? []).forEach((n: unknown, k: number) => {
            if (typeof n === 'string') checkIdentity(ap, `${base}.${field}[${k}]`, n, undefined, n);
          });
        }
        (src.serviceAccounts ?? []).forEach((s: unknown, k: number) => {
          const m = typeof s === 'string' ? /^([^/]+)\/([^/]+)$/.exec(s) : null;
          if (m) checkIdentity(ap, `${base}.serviceAccounts[${k}]`, m[1], m[2], s as string);
        });
      });
    });
  }
  function checkIdentity(ap: _MeshInput, path: string, ns: string, sa: string | undefined, value: string): void {
    if (ns.includes('*') || (sa ?? '').includes('*')) return;
    if (!definedNamespaces.has(ns)) {
      const near = closest(ns, definedNamespaces);
      if (near) {
        report(ap, 'MESH004', ValidationSeverity.ERROR, path,
          `"${value}" names namespace "${ns}", which nothing in the app defines; the app defines namespace "${near}". Fix: did you mean "${near}"?`);
      }
      return;
    }
    const sas = serviceAccounts.get(ns);
    if (sa === undefined || !sas || sas.has(sa)) return;
    const near = closest(sa, sas);
    if (near) {
      report(ap, 'MESH004', ValidationSeverity.ERROR, path,
        `"${value}" names service account "${sa}" in namespace ${ns}, which the app does not define; it defines "${near}" there. Fix: did you mean "${near}"?`);
    }
  }

  // ---- Service port naming (IST0118) ----
  for (const svc of services.values()) {
    if (svc.doc.spec?.type === 'ExternalName') continue;
    (svc.doc.spec?.ports ?? []).forEach((p: any, i: number) => {
      if (p?.appProtocol || (typeof p?.name === 'string' && PROTOCOL_PORT_NAME.test(p.name))) return;
      report(svc, 'IST0118', ValidationSeverity.WARNING, `spec.ports[${i}]`,
        `Port name ${p?.name === undefined ? '(none)' : `"${p.name}"`} (port ${p?.port}) is not under the naming convention: Istio cannot select the protocol and treats the traffic as opaque TCP. Fix: name it <protocol>[-<suffix>] (e.g. "http", "grpc-api") or set appProtocol`);
    });
  }

  // ---- mesh resources in a namespace the app defines without enrolling it (IST0102) ----
  for (const [name, input] of namespaces) {
    if (name === root) continue;
    const labels = input.doc.metadata?.labels ?? {};
    const enrolled = labels['istio-injection'] === 'enabled' || (labels['istio.io/rev'] !== undefined && labels['istio-injection'] !== 'disabled')
      || labels['istio.io/dataplane-mode'] === 'ambient';
    const mesh = meshResourcesByNamespace.get(name);
    if (enrolled || !mesh) continue;
    report(input, 'IST0102', ValidationSeverity.ERROR, 'metadata.labels',
      `The namespace is not enabled for Istio injection, yet ${mesh.length} mesh resource(s) live in it (e.g. ${mesh[0].doc.kind}/${nameOf(mesh[0].doc)}): they have no sidecar or ztunnel to act on. Fix: label the namespace istio-injection=enabled, istio.io/rev=<revision> or istio.io/dataplane-mode=ambient`);
  }

  findings.push(..._duplicateObjects([...inputs, ...(options.otherObjects ?? [])]));
  return findings;
}

/** A parsed document and where it came from. @internal */
export interface _Document {
  readonly doc: any;
  readonly file?: string;
  readonly constructPath?: string;
}

/**
 * Schema + CEL conformance of every document, then the mesh rules over all of them (CLI, plugin).
 * @internal
 */
export function _validateDocuments(docs: readonly _Document[], conformance: ConformanceValidator, options: _MeshOptions = {}): ValidationFinding[] {
  const findings: ValidationFinding[] = [];
  const inputs: _MeshInput[] = [];
  for (const d of docs) {
    if (!d.doc || typeof d.doc !== 'object') continue;
    const where = {
      ...(d.file !== undefined ? { file: d.file } : {}),
      ...(d.constructPath !== undefined ? { constructPath: d.constructPath } : {}),
    };
    for (const f of conformance.validate(d.doc)) findings.push({ ...f, ...where });
    inputs.push({ doc: d.doc, ...where });
  }
  findings.push(..._meshChecks(inputs, options));
  return findings;
}
