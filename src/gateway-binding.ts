import { _MESH_GATEWAY } from './_naming';
import { _invalid, _validateDnsLabel } from './_utils';

/**
 * A gateway a VirtualService (or one of its matches) binds to: the reserved `mesh` gateway (every
 * sidecar) or an Istio Gateway, rendered as `<namespace>/<name>`.
 *
 * Implemented by `GatewayBinding` and by gateway constructs of this library.
 */
export interface IGatewayBinding {
  /** The reference as a VirtualService's `gateways` lists it: `mesh` or `<namespace>/<name>`. */
  readonly gatewayRef: string;
}

/**
 * References to gateways, for `VirtualService` `gateways` and per-match `gateways`.
 *
 * @example
 * GatewayBinding.mesh();                          // "mesh": sidecars of the mesh
 * GatewayBinding.of('istio-ingress', 'edge');     // "istio-ingress/edge": an Istio Gateway defined elsewhere
 */
export class GatewayBinding implements IGatewayBinding {
  /** The reserved name of the mesh gateway. */
  public static readonly MESH_GATEWAY_NAME = _MESH_GATEWAY;

  /** All sidecars of the mesh (the default when a VirtualService lists no gateways). */
  public static mesh(): GatewayBinding {
    return new GatewayBinding(GatewayBinding.MESH_GATEWAY_NAME);
  }

  /** An Istio `Gateway` named `name` in `namespace` (for example one not defined in this app). */
  public static of(namespace: string, name: string): GatewayBinding {
    _validateDnsLabel('namespace', namespace);
    _validateDnsLabel('name', name);
    if (name === GatewayBinding.MESH_GATEWAY_NAME) {
      throw _invalid('name', name, '"mesh" is the reserved name of the mesh gateway', 'use GatewayBinding.mesh()');
    }
    return new GatewayBinding(`${namespace}/${name}`);
  }

  private constructor(public readonly gatewayRef: string) {}

  /** True for the mesh gateway. */
  public get isMesh(): boolean {
    return this.gatewayRef === GatewayBinding.MESH_GATEWAY_NAME;
  }

  /** The gateway reference. */
  public toString(): string {
    return this.gatewayRef;
  }
}
