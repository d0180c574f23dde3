/**
 * Gateway API route parts shared by `KubernetesHttpRoute`, `KubernetesGrpcRoute` and `KubernetesTlsRoute`:
 * the standard CRDs' (v1.5.1) schema and CEL rules for parents, backends, header modifiers, header and
 * query matches, mirrors, paths and durations, checked at construction, and their rendering; and `_RouteRules`,
 * the bookkeeping every route L2 shares (parents, hostnames, rule limits and names, filters, ReferenceGrants).
 *
 * Internal: not part of the public API.
 */
import { Duration } from 'cdk8s';
import { IConstruct } from 'constructs';
import { _envoyHeaderValueProblem } from './_envoy';
import { _K8sObject } from './_k8s';
import { _invalid, _namespaceOf, _validateDnsLabel, _validateDnsSubdomain, _validateHost, _validatePort } from './_utils';
import { _validateRegex, StringMatch } from './match';
import { ReferenceGrant } from './reference-grant';
import { RouteParent } from './route-parent';

/** The API group of the Gateway API kinds. @internal */
export const _GATEWAY_API_GROUP = 'gateway.networking.k8s.io';
/** Istio's backend kind for a host known to the mesh (a ServiceEntry host): group and kind. @internal */
export const _ISTIO_HOSTNAME_GROUP = 'networking.istio.io';

/** The Gateway API header name (RFC 7230 token) and query parameter name syntax. */
const TOKEN = /^[A-Za-z0-9!#$%&'*+\-.^_`|~]+$/;
/** Characters of an absolute path the CRD accepts for Exact and PathPrefix. */
const PATH_CHARS = /^(?:[-A-Za-z0-9/._~!$&'()*+,;=:@]|%[0-9a-fA-F]{2})+$/;

/** A backend as routes take it (HTTP, gRPC and TLS backends share this shape). @internal */
export interface _BackendInput {
  readonly service?: IConstruct;
  readonly serviceName?: string;
  readonly hostname?: string;
  readonly port: number;
  readonly namespace?: string;
  readonly weight?: number;
}

/** A rendered `backendRef`. @internal */
export interface _BackendRef {
  readonly group: string;
  readonly kind: string;
  readonly name: string;
  readonly namespace?: string;
  readonly port: number;
  readonly weight?: number;
}

/**
 * A Gateway API Duration (`^([0-9]{1,5}(h|m|s|ms)){1,4}$`) for `d`, e.g. `5s`, `1m30s`, `250ms`; `0s`
 * for zero (the Gateway API's "no timeout").
 * @internal
 */
export function _renderGatewayDuration(prop: string, d: Duration): string {
  const ms = d.toMilliseconds({ integral: false });
  if (!Number.isInteger(ms) || ms < 0) {
    throw _invalid(prop, d.toHumanString(), 'a Gateway API duration is a whole number of milliseconds', 'use Duration.millis(n) with an integer n');
  }
  if (ms === 0) return '0s';
  const parts: Array<[number, string]> = [[Math.floor(ms / 3600000), 'h'], [Math.floor(ms / 60000) % 60, 'm'], [Math.floor(ms / 1000) % 60, 's'], [ms % 1000, 'ms']];
  if (parts[0][0] > 99999) throw _invalid(prop, d.toHumanString(), 'a Gateway API duration has at most 99999 hours', 'give a shorter duration');
  return parts.filter(([n]) => n > 0).map(([n, unit]) => `${n}${unit}`).join('');
}

/**
 * Throws unless `p` is a path the CRD accepts for Exact and PathPrefix matches, redirects and rewrites.
 * @internal
 */
export function _validateGatewayPath(prop: string, p: string): string {
  const bad = typeof p !== 'string' || !p.startsWith('/') ? 'it must start with "/"'
    : p.includes('//') ? 'it must not contain "//"'
      : /\/\.\.?(\/|$)/.test(p) ? 'it must not contain "/./" or "/../" segments'
        : /%2f/i.test(p) ? 'it must not contain an encoded "/" (%2F)'
          : p.includes('#') ? 'it must not contain "#"'
            : p.length > 1024 ? 'it is longer than 1024 characters'
              : !PATH_CHARS.test(p) ? 'it contains characters not allowed in a path'
                : undefined;
  if (bad) throw _invalid(prop, p, bad, 'use an absolute, normalized path such as "/catalog"');
  return p;
}

/**
 * Throws unless `name` is a header name (or, with `what` "query parameter", a query parameter name) the CRD accepts.
 * @internal
 */
export function _validateGatewayToken(prop: string, name: string, what: string): string {
  if (typeof name !== 'string' || name.length === 0 || name.length > 256 || !TOKEN.test(name)) {
    throw _invalid(prop, name, `it is not a valid ${what} name (1 to 256 RFC 7230 token characters)`, `use a name such as "${what === 'header' ? 'x-canary' : 'version'}"`);
  }
  return name;
}

/**
 * Checks a route's parents as the CRDs do: 1 to 32, and the same parent twice only with distinct `sectionName`s.
 * @internal
 */
export function _checkRouteParents(kind: string, parents: RouteParent[], routeNamespace: string | undefined): RouteParent[] {
  if (!Array.isArray(parents) || parents.length === 0) {
    throw _invalid('parents', parents, `${article(kind)} ${kind} must attach to at least one parent`,
      'pass parents: [RouteParent.fromGateway(gateway)] or [RouteParent.fromService(service)]');
  }
  if (parents.length > 32) throw _invalid('parents', parents.length, 'a route has at most 32 parents', 'split the route');
  const byParent = new Map<string, RouteParent[]>();
  for (const p of parents) {
    if (!(p instanceof RouteParent)) throw _invalid('parents', p, 'it is not a RouteParent', 'use RouteParent.fromGateway(), fromService(), gateway() or service()');
    const r = p._render(routeNamespace);
    const key = `${r.group}/${r.kind}/${r.namespace ?? ''}/${r.name}`; // the CRD compares the rendered fields
    byParent.set(key, [...(byParent.get(key) ?? []), p]);
  }
  for (const p of parents) checkListenerAccepts(kind, p);
  for (const same of byParent.values()) {
    const sections = same.map((p) => p.sectionName);
    if (same.length > 1 && (sections.includes(undefined) || new Set(sections).size !== sections.length)) {
      throw _invalid('parents', same.map((p) => p.toString()), 'the same parent is listed twice (a parent may repeat only with distinct sectionNames)',
        same[0].isService ? 'list each Service once (without port to cover every port)' : 'list each gateway listener once');
    }
  }
  return [...parents];
}

/** The listener protocols whose default `allowedRoutes.kinds` include each route kind. */
const ACCEPTING_PROTOCOLS: { [kind: string]: string[] } = { HTTPRoute: ['HTTP', 'HTTPS'], GRPCRoute: ['HTTP', 'HTTPS'], TLSRoute: ['TLS'] };

/** A route attached to one listener of a Gateway of the app: that listener's protocol must accept the route's kind. */
function checkListenerAccepts(kind: string, p: RouteParent): void {
  const listener = p.kubernetesGateway?.listeners.find((l) => l.name === p.sectionName);
  const accepting = ACCEPTING_PROTOCOLS[kind] ?? [];
  if (listener && !accepting.includes(listener.protocol)) {
    throw _invalid('parents', p.toString(), `listener '${listener.name}' is ${listener.protocol}, which does not accept ${kind}s`,
      `attach to a ${accepting.join(' or ')} listener`);
  }
}

/**
 * Checks route hostnames as the CRDs do (lowercase DNS names, an optional leading `*.`, no IP).
 * @internal
 */
export function _checkRouteHostnames(hostnames: string[] | undefined): string[] {
  const list = [...(hostnames ?? [])];
  if (list.length > 16) throw _invalid('hostnames', list.length, 'a route has at most 16 hostnames', 'split the route');
  for (const h of list) {
    _validateHost('hostnames', h, true, true);
    if (h !== h.toLowerCase()) throw _invalid('hostnames', h, 'Gateway API hostnames are lowercase', `use "${h.toLowerCase()}"`);
    if (/^[0-9.]+$/.test(h)) throw _invalid('hostnames', h, 'a route hostname cannot be an IP address', 'give a DNS name');
  }
  return list;
}

/**
 * Renders a backend: a Service (`serviceName`) or an Istio `Hostname` (`hostname`, a host known to the
 * mesh such as a ServiceEntry host).
 * @internal
 */
export function _renderBackendRef(prop: string, b: _BackendInput, allowWeight: boolean): _BackendRef {
  if (typeof b !== 'object' || b === null) throw _invalid(prop, b, 'it is not a backend', 'pass { service, port }');
  if ([b.service, b.serviceName, b.hostname].filter((x) => x !== undefined).length !== 1) {
    throw _invalid(prop, b, 'a backend is either a Service (service, or serviceName for one managed elsewhere) or an Istio Hostname (hostname)',
      'give exactly one of service, serviceName and hostname');
  }
  if (b.service !== undefined) {
    if (b.namespace !== undefined) throw _invalid(`${prop}.namespace`, b.namespace, 'the namespace is read from the Service object', 'leave namespace out');
    const obj = _K8sObject.of(`${prop}.service`, b.service, ['Service'], 'pass the Service (any cdk8s-plus version, or a plain ApiObject), or serviceName for one managed elsewhere');
    return _renderBackendRef(prop, { serviceName: obj.name, namespace: obj.namespace, port: b.port, weight: b.weight }, allowWeight);
  }
  _validatePort(`${prop}.port`, b.port, b.hostname !== undefined ? 'set port to the port of the host (e.g. 443)' : 'set port to the Service port');
  if (b.weight !== undefined) {
    if (!allowWeight) throw _invalid(`${prop}.weight`, b.weight, 'a mirror has no weight', 'use percent or fraction to mirror part of the traffic');
    if (!Number.isInteger(b.weight) || b.weight < 0 || b.weight > 1000000) {
      throw _invalid(`${prop}.weight`, b.weight, 'a weight is an integer from 0 to 1,000,000', 'use e.g. 90 and 10');
    }
  }
  if (b.hostname !== undefined) {
    _validateHost(`${prop}.hostname`, b.hostname, false, true);
    if (b.namespace !== undefined) {
      throw _invalid(`${prop}.namespace`, b.namespace, 'Istio rejects a namespace on a Hostname backend ("namespace may not be set with Hostname type")', 'leave namespace out');
    }
    return { group: _ISTIO_HOSTNAME_GROUP, kind: 'Hostname', name: b.hostname, port: b.port, weight: b.weight };
  }
  _validateDnsLabel(`${prop}.serviceName`, b.serviceName!);
  if (b.namespace !== undefined) _validateDnsLabel(`${prop}.namespace`, b.namespace);
  return { group: '', kind: 'Service', name: b.serviceName!, namespace: b.namespace, port: b.port, weight: b.weight };
}

/** Header operations of a RequestHeaderModifier / ResponseHeaderModifier filter. @internal */
export interface _HeaderModifierInput {
  readonly set?: { [name: string]: string };
  readonly add?: { [name: string]: string };
  readonly remove?: string[];
}

/**
 * Renders a header modifier (`set`, `add`, `remove`, each at most 16 names, each name once across them),
 * or undefined when it changes nothing.
 * @internal
 */
export function _renderHeaderModifier(prop: string, m: _HeaderModifierInput | undefined, setOnly: boolean = false):
{ set?: Array<{ name: string; value: string }>; add?: Array<{ name: string; value: string }>; remove?: string[] } | undefined {
  if (m === undefined) return undefined;
  const seen = new Map<string, string>();
  const entries = (op: 'set' | 'add', record: { [name: string]: string } | undefined) => {
    const p = setOnly ? prop : `${prop}.${op}`;
    const names = Object.keys(record ?? {}).sort();
    if (names.length > 16) throw _invalid(p, names.length, 'a header modifier has at most 16 entries per operation', 'split the headers over rules, or drop some');
    return names.map((name) => {
      once(p, name, seen, op);
      return { name, value: headerValue(p, name, record![name]) };
    });
  };
  const set = entries('set', m.set);
  const add = entries('add', m.add);
  const remove = [...(m.remove ?? [])].sort();
  if (remove.length > 16) throw _invalid(`${prop}.remove`, remove.length, 'a header modifier removes at most 16 headers', 'drop some');
  for (const name of remove) once(`${prop}.remove`, name, seen, 'remove');
  if (set.length + add.length + remove.length === 0) return undefined;
  return { set: set.length ? set : undefined, add: add.length ? add : undefined, remove: remove.length ? remove : undefined };
}

/** Header names are case-insensitive: each may appear once in a modifier. */
function once(prop: string, name: string, seen: Map<string, string>, op: string): void {
  _validateGatewayToken(prop, name, 'header');
  const key = name.toLowerCase();
  const before = seen.get(key);
  if (before !== undefined) {
    throw _invalid(prop, name, `the header is already in ${before} of the same modifier (header names are case-insensitive)`, 'list each header once');
  }
  seen.set(key, op);
}

function headerValue(prop: string, name: string, value: string): string {
  if (typeof value !== 'string' || value.length === 0 || value.length > 4096) {
    throw _invalid(`${prop}.${name}`, value, 'a header value is 1 to 4096 characters', 'give a value');
  }
  const problem = _envoyHeaderValueProblem(value);
  if (problem) throw _invalid(`${prop}.${name}`, value, `Envoy rejects the header value: ${problem}`, 'write a literal "%" as "%%"');
  return value;
}

/**
 * Renders header (or query parameter) matches: exact values from `exact`, and `StringMatch` conditions
 * (exact or regex) from `matches`, sorted by name; at most 16, each name once.
 * @internal
 */
export function _renderNameValueMatches(prop: string, what: string, exact: { [name: string]: string } | undefined,
  matches: { [name: string]: StringMatch } | undefined): Array<{ name: string; type: string; value: string }> {
  const out = new Map<string, { name: string; type: string; value: string }>();
  const add = (name: string, type: string, value: string) => {
    _validateGatewayToken(prop, name, what);
    const key = what === 'header' ? name.toLowerCase() : name;
    if (out.has(key)) throw _invalid(prop, name, `the ${what} is matched twice${what === 'header' ? ' (header names are case-insensitive)' : ''}`, `match each ${what} once`);
    if (typeof value !== 'string' || value.length === 0 || value.length > (what === 'header' ? 4096 : 1024)) {
      throw _invalid(`${prop}.${name}`, value, `a ${what} match value is 1 to ${what === 'header' ? 4096 : 1024} characters`, 'give a value');
    }
    out.set(key, { name, type, value });
  };
  for (const [name, value] of Object.entries(exact ?? {})) add(name, 'Exact', value);
  for (const [name, m] of Object.entries(matches ?? {})) {
    if (!(m instanceof StringMatch)) throw _invalid(`${prop}.${name}`, m, 'it is not a StringMatch', 'use StringMatch.exact() or StringMatch.regex()');
    if (m.kind === 'prefix') {
      throw _invalid(`${prop}.${name}`, m.toString(), `Gateway API matches a ${what} exactly or by regular expression, not by prefix`, `use StringMatch.regex('${escapeRegex(m.value)}.*')`);
    }
    add(name, m.kind === 'regex' ? 'RegularExpression' : 'Exact', m.kind === 'regex' ? _validateRegex(`${prop}.${name}`, m.value) : m.value);
  }
  if (out.size > 16) throw _invalid(prop, out.size, `a match has at most 16 ${what} conditions`, 'split the match');
  return [...out.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

function escapeRegex(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** A mirror as routes take it. @internal */
export interface _MirrorInput {
  readonly backend: _BackendInput;
  readonly percent?: number;
  readonly fraction?: { readonly numerator: number; readonly denominator?: number };
}

/**
 * Renders a `RequestMirror` filter's body: the backend (no weight) and `percent` or `fraction`.
 * @internal
 */
export function _renderMirror(prop: string, m: _MirrorInput):
{ backendRef: _BackendRef; percent?: number; fraction?: { numerator: number; denominator?: number } } {
  if (typeof m !== 'object' || m === null || typeof m.backend !== 'object') {
    throw _invalid(prop, m, 'a mirror needs a backend', 'pass { backend: { serviceName, port } }');
  }
  const backendRef = _renderBackendRef(`${prop}.backend`, m.backend, false);
  if (m.percent !== undefined && m.fraction !== undefined) {
    throw _invalid(prop, { percent: m.percent, fraction: m.fraction }, 'only one of percent or fraction may be specified', 'give percent (whole percent) or fraction');
  }
  if (m.percent !== undefined && (!Number.isInteger(m.percent) || m.percent < 0 || m.percent > 100)) {
    throw _invalid(`${prop}.percent`, m.percent, 'a mirror percent is an integer from 0 to 100', 'use e.g. 10, or fraction for finer steps');
  }
  const f = m.fraction;
  if (f !== undefined) {
    const den = f.denominator ?? 100;
    if (!Number.isInteger(f.numerator) || f.numerator < 0 || !Number.isInteger(den) || den < 1 || f.numerator > den) {
      throw _invalid(`${prop}.fraction`, f, 'a fraction is integers with 0 <= numerator <= denominator and denominator >= 1',
        'use e.g. { numerator: 1, denominator: 1000 }');
    }
  }
  const fraction = f ? { numerator: f.numerator, denominator: f.denominator } : undefined;
  return { backendRef: { ...backendRef, weight: undefined }, percent: m.percent, fraction };
}

/**
 * Allows `route` (of `routeKind`, in its namespace) to reference `backend` in another namespace: a
 * ReferenceGrant child of the route in the backend's namespace, one per namespace, listing each name once.
 * Does nothing for backends in the route's own namespace or Hostname backends.
 * @internal
 */
export function _grantBackend(route: _RouteConstruct, routeKind: string, backend: _BackendRef): void {
  if (backend.kind !== 'Service' || backend.namespace === undefined || backend.namespace === route.namespace) return;
  const from = route._requireNamespace(`let it reference the Service ${backend.namespace}/${backend.name} (ReferenceGrant)`);
  const to = { group: '', kind: 'Service', name: backend.name };
  // one grant per namespace, another one each 16 Services (the CRD's limit of `to` entries)
  for (let k = 1; ; k++) {
    const id = k === 1 ? `ReferenceGrant-${backend.namespace}` : `ReferenceGrant-${backend.namespace}-${k}`;
    const grant = route.node.tryFindChild(id) as ReferenceGrant | undefined;
    if (grant && grant._allow(to)) return;
    if (!grant) {
      const fromRoutes = [{ group: _GATEWAY_API_GROUP, kind: routeKind, namespace: from }];
      new ReferenceGrant(route, id, { metadata: { namespace: backend.namespace }, from: fromRoutes, to: [to] });
      return;
    }
  }
}

/** The header and mirror options of a rule (HTTPRoute and GRPCRoute). @internal */
export interface _FilterInput {
  readonly setRequestHeaders?: { [name: string]: string };
  readonly requestHeaders?: _HeaderModifierInput;
  readonly responseHeaders?: _HeaderModifierInput;
  readonly mirrors?: _MirrorInput[];
}

/** A rendered header-modifier or mirror filter. */
interface _Filter {
  readonly type: string;
  readonly requestHeaderModifier?: object;
  readonly responseHeaderModifier?: object;
  readonly requestMirror?: object;
}

/** A route as `_grantBackend` and `_RouteRules` need it (an L2 route). @internal */
export type _RouteConstruct = IConstruct & { readonly namespace?: string; _requireNamespace(purpose: string): string };

/** The props every Gateway API route L2 shares. @internal */
export interface _RouteCommonProps {
  readonly parents: RouteParent[];
  readonly hostnames?: string[];
  readonly referenceGrants?: boolean;
  readonly metadata?: { readonly namespace?: string };
}

/**
 * What every Gateway API route L2 (`KubernetesHttpRoute`, `KubernetesGrpcRoute`, `KubernetesTlsRoute`)
 * keeps the same way: its checked parents and hostnames, its rules with their limits (16 rules, 64
 * matches a rule, 128 a route) and unique names, the ReferenceGrants for its cross-namespace backends,
 * and the `parentRefs` / `hostnames` / `rules` of its spec. The route keeps only what differs: how a
 * rule's matches, filters and backends are checked and rendered.
 * @internal
 */
export class _RouteRules<R extends { readonly name?: string }> {
  /** The rules in `spec.rules` order. */
  public readonly rules: R[] = [];
  private readonly parents: RouteParent[];
  private readonly hostnames: string[];
  private readonly referenceGrants: boolean;
  private readonly ruleNames = new Set<string>();
  private matchCount = 0;

  /**
   * Checks the parents and hostnames (`kind` is the Gateway API kind, e.g. `HTTPRoute`); `scope` gives
   * the namespace when `props.metadata` has none.
   */
  constructor(private readonly route: _RouteConstruct, private readonly kind: string, props: _RouteCommonProps, scope: IConstruct) {
    this.parents = _checkRouteParents(kind, props.parents, props.metadata?.namespace ?? _namespaceOf(scope));
    this.hostnames = _checkRouteHostnames(props.hostnames);
    this.referenceGrants = props.referenceGrants ?? true;
  }

  /** Fails synth while the route has no rules (`className` names the L2 in the message). */
  public requireRules(className: string): void {
    this.route.node.addValidation({
      validate: () => this.rules.length === 0 ? [`${className} '${this.route.node.path}' has no rules. Fix: call addRule()`] : [],
    });
  }

  /** Checks a new rule against the limits (rules, matches) and the other rules' names, before it is rendered further. */
  public checkRule(name: string | undefined, matches: number): void {
    const several = `split the routes over several ${this.kind}s`;
    if (this.rules.length >= 16) throw _invalid('rules', this.rules.length + 1, `${article(this.kind)} ${this.kind} has at most 16 rules`, several);
    if (matches > 64) throw _invalid('matches', matches, 'a rule has at most 64 matches', 'split the rule');
    if (this.matchCount + matches > 128) {
      throw _invalid('matches', this.matchCount + matches, 'the matches of all rules of a route must be at most 128', several);
    }
    if (name !== undefined) {
      _validateDnsSubdomain('name', name);
      if (this.ruleNames.has(name)) throw _invalid('name', name, 'another rule of the route has this name', 'give each rule its own name');
    }
  }

  /** Adds a rule checked with `checkRule()` at `index`, with its number of matches. */
  public insert(index: number, rule: R, matches: number): R {
    this.matchCount += matches;
    if (rule.name !== undefined) this.ruleNames.add(rule.name);
    this.rules.splice(index, 0, rule);
    return rule;
  }

  /** Renders a backend and grants the route access to it when it is in another namespace. */
  public backendRef(prop: string, b: _BackendInput, allowWeight: boolean): _BackendRef {
    const ref = _renderBackendRef(prop, b, allowWeight);
    this.grant(ref);
    return ref;
  }

  /**
   * A rule's header-modifier and mirror filters after the `first` ones the route renders itself:
   * request headers (`setRequestHeaders` or `requestHeaders`, one modifier), response headers, then one
   * `RequestMirror` a mirror (granting the route access to the mirror's Service); at most 16 filters.
   */
  public filters<F extends { readonly type: string }>(first: F[], options: _FilterInput): F[] {
    const filters: _Filter[] = [...first];
    if (options.setRequestHeaders && options.requestHeaders) {
      throw _invalid('setRequestHeaders', options.setRequestHeaders, 'a rule has one RequestHeaderModifier', 'move the headers into requestHeaders.set');
    }
    const request = options.setRequestHeaders
      ? _renderHeaderModifier('setRequestHeaders', { set: options.setRequestHeaders }, true)
      : _renderHeaderModifier('requestHeaders', options.requestHeaders);
    if (request) filters.push({ type: 'RequestHeaderModifier', requestHeaderModifier: request });
    const response = _renderHeaderModifier('responseHeaders', options.responseHeaders);
    if (response) filters.push({ type: 'ResponseHeaderModifier', responseHeaderModifier: response });
    for (const m of options.mirrors ?? []) {
      const mirror = _renderMirror('mirrors', m);
      this.grant(mirror.backendRef);
      filters.push({ type: 'RequestMirror', requestMirror: mirror });
    }
    if (filters.length > 16) throw _invalid('mirrors', (options.mirrors ?? []).length, 'a rule has at most 16 filters', 'mirror to fewer backends');
    return filters as unknown as F[]; // the same filter shapes in HTTPRoute and GRPCRoute, typed per kind by the generated L1s
  }

  /** A ReferenceGrant for `ref` when it is a Service in another namespace (unless `referenceGrants` is false). */
  public grant(ref: _BackendRef): void {
    if (this.referenceGrants) _grantBackend(this.route, this.kind, ref);
  }

  /** `parentRefs`, `hostnames` and `rules` of the spec (at synth). */
  public spec(): { parentRefs: ReturnType<RouteParent['_render']>[]; hostnames?: string[]; rules: R[] } {
    return {
      parentRefs: this.parents.map((p) => p._render(this.route.namespace)),
      hostnames: this.hostnames.length ? [...this.hostnames] : undefined,
      rules: this.rules,
    };
  }
}

function article(kind: string): string {
  return kind === 'HTTPRoute' ? 'an' : 'a';
}
