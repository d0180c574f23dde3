import { ApiObject, Lazy } from 'cdk8s';
import { Construct } from 'constructs';
import { _invalid } from './_utils';
import { IstioResource, IstioResourceProps } from './base';
import * as gw from './imports/gwapi-gateway.networking.k8s.io';
import { PolicyTargetRef } from './policy-target';

/**
 * Which traffic an ambient waypoint handles (`istio.io/waypoint-for`).
 *
 * @see https://istio.io/latest/docs/ambient/usage/waypoint/#waypoint-traffic-types
 */
export enum WaypointTrafficType {
  /** Traffic addressed to Services (Istio's default). */
  SERVICE = 'service',
  /** Traffic addressed to pod IPs. */
  WORKLOAD = 'workload',
  /** Both. */
  ALL = 'all',
  /** None (the waypoint is reachable only explicitly). */
  NONE = 'none',
}

/**
 * Props of `Waypoint`.
 */
export interface WaypointProps extends IstioResourceProps {
  /**
   * Which traffic the waypoint handles.
   *
   * @default WaypointTrafficType.SERVICE
   */
  readonly trafficType?: WaypointTrafficType;
}

/**
 * An ambient-mode waypoint proxy: a Gateway API `Gateway` of class `istio-waypoint` with the HBONE
 * listener on port 15008. It enforces L7 policy (methods, paths, JWT) for the namespace's workloads
 * that use it (`istio.io/use-waypoint`); policies attach to it or to a Service with `targetRefs`.
 *
 * @example
 * new Waypoint(chart, 'waypoint', { metadata: { name: 'waypoint', namespace: 'shop' } });
 *
 * @see https://istio.io/latest/docs/ambient/usage/waypoint/
 */
export class Waypoint extends IstioResource {
  /** The waypoint's listener port (HBONE). */
  public static readonly HBONE_PORT = 15008;

  public readonly apiObject: ApiObject;
  /** Which traffic the waypoint handles. */
  public readonly trafficType: WaypointTrafficType;

  /**
   * Defines the waypoint Gateway (label `istio.io/waypoint-for: <trafficType>`); workloads use it once
   * their namespace (or they) carry `istio.io/use-waypoint: <name>`.
   *
   * @param scope the parent construct (usually a Chart)
   * @param id the construct id, unique within `scope`
   * @param props which traffic it handles (default `service`) and its metadata (name and namespace)
   */
  constructor(scope: Construct, id: string, props: WaypointProps = {}) {
    super(scope, id, props);
    this.trafficType = props.trafficType ?? WaypointTrafficType.SERVICE;
    if (!Object.values(WaypointTrafficType).includes(this.trafficType)) {
      throw _invalid('trafficType', this.trafficType, 'it is not a waypoint traffic type', 'use WaypointTrafficType.SERVICE, WORKLOAD, ALL or NONE');
    }
    this.apiObject = this._createApiObject(gw.Gateway, {
      metadata: { ...props.metadata, labels: { ...props.metadata?.labels, 'istio.io/waypoint-for': this.trafficType } },
      spec: Lazy.any({ produce: () => gw.toJson_GatewaySpec(this._toGatewaySpec()) }),
    });
  }

  /** A `targetRefs` entry attaching a policy to this waypoint. */
  public toTargetRef(): PolicyTargetRef {
    return PolicyTargetRef.gateway(this.name);
  }

  private _toGatewaySpec(): gw.GatewaySpec {
    return {
      gatewayClassName: 'istio-waypoint',
      listeners: [{ name: 'mesh', port: Waypoint.HBONE_PORT, protocol: 'HBONE' }],
    };
  }
}
