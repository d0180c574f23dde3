/**
 * Gateway API HTTPRoute evaluation for MeshRouting: which HTTPRoutes apply to a request (Service parents
 * for mesh traffic, consumer routes first; Gateway parents for traffic through that gateway; the most
 * specific hostname), then the one precedence order of Gateway API across all their rules' matches, as
 * Istio 1.30 implements it (`sortHTTPRoutes` in pilot/pkg/config/kube/gateway/conversion.go): routes by
 * creation time, then `namespace/name`; each match its own route; then, stably, exact path over prefix
 * over regex, the longer path, a method match, more header matches, more query-parameter matches.
 *
 * Internal: not part of the public API.
 */
import { _MESH_GATEWAY, _clientHostToFqdn, _hostSubsetOf, _serviceFqdn } from '../_naming';
import { _toJsRegExp } from '../match';

/** The request as route-tester normalizes it. @internal */
export interface _EvalRequest {
  readonly host: string;
  readonly path: string;
  readonly query: { [k: string]: string };
  readonly method: string;
  readonly headers: { [k: string]: string };
  readonly gateway: string;
  readonly port?: number;
  readonly sourceNamespace?: string;
  readonly namespace?: string;
}

/** A destination of the matched rule. @internal */
export interface _EvalDestination {
  readonly host: string;
  readonly fqdn: string;
  readonly port?: number;
  readonly weight: number;
}

/** The outcome: the route and rule, or why none. @internal */
export interface _EvalResult {
  readonly route?: string;
  readonly ruleIndex?: number;
  readonly ruleName?: string;
  readonly destinations: _EvalDestination[];
  readonly redirect: boolean;
  readonly description: string;
}

/** The parts of a rendered HTTPRoute read here. */
interface NameValue { readonly name: string; readonly type?: string; readonly value: string }
interface Match {
  readonly path?: { readonly type?: string; readonly value?: string };
  readonly method?: string;
  readonly headers?: NameValue[];
  readonly queryParams?: NameValue[];
}
interface BackendRef { readonly name: string; readonly namespace?: string; readonly kind?: string; readonly port?: number; readonly weight?: number }
interface Rule {
  readonly name?: string;
  readonly matches?: Match[];
  readonly backendRefs?: BackendRef[];
  readonly filters?: Array<{ readonly type: string }>;
}
interface ParentRef { readonly group?: string; readonly kind?: string; readonly name: string; readonly namespace?: string; readonly port?: number }
interface Route {
  readonly apiVersion?: string;
  readonly kind?: string;
  readonly metadata?: { readonly name?: string; readonly namespace?: string; readonly creationTimestamp?: string };
  readonly spec?: { readonly parentRefs?: ParentRef[]; readonly hostnames?: string[]; readonly rules?: Rule[] };
}

interface Candidate {
  readonly route: Route;
  readonly key: string;
  readonly ruleIndex: number;
  readonly match: Match;
}

function isHttpRoute(o: unknown): o is Route {
  const r = o as Route | undefined;
  return r?.kind === 'HTTPRoute' && String(r.apiVersion ?? '').startsWith('gateway.networking.k8s.io/');
}

/** How specifically a route's hostnames match the request host: -1 none, 0 no hostnames, else longer is more specific. */
function hostnameScore(route: Route, host: string): number {
  const names: string[] = route.spec?.hostnames ?? [];
  if (names.length === 0) return 0;
  let best = -1;
  for (const h of names) {
    if (!_hostSubsetOf(host, h)) continue;
    best = Math.max(best, h.startsWith('*.') ? h.length : 10000 + h.length);
  }
  return best;
}

/** Whether a parentRef of `route` (in `ns`) takes the request: the Service called (mesh), or the gateway it came through. */
function parentTakes(p: ParentRef, ns: string, req: _EvalRequest): boolean {
  const group = p.group ?? 'gateway.networking.k8s.io';
  const kind = p.kind ?? 'Gateway';
  const pns = p.namespace ?? ns;
  if (group === '' && kind === 'Service') {
    if (req.gateway !== _MESH_GATEWAY) return false;
    const called = _clientHostToFqdn(req.host, req.sourceNamespace ?? req.namespace ?? ns);
    return called === _serviceFqdn(p.name, pns) && (p.port === undefined || req.port === undefined || p.port === req.port);
  }
  return kind === 'Gateway' && req.gateway === `${pns}/${p.name}`;
}

/**
 * The routes that apply: those with a parent taking the request; for mesh traffic, the consumer routes of
 * the caller's namespace replace the producer routes when there are any; then only the most specific hostname.
 */
function applicableRoutes(manifests: readonly unknown[], req: _EvalRequest): Route[] {
  let routes = manifests.filter(isHttpRoute).filter((o) => (o.spec?.parentRefs ?? []).some((p) => parentTakes(p, nsOf(o), req)));
  if (req.gateway === _MESH_GATEWAY) {
    const isConsumer = (o: Route) => (o.spec?.parentRefs ?? []).some((p) => p.kind === 'Service' && (p.namespace ?? nsOf(o)) !== nsOf(o));
    const consumers = routes.filter((o) => isConsumer(o) && nsOf(o) === req.sourceNamespace);
    routes = consumers.length > 0 ? consumers : routes.filter((o) => !isConsumer(o));
  }
  const scores = routes.map((o) => hostnameScore(o, req.host));
  const best = Math.max(-1, ...scores);
  return routes.filter((_, i) => scores[i] === best && best >= 0);
}

function nsOf(o: Route): string {
  return o.metadata?.namespace ?? 'default';
}

function routeKey(o: Route): string {
  return `${nsOf(o)}/${o.metadata?.name}`;
}

/** Every match of every rule (a rule without matches has the CRD's default `PathPrefix /`), in Istio's order. */
function candidates(routes: Route[]): Candidate[] {
  const ordered = [...routes].sort((a, b) => {
    const ta = String(a.metadata?.creationTimestamp ?? '');
    const tb = String(b.metadata?.creationTimestamp ?? '');
    return ta !== tb ? (ta < tb ? -1 : 1) : routeKey(a) < routeKey(b) ? -1 : routeKey(a) > routeKey(b) ? 1 : 0;
  });
  const out: Candidate[] = [];
  for (const route of ordered) {
    (route.spec?.rules ?? []).forEach((rule, ruleIndex) => {
      const matches: Match[] = rule.matches?.length ? rule.matches : [{}];
      for (const match of matches) out.push({ route, key: routeKey(route), ruleIndex, match });
    });
  }
  const stable = out.map((c, i) => ({ c, i }));
  stable.sort((x, y) => compareMatches(x.c.match, y.c.match) || x.i - y.i);
  return stable.map((s) => s.c);
}

function pathOf(m: Match): { type: string; value: string } {
  const type = m.path?.type ?? 'PathPrefix';
  const value = m.path?.value ?? '/';
  // Istio drops a trailing "/" of a prefix ("When specified, a trailing `/` is ignored.")
  return { type, value: type === 'PathPrefix' && value !== '/' ? value.replace(/\/$/, '') : value };
}

const RANK: { [type: string]: number } = { Exact: 3, PathPrefix: 2, RegularExpression: 1 };

/** Negative when `a` takes precedence. */
function compareMatches(a: Match, b: Match): number {
  const pa = pathOf(a);
  const pb = pathOf(b);
  return (RANK[pb.type] ?? 0) - (RANK[pa.type] ?? 0)
    || pb.value.length - pa.value.length
    || Number(b.method !== undefined) - Number(a.method !== undefined)
    || (b.headers?.length ?? 0) - (a.headers?.length ?? 0)
    || (b.queryParams?.length ?? 0) - (a.queryParams?.length ?? 0);
}

function valueMatches(cond: NameValue, value: string | undefined): boolean {
  if (value === undefined) return false;
  return (cond.type ?? 'Exact') === 'RegularExpression' ? _toJsRegExp(String(cond.value)).test(value) : value === cond.value;
}

function matchApplies(m: Match, req: _EvalRequest): boolean {
  const { type, value } = pathOf(m);
  if (type === 'Exact' && req.path !== value) return false;
  // element-wise: "/catalog" matches "/catalog" and "/catalog/x", not "/catalogue"
  if (type === 'PathPrefix' && value !== '/' && req.path !== value && !req.path.startsWith(`${value}/`)) return false;
  if (type === 'RegularExpression' && !_toJsRegExp(value).test(req.path)) return false;
  if (m.method !== undefined && m.method !== req.method) return false;
  if (!(m.headers ?? []).every((h) => valueMatches(h, req.headers[String(h.name).toLowerCase()]))) return false;
  return (m.queryParams ?? []).every((q) => valueMatches(q, req.query[q.name]));
}

function destinationsOf(rule: Rule, ns: string): _EvalDestination[] {
  const refs = rule.backendRefs ?? [];
  const total = refs.reduce((s, r) => s + (r.weight ?? 1), 0);
  return refs.map((r) => {
    const isHostname = r.kind === 'Hostname';
    return {
      host: r.name,
      fqdn: isHostname ? r.name : _serviceFqdn(r.name, r.namespace ?? ns),
      port: r.port,
      weight: total === 0 ? 0 : Math.round(((r.weight ?? 1) * 10000) / total) / 100,
    };
  });
}

/**
 * Evaluates `req` against the HTTPRoutes in `manifests`.
 * @internal
 */
export function _evaluateHttpRoutes(manifests: readonly unknown[], req: _EvalRequest): _EvalResult | undefined {
  const routes = applicableRoutes(manifests, req);
  if (routes.length === 0) return undefined;
  for (const c of candidates(routes)) {
    if (!matchApplies(c.match, req)) continue;
    const rule = c.route.spec!.rules![c.ruleIndex];
    const destinations = destinationsOf(rule, nsOf(c.route));
    const redirect = (rule.filters ?? []).some((f) => f.type === 'RequestRedirect');
    const what = redirect ? 'redirects' : `sends: ${destinations.map((d) => `${d.fqdn} ${d.weight}%`).join(', ')}`;
    return {
      route: c.key,
      ruleIndex: c.ruleIndex,
      ruleName: rule.name,
      destinations,
      redirect,
      description: `HTTPRoute ${c.key} rule #${c.ruleIndex}${rule.name ? ` "${rule.name}"` : ''} ${what}`,
    };
  }
  return { destinations: [], redirect: false, description: `no rule of HTTPRoute${routes.length > 1 ? 's' : ''} ${routes.map(routeKey).join(', ')} matches` };
}
