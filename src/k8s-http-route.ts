import { ApiObject, Duration, Lazy } from 'cdk8s';
import { Construct } from 'constructs';
import { _invalid, _namespaceOf, _renderDuration, _undefinedIfEmpty, _validateDnsLabel, _validateHost, _validatePort } from './_utils';
import { IstioResource, IstioResourceProps } from './base';
import * as gw from './imports/gwapi-gateway.networking.k8s.io';
import { _validateRegex } from './match';
import { RouteParent } from './route-parent';

/**
 * A Service backend of an HTTPRoute rule.
 */
export interface KubernetesHttpRouteBackend {
  /** The Service name. */
  readonly serviceName: string;
  /** The Service port. */
  readonly port: number;
  /**
   * The Service namespace (another namespace needs a ReferenceGrant there).
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
 * One match of an HTTPRoute rule: all given conditions must hold.
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
   * Exact header values (names are case-insensitive).
   *
   * @default - none
   */
  readonly headers?: { [name: string]: string };
  /**
   * Header values matching an RE2 regular expression (names are case-insensitive), e.g.
   * `{ cookie: '^(.*?;\\s*)?canary=always(;.*)?$' }`. Regex header matching is implementation-specific in
   * the Gateway API; Istio matches it as a VirtualService regex (RE2, whole value).
   *
   * @default - none
   */
  readonly headersRegex?: { [name: string]: string };
}

/**
 * A copy of the requests of a rule sent to another Service (`RequestMirror`); responses are discarded.
 */
export interface KubernetesHttpRouteMirror {
  /** The Service the copies go to (its `weight` is not used). */
  readonly backend: KubernetesHttpRouteBackend;
  /**
   * The percent of requests mirrored (an integer 0..100).
   *
   * @default 100
   */
  readonly percent?: number;
}

/**
 * A redirect answered by the gateway (no backends then).
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
   * HTTP status: 301 or 302.
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
   * Replace the Host header.
   *
   * @default - unchanged
   */
  readonly hostname?: string;
}

/**
 * A rule of an HTTPRoute.
 */
export interface KubernetesHttpRouteRuleOptions {
  /**
   * The rule's name (a DNS label, unique in the route): status and reviews refer to it.
   *
   * @default - unnamed
   */
  readonly name?: string;
  /**
   * Mirror the rule's requests to another Service (`RequestMirror` filter).
   *
   * @default - no mirror
   */
  readonly mirror?: KubernetesHttpRouteMirror;
  /**
   * Matches (OR-ed).
   *
   * @default - every request (`PathPrefix /`)
   */
  readonly matches?: KubernetesHttpRouteMatch[];
  /**
   * Weighted Service backends.
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
   * Request headers to set (overwrite).
   *
   * @default - none
   */
  readonly setRequestHeaders?: { [name: string]: string };
  /**
   * Timeout of the whole request.
   *
   * @default - the implementation's default
   */
  readonly timeout?: Duration;
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
}

const PATH_CHARS = /^(?:[-A-Za-z0-9/._~!$&'()*+,;=:@]|%[0-9a-fA-F]{2})+$/;
const HEADER_NAME = /^[A-Za-z0-9!#$%&'*+\-.^_`|~]+$/;

/**
 * A Gateway API `HTTPRoute` (`gateway.networking.k8s.io/v1`). Enforces the CRD's CEL rules for what it
 * renders (path syntax, redirect vs backends, replacePrefixMatch with one PathPrefix, rule and match limits).
 *
 * @see https://gateway-api.sigs.k8s.io/api-types/httproute/
 */
export class KubernetesHttpRoute extends IstioResource {
  private static validatePath(prop: string, p: string): void {
    const bad = !p.startsWith('/') ? 'it must start with "/"'
      : p.includes('//') ? 'it must not contain "//"'
        : /\/\.\.?(\/|$)/.test(p) ? 'it must not contain "/./" or "/../" segments'
          : /%2f/i.test(p) ? 'it must not contain an encoded "/" (%2F)'
            : p.includes('#') ? 'it must not contain "#"'
              : !PATH_CHARS.test(p) ? 'it contains characters not allowed in a path'
                : undefined;
    if (bad) throw _invalid(prop, p, bad, 'use an absolute, normalized path such as "/catalog"');
  }

  /**
   * Checks parents as the CRD does: 1 to 32, and the same parent twice only with distinct `sectionName`s.
   */
  private static checkParents(parents: RouteParent[], routeNamespace: string | undefined): RouteParent[] {
    if (!Array.isArray(parents) || parents.length === 0) {
      throw _invalid('parents', parents, 'an HTTPRoute must attach to at least one parent', 'pass parents: [RouteParent.fromGateway(gateway)] or [RouteParent.fromService(service)]');
    }
    if (parents.length > 32) throw _invalid('parents', parents.length, 'a route has at most 32 parents', 'split the route');
    const byParent = new Map<string, RouteParent[]>();
    for (const p of parents) {
      if (!(p instanceof RouteParent)) throw _invalid('parents', p, 'it is not a RouteParent', 'use RouteParent.fromGateway(), fromService(), gateway() or service()');
      const r = p._render(routeNamespace);
      const key = `${r.group}/${r.kind}/${r.namespace ?? ''}/${r.name}`; // the CRD compares the rendered fields
      byParent.set(key, [...(byParent.get(key) ?? []), p]);
    }
    for (const same of byParent.values()) {
      const sections = same.map((p) => p.sectionName);
      if (same.length > 1 && (sections.includes(undefined) || new Set(sections).size !== sections.length)) {
        throw _invalid('parents', same.map((p) => p.toString()), 'the same parent is listed twice (a parent may repeat only with distinct sectionNames)',
          same[0].isService ? 'list each Service once (without port to cover every port)' : 'list each gateway listener once');
      }
    }
    return [...parents];
  }

  public readonly apiObject: ApiObject;
  private readonly parents: RouteParent[];
  private readonly hostnames: string[];
  private readonly rules: gw.HttpRouteSpecRules[] = [];
  private matchCount = 0;

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
    super(scope, id, props);
    this.parents = KubernetesHttpRoute.checkParents(props.parents, props.metadata?.namespace ?? _namespaceOf(scope));
    this.hostnames = [...(props.hostnames ?? [])];
    for (const h of this.hostnames) {
      _validateHost('hostnames', h, true, true);
      if (h !== h.toLowerCase()) throw _invalid('hostnames', h, 'Gateway API hostnames are lowercase', `use "${h.toLowerCase()}"`);
    }
    this.apiObject = this._createApiObject(gw.HttpRoute, {
      metadata: props.metadata,
      spec: Lazy.any({ produce: () => gw.toJson_HttpRouteSpec(this._toSpec()) }),
    });
    for (const r of props.rules ?? []) this.addRule(r);
    this.node.addValidation({
      validate: () => this.rules.length === 0 ? [`KubernetesHttpRoute '${this.node.path}' has no rules. Fix: call addRule()`] : [],
    });
  }

  /**
   * Adds a rule (rules are evaluated by match specificity, per the Gateway API spec).
   *
   * Renders one entry of `spec.rules`: `matches`, `backendRefs` (weighted) and `filters` (redirect,
   * URL rewrite, request header modifier), plus `timeouts.request`.
   *
   * @param options matches (default every request, `PathPrefix /`), backends or a redirect, rewrite,
   * request headers to set and the request timeout
   */
  public addRule(options: KubernetesHttpRouteRuleOptions): void {
    this._insertRule(this.rules.length, options);
  }

  /**
   * Replaces the backends of a rule returned by `_insertRule()` (MeshGateway follows canary weights).
   *
   * @internal
   */
  public _replaceBackends(rule: object, backends: KubernetesHttpRouteBackend[]): void {
    const i = this.rules.indexOf(rule as gw.HttpRouteSpecRules);
    if (i < 0) throw new Error(`rule not found in KubernetesHttpRoute '${this.node.path}'`);
    // mutate in place: the rule object is the caller's handle for later shifts
    (this.rules[i] as { backendRefs?: gw.HttpRouteSpecRulesBackendRefs[] }).backendRefs = backends.map((b) => this.renderBackend(b));
  }

  /**
   * Inserts a rule at `index` (used by MeshGateway to keep rules in specificity order).
   *
   * @internal
   */
  public _insertRule(index: number, options: KubernetesHttpRouteRuleOptions): object {
    if (this.rules.length >= 16) {
      throw _invalid('rules', this.rules.length + 1, 'an HTTPRoute has at most 16 rules', 'split the routes over several HttpRoutes');
    }
    const matches = (options.matches ?? []).map((m) => this.renderMatch(m));
    if (matches.length > 64) throw _invalid('matches', matches.length, 'a rule has at most 64 matches', 'split the rule');
    if (this.matchCount + matches.length >= 128) {
      throw _invalid('matches', this.matchCount + matches.length, 'the matches of all rules of a route must be fewer than 128', 'split the routes over several HttpRoutes');
    }
    const backends = options.backends ?? [];
    if (options.redirect && backends.length > 0) {
      throw _invalid('redirect', options.redirect, 'a RequestRedirect filter must not be used together with backends', 'drop the backends, or the redirect');
    }
    if (!options.redirect && backends.length === 0) {
      throw _invalid('backends', backends, 'a rule without redirect needs at least one backend', 'add backends: [{ serviceName, port }]');
    }
    if (options.name !== undefined) {
      _validateDnsLabel('name', options.name);
      if (this.rules.some((r) => r.name === options.name)) throw _invalid('name', options.name, 'the route already has a rule of that name', 'give each rule its own name');
    }
    const filters: gw.HttpRouteSpecRulesFilters[] = [];
    if (options.redirect) filters.push(this.renderRedirect(options.redirect));
    if (options.mirror) filters.push(this.renderMirror(options.mirror));
    if (options.rewrite) {
      const rw = options.rewrite;
      if (rw.replacePrefixMatch !== undefined) {
        KubernetesHttpRoute.validatePath('rewrite.replacePrefixMatch', rw.replacePrefixMatch);
        const prefixMatches = (options.matches ?? []).filter((m) => m.pathPrefix !== undefined);
        if ((options.matches ?? []).length !== 1 || prefixMatches.length !== 1) {
          throw _invalid('rewrite.replacePrefixMatch', rw.replacePrefixMatch, 'replacePrefixMatch needs exactly one match, with a pathPrefix', 'give the rule one match with pathPrefix');
        }
      }
      if (rw.hostname !== undefined) _validateHost('rewrite.hostname', rw.hostname, false, false);
      filters.push({
        type: gw.HttpRouteSpecRulesFiltersType.URL_REWRITE,
        urlRewrite: {
          hostname: rw.hostname,
          path: rw.replacePrefixMatch === undefined ? undefined
            : { type: gw.HttpRouteSpecRulesFiltersUrlRewritePathType.REPLACE_PREFIX_MATCH, replacePrefixMatch: rw.replacePrefixMatch },
        },
      });
    }
    const setHeaders = options.setRequestHeaders ?? {};
    if (Object.keys(setHeaders).length > 0) {
      for (const name of Object.keys(setHeaders)) {
        if (!HEADER_NAME.test(name)) throw _invalid('setRequestHeaders', name, 'it is not a valid header name', 'use a token such as "x-forwarded-prefix"');
      }
      filters.push({
        type: gw.HttpRouteSpecRulesFiltersType.REQUEST_HEADER_MODIFIER,
        requestHeaderModifier: { set: Object.keys(setHeaders).sort().map((name) => ({ name, value: setHeaders[name] })) },
      });
    }
    this.matchCount += matches.length;
    const rule: gw.HttpRouteSpecRules = {
      name: options.name,
      matches: _undefinedIfEmpty(matches),
      filters: _undefinedIfEmpty(filters),
      backendRefs: _undefinedIfEmpty(backends.map((b) => this.renderBackend(b))),
      timeouts: options.timeout ? { request: _renderDuration('timeout', options.timeout) } : undefined,
    };
    this.rules.splice(index, 0, rule);
    return rule;
  }

  private renderMatch(m: KubernetesHttpRouteMatch): gw.HttpRouteSpecRulesMatches {
    if (m.pathPrefix !== undefined && m.pathExact !== undefined) {
      throw _invalid('matches', m, 'a match has one path condition', 'use pathPrefix or pathExact');
    }
    let path: gw.HttpRouteSpecRulesMatchesPath | undefined;
    if (m.pathPrefix !== undefined) {
      KubernetesHttpRoute.validatePath('matches.pathPrefix', m.pathPrefix);
      path = { type: gw.HttpRouteSpecRulesMatchesPathType.PATH_PREFIX, value: m.pathPrefix };
    } else if (m.pathExact !== undefined) {
      KubernetesHttpRoute.validatePath('matches.pathExact', m.pathExact);
      path = { type: gw.HttpRouteSpecRulesMatchesPathType.EXACT, value: m.pathExact };
    }
    const headers = Object.keys(m.headers ?? {}).sort().map((name) => {
      if (!HEADER_NAME.test(name)) throw _invalid('matches.headers', name, 'it is not a valid header name', 'use a token such as "x-beta"');
      return { name, type: gw.HttpRouteSpecRulesMatchesHeadersType.EXACT, value: m.headers![name] };
    });
    const regexHeaders = Object.keys(m.headersRegex ?? {}).sort().map((name) => {
      if (!HEADER_NAME.test(name)) throw _invalid('matches.headersRegex', name, 'it is not a valid header name', 'use a token such as "cookie"');
      if (headers.some((h) => h.name.toLowerCase() === name.toLowerCase())) {
        throw _invalid('matches.headersRegex', name, 'the header is also matched exactly (a match names each header once)', 'keep one of the two');
      }
      return { name, type: gw.HttpRouteSpecRulesMatchesHeadersType.REGULAR_EXPRESSION, value: _validateRegex(`matches.headersRegex["${name}"]`, m.headersRegex![name]) };
    });
    return { path, headers: _undefinedIfEmpty([...headers, ...regexHeaders]) };
  }

  private renderRedirect(r: KubernetesHttpRouteRedirect): gw.HttpRouteSpecRulesFilters {
    if (r.scheme !== undefined && r.scheme !== 'http' && r.scheme !== 'https') {
      throw _invalid('redirect.scheme', r.scheme, 'the scheme is http or https', 'use "https"');
    }
    if (r.statusCode !== undefined && r.statusCode !== 301 && r.statusCode !== 302) {
      throw _invalid('redirect.statusCode', r.statusCode, 'the standard channel supports 301 and 302', 'use 301 (permanent) or 302');
    }
    if (r.hostname !== undefined) _validateHost('redirect.hostname', r.hostname, false, false);
    return {
      type: gw.HttpRouteSpecRulesFiltersType.REQUEST_REDIRECT,
      requestRedirect: {
        scheme: r.scheme as gw.HttpRouteSpecRulesFiltersRequestRedirectScheme | undefined,
        hostname: r.hostname,
        statusCode: r.statusCode as gw.HttpRouteSpecRulesFiltersRequestRedirectStatusCode | undefined,
      },
    };
  }

  private renderMirror(m: KubernetesHttpRouteMirror): gw.HttpRouteSpecRulesFilters {
    if (m.percent !== undefined && (!Number.isInteger(m.percent) || m.percent < 0 || m.percent > 100)) {
      throw _invalid('mirror.percent', m.percent, 'a RequestMirror percent is an integer from 0 to 100', 'use e.g. 10');
    }
    const b = this.renderBackend({ ...m.backend, weight: undefined });
    return {
      type: gw.HttpRouteSpecRulesFiltersType.REQUEST_MIRROR,
      requestMirror: { backendRef: { kind: b.kind, group: b.group, name: b.name, namespace: b.namespace, port: b.port }, percent: m.percent },
    };
  }

  private renderBackend(b: KubernetesHttpRouteBackend): gw.HttpRouteSpecRulesBackendRefs {
    _validateDnsLabel('backends.serviceName', b.serviceName);
    if (b.namespace !== undefined) _validateDnsLabel('backends.namespace', b.namespace);
    _validatePort('backends.port', b.port, 'set port to the Service port');
    if (b.weight !== undefined && (!Number.isInteger(b.weight) || b.weight < 0 || b.weight > 1000000)) {
      throw _invalid('backends.weight', b.weight, 'a weight is an integer from 0 to 1,000,000', 'use e.g. 90 and 10');
    }
    return { kind: 'Service', group: '', name: b.serviceName, namespace: b.namespace, port: b.port, weight: b.weight };
  }

  private _toSpec(): gw.HttpRouteSpec {
    return {
      parentRefs: this.parents.map((p) => p._render(this.namespace)),
      hostnames: _undefinedIfEmpty([...this.hostnames]),
      rules: this.rules,
    };
  }
}
