import { IConstruct } from 'constructs';
import { _K8sObject } from './_k8s';
import { _invalid, _validateDnsLabel, _validateDnsSubdomain } from './_utils';

/**
 * What a policy attaches to through `targetRefs` instead of a workload selector: a Service or
 * ServiceEntry (enforced by its waypoint in ambient mode), a Gateway API Gateway (an ingress gateway or
 * a waypoint) or a GatewayClass. Always in the policy's own namespace (Istio rejects cross-namespace
 * references).
 *
 * @example
 * PolicyTargetRef.service('catalog');
 * PolicyTargetRef.gateway('waypoint');
 *
 * @see https://istio.io/latest/docs/reference/config/type/workload-selector/#PolicyTargetReference
 */
export class PolicyTargetRef {
  /**
   * A Kubernetes Service, by name.
   *
   * @param name the Service name, in the policy's namespace
   */
  public static service(name: string): PolicyTargetRef {
    return new PolicyTargetRef('', 'Service', _validateDnsLabel('name', name));
  }

  /**
   * A Service object of the app.
   *
   * @param service the Service: a cdk8s-plus object of any version (27 through 33), a plain `ApiObject`, or
   *   an object imported with `cdk8s import k8s`
   */
  public static fromService(service: IConstruct): PolicyTargetRef {
    return PolicyTargetRef.service(_K8sObject.of('service', service, ['Service'], 'pass the Service, or use PolicyTargetRef.service(name)').name);
  }

  /**
   * An Istio ServiceEntry, by name.
   *
   * @param name the ServiceEntry name, in the policy's namespace
   */
  public static serviceEntry(name: string): PolicyTargetRef {
    return new PolicyTargetRef('networking.istio.io', 'ServiceEntry', _validateDnsSubdomain('name', name));
  }

  /**
   * A Gateway API Gateway (an ingress gateway or a waypoint), by name.
   *
   * @param name the Gateway API Gateway name (an ingress gateway or a waypoint), in the policy's namespace
   */
  public static gateway(name: string): PolicyTargetRef {
    return new PolicyTargetRef('gateway.networking.k8s.io', 'Gateway', _validateDnsSubdomain('name', name));
  }

  /**
   * A Gateway API GatewayClass, by name (policies in the root namespace only).
   *
   * @param name the GatewayClass name, e.g. `istio`
   */
  public static gatewayClass(name: string): PolicyTargetRef {
    if (typeof name !== 'string' || name.length === 0) {
      throw _invalid('name', name, 'it is empty', 'give the GatewayClass name, e.g. "istio"');
    }
    return new PolicyTargetRef('gateway.networking.k8s.io', 'GatewayClass', _validateDnsSubdomain('name', name));
  }

  private constructor(
    /** API group (`""` for the core group). */
    public readonly group: string,
    /** Kind, e.g. `Service`. */
    public readonly kind: string,
    /** Name of the target, in the policy's namespace. */
    public readonly name: string,
  ) {}

  /** A stable key, e.g. `Service/catalog`. */
  public toString(): string {
    return `${this.group ? this.group + '/' : ''}${this.kind}/${this.name}`;
  }
}
