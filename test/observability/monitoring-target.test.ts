import { Chart, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { MonitoringTarget, ServiceHost } from '../../src';

describe('MonitoringTarget', () => {
  test('service, fromService, fromHost', () => {
    expect(MonitoringTarget.inNamespace('shop', 'catalog').toMonitoringTarget()).toEqual({ serviceName: 'catalog', namespace: 'shop' });
    const chart = new Chart(Testing.app(), 'c', { namespace: 'shop' });
    const dep = new kplus.Deployment(chart, 'd', { containers: [{ image: 'x', portNumber: 8080 }] });
    const svc = dep.exposeViaService({ name: 'frontend', ports: [{ port: 8080 }] });
    expect(MonitoringTarget.fromService(svc).toMonitoringTarget()).toEqual({ serviceName: 'frontend', namespace: 'shop' });
    expect(MonitoringTarget.fromHost(ServiceHost.inNamespace('bookinfo', 'reviews')).toMonitoringTarget()).toEqual({ serviceName: 'reviews', namespace: 'bookinfo' });
  });

  test('canary: stable weight is the rest', () => {
    expect(MonitoringTarget.canary({ serviceName: 'catalog', namespace: 'shop', stableVersion: 'v1', canaryVersion: 'v2', canaryWeight: 10 }).toMonitoringTarget())
      .toEqual({ serviceName: 'catalog', namespace: 'shop', canary: { stableVersion: 'v1', canaryVersion: 'v2', stableWeight: 90, canaryWeight: 10 } });
  });

  test('fails on an external host, a Service without namespace, bad names or weights', () => {
    expect(() => MonitoringTarget.fromHost(ServiceHost.external('api.stripe.com'))).toThrow('Invalid host "api.stripe.com": an external host is not a Service of this cluster');
    const chart = Testing.chart();
    const dep = new kplus.Deployment(chart, 'd', { containers: [{ image: 'x', portNumber: 8080 }] });
    const svc = dep.exposeViaService({ name: 'frontend', ports: [{ port: 8080 }] });
    expect(() => MonitoringTarget.fromService(svc)).toThrow(/it has no namespace, so its metrics cannot be selected/);
    expect(() => MonitoringTarget.inNamespace('shop', 'Catalog')).toThrow('Invalid name "Catalog"');
    expect(() => MonitoringTarget.canary({ serviceName: 'c', namespace: 's', stableVersion: 'v1', canaryVersion: 'v2', canaryWeight: 110 }))
      .toThrow('Invalid canaryWeight 110: a weight is between 0 and 100');
  });
});
