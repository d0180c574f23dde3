import { ApiObject, Lazy } from 'cdk8s';
import { Construct, IConstruct } from 'constructs';
import { _resolveShortname, _validateExportTo } from './_naming';
import { _checkProps, _invalid, _sortedRecord, _validateDnsLabel, _validateHost, _validateLabels } from './_utils';
import { IstioResource, IstioResourceProps } from './base';
import { IMeshDestination, MeshDestinationConfig } from './host';
import * as net from './imports/istio-networking.istio.io';
import { TrafficPolicy, _renderTrafficPolicy } from './traffic-policy';
import { IMeshWorkload } from './workload';

/**
 * Props of a DestinationRule.
 */
export interface DestinationRuleProps extends IstioResourceProps {
  /**
   * The host the rule applies to: a Service (`ServiceHost.fromService(svc)`, a `CanaryService`) or
   * `ServiceHost.external(fqdn)`. Any subset or port of the destination is ignored.
   */
  readonly host: IMeshDestination;
  /**
   * The traffic policy of the whole host.
   *
   * @default - Istio defaults (auto mTLS, LEAST_REQUEST, no outlier detection)
   */
  readonly trafficPolicy?: TrafficPolicy;
  /**
   * Subsets (also `addSubset()`).
   *
   * @default - none
   */
  readonly subsets?: SubsetOptions[];
  /**
   * Namespaces the rule is visible to (`.` = its own, `*` = all).
   *
   * @default - all namespaces (Istio default)
   * @see https://istio.io/latest/docs/reference/config/networking/destination-rule/#DestinationRule
   */
  readonly exportTo?: string[];
  /**
   * Apply the rule only to these client workloads (in the rule's namespace).
   *
   * @default - all clients
   */
  readonly workloadSelector?: IMeshWorkload;
}

/**
 * A subset definition.
 */
export interface SubsetOptions {
  /** The subset name: an RFC 1123 label such as `stable` or `v1`. */
  readonly name: string;
  /** Pod labels selecting the subset's endpoints (e.g. `{ version: 'v1' }`). */
  readonly labels: { [key: string]: string };
  /**
   * The subset's own traffic policy (overrides the rule-level one).
   *
   * @default - the rule-level policy
   */
  readonly trafficPolicy?: TrafficPolicy;
}

/**
 * A subset of a DestinationRule: a destination (host + subset name) to route to.
 */
export class DestinationRuleSubset implements IMeshDestination {
  /** @internal */
  public static _of(host: string, name: string, labels: { [key: string]: string }, rendered: net.DestinationRuleSpecSubsets): DestinationRuleSubset {
    return new DestinationRuleSubset(host, name, labels, rendered);
  }

  private constructor(
    /** The rule's host. */
    public readonly host: string,
    /** The subset name. */
    public readonly name: string,
    /** The labels selecting the subset's endpoints. */
    public readonly labels: { [key: string]: string },
    /** @internal */
    public readonly _rendered: net.DestinationRuleSpecSubsets,
  ) {}

  public toMeshDestination(): MeshDestinationConfig {
    return { host: this.host, subset: this.name };
  }
}

interface Registry { byHost: Map<string, DestinationRule[]> }

const REGISTRIES = new WeakMap<IConstruct, Registry>();

/**
 * A DestinationRule (`networking.istio.io/v1`): what happens to traffic for a host after routing —
 * subsets by pod labels, client TLS, connection pools, outlier detection and load balancing.
 *
 * @example
 * const dr = new DestinationRule(chart, 'reviews', {
 *   host: ServiceHost.inNamespace('bookinfo', 'reviews'),
 *   trafficPolicy: { tls: { mode: ClientTlsMode.ISTIO_MUTUAL } },
 * });
 * const v1 = dr.addSubset('v1', { version: 'v1' });
 *
 * @see https://istio.io/latest/docs/reference/config/networking/destination-rule/
 */
export class DestinationRule extends IstioResource {
  /**
   * Subset names defined for `host` (as `_resolveShortname` resolves it) by the DestinationRules of the app containing `scope`, or
   * undefined when no DestinationRule of the app is for `host`.
   * @internal
   */
  public static _subsetsFor(scope: IConstruct, host: string): Set<string> | undefined {
    const rules = REGISTRIES.get(scope.node.root)?.byHost.get(host);
    if (!rules) return undefined;
    const out = new Set<string>();
    for (const r of rules) for (const s of r.subsets) out.add(s.name);
    return out;
  }

  public readonly apiObject: ApiObject;
  /** The host (FQDN) the rule applies to. */
  public readonly host: string;
  private readonly _subsets = new Map<string, DestinationRuleSubset>();
  private readonly trafficPolicyRendered: net.DestinationRuleSpecTrafficPolicy | undefined;
  /** Whether the rule-level policy has a connection pool (subsets inherit it, with their retry budgets). */
  private readonly rulePool: boolean;
  private readonly exportTo?: string[];
  private readonly workloadSelector?: IMeshWorkload;

  /**
   * Defines a DestinationRule for one host (subsets can be added later with `addSubset()`).
   *
   * @param scope the parent construct (usually a Chart)
   * @param id the construct id, unique within `scope`
   * @param props the `host` (required, not `*`), traffic policy, subsets, `exportTo` and workload selector
   */
  constructor(scope: Construct, id: string, props: DestinationRuleProps) {
    super(scope, id, _checkProps('props', props, true, '{ host: ServiceHost.inNamespace("bookinfo", "reviews") }'));
    const host = props.host?.toMeshDestination?.().host;
    if (host !== '*') _validateHost('host', host, true, false);
    else throw _invalid('host', host, 'a DestinationRule cannot apply to every host', 'give the Service host (ServiceHost.fromService(svc)) or an FQDN');
    this.host = host;
    this.trafficPolicyRendered = _renderTrafficPolicy('trafficPolicy', props.trafficPolicy);
    this.rulePool = props.trafficPolicy?.connectionPool !== undefined;
    this.workloadSelector = props.workloadSelector;
    this.apiObject = this._createApiObject(net.DestinationRule, {
      metadata: props.metadata,
      spec: Lazy.any({ produce: () => net.toJson_DestinationRuleSpec(this._toIstio()) }),
    });
    // after the L1 exists: `.` and the resource's own namespace are the same entry
    this.exportTo = props.exportTo
      ? _validateExportTo(props.exportTo, { namespace: this.namespace, hasWorkloadSelector: props.workloadSelector !== undefined })
      : undefined;
    for (const s of props.subsets ?? []) this.addSubset(s.name, s.labels, s.trafficPolicy);

    const root = this.node.root;
    let reg = REGISTRIES.get(root);
    if (!reg) {
      reg = { byHost: new Map() };
      REGISTRIES.set(root, reg);
    }
    const key = _resolveShortname(host, this.namespace ?? 'default');
    const list = reg.byHost.get(key) ?? [];
    list.push(this);
    reg.byHost.set(key, list);
  }


  /** The subsets, in the order they were added. */
  public get subsets(): DestinationRuleSubset[] {
    return [...this._subsets.values()];
  }

  /**
   * Adds a subset: endpoints of the host whose pods carry `labels`. Returns it as a destination
   * (host + subset) to route to.
   *
   * @param name an RFC 1123 label, unique in this rule (e.g. `stable`, `v1`; a version such as `1.2.0` is not a valid name: put it in the labels)
   * @param labels pod labels selecting the subset; `{}` selects every endpoint of the host (Istio's
   *   egress-gateway task routes to such a subset, e.g. to give it its own traffic policy)
   * @param trafficPolicy the subset's own policy
   */
  public addSubset(name: string, labels: { [key: string]: string }, trafficPolicy?: TrafficPolicy): DestinationRuleSubset {
    _validateDnsLabel('subset name', name);
    if (this._subsets.has(name)) {
      throw _invalid('subset name', name, `DestinationRule '${this.node.path}' already has a subset with this name`, 'give each subset a unique name');
    }
    if (typeof labels !== 'object' || labels === null) {
      throw _invalid(`subset "${name}" labels`, labels, 'the labels are an object',
        'give the labels that distinguish it, e.g. { version: "v1" }, or {} for every endpoint (e.g. an egress gateway subset)');
    }
    if (Object.keys(labels).length > 0) _validateLabels(`subset "${name}" labels`, labels);
    const copy = { ...labels };
    const rendered = { name, labels: _sortedRecord(copy), trafficPolicy: _renderTrafficPolicy(`subset "${name}" trafficPolicy`, trafficPolicy, this.rulePool) };
    const subset = DestinationRuleSubset._of(this.host, name, copy, rendered);
    this._subsets.set(name, subset);
    return subset;
  }

  /**
   * The subset called `name`, as a destination (host + subset) to route to. Throws when there is none.
   *
   * @param name the name given to `addSubset()` or in `props.subsets`
   */
  public subset(name: string): DestinationRuleSubset {
    const s = this._subsets.get(name);
    if (!s) throw _invalid('subset', name, `DestinationRule '${this.node.path}' has no such subset (it has: ${[...this._subsets.keys()].join(', ') || 'none'})`, 'call addSubset() first');
    return s;
  }

  private _toIstio(): net.DestinationRuleSpec {
    const selector = this.workloadSelector?.toSelectorLabels();
    return {
      host: this.host,
      trafficPolicy: this.trafficPolicyRendered,
      subsets: this._subsets.size > 0 ? this.subsets.map((s) => s._rendered) : undefined,
      exportTo: this.exportTo,
      workloadSelector: selector && Object.keys(selector).length > 0 ? { matchLabels: selector } : undefined,
    };
  }
}
