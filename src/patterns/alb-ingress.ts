import * as net from 'net';
import { ApiObject, Lazy } from 'cdk8s';
import { Construct } from 'constructs';
import { _checkProps, _invalid, _validateDnsSubdomain } from '../_utils';
import { GatewayTlsMode } from '../gateway';
import { MeshGateway } from './mesh-gateway';

/**
 * Whether the ALB gets a public address (`alb.ingress.kubernetes.io/scheme`).
 */
export enum AlbScheme {
  /** Reachable only inside the VPC (the controller's default). */
  INTERNAL = 'internal',
  /** A public load balancer. */
  INTERNET_FACING = 'internet-facing',
}

/**
 * How the ALB reaches the gateway pods (`alb.ingress.kubernetes.io/target-type`).
 */
export enum AlbTargetType {
  /** Straight to the pod IPs (needs the VPC CNI); the gateway's Service can be ClusterIP. */
  IP = 'ip',
  /** Through a NodePort on every node; the gateway's Service must be NodePort or LoadBalancer. */
  INSTANCE = 'instance',
}

/**
 * The protocol from the ALB to the gateway (`alb.ingress.kubernetes.io/backend-protocol`).
 */
export enum AlbBackendProtocol {
  /** Plain HTTP to the gateway's port 80: the gateway must serve its routes over plain HTTP. */
  HTTP = 'HTTP',
  /** Re-encrypted: HTTPS to the gateway's port 443, where the gateway terminates TLS again. */
  HTTPS = 'HTTPS',
}

/**
 * The ALB's IP address type (`alb.ingress.kubernetes.io/ip-address-type`).
 */
export enum AlbIpAddressType {
  /** IPv4 only. */
  IPV4 = 'ipv4',
  /** IPv4 and IPv6. */
  DUALSTACK = 'dualstack',
}

/**
 * Props for `AlbIngress`.
 */
export interface AlbIngressProps {
  /** The mesh gateway the ALB forwards to: its pods' Service is the Ingress backend. */
  readonly gateway: MeshGateway;
  /**
   * Name of the Ingress.
   *
   * @default - "<gateway name>-alb"
   */
  readonly name?: string;
  /**
   * ACM (or IAM server) certificate ARNs: TLS terminates at the ALB (HTTPS listener on 443, HTTP on 80
   * redirected to it). The first is the default certificate.
   *
   * @default - none: then `plaintext: true` is required
   */
  readonly certificateArns?: string[];
  /**
   * An HTTP-only ALB (listener on port 80, no certificate).
   *
   * @default false
   */
  readonly plaintext?: boolean;
  /**
   * The protocol from the ALB to the gateway.
   *
   * @default - HTTPS when the gateway terminates TLS (re-encryption), HTTP when it serves plain HTTP only
   */
  readonly backendProtocol?: AlbBackendProtocol;
  /**
   * Public or VPC-internal.
   *
   * @default AlbScheme.INTERNAL
   */
  readonly scheme?: AlbScheme;
  /**
   * How the ALB reaches the gateway pods.
   *
   * @default AlbTargetType.IP
   */
  readonly targetType?: AlbTargetType;
  /**
   * The ALB's TLS security policy (`alb.ingress.kubernetes.io/ssl-policy`).
   *
   * @default "ELBSecurityPolicy-TLS13-1-2-2021-06" (TLS 1.2 and 1.3)
   */
  readonly sslPolicy?: string;
  /**
   * Client CIDRs admitted by the ALB's security group.
   *
   * @default - every address (0.0.0.0/0, and ::/0 when dual-stack)
   */
  readonly inboundCidrs?: string[];
  /**
   * IPv4 only or dual-stack.
   *
   * @default AlbIpAddressType.IPV4
   */
  readonly ipAddressType?: AlbIpAddressType;
  /**
   * The hosts the ALB forwards (one Ingress rule each).
   *
   * @default - the gateway's hosts
   */
  readonly hosts?: string[];
}

const ACM_ARN = /^arn:aws(-cn|-us-gov|-iso|-iso-b)?:acm:[a-z]{2}(-[a-z]+)+-\d:\d{12}:certificate\/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const IAM_ARN = /^arn:aws(-cn|-us-gov|-iso|-iso-b)?:iam::\d{12}:server-certificate\/[\w+=,.@/-]{1,128}$/;
const ALB = 'alb.ingress.kubernetes.io';
/** The gateway's readiness endpoint (the proxy's status port). */
const STATUS_PORT = 15021;
const READY_PATH = '/healthz/ready';

/**
 * An AWS Application Load Balancer in front of a `MeshGateway`: a Kubernetes `Ingress`
 * (`networking.k8s.io/v1`, class `alb`, for the AWS Load Balancer Controller) whose backend is the
 * gateway's Service, so edge traffic still enters the mesh through the gateway's Envoy (mTLS to the
 * workloads, telemetry, VirtualService routing and canary splits) instead of going straight to an
 * application Service.
 *
 * The ALB targets the gateway pods (IP targets by default), health-checks their readiness endpoint
 * (port 15021, `/healthz/ready`), terminates TLS with ACM certificates and, by default, re-encrypts
 * to the gateway's HTTPS port.
 *
 * @example
 * const edge = new MeshGateway(chart, 'edge', { namespace: NamespaceRef.named('istio-ingress'), tls: GatewayTls.simple({ credentialName: 'shop-cert' }) });
 * edge.expose('shop.example.com', catalog);
 * new AlbIngress(chart, 'alb', {
 *   gateway: edge,
 *   scheme: AlbScheme.INTERNET_FACING,
 *   certificateArns: ['arn:aws:acm:eu-west-1:123456789012:certificate/0a1b2c3d-1111-2222-3333-444455556666'],
 * });
 */
export class AlbIngress extends Construct {
  private static validateArn(arn: string): void {
    if (typeof arn !== 'string' || (!ACM_ARN.test(arn) && !IAM_ARN.test(arn))) {
      throw _invalid('certificateArns', arn, 'it is not an ACM certificate ARN (or IAM server certificate ARN), so the controller cannot create the HTTPS listener',
        'use "arn:aws:acm:<region>:<12-digit account>:certificate/<uuid>" as shown by `aws acm list-certificates`');
    }
  }

  private static validateCidr(cidr: string, dualStack: boolean): void {
    const [ip, bits, ...rest] = typeof cidr === 'string' ? cidr.split('/') : [];
    const family = ip ? net.isIP(ip) : 0;
    if (rest.length > 0 || family === 0 || bits === undefined || !/^\d{1,3}$/.test(bits) || Number(bits) > (family === 4 ? 32 : 128)) {
      throw _invalid('inboundCidrs', cidr, 'the controller takes CIDR blocks', 'use e.g. "203.0.113.0/24" (a single address as "203.0.113.7/32")');
    }
    if (family === 6 && !dualStack) {
      throw _invalid('inboundCidrs', cidr, 'an IPv6 block needs a dual-stack ALB', 'set ipAddressType: AlbIpAddressType.DUALSTACK');
    }
  }

  private static hostErrors(gw: MeshGateway, hosts: string[] | undefined): string[] {
    if ((hosts ?? gw.hosts).length === 0) {
      return [_invalid('hosts', [], 'the ALB would forward no host (the gateway serves none)', 'expose a host on the gateway, or pass hosts').message];
    }
    const errors: string[] = [];
    for (const h of hosts ?? []) {
      try {
        AlbIngress.checkServed(gw, h);
      } catch (e) {
        errors.push((e as Error).message);
      }
    }
    return errors;
  }

  private static checkServed(gw: MeshGateway, h: string): void {
    if (!gw._serves(h)) {
      throw _invalid('hosts', h, `gateway '${gw.gatewayRef}' does not serve it, so the ALB would forward requests the gateway answers with 404`,
        `forward one of the gateway's hosts (${JSON.stringify(gw.hosts)}), or expose the host on the gateway first`);
    }
  }

  /** The Ingress (`networking.k8s.io/v1`): the escape hatch to any annotation. */
  public readonly apiObject: ApiObject;
  /** The protocol from the ALB to the gateway. */
  public readonly backendProtocol: AlbBackendProtocol;
  /** The gateway Service port the ALB forwards to. */
  public readonly backendPort: number;
  /** The gateway Service the ALB forwards to (in the gateway pods' namespace). */
  public readonly backendServiceName: string;

  /**
   * Defines the Ingress, in the namespace of the gateway pods (an Ingress backend is a Service of its own namespace).
   *
   * @param scope the parent construct (usually a Chart)
   * @param id the construct id, unique within `scope`
   * @param props the gateway, TLS at the ALB (ACM certificates) and the ALB's options
   */
  constructor(scope: Construct, id: string, props: AlbIngressProps) {
    super(scope, id);
    _checkProps('props', props, true, '{ gateway: edge, certificateArns: ["arn:aws:acm:..."] }');
    const gw = props.gateway;
    if (!(gw instanceof MeshGateway)) {
      throw _invalid('gateway', gw, 'it is not a MeshGateway', 'pass the MeshGateway the ALB forwards to');
    }
    const workload = gw._workload;
    const name = props.name !== undefined ? _validateDnsSubdomain('name', props.name) : `${gw.gatewayRef.split('/')[1]}-alb`;
    const certificateArns = props.certificateArns ?? [];
    if (certificateArns.length === 0 && !props.plaintext) {
      throw _invalid('certificateArns', props.certificateArns, 'the ALB would listen on plain HTTP only',
        'pass certificateArns (ACM) to terminate TLS at the ALB, or set plaintext: true for an HTTP-only ALB');
    }
    if (certificateArns.length > 0 && props.plaintext) {
      throw _invalid('plaintext', props.plaintext, 'certificateArns is also set', 'use certificateArns or plaintext, not both');
    }
    certificateArns.forEach((a) => AlbIngress.validateArn(a));
    const dualStack = props.ipAddressType === AlbIpAddressType.DUALSTACK;
    (props.inboundCidrs ?? []).forEach((c) => AlbIngress.validateCidr(c, dualStack));
    const sslPolicy = props.sslPolicy ?? 'ELBSecurityPolicy-TLS13-1-2-2021-06';
    if (!/^ELBSecurityPolicy-[A-Za-z0-9-]+$/.test(sslPolicy)) {
      throw _invalid('sslPolicy', sslPolicy, 'it is not an ELB security policy name', 'use e.g. "ELBSecurityPolicy-TLS13-1-2-2021-06"');
    }
    this.checkEnum('scheme', props.scheme, AlbScheme);
    this.checkEnum('targetType', props.targetType, AlbTargetType);
    this.checkEnum('backendProtocol', props.backendProtocol, AlbBackendProtocol);
    this.checkEnum('ipAddressType', props.ipAddressType, AlbIpAddressType);
    const targetType = props.targetType ?? AlbTargetType.IP;
    if (targetType === AlbTargetType.INSTANCE && workload.serviceTypeExplicit && workload.serviceType === 'ClusterIP') {
      throw _invalid('targetType', targetType, 'instance targets reach pods through a NodePort, and the gateway\'s Service is ClusterIP',
        'use AlbTargetType.IP, or GatewayWorkload.injected({ serviceType: GatewayServiceType.NODE_PORT })');
    }
    this.backendProtocol = props.backendProtocol ?? (gw._servesHttps ? AlbBackendProtocol.HTTPS : AlbBackendProtocol.HTTP);
    this.checkBackend(gw, this.backendProtocol);
    this.backendPort = this.backendProtocol === AlbBackendProtocol.HTTPS ? workload.httpsPort : workload.httpPort;
    this.backendServiceName = workload.serviceName;
    const hosts = props.hosts !== undefined ? this.checkHosts(gw, props.hosts) : undefined;
    // gateway pods the library deploys get the Service type the ALB needs (no second cloud load balancer)
    workload.frontWithAlb?.(targetType === AlbTargetType.INSTANCE);

    const annotations: { [key: string]: string } = {
      [`${ALB}/scheme`]: props.scheme ?? AlbScheme.INTERNAL,
      [`${ALB}/target-type`]: targetType,
      [`${ALB}/backend-protocol`]: this.backendProtocol,
      // the proxy's readiness endpoint answers plain HTTP on the status port, whatever the traffic protocol;
      // instance targets reach it through the Service's named port (its NodePort)
      [`${ALB}/healthcheck-port`]: targetType === AlbTargetType.IP ? String(STATUS_PORT) : 'status-port',
      [`${ALB}/healthcheck-path`]: READY_PATH,
      [`${ALB}/healthcheck-protocol`]: 'HTTP',
      [`${ALB}/ip-address-type`]: props.ipAddressType ?? AlbIpAddressType.IPV4,
    };
    if (certificateArns.length > 0) {
      annotations[`${ALB}/certificate-arn`] = certificateArns.join(',');
      annotations[`${ALB}/listen-ports`] = '[{"HTTP":80},{"HTTPS":443}]';
      annotations[`${ALB}/ssl-redirect`] = '443';
      annotations[`${ALB}/ssl-policy`] = sslPolicy;
    } else {
      annotations[`${ALB}/listen-ports`] = '[{"HTTP":80}]';
    }
    if (props.inboundCidrs && props.inboundCidrs.length > 0) annotations[`${ALB}/inbound-cidrs`] = props.inboundCidrs.join(',');

    const backend = { service: { name: this.backendServiceName, port: { number: this.backendPort } } };
    this.apiObject = new ApiObject(this, 'Resource', {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'Ingress',
      metadata: {
        name,
        namespace: workload.namespace,
        annotations: Object.fromEntries(Object.entries(annotations).sort(([a], [b]) => a.localeCompare(b))),
      },
      spec: Lazy.any({
        produce: () => ({
          ingressClassName: 'alb',
          rules: (hosts ?? gw.hosts).map((host) => ({ host, http: { paths: [{ path: '/', pathType: 'Prefix', backend }] } })),
        }),
      }),
    });
    this.node.defaultChild = this.apiObject;
    this.node.addValidation({ validate: () => AlbIngress.hostErrors(gw, hosts) });
  }

  private checkEnum(prop: string, value: string | undefined, e: object): void {
    if (value !== undefined && !Object.values(e).includes(value)) {
      throw _invalid(prop, value, 'the AWS Load Balancer Controller rejects this value', `use one of ${Object.values(e).map((v) => JSON.stringify(v)).join(', ')}`);
    }
  }

  /** The ALB's backend must be a port the gateway serves routes on (a redirect there would loop). */
  private checkBackend(gw: MeshGateway, protocol: AlbBackendProtocol): void {
    if (protocol === AlbBackendProtocol.HTTPS) {
      if (!gw._servesHttps) {
        throw _invalid('backendProtocol', protocol, `gateway '${gw.gatewayRef}' does not terminate TLS on port 443`,
          'use AlbBackendProtocol.HTTP, or give the gateway tls: GatewayTls.simple({ credentialName })');
      }
      if (gw._tlsMode === GatewayTlsMode.MUTUAL || gw._tlsMode === GatewayTlsMode.ISTIO_MUTUAL) {
        throw _invalid('backendProtocol', protocol, `gateway '${gw.gatewayRef}' requires client certificates (${gw._tlsMode}), which an ALB never presents`,
          'use GatewayTls.simple() on the gateway behind an ALB');
      }
    } else if (!gw._servesPlainHttp) {
      throw _invalid('backendProtocol', protocol, `gateway '${gw.gatewayRef}' answers plain HTTP with a redirect to HTTPS, so the ALB's requests would loop`,
        'keep AlbBackendProtocol.HTTPS (re-encryption), or set plainHttpRoutes: true on the gateway');
    }
  }

  private checkHosts(gw: MeshGateway, hosts: string[]): string[] {
    if (hosts.length === 0) throw _invalid('hosts', hosts, 'an empty host list forwards nothing', 'list the hosts, or leave hosts out');
    for (const h of hosts) {
      if (typeof h !== 'string' || !/^(\*\.)?[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)+$/.test(h)) {
        throw _invalid('hosts', h, 'an Ingress host is a lowercase DNS name, optionally with a leading "*."', 'use e.g. "shop.example.com"');
      }
      // hosts added by expose() later are checked at synth
      if (gw._hostsFixed) AlbIngress.checkServed(gw, h);
    }
    return [...hosts];
  }

}
