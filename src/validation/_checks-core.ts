/**
 * The first mesh rules (istioctl analyze IST0101, IST0102, IST0109, IST0111, IST0112, IST0118, IST0132,
 * IST0149 and the library's MESH002-MESH004; MESH001 is in `_kiali-traffic.ts`): one function per rule over the index (`_mesh-index.ts`).
 * Registered with their ids in `_rules.ts`.
 */
import { BUILT_IN_PROVIDERS, RuleContext, _MeshInput, closest, destinations, gatewayHostIndex, items, nameOf, nsOf, portHasProtocol } from './_mesh-index';
import { ValidationSeverity } from './conformance';
import { _HostSet, _MESH_GATEWAY, _hostNamespaceAllows, _parseServiceFqdn, _resolveGatewayRef, _resolveShortname } from '../_naming';
import { _field } from './_json';
import { _apiGroup } from './_objects';

/** VirtualServices: gateways (IST0101/IST0132), subsets (IST0101), claims (IST0149), then host conflicts (IST0109). */
export function checkVirtualServices(c: RuleContext): void {
  const hostOwners = new Map<string, _MeshInput[]>(); // gateway|host -> VSs
  const gatewayHosts = new Map<_MeshInput, Map<string, _HostSet>>();
  for (const vs of c.ix.virtualServices) {
    const gatewayNamespaces = checkGatewayBindings(c, vs, hostOwners, gatewayHosts);
    checkSubsets(c, vs);
    checkDestinationPorts(c, vs);
    checkClaims(c, vs, gatewayNamespaces);
  }
  checkHostConflicts(c, hostOwners);
  checkGatewaySelectors(c);
}

/**
 * IST0101 (selector): a Gateway's selector matches no pod (istioctl's gateway analyzer looks in every
 * namespace). Decided only when the input defines gateway pods (the gateway injection template, or an
 * `istio` label) carrying every key of the selector, with other values: otherwise the gateway Deployment is
 * managed elsewhere (application pods with an `app` label say nothing about an `app=egress` gateway).
 */
function checkGatewaySelectors(c: RuleContext): void {
  const pods = [...c.ix.podsByNamespace.values()].flat();
  const gatewayPods = pods.filter((p) => 'istio' in p.labels || (p.annotations['inject.istio.io/templates'] ?? '').split(',').includes('gateway'));
  for (const gw of c.ix.gateways.values()) {
    const selector = gw.doc.spec?.selector;
    if (!selector || typeof selector !== 'object' || Object.keys(selector).length === 0) continue;
    const keys = Object.keys(selector);
    if (pods.some((p) => keys.every((k) => p.labels[k] === selector[k]))) continue;
    const candidates = gatewayPods.filter((p) => keys.every((k) => k in p.labels));
    if (candidates.length === 0) continue;
    const seen = candidates.slice(0, 3).map((p) => `${p.input.doc.kind}/${nameOf(p.input.doc)} ${JSON.stringify(Object.fromEntries(keys.map((k) => [k, p.labels[k]])))}`).join(', ');
    c.report(gw, 'IST0101', ValidationSeverity.ERROR, 'spec.selector',
      `Referenced selector not found: "${keys.map((k) => `${k}=${selector[k]}`).join(',')}" matches no pod (the gateway pods in the input: ${seen}): no proxy serves this Gateway. Fix: use the labels of the gateway Deployment's pod template`);
  }
}

/** IST0101 (gateway not found) and IST0132 (host not exposed by the gateway); fills `hostOwners`. */
function checkGatewayBindings(c: RuleContext, vs: _MeshInput, hostOwners: Map<string, _MeshInput[]>,
  gatewayHosts: Map<_MeshInput, Map<string, _HostSet>>): Set<string> {
  const { report, options } = c;
  const { gateways } = c.ix;
  const isExternalGateway = (key: string) => options.externalGateways?.has(key) ?? false;
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
          `Referenced gateway "${key}" not found: no Gateway of that name is defined. Fix: define it, fix the reference, or declare it external (GatewayBinding.external('${key.split('/')[0]}', '${key.split('/')[1]}') in code, MeshValidation.of(app).declareExternalGateways(['${key}']), or --external-gateway ${key})`);
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
  return gatewayNamespaces;
}

/** IST0101: a destination subset no DestinationRule of the host defines. */
function checkSubsets(c: RuleContext, vs: _MeshInput): void {
  const { report } = c;
  const { drsByHost, services, serviceEntryHosts } = c.ix;
  const d = vs.doc;
  const ns = nsOf(d);
  for (const dest of destinations(d.spec)) {
    if (!dest.subset) continue;
    const host = _resolveShortname(dest.host, ns);
    const drs = drsByHost.get(host);
    if (drs) {
      if (!drs.some((dr) => (dr.doc.spec?.subsets ?? []).some((s: unknown) => _field(s, 'name') === dest.subset))) {
        const known = [...new Set(drs.flatMap((dr) => (dr.doc.spec?.subsets ?? []).map((s: unknown) => _field(s, 'name'))))].sort();
        report(vs, 'IST0101', ValidationSeverity.ERROR, `${dest.path}.subset`,
          `Referenced host+subset in destinationrule not found: "${host}+${dest.subset}" (subsets defined: ${known.length ? known.join(', ') : 'none'}). Fix: add subset "${dest.subset}" to DestinationRule ${drs.map((dr) => `${nsOf(dr.doc)}/${nameOf(dr.doc)}`).join(', ')} or route to an existing subset`);
      }
    } else if (services.has(host) || serviceEntryHosts.has(host)) {
      report(vs, 'IST0101', ValidationSeverity.ERROR, `${dest.path}.subset`,
        `Referenced host+subset in destinationrule not found: "${host}+${dest.subset}": no DestinationRule for this host defines subsets. Fix: add a DestinationRule for "${host}" with subset "${dest.subset}"`);
    }
  }
}

/**
 * Ports of destinations toward a Service the input defines (istioctl analyze's destination-host analyzer):
 * IST0112 when the Service has several ports and the destination names none; IST0101 when the destination
 * names a port the Service does not have.
 */
function checkDestinationPorts(c: RuleContext, vs: _MeshInput): void {
  const ns = nsOf(vs.doc);
  for (const dest of destinations(vs.doc.spec)) {
    const svc = c.ix.services.get(_resolveShortname(dest.host, ns));
    if (!svc) continue;
    const ports = (svc.doc.spec?.ports ?? []).map((p: { port?: unknown }) => p?.port).filter((p: unknown): p is number => typeof p === 'number');
    if (dest.port === undefined && ports.length > 1) {
      c.report(vs, 'IST0112', ValidationSeverity.ERROR, dest.path,
        `This VirtualService routes to a service "${dest.host}" that exposes multiple ports [${ports.join(' ')}]. Specifying a port in the destination is required to disambiguate. Fix: set destination.port.number to one of ${ports.join(', ')}`);
    } else if (typeof dest.port === 'number' && ports.length > 0 && !ports.includes(dest.port)) {
      c.report(vs, 'IST0101', ValidationSeverity.ERROR, `${dest.path}.port.number`,
        `Referenced host:port not found: "${dest.host}:${dest.port}" (the Service's ports: ${ports.join(', ')}). Fix: route to one of the Service's ports`);
    }
  }
}

/** IST0149: JWT claim matches without a RequestAuthentication where the claims are populated. */
function checkClaims(c: RuleContext, vs: _MeshInput, gatewayNamespaces: Set<string>): void {
  const { report, root } = c;
  const { raNamespaces } = c.ix;
  const d = vs.doc;
  const ns = nsOf(d);
  items(d.spec?.http).forEach((h, i) => {
    items(h?.match).forEach((m, j) => {
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

/**
 * IST0109: two VirtualServices for one host on the mesh gateway (istioctl looks at the mesh only). On another
 * gateway Istio merges them: rules appended in creation order, catch-all routes moved to the end
 * (SortVHostRoutes). KIA1106 warns only where that order matters: the same match in two of them, where the
 * rule of the younger one never matches.
 */
function checkHostConflicts(c: RuleContext, hostOwners: Map<string, _MeshInput[]>): void {
  for (const [owner, list] of hostOwners) {
    const distinct = new Map(list.map((v) => [`${nsOf(v.doc)}/${nameOf(v.doc)}`, v]));
    if (distinct.size < 2) continue;
    const [gw, host] = owner.split('|');
    const names = [...distinct.keys()].sort();
    if (gw !== _MESH_GATEWAY) {
      checkMergedMatches(c, gw, host, distinct);
      continue;
    }
    for (const [id, vs] of distinct) {
      c.report(vs, 'IST0109', ValidationSeverity.ERROR, 'spec.hosts',
        `The VirtualServices ${names.join(', ')} associated with mesh gateway define the same host "${host}", which can lead to undefined behavior. Fix: merge them into one VirtualService (other: ${names.filter((n) => n !== id).join(', ')})`);
    }
  }
}

/** KIA1106: one match (catch-alls count as one) in several VirtualServices merged on one gateway. */
function checkMergedMatches(c: RuleContext, gw: string, host: string, vss: Map<string, _MeshInput>): void {
  const byMatch = new Map<string, Array<{ id: string; vs: _MeshInput; path: string }>>();
  for (const [id, vs] of vss) {
    items(vs.doc.spec?.http).forEach((r, i) => {
      const matches = items(_field(r, 'match'));
      (matches.length ? matches : [{}]).forEach((m, j) => {
        const key = matchKey(m);
        const list = byMatch.get(key) ?? [];
        if (!list.some((x) => x.id === id)) list.push({ id, vs, path: matches.length ? `spec.http[${i}].match[${j}]` : `spec.http[${i}]` });
        byMatch.set(key, list);
      });
    });
  }
  for (const list of byMatch.values()) {
    if (list.length < 2) continue;
    const ids = list.map((x) => x.id).sort();
    for (const { vs, path } of list) {
      c.report(vs, 'KIA1106', ValidationSeverity.WARNING, path,
        `More than one VirtualService for host "${host}" on gateway "${gw}" has this match (${ids.join(', ')}): Istio merges them in creation order, so only the oldest one's rule ever matches. Fix: keep the rule in one VirtualService`);
    }
  }
}

/** A match's identity for merging: its conditions without `name`; every catch-all (no condition, or only `uri.prefix: /`) is one. */
function matchKey(m: unknown): string {
  const entries = Object.entries((m && typeof m === 'object' ? m : {}) as Record<string, unknown>).filter(([k]) => k !== 'name').sort(([a], [b]) => a.localeCompare(b));
  const catchAll = entries.every(([k, v]) => k === 'gateways' || (k === 'uri' && _field(v, 'prefix') === '/'));
  return catchAll ? 'catch-all' : JSON.stringify(entries);
}

/** MESH003: TLS disabled toward a namespace that requires STRICT mutual TLS. */
export function checkDestinationRuleTls(c: RuleContext): void {
  const { report, root } = c;
  const { destinationRules, paByNamespace } = c.ix;
  for (const dr of destinationRules) {
    const d = dr.doc;
    const host = _resolveShortname(String(d.spec?.host ?? ''), nsOf(d));
    const serviceNs = _parseServiceFqdn(host)?.namespace;
    if (serviceNs === undefined) continue;
    const pa = paByNamespace.get(serviceNs) ?? paByNamespace.get(root);
    if (pa?.doc.spec?.mtls?.mode !== 'STRICT') continue;
    const tlsSettings: Array<[string, unknown]> = [];
    const collect = (tp: unknown, path: string) => {
      if (!tp) return;
      tlsSettings.push([`${path}.tls.mode`, _field(tp, 'tls')]);
      items(_field(tp, 'portLevelSettings')).forEach((p, i) => tlsSettings.push([`${path}.portLevelSettings[${i}].tls.mode`, p?.tls]));
    };
    collect(d.spec?.trafficPolicy, 'spec.trafficPolicy');
    items(d.spec?.subsets).forEach((s, i) => collect(s?.trafficPolicy, `spec.subsets[${i}].trafficPolicy`));
    for (const [path, tls] of tlsSettings) {
      if (_field(tls, 'mode') === 'DISABLE') {
        report(dr, 'MESH003', ValidationSeverity.ERROR, path,
          `TLS is disabled toward "${host}", but namespace ${serviceNs} requires mutual TLS (PeerAuthentication ${nsOf(pa.doc)}/${nameOf(pa.doc)} mode STRICT): every call will be refused. Fix: use tls mode ISTIO_MUTUAL (or drop the tls setting)`);
      }
    }
  }
}

/** MESH002: a Telemetry or CUSTOM AuthorizationPolicy naming a provider the mesh config does not declare. */
export function checkProviders(c: RuleContext): void {
  const { report, options } = c;
  const { telemetries, authorizationPolicies } = c.ix;
  if (options.providers) {
    const allowed = new Set([...BUILT_IN_PROVIDERS, ...options.providers]);
    const check = (input: _MeshInput, name: unknown, path: string) => {
      if (typeof name === 'string' && !allowed.has(name)) {
        report(input, 'MESH002', ValidationSeverity.ERROR, path,
          `Provider "${name}" is not declared in the mesh config (declared: ${[...allowed].sort().join(', ')}): Istio ignores the setting. Fix: add it to meshConfig.extensionProviders and declare it (code: MeshValidation.of(app).declareProviders(['${name}']); CLI: --provider ${name}), or correct the name`);
      }
    };
    for (const t of telemetries) {
      for (const section of ['tracing', 'accessLogging', 'metrics']) {
        items(t.doc.spec?.[section]).forEach((s, i) => {
          items(s?.providers).forEach((p, j) => check(t, p?.name, `spec.${section}[${i}].providers[${j}].name`));
        });
      }
    }
    for (const ap of authorizationPolicies) {
      if (ap.doc.spec?.action === 'CUSTOM') check(ap, ap.doc.spec?.provider?.name, 'spec.provider.name');
    }
  }
}

/** MESH004: principals / namespaces naming what the app defines under another name (a typo). */
export function checkIdentities(c: RuleContext): void {
  const { report } = c;
  const { authorizationPolicies, definedNamespaces, serviceAccounts } = c.ix;
  for (const ap of authorizationPolicies) {
    items(ap.doc.spec?.rules).forEach((r, i) => {
      items(r?.from).forEach((f, j) => {
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
}

/** `gateway.istio.io/managed` values of the Services Istio deploys for Gateway API gateways and waypoints. */
const ISTIO_MANAGED_GATEWAY = new Set(['istio.io-gateway-controller', 'istio.io-mesh-controller', 'istio.io-eastwest-controller']);

/** IST0118: Service ports without a protocol Istio can select. */
export function checkPortNames(c: RuleContext): void {
  const { report } = c;
  const { services } = c.ix;
  for (const svc of services.values()) {
    // istioctl skips the control plane and gateways (util.IsIstioControlPlane: an `istio` label or release=istio;
    // Services of Istio-deployed gateways): their ports (status-port 15021...) are Istio's own
    const labels = svc.doc.metadata?.labels ?? {};
    if (svc.doc.spec?.type === 'ExternalName' || labels.istio !== undefined || labels.release === 'istio' || ISTIO_MANAGED_GATEWAY.has(labels['gateway.istio.io/managed'])) continue;
    items(svc.doc.spec?.ports).forEach((p, i) => {
      if (portHasProtocol(p)) return;
      if (p?.appProtocol !== undefined) {
        // Istio reads appProtocol instead of the name (Kiali KIA0602)
        return report(svc, 'IST0118', ValidationSeverity.WARNING, `spec.ports[${i}].appProtocol`,
          `appProtocol "${p.appProtocol}" (port ${p?.port}) is not a protocol Istio knows, and Istio reads it instead of the port name: it cannot select the protocol and sniffs it. Fix: set appProtocol to http, http2, https, grpc, grpc-web, tcp, tls, mongo, mysql, redis (optionally with a -suffix) or kubernetes.io/h2c, kubernetes.io/ws, kubernetes.io/wss, or remove it and name the port <protocol>[-<suffix>]`);
      }
      report(svc, 'IST0118', ValidationSeverity.WARNING, `spec.ports[${i}]`,
        `Port name ${p?.name === undefined ? '(none)' : `"${p.name}"`} (port ${p?.port}) is not under the naming convention: Istio cannot select the protocol and treats the traffic as opaque TCP. Fix: name it <protocol>[-<suffix>] (e.g. "http", "grpc-api") or set appProtocol`);
    });
  }
}

/** Kinds that act on the proxies of their own namespace's workloads (VirtualService, DestinationRule, ServiceEntry act on callers). */
const NAMESPACE_PROXY_KINDS = new Set(['Sidecar', 'AuthorizationPolicy', 'PeerAuthentication', 'RequestAuthentication', 'Telemetry']);

/** A pod that gets a proxy whatever its namespace's labels: the injector's object selector, or a gateway template. */
function podHasProxy(labels: Record<string, string>, annotations: Record<string, string>): boolean {
  return labels['sidecar.istio.io/inject'] === 'true' || annotations['inject.istio.io/templates'] !== undefined;
}

/**
 * IST0102 (the library's stricter form): a Namespace of the input without injection or ambient labels holds
 * policies that act on its own workloads' proxies (Sidecar, AuthorizationPolicy, PeerAuthentication,
 * RequestAuthentication, Telemetry; not those with targetRefs, nor routing, which acts on callers). An error
 * when the input defines the namespace's workloads and none gets a proxy; a warning when it defines none
 * (they may be injected by pod label). Silent when a pod gets a proxy by its own label or gateway template,
 * or a Gateway API Gateway (its deployed proxy) lives there.
 */
export function checkEnrolment(c: RuleContext): void {
  const { root } = c;
  const gatewayNamespaces = new Set(c.inputs.filter((i) => i.doc?.kind === 'Gateway' && _apiGroup(i.doc) === 'gateway.networking.k8s.io').map((i) => nsOf(i.doc)));
  for (const [name, input] of c.ix.namespaces) {
    if (name === root || gatewayNamespaces.has(name)) continue;
    const labels = input.doc.metadata?.labels ?? {};
    const enrolled = labels['istio-injection'] === 'enabled' || (labels['istio.io/rev'] !== undefined && labels['istio-injection'] !== 'disabled')
      || labels['istio.io/dataplane-mode'] === 'ambient';
    const policies = (c.ix.meshResourcesByNamespace.get(name) ?? [])
      .filter((m) => NAMESPACE_PROXY_KINDS.has(m.doc.kind) && !m.doc.spec?.targetRef && !m.doc.spec?.targetRefs);
    const pods = c.ix.podsByNamespace.get(name) ?? [];
    if (enrolled || policies.length === 0 || pods.some((p) => podHasProxy(p.labels, p.annotations))) continue;
    const example = `${policies[0].doc.kind}/${nameOf(policies[0].doc)}`;
    const fix = 'Fix: label the namespace istio-injection=enabled, istio.io/rev=<revision> or istio.io/dataplane-mode=ambient';
    if (pods.length > 0) {
      c.report(input, 'IST0102', ValidationSeverity.ERROR, 'metadata.labels',
        `The namespace is not enabled for Istio injection, yet ${policies.length} policy resource(s) act on its workloads (e.g. ${example}), and none of its ${pods.length} workload(s) gets a proxy (e.g. ${pods[0].input.doc.kind}/${nameOf(pods[0].input.doc)}): the policies do nothing. ${fix}`);
    } else {
      c.report(input, 'IST0102', ValidationSeverity.WARNING, 'metadata.labels',
        `The namespace is not enabled for Istio injection, yet ${policies.length} policy resource(s) act on its workloads (e.g. ${example}): unless its pods are injected by their own label (sidecar.istio.io/inject=true), the policies do nothing. ${fix}`);
    }
  }
}

/** IST0111: several Sidecars without a workloadSelector in one namespace (which one applies is undefined). */
export function checkSidecars(c: RuleContext): void {
  for (const [ns, list] of c.ix.selectorlessSidecars) {
    const distinct = [...new Map(list.map((s) => [nameOf(s.doc), s])).values()];
    if (distinct.length < 2) continue;
    const names = distinct.map((s) => nameOf(s.doc)).sort();
    for (const s of distinct) {
      c.report(s, 'IST0111', ValidationSeverity.ERROR, 'spec',
        `Namespace ${ns} has more than one Sidecar without a workloadSelector (${names.join(', ')}): Istio applies one of them, which one is undefined. Fix: keep one namespace-wide Sidecar and give the others a workloadSelector`);
    }
  }
}
