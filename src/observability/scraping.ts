import { ApiObject, Duration } from 'cdk8s';
import { Construct } from 'constructs';
import { _validateDnsLabel, _validateLabels } from '../_utils';
import { _promDuration } from './_promql';
import * as mon from '../imports/promop-monitoring.coreos.com';
import { _renderSharing } from '../validation/_render-share';

/**
 * Props of Istio's Prometheus scraping.
 */
export interface IstioMetricsScrapingProps {
  /**
   * Namespace of the PodMonitor and ServiceMonitor (they select pods in every namespace).
   *
   * @default "istio-system"
   */
  readonly namespace?: string;
  /**
   * Labels on both monitors, e.g. `{ release: 'kube-prometheus-stack' }` to match your Prometheus's
   * `podMonitorSelector` / `serviceMonitorSelector`.
   *
   * @default - Istio's documented labels (`monitoring: istio-proxies` / `istio-components`, `release: istio`)
   */
  readonly labels?: { [key: string]: string };
  /**
   * Scrape interval.
   *
   * @default Duration.seconds(15)
   */
  readonly interval?: Duration;
  /**
   * Emit the PodMonitor for the sidecars' merged metrics (`/stats/prometheus`).
   *
   * @default true
   */
  readonly sidecars?: boolean;
  /**
   * Emit the ServiceMonitor for istiod (port `http-monitoring`).
   *
   * @default true
   */
  readonly istiod?: boolean;
}

/**
 * Prometheus-operator scraping of the mesh, exactly as Istio documents it
 * (`samples/addons/extras/prometheus-operator.yaml`): a PodMonitor `envoy-stats-monitor` for the
 * Envoy sidecars (metrics merged on the `prometheus.io/port` annotation's port, pods labelled
 * `istio-prometheus-ignore` are skipped) and a ServiceMonitor `istio-component-monitor` for istiod.
 *
 * @see https://istio.io/latest/docs/ops/integrations/prometheus/#tls-settings
 * @example
 * new IstioMetricsScraping(chart, 'scraping', { labels: { release: 'kube-prometheus-stack' } });
 */
export class IstioMetricsScraping extends Construct {
  /** The sidecars' PodMonitor, if emitted. */
  public readonly podMonitor?: ApiObject;
  /** istiod's ServiceMonitor, if emitted. */
  public readonly serviceMonitor?: ApiObject;

  /**
   * Defines the PodMonitor `envoy-stats-monitor` and the ServiceMonitor `istio-component-monitor`
   * (each can be turned off).
   *
   * @param scope the parent construct (usually a Chart)
   * @param id the construct id, unique within `scope`
   * @param props the monitors' namespace (default `istio-system`) and labels, scrape `interval` (default
   * 15 s), and whether to emit the sidecar and istiod monitors (default both)
   */
  constructor(scope: Construct, id: string, props: IstioMetricsScrapingProps = {}) {
    super(scope, id);
    const namespace = _validateDnsLabel('namespace', props.namespace ?? 'istio-system');
    if (props.labels) _validateLabels('labels', props.labels);
    const interval = _promDuration('interval', props.interval ?? Duration.seconds(15));
    const action = mon.PodMonitorSpecPodMetricsEndpointsRelabelingsAction;

    if (props.sidecars ?? true) {
      this.podMonitor = new (_renderSharing(mon.PodMonitor, false))(this, 'Sidecars', {
        metadata: { name: 'envoy-stats-monitor', namespace, labels: props.labels ?? { monitoring: 'istio-proxies', release: 'istio' } },
        spec: {
          selector: { matchExpressions: [{ key: 'istio-prometheus-ignore', operator: 'DoesNotExist' }] },
          namespaceSelector: { any: true },
          jobLabel: 'envoy-stats',
          podMetricsEndpoints: [{
            path: '/stats/prometheus',
            interval,
            relabelings: [
              { action: action.KEEP, sourceLabels: ['__meta_kubernetes_pod_container_name'], regex: 'istio-proxy' },
              { action: action.KEEP, sourceLabels: ['__meta_kubernetes_pod_annotationpresent_prometheus_io_scrape'] },
              {
                action: action.REPLACE,
                sourceLabels: ['__address__', '__meta_kubernetes_pod_annotation_prometheus_io_port'],
                regex: '([^:]+)(?::\\d+)?;(\\d+)',
                replacement: '$1:$2',
                targetLabel: '__address__',
              },
              { action: action.LABELDROP, regex: '__meta_kubernetes_pod_label_(.+)' },
              { action: action.REPLACE, sourceLabels: ['__meta_kubernetes_namespace'], targetLabel: 'namespace' },
              { action: action.REPLACE, sourceLabels: ['__meta_kubernetes_pod_name'], targetLabel: 'pod_name' },
            ],
          }],
        },
      });
    }
    if (props.istiod ?? true) {
      this.serviceMonitor = new (_renderSharing(mon.ServiceMonitor, false))(this, 'Istiod', {
        metadata: { name: 'istio-component-monitor', namespace, labels: props.labels ?? { monitoring: 'istio-components', release: 'istio' } },
        spec: {
          jobLabel: 'istio',
          targetLabels: ['app'],
          selector: { matchExpressions: [{ key: 'istio', operator: 'In', values: ['pilot'] }] },
          namespaceSelector: { any: true },
          endpoints: [{ port: 'http-monitoring', interval }],
        },
      });
    }
  }
}
