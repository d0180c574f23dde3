/**
 * Application protocols Istio understands on a port (Service port names, ServiceEntry and Sidecar ports).
 *
 * @see https://istio.io/latest/docs/ops/configuration/traffic-management/protocol-selection/
 */
export enum PortProtocol {
  /** HTTP/1.1. */
  HTTP = 'HTTP',
  /** HTTP/2. */
  HTTP2 = 'HTTP2',
  /** HTTPS: TLS carrying HTTP, opaque to the proxy (routed by SNI). */
  HTTPS = 'HTTPS',
  /** gRPC. */
  GRPC = 'GRPC',
  /** TLS, routed by SNI. */
  TLS = 'TLS',
  /** Opaque TCP. */
  TCP = 'TCP',
  /** MongoDB wire protocol (treated as TCP). */
  MONGO = 'MONGO',
  /** MySQL (treated as TCP). */
  MYSQL = 'MYSQL',
  /** Redis (treated as TCP). */
  REDIS = 'REDIS',
}

/** @internal */
export function _isHttpProtocol(p: PortProtocol): boolean {
  return p === PortProtocol.HTTP || p === PortProtocol.HTTP2 || p === PortProtocol.GRPC;
}

/** @internal */
export function _isTlsProtocol(p: PortProtocol): boolean {
  return p === PortProtocol.HTTPS || p === PortProtocol.TLS;
}
