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
 * GatewayBinding.mesh();                            // "mesh": sidecars of the mesh
 * GatewayBinding.of('istio-ingress', 'edge');       // "istio-ingress/edge": an Istio Gateway of this app
 * GatewayBinding.external('istio-ingress', 'edge'); // one managed elsewhere (declared to the checks)
 */
export class GatewayBinding implements IGatewayBinding {
  /** The reserved name of the mesh gateway. */
  public static readonly MESH_GATEWAY_NAME = _MESH_GATEWAY;

  /** All sidecars of the mesh (the default when a VirtualService lists no gateways). */
  public static mesh(): GatewayBinding {
    return new GatewayBinding(GatewayBinding.MESH_GATEWAY_NAME, false);
  }

  /**
   * An Istio `Gateway` named `name` in `namespace`, rendered as `<namespace>/<name>` in the
   * VirtualService's `gateways`. The Gateway must be part of the app (the synth-time checks report a
   * reference to a missing one, IST0101); for one managed elsewhere use `external()`.
   *
   * @param namespace the Gateway's namespace (an RFC 1123 label), e.g. `istio-ingress`
   * @param name the Gateway's `metadata.name` (an RFC 1123 label; `mesh` is reserved: use `mesh()`)
   */
  public static of(namespace: string, name: string): GatewayBinding {
    return new GatewayBinding(GatewayBinding.ref(namespace, name), false);
  }

  /**
   * An Istio `Gateway` managed outside this app (e.g. by the platform's Helm release): rendered like
   * `of()`, and declared to the app's synth-time checks so that its absence from the app is expected.
   *
   * @param namespace the Gateway's namespace (an RFC 1123 label), e.g. `istio-ingress`
   * @param name the Gateway's `metadata.name` (an RFC 1123 label)
   */
  public static external(namespace: string, name: string): GatewayBinding {
    return new GatewayBinding(GatewayBinding.ref(namespace, name), true);
  }

  private static ref(namespace: string, name: string): string {
    _validateDnsLabel('namespace', namespace);
    _validateDnsLabel('name', name);
    if (name === GatewayBinding.MESH_GATEWAY_NAME) {
      throw _invalid('name', name, '"mesh" is the reserved name of the mesh gateway', 'use GatewayBinding.mesh()');
    }
    return `${namespace}/${name}`;
  }

  private constructor(
    /** The reference: `mesh` or `<namespace>/<name>`. */
    public readonly gatewayRef: string,
    /** True when the gateway is managed outside this app (`external()`). */
    public readonly isExternal: boolean,
  ) {}

  /** True for the mesh gateway. */
  public get isMesh(): boolean {
    return this.gatewayRef === GatewayBinding.MESH_GATEWAY_NAME;
  }

  /** The gateway reference. */
  public toString(): string {
    return this.gatewayRef;
  }
}
