import { ApiObject, Names } from 'cdk8s';
import { Construct } from 'constructs';
import { _serviceFqdn } from '../_naming';
import { _validateDnsLabel } from '../_utils';
import { _CONTAINER_SECURITY, _clusterIpServiceSpec, _plainDeployment } from '../_workloads';
import { TracingProvider } from './providers';

/**
 * Props of a development Jaeger.
 */
export interface JaegerAllInOneProps {
  /**
   * Namespace of the Deployment and Services.
   *
   * @default "observability"
   */
  readonly namespace?: string;
  /**
   * The Jaeger v2 image (all-in-one by default: in-memory storage, OTLP and Zipkin receivers, UI).
   *
   * @default "docker.io/jaegertracing/jaeger:2.17.0"
   */
  readonly image?: string;
}

/**
 * A single-pod Jaeger for development clusters (in-memory storage: traces are lost on restart), with
 * the collector Service `jaeger-collector` (OTLP gRPC 4317, OTLP HTTP 4318, Zipkin 9411) and the UI
 * Service `tracing` (port 80). The pod stays out of the mesh, as in Istio's samples. Not for production.
 *
 * `provider` is the matching `TracingProvider`.
 *
 * @example
 * const jaeger = new JaegerAllInOne(chart, 'jaeger');
 * new MeshObservability(chart, 'obs', { tracing: jaeger.provider, samplingPercent: 100 });
 */
export class JaegerAllInOne extends Construct {
  /** The Jaeger Deployment. */
  public readonly deployment: ApiObject;
  /** The collector Service (`jaeger-collector`). */
  public readonly collectorService: ApiObject;
  /** The UI Service (`tracing`, port 80). */
  public readonly queryService: ApiObject;
  /** A tracing provider sending OTLP gRPC to the collector. */
  public readonly provider: TracingProvider;

  /**
   * Creates the Jaeger Deployment and its collector and UI Services.
   *
   * @param scope the parent construct (usually a Chart)
   * @param id the construct id, unique within `scope`
   * @param props namespace and image
   */
  constructor(scope: Construct, id: string, props: JaegerAllInOneProps = {}) {
    super(scope, id);
    const namespace = _validateDnsLabel('namespace', props.namespace ?? 'observability');
    this.deployment = jaegerDeployment(this, namespace, props.image ?? 'docker.io/jaegertracing/jaeger:2.17.0');
    // the pods are selected by the label derived from the Deployment's construct path (as cdk8s-plus does)
    const selector = { 'cdk8s.io/metadata.addr': Names.toLabelValue(this.deployment) };
    this.collectorService = clusterIpService(this, 'Collector', { name: 'jaeger-collector', namespace }, selector, [
      { name: 'grpc-otlp', port: 4317, targetPort: 4317 },
      { name: 'http-otlp', port: 4318, targetPort: 4318 },
      { name: 'http-zipkin', port: 9411, targetPort: 9411 },
    ]);
    this.queryService = clusterIpService(this, 'Query', { name: 'tracing', namespace }, selector, [{ name: 'http-query', port: 80, targetPort: 16686 }]);
    this.provider = TracingProvider.jaeger({ service: _serviceFqdn('jaeger-collector', namespace) });
  }
}

/**
 * The Jaeger Deployment, with the secure defaults cdk8s-plus would give it (non-root, read-only root
 * filesystem with an emptyDir for /tmp, no privilege escalation, no service account token, requests and
 * limits) and out of the mesh (`sidecar.istio.io/inject: "false"`). A plain object, so the library needs
 * no cdk8s-plus at run time.
 */
function jaegerDeployment(scope: Construct, namespace: string, image: string): ApiObject {
  const probe = { failureThreshold: 3, httpGet: { path: '/status', port: 13133, scheme: 'HTTP' } };
  return _plainDeployment(scope, 'Deployment', {
    metadata: { name: 'jaeger', namespace },
    replicas: 1,
    podLabels: { 'sidecar.istio.io/inject': 'false' },
    containers: [{
      image,
      imagePullPolicy: 'IfNotPresent',
      livenessProbe: probe,
      name: 'jaeger',
      ports: [
        { containerPort: 4317, name: 'grpc-otlp' },
        { containerPort: 4318, name: 'http-otlp' },
        { containerPort: 9411, name: 'http-zipkin' },
        { containerPort: 16686, name: 'http-query' },
        { containerPort: 13133, name: 'http-health' },
      ],
      readinessProbe: probe,
      // small enough for a laptop cluster; in-memory storage grows with traces kept
      resources: { limits: { cpu: '1000m', memory: '1024Mi' }, requests: { cpu: '10m', memory: '128Mi' } },
      securityContext: _CONTAINER_SECURITY,
      volumeMounts: [{ mountPath: '/tmp', name: 'tmp' }],
    }],
    volumes: [{ emptyDir: {}, name: 'tmp' }],
  });
}

/** A ClusterIP Service selecting `selector`, rendered as cdk8s-plus renders one. */
function clusterIpService(scope: Construct, id: string, metadata: { name: string; namespace: string },
  selector: { [key: string]: string }, ports: Array<{ name: string; port: number; targetPort: number }>): ApiObject {
  return new ApiObject(scope, id, {
    apiVersion: 'v1',
    kind: 'Service',
    metadata,
    spec: _clusterIpServiceSpec(ports, { ...selector }),
  });
}
