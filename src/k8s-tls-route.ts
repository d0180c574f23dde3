import { ApiObject, Lazy } from 'cdk8s';
import { Construct } from 'constructs';
import { _RouteRules, _renderBackendRef } from './_gwapi';
import { _checkProps, _invalid } from './_utils';
import { IstioResource, IstioResourceProps } from './base';
import * as gw from './imports/gwapi-gateway.networking.k8s.io';
import { KubernetesHttpRouteBackend } from './k8s-http-route';
import { RouteParent } from './route-parent';

/**
 * Props for `KubernetesTlsRoute`.
 */
export interface KubernetesTlsRouteProps extends IstioResourceProps {
  /** What the route attaches to: TLS listeners of Gateways (usually passthrough), at most 32. */
  readonly parents: RouteParent[];
  /** The SNI host names the route serves (1 to 16; an optional leading `*.`; no IP addresses). */
  readonly hostnames: string[];
  /** Weighted backends the TLS stream is forwarded to (1 to 16). */
  readonly backends: KubernetesHttpRouteBackend[];
  /**
   * Create a ReferenceGrant in each other namespace a backend Service is in.
   *
   * @default true
   */
  readonly referenceGrants?: boolean;
}

/**
 * A Gateway API `TLSRoute` (`gateway.networking.k8s.io/v1`, in the standard channel since v1.5): routes
 * TLS streams by SNI host name, e.g. through a passthrough listener to a backend that terminates TLS itself.
 *
 * @see https://istio.io/latest/docs/tasks/traffic-management/ingress/ingress-sni-passthrough/
 */
export class KubernetesTlsRoute extends IstioResource {
  public readonly apiObject: ApiObject;

  /**
   * Defines a TLSRoute with its one rule.
   *
   * @param scope the parent construct (usually a Chart)
   * @param id the construct id, unique within `scope`
   * @param props the parents, the SNI `hostnames` and the weighted `backends`
   */
  constructor(scope: Construct, id: string, props: KubernetesTlsRouteProps) {
    super(scope, id, _checkProps('props', props, true, '{ parents: [RouteParent.fromGateway(gateway)], hostnames: ["nginx.example.com"], backends: [{ serviceName: "nginx", port: 443 }] }'));
    if (!Array.isArray(props.hostnames) || props.hostnames.length === 0) {
      throw _invalid('hostnames', props.hostnames, 'a TLSRoute routes by SNI and needs at least one hostname', 'pass hostnames: ["nginx.example.com"]');
    }
    const route = new _RouteRules<gw.TlsRouteSpecRules>(this, 'TLSRoute', props, scope);
    const backends = props.backends ?? [];
    if (!Array.isArray(backends) || backends.length === 0 || backends.length > 16) {
      throw _invalid('backends', props.backends, 'a TLSRoute has 1 to 16 backends', 'pass backends: [{ serviceName, port }]');
    }
    const refs = backends.map((b) => _renderBackendRef('backends', b, true));
    route.insert(0, { backendRefs: refs }, 0);
    this.apiObject = this._createApiObject(gw.TlsRoute, {
      metadata: props.metadata,
      spec: Lazy.any({
        produce: () => {
          const spec = route.spec();
          return gw.toJson_TlsRouteSpec({ ...spec, hostnames: spec.hostnames ?? [] }); // never empty: checked above
        },
      }),
    });
    for (const r of refs) route.grant(r);
  }
}
