/**
 * Istio 1.30's naming rules, in one place: short host -> FQDN, Service FQDN <-> (name, namespace),
 * wildcard host matching, `namespace/host` and gateway references, exportTo, and the names of a service's
 * per-version objects (Deployments, per-version Services) and of the edge's route rules. Every caller in the
 * library uses these; nothing here is part of the public API (not exported from index.ts).
 *
 * Each rule names the Go function of istio/istio (tag 1.30.3) it follows.
 */
import { createHash } from 'crypto';
import { isIPv4, isIPv6 } from 'net';
import { _invalid, _isDnsSubdomain, _suggestName, _validateDnsLabel } from './_utils';

/** The Kubernetes cluster domain Istio assumes unless told otherwise (`meshConfig`/`--domain`). @internal */
export const _CLUSTER_DOMAIN = 'cluster.local';

/** The reserved gateway name of the sidecars (`VirtualService.gateways`: `mesh`). @internal */
export const _MESH_GATEWAY = 'mesh';

const LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

// ---------------------------------------------------------------------------------------------------
// Hosts in configuration (VirtualService hosts and destinations, DestinationRule host, ...)
// ---------------------------------------------------------------------------------------------------

/**
 * A host of a configuration object in `namespace`, as Istio resolves it (`ResolveShortnameToFQDN`,
 * pilot/pkg/model/config.go): only a name WITHOUT a dot is short and becomes
 * `<name>.<namespace>.svc.<domain>`; `*`, an IP address and any name with a dot (`reviews.bookinfo`
 * included) are taken as they are. Istio's VirtualService `hosts` reference says the same: "short-names can
 * also be used instead of a FQDN (i.e. has no dots in the name)", interpreted in the rule's namespace.
 * @internal
 */
export function _resolveShortname(host: string, namespace: string, domain: string = _CLUSTER_DOMAIN): string {
  if (host.length === 0 || host === '*' || isIPv4(host) || isIPv6(host) || host.includes('.')) return host;
  const withNs = namespace !== '' ? `${host}.${namespace}` : host;
  return domain !== '' ? `${withNs}.svc.${domain}` : withNs;
}

/**
 * The Service FQDN a client in `clientNamespace` reaches when it sends `host` as its Host header, else
 * `host` unchanged. Istio gives a Kubernetes Service's virtual host these extra domains
 * (`GenerateAltVirtualHosts` / `generateAltVirtualHostsForKubernetesService`,
 * pilot/pkg/networking/core/httproute.go): `<name>.<ns>` and `<name>.<ns>.svc` from any namespace,
 * `<name>` from the Service's own namespace. This is request naming, not configuration naming: a
 * configuration host `reviews.bookinfo` is NOT expanded (see `_resolveShortname`).
 * @internal
 */
export function _clientHostToFqdn(host: string, clientNamespace: string, domain: string = _CLUSTER_DOMAIN): string {
  if (host.includes('*') || isIPv4(host) || isIPv6(host)) return host;
  const labels = host.split('.');
  if (labels.some((l) => l.length === 0)) return host;
  if (labels.length === 1) return _serviceFqdn(host, clientNamespace, domain);
  if (labels.length === 2) return `${host}.svc.${domain}`;
  if (labels.length === 3 && labels[2] === 'svc') return `${host}.${domain}`;
  return host;
}

/**
 * The FQDN of Service `name` in `namespace`: `<name>.<namespace>.svc.<domain>` (Kubernetes DNS, and the
 * hostname Istio's Kubernetes registry gives a Service, `kube.ServiceHostname`).
 * @internal
 */
export function _serviceFqdn(name: string, namespace: string, domain: string = _CLUSTER_DOMAIN): string {
  return `${name}.${namespace}.svc.${domain}`;
}

/**
 * Does `host` name a Kubernetes Service (`<...>.svc.<...>`)? Istio's own test: the host contains
 * `.svc.` after its first character (`generateAltVirtualHostsForKubernetesService`).
 * @internal
 */
export function _isKubernetesServiceHost(host: string): boolean {
  return host.indexOf('.svc.') > 0;
}

/**
 * The Service name and namespace of an in-cluster FQDN `<name>.<namespace>.svc.<domain>` (any cluster
 * domain), or undefined for any other host. Split as `generateAltVirtualHostsForKubernetesService` does
 * (name = up to the first dot, namespace = up to the first `.svc.`), and both must be RFC 1123 labels.
 * @internal
 */
export function _parseServiceFqdn(host: string): { name: string; namespace: string } | undefined {
  const svc = host.indexOf('.svc.');
  const dot = host.indexOf('.');
  if (svc <= 0 || dot >= svc || svc + '.svc.'.length >= host.length) return undefined;
  const name = host.slice(0, dot);
  const namespace = host.slice(dot + 1, svc);
  return LABEL.test(name) && LABEL.test(namespace) && name.length <= 63 && namespace.length <= 63 ? { name, namespace } : undefined;
}

// ---------------------------------------------------------------------------------------------------
// Wildcard hosts (pkg/config/host/name.go)
// ---------------------------------------------------------------------------------------------------

/** `host.Name.IsWildCarded`: the host starts with `*` (`*`, `*.example.com`). @internal */
export function _isWildcarded(host: string): boolean {
  return host.length > 0 && host[0] === '*';
}

/**
 * `host.Name.Matches`: do the two hosts overlap? Exact names must be equal; a wildcard `*X` covers every
 * host ending with `X`; two wildcards overlap when one's suffix ends with the other's
 * (`*.com` and `*.example.com` overlap; `*.example.com` and `example.com` do not; `*` overlaps all).
 * @internal
 */
export function _hostsMatch(a: string, b: string): boolean {
  const aw = _isWildcarded(a);
  const bw = _isWildcarded(b);
  if (aw && bw) return a.length < b.length ? b.slice(1).endsWith(a.slice(1)) : a.slice(1).endsWith(b.slice(1));
  if (aw) return b.endsWith(a.slice(1));
  if (bw) return a.endsWith(b.slice(1));
  return a === b;
}

/**
 * `host.Name.SubsetOf`: is every host `a` names also named by `b`? (`a.example.com` is a subset of
 * `*.example.com`; `*.example.com` is not a subset of `a.example.com`.)
 * @internal
 */
export function _hostSubsetOf(a: string, b: string): boolean {
  const aw = _isWildcarded(a);
  const bw = _isWildcarded(b);
  if (aw && bw) return a.length >= b.length && a.slice(1).endsWith(b.slice(1));
  if (aw) return false;
  if (bw) return a.endsWith(b.slice(1));
  return a === b;
}

/**
 * A set of host patterns answering "does any of them `Matches` this host?" with lookups instead of a
 * scan: the host itself, then every `*<suffix>` of it; for a wildcard host `*.x` also every pattern
 * ending with `.x` (indexed by dot-suffix once, when the set is built). Agrees with `_hostsMatch`
 * over the members (a property test holds it to that).
 * @internal
 */
export class _HostSet {
  private readonly members = new Set<string>();
  /** Every `.suffix` (from a dot to the end) of every member. */
  private readonly dotSuffixes = new Set<string>();

  constructor(hosts: Iterable<string>) {
    for (const h of hosts) this.add(h);
  }

  public add(host: string): void {
    this.members.add(host);
    for (let i = host.indexOf('.'); i >= 0; i = host.indexOf('.', i + 1)) this.dotSuffixes.add(host.slice(i));
  }

  /** Does some member `Matches` `host`? */
  public matches(host: string): boolean {
    if (this.members.has(host)) return true;
    // members `*Y` with `host` (or, for a wildcard host `*X`, X) ending with Y
    const tail = _isWildcarded(host) ? host.slice(1) : host;
    for (let i = 0; i <= tail.length; i++) {
      if (this.members.has(`*${tail.slice(i)}`)) return true;
    }
    if (!_isWildcarded(host)) return false;
    // a wildcard host `*X` also matches every member ending with X
    if (tail.startsWith('.')) return this.dotSuffixes.has(tail);
    return [...this.members].some((m) => _hostsMatch(m, host)); // `*`, or a partial wildcard such as `*foo.com`
  }

  /** The members, in the order they were added. */
  public list(): string[] {
    return [...this.members];
  }
}

// ---------------------------------------------------------------------------------------------------
// namespace/name references
// ---------------------------------------------------------------------------------------------------

/**
 * `<namespace>/<host>` (Gateway server hosts, Sidecar egress hosts) split at the first `/`, as Istio's
 * `strings.Cut(host, "/")` (`host.NamesForNamespace`); a host without `/` is in every namespace (`*`).
 * `explicit` tells whether the namespace part was written.
 * @internal
 */
export function _splitNamespacedHost(raw: string): { namespace: string; host: string; explicit: boolean } {
  const slash = raw.indexOf('/');
  return slash < 0 ? { namespace: '*', host: raw, explicit: false } : { namespace: raw.slice(0, slash), host: raw.slice(slash + 1), explicit: true };
}

/**
 * Does the namespace part of a Gateway server host (`*`, `.`, or a namespace) let a VirtualService in
 * `routeNamespace` bind to it? `.` is the Gateway's own namespace (`sanitizeServerHostNamespace`,
 * pilot/pkg/model/gateway.go), `*` every namespace (`host.NamesForNamespace`).
 * @internal
 */
export function _hostNamespaceAllows(scope: string, routeNamespace: string, gatewayNamespace: string | undefined): boolean {
  if (scope === '*') return true;
  if (scope === '.') return routeNamespace === gatewayNamespace;
  return scope === routeNamespace;
}

/**
 * A VirtualService gateway reference as Istio resolves it in the VirtualService's `namespace`
 * (`resolveGatewayName`, pilot/pkg/model/config.go): `mesh` stays `mesh`; `<ns>/<name>` stays;
 * `./<name>` and a short `<name>` are in `namespace`; the legacy FQDN `<name>.<ns>[.svc...]` is `<ns>/<name>`.
 * @internal
 */
export function _resolveGatewayRef(ref: string, namespace: string): string {
  if (ref === _MESH_GATEWAY) return ref;
  const slash = ref.indexOf('/');
  if (slash >= 0) return ref.slice(0, slash) === '.' ? `${namespace}/${ref.slice(slash + 1)}` : ref;
  const dot = ref.indexOf('.');
  if (dot < 0) return `${namespace}/${ref}`;
  const next = ref.indexOf('.', dot + 1);
  return `${ref.slice(dot + 1, next < 0 ? undefined : next)}/${ref.slice(0, dot)}`;
}

// ---------------------------------------------------------------------------------------------------
// exportTo (validateExportTo, pkg/config/validation/validation.go; visibility.Instance.Validate)
// ---------------------------------------------------------------------------------------------------

/** Which resource the exportTo belongs to: Istio's rules differ for ServiceEntries and selector DestinationRules. @internal */
export interface _ExportToContext {
  /** The resource's namespace, when known (`.` and it are the same entry). */
  readonly namespace?: string;
  /** A ServiceEntry may use `~` (no one). */
  readonly isServiceEntry?: boolean;
  /** A DestinationRule with a workloadSelector may only be exported to its own namespace. */
  readonly hasWorkloadSelector?: boolean;
}

/**
 * Throws unless `exportTo` is valid where Istio validates it (`validateExportTo`): entries are `.`, `*`,
 * `~` (ServiceEntry only) or a namespace name; none twice (`.` and the own namespace count as the same);
 * `*` and `~` only alone; a DestinationRule with a workloadSelector only to its own namespace. Namespace
 * names are checked as Kubernetes namespaces (lowercase), stricter than Istio's case-insensitive label.
 * Returns a copy.
 * @internal
 */
export function _validateExportTo(exportTo: readonly string[], context: _ExportToContext = {}): string[] {
  const keys = new Map<string, string>(); // entry with "." as the own namespace -> entry as written
  for (const e of exportTo) {
    const key = e === '.' && context.namespace !== undefined ? context.namespace : e;
    const earlier = keys.get(key);
    if (earlier !== undefined) {
      throw earlier === e
        ? _invalid('exportTo', e, 'it is listed twice', 'list each namespace once')
        : _invalid('exportTo', exportTo, `"." and "${key}" both name the resource's own namespace`, 'keep one of them');
    }
    validateExportToEntry(e, exportTo, context.isServiceEntry ?? false);
    keys.set(key, e);
  }
  if (exportTo.length > 1 && keys.has('*')) {
    throw _invalid('exportTo', exportTo, '"*" already exports to all namespaces', 'give "*" alone');
  }
  if (exportTo.length > 1 && keys.has('~')) {
    throw _invalid('exportTo', exportTo, '"~" (no one) cannot be combined with other entries', 'give "~" alone');
  }
  if (context.hasWorkloadSelector && keys.size > 0 && (keys.size > 1 || !(keys.has('.') || keys.has(context.namespace ?? '.')))) {
    throw _invalid('exportTo', exportTo, 'a DestinationRule with a workloadSelector can only be exported to its own namespace',
      'use exportTo ["."], or drop the workloadSelector');
  }
  return [...exportTo];
}

function validateExportToEntry(e: string, exportTo: readonly string[], isServiceEntry: boolean): void {
  if (e === '.' || e === '*') return;
  if (e === '~') {
    if (isServiceEntry) return;
    throw _invalid('exportTo', exportTo, '"~" (no one) is allowed only on a ServiceEntry; Istio rejects it on other configuration',
      'use "." to keep the resource in its own namespace');
  }
  _validateDnsLabel('exportTo', e);
}

// ---------------------------------------------------------------------------------------------------
// Per-version objects of a service (CanaryService, MultiVersionService, MeshGateway's Gateway API backends)
// ---------------------------------------------------------------------------------------------------

/**
 * The name of a version's Deployment: `<service>-<version>` (lowercase; "catalog-1.2.0"), made DNS-safe
 * when the version is not ("catalog-v1_rc" -> "catalog-v1-rc"). Named by version, not by side, so
 * promoting a canary keeps its Deployment (and its running pods).
 * @internal
 */
export function _versionedName(service: string, version: string): string {
  const name = `${service}-${version.toLowerCase()}`;
  return name.length <= 63 && _isDnsSubdomain(name) ? name : _suggestName(name);
}

/**
 * The name of a version's own Service (selecting the app and version labels): the versioned name as a DNS
 * label, since Service names have no dots ("catalog-1.2.0" -> "catalog-1-2-0"). One name wherever such a
 * Service is made: CanaryService's Gateway API dialect (which names its Deployments the same), MeshGateway's
 * Gateway API backends for a subset, and the canary analysis, which reads their metrics by this name.
 * @internal
 */
export function _versionServiceName(service: string, version: string): string {
  return _versionedName(service, version).replace(/\./g, '-');
}

// ---------------------------------------------------------------------------------------------------
// Route rules the library generates (MeshGateway's Gateway API edge routes)
// ---------------------------------------------------------------------------------------------------

/**
 * The `name` of a route rule from its match alone, so it stays the same however many rules come before it
 * (`cdk8s-istio diff` reports weight moves by rule name). A DNS subdomain, as the Gateway API's
 * `HTTPRouteRule.name` must be: `<pathKind>[-<segment>...]`, e.g. `prefix-catalog` (PathPrefix
 * /catalog), `exact-api-v1`, `prefix` (PathPrefix /), for a match on the path alone whose segments are
 * lowercase letters and digits (so no two such paths get one name); any other match (headers, a cookie,
 * other path characters, a trailing slash) gets a readable part with the header names and `-h` plus 8 hex
 * digits of the SHA-256 of `matchKey` (the whole match): `prefix-catalog-x-beta-h1c2d3e4f`.
 * @internal
 */
export function _matchRuleName(pathKind: string, path: string, headerNames: string[], matchKey: string): string {
  const segments = path.split('/').filter((p) => p !== '');
  const readable = [pathKind, ...segments].join('-');
  if (headerNames.length === 0 && /^(\/[a-z0-9]+)*$|^\/$/.test(path) && readable.length <= 63) return readable;
  const hash = createHash('sha256').update(matchKey).digest('hex').slice(0, 8);
  return `${_suggestName([readable, ...headerNames].join('-'), 53)}-h${hash}`;
}
