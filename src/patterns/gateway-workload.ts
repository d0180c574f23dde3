import { ApiObject, Lazy } from 'cdk8s';
import { Construct } from 'constructs';
import { _checkProps, _invalid, _sortedRecord, _validateDnsLabel, _validateLabels, _validatePort } from '../_utils';
import { IMeshIdentity, MeshIdentity } from '../identity';
import { IMeshWorkload, MeshWorkload } from '../workload';

/**
 * The type of the Service in front of gateway pods the library deploys.
 */
export enum GatewayServiceType {
  /** A cloud load balancer per gateway (what Istio's `istio/gateway` chart creates). */
  LOAD_BALANCER = 'LoadBalancer',
  /** Cluster-internal only: for a gateway behind an `AlbIngress` with IP targets. */
  CLUSTER_IP = 'ClusterIP',
  /** A port on every node: for an `AlbIngress` with instance targets. */
  NODE_PORT = 'NodePort',
}

/**
 * An existing gateway install, given explicitly.
 */
export interface ExistingGatewayOptions {
  /** The labels of the gateway pods (a Gateway's `selector`), e.g. `{ istio: "ingressgateway" }`. */
  readonly selector: { [key: string]: string };
  /** The service account of the gateway pods: their mesh identity. */
  readonly serviceAccountName: string;
  /**
   * The namespace of the gateway pods (where Istio reads `credentialName` Secrets).
   *
   * @default - the MeshGateway's namespace
   */
  readonly namespace?: string;
  /**
   * The Service in front of the gateway pods (the backend of an `AlbIngress`).
   *
   * @default - the value of the `app` label of `selector`, else the service account name
   */
  readonly serviceName?: string;
  /**
   * The Service port that forwards plain HTTP to the pods.
   *
   * @default 80
   */
  readonly httpPort?: number;
  /**
   * The Service port that forwards HTTPS to the pods.
   *
   * @default 443
   */
  readonly httpsPort?: number;
}

/**
 * Options of `GatewayWorkload.helmChart()`.
 */
export interface HelmGatewayOptions {
  /**
   * The Helm release name (`helm install <release> istio/gateway`); with the chart's defaults it names the
   * Deployment, Service and service account, and the pods get `app: <release>` and
   * `istio: <release without a leading "istio-">`.
   *
   * @default "istio-ingress" (Istio's Helm installation guide)
   */
  readonly releaseName?: string;
  /**
   * The release namespace.
   *
   * @default - the MeshGateway's namespace
   */
  readonly namespace?: string;
}

/**
 * Options of `GatewayWorkload.injected()`.
 */
export interface InjectedGatewayOptions {
  /**
   * Name of the Deployment, Service, ServiceAccount, Role and RoleBinding; the pods get `app: <name>` and
   * `istio: <name without a leading "istio-">`.
   *
   * @default - "<gateway name>-gateway"
   */
  readonly name?: string;
  /**
   * Number of gateway pods.
   *
   * @default 2 (an edge survives losing one pod)
   */
  readonly replicas?: number;
  /**
   * Type of the gateway's Service.
   *
   * @default GatewayServiceType.LOAD_BALANCER; with an `AlbIngress` in front, CLUSTER_IP (IP targets) or
   * NODE_PORT (instance targets)
   */
  readonly serviceType?: GatewayServiceType;
  /**
   * The istiod revision to inject from (`istio.io/rev` label instead of `sidecar.istio.io/inject: "true"`).
   *
   * @default - the default revision
   */
  readonly revision?: string;
}

/** @internal */
export enum _GatewayWorkloadKind { EXISTING, INJECTED }

/**
 * The pods of a `MeshGateway` (Istio flavour): an existing gateway install (Istio's Helm chart, the
 * istioctl default profile, or any install given by selector and service account), or gateway pods the
 * library deploys itself with Istio's gateway injection.
 *
 * @example
 * GatewayWorkload.helmChart({ releaseName: 'istio-ingress' });   // helm install istio-ingress istio/gateway
 * GatewayWorkload.istioctlDefault();                             // istioctl install (default profile)
 * GatewayWorkload.injected({ serviceType: GatewayServiceType.CLUSTER_IP });
 */
export class GatewayWorkload {
  /**
   * The `istio/gateway` Helm chart (Istio's recommended install) with its default values: Deployment,
   * Service and ServiceAccount named after the release, pods labelled `app: <release>` and
   * `istio: <release without "istio-">`, Service ports 80 and 443 (same target ports) and 15021 (status).
   *
   * @param options the release name and namespace
   */
  public static helmChart(options: HelmGatewayOptions = {}): GatewayWorkload {
    _checkProps('options', options, false, '{ releaseName: "istio-ingress" }');
    const release = _validateDnsLabel('releaseName', options.releaseName ?? 'istio-ingress');
    if (options.namespace !== undefined) _validateDnsLabel('namespace', options.namespace);
    return new GatewayWorkload(_GatewayWorkloadKind.EXISTING, { istio: release.replace(/^istio-/, '') }, release, release,
      options.namespace, 80, 443);
  }

  /**
   * The ingress gateway of `istioctl install` (default profile): `istio-ingressgateway` in `istio-system`,
   * pods labelled `istio: ingressgateway` and `app: istio-ingressgateway`, service account
   * `istio-ingressgateway-service-account`, Service ports 80 and 443 (target ports 8080 and 8443).
   */
  public static istioctlDefault(): GatewayWorkload {
    return new GatewayWorkload(_GatewayWorkloadKind.EXISTING, { istio: 'ingressgateway' }, 'istio-ingressgateway-service-account',
      'istio-ingressgateway', 'istio-system', 80, 443);
  }

  /**
   * Any existing gateway install, given by the labels of its pods and their service account.
   *
   * @param options the pods' labels, service account, namespace and Service
   */
  public static existing(options: ExistingGatewayOptions): GatewayWorkload {
    _checkProps('options', options, true, '{ selector: { istio: "ingressgateway" }, serviceAccountName: "istio-ingressgateway" }');
    if (!options.selector || Object.keys(options.selector).length === 0) {
      throw _invalid('selector', options.selector, 'an empty selector would bind the Gateway to every pod with a proxy', 'give the gateway pods\' labels, e.g. { istio: "ingressgateway" }');
    }
    _validateLabels('selector', options.selector);
    _validateDnsLabel('serviceAccountName', options.serviceAccountName);
    if (options.namespace !== undefined) _validateDnsLabel('namespace', options.namespace);
    const serviceName = _validateDnsLabel('serviceName', options.serviceName ?? options.selector.app ?? options.serviceAccountName);
    return new GatewayWorkload(_GatewayWorkloadKind.EXISTING, { ...options.selector }, options.serviceAccountName, serviceName, options.namespace,
      _validatePort('httpPort', options.httpPort ?? 80), _validatePort('httpsPort', options.httpsPort ?? 443));
  }

  /**
   * Gateway pods deployed by the library with Istio's gateway injection (istiod fills in the proxy:
   * `inject.istio.io/templates: gateway`, image `auto`): a Deployment, its Service (ports 80, 443 and
   * 15021), a ServiceAccount, and a Role + RoleBinding that let it read TLS Secrets of its namespace only
   * (istiod checks `list secrets` for the gateway's service account before serving a `credentialName`).
   *
   * @param options name, replicas, Service type and istiod revision
   */
  public static injected(options: InjectedGatewayOptions = {}): GatewayWorkload {
    _checkProps('options', options, false, '{ serviceType: GatewayServiceType.CLUSTER_IP }');
    if (options.name !== undefined) _validateDnsLabel('name', options.name);
    if (options.revision !== undefined) _validateDnsLabel('revision', options.revision);
    const replicas = options.replicas ?? 2;
    if (!Number.isInteger(replicas) || replicas < 1) {
      throw _invalid('replicas', options.replicas, 'a gateway needs at least one pod', 'use 2 or more for an edge');
    }
    if (options.serviceType !== undefined && !Object.values(GatewayServiceType).includes(options.serviceType)) {
      throw _invalid('serviceType', options.serviceType, 'it is not a Service type', 'use GatewayServiceType.LOAD_BALANCER, CLUSTER_IP or NODE_PORT');
    }
    const w = new GatewayWorkload(_GatewayWorkloadKind.INJECTED, {}, options.name ?? '', options.name ?? '', undefined, 80, 443);
    w.injectOptions = { ...options, replicas };
    return w;
  }

  private injectOptions?: InjectedGatewayOptions;

  private constructor(
    /** @internal */
    public readonly _kind: _GatewayWorkloadKind,
    private readonly selectorLabels: { [key: string]: string },
    private readonly serviceAccount: string,
    private readonly service: string,
    private readonly ns: string | undefined,
    /** The Service port forwarding plain HTTP. */
    public readonly httpPort: number,
    /** The Service port forwarding HTTPS. */
    public readonly httpsPort: number,
  ) {}

  /**
   * Binds the workload to a gateway: resolves names and namespace, and deploys the injected form.
   * @internal
   */
  public _bind(scope: Construct, gatewayName: string, gatewayNamespace: string): _BoundGatewayWorkload {
    const namespace = this.ns ?? gatewayNamespace;
    if (this._kind === _GatewayWorkloadKind.EXISTING) {
      // an existing install's Service type is not known here
      return this.bound(namespace, this.selectorLabels, this.serviceAccount, this.service, undefined);
    }
    const o = this.injectOptions!;
    const name = o.name ?? `${gatewayName}-gateway`.slice(0, 63).replace(/-+$/, '');
    const labels = { app: name, istio: name.replace(/^istio-/, '') };
    // the Service type, unless given: LoadBalancer, or what an AlbIngress in front needs (read at synth)
    const service = { type: o.serviceType ?? GatewayServiceType.LOAD_BALANCER };
    _deployInjectedGateway(scope, { name, namespace, labels, replicas: o.replicas!, serviceType: () => service.type, revision: o.revision });
    const bound = this.bound(namespace, labels, name, name, o.serviceType ?? GatewayServiceType.LOAD_BALANCER);
    return {
      ...bound,
      serviceTypeExplicit: o.serviceType !== undefined,
      frontWithAlb: (instanceTargets: boolean) => {
        if (o.serviceType === undefined) service.type = instanceTargets ? GatewayServiceType.NODE_PORT : GatewayServiceType.CLUSTER_IP;
      },
    };
  }

  private bound(namespace: string, labels: { [key: string]: string }, serviceAccountName: string, serviceName: string,
    serviceType: GatewayServiceType | undefined): _BoundGatewayWorkload {
    return {
      namespace,
      selector: MeshWorkload.labels(labels, { namespace, serviceAccountName }),
      identity: MeshIdentity.of(namespace, serviceAccountName),
      serviceName,
      serviceType,
      httpPort: this.httpPort,
      httpsPort: this.httpsPort,
      deployed: this._kind === _GatewayWorkloadKind.INJECTED,
    };
  }
}

/**
 * The pods of a MeshGateway from its props: `workload`, else the legacy `selector` + `serviceAccountName`,
 * else the default install (the `istio/gateway` chart released as `istio-ingressgateway` in the gateway's
 * namespace); for the Gateway API flavour, the pods Istio deploys for the Gateway (`<name>-istio`).
 * @internal
 */
export function _resolveGatewayWorkload(scope: Construct, props: {
  readonly workload?: GatewayWorkload; readonly selector?: IMeshWorkload; readonly serviceAccountName?: string; readonly gatewayApi: boolean;
}, gatewayName: string, namespace: string): _BoundGatewayWorkload {
  if (props.workload !== undefined) {
    if (!(props.workload instanceof GatewayWorkload)) {
      throw _invalid('workload', props.workload, 'it is not a GatewayWorkload', 'use GatewayWorkload.helmChart(), .istioctlDefault(), .existing() or .injected()');
    }
    if (props.gatewayApi) {
      throw _invalid('workload', props.workload._kind === _GatewayWorkloadKind.INJECTED ? 'injected' : 'existing',
        'a Gateway API Gateway of class istio gets its pods deployed by Istio (<name>-istio)', 'leave workload out with api: EdgeApi.GATEWAY_API');
    }
    for (const [prop, v] of [['selector', props.selector], ['serviceAccountName', props.serviceAccountName]] as Array<[string, unknown]>) {
      if (v !== undefined) {
        throw _invalid(prop, prop === 'selector' ? props.selector!.workloadKey : v, 'workload is also set, and it names the pods and their service account',
          'use GatewayWorkload.existing({ selector, serviceAccountName }) alone');
      }
    }
    return props.workload._bind(scope, gatewayName, namespace);
  }
  if (props.gatewayApi) {
    // Istio's automated deployment for a Gateway API Gateway: Deployment, Service and ServiceAccount "<name>-istio"
    const name = props.serviceAccountName ?? `${gatewayName}-istio`;
    return {
      namespace,
      selector: MeshWorkload.labels({ 'gateway.networking.k8s.io/gateway-name': gatewayName }, { namespace }),
      identity: MeshIdentity.of(namespace, name),
      serviceName: `${gatewayName}-istio`,
      httpPort: 80,
      httpsPort: 443,
      deployed: false,
    };
  }
  const sa = props.serviceAccountName ?? 'istio-ingressgateway';
  const selector = props.selector ?? MeshWorkload.labels({ istio: 'ingressgateway' }, { namespace });
  const labels = props.selector ? undefined : { istio: 'ingressgateway' };
  return {
    namespace,
    selector,
    identity: MeshIdentity.of(namespace, sa),
    serviceName: labels ? 'istio-ingressgateway' : (props.selector!.toSelectorLabels().app ?? sa),
    httpPort: 80,
    httpsPort: 443,
    deployed: false,
  };
}

/**
 * A gateway workload bound to a MeshGateway.
 * @internal
 */
export interface _BoundGatewayWorkload {
  readonly namespace: string;
  readonly selector: IMeshWorkload;
  readonly identity: IMeshIdentity;
  readonly serviceName: string;
  /** Known for the injected form only. */
  readonly serviceType?: GatewayServiceType;
  /** Injected form: whether `serviceType` was given (else an AlbIngress in front chooses it). */
  readonly serviceTypeExplicit?: boolean;
  /** Injected form: an AlbIngress is in front (IP targets: ClusterIP; instance targets: NodePort), unless the type was given. */
  readonly frontWithAlb?: (instanceTargets: boolean) => void;
  readonly httpPort: number;
  readonly httpsPort: number;
  /** True when the library deployed the pods (injected form). */
  readonly deployed: boolean;
}

interface InjectedGatewaySpec {
  readonly name: string;
  readonly namespace: string;
  readonly labels: { [key: string]: string };
  readonly replicas: number;
  readonly serviceType: () => GatewayServiceType;
  readonly revision?: string;
}

/**
 * Istio's "Deploying a gateway" manifest (manual injection): istiod's `gateway` injection template fills in
 * the proxy container (`image: auto`); ports 80/443 bind unprivileged via the
 * `net.ipv4.ip_unprivileged_port_start` sysctl, as the `istio/gateway` chart does.
 */
function _deployInjectedGateway(scope: Construct, g: InjectedGatewaySpec): void {
  const metadata = { name: g.name, namespace: g.namespace, labels: _sortedRecord({ ...g.labels, 'app.kubernetes.io/managed-by': 'cdk8s-istio' }) };
  new ApiObject(scope, 'GatewayServiceAccount', { apiVersion: 'v1', kind: 'ServiceAccount', metadata });
  const injection: { [key: string]: string } = g.revision !== undefined ? { 'istio.io/rev': g.revision } : { 'sidecar.istio.io/inject': 'true' };
  new ApiObject(scope, 'GatewayDeployment', {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata,
    spec: {
      replicas: g.replicas,
      selector: { matchLabels: _sortedRecord(g.labels) },
      template: {
        metadata: {
          annotations: { 'inject.istio.io/templates': 'gateway' },
          labels: _sortedRecord({ ...g.labels, ...injection }),
        },
        spec: {
          serviceAccountName: g.name,
          securityContext: { sysctls: [{ name: 'net.ipv4.ip_unprivileged_port_start', value: '0' }] },
          containers: [{
            name: 'istio-proxy',
            image: 'auto',
            securityContext: {
              allowPrivilegeEscalation: false,
              capabilities: { drop: ['ALL'] },
              privileged: false,
              readOnlyRootFilesystem: true,
              runAsGroup: 1337,
              runAsNonRoot: true,
              runAsUser: 1337,
            },
          }],
        },
      },
    },
  });
  new ApiObject(scope, 'GatewayService', {
    apiVersion: 'v1',
    kind: 'Service',
    metadata,
    spec: {
      type: Lazy.any({ produce: () => g.serviceType() }),
      selector: _sortedRecord(g.labels),
      ports: [
        { name: 'status-port', port: 15021, protocol: 'TCP' },
        { name: 'http2', port: 80, protocol: 'TCP' },
        { name: 'https', port: 443, protocol: 'TCP' },
      ],
    },
  });
  // least privilege: the Secrets of its own namespace, read-only (as the istio/gateway chart's Role)
  new ApiObject(scope, 'GatewayRole', {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'Role',
    metadata,
    rules: [{ apiGroups: [''], resources: ['secrets'], verbs: ['get', 'watch', 'list'] }],
  });
  new ApiObject(scope, 'GatewayRoleBinding', {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'RoleBinding',
    metadata,
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: g.name },
    subjects: [{ kind: 'ServiceAccount', name: g.name, namespace: g.namespace }],
  });
}
