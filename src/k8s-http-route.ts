import { ApiObject, Duration, Lazy } from 'cdk8s';
import { Construct, IConstruct } from 'constructs';
import {
  _RouteRules, _renderGatewayDuration, _renderHeaderModifier, _renderMirror, _renderNameValueMatches, _validateGatewayPath,
} from './_gwapi';
import { _checkProps, _invalid, _undefinedIfEmpty, _validateHost, _validatePort } from './_utils';
import { IstioResource, IstioResourceProps } from './base';
import { HttpMethod, _checkHttpMethod } from './http-method';
import * as gw from './imports/gwapi-gateway.networking.k8s.io';
import { StringMatch, _validateRegex } from './match';
import { RouteParent } from './route-parent';

/**
 * A backend of a Gateway API route rule: a Kubernetes Service (`serviceName`), or for egress an Istio
 * `Hostname` (`hostname`: a host the mesh knows, e.g. a ServiceEntry host). Give exactly one of them.
 */
export interface KubernetesHttpRouteBackend {
  /**
   * The Service (a cdk8s-plus Service of any version, a plain or imported `ApiObject`): its name and
   * namespace are read from the object.
   *
   * @default - none: give `service`, `serviceName` or `hostname`
   */
  readonly service?: IConstruct;
  /**
   * The Service name, for a Service managed outside this app (prefer `service` when the object exists).
   *
   * @default - none: give `service`, `serviceName` or `hostname`
   */
  readonly serviceName?: string;
  /**
   * A host known to the mesh (a ServiceEntry host such as `api.example.com`), rendered as Istio's
   * `networking.istio.io` `Hostname` backend: how Gateway API routes reach external services.
   *
   * @default - none: give `service`, `serviceName` or `hostname`
   * @see https://istio.io/latest/docs/tasks/traffic-management/egress/egress-gateway/
   */
  readonly hostname?: string;
  /** The Service port (or the host's port). */
  readonly port: number;
  /**
   * The Service namespace. A route referencing a Service in another namespace needs a ReferenceGrant
   * there, which the route creates unless its `referenceGrants` is false. Not allowed with `hostname`
   * (nor with `service`, whose namespace is read from the object).
   *
   * @default - the route's namespace
   */
  readonly namespace?: string;
  /**
   * Relative weight (0–1,000,000).
   *
   * @default 1
   */
  readonly weight?: number;
}

/**
 * One match of an HTTPRoute rule: all given conditions must hold. At most one path condition.
 */
export interface KubernetesHttpRouteMatch {
  /**
   * Path prefix (element-wise, `/catalog` matches `/catalog/x` but not `/catalogue`).
   *
   * @default - any path (unless pathExact/pathRegex)
   */
  readonly pathPrefix?: string;
  /**
   * Exact path.
   *
   * @default - none
   */
  readonly pathExact?: string;
  /**
   * Path regular expression (RE2, as Istio evaluates it), matching the whole path.
   *
   * @default - none
   */
  readonly pathRegex?: string;
  /**
   * Exact header values (names are case-insensitive).
   *
   * @default - none
   */
  readonly headers?: { [name: string]: string };
  /**
   * Header conditions: `StringMatch.exact()` or `StringMatch.regex()` (Gateway API has no prefix match).
   * A header appears either here or in `headers`.
   *
   * @default - none
   */
  readonly headerMatches?: { [name: string]: StringMatch };
  /**
   * Query parameter conditions: `StringMatch.exact()` or `StringMatch.regex()` (names are case-sensitive).
   *
   * @default - none
   */
  readonly queryParams?: { [name: string]: StringMatch };
  /**
   * The HTTP method.
   *
   * @default - any method
   */
  readonly method?: HttpMethod;
}

/**
 * A redirect answered by the gateway or sidecar (no backends then).
 */
export interface KubernetesHttpRouteRedirect {
  /**
   * Scheme of the Location: `http` or `https`.
   *
   * @default - unchanged
   */
  readonly scheme?: string;
  /**
   * Host of the Location.
   *
   * @default - unchanged
   */
  readonly hostname?: string;
  /**
   * Port of the Location.
   *
   * @default - the scheme's well-known port when `scheme` is set, else the request's port
   */
  readonly port?: number;
  /**
   * Replace the whole path.
   *
   * @default - path unchanged
   */
  readonly replaceFullPath?: string;
  /**
   * Replace the matched path prefix (requires exactly one `pathPrefix` match).
   *
   * @default - path unchanged
   */
  readonly replacePrefixMatch?: string;
  /**
   * HTTP status: 301, 302, 303, 307 or 308.
   *
   * @default 302
   */
  readonly statusCode?: number;
}

/**
 * A rewrite before forwarding.
 */
export interface KubernetesHttpRouteRewrite {
  /**
   * Replace the matched path prefix (requires exactly one `pathPrefix` match).
   *
   * @default - path unchanged
   */
  readonly replacePrefixMatch?: string;
  /**
   * Replace the whole path.
   *
   * @default - path unchanged
   */
  readonly replaceFullPath?: string;
  /**
   * Replace the Host header.
   *
   * @default - unchanged
   */
  readonly hostname?: string;
}

/**
 * Header operations (`RequestHeaderModifier` / `ResponseHeaderModifier`): each header name once across
 * set, add and remove (names are case-insensitive), at most 16 per operation.
 */
export interface KubernetesHttpHeaderModifier {
  /**
   * Headers to set, replacing any value.
   *
   * @default - none
   */
  readonly set?: { [name: string]: string };
  /**
   * Headers to add (appended to existing values).
   *
   * @default - none
   */
  readonly add?: { [name: string]: string };
  /**
   * Headers to remove.
   *
   * @default - none
   */
  readonly remove?: string[];
}

/**
 * A fraction of requests, `numerator / denominator`.
 */
export interface KubernetesHttpRouteMirrorFraction {
  /** The numerator (0 to denominator). */
  readonly numerator: number;
  /**
   * The denominator (at least 1).
   *
   * @default 100
   */
  readonly denominator?: number;
}

/**
 * A copy of each request (or a part of them) sent to another backend, whose responses are ignored
 * (`RequestMirror` filter).
 */
export interface KubernetesHttpRouteMirror {
  /** Where to send the copies (no weight). */
  readonly backend: KubernetesHttpRouteBackend;
  /**
   * Whole percent of requests to mirror (0–100).
   *
   * @default - every request (unless `fraction`)
   */
  readonly percent?: number;
  /**
   * Fraction of requests to mirror, for steps finer than one percent.
   *
   * @default - every request (unless `percent`)
   */
  readonly fraction?: KubernetesHttpRouteMirrorFraction;
}

/**
 * A rule of an HTTPRoute.
 */
export interface KubernetesHttpRouteRuleOptions {
  /**
   * The rule name (unique within the route), shown in status and used by Istio as the route name.
   *
   * @default - unnamed
   */
  readonly name?: string;
  /**
   * Matches (OR-ed).
   *
   * @default - every request (`PathPrefix /`)
   */
  readonly matches?: KubernetesHttpRouteMatch[];
  /**
   * Weighted backends.
   *
   * @default - none (then a redirect is required)
   */
  readonly backends?: KubernetesHttpRouteBackend[];
  /**
   * Redirect instead of forwarding.
   *
   * @default - none
   */
  readonly redirect?: KubernetesHttpRouteRedirect;
  /**
   * Rewrite before forwarding.
   *
   * @default - none
   */
  readonly rewrite?: KubernetesHttpRouteRewrite;
  /**
   * Request headers to set (overwrite). Shorthand for `requestHeaders.set`; give one of the two.
   *
   * @default - none
   */
  readonly setRequestHeaders?: { [name: string]: string };
  /**
   * Request header operations (`RequestHeaderModifier`).
   *
   * @default - none
   */
  readonly requestHeaders?: KubernetesHttpHeaderModifier;
  /**
   * Response header operations (`ResponseHeaderModifier`).
   *
   * @default - none
   */
  readonly responseHeaders?: KubernetesHttpHeaderModifier;
  /**
   * Mirrors (`RequestMirror` filters).
   *
   * @default - none
   */
  readonly mirrors?: KubernetesHttpRouteMirror[];
  /**
   * Timeout of the whole request (`timeouts.request`); `Duration.seconds(0)` disables it.
   *
   * @default - the implementation's default (Istio: none)
   */
  readonly timeout?: Duration;
  /**
   * Timeout of each request to a backend (`timeouts.backendRequest`), at most `timeout`.
   *
   * @default - `timeout`
   */
  readonly backendRequestTimeout?: Duration;
}

/**
 * Props for `KubernetesHttpRoute`.
 */
export interface KubernetesHttpRouteProps extends IstioResourceProps {
  /**
   * What the route attaches to: Gateways (optionally one listener) and/or Services (mesh routing,
   * optionally one port), at most 32.
   */
  readonly parents: RouteParent[];
  /**
   * Host names the route serves.
   *
   * @default - the listener's hostnames
   */
  readonly hostnames?: string[];
  /**
   * Rules (more with `addRule()`).
   *
   * @default - none; at least one is required at synth
   */
  readonly rules?: KubernetesHttpRouteRuleOptions[];
  /**
   * Create a ReferenceGrant in each other namespace a backend or mirror Service is in (a child of the
   * route, with `metadata.namespace` that namespace). When false, the grants must exist (the synth-time
   * checks report a missing one).
   *
   * @default true
   */
  readonly referenceGrants?: boolean;
}

const STATUS_CODES = [301, 302, 303, 307, 308];

/** `timeouts`, with the CEL rule backendRequest <= request (unless request is 0). */
function renderTimeouts(request: Duration | undefined, backendRequest: Duration | undefined): gw.HttpRouteSpecRulesTimeouts | undefined {
  if (request === undefined && backendRequest === undefined) return undefined;
  const rendered = {
    request: request ? _renderGatewayDuration('timeout', request) : undefined,
    backendRequest: backendRequest ? _renderGatewayDuration('backendRequestTimeout', backendRequest) : undefined,
  };
  if (request && backendRequest && request.toMilliseconds() !== 0 && backendRequest.toMilliseconds() > request.toMilliseconds()) {
    throw _invalid('backendRequestTimeout', rendered.backendRequest, `it is longer than the request timeout (${rendered.request})`,
      'make backendRequestTimeout at most timeout (or the request timeout 0, which disables it)');
  }
  return rendered;
}

/** A path regex as the CRD (1..1024 characters) and Istio (RE2) accept it. */
function pathRegex(re: string): string {
  if (typeof re !== 'string' || re.length === 0 || re.length > 1024) {
    throw _invalid('matches.pathRegex', re, 'a path regex is 1 to 1024 characters', 'give an RE2 expression such as "/v[0-9]+/.*"');
  }
  return _validateRegex('matches.pathRegex', re);
}

/** The CEL rule of `replacePrefixMatch` (redirects and rewrites): exactly one match, a PathPrefix. */
function checkReplacePrefix(prop: string, value: string, matches: KubernetesHttpRouteMatch[] | undefined): void {
  if ((matches ?? []).length !== 1 || matches![0].pathPrefix === undefined) {
    throw _invalid(prop, value, 'replacePrefixMatch needs exactly one match, with a pathPrefix', 'give the rule one match with pathPrefix');
  }
}

/** The `path` of a redirect or rewrite: replaceFullPath or replacePrefixMatch. */
function renderPathModifier(prop: string, full: string | undefined, prefix: string | undefined,
  matches: KubernetesHttpRouteMatch[] | undefined): { type: string; replaceFullPath?: string; replacePrefixMatch?: string } | undefined {
  if (full !== undefined && prefix !== undefined) {
    throw _invalid(prop, { replaceFullPath: full, replacePrefixMatch: prefix }, 'a path is replaced either fully or by prefix', 'give replaceFullPath or replacePrefixMatch');
  }
  if (full !== undefined) return { type: 'ReplaceFullPath', replaceFullPath: _validateGatewayPath(`${prop}.replaceFullPath`, full) };
  if (prefix === undefined) return undefined;
  _validateGatewayPath(`${prop}.replacePrefixMatch`, prefix);
  checkReplacePrefix(`${prop}.replacePrefixMatch`, prefix, matches);
  return { type: 'ReplacePrefixMatch', replacePrefixMatch: prefix };
}

/**
 * A Gateway API `HTTPRoute` (`gateway.networking.k8s.io/v1`) attached to Gateways or, for mesh routing,
 * to Services. Enforces the standard CRD's schema and CEL rules for what it renders (paths, matches,
 * filters, redirect vs backends, replacePrefixMatch with one PathPrefix, rule and match limits, timeouts).
 *
 * @see https://gateway-api.sigs.k8s.io/api-types/httproute/
 */
export class KubernetesHttpRoute extends IstioResource {
  public readonly apiObject: ApiObject;
  private readonly route: _RouteRules<gw.HttpRouteSpecRules>;

  /**
   * Defines an HTTPRoute attached to Gateways (or listeners of them) and/or Services (mesh routing,
   * `spec.parentRefs`); rules can be added later with `addRule()` (at least one is needed by synth).
   *
   * @param scope the parent construct (usually a Chart)
   * @param id the construct id, unique within `scope`
   * @param props the parents (required, each listed once: `RouteParent.fromGateway()`,
   * `RouteParent.fromService()`...), `hostnames` (lowercase) and rules
   */
  constructor(scope: Construct, id: string, props: KubernetesHttpRouteProps) {
    super(scope, id, _checkProps('props', props, true, '{ parents: [RouteParent.service("catalog")] }'));
    this.route = new _RouteRules(this, 'HTTPRoute', props, scope);
    this.apiObject = this._createApiObject(gw.HttpRoute, {
      metadata: props.metadata,
      spec: Lazy.any({ produce: () => gw.toJson_HttpRouteSpec(this.route.spec()) }),
    });
    for (const r of props.rules ?? []) this.addRule(r);
    this.route.requireRules('KubernetesHttpRoute');
  }

  /**
   * Adds a rule (rules are evaluated by match specificity, per the Gateway API spec).
   *
   * Renders one entry of `spec.rules`: `matches`, `backendRefs` (weighted) and `filters` (redirect,
   * URL rewrite, request and response header modifiers, mirrors), plus `timeouts`.
   *
   * @param options matches (default every request, `PathPrefix /`), backends or a redirect, rewrite,
   * header operations, mirrors and timeouts
   */
  public addRule(options: KubernetesHttpRouteRuleOptions): void {
    this._insertRule(this.route.rules.length, options);
  }

  /**
   * Replaces the backends of a rule returned by `_insertRule()` (MeshGateway follows canary weights).
   *
   * @internal
   */
  public _replaceBackends(rule: object, backends: KubernetesHttpRouteBackend[]): void {
    const i = this.route.rules.indexOf(rule as gw.HttpRouteSpecRules);
    if (i < 0) throw new Error(`rule not found in KubernetesHttpRoute '${this.node.path}'`);
    // mutate in place: the rule object is the caller's handle for later shifts
    (this.route.rules[i] as { backendRefs?: gw.HttpRouteSpecRulesBackendRefs[] }).backendRefs = backends.map((b) => this.route.backendRef('backends', b, true));
  }

  /**
   * Inserts a rule at `index` (used by MeshGateway to keep rules in specificity order).
   *
   * @internal
   */
  public _insertRule(index: number, options: KubernetesHttpRouteRuleOptions): object {
    _checkProps('options', options, true, '{ backends: [{ serviceName: "catalog", port: 8080 }] }');
    const matches = (options.matches ?? []).map((m) => this.renderMatch(m));
    this.route.checkRule(options.name, matches.length);
    const backends = options.backends ?? [];
    if (options.redirect && backends.length > 0) {
      throw _invalid('redirect', options.redirect, 'a RequestRedirect filter must not be used together with backends', 'drop the backends, or the redirect');
    }
    if (!options.redirect && backends.length === 0) {
      throw _invalid('backends', backends, 'a rule without redirect needs at least one backend', 'add backends: [{ serviceName, port }]');
    }
    if (backends.length > 16) throw _invalid('backends', backends.length, 'a rule has at most 16 backends', 'split the traffic over fewer backends');
    const filters = this.renderFilters(options);
    return this.route.insert(index, {
      name: options.name,
      matches: _undefinedIfEmpty(matches),
      filters: _undefinedIfEmpty(filters),
      backendRefs: _undefinedIfEmpty(backends.map((b) => this.route.backendRef('backends', b, true))),
      timeouts: renderTimeouts(options.timeout, options.backendRequestTimeout),
    }, matches.length);
  }

  /** The filters in a fixed order: redirect, rewrite, request headers, response headers, mirrors. */
  private renderFilters(options: KubernetesHttpRouteRuleOptions): gw.HttpRouteSpecRulesFilters[] {
    const T = gw.HttpRouteSpecRulesFiltersType;
    const filters: gw.HttpRouteSpecRulesFilters[] = [];
    if (options.redirect && options.rewrite) {
      throw _invalid('rewrite', options.rewrite, 'a rule either redirects or rewrites (the CRD allows a RequestRedirect or a URLRewrite filter, not both)',
        'put the new path or host into the redirect, or drop the redirect');
    }
    if (options.redirect) filters.push({ type: T.REQUEST_REDIRECT, requestRedirect: this.renderRedirect(options.redirect, options.matches) });
    if (options.rewrite) filters.push({ type: T.URL_REWRITE, urlRewrite: this.renderRewrite(options.rewrite, options.matches) });
    return this.route.filters(filters, options);
  }

  private renderMatch(m: KubernetesHttpRouteMatch): gw.HttpRouteSpecRulesMatches {
    const paths = [m.pathPrefix, m.pathExact, m.pathRegex].filter((p) => p !== undefined);
    if (paths.length > 1) throw _invalid('matches', m, 'a match has one path condition', 'use one of pathPrefix, pathExact or pathRegex');
    const P = gw.HttpRouteSpecRulesMatchesPathType;
    const path: gw.HttpRouteSpecRulesMatchesPath | undefined =
      m.pathPrefix !== undefined ? { type: P.PATH_PREFIX, value: _validateGatewayPath('matches.pathPrefix', m.pathPrefix) }
        : m.pathExact !== undefined ? { type: P.EXACT, value: _validateGatewayPath('matches.pathExact', m.pathExact) }
          : m.pathRegex !== undefined ? { type: P.REGULAR_EXPRESSION, value: pathRegex(m.pathRegex) }
            : undefined;
    const headers = _renderNameValueMatches('matches.headers', 'header', m.headers, m.headerMatches);
    const queryParams = _renderNameValueMatches('matches.queryParams', 'query parameter', undefined, m.queryParams);
    const method = m.method === undefined ? undefined : _checkHttpMethod('matches.method', m.method);
    return {
      path,
      headers: _undefinedIfEmpty(headers as gw.HttpRouteSpecRulesMatchesHeaders[]),
      queryParams: _undefinedIfEmpty(queryParams as gw.HttpRouteSpecRulesMatchesQueryParams[]),
      method: method as unknown as gw.HttpRouteSpecRulesMatchesMethod | undefined,
    };
  }

  /** The one-PathPrefix-match rule of `replacePrefixMatch` (redirects and rewrites). */

  private renderRewrite(rw: KubernetesHttpRouteRewrite, matches: KubernetesHttpRouteMatch[] | undefined): gw.HttpRouteSpecRulesFiltersUrlRewrite {
    const path = renderPathModifier('rewrite', rw.replaceFullPath, rw.replacePrefixMatch, matches);
    if (rw.hostname !== undefined) _validateHost('rewrite.hostname', rw.hostname, false, false);
    if (!path && rw.hostname === undefined) throw _invalid('rewrite', rw, 'the rewrite changes nothing', 'give replacePrefixMatch, replaceFullPath or hostname, or drop it');
    return { hostname: rw.hostname, path: path as gw.HttpRouteSpecRulesFiltersUrlRewritePath | undefined };
  }

  private renderRedirect(r: KubernetesHttpRouteRedirect, matches: KubernetesHttpRouteMatch[] | undefined):
  gw.HttpRouteSpecRulesFiltersRequestRedirect {
    if (r.scheme !== undefined && r.scheme !== 'http' && r.scheme !== 'https') {
      throw _invalid('redirect.scheme', r.scheme, 'the scheme is http or https', 'use "https"');
    }
    if (r.statusCode !== undefined && !STATUS_CODES.includes(r.statusCode)) {
      throw _invalid('redirect.statusCode', r.statusCode, `a redirect status is one of ${STATUS_CODES.join(', ')}`, 'use 301 (permanent) or 302');
    }
    if (r.hostname !== undefined) _validateHost('redirect.hostname', r.hostname, false, false);
    if (r.port !== undefined) _validatePort('redirect.port', r.port, 'use e.g. 443, or leave it out');
    return {
      scheme: r.scheme as gw.HttpRouteSpecRulesFiltersRequestRedirectScheme | undefined,
      hostname: r.hostname,
      port: r.port,
      path: renderPathModifier('redirect', r.replaceFullPath, r.replacePrefixMatch, matches) as gw.HttpRouteSpecRulesFiltersRequestRedirectPath | undefined,
      statusCode: r.statusCode as gw.HttpRouteSpecRulesFiltersRequestRedirectStatusCode | undefined,
    };
  }

}
