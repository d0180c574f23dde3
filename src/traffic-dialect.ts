/**
 * Which API a traffic construct renders its routing with. The same intent (weights, header override,
 * mirroring, timeouts) gives either output; the data plane decides which one works.
 *
 * @see https://istio.io/latest/docs/ambient/usage/l7-features/
 */
export enum TrafficDialect {
  /**
   * Istio's API: `DestinationRule` subsets selected by the version label and a `VirtualService` routing
   * to them. What sidecars (and Istio's edge gateways) read; alpha for ambient waypoints.
   */
  SIDECAR = 'SIDECAR',
  /**
   * The Kubernetes Gateway API's mesh routing (GAMMA): one Service per version and an `HTTPRoute` whose
   * parent is the Service callers address, routing to the per-version Services. What ambient waypoints
   * support (and sidecars read too); standard channel of Gateway API v1.5.1 only.
   */
  GATEWAY_API = 'GATEWAY_API',
}
