import { ApiObject, Lazy } from 'cdk8s';
import { Construct } from 'constructs';
import { _RouteRules, _renderNameValueMatches } from './_gwapi';
import { _checkProps, _invalid, _undefinedIfEmpty } from './_utils';
import { IstioResource, IstioResourceProps } from './base';
import * as gw from './imports/gwapi-gateway.networking.k8s.io';
import { KubernetesHttpHeaderModifier, KubernetesHttpRouteBackend, KubernetesHttpRouteMirror } from './k8s-http-route';
import { StringMatch, _validateRegex } from './match';
import { RouteParent } from './route-parent';

/** A gRPC service name (`package.Service`), as the CRD accepts it for exact matches. */
const GRPC_SERVICE = /^\.?[a-z_][a-z_0-9]*(\.[a-z_][a-z_0-9]*)*$/i;
/** A gRPC method name, as the CRD accepts it for exact matches. */
const GRPC_METHOD = /^[A-Za-z_][A-Za-z_0-9]*$/;

/**
 * One match of a GRPCRoute rule: all given conditions must hold.
 */
export interface KubernetesGrpcRouteMatch {
  /**
   * The gRPC service, e.g. `helloworld.Greeter` (a regular expression when `regex` is true).
   *
   * @default - any service
   */
  readonly service?: string;
  /**
   * The gRPC method, e.g. `SayHello` (a regular expression when `regex` is true).
   *
   * @default - any method
   */
  readonly method?: string;
  /**
   * Match `service` and `method` as RE2 regular expressions instead of exactly.
   *
   * @default false
   */
  readonly regex?: boolean;
  /**
   * Exact header (metadata) values (names are case-insensitive).
   *
   * @default - none
   */
  readonly headers?: { [name: string]: string };
  /**
   * Header conditions: `StringMatch.exact()` or `StringMatch.regex()`.
   *
   * @default - none
   */
  readonly headerMatches?: { [name: string]: StringMatch };
}

/**
 * A rule of a GRPCRoute.
 */
export interface KubernetesGrpcRouteRuleOptions {
  /**
   * The rule name (unique within the route).
   *
   * @default - unnamed
   */
  readonly name?: string;
  /**
   * Matches (OR-ed).
   *
   * @default - every request
   */
  readonly matches?: KubernetesGrpcRouteMatch[];
  /** Weighted backends (1 to 16). */
  readonly backends: KubernetesHttpRouteBackend[];
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
}

/**
 * Props for `KubernetesGrpcRoute`.
 */
export interface KubernetesGrpcRouteProps extends IstioResourceProps {
  /** What the route attaches to: Gateways and/or Services (mesh routing), at most 32. */
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
  readonly rules?: KubernetesGrpcRouteRuleOptions[];
  /**
   * Create a ReferenceGrant in each other namespace a backend or mirror Service is in.
   *
   * @default true
   */
  readonly referenceGrants?: boolean;
}

/**
 * A Gateway API `GRPCRoute` (`gateway.networking.k8s.io/v1`): gRPC routing by service and method, for
 * Gateways or Services (mesh routing). Enforces the standard CRD's schema and CEL rules for what it renders.
 *
 * @see https://gateway-api.sigs.k8s.io/api-types/grpcroute/
 */
export class KubernetesGrpcRoute extends IstioResource {
  public readonly apiObject: ApiObject;
  private readonly route: _RouteRules<gw.GrpcRouteSpecRules>;

  /**
   * Defines a GRPCRoute; rules can be added later with `addRule()` (at least one is needed by synth).
   *
   * @param scope the parent construct (usually a Chart)
   * @param id the construct id, unique within `scope`
   * @param props the parents (required), `hostnames` (lowercase) and rules
   */
  constructor(scope: Construct, id: string, props: KubernetesGrpcRouteProps) {
    super(scope, id, _checkProps('props', props, true, '{ parents: [RouteParent.service("greeter")] }'));
    this.route = new _RouteRules(this, 'GRPCRoute', props, scope);
    this.apiObject = this._createApiObject(gw.GrpcRoute, {
      metadata: props.metadata,
      spec: Lazy.any({ produce: () => gw.toJson_GrpcRouteSpec(this.route.spec()) }),
    });
    for (const r of props.rules ?? []) this.addRule(r);
    this.route.requireRules('KubernetesGrpcRoute');
  }

  /**
   * Adds a rule: one entry of `spec.rules` with `matches`, weighted `backendRefs` and `filters` (header
   * modifiers, mirrors).
   *
   * @param options matches (default every request), backends, header operations and mirrors
   */
  public addRule(options: KubernetesGrpcRouteRuleOptions): void {
    _checkProps('options', options, true, '{ backends: [{ serviceName: "greeter", port: 50051 }] }');
    const matches = (options.matches ?? []).map((m) => renderGrpcMatch(m));
    this.route.checkRule(options.name, matches.length);
    const backends = options.backends ?? [];
    if (backends.length === 0 || backends.length > 16) throw _invalid('backends', backends.length, 'a rule has 1 to 16 backends', 'add backends: [{ serviceName, port }]');
    const filters = this.route.filters<gw.GrpcRouteSpecRulesFilters>([], options);
    this.route.insert(this.route.rules.length, {
      name: options.name,
      matches: _undefinedIfEmpty(matches),
      filters: _undefinedIfEmpty(filters),
      backendRefs: backends.map((b) => this.route.backendRef('backends', b, true)),
    }, matches.length);
  }
}

/** A GRPCRoute match, with the CRD's service/method syntax (exact) or RE2 (regex). */
function renderGrpcMatch(m: KubernetesGrpcRouteMatch): gw.GrpcRouteSpecRulesMatches {
  const regex = m.regex ?? false;
  const check = (prop: string, value: string | undefined, syntax: RegExp, example: string) => {
    if (value === undefined) return undefined;
    if (typeof value !== 'string' || value.length === 0 || value.length > 1024) throw _invalid(prop, value, 'it is 1 to 1024 characters', `give e.g. "${example}"`);
    if (regex) return _validateRegex(prop, value);
    if (!syntax.test(value)) throw _invalid(prop, value, 'it is not a valid gRPC name for an exact match', `give e.g. "${example}", or set regex: true`);
    return value;
  };
  const service = check('matches.service', m.service, GRPC_SERVICE, 'helloworld.Greeter');
  const method = check('matches.method', m.method, GRPC_METHOD, 'SayHello');
  if (regex && service === undefined && method === undefined) {
    throw _invalid('matches.regex', true, 'a regex method match needs a service or a method', 'give service and/or method, or drop regex');
  }
  const headers = _renderNameValueMatches('matches.headers', 'header', m.headers, m.headerMatches);
  return {
    method: service === undefined && method === undefined ? undefined : {
      type: regex ? gw.GrpcRouteSpecRulesMatchesMethodType.REGULAR_EXPRESSION : undefined,
      service,
      method,
    },
    headers: _undefinedIfEmpty(headers as gw.GrpcRouteSpecRulesMatchesHeaders[]),
  };
}
