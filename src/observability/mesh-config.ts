import { ApiObject, Lazy } from 'cdk8s';
import { Construct, IConstruct } from 'constructs';
import * as YAML from 'yaml';
import { _invalid, _validateDnsLabel, _validateDnsSubdomain } from '../_utils';
import { AccessLogProvider, TracingProvider } from './providers';
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
}

const REGISTRY = new WeakMap<IConstruct, Map<string, Declared>>();

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
   * The `istio` ConfigMap, when `emitConfigMap` is set.
   */
  public readonly configMap?: ApiObject;

  private readonly tracing = new Map<string, TracingProvider>();
  private readonly accessLogs = new Map<string, AccessLogProvider>();
  private readonly defaultTracing = new Set<string>();
  private readonly defaultAccessLogs = new Set<string>();

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
    for (const p of props.tracingProviders ?? []) this.addTracingProvider(p);
    for (const p of props.accessLogProviders ?? []) this.addAccessLogProvider(p);
    for (const p of props.defaultTracingProviders ?? []) this.addTracingProvider(p, true);
    for (const p of props.defaultAccessLogProviders ?? []) this.addAccessLogProvider(p, true);

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
   * The mesh-config fragment: `{ extensionProviders, defaultProviders }` (providers sorted by name).
   */
  public toMeshConfig(): any {
    const providers = [...this.tracing.values(), ...this.accessLogs.values()]
      .map((p) => p._toExtensionProvider())
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    const out: any = {};
    const defaults: any = {};
    if (this.defaultAccessLogs.size > 0) defaults.accessLogging = [...this.defaultAccessLogs].sort();
    if (this.defaultTracing.size > 0) defaults.tracing = [...this.defaultTracing].sort();
    if (Object.keys(defaults).length > 0) out.defaultProviders = defaults;
    if (providers.length > 0) out.extensionProviders = providers;
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
    if (!existing) registry.set(name, { json, path: this.node.path });
  }
}
