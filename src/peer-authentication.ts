import { ApiObject, Lazy } from 'cdk8s';
import { Construct } from 'constructs';
import { _selectorErrors } from './_selector';
import { _invalid, _validatePort } from './_utils';
import { IstioResource, IstioResourceProps } from './base';
import * as sec from './imports/istio-security.istio.io';
import { IMeshWorkload } from './workload';

/**
 * How a workload accepts inbound connections (PeerAuthentication `mtls.mode`).
 *
 * @see https://istio.io/latest/docs/reference/config/security/peer_authentication/#PeerAuthentication-MutualTLS-Mode
 */
export enum MtlsMode {
  /** Only mutual TLS: plaintext connections are rejected. The secure default. */
  STRICT = 'STRICT',
  /**
   * Both mutual TLS and plaintext: a migration setting while clients without a sidecar remain.
   * Move to STRICT once every client is in the mesh.
   */
  PERMISSIVE = 'PERMISSIVE',
  /** No mutual TLS: plaintext only. */
  DISABLE = 'DISABLE',
  /**
   * Inherit from the parent scope (workload -> namespace -> mesh, where the default is PERMISSIVE).
   * Rendered as no `mtls` field, e.g. for a PeerAuthentication that only sets per-port modes.
   */
  UNSET = 'UNSET',
}

/**
 * An mTLS mode for one port of the selected workload.
 */
export interface PortMtls {
  /** The workload (container) port number, 1..65535. */
  readonly port: number;
  /** The mode on that port. */
  readonly mode: MtlsMode;
}

/**
 * Props of `PeerAuthentication`.
 */
export interface PeerAuthenticationProps extends IstioResourceProps {
  /**
   * The mTLS mode for the selected workloads (or the whole namespace / mesh without a selector).
   *
   * @default MtlsMode.STRICT
   * @see https://istio.io/latest/docs/reference/config/security/peer_authentication/
   */
  readonly mtlsMode?: MtlsMode;
  /**
   * The workload the policy applies to.
   *
   * @default - every workload of the namespace (in the root namespace, e.g. `istio-system`: the whole mesh)
   */
  readonly selector?: IMeshWorkload;
  /**
   * Per-port modes overriding `mtlsMode`. Istio accepts them only with a `selector`.
   *
   * @default - none
   */
  readonly portMtls?: PortMtls[];
}

/**
 * PeerAuthentication (`security.istio.io/v1`): which connections a workload accepts — mutual TLS only
 * (STRICT), both (PERMISSIVE), or plaintext (DISABLE).
 *
 * @example
 * // namespace-wide STRICT mTLS
 * new PeerAuthentication(chart, 'strict', { metadata: { name: 'default', namespace: 'shop' } });
 * // a legacy port on one workload still accepts plaintext
 * const pa = new PeerAuthentication(chart, 'legacy', { selector: MeshWorkload.labels({ app: 'legacy-billing' }) });
 * pa.addPortMtls(9090, MtlsMode.PERMISSIVE);
 *
 * @see https://istio.io/latest/docs/reference/config/security/peer_authentication/
 */
export class PeerAuthentication extends IstioResource {
  public readonly apiObject: ApiObject;
  /** The mode for the selected workloads. */
  public readonly mtlsMode: MtlsMode;
  /** The selected workload, if any. */
  public readonly selector?: IMeshWorkload;
  private readonly ports = new Map<number, MtlsMode>();

  /**
   * Defines a PeerAuthentication: namespace-wide without `selector` (conventionally named `default`), mesh-wide when
   * also in the root namespace (`istio-system`).
   *
   * @param scope the parent construct (usually a Chart)
   * @param id the construct id, unique within `scope`
   * @param props `mtlsMode` (default STRICT), the workload `selector` and per-port modes
   */
  constructor(scope: Construct, id: string, props: PeerAuthenticationProps = {}) {
    super(scope, id, props);
    this.mtlsMode = _checkMode('mtlsMode', props.mtlsMode ?? MtlsMode.STRICT);
    this.selector = props.selector;
    this.apiObject = this._createApiObject(sec.PeerAuthentication, {
      metadata: props.metadata,
      spec: Lazy.any({ produce: () => sec.toJson_PeerAuthenticationSpec(this._toIstio()) }),
    });
    for (const p of props.portMtls ?? []) this.addPortMtls(p.port, p.mode);
    this.node.addValidation({ validate: () => _selectorErrors(this.selector, this.namespace) });
  }

  /**
   * Sets the mTLS mode of one port of the selected workload (only valid with a `selector`).
   *
   * Renders `portLevelMtls: { <port>: { mode } }`.
   *
   * @param port the workload (container) port number, not the Service port, e.g. 8080; each port once
   * @param mode e.g. `MtlsMode.PERMISSIVE` for a metrics port scraped from outside the mesh
   */
  public addPortMtls(port: number, mode: MtlsMode): void {
    if (!this.selector) {
      throw _invalid('portMtls port', port, 'Istio rejects port-level mTLS in a namespace-wide or mesh-wide PeerAuthentication',
        'set `selector` to the workload that owns the port');
    }
    _validatePort('portMtls port', port, 'give the workload (container) port number, e.g. 8080');
    _checkMode('portMtls mode', mode);
    if (this.ports.has(port)) {
      throw _invalid('portMtls port', port, `port ${port} already has mode ${this.ports.get(port)}`, 'set each port once');
    }
    this.ports.set(port, mode);
  }


  /**
   * The mode set for `port`, if any.
   * @internal
   */
  public _portMode(port: number): MtlsMode | undefined {
    return this.ports.get(port);
  }

  private _toIstio(): sec.PeerAuthenticationSpec {
    const portLevelMtls: { [port: string]: sec.PeerAuthenticationSpecPortLevelMtls } = {};
    for (const port of [...this.ports.keys()].sort((a, b) => a - b)) {
      portLevelMtls[String(port)] = { mode: this.ports.get(port) as unknown as sec.PeerAuthenticationSpecPortLevelMtlsMode };
    }
    return {
      selector: this.selector ? { matchLabels: this.selector.toSelectorLabels() } : undefined,
      // UNSET means "inherit": written as no `mtls` at all, as one writes it by hand
      mtls: this.mtlsMode === MtlsMode.UNSET ? undefined : { mode: this.mtlsMode as unknown as sec.PeerAuthenticationSpecMtlsMode },
      portLevelMtls: this.ports.size > 0 ? portLevelMtls : undefined,
    };
  }
}

/** @internal */
function _checkMode(prop: string, mode: MtlsMode): MtlsMode {
  if (!Object.values(MtlsMode).includes(mode)) {
    throw _invalid(prop, mode, 'it is not an mTLS mode', 'use MtlsMode.STRICT, PERMISSIVE, DISABLE or UNSET');
  }
  return mode;
}
