import * as kplus from 'cdk8s-plus-27';
import { _invalid, _namespaceOf, _sortedRecord, _suggestName, _validateDnsLabel, _validateLabels } from './_utils';
import { IMeshIdentity, MeshIdentity, MeshIdentityOptions } from './identity';

/**
 * Who is called: the pods of one workload, selected by labels, in one namespace.
 *
 * Implemented by `MeshWorkload` (labels or a cdk8s-plus workload) and by the library's L3s.
 */
export interface IMeshWorkload {
  /** A short, stable, DNS-safe key used in construct ids and generated names (e.g. `catalog`). */
  readonly workloadKey: string;
  /** The namespace of the pods, when known. */
  readonly workloadNamespace?: string;
  /** The identity the pods run as, when known. */
  readonly workloadIdentity?: IMeshIdentity;
  /**
   * The labels that select the pods (a `workloadSelector.matchLabels` / `selector.matchLabels`).
   * Read at synth, so labels added to the workload after it was passed in are included.
   */
  toSelectorLabels(): { [key: string]: string };
}

/**
 * Options for a workload given by labels.
 */
export interface MeshWorkloadLabelsOptions {
  /**
   * The namespace of the pods.
   *
   * @default - unknown: the resource that selects them must be placed in a namespace some other way
   */
  readonly namespace?: string;
  /**
   * The service account the pods run as (name in the workload's namespace).
   *
   * @default - unknown
   */
  readonly serviceAccountName?: string;
  /**
   * A DNS-safe key used in construct ids and names.
   *
   * @default - derived from the `app` label, else from the sorted labels
   */
  readonly key?: string;
}

/**
 * Workloads: pods selected by labels.
 *
 * @example
 * MeshWorkload.fromWorkload(frontendDeployment);
 * MeshWorkload.labels({ app: 'reviews' }, { namespace: 'bookinfo' });
 */
export class MeshWorkload implements IMeshWorkload {
  /**
   * The pods of a cdk8s-plus Deployment, StatefulSet or DaemonSet (its `matchLabels`), with the
   * identity of its service account.
   */
  public static fromWorkload(workload: kplus.Workload, options: MeshIdentityOptions = {}): MeshWorkload {
    const ns = _namespaceOf(workload);
    const identity = ns ? MeshIdentity.fromWorkload(workload, options) : undefined;
    return new MeshWorkload(_suggestName(workload.name), ns, identity, () => workload.matchLabels);
  }

  /**
   * Pods selected by `labels`.
   */
  public static labels(labels: { [key: string]: string }, options: MeshWorkloadLabelsOptions = {}): MeshWorkload {
    if (!labels || Object.keys(labels).length === 0) {
      throw _invalid('labels', labels, 'an empty selector matches every pod of the namespace',
        'give at least one label, e.g. { app: "catalog" }; for namespace-wide policy leave the selector out instead');
    }
    _validateLabels('labels', labels);
    if (options.namespace !== undefined) _validateDnsLabel('namespace', options.namespace);
    const copy = { ...labels };
    const key = options.key !== undefined
      ? _validateDnsLabel('key', options.key)
      : _suggestName(copy.app ?? Object.keys(copy).sort().map((k) => `${k}-${copy[k]}`).join('-'));
    const identity = options.serviceAccountName !== undefined
      ? MeshIdentity.of(MeshWorkload.requireNamespace(options.namespace, 'serviceAccountName'), options.serviceAccountName)
      : undefined;
    return new MeshWorkload(key, options.namespace, identity, () => copy);
  }

  private static requireNamespace(ns: string | undefined, prop: string): string {
    if (!ns) throw _invalid('namespace', ns, `${prop} needs the workload's namespace`, 'set options.namespace');
    return ns;
  }

  private constructor(
    public readonly workloadKey: string,
    public readonly workloadNamespace: string | undefined,
    public readonly workloadIdentity: IMeshIdentity | undefined,
    private readonly labelsProducer: () => { [key: string]: string },
  ) {}

  public toSelectorLabels(): { [key: string]: string } {
    return _sortedRecord(this.labelsProducer()) ?? {};
  }
}
