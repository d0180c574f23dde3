/**
 * Kiali's security validations (AuthorizationPolicy, PeerAuthentication, DestinationRule mTLS: KIA0101-0108,
 * KIA0204-0208, KIA0401-0506, KIA1301) with Istio 1.30's own semantics, not Kiali's approximations:
 *
 * - auto mTLS is on by default (meshConfig `enableAutoMtls`): a client without a DestinationRule sends Istio
 *   mTLS to a sidecar endpoint unless the server's PeerAuthentication is DISABLE
 *   (pilot/pkg/networking/core/cluster_tls.go `buildUpstreamTLSSettings`), so a "missing" DestinationRule
 *   (KIA0205, KIA0206, KIA0401, KIA0501, KIA0505, KIA0506) breaks nothing. What breaks is an explicit
 *   `ISTIO_MUTUAL` toward a workload whose PeerAuthentication is DISABLE: its inbound listener has no TLS
 *   context (pilot/pkg/security/authn/utils `BuildInboundTLS`), the app receives TLS bytes (MESH320; the
 *   other direction, DISABLE toward STRICT, is MESH003);
 * - the peer identity (principals, namespaces, service accounts, trust domains, `source.principal` ...) comes
 *   from the peer certificate: under DISABLE the connection has none (KIA0105);
 * - `methods` match `:method` case-sensitively, with only a leading or trailing `*` (`matcher.HeaderMatcher`),
 *   and every gRPC request is a POST (KIA0102);
 * - a DestinationRule for a host replaces, never merges with, a wildcard-host one (most specific host wins):
 *   a TLS origination (`SIMPLE`/`MUTUAL`) of `*.example.com` is lost for a host given a DestinationRule
 *   without `tls` (MESH321; an `ISTIO_MUTUAL` one is replaced by auto mTLS, so Kiali's KIA0204 is not a
 *   problem).
 *
 * Registered in `_rules.ts` (`_KIALI_SECURITY_RULES`); how each Kiali code is answered is
 * `_KIALI_SECURITY_COVERAGE`. One pass over the index per rule; lookups by namespace, no all-pairs scans.
 */
import { _namespaceIsAmbient } from './_ambient-mode';
import { _KialiCoverage, kiali } from './_kiali-coverage';
import { _MeshInput, _Pod, RuleContext, items, nameOf, nsOf, selectorMatches } from './_mesh-index';
import type { _RuleDefinition } from './_rules';
import { ValidationSeverity } from './conformance';
import { _httpMethodMatchProblem } from '../http-method';
import { _field } from './_json';
import { _HostSet, _isWildcarded, _parseServiceFqdn, _resolveShortname } from '../_naming';

const E = ValidationSeverity.ERROR;
const W = ValidationSeverity.WARNING;

// ---------------------------------------------------------------------------------------------------
// KIA0102: methods that never match
// ---------------------------------------------------------------------------------------------------

/** KIA0102: an AuthorizationPolicy `methods`/`notMethods` value no request's `:method` can have. */
function checkMethods(c: RuleContext): void {
  for (const ap of c.ix.authorizationPolicies) {
    items(ap.doc.spec?.rules).forEach((rule, i) => {
      items(rule?.to).forEach((t, j) => {
        for (const k of ['methods', 'notMethods']) {
          items(t?.operation?.[k]).forEach((m, n) => {
            const p = typeof m === 'string' ? _httpMethodMatchProblem(m) : undefined;
            if (!p) return;
            c.report(ap, 'KIA0102', W, `spec.rules[${i}].to[${j}].operation.${k}[${n}]`,
              `Method "${m}" never matches a request: ${p.problem} (so ${k === 'methods' ? 'the operation never matches' : 'it excludes nothing'}). Fix: ${p.fix}`);
          });
        }
      });
    });
  }
}

// ---------------------------------------------------------------------------------------------------
// The PeerAuthentication mode of a workload (KIA0105, MESH320)
// ---------------------------------------------------------------------------------------------------

type MtlsMode = 'STRICT' | 'PERMISSIVE' | 'DISABLE';
interface Effective { readonly mode: MtlsMode; readonly pa?: _MeshInput }

/** A PeerAuthentication's own mode; undefined when unset or UNSET (inherited from its parent). */
function ownMode(pa: _MeshInput | undefined): MtlsMode | undefined {
  const m = pa?.doc.spec?.mtls?.mode;
  return m === 'STRICT' || m === 'PERMISSIVE' || m === 'DISABLE' ? m : undefined;
}

/** The modes a PeerAuthentication's `portLevelMtls` sets (UNSET inherits `parent`). */
function portModes(pa: _MeshInput, parent: MtlsMode): MtlsMode[] {
  const levels = pa.doc.spec?.portLevelMtls;
  if (!levels || typeof levels !== 'object') return [];
  return Object.values(levels).map((v) => {
    const m = (v as { mode?: unknown } | null)?.mode;
    return m === 'STRICT' || m === 'PERMISSIVE' || m === 'DISABLE' ? m : parent;
  });
}

/** Selector PeerAuthentications by namespace (`targetRef(s)` ones are for waypoints: not read). */
function selectorPeerAuthentications(c: RuleContext): Map<string, _MeshInput[]> {
  const out = new Map<string, _MeshInput[]>();
  for (const pa of c.ix.peerAuthentications) {
    const spec = pa.doc.spec ?? {};
    if (!spec.selector || spec.targetRef || spec.targetRefs) continue;
    const list = out.get(nsOf(pa.doc)) ?? [];
    list.push(pa);
    out.set(nsOf(pa.doc), list);
  }
  return out;
}

/** Istio's namespace-level mode: the namespace-wide PeerAuthentication, else the root namespace's, else PERMISSIVE. */
function namespaceMode(c: RuleContext, ns: string): Effective {
  const own = c.ix.paByNamespace.get(ns);
  if (ownMode(own)) return { mode: ownMode(own)!, pa: own };
  const root = c.ix.paByNamespace.get(c.root);
  if (ownMode(root)) return { mode: ownMode(root)!, pa: root };
  return { mode: 'PERMISSIVE' };
}

/** Is the namespace ambient (by the Namespace object of the input)? ztunnel's HBONE carries identities whatever the mode. */
function ambient(c: RuleContext, ns: string): boolean {
  const namespace = c.ix.namespaces.get(ns);
  return namespace !== undefined && _namespaceIsAmbient(namespace.doc);
}

/**
 * The mode of the workloads with `labels` in `ns` (Istio: the workload's selector PeerAuthentication, else
 * the namespace's): undefined when not decidable from the manifests (a selector PeerAuthentication may or
 * may not select them, several select them, or port-level settings differ). `exact`: the labels are a pod's
 * (a key it lacks is not matched); otherwise they are a policy's selector (its pods may carry more labels).
 */
function workloadMode(c: RuleContext, selectorPas: Map<string, _MeshInput[]>, ns: string,
  labels: Record<string, unknown>, exact: boolean): Effective | undefined {
  const applying: _MeshInput[] = [];
  for (const pa of selectorPas.get(ns) ?? []) {
    const sel = Object.entries(pa.doc.spec?.selector?.matchLabels ?? {});
    if (sel.length === 0) return undefined;
    if (sel.every(([k, v]) => labels[k] === v)) applying.push(pa);
    else if (!exact && !sel.some(([k, v]) => k in labels && labels[k] !== v)) return undefined;
  }
  if (applying.length > 1) return undefined;
  const parent = namespaceMode(c, ns);
  const pa = applying[0];
  if (!pa) return parent;
  const own = ownMode(pa);
  const mode = own ?? parent.mode;
  if (portModes(pa, mode).some((m) => m !== mode)) return undefined;
  return own ? { mode, pa } : parent;
}

/**
 * The mode of every workload of the namespace, when they all have one (the namespace's, and no selector
 * PeerAuthentication or port-level setting differs); undefined otherwise and in ambient namespaces.
 */
function uniformNamespaceMode(c: RuleContext, selectorPas: Map<string, _MeshInput[]>, ns: string): Effective | undefined {
  const parent = namespaceMode(c, ns);
  if (ambient(c, ns)) return undefined;
  for (const pa of selectorPas.get(ns) ?? []) {
    const mode = ownMode(pa) ?? parent.mode;
    if (mode !== parent.mode || portModes(pa, mode).some((m) => m !== mode)) return undefined;
  }
  return parent;
}

// ---------------------------------------------------------------------------------------------------
// KIA0105: identity fields on workloads that receive plaintext
// ---------------------------------------------------------------------------------------------------

const IDENTITY_SOURCE_FIELDS = ['principals', 'notPrincipals', 'namespaces', 'notNamespaces', 'serviceAccounts', 'notServiceAccounts',
  'trustDomains', 'notTrustDomains'];
const IDENTITY_WHEN_KEYS = new Set(['source.principal', 'source.namespace', 'source.serviceAccount', 'source.trustDomain']);

/** A field of a policy that reads the peer certificate; `negated`: a `not` form (a plaintext peer matches it). */
interface IdentityField { readonly path: string; readonly negated: boolean }

function identityFields(spec: { readonly rules?: unknown } | undefined): IdentityField[] {
  const out: IdentityField[] = [];
  items(spec?.rules).forEach((rule, i) => {
    items(rule?.from).forEach((f, j) => {
      for (const k of IDENTITY_SOURCE_FIELDS) {
        if (items(f?.source?.[k]).length > 0) out.push({ path: `spec.rules[${i}].from[${j}].source.${k}`, negated: k.startsWith('not') });
      }
    });
    items(rule?.when).forEach((w, j) => {
      if (!IDENTITY_WHEN_KEYS.has(w?.key)) return;
      if (items(w.values).length > 0) out.push({ path: `spec.rules[${i}].when[${j}].values`, negated: false });
      if (items(w.notValues).length > 0) out.push({ path: `spec.rules[${i}].when[${j}].notValues`, negated: true });
    });
  });
  return out;
}

/** The mode of the workloads an AuthorizationPolicy selects when all of them have the same one, else undefined. */
function policyMode(c: RuleContext, selectorPas: Map<string, _MeshInput[]>, ap: _MeshInput): Effective | undefined {
  const ns = nsOf(ap.doc);
  // a root-namespace policy applies in every namespace (its selector too): not decided
  if (ns === c.root) return undefined;
  const labels = ap.doc.spec?.selector?.matchLabels;
  if (!labels || typeof labels !== 'object') return uniformNamespaceMode(c, selectorPas, ns);
  if (ambient(c, ns)) return undefined;
  const pods = (c.ix.podsByNamespace.get(ns) ?? []).filter((p) => selectorMatches(labels, p.labels));
  const modes = pods.length > 0
    ? pods.map((p) => workloadMode(c, selectorPas, ns, p.labels, true))
    : [workloadMode(c, selectorPas, ns, labels, false)];
  return modes.every((m) => m !== undefined && m.mode === modes[0]?.mode) ? modes[0] : undefined;
}

/**
 * KIA0105: an AuthorizationPolicy matching the peer identity (principals, namespaces, service accounts, trust
 * domains, `source.*` identity conditions) where plaintext peers reach the workloads, which carry no
 * certificate: the positive forms never match them and the `not` forms always do
 * (ISTIO-SECURITY-2021-004; pilot/pkg/security/authz/model: `not` values become `Not(Or(...))`).
 * - PeerAuthentication DISABLE: every peer is plaintext, so every identity field is broken;
 * - PERMISSIVE set by a PeerAuthentication of the input: a plaintext client (one without a sidecar) passes
 *   where the policy fails open: a DENY or CUSTOM rule's positive fields (not denied / not checked), an
 *   ALLOW rule's `not` forms (admitted). Istio's default PERMISSIVE (no PeerAuthentication in the input) is
 *   not decided: a mesh-wide STRICT one may be installed elsewhere.
 */
function checkIdentityWithoutMtls(c: RuleContext): void {
  // the common case: no PeerAuthentication of the input lets plaintext in
  if (!c.ix.peerAuthentications.some((pa) => ownMode(pa) === 'DISABLE' || ownMode(pa) === 'PERMISSIVE')) return;
  const selectorPas = selectorPeerAuthentications(c);
  for (const ap of c.ix.authorizationPolicies) {
    const spec = ap.doc.spec ?? {};
    if (spec.targetRef || spec.targetRefs || spec.action === 'AUDIT') continue;
    const fields = identityFields(spec);
    if (fields.length === 0) continue;
    const eff = policyMode(c, selectorPas, ap);
    if (!eff?.pa || eff.mode === 'STRICT') continue;
    const by = `PeerAuthentication ${nsOf(eff.pa.doc)}/${nameOf(eff.pa.doc)}`;
    const failsOpen = spec.action === 'DENY' || spec.action === 'CUSTOM' ? (f: IdentityField) => !f.negated : (f: IdentityField) => f.negated;
    for (const f of fields) {
      if (eff.mode === 'DISABLE') {
        c.report(ap, 'KIA0105', W, f.path,
          `This field requires mTLS, but ${by} sets mode DISABLE for the workloads the policy applies to: their peers arrive in plaintext without an identity, so principals, namespaces, service accounts and trust domains never match (their not- forms always match). Fix: set the workloads' PeerAuthentication to PERMISSIVE or STRICT, or match sources by ipBlocks`);
      } else if (failsOpen(f)) {
        c.report(ap, 'KIA0105', W, f.path,
          `This field requires mTLS, but ${by} is PERMISSIVE for the workloads the policy applies to: a plaintext request (from a client without a sidecar) has no identity, so ${f.negated ? 'this not- form matches it and the ALLOW rule admits it' : `it never matches and the ${spec.action} rule lets it through`} (ISTIO-SECURITY-2021-004). Fix: set the workloads' PeerAuthentication to STRICT`);
      }
    }
  }
}

// ---------------------------------------------------------------------------------------------------
// MESH320: ISTIO_MUTUAL toward DISABLE
// ---------------------------------------------------------------------------------------------------

const MESH_WIDE_HOSTS = new Set(['*', '*.local', '*.cluster.local', '*.svc.cluster.local']);

/** The namespace a DestinationRule host targets (`*` for every namespace), or undefined (external, or unknown). */
function hostNamespace(host: string): string | undefined {
  if (MESH_WIDE_HOSTS.has(host)) return '*';
  const wildcard = /^\*\.([a-z0-9]([-a-z0-9]*[a-z0-9])?)\.svc\.cluster\.local$/.exec(host);
  if (wildcard) return wildcard[1];
  return _parseServiceFqdn(host)?.namespace;
}

/** The `tls.mode` settings of a DestinationRule (top level, port level, subsets), with their paths. */
function tlsModes(spec: { readonly trafficPolicy?: unknown; readonly subsets?: unknown } | undefined): Array<[string, unknown]> {
  const out: Array<[string, unknown]> = [];
  const collect = (tp: unknown, path: string) => {
    const tls = _field(tp, 'tls');
    if (tls) out.push([`${path}.tls.mode`, _field(tls, 'mode')]);
    items(_field(tp, 'portLevelSettings')).forEach((p, i) => {
      if (p?.tls) out.push([`${path}.portLevelSettings[${i}].tls.mode`, p.tls.mode]);
    });
  };
  collect(spec?.trafficPolicy, 'spec.trafficPolicy');
  items(spec?.subsets).forEach((s, i) => collect(s?.trafficPolicy, `spec.subsets[${i}].trafficPolicy`));
  return out;
}

/** Mesh-wide: the root namespace is DISABLE and no PeerAuthentication of the input enables mTLS anywhere. */
function meshDisabled(c: RuleContext): Effective | undefined {
  const root = c.ix.paByNamespace.get(c.root);
  if (ownMode(root) !== 'DISABLE') return undefined;
  for (const pa of c.ix.peerAuthentications) {
    const mode = ownMode(pa) ?? 'DISABLE';
    if (mode !== 'DISABLE' || portModes(pa, mode).some((m) => m !== 'DISABLE')) return undefined;
  }
  for (const ns of c.ix.namespaces.keys()) if (ambient(c, ns)) return undefined;
  return { mode: 'DISABLE', pa: root };
}

/**
 * MESH320: a DestinationRule sends `ISTIO_MUTUAL` toward a namespace (or the whole mesh) whose
 * PeerAuthentication is DISABLE: the server sidecar has no TLS context on its inbound listener, so the
 * application receives the TLS handshake as data and every call fails. Without the DestinationRule, auto
 * mTLS sends plaintext there.
 */
function checkMutualTowardDisabled(c: RuleContext): void {
  const selectorPas = selectorPeerAuthentications(c);
  const cache = new Map<string, Effective | undefined>();
  for (const dr of c.ix.destinationRules) {
    const host = _resolveShortname(String(dr.doc.spec?.host ?? ''), nsOf(dr.doc));
    const target = hostNamespace(host);
    if (target === undefined) continue;
    if (!cache.has(target)) cache.set(target, target === '*' ? meshDisabled(c) : uniformNamespaceMode(c, selectorPas, target));
    const disabled = cache.get(target);
    if (disabled?.mode !== 'DISABLE') continue;
    const pa = disabled.pa ? `PeerAuthentication ${nsOf(disabled.pa.doc)}/${nameOf(disabled.pa.doc)}` : 'its PeerAuthentication';
    for (const [path, mode] of tlsModes(dr.doc.spec)) {
      if (mode !== 'ISTIO_MUTUAL') continue;
      c.report(dr, 'MESH320', E, path,
        `tls mode ISTIO_MUTUAL toward "${host}", but ${target === '*' ? 'the mesh' : `namespace ${target}`} does not accept mutual TLS (${pa} mode DISABLE): the server sidecars have no TLS on their inbound listeners, so every call fails. Fix: drop the tls setting (auto mTLS then sends plaintext to DISABLE workloads and mTLS to the others), or set the PeerAuthentication to PERMISSIVE`);
    }
  }
}

// ---------------------------------------------------------------------------------------------------
// MESH321: a DestinationRule dropping the TLS origination of a wildcard one
// ---------------------------------------------------------------------------------------------------

/**
 * MESH321: a DestinationRule for a host without `tls`, in the namespace (or Istio's root namespace) of a
 * wildcard-host DestinationRule that originates TLS (`SIMPLE`/`MUTUAL`) for it: Istio applies the most
 * specific host's DestinationRule only, so calls to that host go out in plaintext (Kiali KIA0204, for the
 * case that breaks: an `ISTIO_MUTUAL` one is replaced by auto mTLS).
 */
function checkOverriddenTlsOrigination(c: RuleContext): void {
  const originating = new Map<string, Map<string, _MeshInput>>(); // namespace -> wildcard host -> DestinationRule
  for (const dr of c.ix.destinationRules) {
    const spec = dr.doc.spec ?? {};
    const mode = spec.trafficPolicy?.tls?.mode;
    if (spec.workloadSelector || typeof spec.host !== 'string' || !_isWildcarded(spec.host) || (mode !== 'SIMPLE' && mode !== 'MUTUAL')) continue;
    const byHost = originating.get(nsOf(dr.doc)) ?? new Map<string, _MeshInput>();
    byHost.set(spec.host, dr);
    originating.set(nsOf(dr.doc), byHost);
  }
  if (originating.size === 0) return;
  const sets = new Map([...originating].map(([ns, byHost]) => [ns, new _HostSet(byHost.keys())]));
  for (const dr of c.ix.destinationRules) {
    const spec = dr.doc.spec ?? {};
    const ns = nsOf(dr.doc);
    if (spec.workloadSelector || typeof spec.host !== 'string' || _isWildcarded(spec.host) || tlsModes(spec).length > 0) continue;
    const host = _resolveShortname(spec.host, ns);
    for (const scope of [ns, c.root]) {
      const set = sets.get(scope);
      if (!set?.matches(host)) continue;
      const [pattern, wide] = [...originating.get(scope)!].find(([h]) => new _HostSet([h]).matches(host))!;
      c.report(dr, 'MESH321', W, 'spec.trafficPolicy',
        `DestinationRule ${nsOf(wide.doc)}/${nameOf(wide.doc)} originates TLS (${wide.doc.spec.trafficPolicy.tls.mode}) for "${pattern}", but this DestinationRule for "${host}" has no tls: Istio applies only the most specific host's DestinationRule, so calls to "${host}" go out in plaintext. Fix: repeat the tls settings (mode ${wide.doc.spec.trafficPolicy.tls.mode}, sni, credentials) in this DestinationRule's trafficPolicy`);
      break;
    }
  }
}

// ---------------------------------------------------------------------------------------------------
// Registry and coverage
// ---------------------------------------------------------------------------------------------------

/** The rules of this file (registered in `_rules.ts`; README's table is generated from them). @internal */
export const _KIALI_SECURITY_RULES: readonly _RuleDefinition[] = [
  {
    id: 'KIA0102',
    severity: W,
    mirrors: 'Kiali KIA0102 (Only HTTP methods and Istio wildcards are allowed)',
    catches: 'an AuthorizationPolicy `methods`/`notMethods` value no request has, as Istio matches `:method` (case-sensitively; only a leading or trailing `*`): lower case (`get`), a gRPC method name (every gRPC request is a `POST`: match it with `paths`), an inner `*`, a character outside an HTTP token. Upper-case extension methods (`PURGE`) are valid',
    check: checkMethods,
  },
  {
    id: 'KIA0105',
    severity: W,
    mirrors: 'Kiali KIA0105 (This field requires mTLS to be enabled)',
    catches: 'an AuthorizationPolicy matching the peer identity (`principals`, `namespaces`, `serviceAccounts`, `trustDomains`, their `not` forms, `source.principal`/`namespace`/`serviceAccount`/`trustDomain` conditions) where plaintext peers, which have no identity, reach the workloads: their PeerAuthentication (selector, namespace or root namespace, as Istio picks it) is `DISABLE` (every such field is broken), or is set `PERMISSIVE` and the policy fails open for a plaintext request (ISTIO-SECURITY-2021-004: positive forms of a DENY/CUSTOM rule, `not` forms of an ALLOW rule). Decided when every selected pod of the input (or the selector) certainly has that mode; not in ambient namespaces, nor for root-namespace policies (they apply everywhere), nor under Istio\'s default PERMISSIVE (a mesh-wide STRICT may be installed elsewhere)',
    check: checkIdentityWithoutMtls,
  },
  {
    id: 'MESH320',
    severity: E,
    mirrors: 'this library (Kiali KIA0505/KIA0506, for the case that breaks)',
    catches: 'a DestinationRule `tls.mode: ISTIO_MUTUAL` (top level, port level, subsets) toward `*.<ns>.svc.cluster.local` (or a Service of `<ns>`) while `<ns>`\'s namespace-wide (or the root namespace\'s) PeerAuthentication is `DISABLE` and no selector one enables mTLS; or toward `*.local` while the mesh is DISABLE: the server sidecars do not terminate TLS, every call fails (the other direction is MESH003)',
    check: checkMutualTowardDisabled,
  },
  {
    id: 'MESH321',
    severity: W,
    mirrors: 'this library (Kiali KIA0204, for the case that breaks)',
    catches: 'a DestinationRule without `tls` for a host a wildcard-host DestinationRule of its namespace (or the root namespace) originates TLS for (`SIMPLE`/`MUTUAL`): Istio applies the most specific host\'s DestinationRule only, so that host\'s calls go out in plaintext',
    check: checkOverriddenTlsOrigination,
  },
];

const AUTO_MTLS = 'auto mTLS (meshConfig `enableAutoMtls`, on by default) sends Istio mTLS to sidecar workloads and plaintext to DISABLE ones without a DestinationRule, and PERMISSIVE accepts both';

/** How each of Kiali's security codes is answered here. @internal */
export const _KIALI_SECURITY_COVERAGE: readonly _KialiCoverage[] = [
  kiali('KIA0101', 'Namespace not found for this rule', ['MESH004'],
    'a namespace outside the input may exist in the cluster (and Istio matches `prefix*`/`*suffix` patterns), so only a typo of a namespace the input defines is certain: MESH004'),
  kiali('KIA0102', 'Only HTTP methods and Istio wildcards are allowed', ['KIA0102'],
    'Istio\'s matching, not Kiali\'s list: upper-case extension methods (`PURGE`, `PROPFIND`) are valid HTTP and accepted; lower case, gRPC method names, inner `*` are reported'),
  kiali('KIA0104', 'This host has no matching entry in the service registry', [],
    '`to.operation.hosts` matches the request\'s Host header, which needs no registry entry (external names routed by a gateway, aliases, hosts with ports)'),
  kiali('KIA0105', 'This field requires mTLS to be enabled', ['KIA0105'],
    `where plaintext certainly reaches the workloads: a DISABLE PeerAuthentication, or a PERMISSIVE one where the policy fails open (ISTIO-SECURITY-2021-004); not Istio's default PERMISSIVE, since ${AUTO_MTLS}. \`connection.sni\` is not reported (an application's own TLS has an SNI)`),
  kiali('KIA0106', 'Service Account not found for this principal', ['MESH004'],
    'only near-typos of a service account the input defines (MESH004, an error); an account the input does not define may be installed with a workload elsewhere (an independent clean manifest did exactly that: a principal for a caller deployed by another team), so it is not guessed'),
  kiali('KIA0108', 'Unable to verify principal, trust domain is not known to Kiali', [],
    '`cluster.local` always means the mesh\'s own trust domain and its aliases (Istio rewrites it, pilot/pkg/security/trustdomain), and any other is meshConfig `trustDomain`, an alias or a federated peer\'s, none of which the manifests hold; malformed trust domains are MESH204, `spiffe://` principals MESH306'),
  kiali('KIA0204', 'mTLS settings of a non-local Destination Rule are overridden', ['MESH321'],
    `a more specific DestinationRule replaces a wildcard one; losing an ISTIO_MUTUAL one is harmless (${AUTO_MTLS}), losing a TLS origination (SIMPLE/MUTUAL) sends plaintext: MESH321`),
  kiali('KIA0205', 'PeerAuthentication enabling mTLS at mesh level is missing', [],
    `a DestinationRule ISTIO_MUTUAL toward PERMISSIVE workloads (Istio's default) works; ${AUTO_MTLS}. ISTIO_MUTUAL toward DISABLE is MESH320`),
  kiali('KIA0206', 'PeerAuthentication enabling namespace-wide mTLS is missing', [],
    'as KIA0205, for one namespace; ISTIO_MUTUAL toward a DISABLE namespace is MESH320'),
  kiali('KIA0207', 'PeerAuthentication with TLS strict mode found, it should be permissive', ['MESH003'],
    'a DestinationRule DISABLE toward a STRICT namespace: every call is refused (MESH003, an error)'),
  kiali('KIA0208', 'PeerAuthentication enabling mTLS found, permissive mode needed', ['MESH003'],
    'the same toward a mesh-wide STRICT PeerAuthentication (root namespace): MESH003'),
  kiali('KIA0401', 'Mesh-wide Destination Rule enabling mTLS is missing', [],
    `a STRICT mesh needs no DestinationRule; ${AUTO_MTLS}`),
  kiali('KIA0501', 'Destination Rule enabling namespace-wide mTLS is missing', [],
    `a STRICT namespace needs no DestinationRule; ${AUTO_MTLS}`),
  kiali('KIA0505', 'Destination Rule disabling namespace-wide mTLS is missing', ['MESH320'],
    `a DISABLE namespace needs no DestinationRule (${AUTO_MTLS}); what breaks is a DestinationRule that forces ISTIO_MUTUAL toward it: MESH320`),
  kiali('KIA0506', 'Destination Rule disabling mesh-wide mTLS is missing', ['MESH320'],
    'as KIA0505, mesh-wide: a `*.local` DestinationRule ISTIO_MUTUAL while the mesh is DISABLE is MESH320'),
  kiali('KIA1301', 'This workload is not covered by any authorization policy', [],
    'a workload without policy is Istio\'s default (allow) and valid configuration, a posture choice rather than a misconfiguration (it would flag every app without policies, bookinfo included). SecureNamespace emits a namespace-wide default deny, which covers every workload of its namespace'),
];
