import { ApiObject, ApiObjectMetadata, Duration } from 'cdk8s';
import { Construct } from 'constructs';
import { IstioResource } from '../base';
import { DURATION_BUCKET, DURATION_COUNT, REQUESTS, _promDuration } from './_promql';
import * as mon from '../imports/promop-monitoring.coreos.com';
import { _renderSharing } from '../validation/_render-share';

/**
 * Props of Istio's recording rules.
 */
export interface IstioRecordingRulesProps {
  /**
   * Metadata of the PrometheusRule.
   *
   * @default - name "istio-recording-rules" in "istio-system"
   */
  readonly metadata?: ApiObjectMetadata;
  /**
   * The rate window of every recorded series.
   *
   * @default Duration.minutes(5)
   */
  readonly window?: Duration;
}

const SERVICE = ['reporter', 'destination_service_namespace', 'destination_service_name'];

/**
 * Recording rules that pre-aggregate `istio_requests_total` and `istio_request_duration_milliseconds`
 * per service and version (dropping pod-level labels), for cheap dashboards and long retention.
 *
 * Recorded series (window 5m by default):
 * `namespace_service_version:istio_requests:rate5m` (by response code),
 * `namespace_service_source:istio_requests:rate5m` (by source workload),
 * `namespace_service_version:istio_request_duration_milliseconds_bucket:rate5m` (by `le`) and
 * `namespace_service_version:istio_request_duration_milliseconds_count:rate5m`.
 *
 * @example
 * new IstioRecordingRules(chart, 'recording-rules');
 */
export class IstioRecordingRules extends Construct {
  /** The PrometheusRule. */
  public readonly apiObject: ApiObject;

  /**
   * Defines the PrometheusRule (default `istio-recording-rules` in `istio-system`) with one group,
   * `istio.recording-rules`, of four recording rules.
   *
   * @param scope the parent construct (usually a Chart)
   * @param id the construct id, unique within `scope`
   * @param props the PrometheusRule's metadata (labels to match your Prometheus's `ruleSelector`) and the
   * rate `window` (default 5 minutes, which also names the series, e.g. `...:rate5m`)
   */
  constructor(scope: Construct, id: string, props: IstioRecordingRulesProps = {}) {
    super(scope, id);
    IstioResource._validateMetadata(props.metadata);
    const w = _promDuration('window', props.window ?? Duration.minutes(5));
    const by = (extra: string[]) => [...SERVICE, ...extra].join(', ');
    const rules = [
      { record: `namespace_service_version:istio_requests:rate${w}`, expr: `sum by (${by(['destination_version', 'response_code'])}) (rate(${REQUESTS}[${w}]))` },
      {
        record: `namespace_service_source:istio_requests:rate${w}`,
        expr: `sum by (${by(['source_workload_namespace', 'source_workload', 'response_code'])}) (rate(${REQUESTS}[${w}]))`,
      },
      {
        record: `namespace_service_version:istio_request_duration_milliseconds_bucket:rate${w}`,
        expr: `sum by (${by(['destination_version', 'le'])}) (rate(${DURATION_BUCKET}[${w}]))`,
      },
      {
        record: `namespace_service_version:istio_request_duration_milliseconds_count:rate${w}`,
        expr: `sum by (${by(['destination_version'])}) (rate(${DURATION_COUNT}[${w}]))`,
      },
    ];
    // Prometheus JSON as it is (sorted keys), without the generated per-field converter
    this.apiObject = new (_renderSharing(mon.PrometheusRule, true))(this, 'Resource', {
      metadata: { name: 'istio-recording-rules', namespace: 'istio-system', ...props.metadata },
      spec: {
        groups: [{
          name: 'istio.recording-rules',
          rules: rules.map((r): any => ({ record: r.record, expr: r.expr })),
        }],
      },
    });
    this.node.defaultChild = this.apiObject;
  }
}
