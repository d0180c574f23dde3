import { ApiObject, Duration, Lazy } from 'cdk8s';
import { Construct, IConstruct } from 'constructs';
import { _invalid, _renderDuration, _validateDnsLabel, _validateDnsSubdomain } from './_utils';
import { IstioResource, IstioResourceProps } from './base';
import * as tel from './imports/istio-telemetry.istio.io';
import { MeshConfigFragment } from './observability/mesh-config';
import { AccessLogProvider, MetricsProvider, TracingProvider } from './observability/providers';
import { PolicyTargetRef } from './policy-target';
import { _celModule } from './validation/_cel-module';
import { IMeshWorkload } from './workload';

/** Throws unless `expr` parses as CEL (Istio rejects filters and tag values that do not). */
function validateCel(prop: string, expr: string, example: string): string {
  try {
    _celModule().parse(expr);
  } catch (e) {
    const why = String((e as Error).message ?? e).split('\n')[0];
    throw _invalid(prop, expr, `it is not a valid CEL expression (${why})`, `write a CEL expression such as ${example}`);
  }
  return expr;
}

/**
 * Which side of a request a telemetry setting applies to.
 */
export enum TelemetryMode {
  /** Both the client and the server proxy. */
  CLIENT_AND_SERVER = 'CLIENT_AND_SERVER',
  /** The client (outbound) proxy only. */
  CLIENT = 'CLIENT',
  /** The server (inbound) proxy only. */
  SERVER = 'SERVER',
}

/**
 * Istio's standard metrics, for metric overrides.
 *
 * @see https://istio.io/latest/docs/reference/config/metrics/
 */
export enum IstioMetric {
  /** Every metric below. */
  ALL_METRICS = 'ALL_METRICS',
  /** `istio_requests_total` */
  REQUEST_COUNT = 'REQUEST_COUNT',
  /** `istio_request_duration_milliseconds` */
  REQUEST_DURATION = 'REQUEST_DURATION',
  /** `istio_request_bytes` */
  REQUEST_SIZE = 'REQUEST_SIZE',
  /** `istio_response_bytes` */
  RESPONSE_SIZE = 'RESPONSE_SIZE',
  /** `istio_tcp_connections_opened_total` */
  TCP_OPENED_CONNECTIONS = 'TCP_OPENED_CONNECTIONS',
  /** `istio_tcp_connections_closed_total` */
  TCP_CLOSED_CONNECTIONS = 'TCP_CLOSED_CONNECTIONS',
  /** `istio_tcp_sent_bytes_total` */
  TCP_SENT_BYTES = 'TCP_SENT_BYTES',
  /** `istio_tcp_received_bytes_total` */
  TCP_RECEIVED_BYTES = 'TCP_RECEIVED_BYTES',
  /** `istio_request_messages_total` */
  GRPC_REQUEST_MESSAGES = 'GRPC_REQUEST_MESSAGES',
  /** `istio_response_messages_total` */
  GRPC_RESPONSE_MESSAGES = 'GRPC_RESPONSE_MESSAGES',
}

/**
 * A custom tag added to every span.
 *
 * @example
 * TracingCustomTag.literal('team', 'storefront');
 * TracingCustomTag.header('user-agent', 'user-agent', 'unknown');
 * TracingCustomTag.environment('cluster', 'CLUSTER_NAME');
 */
export class TracingCustomTag {
  /**
   * A fixed value.
   *
   * @param tag the span tag name
   * @param value the fixed value
   */
  public static literal(tag: string, value: string): TracingCustomTag {
    return new TracingCustomTag(TracingCustomTag.validateTag(tag), { literal: { value } });
  }

  /**
   * The value of a request header (or `defaultValue` when absent).
   *
   * @param tag the span tag name
   * @param headerName the request header to read
   * @param defaultValue the value when the header is absent (default: the tag is left out)
   */
  public static header(tag: string, headerName: string, defaultValue?: string): TracingCustomTag {
    if (!headerName || /[\s:]/.test(headerName)) {
      throw _invalid('headerName', headerName, 'it is not an HTTP header name', 'use e.g. "x-request-id"');
    }
    return new TracingCustomTag(TracingCustomTag.validateTag(tag), { header: { defaultValue, name: headerName } });
  }

  /**
   * The value of an environment variable of the proxy (or `defaultValue` when unset).
   *
   * @param tag the span tag name
   * @param variable the proxy's environment variable to read
   * @param defaultValue the value when the variable is unset (default: the tag is left out)
   */
  public static environment(tag: string, variable: string, defaultValue?: string): TracingCustomTag {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(variable ?? '')) {
      throw _invalid('variable', variable, 'it is not an environment variable name', 'use e.g. "CLUSTER_NAME"');
    }
    return new TracingCustomTag(TracingCustomTag.validateTag(tag), { environment: { defaultValue, name: variable } });
  }

  private static validateTag(tag: string): string {
    if (typeof tag !== 'string' || tag.trim().length === 0) {
      throw _invalid('tag', tag, 'a span tag needs a name', 'give a name such as "team"');
    }
    return tag;
  }

  private constructor(
    /** The span tag's name. */
    public readonly tag: string,
    private readonly config: tel.TelemetrySpecTracingCustomTags,
  ) {}

  /** @internal */
  public _toIstio(): tel.TelemetrySpecTracingCustomTags {
    return this.config;
  }
}

/**
 * A change to a metric's tags (dimensions).
 *
 * @example
 * MetricTagOverride.upsert('request_host', 'request.host');   // value is a CEL expression
 * MetricTagOverride.remove('request_protocol');
 */
export class MetricTagOverride {
  /**
   * Adds or replaces `tag`, valued by a CEL expression over request attributes.
   *
   * @param tag the metric label (dimension) to add or replace
   * @param celExpression the value: a CEL expression over Envoy request attributes, e.g. `request.host`
   */
  public static upsert(tag: string, celExpression: string): MetricTagOverride {
    if (!celExpression || celExpression.trim().length === 0) {
      throw _invalid('celExpression', celExpression, 'an upserted tag needs a value expression', 'use e.g. "request.host"');
    }
    validateCel('celExpression', celExpression, '"request.host"');
    const operation = tel.TelemetrySpecMetricsOverridesTagOverridesOperation.UPSERT;
    return new MetricTagOverride(MetricTagOverride.validateTag(tag), { operation, value: celExpression });
  }

  /**
   * Removes `tag` from the metric (fewer series).
   *
   * @param tag the metric label (dimension) to drop
   */
  public static remove(tag: string): MetricTagOverride {
    return new MetricTagOverride(MetricTagOverride.validateTag(tag), { operation: tel.TelemetrySpecMetricsOverridesTagOverridesOperation.REMOVE });
  }

  private static validateTag(tag: string): string {
    if (!/^[a-zA-Z_][a-zA-Z0-9_]*$/.test(tag ?? '')) {
      throw _invalid('tag', tag, 'it is not a Prometheus label name', 'use letters, digits and "_", e.g. "request_host"');
    }
    return tag;
  }

  private constructor(
    /** The tag's name. */
    public readonly tag: string,
    private readonly config: tel.TelemetrySpecMetricsOverridesTagOverrides,
  ) {}

  /** @internal */
  public _toIstio(): tel.TelemetrySpecMetricsOverridesTagOverrides {
    return this.config;
  }
}

/**
 * Tracing settings of a Telemetry.
 *
 * @see https://istio.io/latest/docs/reference/config/telemetry/#Tracing
 */
export interface TelemetryTracingOptions {
  /**
   * Providers to send spans to. Each must be declared in a `MeshConfigFragment` of the app.
   *
   * @default - the mesh's `defaultProviders.tracing`
   */
  readonly providers?: TracingProvider[];
  /**
   * Percentage of requests (0–100) that start a trace.
   *
   * @default - inherited (Istio's mesh default is 1%)
   */
  readonly samplingPercent?: number;
  /**
   * Custom span tags.
   *
   * @default - none
   */
  readonly customTags?: TracingCustomTag[];
  /**
   * Client, server or both.
   *
   * @default TelemetryMode.CLIENT_AND_SERVER
   */
  readonly mode?: TelemetryMode;
  /**
   * Keep propagating trace context but send no spans.
   *
   * @default false
   */
  readonly disableSpanReporting?: boolean;
}

/**
 * Access logging settings of a Telemetry.
 *
 * @see https://istio.io/latest/docs/reference/config/telemetry/#AccessLogging
 */
export interface TelemetryAccessLoggingOptions {
  /**
   * Providers to log to (`AccessLogProvider.ENVOY` is built in; others must be declared).
   *
   * @default - the mesh's `defaultProviders.accessLogging`
   */
  readonly providers?: AccessLogProvider[];
  /**
   * A CEL expression selecting which requests are logged, e.g. `response.code >= 400`.
   *
   * @default - every request
   */
  readonly filter?: string;
  /**
   * Turn access logging off (e.g. for one noisy workload under a mesh-wide setting).
   *
   * @default false
   */
  readonly disabled?: boolean;
  /**
   * Client, server or both.
   *
   * @default TelemetryMode.CLIENT_AND_SERVER
   */
  readonly mode?: TelemetryMode;
}

/**
 * One metric override.
 *
 * @see https://istio.io/latest/docs/reference/config/telemetry/#MetricsOverrides
 */
export interface MetricsOverrideOptions {
  /**
   * The metric to change.
   *
   * @default IstioMetric.ALL_METRICS
   */
  readonly metric?: IstioMetric;
  /**
   * Client, server or both.
   *
   * @default TelemetryMode.CLIENT_AND_SERVER
   */
  readonly mode?: TelemetryMode;
  /**
   * Stop reporting the metric.
   *
   * @default false
   */
  readonly disabled?: boolean;
  /**
   * Tags to add, replace or remove.
   *
   * @default - none
   */
  readonly tagOverrides?: MetricTagOverride[];
}

/**
 * Metrics settings of a Telemetry, for the providers it names (by default the mesh's default metrics providers).
 *
 * @see https://istio.io/latest/docs/reference/config/telemetry/#Metrics
 */
export interface TelemetryMetricsOptions {
  /**
   * Providers the settings apply to (`MetricsProvider.PROMETHEUS` is built in; others must be declared in a
   * `MeshConfigFragment` of the app).
   *
   * @default - the mesh's `defaultProviders.metrics` (Istio's default: `prometheus`)
   */
  readonly providers?: MetricsProvider[];
  /**
   * Overrides, applied in order.
   *
   * @default - none
   */
  readonly overrides?: MetricsOverrideOptions[];
  /**
   * How often TCP metrics are reported (Envoy reports HTTP metrics per request).
   *
   * @default - Istio's default (5s for Prometheus)
   */
  readonly reportingInterval?: Duration;
}

/**
 * Props of a Telemetry.
 */
export interface TelemetryProps extends IstioResourceProps {
  /**
   * The workload the Telemetry applies to (rendered as `selector.matchLabels`). The Telemetry is placed
   * in the workload's namespace unless `metadata.namespace` says otherwise.
   *
   * @default - every workload of the namespace (or of the mesh, with `meshWide`)
   */
  readonly selector?: IMeshWorkload;
  /**
   * Gateways, Services, ServiceEntries or a GatewayClass the Telemetry applies to (`PolicyTargetRef`, the same
   * target type as AuthorizationPolicy and RequestAuthentication), instead of a selector.
   *
   * @default - none
   */
  readonly targetRefs?: PolicyTargetRef[];
  /**
   * Apply to the whole mesh: placed in `rootNamespace`, with no selector.
   *
   * @default false
   */
  readonly meshWide?: boolean;
  /**
   * The mesh's root namespace (`meshConfig.rootNamespace`).
   *
   * @default "istio-system"
   */
  readonly rootNamespace?: string;
  /**
   * Tracing settings.
   *
   * @default - inherited
   */
  readonly tracing?: TelemetryTracingOptions[];
  /**
   * Access logging settings.
   *
   * @default - inherited
   */
  readonly accessLogging?: TelemetryAccessLoggingOptions[];
  /**
   * Metrics settings.
   *
   * @default - inherited
   */
  readonly metrics?: TelemetryMetricsOptions[];
}

const SELECTORLESS = new WeakMap<IConstruct, Map<string, Telemetry[]>>();

/**
 * A Telemetry (`telemetry.istio.io/v1`): tracing, access logging and metrics settings for the mesh,
 * a namespace or one workload.
 *
 * Providers are objects, and each must be declared by a `MeshConfigFragment` of the same app (Istio
 * itself silently sends nothing to an undeclared provider). Two Telemetries without a selector in one
 * namespace fail synth (Istio's IST0160: which one wins is undefined).
 *
 * @example
 * const jaeger = TracingProvider.jaeger({ service: 'jaeger-collector.observability.svc.cluster.local' });
 * new Telemetry(chart, 'tracing', {
 *   metadata: { namespace: 'shop' },
 *   tracing: [{ providers: [jaeger], samplingPercent: 10 }],
 * });
 */
export class Telemetry extends IstioResource {
  public readonly apiObject: ApiObject;
  /** True when the Telemetry has neither a selector nor targetRefs (it covers the whole namespace). */
  public readonly selectorless: boolean;

  private readonly selector?: IMeshWorkload;
  private readonly targetRefs: PolicyTargetRef[];
  private readonly tracing: TelemetryTracingOptions[] = [];
  private readonly accessLogging: TelemetryAccessLoggingOptions[] = [];
  private readonly metrics: TelemetryMetricsOptions[] = [];

  /**
   * Creates a `telemetry.istio.io/v1` Telemetry; providers it names are checked against the declared mesh config at synth.
   *
   * @param scope the parent construct (usually a Chart)
   * @param id the construct id, unique within `scope`
   * @param props the name, namespace, selector or target references, and the initial tracing, access-logging and metrics settings
   */
  constructor(scope: Construct, id: string, props: TelemetryProps = {}) {
    super(scope, id, props);
    const meshWide = props.meshWide ?? false;
    const rootNamespace = _validateDnsLabel('rootNamespace', props.rootNamespace ?? 'istio-system');
    this.targetRefs = [...(props.targetRefs ?? [])];
    this.selector = props.selector;
    if (this.selector && this.targetRefs.length > 0) {
      throw _invalid('targetRefs', this.targetRefs.map((t) => t.toString()), 'Istio accepts either a selector or targetRefs, not both',
        'keep one of them (two Telemetries if both are needed)');
    }
    if (meshWide && (this.selector || this.targetRefs.length > 0)) {
      throw _invalid('meshWide', meshWide, 'a mesh-wide Telemetry applies to every workload, so a selector or targetRefs contradicts it',
        'drop selector/targetRefs, or drop meshWide for a per-workload Telemetry');
    }
    const explicitNs = props.metadata?.namespace;
    if (meshWide && explicitNs !== undefined && explicitNs !== rootNamespace) {
      throw _invalid('metadata.namespace', explicitNs, `a mesh-wide Telemetry lives in the root namespace "${rootNamespace}"`,
        'leave metadata.namespace out, or set rootNamespace if your mesh uses another root namespace');
    }
    const namespace = explicitNs ?? (meshWide ? rootNamespace : this.selector?.workloadNamespace);
    this.selectorless = !this.selector && this.targetRefs.length === 0;

    this.apiObject = this._createApiObject(tel.Telemetry, {
      metadata: { ...props.metadata, namespace },
      spec: Lazy.any({ produce: () => tel.toJson_TelemetrySpec(this._toIstio()) }),
    });

    const wlNs = this.selector?.workloadNamespace;
    if (wlNs !== undefined && this.namespace !== undefined && wlNs !== this.namespace) {
      throw _invalid('selector', this.selector!.workloadKey, `the workload is in namespace "${wlNs}" but the Telemetry in "${this.namespace}"; a selector only matches pods of the Telemetry's own namespace`,
        `place the Telemetry in "${wlNs}" (leave metadata.namespace out)`);
    }

    for (const t of props.tracing ?? []) this.addTracing(t);
    for (const a of props.accessLogging ?? []) this.addAccessLogging(a);
    for (const m of props.metrics ?? []) this.addMetrics(m);

    if (this.selectorless) {
      const root = this.node.root;
      let byNs = SELECTORLESS.get(root);
      if (!byNs) {
        byNs = new Map();
        SELECTORLESS.set(root, byNs);
      }
      const key = this.namespace ?? '';
      const list = byNs.get(key) ?? [];
      list.push(this);
      byNs.set(key, list);
      this.node.addValidation({
        validate: () => {
          const all = byNs!.get(key)!;
          if (all.length < 2 || all[0] === this) return [];
          return [_invalid(`Telemetry '${this.node.path}'`, this.namespace ?? '(no namespace)',
            `'${all[0].node.path}' is also a Telemetry without selector in this namespace; Istio then picks one arbitrarily (IST0160)`,
            'merge them into one Telemetry, or give one of them a selector').message];
        },
      });
    }
    this.node.addValidation({ validate: () => this.validateProviders() });
  }

  /**
   * Adds tracing settings.
   *
   * @param options the tracing providers, sampling percentage and custom tags
   */
  public addTracing(options: TelemetryTracingOptions): void {
    const p = options.samplingPercent;
    if (p !== undefined && (typeof p !== 'number' || !Number.isFinite(p) || p < 0 || p > 100)) {
      throw _invalid('samplingPercent', p, 'a sampling percentage is between 0 and 100', 'use e.g. 10 for 10% of requests (1 is Istio\'s default)');
    }
    const tags = new Set<string>();
    for (const t of options.customTags ?? []) {
      if (tags.has(t.tag)) throw _invalid('customTags', t.tag, 'the tag is given twice', 'keep one');
      tags.add(t.tag);
    }
    this.tracing.push({ ...options, providers: options.providers ? [...options.providers] : undefined });
  }

  /**
   * Adds access logging settings.
   *
   * @param options the access-log providers, mode and CEL filter
   */
  public addAccessLogging(options: TelemetryAccessLoggingOptions): void {
    if (options.filter !== undefined && options.filter.trim().length === 0) {
      throw _invalid('filter', options.filter, 'an empty filter expression is rejected by Istio', 'give a CEL expression such as "response.code >= 400", or leave filter out');
    }
    if (options.filter !== undefined) validateCel('filter', options.filter, '"response.code >= 400"');
    this.accessLogging.push({ ...options, providers: options.providers ? [...options.providers] : undefined });
  }

  /**
   * Adds metrics settings.
   *
   * @param options the metrics providers and per-metric overrides (tags, disabling)
   */
  public addMetrics(options: TelemetryMetricsOptions): void {
    if (options.reportingInterval !== undefined) _renderDuration('reportingInterval', options.reportingInterval);
    const providers = checkMetricsProviders(options.providers);
    for (const o of options.overrides ?? []) {
      const seen = new Set<string>();
      for (const t of o.tagOverrides ?? []) {
        if (seen.has(t.tag)) throw _invalid('tagOverrides', t.tag, 'the tag is overridden twice in one override', 'keep one');
        seen.add(t.tag);
      }
    }
    this.metrics.push({ ...options, providers });
  }

  /** @internal */
  public _toIstio(): tel.TelemetrySpec {
    // TelemetryMode and MetricName have the values of the generated enums
    const mode = <E>(m?: TelemetryMode) => (m === undefined ? undefined : { mode: m as string as E });
    return {
      selector: this.selector ? { matchLabels: this.selector.toSelectorLabels() } : undefined,
      targetRefs: this.targetRefs.length > 0 ? this.targetRefs.map((t) => ({ group: t.group, kind: t.kind, name: t.name })) : undefined,
      tracing: this.tracing.length === 0 ? undefined : this.tracing.map((t) => ({
        providers: t.providers?.map((p) => ({ name: p.name })),
        randomSamplingPercentage: t.samplingPercent,
        customTags: t.customTags && t.customTags.length > 0 ? sortedTags(t.customTags) : undefined,
        match: mode<tel.TelemetrySpecTracingMatchMode>(t.mode),
        disableSpanReporting: t.disableSpanReporting,
      })),
      accessLogging: this.accessLogging.length === 0 ? undefined : this.accessLogging.map((a) => ({
        providers: a.providers?.map((p) => ({ name: p.name })),
        filter: a.filter !== undefined ? { expression: a.filter } : undefined,
        disabled: a.disabled,
        match: mode<tel.TelemetrySpecAccessLoggingMatchMode>(a.mode),
      })),
      metrics: this.metrics.length === 0 ? undefined : this.metrics.map((m) => ({
        providers: m.providers?.map((p) => ({ name: p.name })),
        overrides: m.overrides?.map((o) => ({
          match: o.metric === undefined && o.mode === undefined ? undefined : {
            metric: o.metric as string | undefined as tel.TelemetrySpecMetricsOverridesMatchMetric | undefined,
            mode: o.mode as string | undefined as tel.TelemetrySpecMetricsOverridesMatchMode | undefined,
          },
          disabled: o.disabled,
          tagOverrides: o.tagOverrides && o.tagOverrides.length > 0 ? sortedTagOverrides(o.tagOverrides) : undefined,
        })),
        reportingInterval: m.reportingInterval ? _renderDuration('reportingInterval', m.reportingInterval) : undefined,
      })),
    };
  }

  private validateProviders(): string[] {
    const errors: string[] = [];
    const check = (kind: string, name: string, json: string) => {
      const declared = MeshConfigFragment._lookup(this, name);
      if (declared === undefined) {
        errors.push(_invalid(`${kind} provider of Telemetry '${this.node.path}'`, name,
          'no MeshConfigFragment of this app declares it, and Istio silently sends nothing to an undeclared provider',
          `declare it: new MeshConfigFragment(scope, 'mesh-config', { ${kind}Providers: [provider] }) (or fragment.add${kind === 'tracing' ? 'Tracing' : kind === 'metrics' ? 'Metrics' : 'AccessLog'}Provider(provider)), and install the fragment`).message);
      } else if (declared !== json) {
        errors.push(_invalid(`${kind} provider of Telemetry '${this.node.path}'`, name,
          `the app declares a different provider under this name (${declared})`, 'reference the declared provider object').message);
      }
    };
    for (const t of this.tracing) {
      for (const p of t.providers ?? []) check('tracing', p.name, JSON.stringify(p._toExtensionProvider()));
    }
    for (const a of this.accessLogging) {
      for (const p of a.providers ?? []) {
        if (!p.builtIn) check('accessLog', p.name, JSON.stringify(p._toExtensionProvider()));
      }
    }
    for (const m of this.metrics) {
      for (const p of m.providers ?? []) {
        if (!p.builtIn) check('metrics', p.name, JSON.stringify(p._toExtensionProvider()));
      }
    }
    return errors;
  }
}

/**
 * The metrics providers as given, checked for JavaScript callers (a plain string or object would otherwise
 * render as a provider without a name, or be dropped).
 */
function checkMetricsProviders(providers: MetricsProvider[] | undefined): MetricsProvider[] | undefined {
  if (providers === undefined) return undefined;
  if (!Array.isArray(providers)) {
    throw _invalid('metrics.providers', providers, 'it must be a list of MetricsProvider', 'pass e.g. [MetricsProvider.PROMETHEUS]');
  }
  for (const p of providers) {
    if (!(p instanceof MetricsProvider)) {
      throw _invalid('metrics.providers', p, 'it is not a MetricsProvider', 'use MetricsProvider.PROMETHEUS or MetricsProvider.prometheus({ name })');
    }
  }
  if (new Set(providers.map((p) => p.name)).size !== providers.length) {
    throw _invalid('metrics.providers', providers.map((p) => p.name), 'a provider is listed twice', 'list each provider once');
  }
  return [...providers];
}

function sortedTags(tags: TracingCustomTag[]): { [key: string]: tel.TelemetrySpecTracingCustomTags } {
  const out: { [key: string]: tel.TelemetrySpecTracingCustomTags } = {};
  for (const t of [...tags].sort((a, b) => (a.tag < b.tag ? -1 : 1))) out[t.tag] = t._toIstio();
  return out;
}

function sortedTagOverrides(tags: MetricTagOverride[]): { [key: string]: tel.TelemetrySpecMetricsOverridesTagOverrides } {
  const out: { [key: string]: tel.TelemetrySpecMetricsOverridesTagOverrides } = {};
  for (const t of [...tags].sort((a, b) => (a.tag < b.tag ? -1 : 1))) out[t.tag] = t._toIstio();
  return out;
}
