import { EnrolmentMode, MeshEnrolment, WaypointTrafficType } from '../src';

describe('MeshEnrolment', () => {
  test('renders exactly one enrolment mode as namespace labels', () => {
    expect(MeshEnrolment.sidecarInjection().toLabels()).toEqual({ 'istio-injection': 'enabled' });
    expect(MeshEnrolment.revision('1-30-3').toLabels()).toEqual({ 'istio.io/rev': '1-30-3' });
    expect(MeshEnrolment.ambient().toLabels()).toEqual({ 'istio.io/dataplane-mode': 'ambient' });
    expect(MeshEnrolment.ambient({ waypoint: true }).toLabels()).toEqual({ 'istio.io/dataplane-mode': 'ambient', 'istio.io/use-waypoint': 'waypoint' });
  });

  test('exposes mode, revision and waypoint', () => {
    const ambient = MeshEnrolment.ambient({ waypoint: true, waypointName: 'wp', waypointTrafficType: WaypointTrafficType.WORKLOAD });
    expect([ambient.mode, ambient.isAmbient, ambient.hasWaypoint, ambient.waypointName, ambient.waypointTrafficType])
      .toEqual([EnrolmentMode.AMBIENT, true, true, 'wp', WaypointTrafficType.WORKLOAD]);
    expect(MeshEnrolment.revision('stable').revisionName).toEqual('stable');
    expect([MeshEnrolment.sidecarInjection(), MeshEnrolment.revision('canary'), MeshEnrolment.ambient(), ambient].map(String))
      .toEqual(['sidecar injection', 'revision canary', 'ambient', 'ambient (waypoint "wp")']);
  });

  test('fails an invalid revision or waypoint name', () => {
    expect(() => MeshEnrolment.revision('1.30/3')).toThrow(/Invalid revision\["istio.io\/rev"\] "1.30\/3": it is not a valid label value/);
    expect(() => MeshEnrolment.ambient({ waypoint: true, waypointName: 'Way_Point' })).toThrow(/Invalid waypointName "Way_Point"/);
  });
});
