import { AccessLogProvider, JaegerProtocol, OtlpProtocol, TracingProvider } from '../../src';

describe('TracingProvider', () => {
  test('jaeger defaults to OTLP gRPC on 4317', () => {
    const p = TracingProvider.jaeger({ service: 'jaeger-collector.observability.svc.cluster.local' });
    expect(p.name).toEqual('jaeger');
    expect(p._toExtensionProvider()).toEqual({ name: 'jaeger', opentelemetry: { port: 4317, service: 'jaeger-collector.observability.svc.cluster.local' } });
  });

  test('jaeger over its Zipkin endpoint uses 9411', () => {
    const p = TracingProvider.jaeger({ service: 'jaeger.observability.svc.cluster.local', protocol: JaegerProtocol.ZIPKIN, name: 'jaeger-zipkin', maxTagLength: 512 });
    expect(p._toExtensionProvider()).toEqual({ name: 'jaeger-zipkin', zipkin: { maxTagLength: 512, port: 9411, service: 'jaeger.observability.svc.cluster.local' } });
  });

  test('zipkin and openTelemetry (gRPC and HTTP)', () => {
    expect(TracingProvider.zipkin({ service: 'zipkin.obs.svc.cluster.local' })._toExtensionProvider())
      .toEqual({ name: 'zipkin', zipkin: { port: 9411, service: 'zipkin.obs.svc.cluster.local' } });
    expect(TracingProvider.openTelemetry({ service: 'otel.obs.svc.cluster.local' })._toExtensionProvider())
      .toEqual({ name: 'otel', opentelemetry: { port: 4317, service: 'otel.obs.svc.cluster.local' } });
    expect(TracingProvider.openTelemetry({ service: 'otel.obs.svc.cluster.local', protocol: OtlpProtocol.HTTP, name: 'otel-http' })._toExtensionProvider())
      .toEqual({ name: 'otel-http', opentelemetry: { http: { path: '/v1/traces' }, port: 4318, service: 'otel.obs.svc.cluster.local' } });
  });

  test('fails on a short service name, a bad port or a bad name', () => {
    expect(() => TracingProvider.jaeger({ service: 'jaeger' })).toThrow('Invalid service "jaeger": a short name is resolved relative to the namespace');
    expect(() => TracingProvider.zipkin({ service: 'z.obs.svc.cluster.local', port: 70000 })).toThrow('Invalid port 70000: a port is an integer from 1 to 65535');
    expect(() => TracingProvider.zipkin({ service: 'z.obs.svc.cluster.local', name: 'My Zipkin' })).toThrow('Invalid name "My Zipkin": it is not an RFC 1123 DNS label');
    expect(() => TracingProvider.zipkin({ service: 'z.obs.svc.cluster.local', maxTagLength: 0 })).toThrow('Invalid maxTagLength 0: it must be a positive integer');
  });

  test('fails on an HTTP path with gRPC, or a relative path', () => {
    expect(() => TracingProvider.openTelemetry({ service: 'o.obs.svc.cluster.local', httpPath: '/v1/traces' }))
      .toThrow('Invalid httpPath "/v1/traces": a path only applies to OTLP over HTTP');
    expect(() => TracingProvider.openTelemetry({ service: 'o.obs.svc.cluster.local', protocol: OtlpProtocol.HTTP, httpPath: 'v1/traces' }))
      .toThrow('Invalid httpPath "v1/traces": an HTTP path starts with "/". Fix: use "/v1/traces"');
  });
});

describe('AccessLogProvider', () => {
  test('ENVOY is the built-in stdout provider', () => {
    expect(AccessLogProvider.ENVOY.name).toEqual('envoy');
    expect(AccessLogProvider.ENVOY.builtIn).toBe(true);
  });

  test('envoyFile renders text or JSON (labels sorted)', () => {
    expect(AccessLogProvider.envoyFile({ name: 'text', textFormat: '%RESPONSE_CODE%\n' })._toExtensionProvider())
      .toEqual({ name: 'text', envoyFileAccessLog: { logFormat: { text: '%RESPONSE_CODE%\n' }, path: '/dev/stdout' } });
    const json = AccessLogProvider.envoyFile({ name: 'json', path: '/var/log/access.log', jsonLabels: { z: '%DURATION%', code: '%RESPONSE_CODE%' } })._toExtensionProvider();
    expect(json).toEqual({ name: 'json', envoyFileAccessLog: { logFormat: { labels: { code: '%RESPONSE_CODE%', z: '%DURATION%' } }, path: '/var/log/access.log' } });
    expect(Object.keys(json.envoyFileAccessLog.logFormat.labels)).toEqual(['code', 'z']);
  });

  test('fails on text and JSON together, an empty label map, or a relative path', () => {
    expect(() => AccessLogProvider.envoyFile({ name: 'x', textFormat: 'a', jsonLabels: { a: 'b' } })).toThrow('Invalid textFormat "a": textFormat and jsonLabels are mutually exclusive');
    expect(() => AccessLogProvider.envoyFile({ name: 'x', jsonLabels: {} })).toThrow('Invalid jsonLabels {}: an empty label map logs empty objects');
    expect(() => AccessLogProvider.envoyFile({ name: 'x', path: 'log.txt' })).toThrow('Invalid path "log.txt": the log file path must be absolute');
  });
});
