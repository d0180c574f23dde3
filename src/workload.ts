import { IConstruct } from 'constructs';
import { _K8sObject, _WORKLOAD_KINDS } from './_k8s';
import { _invalid, _sortedRecord, _suggestName, _validateDnsLabel, _validateLabels } from './_utils';
import { IMeshIdentity, MeshIdentity, MeshIdentityOptions } from './identity';
import { _field } from './validation/_json';

/**
 * Who is called: the pods of one workload, selected by labels, in one namespace.
 *
 * Implemented by `MeshWorkload` (labels or a workload object) and by the library's L3s.
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

/** Workload objects whose labels are checked at synth (one validation each). */
const LABELS_CHECKED = new WeakSet<IConstruct>();

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
 * MeshWorkload.fromWorkload(frontend);           // any cdk8s-plus, plain or imported Deployment
 * MeshWorkload.labels({ app: 'reviews' }, { namespace: 'bookinfo' });
 */
export class MeshWorkload implements IMeshWorkload {
  /**
   * The pods of a Deployment, StatefulSet, DaemonSet, ReplicaSet, Job, CronJob or Pod (selected by its
   * `matchLabels`, else its pod template's labels), with the identity of its service account.
   *
   * @param workload the workload: a cdk8s-plus object of any version (27 through 33), a plain `ApiObject`,
   *   or an object imported with `cdk8s import k8s`
   * @param options how the identity is derived (trust domain)
   */
  public static fromWorkload(workload: IConstruct, options: MeshIdentityOptions = {}): MeshWorkload {
    if (typeof _field(workload, 'toSelectorLabels') === 'function' && typeof _field(workload, 'node') === 'object') {
      throw _invalid('workload', workload.node.path, 'it is already a workload of this library (e.g. a CanaryService), not a Kubernetes object',
        'pass it directly where a workload is taken, e.g. shop.allow(caller).to(catalog)');
    }
    const obj = _K8sObject.of('workload', workload, _WORKLOAD_KINDS,
      'pass the Deployment (or StatefulSet, DaemonSet, ...) whose pods are meant, or use MeshWorkload.labels()');
    MeshWorkload.checkLabelsAtSynth(obj);
    const ns = obj.namespace;
    const identity = ns ? MeshIdentity._fromObject(obj, options) : undefined;
    return new MeshWorkload(_suggestName(obj.name), ns, identity, () => obj.selectorLabels());
  }

  /**
   * Pods selected by `labels`.
   * @param labels the pod labels to select (at least one), e.g. `{ app: "reviews" }`
   * @param options the pods' namespace, their service account and a key for generated names
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

  /**
   * Labels may be added after the workload was passed in (e.g. cdk8s-plus `select()`): whether its pods
   * have any is checked at synth validation, once per workload object.
   */
  private static checkLabelsAtSynth(obj: _K8sObject): void {
    if (LABELS_CHECKED.has(obj.construct)) return;
    LABELS_CHECKED.add(obj.construct);
    obj.construct.node.addValidation({
      validate: () => Object.keys(obj.selectorLabels()).length > 0 ? [] : [_invalid('workload', obj.description,
        'its pods have no labels, so no workload selector can pick them',
        'give the pod template labels (e.g. app: catalog), or use MeshWorkload.labels()').message],
    });
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
