import { Duration } from 'cdk8s';
import { ExtAuthzProvider } from '../src';

describe('ExtAuthzProvider', () => {
  test('http(): envoyExtAuthzHttp with Istio\'s MeshConfig fields (headers, path prefix, timeout, fail-open, status, body)', () => {
    // WHEN
    const p = ExtAuthzProvider.http({
      name: 'sample-ext-authz-http',
      service: 'ext-authz.foo.svc.cluster.local',
      port: 8000,
      pathPrefix: '/check',
      timeout: Duration.millis(500),
      failOpen: false,
      statusOnError: 503,
      includeRequestBodyMaxBytes: 8192,
      includeRequestHeadersInCheck: ['x-ext-authz', 'x-auth-*'],
      includeAdditionalHeadersInCheck: { 'x-b': 'b', 'x-a': '%REQ(:PATH)%' },
      headersToUpstreamOnAllow: ['x-user'],
      headersToDownstreamOnDeny: ['content-type', 'x-ext-authz-check-result'],
      headersToDownstreamOnAllow: ['set-cookie'],
    });
    // THEN
    expect(p.name).toBe('sample-ext-authz-http');
    expect(p._toExtensionProvider()).toEqual({
      name: 'sample-ext-authz-http',
      envoyExtAuthzHttp: {
        service: 'ext-authz.foo.svc.cluster.local',
        port: 8000,
        pathPrefix: '/check',
        timeout: '0.5s',
        failOpen: false,
        statusOnError: '503',
        includeRequestBodyInCheck: { maxRequestBytes: 8192 },
        includeRequestHeadersInCheck: ['x-ext-authz', 'x-auth-*'],
        includeAdditionalHeadersInCheck: { 'x-a': '%REQ(:PATH)%', 'x-b': 'b' },
        headersToUpstreamOnAllow: ['x-user'],
        headersToDownstreamOnDeny: ['content-type', 'x-ext-authz-check-result'],
        headersToDownstreamOnAllow: ['set-cookie'],
      },
    });
  });

  test('grpc(): envoyExtAuthzGrpc with service and port only by default', () => {
    expect(ExtAuthzProvider.grpc({ name: 'sample-ext-authz-grpc', service: 'ext-authz.foo.svc.cluster.local', port: 9000 })._toExtensionProvider())
      .toEqual({ name: 'sample-ext-authz-grpc', envoyExtAuthzGrpc: { service: 'ext-authz.foo.svc.cluster.local', port: 9000 } });
  });

  test('fails on what istiod refuses: a name that is not a DNS label, a lone "*" header, a path prefix without "/", an unknown status, a bad port', () => {
    const base = { service: 'ext-authz.foo.svc.cluster.local', port: 8000 };
    expect(() => ExtAuthzProvider.http({ ...base, name: 'Ext_Authz' })).toThrow('Invalid name "Ext_Authz": it is not an RFC 1123 DNS label');
    expect(() => ExtAuthzProvider.http({ ...base, name: 'a', includeRequestHeadersInCheck: ['*'] }))
      .toThrow('Invalid includeRequestHeadersInCheck "*": istiod refuses a lone "*" (it is not supported; only prefix or suffix matches are). Fix: use a prefix ("x-auth-*") or suffix ("*-token") match, or list the headers');
    expect(() => ExtAuthzProvider.http({ ...base, name: 'a', headersToDownstreamOnDeny: [''] })).toThrow('Invalid headersToDownstreamOnDeny "": a header name is empty');
    expect(() => ExtAuthzProvider.http({ ...base, name: 'a', pathPrefix: 'check' }))
      .toThrow('Invalid pathPrefix "check": istiod requires the path prefix to begin with "/". Fix: use "/check"');
    expect(() => ExtAuthzProvider.grpc({ ...base, name: 'a', statusOnError: 499 }))
      .toThrow('Invalid statusOnError 499: istiod accepts only HTTP status codes Envoy knows. Fix: use e.g. 403 (the default) or 503');
    expect(() => ExtAuthzProvider.grpc({ ...base, name: 'a', port: 0 })).toThrow('Invalid port 0: a port is an integer from 1 to 65535');
    expect(() => ExtAuthzProvider.grpc({ ...base, name: 'a', includeRequestBodyMaxBytes: 0 }))
      .toThrow('Invalid includeRequestBodyMaxBytes 0: it must be a positive whole number of bytes. Fix: use e.g. 8192');
    expect(() => ExtAuthzProvider.grpc(undefined as any)).toThrow('Invalid options (undefined): it is required and must be an object');
    expect(() => ExtAuthzProvider.http({ ...base, name: 'a', headersToUpstreamOnAllow: 'x-user' as any }))
      .toThrow('Invalid headersToUpstreamOnAllow "x-user": it must be a list of header names. Fix: pass e.g. ["x-ext-authz"]');
    // near-miss: prefix and suffix matches are accepted
    expect(ExtAuthzProvider.http({ ...base, name: 'a', headersToUpstreamOnAllow: ['x-*', '*-id'] }).name).toBe('a');
  });
});
