import { ApiObject, Chart, Lazy } from 'cdk8s';
import { Construct, IConstruct } from 'constructs';
import * as YAML from 'yaml';
import { _invalid, _validateDnsLabel, _validateDnsSubdomain } from '../_utils';
import { AccessLogProvider, MetricsProvider, TracingProvider } from './providers';
import { ExtAuthzProvider } from '../ext-authz';
import { OutboundTrafficMode } from '../sidecar';
import { MeshValidation } from '../validation/mesh-validation';

/**
 * Props of a mesh-config fragment.
 */
export interface MeshConfigFragmentProps {
  /**
   * Tracing providers to declare in `extensionProviders`.
   *
   * @default - none (add with `addTracingProvider()`)
   */
  readonly tracingProviders?: TracingProvider[];
  /**
   * Access log providers to declare in `extensionProviders` (the built-in `envoy` needs no declaration).
   *
   * @default - none (add with `addAccessLogProvider()`)
   */
  readonly accessLogProviders?: AccessLogProvider[];
  /**
   * Tracing providers used by Telemetry resources that name none (`defaultProviders.tracing`).
   * Each is declared too.
   *
   * @default - none: tracing happens only where a Telemetry names a provider
   */
  readonly defaultTracingProviders?: TracingProvider[];
  /**
   * Access log providers used by Telemetry resources that name none (`defaultProviders.accessLogging`).
   *
   * @default - none: no access logs unless a Telemetry names a provider
   */
  readonly defaultAccessLogProviders?: AccessLogProvider[];
  /**
   * Metrics providers to declare in `extensionProviders` (the built-in `prometheus` needs no declaration).
   *
   * @default - none (add with `addMetricsProvider()`)
   */
  readonly metricsProviders?: MetricsProvider[];
  /**
   * Metrics providers used by Telemetry resources that name none (`defaultProviders.metrics`). Each is declared too.
   *
   * @default - none: Istio's default (`prometheus`)
   */
  readonly defaultMetricsProviders?: MetricsProvider[];
  /**
   * External authorizers (`envoyExtAuthzHttp`, `envoyExtAuthzGrpc`) that CUSTOM AuthorizationPolicies may name.
   *
   * @default - none (add with `addExtAuthzProvider()`); a CUSTOM policy then fails synth
   */
  readonly extAuthzProviders?: ExtAuthzProvider[];
  /**
   * What sidecars do with calls to hosts outside the registry, for the whole mesh
   * (`outboundTrafficPolicy.mode`; a Sidecar resource can still override it per workload).
   *
   * @default - Istio's default (ALLOW_ANY: unknown hosts are reachable); REGISTRY_ONLY allows only Services and ServiceEntries
   */
  readonly outboundTrafficPolicy?: OutboundTrafficMode;
  /**
   * The mesh's default trace sampling, in percent (0 to 100, `defaultConfig.tracing.sampling`): used
   * wherever no Telemetry sets `samplingPercent`.
   *
   * @default - Istio's default (1%)
   */
  readonly tracingSamplingPercent?: number;
  /**
   * Also emit the fragment as the `istio` ConfigMap (key `mesh`) in `istioNamespace`.
   *
   * Only for installs this app owns: the ConfigMap replaces the whole mesh config istiod reads, so
   * an install managed by Helm or istioctl should take `toHelmValuesYaml()` instead.
   *
   * @default false
   */
  readonly emitConfigMap?: boolean;
  /**
   * Namespace of istiod (and of the `istio` ConfigMap).
   *
   * @default "istio-system"
   */
  readonly istioNamespace?: string;
  /**
   * Name of the mesh ConfigMap (`istio-<revision>` for a revisioned control plane).
   *
   * @default "istio"
   */
  readonly configMapName?: string;
}

interface Declared {
  readonly json: string;
  readonly path: string;
  /** The provider type: the key of its config (`envoyExtAuthzHttp`, `opentelemetry`, ...). */
  readonly type: string;
}

/** The outbound mode as given, checked for JavaScript callers. */
function checkOutbound(mode: OutboundTrafficMode | undefined): OutboundTrafficMode | undefined {
  if (mode !== undefined && !Object.values(OutboundTrafficMode).includes(mode)) {
    throw _invalid('outboundTrafficPolicy', mode, 'it is not an outbound traffic mode', 'use OutboundTrafficMode.REGISTRY_ONLY or ALLOW_ANY');
  }
  return mode;
}

/** The sampling percentage as Istio reads it: above 100 it silently falls back to 1%. */
function checkSampling(percent: number | undefined): number | undefined {
  if (percent !== undefined && (typeof percent !== 'number' || !Number.isFinite(percent) || percent < 0 || percent > 100)) {
    throw _invalid('tracingSamplingPercent', percent, 'a sampling percentage is between 0 and 100 (istiod replaces a larger one with 1)', 'use e.g. 10 for 10% of requests');
  }
  return percent;
}

const EXT_AUTHZ_TYPES = new Set(['envoyExtAuthzHttp', 'envoyExtAuthzGrpc']);
const REGISTRY = new WeakMap<IConstruct, Map<string, Declared>>();
/** The first MeshConfigFragment of each app (construct tree root), for `of()`. */
const FIRST = new WeakMap<IConstruct, MeshConfigFragment>();

/**
 * The `meshConfig` part that declares tracing and access-log providers (`extensionProviders`,
 * `defaultProviders`), as a value to feed to your Istio install and, optionally, as the `istio`
 * ConfigMap.
 *
 * Every provider declared here is known to the app: a `Telemetry` that references a provider no
 * fragment of the app declares fails synth.
 *
 * @example
 * const jaeger = TracingProvider.jaeger({ service: 'jaeger-collector.observability.svc.cluster.local' });
 * const mesh = new MeshConfigFragment(chart, 'mesh-config', { tracingProviders: [jaeger] });
 * // beside the manifests folder, not in it (`kubectl apply -f dist/` applies every file there)
 * fs.mkdirSync('dist-mesh', { recursive: true });
 * fs.writeFileSync('dist-mesh/istiod-values.yaml', mesh.toHelmValuesYaml());  // helm install istiod -f dist-mesh/istiod-values.yaml
 */
export class MeshConfigFragment extends Construct {
  /**
   * The declaration of `name` in the app of `scope`, as JSON, if any fragment declares it.
   *
   * @internal
   */
  public static _lookup(scope: IConstruct, name: string): string | undefined {
    return REGISTRY.get(scope.node.root)?.get(name)?.json;
  }

  /**
   * The names of the external authorizers the app of `scope` declares, sorted.
   *
   * @internal
   */
  public static _extAuthzNames(scope: IConstruct): string[] {
    const registry = REGISTRY.get(scope.node.root);
    if (!registry) return [];
    return [...registry.entries()].filter(([, d]) => EXT_AUTHZ_TYPES.has(d.type)).map(([n]) => n).sort();
  }

  /**
   * The app's mesh-config fragment: the first one the app defines, else a new one made with `props` in the
   * Chart of `scope` (construct id `MeshConfig`). Constructs built on top (a platform's own constructs)
   * declare their providers on it without passing it through their props.
   *
   * @param scope any construct of the app (the new one is created in its Chart)
   * @param props the settings used when it is created here (ignored when it exists already)
   */
  public static of(scope: IConstruct, props: MeshConfigFragmentProps = {}): MeshConfigFragment {
    return FIRST.get(scope.node.root) ?? new MeshConfigFragment(Chart.of(scope), 'MeshConfig', props);
  }

  /**
   * The `istio` ConfigMap, when `emitConfigMap` is set.
   */
  public readonly configMap?: ApiObject;

  private readonly tracing = new Map<string, TracingProvider>();
  private readonly accessLogs = new Map<string, AccessLogProvider>();
  private readonly metrics = new Map<string, MetricsProvider>();
  private readonly extAuthz = new Map<string, ExtAuthzProvider>();
  private readonly defaultTracing = new Set<string>();
  private readonly defaultAccessLogs = new Set<string>();
  private readonly defaultMetrics = new Set<string>();
  private readonly outboundTrafficPolicy?: OutboundTrafficMode;
  private readonly tracingSamplingPercent?: number;

  /**
   * Declares the given providers in the app, and with `emitConfigMap` also defines the `istio` ConfigMap
   * (key `mesh`) rendered from them at synth.
   *
   * @param scope the parent construct (usually a Chart)
   * @param id the construct id, unique within `scope`
   * @param props tracing and access-log providers (declared, and optionally made defaults), and whether
   * and where to emit the mesh ConfigMap (default: not emitted)
   */
  constructor(scope: Construct, id: string, props: MeshConfigFragmentProps = {}) {
    super(scope, id);
    if (!FIRST.has(this.node.root)) FIRST.set(this.node.root, this);
    for (const p of props.tracingProviders ?? []) this.addTracingProvider(p);
    for (const p of props.accessLogProviders ?? []) this.addAccessLogProvider(p);
    for (const p of props.defaultTracingProviders ?? []) this.addTracingProvider(p, true);
    for (const p of props.defaultAccessLogProviders ?? []) this.addAccessLogProvider(p, true);
    for (const p of props.metricsProviders ?? []) this.addMetricsProvider(p);
    for (const p of props.defaultMetricsProviders ?? []) this.addMetricsProvider(p, true);
    for (const p of props.extAuthzProviders ?? []) this.addExtAuthzProvider(p);
    this.outboundTrafficPolicy = checkOutbound(props.outboundTrafficPolicy);
    this.tracingSamplingPercent = checkSampling(props.tracingSamplingPercent);

    if (props.emitConfigMap ?? false) {
      const namespace = _validateDnsLabel('istioNamespace', props.istioNamespace ?? 'istio-system');
      const name = _validateDnsSubdomain('configMapName', props.configMapName ?? 'istio');
      this.configMap = new ApiObject(this, 'Resource', {
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name, namespace },
        data: Lazy.any({ produce: () => ({ mesh: YAML.stringify(this.toMeshConfig(), { sortMapEntries: true }) }) }),
      });
    }
  }

  /**
   * Declares a tracing provider (`asDefault` also lists it in `defaultProviders.tracing`).
   * Declaring the same provider twice is a no-op; a different provider under a taken name fails.
   *
   * @param provider the provider, rendered as one `extensionProviders` entry (e.g. `opentelemetry`,
   * `zipkin`); Telemetry resources name it in `tracing[].providers`
   * @param asDefault also use it for Telemetry resources that name no provider
   */
  public addTracingProvider(provider: TracingProvider, asDefault: boolean = false): void {
    this.declare(provider.name, provider._toExtensionProvider());
    this.tracing.set(provider.name, provider);
    MeshValidation.of(this).declareProviders([provider.name]); // MESH002: Telemetries may only name declared providers
    if (asDefault) this.defaultTracing.add(provider.name);
  }

  /**
   * Declares an access log provider (`asDefault` also lists it in `defaultProviders.accessLogging`).
   * The built-in `AccessLogProvider.ENVOY` is rendered only when it is made a default.
   *
   * @param provider the provider, rendered as one `extensionProviders` entry (`envoyFileAccessLog`),
   * unless it is the built-in `envoy`
   * @param asDefault also use it for Telemetry resources that name no provider
   */
  public addAccessLogProvider(provider: AccessLogProvider, asDefault: boolean = false): void {
    if (!provider.builtIn) {
      this.declare(provider.name, provider._toExtensionProvider());
      this.accessLogs.set(provider.name, provider);
      MeshValidation.of(this).declareProviders([provider.name]);
    }
    if (asDefault) this.defaultAccessLogs.add(provider.name);
  }

  /**
   * Declares a metrics provider (`asDefault` also lists it in `defaultProviders.metrics`).
   * The built-in `MetricsProvider.PROMETHEUS` is rendered only when it is made a default.
   *
   * @param provider the provider, rendered as one `extensionProviders` entry (`prometheus`), unless it is
   * the built-in `prometheus`
   * @param asDefault also use it for Telemetry resources that name no provider
   */
  public addMetricsProvider(provider: MetricsProvider, asDefault: boolean = false): void {
    if (!(provider instanceof MetricsProvider)) {
      throw _invalid('metricsProviders', provider, 'it is not a MetricsProvider', 'use MetricsProvider.PROMETHEUS or MetricsProvider.prometheus({ name })');
    }
    if (!provider.builtIn) {
      this.declare(provider.name, provider._toExtensionProvider());
      this.metrics.set(provider.name, provider);
      MeshValidation.of(this).declareProviders([provider.name]);
    }
    if (asDefault) this.defaultMetrics.add(provider.name);
  }

  /**
   * Declares an external authorizer, which CUSTOM AuthorizationPolicies of the app may then name.
   * Declaring the same provider twice is a no-op; a different provider under a taken name fails.
   *
   * @param provider the authorizer, rendered as one `extensionProviders` entry (`envoyExtAuthzHttp` or
   * `envoyExtAuthzGrpc`)
   */
  public addExtAuthzProvider(provider: ExtAuthzProvider): void {
    if (!(provider instanceof ExtAuthzProvider)) {
      throw _invalid('extAuthzProviders', provider, 'it is not an ExtAuthzProvider', 'use ExtAuthzProvider.http({ name, service, port }) or ExtAuthzProvider.grpc(...)');
    }
    this.declare(provider.name, provider._toExtensionProvider());
    this.extAuthz.set(provider.name, provider);
    MeshValidation.of(this).declareProviders([provider.name]); // MESH002 in the plugin and the CLI too
  }

  /**
   * The mesh-config fragment: `extensionProviders` (sorted by name), `defaultProviders`, and the mesh-wide
   * `outboundTrafficPolicy` and `defaultConfig.tracing.sampling` when set.
   */
  public toMeshConfig(): any {
    const providers = [...this.tracing.values(), ...this.accessLogs.values(), ...this.metrics.values(), ...this.extAuthz.values()]
      .map((p) => p._toExtensionProvider())
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    const out: any = {};
    const defaults: any = {};
    if (this.defaultAccessLogs.size > 0) defaults.accessLogging = [...this.defaultAccessLogs].sort();
    if (this.defaultMetrics.size > 0) defaults.metrics = [...this.defaultMetrics].sort();
    if (this.defaultTracing.size > 0) defaults.tracing = [...this.defaultTracing].sort();
    if (this.tracingSamplingPercent !== undefined) out.defaultConfig = { tracing: { sampling: this.tracingSamplingPercent } };
    if (Object.keys(defaults).length > 0) out.defaultProviders = defaults;
    if (providers.length > 0) out.extensionProviders = providers;
    if (this.outboundTrafficPolicy !== undefined) out.outboundTrafficPolicy = { mode: this.outboundTrafficPolicy };
    return out;
  }

  /**
   * Helm values for the `istiod` chart: `{ meshConfig: <fragment> }`.
   */
  public toHelmValues(): any {
    return { meshConfig: this.toMeshConfig() };
  }

  /**
   * The Helm values as YAML, for a file beside the manifests folder (not in it, where `kubectl apply -f dist/`
   * would apply it): `helm upgrade istiod istio/istiod -n istio-system --reuse-values -f dist-mesh/istiod-values.yaml`.
   */
  public toHelmValuesYaml(): string {
    return YAML.stringify(this.toHelmValues(), { sortMapEntries: true });
  }

  private declare(name: string, config: { [key: string]: any }): void {
    const root = this.node.root;
    let registry = REGISTRY.get(root);
    if (!registry) {
      registry = new Map();
      REGISTRY.set(root, registry);
    }
    const json = JSON.stringify(config);
    const existing = registry.get(name);
    if (existing && existing.json !== json) {
      throw _invalid('provider name', name, `${existing.path} already declares a different provider under this name (${existing.json})`,
        'give one of them another name (option `name`) or reuse the same provider object');
    }
    if (!existing) registry.set(name, { json, path: this.node.path, type: Object.keys(config).find((k) => k !== 'name') ?? '' });
  }
}
