/**
 * External authorizers (`meshConfig.extensionProviders[].envoyExtAuthzHttp` / `envoyExtAuthzGrpc`), checked
 * as istiod parses them (pilot/pkg/security/authz/builder/extauthz.go) and referenced by CUSTOM
 * AuthorizationPolicies.
 */
import { Duration } from 'cdk8s';
import { _invalid, _renderDuration, _sortedRecord, _validateDnsLabel, _validateHost, _validatePort } from './_utils';
import { _ExtensionProvider, _compact } from './observability/providers';

/**
 * Options shared by the HTTP and gRPC external authorizers.
 *
 * @see https://istio.io/latest/docs/reference/config/istio.mesh.v1alpha1/#MeshConfig-ExtensionProvider-EnvoyExternalAuthorizationHttpProvider
 */
export interface ExtAuthzProviderOptions {
  /**
   * The provider's name in `meshConfig.extensionProviders`, named by CUSTOM AuthorizationPolicies (a
   * lowercase DNS label, as istiod requires).
   */
  readonly name: string;
  /**
   * The authorizer's Service: an in-mesh FQDN (`ext-authz.foo.svc.cluster.local`) or a ServiceEntry host.
   */
  readonly service: string;
  /**
   * The authorizer's port.
   */
  readonly port: number;
  /**
   * How long the proxy waits for the authorizer.
   *
   * @default - Istio's default (600s)
   */
  readonly timeout?: Duration;
  /**
   * Let the request through when the authorizer cannot be reached or fails.
   *
   * @default false (fail closed: the request is denied)
   */
  readonly failOpen?: boolean;
  /**
   * The HTTP status returned to the client when the authorizer fails (and `failOpen` is false).
   *
   * @default - 403
   */
  readonly statusOnError?: number;
  /**
   * Buffer the request body (up to this many bytes) and send it to the authorizer.
   *
   * @default - the body is not sent
   */
  readonly includeRequestBodyMaxBytes?: number;
}

/**
 * Options of an HTTP external authorizer (`envoyExtAuthzHttp`).
 */
export interface HttpExtAuthzProviderOptions extends ExtAuthzProviderOptions {
  /**
   * A prefix for the check request's path (the original path is appended), e.g. `/check`.
   *
   * @default - the original path
   */
  readonly pathPrefix?: string;
  /**
   * Request headers sent to the authorizer (exact names, or `prefix*` / `*suffix`; a lone `*` is refused by
   * istiod). `Host`, `Method`, `Path` and `Content-Length` are always sent.
   *
   * @default - none beyond Envoy's defaults
   */
  readonly includeRequestHeadersInCheck?: string[];
  /**
   * Headers added to the check request, valued by name (Envoy header-value format).
   *
   * @default - none
   */
  readonly includeAdditionalHeadersInCheck?: { [name: string]: string };
  /**
   * Authorizer response headers copied to the upstream request when the request is allowed.
   *
   * @default - none
   */
  readonly headersToUpstreamOnAllow?: string[];
  /**
   * Authorizer response headers returned to the client when the request is denied.
   *
   * @default - none
   */
  readonly headersToDownstreamOnDeny?: string[];
  /**
   * Authorizer response headers returned to the client when the request is allowed.
   *
   * @default - none
   */
  readonly headersToDownstreamOnAllow?: string[];
}

/**
 * Options of a gRPC external authorizer (`envoyExtAuthzGrpc`, Envoy's `envoy.service.auth.v3.Authorization` API).
 */
export interface GrpcExtAuthzProviderOptions extends ExtAuthzProviderOptions {}

/** HTTP status codes Envoy's `StatusCode` enum has (istiod refuses any other `statusOnError`). */
const ENVOY_STATUS_CODES = new Set([
  100, 200, 201, 202, 203, 204, 205, 206, 207, 208, 226, 300, 301, 302, 303, 304, 305, 307, 308,
  400, 401, 402, 403, 404, 405, 406, 407, 408, 409, 410, 411, 412, 413, 414, 415, 416, 417, 421, 422, 423, 424, 426, 428, 429, 431,
  500, 501, 502, 503, 504, 505, 506, 507, 508, 510, 511,
]);

/**
 * An external authorizer that CUSTOM AuthorizationPolicies delegate to: one `extensionProviders` entry of
 * the mesh config (Istio's ext-authz task). Declare it in a `MeshConfigFragment`; a CUSTOM policy naming a
 * provider no fragment declares fails synth (Istio would deny every request it covers).
 *
 * @see https://istio.io/latest/docs/tasks/security/authorization/authz-custom/
 * @example
 * const extAuthz = ExtAuthzProvider.http({
 *   name: 'sample-ext-authz-http', service: 'ext-authz.foo.svc.cluster.local', port: 8000,
 *   includeRequestHeadersInCheck: ['x-ext-authz'],
 * });
 */
export class ExtAuthzProvider {
  /**
   * An HTTP authorizer: an `envoyExtAuthzHttp` extension provider.
   *
   * @param options name, service and port (required), path prefix, headers sent to the authorizer and
   * copied from its response, timeout, fail-open and the status on error
   */
  public static http(options: HttpExtAuthzProviderOptions): ExtAuthzProvider {
    const common = ExtAuthzProvider.common(options);
    const prefix = options.pathPrefix;
    if (prefix !== undefined && !prefix.startsWith('/')) {
      throw _invalid('pathPrefix', prefix, 'istiod requires the path prefix to begin with "/"', `use "/${prefix}"`);
    }
    const headers = (prop: string, list: string[] | undefined) => {
      if (list === undefined) return undefined;
      if (!Array.isArray(list)) throw _invalid(prop, list, 'it must be a list of header names', 'pass e.g. ["x-ext-authz"]');
      for (const h of list) {
        if (typeof h !== 'string' || h.length === 0) throw _invalid(prop, h, 'a header name is empty', 'give header names such as "x-ext-authz"');
        if (h === '*') {
          throw _invalid(prop, h, 'istiod refuses a lone "*" (it is not supported; only prefix or suffix matches are)', 'use a prefix ("x-auth-*") or suffix ("*-token") match, or list the headers');
        }
      }
      return list.length > 0 ? [...list] : undefined;
    };
    const additional = options.includeAdditionalHeadersInCheck;
    return new ExtAuthzProvider(common.name, {
      envoyExtAuthzHttp: {
        ...common.config,
        pathPrefix: prefix,
        includeRequestHeadersInCheck: headers('includeRequestHeadersInCheck', options.includeRequestHeadersInCheck),
        includeAdditionalHeadersInCheck: additional && Object.keys(additional).length > 0 ? _sortedRecord(additional) : undefined,
        headersToUpstreamOnAllow: headers('headersToUpstreamOnAllow', options.headersToUpstreamOnAllow),
        headersToDownstreamOnDeny: headers('headersToDownstreamOnDeny', options.headersToDownstreamOnDeny),
        headersToDownstreamOnAllow: headers('headersToDownstreamOnAllow', options.headersToDownstreamOnAllow),
      },
    });
  }

  /**
   * A gRPC authorizer (Envoy's `Authorization` service): an `envoyExtAuthzGrpc` extension provider.
   *
   * @param options name, service and port (required), timeout, fail-open, status on error and body buffering
   */
  public static grpc(options: GrpcExtAuthzProviderOptions): ExtAuthzProvider {
    const common = ExtAuthzProvider.common(options);
    return new ExtAuthzProvider(common.name, { envoyExtAuthzGrpc: common.config });
  }

  private static common(options: ExtAuthzProviderOptions): { name: string; config: { [field: string]: unknown } } {
    if (typeof options !== 'object' || options === null) {
      throw _invalid('options', options, 'it is required and must be an object', 'pass e.g. { name: "ext-authz", service: "ext-authz.foo.svc.cluster.local", port: 8000 }');
    }
    const name = _validateDnsLabel('name', options.name);
    _validateHost('service', options.service, false, true);
    const port = _validatePort('port', options.port, 'give the authorizer\'s port, e.g. 8000 (HTTP) or 9000 (gRPC)');
    const status = options.statusOnError;
    if (status !== undefined && !ENVOY_STATUS_CODES.has(status)) {
      throw _invalid('statusOnError', status, 'istiod accepts only HTTP status codes Envoy knows', 'use e.g. 403 (the default) or 503');
    }
    const maxBytes = options.includeRequestBodyMaxBytes;
    if (maxBytes !== undefined && (!Number.isInteger(maxBytes) || maxBytes < 1 || maxBytes > 4294967295)) {
      throw _invalid('includeRequestBodyMaxBytes', maxBytes, 'it must be a positive whole number of bytes', 'use e.g. 8192');
    }
    return {
      name,
      config: {
        service: options.service,
        port,
        timeout: options.timeout ? _renderDuration('timeout', options.timeout) : undefined,
        failOpen: options.failOpen,
        statusOnError: status === undefined ? undefined : String(status),
        includeRequestBodyInCheck: maxBytes === undefined ? undefined : { maxRequestBytes: maxBytes },
      },
    };
  }

  private constructor(
    /** The provider's name in `meshConfig.extensionProviders`, named by CUSTOM AuthorizationPolicies. */
    public readonly name: string,
    private readonly config: { [type: string]: unknown },
  ) {}

  /**
   * The `meshConfig.extensionProviders` entry.
   *
   * @internal
   */
  public _toExtensionProvider(): _ExtensionProvider {
    return _compact({ name: this.name, ...this.config });
  }
}
