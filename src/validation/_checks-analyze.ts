/**
 * istioctl analyze's static analyzers (Istio 1.30.3, pkg/config/analysis/analyzers and the analysis
 * warnings of pkg/config/validation) that can be decided from the manifests alone. One function per
 * analyzer, over the index built once (`_mesh-index.ts`); registered with their ids in `_rules.ts`.
 */
import { _ISTIO_ANNOTATIONS } from './_istio-annotations';
import { _MeshInput, _Pod, RuleContext, destinations, fullName, items, labelString, nameOf, nsOf, portHasProtocol, selectorMatches } from './_mesh-index';
import { ValidationSeverity } from './conformance';
import { _resolveShortname } from '../_naming';

const W = ValidationSeverity.WARNING;
const E = ValidationSeverity.ERROR;


/** IST0123: a namespace with more than one kind of injection label (injection.go). */
export function checkInjectionLabels(c: RuleContext): void {
  for (const [name, ns] of c.ix.namespaces) {
    if (name === 'istio-system') continue;
    const labels: Record<string, string> = ns.doc.metadata?.labels ?? {};
    const injection = labels['istio-injection'];
    const found: string[] = injection !== undefined ? [`istio-injection=${injection}`] : [];
    for (const l of ['istio.io/rev', 'istio.io/dataplane-mode']) {
      if (labels[l] !== undefined && (injection === undefined || injection === 'enabled')) found.push(`${l}=${labels[l]}`);
    }
    if (found.length > 1) {
      c.report(ns, 'IST0123', W, 'metadata.labels',
        `The namespace has more than one type of injection labels [${found.join(' ')}], which may lead to undefined behavior. Fix: keep one injection label (istio-injection=enabled, istio.io/rev=<revision> or istio.io/dataplane-mode=ambient)`);
    }
  }
}

/** The client TLS fields IST0128/IST0129 and IST0138 read. */
interface ClientTls {
  readonly mode?: unknown;
  readonly insecureSkipVerify?: unknown;
  readonly credentialName?: string;
  readonly serverCertificate?: string;
  readonly privateKey?: string;
}

/**
 * IST0128 / IST0129: SIMPLE or MUTUAL TLS toward a host without verifying its certificate. istioctl's
 * analyzer (ca-certificates.go) fires on an empty `caCertificates`, but Istio 1.30 then verifies against
 * the system roots (cluster_tls.go: `CaCertificatePath: NonEmptyOrDefault(tls.CaCertificates, "system")`;
 * VERIFY_CERTIFICATE_AT_CLIENT was removed): the certificate goes unverified only with `insecureSkipVerify`.
 */
export function checkCaCertificates(c: RuleContext): void {
  for (const dr of c.ix.destinationRules) {
    const spec = dr.doc.spec ?? {};
    const unverified = (tls: ClientTls | undefined) => (tls?.mode === 'SIMPLE' || tls?.mode === 'MUTUAL') && tls?.insecureSkipVerify === true;
    if (unverified(spec.trafficPolicy?.tls)) {
      c.report(dr, 'IST0128', W, 'spec.trafficPolicy.tls.insecureSkipVerify',
        `DestinationRule ${fullName(dr.doc)} has TLS mode set to ${spec.trafficPolicy.tls.mode} but does not validate the server identity for host: ${spec.host} (insecureSkipVerify: true). Fix: drop insecureSkipVerify (the system roots are used when caCertificates is empty) or set caCertificates`);
    }
    items(spec.trafficPolicy?.portLevelSettings).forEach((p, i) => {
      if (!unverified(p?.tls)) return;
      c.report(dr, 'IST0129', W, `spec.trafficPolicy.portLevelSettings[${i}].tls.insecureSkipVerify`,
        `DestinationRule ${fullName(dr.doc)} has TLS mode set to ${p.tls.mode} but does not validate the server identity for host: ${spec.host} at port ${p?.port?.number} (insecureSkipVerify: true). Fix: drop insecureSkipVerify or set caCertificates for this port`);
    });
  }
}

/** A stable serialisation of a match (keys sorted, HTTP match `name` dropped), as validation.go's asJSON compares them. */
function matchKey(m: unknown, dropName: boolean): string {
  const sort = (v: unknown): unknown => (Array.isArray(v) ? v.map(sort) : v && typeof v === 'object'
    ? Object.fromEntries(Object.keys(v).filter((k) => !(dropName && k === 'name' && v === m)).sort().map((k) => [k, sort((v as Record<string, unknown>)[k])])) : v);
  return JSON.stringify(sort(m));
}

/** IST0130 / IST0131: VirtualService rules that are never used, matches that duplicate an earlier one (validation.go). */
export function checkUnreachableRules(c: RuleContext): void {
  for (const vs of c.ix.virtualServices) {
    for (const proto of ['http', 'tcp', 'tls']) {
      const routes = vs.doc.spec?.[proto];
      if (!Array.isArray(routes)) continue;
      const seen = new Map<string, number>();
      let catchAll = -1;
      routes.forEach((route, i) => {
        const name = proto === 'http' && route?.name ? `"${route.name}"` : `#${i}`;
        const matches = items(route?.match);
        if (matches.length === 0) {
          if (catchAll >= 0) unreachable(c, vs, `spec.${proto}[${i}]`, name, 'only the last rule can have no matches');
          catchAll = i;
          return;
        }
        if (catchAll >= 0) return unreachable(c, vs, `spec.${proto}[${i}]`, name, 'route without matches defined before');
        let duplicates = 0;
        matches.forEach((m, j) => {
          const key = matchKey(m, proto === 'http');
          const dup = seen.get(key);
          if (dup === undefined) return void seen.set(key, i);
          duplicates++;
          const dupName = proto === 'http' && routes[dup]?.name ? `"${routes[dup].name}"` : `#${dup}`;
          c.report(vs, 'IST0131', W, `spec.${proto}[${i}].match[${j}]`,
            `VirtualService rule ${name} match ${proto === 'http' && m?.name ? `"${m.name}"` : `#${j}`} is not used (duplicate/overlapping match in rule ${dupName}). Fix: remove the match or make it differ from rule ${dupName}'s`);
        });
        if (duplicates === matches.length) unreachable(c, vs, `spec.${proto}[${i}]`, name, 'all matches used by prior rules');
      });
    }
  }
}

function unreachable(c: RuleContext, vs: _MeshInput, path: string, rule: string, reason: string): void {
  c.report(vs, 'IST0130', W, path,
    `VirtualService rule ${rule} not used (${reason}): Istio takes the first rule that matches. Fix: move the rule before the rule without matches, or remove it`);
}

/** IST0134: a ServiceEntry with TCP (or unnamed-protocol) ports and no addresses (protocoladdresses.go). */
export function checkServiceEntryAddresses(c: RuleContext): void {
  for (const se of c.ix.serviceEntries) {
    const spec = se.doc.spec ?? {};
    if (spec.addresses !== undefined || (se.doc.status?.addresses ?? []).length > 0) continue;
    items(spec.ports).forEach((p, i) => {
      if (!p?.protocol || String(p.protocol).toUpperCase() === 'TCP') {
        c.report(se, 'IST0134', W, `spec.ports[${i}]`,
          `ServiceEntry addresses are required for this protocol (port ${p?.number} is ${p?.protocol ? 'TCP' : 'without protocol'}): without an address, TCP traffic to the host cannot be told apart from other traffic on the port. Fix: set spec.addresses, use an HTTP/TLS protocol, or enable DNS auto-allocation (ISTIO_META_DNS_CAPTURE and ISTIO_META_DNS_AUTO_ALLOCATE)`);
      }
    });
  }
}

/** The certificate of a TLS server, as certificate.go's haveSameCertificate compares them. */
function certificateKey(tls: ClientTls | undefined): string | undefined {
  if (!tls) return undefined;
  if (tls.credentialName) return `credential:${tls.credentialName}`;
  if (tls.serverCertificate && tls.privateKey) return `files:${tls.serverCertificate}|${tls.privateKey}`;
  return undefined;
}

/** selectorSubset of certificate.go: every key of x is in y with the same value. */
function selectorSubset(x: Record<string, unknown>, y: Record<string, unknown>): boolean {
  return Object.entries(x).every(([k, v]) => y[k] === v);
}

/** IST0138: gateways selecting the same workloads that serve the same certificate (certificate.go). */
export function checkDuplicateCertificates(c: RuleContext): void {
  const byCert = new Map<string, Map<string, _MeshInput>>();
  for (const [key, gw] of c.ix.gateways) {
    for (const server of gw.doc.spec?.servers ?? []) {
      const cert = certificateKey(server?.tls);
      if (!cert) continue;
      const gws = byCert.get(cert) ?? new Map<string, _MeshInput>();
      gws.set(key, gw);
      byCert.set(cert, gws);
    }
  }
  for (const [cert, gws] of byCert) {
    if (gws.size < 2) continue;
    for (const [key, gw] of gws) {
      const sel = gw.doc.spec?.selector ?? {};
      const others = [...gws].filter(([k, o]) => k !== key && selectorSubset(sel, o.doc.spec?.selector ?? {})).map(([k]) => k).sort();
      for (const other of others) {
        c.report(gw, 'IST0138', W, 'spec.servers',
          `Duplicate certificate in multiple gateways [${key} ${other}] (${cert.replace(/^credential:/, 'credentialName ').replace(/^files:/, 'files ')}) may cause 404s if clients re-use HTTP2 connections. Fix: give each gateway its own certificate, or serve the hosts from one Gateway`);
      }
    }
  }
}

/** IST0140: a gateway route without a subset toward a host whose mesh VirtualService routes by subset (destinationhosts.go). */
export function checkIngressSubsets(c: RuleContext): void {
  const subsetRouters = new Map<string, Set<string>>(); // host (as written) -> VSs routing to it with a subset
  for (const vs of c.ix.virtualServices) {
    const hosts: unknown[] = vs.doc.spec?.hosts ?? [];
    for (const h of vs.doc.spec?.http ?? []) {
      for (const r of h?.route ?? []) {
        const dest = r?.destination;
        if (dest?.subset && hosts.includes(dest.host)) {
          const set = subsetRouters.get(dest.host) ?? new Set<string>();
          set.add(fullName(vs.doc));
          subsetRouters.set(dest.host, set);
        }
      }
    }
  }
  for (const vs of c.ix.virtualServices) {
    if (!Array.isArray(vs.doc.spec?.gateways) || vs.doc.spec.gateways.length === 0) continue;
    items(vs.doc.spec?.http).forEach((h, i) => {
      items(h?.route).forEach((r, j) => {
        if (r?.destination?.subset) return;
        for (const other of [...(subsetRouters.get(r?.destination?.host) ?? [])].sort()) {
          c.report(vs, 'IST0140', W, `spec.http[${i}].route[${j}].destination`,
            `Subset in virtual service ${other} has no effect on ingress gateway ${fullName(vs.doc)} requests: a gateway applies only the VirtualServices bound to it. Fix: route to the subset here too, or delegate to ${other}`);
        }
      });
    });
  }
}

/**
 * Do two Gateway selectors pick a common gateway pod? Istio applies a Gateway to every proxy whose labels
 * include its selector (an empty selector: every gateway proxy): when one selector is a subset of the other,
 * every pod the narrower one picks runs both; otherwise, when a pod of the input matches both. (istioctl
 * compares selector strings, and pods only when one string contains the other.) Pods are looked up by their
 * rarest label, once per pair of selectors.
 */
function selectorOverlap(pods: () => _Pod[]): (a: Record<string, unknown>, b: Record<string, unknown>) => boolean {
  let byLabel: Map<string, _Pod[]> | undefined;
  const memo = new Map<string, boolean>();
  return (a, b) => {
    if (selectorSubset(a, b) || selectorSubset(b, a)) return true;
    const key = `${labelString(a)}#${labelString(b)}`;
    const known = memo.get(key);
    if (known !== undefined) return known;
    const both: Record<string, unknown> = { ...a, ...b };
    let found = Object.entries(b).every(([k, v]) => !(k in a) || a[k] === v);
    if (found) {
      if (!byLabel) {
        byLabel = new Map();
        for (const p of pods()) {
          for (const [k, v] of Object.entries(p.labels)) {
            const list = byLabel.get(`${k}=${v}`) ?? [];
            list.push(p);
            byLabel.set(`${k}=${v}`, list);
          }
        }
      }
      const lists = Object.entries(both).map(([k, v]) => byLabel!.get(`${k}=${v}`) ?? []);
      const rarest = lists.reduce((x, y) => (y.length < x.length ? y : x));
      found = rarest.some((p) => selectorMatches(both, p.labels));
    }
    memo.set(key, found);
    return found;
  };
}

/**
 * IST0145: two gateways on common workloads serving the same host (and bind) on the same port
 * (conflictinggateway.go; Istio's gateway merge skips the later TLS server, model.CheckDuplicates, and
 * concatenates plain HTTP routes per host, gateway.go vHostDedupMap).
 */
export function checkConflictingGateways(c: RuleContext): void {
  // port|bind|host -> servers
  const byHost = new Map<string, Array<{ key: string; sel: Record<string, unknown> }>>();
  const entries: Array<{ gw: _MeshInput; key: string; sel: Record<string, unknown>; hosts: string[]; bind: string; port: unknown; i: number }> = [];
  for (const [key, gw] of c.ix.gateways) {
    const raw = gw.doc.spec?.selector;
    const sel: Record<string, unknown> = raw && typeof raw === 'object' ? raw : {};
    items(gw.doc.spec?.servers).forEach((server, i) => {
      const hosts: string[] = items(server?.hosts).filter((h: unknown): h is string => typeof h === 'string');
      const bind = String(server?.bind ?? '');
      for (const h of new Set(hosts)) {
        const slot = `${server?.port?.number}|${bind}|${h}`;
        const list = byHost.get(slot) ?? [];
        if (!list.some((o) => o.key === key)) list.push({ key, sel });
        byHost.set(slot, list);
      }
      entries.push({ gw, key, sel, hosts, bind, port: server?.port?.number, i });
    });
  }
  const overlap = selectorOverlap(() => [...c.ix.podsByNamespace.values()].flat());
  for (const e of entries) {
    const others = new Set<string>();
    for (const h of e.hosts) {
      for (const o of byHost.get(`${e.port}|${e.bind}|${h}`) ?? []) {
        if (o.key !== e.key && overlap(e.sel, o.sel)) others.add(o.key);
      }
    }
    if (others.size === 0) continue;
    c.report(e.gw, 'IST0145', E, `spec.servers[${e.i}]`,
      `Conflict with gateways ${[...others].sort().join(',')} (workload selector ${labelString(e.sel)}, port ${e.port}, hosts ${e.hosts.join(',')}): the gateway pods both select serve one host twice on one port: with TLS Istio drops one of the servers (its certificate is not served), over plain HTTP the routes of both gateways' VirtualServices are concatenated in one virtual host (the first catch-all wins). Fix: serve the host from one Gateway, or change the port or selector`);
  }
}

/** IST0150: an ExternalName Service whose port Istio cannot select a protocol for, or named `tcp` (portname.go). */
export function checkExternalNamePorts(c: RuleContext): void {
  for (const svc of c.ix.services.values()) {
    if (svc.doc.spec?.type !== 'ExternalName') continue;
    items(svc.doc.spec?.ports).forEach((p, i) => {
      if (portHasProtocol(p) && p?.name !== 'tcp') return;
      c.report(svc, 'IST0150', W, `spec.ports[${i}]`,
        `Port name ${p?.name === undefined ? '(none)' : `"${p.name}"`} for ExternalName service is invalid. Proxy may prevent tcp named ports and unmatched traffic for ports serving TCP protocol from being forwarded correctly. Fix: name the port after its protocol (http, https, grpc, tls...) or set appProtocol`);
    });
  }
}

/** IST0157 (access logging without providers) and IST0160 (several selector-less Telemetries in a namespace). */
export function checkTelemetries(c: RuleContext): void {
  const selectorless = new Map<string, _MeshInput[]>();
  for (const t of c.ix.telemetries) {
    const spec = t.doc.spec ?? {};
    items(spec.accessLogging).forEach((l, i) => {
      if (l?.disabled === true || (l?.providers ?? []).length > 0) return;
      c.report(t, 'IST0157', W, `spec.accessLogging[${i}].providers`,
        `The Telemetry ${nameOf(t.doc)} in namespace "${nsOf(t.doc)}" with empty providers will be ignored (meshConfig.defaultProviders.accessLogging is empty by default). Fix: name a provider (e.g. envoy) or set defaultProviders.accessLogging in the mesh config`);
    });
    if (!spec.selector && !spec.targetRef && !spec.targetRefs) {
      const list = selectorless.get(nsOf(t.doc)) ?? [];
      if (!list.some((o) => nameOf(o.doc) === nameOf(t.doc))) list.push(t);
      selectorless.set(nsOf(t.doc), list);
    }
  }
  for (const [ns, list] of selectorless) {
    if (list.length < 2) continue;
    const names = list.map((t) => nameOf(t.doc)).sort();
    for (const t of list) {
      c.report(t, 'IST0160', E, 'spec',
        `The Telemetries [${names.join(' ')}] in namespace "${ns}" have no workload selector, which can lead to undefined behavior. Fix: keep one namespace-wide Telemetry and give the others a selector`);
    }
  }
}

/** Labels Istio adds to every pod (label.AugmentLabels): a subset selecting on them is not decidable from the manifests. */
const AUGMENTED_LABEL = /^(topology\.kubernetes\.io\/|topology\.istio\.io\/|kubernetes\.io\/hostname$|failure-domain\.beta\.kubernetes\.io\/)/;

/**
 * IST0173: a route to a DestinationRule subset that selects none of the Service's pods (subset.go), decided
 * only when the input defines the Service and at least one pod (or pod template) it selects. istioctl
 * reports every such subset; a subset nothing routes to is harmless (declared ahead of a canary), so here
 * only subsets a VirtualService of the input routes to are reported (the 503 UH is certain).
 */
export function checkSubsetPods(c: RuleContext): void {
  const routed = new Map<string, string>(); // host|subset -> the first VirtualService routing there
  for (const vs of c.ix.virtualServices) {
    for (const d of destinations(vs.doc.spec)) {
      const key = `${_resolveShortname(d.host, nsOf(vs.doc))}|${d.subset}`;
      if (d.subset && !routed.has(key)) routed.set(key, fullName(vs.doc));
    }
  }
  for (const dr of c.ix.destinationRules) {
    const subsets = dr.doc.spec?.subsets;
    if (!Array.isArray(subsets) || subsets.length === 0 || typeof dr.doc.spec?.host !== 'string') continue;
    const host = _resolveShortname(dr.doc.spec.host, nsOf(dr.doc));
    const svc = c.ix.services.get(host);
    const selector = svc?.doc.spec?.selector;
    if (!svc || !selector || typeof selector !== 'object' || Object.keys(selector).length === 0) continue;
    const pods = (c.ix.podsByNamespace.get(nsOf(svc.doc)) ?? []).filter((p) => selectorMatches(selector, p.labels));
    if (pods.length === 0) continue; // the Service's workloads are not in the input: not decidable
    subsets.forEach((s, i) => {
      const labels = s?.labels ?? {};
      if (!routed.has(`${host}|${s?.name}`) || Object.keys(labels).some((k) => AUGMENTED_LABEL.test(k))) return;
      if (pods.some((p) => selectorMatches(labels, p.labels))) return;
      c.report(dr, 'IST0173', E, `spec.subsets[${i}].labels`,
        `The Subset ${s?.name} defined in the DestinationRule does not select any pods (labels ${JSON.stringify(labels)}; the pods of Service ${fullName(svc.doc)} in the input: ${describePods(pods)}), and VirtualService ${routed.get(`${host}|${s?.name}`)} sends traffic to it: 503 UH (NoHealthyUpstream). Fix: use labels the pod template sets, add the workload, or stop routing to the subset`);
    });
  }
}

function describePods(pods: _Pod[]): string {
  return pods.slice(0, 3).map((p) => `${p.input.doc.kind}/${nameOf(p.input.doc)} ${JSON.stringify(p.labels)}`).join(', ') + (pods.length > 3 ? ', ...' : '');
}

/**
 * Annotations of Istio's domains (annotations.go istioAnnotation). istioctl matches any prefix ending in
 * "istio.io", which takes other owners' domains too (e.g. `validation.cdk8s-istio.io/...`; this library uses `.dev` for that reason): here the
 * prefix must be `istio.io` or end in `.istio.io`.
 */
function isIstioAnnotation(a: string): boolean {
  const prefix = a.includes('/') ? a.split('/')[0] : '';
  return a === 'kubernetes.io/ingress.class' || prefix === 'istio.io' || prefix.endsWith('.istio.io');
}
/** Set by Istio itself (maturity.AlwaysIgnoredAnnotations). */
const IGNORED_ANNOTATIONS = new Set(['sidecar.istio.io/status', 'gateway.istio.io/controller-version', 'istio.io/rev']);

/** IST0108 (unknown), IST0107 (misplaced) and IST0135 (deprecated) Istio annotations (annotations.go). */
export function checkAnnotations(c: RuleContext): void {
  for (const input of c.ix.annotated) {
    const d = input.doc;
    checkAnnotationsOf(c, input, d.kind, d.metadata?.annotations, d.metadata?.labels, 'metadata');
  }
  for (const pods of c.ix.podsByNamespace.values()) {
    for (const p of pods) {
      if (p.path !== 'metadata') checkAnnotationsOf(c, p.input, 'Pod', p.annotations, p.labels, p.path);
    }
  }
}

function checkAnnotationsOf(c: RuleContext, input: _MeshInput, kind: string, annotations: unknown,
  labels: Record<string, string> | undefined, base: string): void {
  if (!annotations || typeof annotations !== 'object') return;
  for (const ann of Object.keys(annotations).sort()) {
    if (!isIstioAnnotation(ann) || IGNORED_ANNOTATIONS.has(ann)) continue;
    const path = `${base}.annotations["${ann}"]`;
    const def = _ISTIO_ANNOTATIONS.get(ann);
    if (!def) {
      c.report(input, 'IST0108', W, path, `Unknown annotation: ${ann} (Istio 1.30 defines no such annotation; it has no effect). Fix: check the spelling against https://istio.io/latest/docs/reference/config/annotations/`);
      continue;
    }
    if (def.deprecated && !(ann === 'sidecar.istio.io/inject' && labels?.['sidecar.istio.io/inject'] !== undefined)) {
      c.report(input, 'IST0135', W, path, `Deprecated annotation: ${ann}${ann === 'sidecar.istio.io/inject' ? ' in favor of the "sidecar.istio.io/inject" label' : ''}. Fix: remove it or use its replacement`);
    }
    if (def.resources.includes('Any') || def.resources.includes(kind)) continue;
    c.report(input, 'IST0107', W, path,
      `Misplaced annotation: ${ann} can only be applied to ${def.resources.join(', ')}${kind === 'Deployment' ? ' (put it on the pod template: spec.template.metadata.annotations)' : ''}. Fix: move it to a ${def.resources.join(' or ')}`);
  }
}

/** IST0002: deprecated fields and removed kinds (deprecation.go). */
export function checkDeprecations(c: RuleContext): void {
  for (const vs of c.ix.virtualServices) {
    items(vs.doc.spec?.http).forEach((h, i) => {
      if (typeof h?.fault?.delay?.percent === 'number' && h.fault.delay.percent > 0) {
        c.report(vs, 'IST0002', W, `spec.http[${i}].fault.delay.percent`,
          'Deprecated: HTTPRoute.fault.delay.percent is deprecated; use HTTPRoute.fault.delay.percentage. Fix: percentage: { value: <percent> }');
      }
    });
  }
  for (const sc of c.ix.sidecars) {
    if (sc.doc.spec?.outboundTrafficPolicy?.egressProxy !== undefined) {
      c.report(sc, 'IST0002', W, 'spec.outboundTrafficPolicy.egressProxy',
        'Deprecated: OutboundTrafficPolicy.EgressProxy ignored. Fix: remove it and route egress through an egress gateway');
    }
  }
  for (const o of c.ix.removedKinds) {
    c.report(o, 'IST0002', W, '',
      `Deprecated: Custom resource type ${o.doc.apiVersion?.split('/')[0]} ${o.doc.kind} is removed: Istio ignores it. Fix: use security.istio.io/v1 AuthorizationPolicy`);
  }
}
