import { Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { _validateDnsLabel } from '../_utils';
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
  public readonly deployment: kplus.Deployment;
  /** The collector Service (`jaeger-collector`). */
  public readonly collectorService: kplus.Service;
  /** The UI Service (`tracing`, port 80). */
  public readonly queryService: kplus.Service;
  /** A tracing provider sending OTLP gRPC to the collector. */
  public readonly provider: TracingProvider;

  constructor(scope: Construct, id: string, props: JaegerAllInOneProps = {}) {
    super(scope, id);
    const namespace = _validateDnsLabel('namespace', props.namespace ?? 'observability');
    this.deployment = new kplus.Deployment(this, 'Deployment', {
      metadata: { name: 'jaeger', namespace },
      replicas: 1,
      containers: [{
        name: 'jaeger',
        image: props.image ?? 'docker.io/jaegertracing/jaeger:2.17.0',
        imagePullPolicy: kplus.ImagePullPolicy.IF_NOT_PRESENT,
        // small enough for a laptop cluster; in-memory storage grows with traces kept
        resources: {
          cpu: { request: kplus.Cpu.millis(10), limit: kplus.Cpu.millis(1000) },
          memory: { request: Size.mebibytes(128), limit: Size.gibibytes(1) },
        },
        ports: [
          { number: 4317, name: 'grpc-otlp' },
          { number: 4318, name: 'http-otlp' },
          { number: 9411, name: 'http-zipkin' },
          { number: 16686, name: 'http-query' },
          { number: 13133, name: 'http-health' },
        ],
        readiness: kplus.Probe.fromHttpGet('/status', { port: 13133 }),
        liveness: kplus.Probe.fromHttpGet('/status', { port: 13133 }),
        volumeMounts: [{ path: '/tmp', volume: kplus.Volume.fromEmptyDir(this, 'Tmp', 'tmp') }],
      }],
    });
    this.deployment.podMetadata.addLabel('sidecar.istio.io/inject', 'false');
    this.collectorService = new kplus.Service(this, 'Collector', {
      metadata: { name: 'jaeger-collector', namespace },
      selector: this.deployment,
      ports: [
        { name: 'grpc-otlp', port: 4317, targetPort: 4317 },
        { name: 'http-otlp', port: 4318, targetPort: 4318 },
        { name: 'http-zipkin', port: 9411, targetPort: 9411 },
      ],
    });
    this.queryService = new kplus.Service(this, 'Query', {
      metadata: { name: 'tracing', namespace },
      selector: this.deployment,
      ports: [{ name: 'http-query', port: 80, targetPort: 16686 }],
    });
    this.provider = TracingProvider.jaeger({ service: `jaeger-collector.${namespace}.svc.cluster.local` });
  }
}
