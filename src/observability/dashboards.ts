import { createHash } from 'crypto';
import * as common from '@grafana/grafana-foundation-sdk/common';
import * as dashboard from '@grafana/grafana-foundation-sdk/dashboard';
import * as prometheus from '@grafana/grafana-foundation-sdk/prometheus';
import * as stat from '@grafana/grafana-foundation-sdk/stat';
import * as text from '@grafana/grafana-foundation-sdk/text';
import * as timeseries from '@grafana/grafana-foundation-sdk/timeseries';
import { ApiObject, Lazy } from 'cdk8s';
import { Construct } from 'constructs';
import { _invalid, _validateDnsLabel, _validateDnsSubdomain } from '../_utils';
import { _reporterFor } from './_data-plane';
import { REQUESTS, DURATION_BUCKET, _ServiceQueries, _promString } from './_promql';
import { IMonitoringTarget, MonitoringTargetConfig, _readTarget, _versionServices } from './monitoring-target';
import { MetricsReporter } from './service-alerts';

/**
 * Options shared by every dashboard.
 */
export interface GrafanaDashboardOptions {
  /**
   * Namespace of the dashboard ConfigMap. The Grafana Helm chart's sidecar watches its own namespace
   * unless `sidecar.dashboards.searchNamespace` is set (e.g. to `ALL`).
   *
   * @default - the monitored service's namespace ("istio-system" for the mesh overview)
   */
  readonly namespace?: string;
  /**
   * Grafana folder, set as the `grafana_folder` annotation (read by the sidecar when
   * `sidecar.dashboards.folderAnnotation: grafana_folder`).
   *
   * @default - no folder annotation
   */
  readonly folder?: string;
  /**
   * Which proxy's metrics to chart: `DESTINATION` for sidecars, `WAYPOINT` for ambient. For a service's
   * dashboards it must agree with the data plane of the service's namespace when the app defines its
   * SecureNamespace (a contradiction is refused).
   *
   * @default - per service: derived from its namespace's SecureNamespace (ambient with a waypoint:
   * `WAYPOINT`), else `MetricsReporter.DESTINATION`; the mesh dashboard: `MetricsReporter.DESTINATION`
   */
  readonly reporter?: MetricsReporter;
}

/**
 * Props of a per-service or per-canary dashboard.
 */
export interface ServiceDashboardProps extends GrafanaDashboardOptions {
  /** The service (or canary) to chart. */
  readonly target: IMonitoringTarget;
}

const DS = { type: 'prometheus', uid: '${datasource}' };
const RI = '$__rate_interval';

/**
 * A Grafana dashboard as a ConfigMap labelled `grafana_dashboard: "1"`, the label the Grafana Helm
 * chart's dashboard sidecar picks up. UIDs derive from names (stable across synths) and the JSON has
 * sorted keys, so the output is deterministic and diffs cleanly.
 */
export abstract class GrafanaDashboard extends Construct {
  /** The ConfigMap holding the dashboard JSON (escape hatch: `ApiObject.of(dashboard)`). */
  public readonly configMap: ApiObject;
  /** The dashboard UID (a short hash of its identity, stable across synths). */
  public readonly uid: string;
  /** The dashboard title. */
  public readonly title: string;
  /** The ConfigMap key holding the JSON, e.g. `catalog-shop-service.json`. */
  public readonly fileName: string;

  /**
   * Defines the ConfigMap (`<identity>-dashboard`, label `grafana_dashboard: "1"`) whose single key
   * `<identity>.json` holds the dashboard JSON, rendered at synth by the subclass.
   *
   * @param scope the construct scope
   * @param id the construct id
   * @param title the dashboard title
   * @param identity a DNS-safe, unique name of the dashboard (UID hash, file and ConfigMap names derive from it)
   * @param namespace namespace of the ConfigMap
   * @param options folder and reporter
   */
  protected constructor(scope: Construct, id: string, title: string, identity: string, namespace: string, options: GrafanaDashboardOptions) {
    super(scope, id);
    _validateDnsLabel('namespace', namespace);
    this.title = title;
    this.uid = `istio-${createHash('sha256').update(identity).digest('hex').slice(0, 16)}`;
    const base = _validateDnsSubdomain('dashboard name', identity.replace(/[/:]/g, '-'));
    this.fileName = `${base}.json`;
    const annotations = options.folder !== undefined ? { grafana_folder: validateFolder(options.folder) } : undefined;
    this.configMap = new ApiObject(this, 'Resource', {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: `${base}-dashboard`, namespace, labels: { grafana_dashboard: '1' }, annotations },
      data: Lazy.any({ produce: () => ({ [this.fileName]: this.toJsonString() }) }),
    });
    this.node.defaultChild = this.configMap;
  }

  /** The dashboard JSON (sorted keys, 2-space indent), as the ConfigMap holds it. */
  public toJsonString(): string {
    const params = this._params();
    const render = (p: DashboardParams) => JSON.stringify(_sortDeep(this._build(p)), undefined, 2);
    return _fromTemplate(this.constructor, this._shape(), params, render);
  }

  /**
   * The values this dashboard's JSON varies by (names, versions, weights, uid), as strings.
   * @internal
   */
  protected abstract _params(): DashboardParams;

  /**
   * What else the JSON depends on (e.g. the reporter): dashboards of one class and shape differ only by
   * their `_params()`.
   * @internal
   */
  protected abstract _shape(): string;

  /**
   * The dashboard object for `p`; must use each value of `p` only by inserting it into strings.
   * @internal
   */
  protected abstract _build(p: DashboardParams): any;
}

type DashboardParams = { [key: string]: string };

/**
 * Rendered templates per dashboard class and shape, split at the tokens that stand for the values of
 * `_params()`: text at even indexes, parameter names at odd indexes.
 */
const TEMPLATES = new WeakMap<Function, Map<string, string[]>>();
/**
 * Values that read the same after every escaping on their way into the JSON (PromQL strings, Markdown,
 * JSON): every DNS label, label value, number and uid is one. Others render without a template.
 */
const TEMPLATE_SAFE = /^[A-Za-z0-9._-]*$/;

/**
 * Renders a dashboard from its class's template (built once per class and shape with tokens for the
 * values, then filled in): thousands of per-service dashboards cost one build per class and shape, not
 * one per dashboard.
 * Same output as `render(params)`.
 *
 * @internal
 */
export function _fromTemplate(cls: Function, shape: string, params: DashboardParams, render: (p: DashboardParams) => string): string {
  const keys = Object.keys(params);
  if (!keys.every((k) => /^[a-zA-Z]+$/.test(k) && TEMPLATE_SAFE.test(params[k]))) return render(params);
  let byShape = TEMPLATES.get(cls);
  if (!byShape) {
    byShape = new Map();
    TEMPLATES.set(cls, byShape);
  }
  const key = `${shape}\u0000${keys.join(',')}`;
  let parts = byShape.get(key);
  if (parts === undefined) {
    const tokens: DashboardParams = {};
    for (const k of keys) tokens[k] = `@@${k}@@`;
    parts = render(tokens).split(/@@([a-zA-Z]+)@@/);
    byShape.set(key, parts);
  }
  // filled in one pass: a value is never read as a token
  let out = parts[0];
  for (let i = 1; i < parts.length; i += 2) out += (parts[i] in params ? params[parts[i]] : `@@${parts[i]}@@`) + parts[i + 1];
  return out;
}

/**
 * A mesh-wide overview: request rate, success rate and p99 latency for every service.
 *
 * @example
 * new MeshDashboard(chart, 'mesh-dashboard');
 */
export class MeshDashboard extends GrafanaDashboard {
  private readonly reporter: string;

  /**
   * Defines the "Istio mesh overview" dashboard ConfigMap (`istio-mesh-overview-dashboard`).
   *
   * @param scope the parent construct (usually a Chart)
   * @param id the construct id, unique within `scope`
   * @param props ConfigMap namespace (default `istio-system`), Grafana folder and reporter (default
   * `destination`)
   */
  constructor(scope: Construct, id: string, props: GrafanaDashboardOptions = {}) {
    super(scope, id, 'Istio mesh overview', 'istio-mesh-overview', props.namespace ?? 'istio-system', props);
    this.reporter = props.reporter ?? MetricsReporter.DESTINATION;
  }

  /** @internal */
  protected _params(): DashboardParams {
    return {};
  }

  /** @internal */
  protected _shape(): string {
    return this.reporter;
  }

  /** @internal */
  protected _build(): any {
    const sel = `{reporter=${_promString('reporter', this.reporter)}}`;
    // success = non-5xx / all (an error-ratio "1 - 5xx/all" would show no data while nothing fails)
    const ok = `{reporter=${_promString('reporter', this.reporter)},response_code!~"5.."}`;
    const bySvc = 'destination_service_namespace, destination_service_name';
    const legend = '{{destination_service_name}}.{{destination_service_namespace}}';
    const p = new Panels();
    p.stat('Mesh request rate', 'reqps', [[`sum(rate(${REQUESTS}${sel}[${RI}]))`, 'requests/s']], 8);
    p.stat('Mesh success rate', 'percentunit', [[`sum(rate(${REQUESTS}${ok}[${RI}])) / sum(rate(${REQUESTS}${sel}[${RI}]))`, 'success']], 8);
    p.stat('Mesh p99 latency', 'ms', [[`histogram_quantile(0.99, sum by (le) (rate(${DURATION_BUCKET}${sel}[${RI}])))`, 'p99']], 8);
    p.timeseries('Request rate by service', 'reqps', [[`sum by (${bySvc}) (rate(${REQUESTS}${sel}[${RI}]))`, legend]], 24);
    p.timeseries('Success rate by service', 'percentunit', [[
      `sum by (${bySvc}) (rate(${REQUESTS}${ok}[${RI}])) / sum by (${bySvc}) (rate(${REQUESTS}${sel}[${RI}]))`, legend,
    ]], 12);
    p.timeseries('p99 latency by service', 'ms', [[`histogram_quantile(0.99, sum by (le, ${bySvc}) (rate(${DURATION_BUCKET}${sel}[${RI}])))`, legend]], 12);
    return dashboardOf(this.title, this.uid, ['istio', 'mesh'], p);
  }
}

/**
 * A per-service dashboard: request rate, success rate, p50/p90/p99 latency, and requests by source
 * workload.
 *
 * @example
 * new ServiceDashboard(chart, 'catalog-dashboard', { target: MonitoringTarget.inNamespace('shop', 'catalog') });
 */
export class ServiceDashboard extends GrafanaDashboard {
  private readonly target: MonitoringTargetConfig;
  private readonly reporter: string;

  /**
   * Defines the dashboard ConfigMap of one service (`<service>-<namespace>-service-dashboard`), charting
   * `istio_requests_total` and `istio_request_duration_milliseconds` for that destination service.
   *
   * @param scope the parent construct (usually a Chart)
   * @param id the construct id, unique within `scope`
   * @param props the service to chart (`target`, e.g. `MonitoringTarget.inNamespace('shop', 'catalog')`),
   * ConfigMap namespace (default the service's), Grafana folder and reporter (default `destination`)
   */
  constructor(scope: Construct, id: string, props: ServiceDashboardProps) {
    const target = _readTarget('target', props.target);
    super(scope, id, serviceTitle(target.serviceName, target.namespace), `${target.serviceName}-${target.namespace}-service`, props.namespace ?? target.namespace, props);
    this.target = target;
    this.reporter = _reporterFor(this, target.serviceName, target.namespace, props.reporter);
  }

  /** @internal */
  protected _params(): DashboardParams {
    return { service: this.target.serviceName, namespace: this.target.namespace, uid: this.uid, ...versionServiceParams(this.target) };
  }

  /** @internal */
  protected _shape(): string {
    return shapeOf(this.reporter, this.target);
  }

  /** @internal */
  protected _build(v: DashboardParams): any {
    const q = new _ServiceQueries(v.service, v.namespace, this.reporter, {}, versionServicesOf(v));
    const p = new Panels();
    p.stat('Request rate', 'reqps', [[q.requestRate(RI), 'requests/s']], 8);
    p.stat('Success rate', 'percentunit', [[q.successRatio(RI), 'success']], 8);
    p.stat('p99 latency', 'ms', [[q.latencyQuantile(0.99, RI), 'p99']], 8);
    p.timeseries('Request rate by response code', 'reqps', [[q.requestRate(RI, undefined, ['response_code']), '{{response_code}}']], 12);
    p.timeseries('Success rate', 'percentunit', [[q.successRatio(RI), 'success']], 12);
    p.timeseries('Latency p50 / p90 / p99', 'ms', [
      [q.latencyQuantile(0.5, RI), 'p50'], [q.latencyQuantile(0.9, RI), 'p90'], [q.latencyQuantile(0.99, RI), 'p99'],
    ], 12);
    p.timeseries('Requests by source workload', 'reqps', [[
      q.requestRate(RI, undefined, ['source_workload_namespace', 'source_workload']), '{{source_workload}}.{{source_workload_namespace}}',
    ]], 12);
    return dashboardOf(serviceTitle(v.service, v.namespace), v.uid, ['istio', 'service'], p);
  }
}

/**
 * A per-canary dashboard: the current traffic split, and stable vs canary side by side (request rate,
 * success rate, p99 latency), compared by `destination_version`. The split is read at synth, so
 * weights shifted after construction are shown.
 *
 * @example
 * new CanaryDashboard(chart, 'catalog-canary', { target: MonitoringTarget.canary({ serviceName: 'catalog',
 *   namespace: 'shop', stableVersion: 'v1', canaryVersion: 'v2', canaryWeight: 10 }) });
 */
export class CanaryDashboard extends GrafanaDashboard {
  private readonly source: IMonitoringTarget;
  private readonly reporter: string;

  /**
   * Defines the dashboard ConfigMap of one canary (`<service>-<namespace>-canary-dashboard`): the traffic
   * split and stable vs canary metrics, split by `destination_version`.
   *
   * @param scope the parent construct (usually a Chart)
   * @param id the construct id, unique within `scope`
   * @param props the canary to chart (`target`: a `CanaryService` or `MonitoringTarget.canary()`; a
   * target that is not a canary is refused), ConfigMap namespace (default the service's), Grafana folder
   * and reporter (default `destination`)
   */
  constructor(scope: Construct, id: string, props: ServiceDashboardProps) {
    const target = _readTarget('target', props.target);
    if (!target.canary) {
      throw _invalid('target', `${target.serviceName}.${target.namespace}`, 'it is not a canary (toMonitoringTarget() returns no `canary`)',
        'use ServiceDashboard, or pass a canary target (MonitoringTarget.canary() or a CanaryService)');
    }
    super(scope, id, canaryTitle(target.serviceName, target.namespace), `${target.serviceName}-${target.namespace}-canary`, props.namespace ?? target.namespace, props);
    this.source = props.target;
    this.reporter = _reporterFor(this, target.serviceName, target.namespace, props.reporter);
    this.node.addValidation({
      validate: () => {
        try {
          const t = _readTarget('target', this.source);
          return t.canary ? [] : [`${this.node.path}: the target is no longer a canary`];
        } catch (e) {
          return [(e as Error).message];
        }
      },
    });
  }

  /** @internal */
  protected _params(): DashboardParams {
    // read at synth: weights shifted after construction are shown
    const t = this.source.toMonitoringTarget();
    const c = t.canary!;
    return {
      service: t.serviceName,
      namespace: t.namespace,
      uid: this.uid,
      stableVersion: c.stableVersion,
      canaryVersion: c.canaryVersion,
      stableWeight: String(c.stableWeight),
      canaryWeight: String(c.canaryWeight),
      ...versionServiceParams(t),
    };
  }

  /** @internal */
  protected _shape(): string {
    return shapeOf(this.reporter, this.source.toMonitoringTarget());
  }

  /** @internal */
  protected _build(v: DashboardParams): any {
    const q = new _ServiceQueries(v.service, v.namespace, this.reporter, {}, versionServicesOf(v));
    const s = `stable (${v.stableVersion})`;
    const k = `canary (${v.canaryVersion})`;
    const p = new Panels();
    p.text('Traffic split', [
      '| | version | weight |',
      '|---|---|---|',
      `| stable | \`${mdEscape(v.stableVersion)}\` | **${v.stableWeight}%** |`,
      `| canary | \`${mdEscape(v.canaryVersion)}\` | **${v.canaryWeight}%** |`,
    ].join('\n'), 6);
    p.stat('Success rate: stable vs canary', 'percentunit', [[q.successRatio(RI, v.stableVersion), s], [q.successRatio(RI, v.canaryVersion), k]], 9);
    p.stat('p99 latency: stable vs canary', 'ms', [[q.latencyQuantile(0.99, RI, v.stableVersion), s], [q.latencyQuantile(0.99, RI, v.canaryVersion), k]], 9);
    p.timeseries('Request rate by version', 'reqps', [[q.requestRate(RI, v.stableVersion), s], [q.requestRate(RI, v.canaryVersion), k]], 8);
    p.timeseries('Success rate by version', 'percentunit', [[q.successRatio(RI, v.stableVersion), s], [q.successRatio(RI, v.canaryVersion), k]], 8);
    p.timeseries('p99 latency by version', 'ms', [[q.latencyQuantile(0.99, RI, v.stableVersion), s], [q.latencyQuantile(0.99, RI, v.canaryVersion), k]], 8);
    return dashboardOf(canaryTitle(v.service, v.namespace), v.uid, ['istio', 'canary'], p);
  }
}

/** The per-version Services of a canary target as dashboard parameters (none with one Service for both versions). */
function versionServiceParams(t: MonitoringTargetConfig): DashboardParams {
  const c = t.canary;
  if (!c || !_versionServices(t)) return {};
  return { stableVersion: c.stableVersion, canaryVersion: c.canaryVersion, stableService: c.stableServiceName!, canaryService: c.canaryServiceName! };
}

/** The version -> Service map of the parameters (tokens while a template is built), or undefined. */
function versionServicesOf(v: DashboardParams): { [version: string]: string } | undefined {
  return v.stableService !== undefined ? { [v.stableVersion]: v.stableService, [v.canaryVersion]: v.canaryService } : undefined;
}

/** The reporter, and whether versions have Services of their own: the template differs by both. */
function shapeOf(reporter: string, t: MonitoringTargetConfig): string {
  return _versionServices(t) ? `${reporter}|per-version-services` : reporter;
}

/** Lays panels out left to right in Grafana's 24-column grid, with ids and refIds set. */
class Panels {
  public readonly builders: any[] = [];
  private x = 0;
  private y = 0;
  private rowHeight = 0;
  private id = 0;

  public stat(title: string, unit: string, queries: Array<[string, string]>, w: number): void {
    const b = new stat.PanelBuilder().title(title).unit(unit).datasource(DS)
      .reduceOptions(new common.ReduceDataOptionsBuilder().calcs(['lastNotNull']).values(false))
      .colorMode(common.BigValueColorMode.Value)
      .graphMode(common.BigValueGraphMode.Area);
    this.add(b, queries, w, 5);
  }

  public timeseries(title: string, unit: string, queries: Array<[string, string]>, w: number): void {
    const b = new timeseries.PanelBuilder().title(title).unit(unit).datasource(DS)
      .legend(new common.VizLegendOptionsBuilder().showLegend(true)
        .displayMode(common.LegendDisplayMode.List).placement(common.LegendPlacement.Bottom));
    this.add(b, queries, w, 8);
  }

  public text(title: string, markdown: string, w: number): void {
    const b = new text.PanelBuilder().title(title).mode(text.TextMode.Markdown).content(markdown);
    this.add(b, [], w, 5);
  }

  private add(b: any, queries: Array<[string, string]>, w: number, h: number): void {
    if (this.x + w > 24) {
      this.x = 0;
      this.y += this.rowHeight;
      this.rowHeight = 0;
    }
    this.id += 1;
    b.id(this.id).gridPos({ x: this.x, y: this.y, w, h });
    queries.forEach(([expr, legend], i) => {
      b.withTarget(new prometheus.DataqueryBuilder().refId(String.fromCharCode(65 + i)).expr(expr).legendFormat(legend).datasource(DS));
    });
    this.x += w;
    this.rowHeight = Math.max(this.rowHeight, h);
    this.builders.push(b);
  }
}

function dashboardOf(title: string, uid: string, tags: string[], panels: Panels): any {
  let d = new dashboard.DashboardBuilder(title).uid(uid).tags(tags).refresh('30s')
    .time({ from: 'now-1h', to: 'now' }).timezone('browser').editable()
    .withVariable(new dashboard.DatasourceVariableBuilder('datasource').label('Data source').type('prometheus'));
  for (const b of panels.builders) d = d.withPanel(b);
  return d.build();
}

function serviceTitle(service: string, namespace: string): string {
  return `Istio service ${service}.${namespace}`;
}

function canaryTitle(service: string, namespace: string): string {
  return `Istio canary ${service}.${namespace}`;
}

function mdEscape(s: string): string {
  return s.replace(/[`|\\]/g, (m) => `\\${m}`);
}

function validateFolder(folder: string): string {
  if (typeof folder !== 'string' || folder.trim().length === 0 || /[\r\n]/.test(folder)) {
    throw _invalid('folder', folder, 'a Grafana folder name is one non-empty line', 'use e.g. "Istio"');
  }
  return folder;
}

/**
 * JSON with keys sorted at every level (arrays keep their order).
 * @internal
 */
export function _sortDeep(value: any): any {
  if (Array.isArray(value)) return value.map(_sortDeep);
  if (value && typeof value === 'object') {
    const out: any = {};
    for (const k of Object.keys(value).sort()) {
      if (value[k] !== undefined) out[k] = _sortDeep(value[k]);
    }
    return out;
  }
  return value;
}
