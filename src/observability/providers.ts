import { _invalid, _sortedRecord, _validateDnsLabel, _validateHost, _validatePort } from '../_utils';

/**
 * How the proxies send spans to Jaeger.
 */
export enum JaegerProtocol {
  /** OTLP over gRPC to the collector's port 4317 (Jaeger >= 1.35, the recommended way). */
  OTLP_GRPC = 'OTLP_GRPC',
  /** Zipkin-compatible HTTP to the collector's port 9411 (Jaeger with `COLLECTOR_ZIPKIN_HOST_PORT` set). */
  ZIPKIN = 'ZIPKIN',
}

/**
 * How the proxies send spans to an OpenTelemetry collector.
 */
export enum OtlpProtocol {
  /** OTLP over gRPC (port 4317 by convention). */
  GRPC = 'GRPC',
  /** OTLP over HTTP (port 4318 by convention). */
  HTTP = 'HTTP',
}

/**
 * Options shared by every tracing provider.
 */
export interface TracingProviderBaseOptions {
  /**
   * The in-mesh FQDN of the collector Service, e.g. `jaeger-collector.observability.svc.cluster.local`.
   *
   * @see https://istio.io/latest/docs/reference/config/istio.mesh.v1alpha1/#MeshConfig-ExtensionProvider
   */
  readonly service: string;
  /**
   * The provider's name in `meshConfig.extensionProviders`, referenced by Telemetry resources.
   *
   * @default - "jaeger", "zipkin" or "otel" by factory
   */
  readonly name?: string;
  /**
   * Maximum length of span tag values.
   *
   * @default - Istio's default (256)
   */
  readonly maxTagLength?: number;
}

/**
 * Options of a Jaeger tracing provider.
 */
export interface JaegerProviderOptions extends TracingProviderBaseOptions {
  /**
   * The protocol the proxies speak to the collector.
   *
   * @default JaegerProtocol.OTLP_GRPC
   */
  readonly protocol?: JaegerProtocol;
  /**
   * The collector port.
   *
   * @default - 4317 for OTLP_GRPC, 9411 for ZIPKIN
   */
  readonly port?: number;
}

/**
 * Options of a Zipkin tracing provider.
 */
export interface ZipkinProviderOptions extends TracingProviderBaseOptions {
  /**
   * The collector port.
   *
   * @default 9411
   */
  readonly port?: number;
}

/**
 * Options of an OpenTelemetry (OTLP) tracing provider.
 */
export interface OpenTelemetryProviderOptions extends TracingProviderBaseOptions {
  /**
   * OTLP transport.
   *
   * @default OtlpProtocol.GRPC
   */
  readonly protocol?: OtlpProtocol;
  /**
   * The collector port.
   *
   * @default - 4317 for GRPC, 4318 for HTTP
   */
  readonly port?: number;
  /**
   * The HTTP path (only with `OtlpProtocol.HTTP`).
   *
   * @default "/v1/traces"
   */
  readonly httpPath?: string;
}

function validatePort(prop: string, port: number): number {
  return _validatePort(prop, port, 'give the collector\'s port, e.g. 4317');
}

function validateService(service: string): string {
  _validateHost('service', service, false, true);
  return service;
}

function validateMaxTagLength(n: number | undefined): number | undefined {
  if (n === undefined) return undefined;
  if (!Number.isInteger(n) || n < 1) {
    throw _invalid('maxTagLength', n, 'it must be a positive integer', 'use e.g. 256 or leave it out');
  }
  return n;
}

/**
 * A tracing backend the proxies send spans to: an `extensionProviders` entry of the mesh config.
 *
 * Declare it in a `MeshConfigFragment` (or let `MeshObservability` do it) and reference it from a
 * `Telemetry`; a Telemetry that names a provider no fragment declares fails synth, because Istio would
 * silently send no spans.
 *
 * @example
 * TracingProvider.jaeger({ service: 'jaeger-collector.observability.svc.cluster.local' }); // OTLP gRPC :4317
 * TracingProvider.zipkin({ service: 'zipkin.observability.svc.cluster.local' });
 * TracingProvider.openTelemetry({ service: 'otel-collector.observability.svc.cluster.local' });
 */
export class TracingProvider {
  /**
   * Jaeger, over OTLP gRPC (4317, default) or its Zipkin-compatible endpoint (9411).
   *
   * Renders an `opentelemetry` extension provider (or `zipkin` with `JaegerProtocol.ZIPKIN`).
   *
   * @param options the collector `service` (FQDN, e.g. `jaeger-collector.observability.svc.cluster.local`),
   * protocol, port, provider name (default `jaeger`) and `maxTagLength`
   */
  public static jaeger(options: JaegerProviderOptions): TracingProvider {
    const protocol = options.protocol ?? JaegerProtocol.OTLP_GRPC;
    const name = _validateDnsLabel('name', options.name ?? 'jaeger');
    const service = validateService(options.service);
    const maxTagLength = validateMaxTagLength(options.maxTagLength);
    if (protocol === JaegerProtocol.ZIPKIN) {
      const port = validatePort('port', options.port ?? 9411);
      return new TracingProvider(name, { zipkin: { maxTagLength, port, service } });
    }
    const port = validatePort('port', options.port ?? 4317);
    return new TracingProvider(name, { opentelemetry: { maxTagLength, port, service } });
  }

  /**
   * A Zipkin collector (port 9411 by default): a `zipkin` extension provider.
   *
   * @param options the collector `service` (FQDN, e.g. `zipkin.observability.svc.cluster.local`), port,
   * provider name (default `zipkin`) and `maxTagLength`
   */
  public static zipkin(options: ZipkinProviderOptions): TracingProvider {
    const name = _validateDnsLabel('name', options.name ?? 'zipkin');
    const service = validateService(options.service);
    const port = validatePort('port', options.port ?? 9411);
    return new TracingProvider(name, { zipkin: { maxTagLength: validateMaxTagLength(options.maxTagLength), port, service } });
  }

  /**
   * An OpenTelemetry collector over OTLP (gRPC 4317 by default, or HTTP 4318).
   *
   * Renders an `opentelemetry` extension provider (with `http.path`, default `/v1/traces`, over HTTP).
   *
   * @param options the collector `service` (FQDN, e.g. `otel-collector.observability.svc.cluster.local`),
   * protocol, port, `httpPath` (HTTP only), provider name (default `otel`) and `maxTagLength`
   */
  public static openTelemetry(options: OpenTelemetryProviderOptions): TracingProvider {
    const protocol = options.protocol ?? OtlpProtocol.GRPC;
    const name = _validateDnsLabel('name', options.name ?? 'otel');
    const service = validateService(options.service);
    const maxTagLength = validateMaxTagLength(options.maxTagLength);
    if (protocol === OtlpProtocol.GRPC && options.httpPath !== undefined) {
      throw _invalid('httpPath', options.httpPath, 'a path only applies to OTLP over HTTP', 'set protocol: OtlpProtocol.HTTP or leave httpPath out');
    }
    const port = validatePort('port', options.port ?? (protocol === OtlpProtocol.HTTP ? 4318 : 4317));
    let http: { path: string } | undefined;
    if (protocol === OtlpProtocol.HTTP) {
      const path = options.httpPath ?? '/v1/traces';
      if (!path.startsWith('/')) {
        throw _invalid('httpPath', path, 'an HTTP path starts with "/"', `use "/${path}"`);
      }
      http = { path };
    }
    return new TracingProvider(name, { opentelemetry: { http, maxTagLength, port, service } });
  }

  private constructor(
    /** The provider's name in `meshConfig.extensionProviders`. */
    public readonly name: string,
    private readonly config: { [key: string]: any },
  ) {}

  /**
   * The `meshConfig.extensionProviders` entry.
   *
   * @internal
   */
  public _toExtensionProvider(): { [key: string]: any } {
    return _compact({ name: this.name, ...this.config });
  }
}

/**
 * Options of an Envoy file access log provider.
 */
export interface EnvoyFileAccessLogOptions {
  /**
   * The provider's name in `meshConfig.extensionProviders`.
   */
  readonly name: string;
  /**
   * The file the proxies write to.
   *
   * @default "/dev/stdout"
   */
  readonly path?: string;
  /**
   * A text log format using Envoy command operators, e.g. `[%START_TIME%] %REQ(:METHOD)% %RESPONSE_CODE%\n`.
   *
   * @default - Istio's default text format
   * @see https://www.envoyproxy.io/docs/envoy/latest/configuration/observability/access_log/usage#command-operators
   */
  readonly textFormat?: string;
  /**
   * JSON log lines: one key per label, valued by an Envoy command operator (e.g. `{ code: '%RESPONSE_CODE%' }`).
   * Mutually exclusive with `textFormat`.
   *
   * @default - text lines
   */
  readonly jsonLabels?: { [key: string]: string };
}

/**
 * Options of an OpenTelemetry access log provider (`envoyOtelAls`).
 */
export interface OpenTelemetryAccessLogOptions {
  /**
   * The provider's name in `meshConfig.extensionProviders`.
   */
  readonly name: string;
  /**
   * The in-mesh FQDN of the OpenTelemetry collector Service, e.g. `opentelemetry-collector.observability.svc.cluster.local`.
   */
  readonly service: string;
  /**
   * The collector's OTLP gRPC port.
   *
   * @default 4317
   */
  readonly port?: number;
  /**
   * The log name Envoy reports (the `log_name` of its gRPC access log).
   *
   * @default - Istio's default ("otel_envoy_accesslog")
   */
  readonly logName?: string;
  /**
   * A text log format using Envoy command operators (the log record's body).
   *
   * @default - Istio's default text format
   */
  readonly textFormat?: string;
  /**
   * Attributes of each log record: one key per attribute, valued by an Envoy command operator. Mutually
   * exclusive with `textFormat`.
   *
   * @default - none
   */
  readonly jsonLabels?: { [key: string]: string };
}

/** The `logFormat` of a file or OpenTelemetry access log: `text` or `labels`, not both. */
type LogFormat = { text: string } | { labels: { [key: string]: string } };

function renderLogFormat(options: { readonly textFormat?: string; readonly jsonLabels?: { [key: string]: string } }): LogFormat | undefined {
  if (options.textFormat !== undefined && options.jsonLabels !== undefined) {
    throw _invalid('textFormat', options.textFormat, 'textFormat and jsonLabels are mutually exclusive', 'give one of them');
  }
  if (options.textFormat !== undefined) return { text: options.textFormat };
  if (options.jsonLabels !== undefined) {
    if (Object.keys(options.jsonLabels).length === 0) {
      throw _invalid('jsonLabels', options.jsonLabels, 'an empty label map logs empty objects', 'give at least one label or leave jsonLabels out');
    }
    return { labels: _sortedRecord(options.jsonLabels)! };
  }
  return undefined;
}

/**
 * An access log sink: an `extensionProviders` entry of the mesh config.
 *
 * @example
 * AccessLogProvider.ENVOY;                                                 // Istio's built-in: stdout
 * AccessLogProvider.envoyFile({ name: 'json-stdout', jsonLabels: { code: '%RESPONSE_CODE%' } });
 * AccessLogProvider.openTelemetry({ name: 'otel-als', service: 'opentelemetry-collector.observability.svc.cluster.local' });
 */
export class AccessLogProvider {
  /**
   * Istio's built-in `envoy` provider (text lines to `/dev/stdout`), which needs no declaration.
   */
  public static readonly ENVOY: AccessLogProvider = new AccessLogProvider('envoy', { envoyFileAccessLog: { path: '/dev/stdout' } }, true);

  /**
   * Envoy's file access log (stdout by default), in text or JSON.
   *
   * Renders an `envoyFileAccessLog` extension provider with `path` and `logFormat` (`text` or `labels`).
   *
   * @param options the provider `name` (required, Telemetry resources reference it), the file `path`
   * (absolute, default `/dev/stdout`) and either `textFormat` or `jsonLabels` (default Istio's text format)
   */
  public static envoyFile(options: EnvoyFileAccessLogOptions): AccessLogProvider {
    const name = _validateDnsLabel('name', options.name);
    const path = options.path ?? '/dev/stdout';
    if (!path.startsWith('/')) {
      throw _invalid('path', path, 'the log file path must be absolute', 'use e.g. "/dev/stdout"');
    }
    return new AccessLogProvider(name, { envoyFileAccessLog: { logFormat: renderLogFormat(options), path } }, false);
  }

  /**
   * Envoy's OpenTelemetry access log service: the proxies send each log entry over OTLP gRPC to a collector.
   *
   * Renders an `envoyOtelAls` extension provider with `service`, `port`, `logName` and `logFormat`
   * (Istio's OpenTelemetry access-log task).
   *
   * @param options the provider `name` (required), the collector `service` (FQDN) and `port` (default 4317),
   * `logName` and either `textFormat` or `jsonLabels` (default Istio's text format)
   * @see https://istio.io/latest/docs/tasks/observability/logs/otel-provider/
   */
  public static openTelemetry(options: OpenTelemetryAccessLogOptions): AccessLogProvider {
    const name = _validateDnsLabel('name', options.name);
    const service = validateService(options.service);
    const port = validatePort('port', options.port ?? 4317);
    if (options.logName !== undefined && (typeof options.logName !== 'string' || options.logName.trim().length === 0)) {
      throw _invalid('logName', options.logName, 'the log name is empty', 'give a name such as "otel-envoy-accesslog", or leave logName out (Istio\'s default)');
    }
    return new AccessLogProvider(name, { envoyOtelAls: { logFormat: renderLogFormat(options), logName: options.logName, port, service } }, false);
  }

  private constructor(
    /** The provider's name in `meshConfig.extensionProviders`. */
    public readonly name: string,
    private readonly config: { [key: string]: any },
    /** True for Istio's built-in providers, which need no declaration. */
    public readonly builtIn: boolean,
  ) {}

  /**
   * The `meshConfig.extensionProviders` entry.
   *
   * @internal
   */
  public _toExtensionProvider(): { [key: string]: any } {
    return _compact({ name: this.name, ...this.config });
  }
}

/**
 * A metrics sink: Istio's built-in `prometheus` provider, or a Prometheus provider declared under another
 * name in the mesh config (`extensionProviders[].prometheus`). Telemetry metrics settings name it.
 *
 * @example
 * MetricsProvider.PROMETHEUS;                                // built in, needs no declaration
 * MetricsProvider.prometheus({ name: 'prometheus-tenant' }); // declared in a MeshConfigFragment
 */
export class MetricsProvider {
  /**
   * Istio's built-in `prometheus` provider (the proxies' `/stats/prometheus` endpoint), which needs no declaration.
   */
  public static readonly PROMETHEUS: MetricsProvider = new MetricsProvider('prometheus', { prometheus: {} }, true);

  /**
   * A Prometheus provider under its own name: an `extensionProviders` entry `{ name, prometheus: {} }`,
   * to be declared in a `MeshConfigFragment` (`addMetricsProvider()`).
   *
   * @param options the provider `name` (a DNS label other than the built-in `prometheus`)
   */
  public static prometheus(options: MetricsProviderOptions): MetricsProvider {
    const name = _validateDnsLabel('name', options?.name);
    if (name === 'prometheus') {
      throw _invalid('name', name, 'it is the name of Istio\'s built-in provider', 'use MetricsProvider.PROMETHEUS, or give another name');
    }
    return new MetricsProvider(name, { prometheus: {} }, false);
  }

  private constructor(
    /** The provider's name in `meshConfig.extensionProviders`. */
    public readonly name: string,
    private readonly config: { [type: string]: unknown },
    /** True for Istio's built-in provider, which needs no declaration. */
    public readonly builtIn: boolean,
  ) {}

  /**
   * The `meshConfig.extensionProviders` entry.
   *
   * @internal
   */
  public _toExtensionProvider(): _ExtensionProvider {
    return _compact({ name: this.name, ...this.config });
  }
}

/**
 * Options of a named Prometheus metrics provider.
 */
export interface MetricsProviderOptions {
  /**
   * The provider's name in `meshConfig.extensionProviders`, referenced by Telemetry metrics settings.
   */
  readonly name: string;
}

/** One `meshConfig.extensionProviders` entry: its name and one provider-type key. @internal */
export interface _ExtensionProvider {
  readonly name: string;
  readonly [type: string]: unknown;
}

/** Drops undefined values, recursively. @internal */
export function _compact(value: any): any {
  if (Array.isArray(value)) return value.map(_compact);
  if (value && typeof value === 'object') {
    const out: any = {};
    for (const [k, v] of Object.entries(value)) {
      if (v !== undefined) out[k] = _compact(v);
    }
    return out;
  }
  return value;
}
