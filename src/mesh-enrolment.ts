import { _invalid, _validateDnsLabel, _validateLabels } from './_utils';
import { WaypointTrafficType } from './waypoint';

/**
 * How a namespace's pods join the mesh.
 */
export enum EnrolmentMode {
  /** An Envoy sidecar injected by the default control plane (`istio-injection: enabled`). */
  SIDECAR = 'SIDECAR',
  /** An Envoy sidecar injected by one control-plane revision (`istio.io/rev: <revision>`). */
  REVISION = 'REVISION',
  /** Ambient mode: ztunnel (L4), plus an optional waypoint for L7 (`istio.io/dataplane-mode: ambient`). */
  AMBIENT = 'AMBIENT',
}

/**
 * Options of ambient enrolment.
 */
export interface AmbientEnrolmentOptions {
  /**
   * Deploy a namespace waypoint (Gateway API `Gateway` of class `istio-waypoint`) and route the
   * namespace's traffic through it (`istio.io/use-waypoint`). Needed for L7 rules (methods, paths, JWT).
   *
   * @default false
   */
  readonly waypoint?: boolean;
  /**
   * Name of the waypoint Gateway (and of its service account).
   *
   * @default "waypoint"
   */
  readonly waypointName?: string;
  /**
   * Which traffic the waypoint handles.
   *
   * @default WaypointTrafficType.SERVICE
   */
  readonly waypointTrafficType?: WaypointTrafficType;
}

/**
 * The namespace labels that decide enrolment.
 * @internal
 */
export const _ENROLMENT_LABELS = ['istio-injection', 'istio.io/rev', 'istio.io/dataplane-mode', 'istio.io/use-waypoint'];

/**
 * Exactly one way of enrolling a namespace in the mesh.
 *
 * @example
 * MeshEnrolment.sidecarInjection();               // istio-injection: enabled (the default)
 * MeshEnrolment.revision('1-30-3');               // istio.io/rev: 1-30-3 (canary control-plane upgrades)
 * MeshEnrolment.ambient({ waypoint: true });      // istio.io/dataplane-mode: ambient + a waypoint
 *
 * @see https://istio.io/latest/docs/setup/additional-setup/sidecar-injection/
 * @see https://istio.io/latest/docs/ambient/usage/add-workloads/
 */
export class MeshEnrolment {
  /** Sidecar injection by the default control plane: `istio-injection: enabled`. */
  public static sidecarInjection(): MeshEnrolment {
    return new MeshEnrolment(EnrolmentMode.SIDECAR, undefined, false, undefined, undefined);
  }

  /**
   * Sidecar injection by the control-plane revision `revision`: `istio.io/rev: <revision>` (used for
   * canary control-plane upgrades; the namespace must not also carry `istio-injection`, which wins).
   *
   * @param revision the revision or revision tag of the control plane, e.g. `1-30-3` or `stable` (a valid
   * label value)
   */
  public static revision(revision: string): MeshEnrolment {
    if (typeof revision !== 'string' || revision.length === 0) {
      throw _invalid('revision', revision, 'the revision is empty', 'give the revision (or tag) of the control plane, e.g. "1-30-3" or "stable"');
    }
    _validateLabels('revision', { 'istio.io/rev': revision });
    return new MeshEnrolment(EnrolmentMode.REVISION, revision, false, undefined, undefined);
  }

  /**
   * Ambient mode: `istio.io/dataplane-mode: ambient`, optionally with a namespace waypoint.
   *
   * With a waypoint, the namespace also gets `istio.io/use-waypoint: <name>`, and `SecureNamespace`
   * defines the waypoint (a Gateway API Gateway of class `istio-waypoint`).
   *
   * @param options `waypoint` (default false), its name (default `waypoint`) and the traffic it handles
   * (default service traffic)
   */
  public static ambient(options: AmbientEnrolmentOptions = {}): MeshEnrolment {
    const waypoint = options.waypoint ?? false;
    if (!waypoint && (options.waypointName !== undefined || options.waypointTrafficType !== undefined)) {
      throw _invalid('waypointName', options.waypointName ?? options.waypointTrafficType, 'waypoint options are set but `waypoint` is not enabled',
        'set waypoint: true, or drop the waypoint options');
    }
    const name = waypoint ? _validateDnsLabel('waypointName', options.waypointName ?? 'waypoint') : undefined;
    const trafficType = waypoint ? options.waypointTrafficType ?? WaypointTrafficType.SERVICE : undefined;
    return new MeshEnrolment(EnrolmentMode.AMBIENT, undefined, waypoint, name, trafficType);
  }

  private constructor(
    /** The mode. */
    public readonly mode: EnrolmentMode,
    /** The control-plane revision (REVISION mode). */
    public readonly revisionName: string | undefined,
    /** True when a namespace waypoint is deployed (AMBIENT mode). */
    public readonly hasWaypoint: boolean,
    /** The waypoint's name (AMBIENT mode with a waypoint). */
    public readonly waypointName: string | undefined,
    /** Which traffic the waypoint handles (AMBIENT mode with a waypoint). */
    public readonly waypointTrafficType: WaypointTrafficType | undefined,
  ) {}

  /** True in ambient mode. */
  public get isAmbient(): boolean {
    return this.mode === EnrolmentMode.AMBIENT;
  }

  /**
   * The namespace labels this enrolment sets (sorted).
   */
  public toLabels(): { [key: string]: string } {
    switch (this.mode) {
      case EnrolmentMode.SIDECAR:
        return { 'istio-injection': 'enabled' };
      case EnrolmentMode.REVISION:
        return { 'istio.io/rev': this.revisionName! };
      default:
        return this.waypointName
          ? { 'istio.io/dataplane-mode': 'ambient', 'istio.io/use-waypoint': this.waypointName }
          : { 'istio.io/dataplane-mode': 'ambient' };
    }
  }

  /**
   * Enrolment labels in `labels` that contradict this enrolment (empty when consistent).
   * @internal
   */
  public _conflicts(labels: { [key: string]: string }): string[] {
    const expected = this.toLabels();
    return _ENROLMENT_LABELS
      .filter((k) => labels[k] !== undefined && labels[k] !== expected[k])
      .map((k) => `${k}: ${labels[k]}`);
  }

  /** e.g. `sidecar injection`, `revision 1-30-3`, `ambient (waypoint "waypoint")`. */
  public toString(): string {
    switch (this.mode) {
      case EnrolmentMode.SIDECAR: return 'sidecar injection';
      case EnrolmentMode.REVISION: return `revision ${this.revisionName}`;
      default: return this.waypointName ? `ambient (waypoint "${this.waypointName}")` : 'ambient';
    }
  }
}
