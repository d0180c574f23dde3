// acme-mesh: Acme's platform constructs on top of cdk8s-istio (an example of a platform package).
//
// AcmeService is one service "the Acme way": its namespace secured (found or created with
// SecureNamespace.of, so every AcmeService of a namespace shares one SecureNamespace), a canary release,
// one allow rule per caller, an edge route and SLO monitoring. It is a jsii library: the same construct
// is usable from TypeScript, Python, Java, C# and Go.
import { ApiObject, Duration, JsonPatch } from 'cdk8s';
import {
  CanaryDeploymentSpec, CanaryService, CanaryVersion, HttpMethod, MeshGateway, MeshIdentity, SecureNamespace, ServiceMonitoring,
} from 'cdk8s-istio';
import { Construct } from 'constructs';

/**
 * A workload allowed to call an AcmeService: its namespace and service account.
 */
export interface AcmeCaller {
  /** The caller's namespace. */
  readonly namespace: string;
  /** The caller's Kubernetes service account (its mesh identity). */
  readonly serviceAccount: string;
  /**
   * The HTTP methods the caller may use.
   *
   * @default - any method
   */
  readonly methods?: HttpMethod[];
  /**
   * The paths the caller may call (exact, or a prefix ending in `*`).
   *
   * @default - any path
   */
  readonly paths?: string[];
}

/**
 * Exposure of an AcmeService on an edge gateway.
 */
export interface AcmeEdge {
  /** The edge gateway (shared by the services of the platform). */
  readonly gateway: MeshGateway;
  /** The public host, e.g. `shop.acme.example` (one of the gateway's hosts, or any host when it has none fixed). */
  readonly host: string;
  /**
   * The path prefix routed to the service.
   *
   * @default "/"
   */
  readonly pathPrefix?: string;
}

/**
 * Props of an AcmeService.
 */
export interface AcmeServiceProps {
  /** The namespace of the service: secured with a SecureNamespace (shared with the other AcmeServices there). */
  readonly namespace: string;
  /**
   * The service name (Service, Deployments `<name>-<version>`, Istio objects).
   *
   * @default - the construct id
   */
  readonly name?: string;
  /** The container image of the stable version. */
  readonly image: string;
  /**
   * The stable version label.
   *
   * @default "v1"
   */
  readonly version?: string;
  /**
   * The container image of the canary version.
   *
   * @default - no canary: the stable version gets all traffic
   */
  readonly canaryImage?: string;
  /**
   * The canary version label (with `canaryImage`).
   *
   * @default "v2"
   */
  readonly canaryVersion?: string;
  /**
   * Percent of traffic sent to the canary, an integer 0..100 (with `canaryImage`).
   *
   * @default 10
   */
  readonly canaryWeight?: number;
  /**
   * The service and container port.
   *
   * @default 8080
   */
  readonly port?: number;
  /**
   * The workloads allowed to call the service (everything else is denied by the namespace's default-deny).
   *
   * @default - no caller
   */
  readonly callers?: AcmeCaller[];
  /**
   * Exposure on an edge gateway.
   *
   * @default - not exposed at the edge
   */
  readonly edge?: AcmeEdge;
  /**
   * The success-rate objective in percent, in (0, 100).
   *
   * @default 99.9
   */
  readonly successRateSlo?: number;
  /**
   * The latency objective (a bucket boundary of `istio_request_duration_milliseconds`).
   *
   * @default Duration.millis(500)
   */
  readonly p99Latency?: Duration;
}

/**
 * A CanaryService with Acme's conventions, through CanaryService's protected extension points: every object
 * it creates carries Acme's ownership labels, and every version's pods run at least two replicas, spread
 * over zones, with their version in the environment. Names, routing and checks stay CanaryService's.
 */
export class AcmeRelease extends CanaryService {
  /** The label every object of an Acme release carries. */
  public static readonly MANAGED_BY = 'acme.io/managed-by';

  /**
   * Labels on every created object: `acme.io/managed-by: acme-mesh`, and the team from the app context
   * `acme.io/team` (set once in main.ts; the getter runs during construction, so it reads the construct tree,
   * not fields of this class).
   */
  protected get objectLabels(): { [key: string]: string } {
    const team = this.node.tryGetContext('acme.io/team');
    return { [AcmeRelease.MANAGED_BY]: 'acme-mesh', ...(typeof team === 'string' ? { 'acme.io/team': team } : {}) };
  }

  /**
   * Each version's Deployment: CanaryService's, with at least two replicas, a zone spread and `ACME_VERSION`.
   *
   * @param version the version
   * @param spec what CanaryService puts into the Deployment
   */
  protected createVersionDeployment(version: CanaryVersion, spec: CanaryDeploymentSpec): ApiObject {
    const deployment = super.createVersionDeployment(version, { ...spec, replicas: Math.max(spec.replicas, 2) });
    deployment.addJsonPatch(
      JsonPatch.add('/spec/template/spec/topologySpreadConstraints', [{
        maxSkew: 1, topologyKey: 'topology.kubernetes.io/zone', whenUnsatisfiable: 'ScheduleAnyway', labelSelector: { matchLabels: spec.labels },
      }]),
      JsonPatch.add('/spec/template/spec/containers/0/env', [{ name: 'ACME_VERSION', value: version.version }]),
    );
    return deployment;
  }
}

/**
 * One service the Acme way: a secured namespace (shared), a canary release, allow rules for its
 * callers, an optional edge route and SLO alerts plus dashboards.
 *
 * @example
 * const edge = new MeshGateway(chart, 'edge', { namespace: NamespaceRef.named('istio-ingress'), plaintext: true });
 * new AcmeService(chart, 'catalog', {
 *   namespace: 'shop',
 *   image: 'ghcr.io/acme/catalog:2.0.0',
 *   canaryImage: 'ghcr.io/acme/catalog:2.1.0',
 *   canaryWeight: 20,
 *   callers: [{ namespace: 'shop', serviceAccount: 'frontend' }],
 *   edge: { gateway: edge, host: 'shop.acme.example', pathPrefix: '/catalog' },
 * });
 */
export class AcmeService extends Construct {
  /** The namespace's SecureNamespace (the one every AcmeService of that namespace shares). */
  public readonly secureNamespace: SecureNamespace;
  /** The canary release (an AcmeRelease): Service, Deployments, DestinationRule and VirtualService. */
  public readonly canary: CanaryService;
  /** The SLO alerts and dashboards. */
  public readonly monitoring: ServiceMonitoring;

  /**
   * Defines the service and everything around it.
   *
   * @param scope the parent construct (inside a Chart)
   * @param id the construct id, unique within `scope` (the default service name)
   * @param props the namespace, images and weight, callers, edge exposure and SLOs
   */
  constructor(scope: Construct, id: string, props: AcmeServiceProps) {
    super(scope, id);
    if (!props || typeof props !== 'object') {
      throw invalid('props', props, 'AcmeService needs at least a namespace and an image',
        'pass { namespace: "shop", image: "ghcr.io/acme/catalog:2.0.0" }');
    }
    if (!props.image) {
      throw invalid('image', props.image, 'the stable version needs a container image', 'pass image: "ghcr.io/acme/<service>:<tag>"');
    }
    if (props.canaryImage === undefined && (props.canaryVersion !== undefined || props.canaryWeight !== undefined)) {
      throw invalid(props.canaryWeight !== undefined ? 'canaryWeight' : 'canaryVersion', props.canaryWeight ?? props.canaryVersion,
        'there is no canary without canaryImage', 'set canaryImage, or leave canaryVersion and canaryWeight out');
    }
    if (props.edge && !props.edge.host) {
      throw invalid('edge.host', props.edge.host, 'an edge route needs the public host', 'pass edge: { gateway, host: "shop.acme.example" }');
    }
    const name = props.name ?? id;

    // the namespace: found (another AcmeService, or the app, already secured it) or created in this Chart
    this.secureNamespace = SecureNamespace.of(this, props.namespace);

    // the release: stable, plus a canary at canaryWeight percent
    this.canary = new AcmeRelease(this, 'Release', {
      serviceName: name,
      namespace: this.secureNamespace,
      port: props.port ?? 8080,
      stable: { image: props.image, version: props.version ?? 'v1' },
      canary: props.canaryImage !== undefined ? { image: props.canaryImage, version: props.canaryVersion ?? 'v2' } : undefined,
      canaryWeight: props.canaryImage !== undefined ? (props.canaryWeight ?? 10) : undefined,
    });

    // one ALLOW rule per caller (the namespace denies everything else)
    (props.callers ?? []).forEach((caller, i) => {
      if (!caller || !caller.namespace || !caller.serviceAccount) {
        throw invalid(`callers[${i}]`, caller, 'a caller is a namespace and a service account',
          'pass { namespace: "shop", serviceAccount: "frontend" }');
      }
      const rule = this.secureNamespace.allow(MeshIdentity.of(caller.namespace, caller.serviceAccount)).to(this.canary);
      if (caller.methods && caller.methods.length > 0) rule.methods(...caller.methods);
      if (caller.paths && caller.paths.length > 0) rule.paths(...caller.paths);
    });

    // the edge: host + path prefix routed to the release (its canary weights are followed there too)
    // and the gateway's identity may call the service through the namespace's default-deny
    if (props.edge) {
      props.edge.gateway.expose(props.edge.host, this.canary, { pathPrefix: props.edge.pathPrefix ?? '/' });
      this.secureNamespace.allow(props.edge.gateway.identity).to(this.canary);
    }

    // SLO burn-rate alerts and dashboards (canary vs stable too, when there is a canary)
    this.monitoring = new ServiceMonitoring(this, 'Monitoring', {
      target: this.canary,
      successRateSlo: props.successRateSlo ?? 99.9,
      p99Latency: props.p99Latency ?? Duration.millis(500),
    });
  }
}

/** An input error in cdk8s-istio's style: the prop, its value, the problem, the fix. */
function invalid(prop: string, value: unknown, problem: string, fix: string): Error {
  let shown: string;
  try {
    shown = value === undefined ? '(undefined)' : JSON.stringify(value) ?? String(value);
  } catch {
    shown = String(value);
  }
  return new Error(`Invalid ${prop} ${shown}: ${problem}. Fix: ${fix}`);
}
