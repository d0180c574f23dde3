/**
 * Which proxy reports a service's request metrics, from the data plane of its namespace: sidecars report
 * `istio_requests_total` with `reporter="destination"` (server side); in ambient mode the waypoint reports
 * them with `reporter="waypoint"` (istiod sets the stats filter's reporter to SERVER_GATEWAY on waypoints,
 * pilot/pkg/model/telemetry.go), and ztunnel reports only L4 metrics (`istio_tcp_*`, `reporter="destination"`;
 * tests/integration/ambient/baseline_test.go of Istio 1.30.3 queries both). Internal: the alerts and
 * dashboards ask here.
 */
import { IConstruct } from 'constructs';
import { _invalid } from '../_utils';
import { SecureNamespace } from '../patterns/secure-namespace';
import { WaypointTrafficType } from '../waypoint';
import type { MetricsReporter } from './service-alerts';

const DESTINATION = 'destination' as MetricsReporter;
const WAYPOINT = 'waypoint' as MetricsReporter;

/**
 * The reporter for the request metrics of `service.namespace`: `explicit` when given (checked against the
 * namespace's data plane when the app defines its SecureNamespace), else derived from that SecureNamespace,
 * else `destination`. Checked again at synth, so a SecureNamespace defined after the monitoring is noticed.
 * @internal
 */
export function _reporterFor(scope: IConstruct, service: string, namespace: string, explicit: MetricsReporter | undefined): MetricsReporter {
  const used = resolve(scope, service, namespace, explicit);
  scope.node.addValidation({
    validate: () => {
      let now: MetricsReporter;
      try {
        now = resolve(scope, service, namespace, explicit);
      } catch (e) {
        return [(e as Error).message];
      }
      return now === used ? [] : [_invalid('reporter', used, `namespace ${namespace} turned out to report with reporter="${now}" (its SecureNamespace was defined after the monitoring)`,
        `define the SecureNamespace of "${namespace}" before monitoring its services, or pass reporter: MetricsReporter.${now.toUpperCase()}`).message];
    },
  });
  return used;
}

function resolve(scope: IConstruct, service: string, namespace: string, explicit: MetricsReporter | undefined): MetricsReporter {
  const ns = SecureNamespace._lookup(scope, namespace);
  if (!ns) return explicit ?? DESTINATION;
  if (!ns.enrolment.isAmbient) {
    if (explicit === WAYPOINT) {
      throw _invalid('reporter', explicit, `namespace ${namespace} runs sidecars (${ns.enrolment}), which report as "destination" (server side) or "source"; no waypoint reports its metrics`,
        'drop `reporter` (derived from the namespace), or use MetricsReporter.DESTINATION');
    }
    return explicit ?? DESTINATION;
  }
  const trafficType = ns.waypoint?.trafficType;
  if (trafficType !== WaypointTrafficType.SERVICE && trafficType !== WaypointTrafficType.ALL) {
    throw _invalid('target', `${service}.${namespace}`, `namespace ${namespace} is ambient without a waypoint for service traffic: ztunnel reports only L4 metrics `
      + '(istio_tcp_*), no istio_requests_total or request durations, so request-based alerts and dashboards would stay empty',
    `enrol ${namespace} with MeshEnrolment.ambient({ waypoint: true }) (the waypoint reports L7 metrics with reporter="waypoint"), or do not monitor ${service} here`);
  }
  if (explicit !== undefined && explicit !== WAYPOINT) {
    throw _invalid('reporter', explicit, `namespace ${namespace} is ambient: its request metrics are reported by the waypoint (reporter="waypoint"), `
      + (explicit === 'source' ? 'and there is no client-side proxy' : 'and ztunnel reports only L4 metrics'),
    'drop `reporter` (derived from the namespace), or use MetricsReporter.WAYPOINT');
  }
  return WAYPOINT;
}
