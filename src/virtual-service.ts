import { ApiObject, Lazy } from 'cdk8s';
import { Construct } from 'constructs';
import { _envoyHeaderValueProblem } from './_envoy';
import { _hostsMatch, _resolveShortname, _validateExportTo } from './_naming';
import { _invalid, _renderDuration, _show, _sortedRecord, _validateDnsLabel, _validateHost, _validateLabels, _validatePort } from './_utils';
import { IstioResource, IstioResourceProps } from './base';
import { DestinationRule } from './destination-rule';
import { GatewayBinding, IGatewayBinding } from './gateway-binding';
import { IMeshDestination, MeshDestinationConfig } from './host';
import {
  HttpRoute, HttpRouteOptions, L4Match, RouteDestination, TcpRouteOptions, TlsRouteOptions,
  _renderCors, _renderFault, _renderHeaderOps, _renderRedirect, _renderRetries, _renderRewrite,
} from './http-route';
import * as net from './imports/istio-networking.istio.io';
import { MeshValidation } from './validation/mesh-validation';
import { _validatePercentage, _validateWeight, _validateWeightSplit } from './weight';

/**
 * Props of a VirtualService.
 */
export interface VirtualServiceProps extends IstioResourceProps {
  /**
   * Hosts the routes apply to: FQDNs (`catalog.shop.svc.cluster.local`, `shop.example.com`),
   * wildcards (`*.example.com`) or short Service names. `*` is not allowed on the mesh gateway.
   * More with `addHost()`.
   *
   * @default - none; add at least one
   */
  readonly hosts?: string[];
  /**
   * Gateways the routes apply to.
   *
   * @default [GatewayBinding.mesh()] - the sidecars of the mesh
   */
  readonly gateways?: IGatewayBinding[];
  /**
   * HTTP routes in evaluation order (also `addHttpRoute()`).
   *
   * @default - none
   */
  readonly http?: HttpRouteOptions[];
  /**
   * TCP routes (also `addTcpRoute()`).
   *
   * @default - none
   */
  readonly tcp?: TcpRouteOptions[];
  /**
   * TLS routes (also `addTlsRoute()`).
   *
   * @default - none
   */
  readonly tls?: TlsRouteOptions[];
  /**
   * Namespaces the VirtualService is visible to (`.`, `*` or names).
   *
   * @default - all namespaces (Istio default)
   */
  readonly exportTo?: string[];
  /**
   * Check at synth that every subset routed to is defined by a DestinationRule of this app.
   * Turn off when the DestinationRules live outside the app.
   *
   * @default true
   */
  readonly checkSubsets?: boolean;
}

function validateGatewayRef(prop: string, ref: string): void {
  if (ref === GatewayBinding.MESH_GATEWAY_NAME) return;
  const parts = ref.split('/');
  if (parts.length !== 2 || parts.some((p) => p.length === 0)) {
    throw _invalid(prop, ref, 'a gateway reference is "mesh" or "<namespace>/<name>"', 'use GatewayBinding.of(namespace, name) or a gateway construct');
  }
  _validateDnsLabel(`${prop} namespace`, parts[0]);
  _validateDnsLabel(`${prop} name`, parts[1]);
}

function validPort(prop: string, p: number): number {
  _validatePort(prop, p);
  return p;
}

/**
 * A VirtualService (`networking.istio.io/v1`): ordered HTTP, TCP and TLS routes for a set of hosts.
 * HTTP routes are first-match: they render in the order they were added (`insertHttpRoute()` puts
 * one at an explicit position), and a catch-all route before more specific ones is an error.
 *
 * @example
 * const dr = new DestinationRule(chart, 'reviews-subsets', { host: ServiceHost.inNamespace('bookinfo', 'reviews') });
 * const v1 = dr.addSubset('v1', { version: 'v1' });
 * const v2 = dr.addSubset('v2', { version: 'v2' });
 * const vs = new VirtualService(chart, 'reviews', { hosts: ['reviews.bookinfo.svc.cluster.local'] });
 * vs.addHttpRoute({
 *   match: [HttpMatch.header('end-user', StringMatch.exact('jason'))],
 *   destinations: [{ destination: v2 }],
 * });
 * vs.addHttpRoute({ destinations: [{ destination: v1 }] });
 *
 * @see https://istio.io/latest/docs/reference/config/networking/virtual-service/
 */
export class VirtualService extends IstioResource {
  public readonly apiObject: ApiObject;
  private readonly _hosts: string[] = [];
  private readonly _gateways: IGatewayBinding[];
  private readonly _http: HttpRoute[] = [];
  private readonly _tcp: net.VirtualServiceSpecTcp[] = [];
  private readonly _tls: net.VirtualServiceSpecTls[] = [];
  private readonly _subsetRefs: Array<{ where: string; dest: MeshDestinationConfig }> = [];
  private readonly exportTo?: string[];

  /**
   * Defines a VirtualService, to which hosts, gateways and routes can be added later.
   *
   * @param scope the parent construct (usually a Chart)
   * @param id the construct id, unique within `scope`
   * @param props hosts, gateways (default `mesh`: the sidecars), HTTP, TCP and TLS routes, `exportTo`,
   * and `checkSubsets` (default true: routes to a subset no DestinationRule defines fail synth)
   */
  constructor(scope: Construct, id: string, props: VirtualServiceProps = {}) {
    super(scope, id, props);
    this._gateways = [...(props.gateways ?? [GatewayBinding.mesh()])];
    if (this._gateways.length === 0) {
      throw _invalid('gateways', [], 'an empty list would still mean "mesh" to Istio', 'leave gateways out for the mesh, or list the gateways');
    }
    for (const g of this._gateways) {
      validateGatewayRef('gateways', g.gatewayRef);
      this.declareIfExternal(g);
    }
    for (const h of props.hosts ?? []) this.addHost(h);
    this.apiObject = this._createApiObject(net.VirtualService, {
      metadata: props.metadata,
      spec: Lazy.any({ produce: () => net.toJson_VirtualServiceSpec(this._toIstio()) }),
    });
    // after the L1 exists: `.` and the resource's own namespace are the same entry
    this.exportTo = props.exportTo ? _validateExportTo(props.exportTo, { namespace: this.namespace }) : undefined;
    for (const r of props.http ?? []) this.addHttpRoute(r);
    for (const r of props.tcp ?? []) this.addTcpRoute(r);
    for (const r of props.tls ?? []) this.addTlsRoute(r);
    const checkSubsets = props.checkSubsets ?? true;
    this.node.addValidation({ validate: () => this.validateAtSynth(checkSubsets) });
  }


  /** The hosts. */
  public get hosts(): string[] {
    return [...this._hosts];
  }

  /** The gateway references (`mesh`, `<ns>/<name>`). */
  public get gateways(): string[] {
    return this._gateways.map((g) => g.gatewayRef);
  }

  /** The HTTP routes in evaluation order. */
  public get httpRoutes(): HttpRoute[] {
    return [...this._http];
  }

  /**
   * Adds a host to `spec.hosts`: the names clients call that these routes apply to.
   *
   * @param host a short Service name (`reviews`, resolved in the VirtualService's namespace), an FQDN, a
   * `*.` wildcard or `*`; it may not repeat or overlap a host already listed
   */
  public addHost(host: string): void {
    if (host !== '*') _validateHost('hosts', host, true, false);
    if (this._hosts.includes(host)) throw _invalid('hosts', host, 'the host is listed twice', 'list each host once');
    // Istio's validation rejects two hosts that `Matches` (wildcards included: "*.com" and "*.example.com")
    const overlap = this._hosts.find((h) => _hostsMatch(h, host));
    if (overlap !== undefined) {
      throw _invalid('hosts', host, `it overlaps "${overlap}" (Istio rejects duplicate hosts, wildcards included)`, 'keep only the wider host, or split them into two VirtualServices');
    }
    this._hosts.push(host);
  }

  /**
   * A `GatewayBinding.external(ns, name)` names a gateway managed outside this app on purpose: declare it
   * to the app's synth-time checks (IST0101 then accepts its absence). `GatewayBinding.of()` declares
   * nothing: a gateway it names must be in the app, else IST0101 reports the reference.
   */
  private declareIfExternal(gateway: IGatewayBinding): void {
    if (gateway instanceof GatewayBinding && gateway.isExternal) MeshValidation.of(this).declareExternalGateways([gateway.gatewayRef]);
  }

  /**
   * Adds a gateway the routes apply to (the mesh gateway is kept unless it was left out explicitly).
   *
   * @param gateway a `Gateway` or `MeshGateway` of the app (or `GatewayBinding.of(namespace, name)` for one
   * of the app), `GatewayBinding.external(namespace, name)` for one managed elsewhere, or
   * `GatewayBinding.mesh()`; rendered in `spec.gateways`, a repeat is ignored
   */
  public addGateway(gateway: IGatewayBinding): void {
    validateGatewayRef('gateways', gateway.gatewayRef);
    this.declareIfExternal(gateway);
    if (!this._gateways.some((g) => g.gatewayRef === gateway.gatewayRef)) this._gateways.push(gateway);
  }

  /**
   * Appends an HTTP route (evaluated after the routes added before it).
   *
   * Istio uses the first route whose match fits, so add specific routes before catch-alls.
   *
   * @param options the route: `match` conditions (ORed, default every request), weighted `destinations`
   * or a `redirect`, rewrite, timeout, retries, fault injection, mirrors, header changes, CORS, name
   * @returns the route, for `replaceHttpRoute()`
   */
  public addHttpRoute(options: HttpRouteOptions): HttpRoute {
    return this.insertHttpRoute(this._http.length, options);
  }

  /**
   * Inserts an HTTP route at `index` (0 = evaluated first).
   *
   * @param index the position in `spec.http`, from 0 to the number of routes (that number appends)
   * @param options the route: `match` conditions (ORed, default every request), weighted `destinations`
   * or a `redirect`, rewrite, timeout, retries, fault injection, mirrors, header changes, CORS, name
   * @returns the route, for `replaceHttpRoute()`
   */
  public insertHttpRoute(index: number, options: HttpRouteOptions): HttpRoute {
    if (!Number.isInteger(index) || index < 0 || index > this._http.length) {
      throw _invalid('index', index, `there are ${this._http.length} HTTP routes`, `use 0..${this._http.length}`);
    }
    const where = `http route ${options.name ? `"${options.name}"` : `#${index}`}`;
    const route = HttpRoute._of({ ...options }, this.renderHttpRoute(where, options));
    this._http.splice(index, 0, route);
    return route;
  }

  /**
   * Replaces `existing` (keeping its position in the evaluation order) with a route built from `options`.
   *
   * @param existing a route returned by `addHttpRoute()` or `insertHttpRoute()` of this VirtualService
   * @param options the route: `match` conditions (ORed, default every request), weighted `destinations`
   * or a `redirect`, rewrite, timeout, retries, fault injection, mirrors, header changes, CORS, name
   * @returns the new route
   */
  public replaceHttpRoute(existing: HttpRoute, options: HttpRouteOptions): HttpRoute {
    const index = this._http.indexOf(existing);
    if (index < 0) throw _invalid('existing', existing.name ?? '(unnamed route)', `it is not an HTTP route of VirtualService '${this.node.path}'`, 'pass a route returned by addHttpRoute() of this VirtualService');
    const where = `http route ${options.name ? `"${options.name}"` : `#${index}`}`;
    const route = HttpRoute._of({ ...options }, this.renderHttpRoute(where, options));
    this._http.splice(index, 1, route);
    return route;
  }

  /**
   * Adds a TCP route (one entry of `spec.tcp`), for opaque TCP traffic.
   *
   * @param options L4 `match` conditions (port, destination subnets, source labels and namespace,
   * gateways, default all traffic) and weighted `destinations`
   */
  public addTcpRoute(options: TcpRouteOptions): void {
    const where = `tcp route #${this._tcp.length}`;
    this._tcp.push({
      match: (options.match ?? []).length > 0 ? options.match!.map((m, i) => this.renderL4Match(`${where} match[${i}]`, m)) : undefined,
      route: this.renderDestinations(where, options.destinations, true),
    });
  }

  /**
   * Adds a TLS (SNI) route (one entry of `spec.tls`), for TLS traffic passed through unterminated.
   *
   * @param options `match` conditions, each with at least one SNI host (plus optional port, subnets,
   * source and gateways), and weighted `destinations`
   */
  public addTlsRoute(options: TlsRouteOptions): void {
    const where = `tls route #${this._tls.length}`;
    if (!options.match || options.match.length === 0) {
      throw _invalid(`${where} match`, options.match, 'a TLS route needs at least one SNI match', 'give match: [{ sniHosts: ["api.example.com"] }]');
    }
    this._tls.push({
      match: options.match.map((m, i) => {
        if (!m.sniHosts || m.sniHosts.length === 0) {
          throw _invalid(`${where} match[${i}].sniHosts`, m.sniHosts, 'a TLS match needs at least one SNI host', 'give the hosts, e.g. ["api.example.com"]');
        }
        m.sniHosts.forEach((h) => _validateHost(`${where} match[${i}].sniHosts`, h, true, false));
        return { ...this.renderL4Match(`${where} match[${i}]`, m), sniHosts: [...m.sniHosts] };
      }),
      route: this.renderDestinations(where, options.destinations, true),
    });
  }

  private renderL4Match(where: string, m: L4Match): net.VirtualServiceSpecTcpMatch {
    if (m.port !== undefined) validPort(`${where}.port`, m.port);
    if (m.sourceLabels) _validateLabels(`${where}.sourceLabels`, m.sourceLabels);
    if (m.sourceNamespace !== undefined) _validateDnsLabel(`${where}.sourceNamespace`, m.sourceNamespace);
    for (const s of m.destinationSubnets ?? []) {
      if (!/^[0-9a-fA-F:.]+(\/[0-9]{1,3})?$/.test(s)) throw _invalid(`${where}.destinationSubnets`, s, 'it is not an IP address or CIDR', 'use e.g. "10.0.0.0/16"');
    }
    for (const g of m.gateways ?? []) validateGatewayRef(`${where}.gateways`, g.gatewayRef);
    return {
      port: m.port,
      destinationSubnets: m.destinationSubnets && m.destinationSubnets.length > 0 ? [...m.destinationSubnets] : undefined,
      sourceLabels: _sortedRecord(m.sourceLabels),
      sourceNamespace: m.sourceNamespace,
      gateways: m.gateways && m.gateways.length > 0 ? m.gateways.map((g) => g.gatewayRef) : undefined,
    };
  }


  private renderDestination(where: string, d: IMeshDestination): net.VirtualServiceSpecHttpRouteDestination {
    const c = d.toMeshDestination();
    if (c.host === '*') throw _invalid(`${where} destination host`, c.host, 'a destination cannot be every host', 'route to one Service host');
    _validateHost(`${where} destination host`, c.host, true, false);
    if (c.subset !== undefined) {
      _validateDnsLabel(`${where} destination subset`, c.subset);
      this._subsetRefs.push({ where, dest: c });
    }
    if (c.port !== undefined) validPort(`${where} destination port`, c.port);
    return { host: c.host, subset: c.subset, port: c.port !== undefined ? { number: c.port } : undefined };
  }

  private renderDestinations(where: string, ds: RouteDestination[] | undefined, required: boolean): net.VirtualServiceSpecHttpRoute[] | undefined {
    if (!ds || ds.length === 0) {
      if (required) throw _invalid(`${where} destinations`, ds, 'a route needs at least one destination', 'give destinations: [{ destination: host }]');
      return undefined;
    }
    const weights = ds.map((d) => d.weight);
    if (ds.length === 1) {
      if (weights[0] !== undefined && _validateWeight(`${where} destinations[0].weight`, weights[0]) !== 100) {
        throw _invalid(`${where} destinations[0].weight`, weights[0], 'the only destination of a route receives all its traffic', 'leave the weight out or set 100');
      }
    } else {
      weights.forEach((w, i) => {
        if (w === undefined) throw _invalid(`${where} destinations[${i}].weight`, w, 'with several destinations every destination needs a weight', 'give weights that add up to 100');
      });
      _validateWeightSplit(`${where} destinations`, weights as number[]);
    }
    return ds.map((d) => ({
      destination: this.renderDestination(where, d.destination),
      weight: ds.length > 1 ? d.weight : undefined,
    }));
  }


  private renderHttpRoute(where: string, o: HttpRouteOptions): net.VirtualServiceSpecHttp {
    const hasDest = (o.destinations ?? []).length > 0;
    if (o.redirect && hasDest) throw _invalid(`${where}`, 'destinations + redirect', 'a route cannot both route and redirect', 'give destinations or redirect');
    if (!o.redirect && !hasDest) throw _invalid(`${where} destinations`, o.destinations, 'a route needs destinations or a redirect', 'give destinations: [{ destination: host }]');
    if (o.redirect && o.fault) throw _invalid(`${where}`, 'fault + redirect', 'a redirect route cannot inject faults', 'drop the fault or the redirect');
    if (o.redirect && o.rewrite) throw _invalid(`${where}`, 'rewrite + redirect', 'a redirect route cannot rewrite', 'drop the rewrite or the redirect');

    const retries = o.retries ? _renderRetries(where, o.retries) : undefined;
    const fault = o.fault ? _renderFault(where, o.fault) : undefined;
    const rewrite = o.rewrite ? _renderRewrite(where, o.rewrite) : undefined;
    const redirect = o.redirect ? _renderRedirect(where, o.redirect) : undefined;
    const corsPolicy = o.corsPolicy ? _renderCors(where, o.corsPolicy) : undefined;

    const req = _renderHeaderOps(`${where} headers.request`, o.headers?.request);
    const res = _renderHeaderOps(`${where} headers.response`, o.headers?.response);

    return {
      name: o.name,
      match: (o.match ?? []).length > 0 ? o.match!.map((m) => m._toIstio()) : undefined,
      route: this.renderDestinations(where, o.destinations, false),
      redirect,
      rewrite,
      timeout: o.timeout ? _renderDuration(`${where} timeout`, o.timeout) : undefined,
      retries,
      fault,
      mirrors: (o.mirrors ?? []).length > 0 ? o.mirrors!.map((m, i) => ({
        destination: this.renderDestination(`${where} mirrors[${i}]`, m.destination),
        percentage: m.percentage !== undefined ? { value: _validatePercentage(`${where} mirrors[${i}].percentage`, m.percentage) } : undefined,
      })) : undefined,
      headers: req || res ? { request: req, response: res } : undefined,
      corsPolicy,
    };
  }

  private validateAtSynth(checkSubsets: boolean): string[] {
    const errors: string[] = [];
    if (this._hosts.length === 0) {
      errors.push(_invalid('hosts', [], 'a VirtualService needs at least one host', 'give hosts or call addHost()').message);
    }
    if (this._hosts.includes('*') && this._gateways.some((g) => g.gatewayRef === GatewayBinding.MESH_GATEWAY_NAME)) {
      errors.push(_invalid('hosts', '*', 'wildcard host * is not allowed for virtual services bound to the mesh gateway',
        'list the hosts, or bind the VirtualService only to edge gateways (gateways without GatewayBinding.mesh())').message);
    }
    if (this._http.length + this._tcp.length + this._tls.length === 0) {
      errors.push(_invalid('routes', [], 'a VirtualService needs at least one http, tcp or tls route', 'call addHttpRoute(), addTcpRoute() or addTlsRoute()').message);
    }
    const catchAll = this._http.findIndex((r) => r.isCatchAll);
    if (catchAll >= 0 && catchAll < this._http.length - 1) {
      const shadowed = this._http.slice(catchAll + 1).map((r, i) => r.name ?? `#${catchAll + 1 + i}`);
      errors.push(_invalid(`http route ${this._http[catchAll].name ? `"${this._http[catchAll].name}"` : `#${catchAll}`}`, 'catch-all',
        `it matches every request, so the routes after it (${shadowed.join(', ')}) are never used (routes are first-match)`,
        'add the catch-all route last, or insert the specific routes before it with insertHttpRoute(0, ...)').message);
    }
    if (checkSubsets) {
      for (const ref of this._subsetRefs) {
        const known = DestinationRule._subsetsFor(this, _resolveShortname(ref.dest.host, this.namespace ?? 'default'));
        if (!known || !known.has(ref.dest.subset!)) {
          errors.push(_invalid(`${ref.where} destination subset`, ref.dest.subset,
            known
              ? `no DestinationRule of this app for host ${ref.dest.host} defines it (defined: ${[...known].sort().join(', ') || 'none'})`
              : `no DestinationRule of this app is for host ${ref.dest.host}, so Envoy has no such subset and returns 503`,
            `define it with new DestinationRule(...).addSubset(${_show(ref.dest.subset)}, labels), or set checkSubsets: false when the rule lives outside this app`).message);
        }
      }
    }
    return errors;
  }

  private _toIstio(): net.VirtualServiceSpec {
    const gw = this._gateways.map((g) => g.gatewayRef);
    const onlyMesh = gw.length === 1 && gw[0] === GatewayBinding.MESH_GATEWAY_NAME;
    return {
      hosts: [...this._hosts],
      gateways: onlyMesh ? undefined : gw,
      http: this._http.length > 0 ? this._http.map((r) => r._rendered) : undefined,
      tcp: this._tcp.length > 0 ? [...this._tcp] : undefined,
      tls: this._tls.length > 0 ? [...this._tls] : undefined,
      exportTo: this.exportTo,
    };
  }
}
