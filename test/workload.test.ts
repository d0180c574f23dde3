import { Chart, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { MeshWorkload } from '../src';

describe('MeshWorkload', () => {
  test('fromWorkload selects the pods by the workload matchLabels and knows its identity', () => {
    // GIVEN
    const chart = new Chart(Testing.app(), 'shop', { namespace: 'shop' });
    const sa = new kplus.ServiceAccount(chart, 'sa', { metadata: { name: 'frontend' } });
    const d = new kplus.Deployment(chart, 'frontend', { serviceAccount: sa, containers: [{ image: 'nginx:1.27' }] });
    // WHEN
    const w = MeshWorkload.fromWorkload(d);
    // THEN
    expect(w.toSelectorLabels()).toEqual(d.matchLabels);
    expect(w.workloadNamespace).toEqual('shop');
    expect(w.workloadIdentity!.toMeshIdentityConfig().principals).toEqual(['cluster.local/ns/shop/sa/frontend']);
    expect(w.workloadKey).toEqual(d.name);
  });

  test('fromWorkload reads labels at synth time, so later select() calls are seen', () => {
    // GIVEN
    const chart = Testing.chart();
    const d = new kplus.Deployment(chart, 'frontend', { select: false, containers: [{ image: 'nginx:1.27' }] });
    const w = MeshWorkload.fromWorkload(d);
    // WHEN
    d.select(kplus.LabelSelector.of({ labels: { app: 'frontend' } }));
    // THEN
    expect(w.toSelectorLabels()).toEqual({ app: 'frontend' });
    expect(w.workloadNamespace).toBeUndefined();
    expect(w.workloadIdentity).toBeUndefined();
  });

  test('labels() selects by labels, sorted, with namespace, identity and a derived key', () => {
    const w = MeshWorkload.labels({ version: 'v1', app: 'reviews' }, { namespace: 'bookinfo', serviceAccountName: 'bookinfo-reviews' });
    expect(Object.keys(w.toSelectorLabels())).toEqual(['app', 'version']);
    expect(w.workloadKey).toEqual('reviews');
    expect(w.workloadNamespace).toEqual('bookinfo');
    expect(w.workloadIdentity!.toMeshIdentityConfig().principals).toEqual(['cluster.local/ns/bookinfo/sa/bookinfo-reviews']);
    expect(MeshWorkload.labels({ tier: 'db' }).workloadKey).toEqual('tier-db');
    expect(MeshWorkload.labels({ tier: 'db' }, { key: 'database' }).workloadKey).toEqual('database');
  });

  test('labels() copies the map: later mutation of the caller object does not leak in', () => {
    const labels: { [k: string]: string } = { app: 'reviews' };
    const w = MeshWorkload.labels(labels);
    labels.app = 'ratings';
    expect(w.toSelectorLabels()).toEqual({ app: 'reviews' });
  });

  test('fails on an empty selector', () => {
    expect(() => MeshWorkload.labels({}))
      .toThrow('Invalid labels {}: an empty selector matches every pod of the namespace. Fix: give at least one label, e.g. { app: "catalog" }; for namespace-wide policy leave the selector out instead');
  });

  test('fails on an invalid label key', () => {
    expect(() => MeshWorkload.labels({ 'bad key': 'x' })).toThrow('Invalid labels key "bad key": it is not a valid label name');
    expect(() => MeshWorkload.labels({ 'Bad_Prefix/app': 'x' })).toThrow('Invalid labels key "Bad_Prefix/app": its prefix is not a DNS subdomain');
  });

  test('fails on an invalid label value', () => {
    expect(() => MeshWorkload.labels({ version: '1.2.0+build' }))
      .toThrow('Invalid labels["version"] "1.2.0+build": it is not a valid label value (at most 63 alphanumerics, "-", "_", "."). Fix: use a value such as "1-2-0-build"');
  });

  test('fails on a serviceAccountName without namespace', () => {
    expect(() => MeshWorkload.labels({ app: 'a' }, { serviceAccountName: 'a' }))
      .toThrow('Invalid namespace (undefined): serviceAccountName needs the workload\'s namespace. Fix: set options.namespace');
  });

  test('fails on an invalid key', () => {
    expect(() => MeshWorkload.labels({ app: 'a' }, { key: 'A B' })).toThrow('Invalid key "A B": it is not an RFC 1123 DNS label');
  });
});
