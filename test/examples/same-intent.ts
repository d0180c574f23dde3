import { App } from 'cdk8s';
import { CanaryService, CanarySubset, ExpectedDestination, MeshRouting } from '../../src';

/**
 * The route tests of the seed scenario written once, against the intent (the CanaryService and its sides),
 * so they hold for either dialect: in examples/shop the sides are subsets of catalog, in examples/ambient-shop
 * they are the per-version Services behind the HTTPRoute.
 */
export function expectSeedRouting(app: App, catalog: CanaryService): void {
  const host = 'catalog.shop.svc.cluster.local';
  const to = (side: CanarySubset, weight: number): ExpectedDestination => {
    const d = side.toMeshDestination();
    return { host: d.host, subset: d.subset, weight };
  };
  // 90/10 for ordinary requests
  MeshRouting.expectRoute(app, { host, path: '/items' }).toSplit([to(catalog.stable, 90), to(catalog.canary!, 10)]);
  // testers with the header always reach the canary
  MeshRouting.expectRoute(app, { host, path: '/items', headers: { 'x-canary': 'true' } }).toSplit([to(catalog.canary!, 100)]);
  // a near miss: another header value is an ordinary request
  MeshRouting.expectRoute(app, { host, path: '/items', headers: { 'x-canary': 'false' } }).toSplit([to(catalog.stable, 90), to(catalog.canary!, 10)]);
}
