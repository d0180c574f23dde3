/**
 * Kiali's traffic (networking) validations that the manifests decide, with Istio 1.30's own semantics
 * rather than Kiali's approximations. One function per rule over the index (`_mesh-index.ts`); the rule
 * definitions and the Kiali coverage entries are spread into `_rules.ts`.
 *
 * Where the semantics come from (istio/istio 1.30.3):
 * - pilot/pkg/model/push_context.go `setDestinationRules` and destination_rule.go `mergeDestinationRule`:
 *   DestinationRules merge only within one namespace, for one exact host (after short-name resolution), when
 *   their `exportTo` sets are equal (ENABLE_ENHANCED_DESTINATIONRULE_MERGE, on by default) and their
 *   workload selectors are both absent or equal. Merging concatenates subsets by name (a repeated name is
 *   dropped: the oldest DestinationRule's wins) and keeps the oldest top-level `trafficPolicy`. Across
 *   namespaces nothing merges: a client takes its own namespace's DestinationRule, else the service's
 *   namespace's, else the root namespace's; a wildcard host never merges with a specific one (the most
 *   specific host wins whole). Kiali's KIA0201 across namespaces and wildcards is therefore not a conflict.
 * - pilot/pkg/model/sidecar.go `appendSidecarServices` / `canMergeServices`: ServiceEntries for one host
 *   that a client sees merge their ports only when they share namespace, resolution, labels, workload
 *   selector and exportTo (a port number already present keeps its first protocol); otherwise the oldest
 *   one is used and the others are ignored whole. `SidecarScope` (`OutboundTrafficPolicy`): a Sidecar's
 *   `outboundTrafficPolicy` replaces the mesh's; its `mode` defaults to `REGISTRY_ONLY` (the enum's zero).
 * - pilot/pkg/networking/core/route/route.go: a route with one destination ignores its weight.
 * - pilot/pkg/model/config.go `resolveGatewayName`: a gateway reference without `/` but with `.` is the
 *   legacy FQDN form `<name>.<namespace>[...]`.
 */
import { _KialiCoverage, kiali } from './_kiali-coverage';
import { _MeshInput, RuleContext, fullName, items, labelString, nameOf, nsOf } from './_mesh-index';
import type { _RuleDefinition } from './_rules';
import { ValidationSeverity } from './conformance';
import { _HostSet, _MESH_GATEWAY, _isWildcarded, _resolveGatewayRef, _resolveShortname, _serviceFqdn, _splitNamespacedHost } from '../_naming';

const E = ValidationSeverity.ERROR;
const W = ValidationSeverity.WARNING;

/**
 * Who sees an object with this `exportTo` (written relative to `namespace`): `'*'` everyone (also when unset,
 * Istio's default), otherwise the set of namespaces (empty for `~`).
 */
function audience(exportTo: unknown, namespace: string): '*' | Set<string> {
  const list = items(exportTo).map((e) => String(e));
  if (list.length === 0 || list.includes('*')) return '*';
  return new Set(list.filter((e) => e !== '~').map((e) => (e === '.' ? namespace : e)));
}

function audiencesOverlap(a: '*' | Set<string>, b: '*' | Set<string>): boolean {
  if (a === '*') return b === '*' || b.size > 0;
  if (b === '*') return a.size > 0;
  return [...a].some((n) => b.has(n));
}

/**
 * The exportTo set as Istio compares it when merging: the entries as written (`.` and the own namespace are
 * different entries to `sets.Equals`), sorted.
 */
function exportToKey(exportTo: unknown): string {
  return [...new Set(items(exportTo).map((e) => String(e)))].sort().join(',');
}

// ---------------------------------------------------------------------------------------------------
// DestinationRules: KIA0201 (a subset defined twice in one merge), MESH001 (settings Istio drops)
// ---------------------------------------------------------------------------------------------------

/**
 * KIA0201 and MESH001 over Istio's merge groups: the DestinationRules of one namespace for one exact host with
 * the same workload selector (or none). Within a group, those with equal `exportTo` merge: a subset name
 * defined twice keeps the oldest definition (KIA0201, warning), and of several top-level `trafficPolicy`s only
 * the oldest applies (MESH001). Groups with different `exportTo` whose audiences overlap are not merged: a
 * client that sees both gets one of them whole (MESH001).
 */
export function checkDestinationRuleMerges(c: RuleContext): void {
  const groups = new Map<string, _MeshInput[]>();
  for (const dr of c.ix.destinationRules) {
    const spec = dr.doc.spec;
    if (typeof spec?.host !== 'string') continue;
    const ns = nsOf(dr.doc);
    const key = `${ns}|${_resolveShortname(spec.host, ns)}|${labelString(spec.workloadSelector?.matchLabels)}`;
    const list = groups.get(key) ?? [];
    // the same object (name) given twice, e.g. alternative versions of one file, is one object
    if (!list.some((o) => nameOf(o.doc) === nameOf(dr.doc))) list.push(dr);
    groups.set(key, list);
  }
  for (const [key, list] of groups) {
    if (list.length < 2) continue;
    const [ns, host] = key.split('|');
    const merges = new Map<string, _MeshInput[]>();
    for (const dr of list) {
      // a DestinationRule with a workloadSelector is private to its namespace, whatever its exportTo
      const k = dr.doc.spec?.workloadSelector ? '.' : exportToKey(dr.doc.spec?.exportTo);
      const merged = merges.get(k) ?? [];
      merged.push(dr);
      merges.set(k, merged);
    }
    for (const merged of merges.values()) {
      duplicateSubsets(c, host, ns, merged);
      droppedTrafficPolicies(c, host, ns, merged);
    }
    unmergedExports(c, host, ns, [...merges.values()]);
  }
}

function duplicateSubsets(c: RuleContext, host: string, ns: string, merged: _MeshInput[]): void {
  const bySubset = new Map<string, Array<{ dr: _MeshInput; i: number }>>();
  for (const dr of merged) {
    items(dr.doc.spec?.subsets).forEach((s, i) => {
      if (typeof s?.name !== 'string') return;
      const defs = bySubset.get(s.name) ?? [];
      defs.push({ dr, i });
      bySubset.set(s.name, defs);
    });
  }
  for (const [subset, defs] of bySubset) {
    const owners = [...new Set(defs.map((d) => nameOf(d.dr.doc)))].sort();
    if (owners.length < 2) continue; // twice in one DestinationRule: the webhook's duplicate-subset error
    for (const { dr, i } of defs) {
      c.report(dr, 'KIA0201', W, `spec.subsets[${i}].name`,
        `Subset "${subset}" of host "${host}" is defined by more than one DestinationRule in namespace ${ns} (${owners.join(', ')}): Istio merges them and keeps the oldest one's subset, the others are dropped. Fix: define the subset once`);
    }
  }
}

function droppedTrafficPolicies(c: RuleContext, host: string, ns: string, merged: _MeshInput[]): void {
  const setters = merged.filter((dr) => dr.doc.spec?.trafficPolicy !== undefined);
  if (new Set(setters.map((dr) => JSON.stringify(dr.doc.spec.trafficPolicy))).size < 2) return;
  const names = setters.map((dr) => nameOf(dr.doc)).sort();
  for (const dr of setters) {
    c.report(dr, 'MESH001', E, 'spec.trafficPolicy',
      `More than one DestinationRule for host "${host}" in namespace ${ns} sets a top-level trafficPolicy (${names.join(', ')}): Istio merges them and applies the oldest one's trafficPolicy only, the others are ignored. Fix: keep one DestinationRule per host, or move the settings into one trafficPolicy`);
  }
}

function unmergedExports(c: RuleContext, host: string, ns: string, merges: _MeshInput[][]): void {
  if (merges.length < 2) return;
  const seenBy = merges.map((m) => audience(m[0].doc.spec?.exportTo, ns));
  merges.forEach((m, i) => {
    const others = merges.filter((_, j) => j !== i && audiencesOverlap(seenBy[i], seenBy[j])).flat().map((dr) => nameOf(dr.doc)).sort();
    if (others.length === 0) return;
    for (const dr of m) {
      c.report(dr, 'MESH001', E, 'spec.exportTo',
        `DestinationRules for host "${host}" in namespace ${ns} with different exportTo (${nameOf(dr.doc)}; ${others.join(', ')}) are not merged: a client namespace that sees both gets one of them whole, the other is ignored. Fix: keep one DestinationRule per host, or give them the same exportTo (Istio then merges them)`);
    }
  });
}

// ---------------------------------------------------------------------------------------------------
// ServiceEntries: KIA1211 (one host and port, not merged), KIA1212 (one host and port, two protocols)
// ---------------------------------------------------------------------------------------------------

interface SePort {
  readonly se: _MeshInput;
  /** Paths of the host and of the port in the ServiceEntry. */
  readonly hostPath: string;
  readonly portPath: string;
  readonly protocol: string;
  readonly seenBy: '*' | Set<string>;
  /** What `canMergeServices` compares (namespace, resolution, labels, workload selector, exportTo). */
  readonly mergeKey: string;
}

/**
 * KIA1212: ServiceEntries a common namespace sees that define one host and port number with different
 * protocols: Istio keeps one protocol. KIA1211: the same host and port with one protocol, in entries Istio
 * does not merge (other namespace, resolution, labels, workload selector or exportTo): a client that sees
 * both uses the oldest and ignores the other whole (its endpoints, resolution, location).
 */
export function checkServiceEntryHosts(c: RuleContext): void {
  const byPort = new Map<string, SePort[]>(); // host|port -> entries
  for (const se of c.ix.serviceEntries) {
    const spec = se.doc.spec ?? {};
    const ns = nsOf(se.doc);
    const mergeKey = [ns, spec.resolution ?? 'NONE', labelString(se.doc.metadata?.labels), labelString(spec.workloadSelector?.labels), exportToKey(spec.exportTo)].join('|');
    const seenBy = audience(spec.exportTo, ns);
    items(spec.hosts).forEach((host, h) => {
      if (typeof host !== 'string') return;
      items(spec.ports).forEach((p, i) => {
        if (typeof p?.number !== 'number') return;
        const key = `${host}|${p.number}`;
        const list = byPort.get(key) ?? [];
        if (!list.some((e) => e.se === se || fullName(e.se.doc) === fullName(se.doc))) {
          list.push({ se, hostPath: `spec.hosts[${h}]`, portPath: `spec.ports[${i}]`, protocol: String(p?.protocol ?? 'TCP').toUpperCase(), seenBy, mergeKey });
        }
        byPort.set(key, list);
      });
    });
  }
  for (const [key, list] of byPort) {
    if (list.length < 2) continue;
    const [host, port] = key.split('|');
    for (const e of list) {
      const seen = list.filter((o) => o !== e && audiencesOverlap(e.seenBy, o.seenBy));
      const conflicts = seen.filter((o) => o.protocol !== e.protocol);
      const unmerged = seen.filter((o) => o.protocol === e.protocol && o.mergeKey !== e.mergeKey);
      const names = (l: SePort[]) => l.map((o) => `${fullName(o.se.doc)} (${o.protocol})`).sort().join(', ');
      if (conflicts.length > 0) {
        c.report(e.se, 'KIA1212', E, e.portPath,
          `ServiceEntries define host "${host}" port ${port} with different protocols (${names([e])}; ${names(conflicts)}): Istio keeps one protocol for the port, so the others' traffic is handled with the wrong protocol. Fix: define the host's ports in one ServiceEntry, with one protocol per port`);
      } else if (unmerged.length > 0) {
        c.report(e.se, 'KIA1211', W, e.hostPath,
          `More than one ServiceEntry for host "${host}" port ${port} (${names([e])}; ${names(unmerged)}), which Istio does not merge (different namespace, resolution, labels, workloadSelector or exportTo): a client that sees both uses the oldest and ignores the other whole. Fix: define the host in one ServiceEntry (or in one namespace with the same resolution and exportTo, which Istio merges)`);
      }
    }
  }
}

// ---------------------------------------------------------------------------------------------------
// Sidecars: KIA1004 (egress host not in the registry), KIA1006 (root Sidecar with selector), KIA1007
// ---------------------------------------------------------------------------------------------------

/** What an egress host can import: every Service, ServiceEntry and VirtualService host of the input, by namespace. */
interface Registry {
  readonly byNamespace: Map<string, _HostSet>;
  /** Host (as written) -> the namespaces defining it. */
  readonly namespacesOf: Map<string, Set<string>>;
}

function registryHosts(c: RuleContext): Registry {
  const r: Registry = { byNamespace: new Map(), namespacesOf: new Map() };
  const add = (ns: string, host: unknown) => {
    if (typeof host !== 'string') return;
    const set = r.byNamespace.get(ns) ?? new _HostSet([]);
    set.add(host);
    r.byNamespace.set(ns, set);
    r.namespacesOf.set(host, (r.namespacesOf.get(host) ?? new Set<string>()).add(ns));
  };
  for (const svc of c.ix.services.values()) add(nsOf(svc.doc), _serviceFqdn(nameOf(svc.doc), nsOf(svc.doc)));
  for (const se of c.ix.serviceEntries) for (const h of items(se.doc.spec?.hosts)) add(nsOf(se.doc), h);
  for (const vs of c.ix.virtualServices) for (const h of items(vs.doc.spec?.hosts)) add(nsOf(vs.doc), typeof h === 'string' ? _resolveShortname(h, nsOf(vs.doc)) : h);
  return r;
}

/**
 * KIA1004: a Sidecar egress host `<ns>/<dnsName>` (no wildcard) that no Service, ServiceEntry or
 * VirtualService of `<ns>` defines, decided only when the input defines the Namespace `<ns>` (the whole
 * namespace is in the input). KIA1006: a Sidecar in the root namespace with a `workloadSelector` (it is not
 * the mesh-wide default). KIA1007: an `outboundTrafficPolicy` without `mode` (it is `REGISTRY_ONLY`).
 */
export function checkSidecarTraffic(c: RuleContext): void {
  let registry: Registry | undefined;
  for (const sc of c.ix.sidecars) {
    const spec = sc.doc.spec ?? {};
    const ns = nsOf(sc.doc);
    if (ns === c.root && spec.workloadSelector) {
      c.report(sc, 'KIA1006', W, 'spec.workloadSelector',
        `A Sidecar in the root namespace ${c.root} with a workloadSelector is not the mesh-wide default: it applies only to the selected pods of ${c.root}. Fix: drop the workloadSelector for a mesh-wide default, or move the Sidecar to the namespace of the workloads it selects`);
    }
    const otp = spec.outboundTrafficPolicy;
    if (otp && typeof otp === 'object' && otp.mode === undefined) {
      c.report(sc, 'KIA1007', W, 'spec.outboundTrafficPolicy',
        'outboundTrafficPolicy without mode is REGISTRY_ONLY (the default of the field), whatever the mesh\'s outboundTrafficPolicy: calls to hosts outside the service registry fail (502). Fix: set mode: ALLOW_ANY or mode: REGISTRY_ONLY explicitly, or remove outboundTrafficPolicy to use the mesh\'s');
    }
    items(spec.egress).forEach((eg, i) => {
      items(eg?.hosts).forEach((raw, j) => {
        if (typeof raw !== 'string' || !raw.includes('/')) return; // MESH217 reports the form
        const split = _splitNamespacedHost(raw);
        const hostNs = split.namespace === '.' ? ns : split.namespace;
        if (hostNs === '*' || hostNs === '~' || _isWildcarded(split.host) || !c.ix.namespaces.has(hostNs)) return;
        registry ??= registryHosts(c);
        if (registry.byNamespace.get(hostNs)?.matches(split.host)) return;
        const elsewhere = [...registry.namespacesOf.get(split.host) ?? []].sort();
        c.report(sc, 'KIA1004', W, `spec.egress[${i}].hosts[${j}]`,
          `Egress host "${raw}" has no matching entry in the service registry: namespace ${hostNs} (defined in the input) has no Service, ServiceEntry or VirtualService for "${split.host}"${elsewhere.length ? ` (namespace ${elsewhere.join(', ')} has)` : ''}, so the Sidecar imports nothing for it. Fix: ${elsewhere.length ? `write "${elsewhere[0]}/${split.host}"` : `name the host by its FQDN (<service>.${hostNs}.svc.cluster.local) or add a ServiceEntry for it in ${hostNs}`}`);
      });
    });
  }
}

// ---------------------------------------------------------------------------------------------------
// VirtualServices: KIA1104 (weight on a single destination), KIA1105 (destination twice), KIA1108
// ---------------------------------------------------------------------------------------------------

/**
 * KIA1104: a route with a single destination whose `weight` is not 100: Istio ignores the weight (all the
 * traffic goes there). KIA1105: one route naming the same host, subset and port twice: the weights add up.
 */
export function checkRouteDestinations(c: RuleContext): void {
  for (const vs of c.ix.virtualServices) {
    const ns = nsOf(vs.doc);
    for (const proto of ['http', 'tcp', 'tls']) {
      items(vs.doc.spec?.[proto]).forEach((r, i) => {
        const route = items(r?.route);
        if (route.length === 1 && typeof route[0]?.weight === 'number' && route[0].weight !== 100) {
          c.report(vs, 'KIA1104', W, `spec.${proto}[${i}].route[0].weight`,
            `The weight ${route[0].weight} is ignored: the route has only one destination, which takes all the traffic. Fix: remove the weight, or add the destination that should take the rest`);
        }
        const first = new Map<string, number>();
        route.forEach((d, j) => {
          const dest = d?.destination;
          if (typeof dest?.host !== 'string') return;
          const key = `${_resolveShortname(dest.host, ns)}|${dest.subset ?? ''}|${dest.port?.number ?? ''}`;
          const earlier = first.get(key);
          if (earlier === undefined) return void first.set(key, j);
          c.report(vs, 'KIA1105', W, `spec.${proto}[${i}].route[${j}].destination`,
            `Destination "${dest.host}"${dest.subset ? ` subset "${dest.subset}"` : ''}${dest.port?.number ? ` port ${dest.port.number}` : ''} is already route[${earlier}] of this rule: the two weights add up. Fix: keep one destination with the sum of the weights`);
        });
      });
    }
  }
}

/** KIA1108: a gateway reference in the legacy FQDN form (`name.namespace.svc.cluster.local`). */
export function checkGatewayNomenclature(c: RuleContext): void {
  for (const vs of c.ix.virtualServices) {
    items(vs.doc.spec?.gateways).forEach((ref, i) => {
      if (typeof ref !== 'string' || ref === _MESH_GATEWAY || ref.includes('/') || !ref.includes('.')) return;
      const resolved = _resolveGatewayRef(ref, nsOf(vs.doc));
      c.report(vs, 'KIA1108', W, `spec.gateways[${i}]`,
        `Gateway reference "${ref}" is the legacy FQDN form: Istio reads it as gateway "${resolved}" (the first label is the name, the second the namespace). Fix: write "${resolved}"`);
    });
  }
}

/** The rules of this file (registered in `_rules.ts`; README's table is generated from them). @internal */
export const _KIALI_TRAFFIC_RULES: readonly _RuleDefinition[] = [
  {
    id: 'KIA0201',
    severity: W,
    mirrors: 'Kiali KIA0201 (More than one DestinationRules for the same host subset combination)',
    check: checkDestinationRuleMerges,
    catches: 'a subset name defined by more than one DestinationRule that Istio merges (one namespace, one exact host, equal `exportTo`, no or equal `workloadSelector`): the oldest one\'s subset is kept, the others dropped. DestinationRules in different namespaces or for a wildcard host are not merged, so not reported',
  },
  {
    id: 'KIA1211',
    severity: W,
    mirrors: 'Kiali KIA1211 (More than one ServiceEntry for the same host and port)',
    check: checkServiceEntryHosts,
    catches: 'ServiceEntries a common namespace sees (`exportTo`) define one host and port with one protocol, and Istio does not merge them (other namespace, `resolution`, labels, `workloadSelector` or `exportTo`): a client uses the oldest and ignores the other whole. Entries Istio merges (one namespace, same settings) are not reported',
  },
  {
    id: 'KIA1212',
    severity: E,
    mirrors: 'Kiali KIA1212 (ServiceEntries have conflicting protocols for the same host and port)',
    check: checkServiceEntryHosts,
    catches: 'ServiceEntries a common namespace sees (`exportTo`) define one host and port number with different protocols: Istio keeps one protocol for the port',
  },
  {
    id: 'KIA1004',
    severity: W,
    mirrors: 'Kiali KIA1004 (This host has no matching entry in the service registry)',
    check: checkSidecarTraffic,
    catches: 'a Sidecar egress host `<ns>/<dnsName>` (not a wildcard) that no Service, ServiceEntry or VirtualService of `<ns>` defines; decided only when the input defines the Namespace `<ns>`',
  },
  {
    id: 'KIA1006',
    severity: W,
    mirrors: 'Kiali KIA1006 (Global default sidecar should not have workloadSelector)',
    check: checkSidecarTraffic,
    catches: 'a Sidecar in the root namespace (`istio-system`) with a `workloadSelector`: it is not the mesh-wide default, it applies only to the selected pods of the root namespace',
  },
  {
    id: 'KIA1007',
    severity: W,
    mirrors: 'Kiali KIA1007 (OutboundTrafficPolicy with empty mode value is ambiguous)',
    check: checkSidecarTraffic,
    catches: 'a Sidecar `outboundTrafficPolicy` without `mode`: it is `REGISTRY_ONLY` (the field\'s default), replacing the mesh\'s policy (`ALLOW_ANY` by default)',
  },
  {
    id: 'KIA1104',
    severity: W,
    mirrors: 'Kiali KIA1104 (The weight is assumed to be 100 because there is only one route destination)',
    check: checkRouteDestinations,
    catches: 'an HTTP/TCP/TLS route with one destination whose `weight` is not 100 (0 included): Istio ignores the weight and sends all the traffic there',
  },
  {
    id: 'KIA1105',
    severity: W,
    mirrors: 'Kiali KIA1105 (This host subset combination is already referenced in another route destination)',
    check: checkRouteDestinations,
    catches: 'one route names the same destination (host, subset and port) twice: the weights add up',
  },
  {
    id: 'KIA1108',
    severity: W,
    mirrors: 'Kiali KIA1108 (Preferred nomenclature: <gateway namespace>/<gateway name>)',
    check: checkGatewayNomenclature,
    catches: 'a VirtualService gateway reference in the legacy FQDN form (`name.namespace.svc.cluster.local`, any name with a `.` and no `/`), which Istio reads as `namespace/name`. A short name (the VirtualService\'s namespace) is Istio\'s documented form and not reported',
  },
];

/** How Kiali's traffic codes are answered. @internal */
export const _KIALI_TRAFFIC_COVERAGE: readonly _KialiCoverage[] = [
  kiali('KIA0201', 'More than one DestinationRules for the same host subset combination', ['KIA0201', 'MESH001'],
    'Istio merges DestinationRules only within one namespace, for one exact host, with equal exportTo and no (or equal) workloadSelector: a subset defined twice there is KIA0201, top-level trafficPolicies set twice (or overlapping exportTo that prevents the merge) MESH001. Across namespaces nothing merges (the client\'s namespace, then the service\'s, then the root namespace\'s wins whole), and a wildcard host never merges with a specific one: Kiali\'s findings there are not reported'),
  kiali('KIA0209', 'This subset has not labels', [],
    'Istio accepts it: a subset without labels selects every endpoint of the host, the way to give all of them a subset-level traffic policy (Istio\'s egress-gateway task does so)'),
  kiali('KIA0301', 'More than one Gateway for the same host port combination', ['IST0145'],
    'Istio\'s selection, not istioctl\'s exact selectors: two Gateways conflict when one selector is a subset of the other (every pod the narrower selects runs both) or a pod of the input matches both; same port, host and bind'),
  kiali('KIA1004', 'This host has no matching entry in the service registry', ['KIA1004'],
    'decided only for a namespace the input defines (a Namespace object); Services, ServiceEntries and VirtualServices of that namespace count; wildcards and `*/` hosts are not decided'),
  kiali('KIA1006', 'Global default sidecar should not have workloadSelector', ['KIA1006'], 'the root namespace is `istio-system`, Istio\'s default `meshConfig.rootNamespace`'),
  kiali('KIA1007', 'OutboundTrafficPolicy with empty mode value is ambiguous', ['KIA1007'],
    'not ambiguous in a manifest: a missing mode is REGISTRY_ONLY, replacing the mesh\'s policy'),
  kiali('KIA1104', 'The weight is assumed to be 100 because there is only one route destination', ['KIA1104'],
    'also weight 0, which Istio ignores on a single destination as well'),
  kiali('KIA1105', 'This host subset combination is already referenced in another route destination', ['KIA1105'],
    'compared with the destination port too (another port is another cluster)'),
  kiali('KIA1108', 'Preferred nomenclature: <gateway namespace>/<gateway name>', ['KIA1108'],
    'the legacy FQDN form only; a short name (the VirtualService\'s namespace) is Istio\'s documented form (bookinfo uses it)'),
  kiali('KIA1211', 'More than one ServiceEntry for the same host and port', ['KIA1211'],
    'only entries Istio does not merge and a common namespace sees; entries in one namespace with the same settings merge (their endpoints add up)'),
  kiali('KIA1212', 'ServiceEntries have conflicting protocols for the same host and port', ['KIA1212'],
    'an error: one protocol is lost. Formerly MESH301'),
];
