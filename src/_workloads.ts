/**
 * Workloads and Services the library creates itself (CanaryService's, JaegerAllInOne), as plain objects that
 * render exactly what cdk8s-plus renders for a Deployment at the same construct path (a drift test in
 * test/patterns/canary-service.test.ts compares them): its secure pod defaults (non-root, no service
 * account token), rolling updates of 25%, and its address label `cdk8s.io/metadata.addr` on the pods.
 * Plain, so the library needs no cdk8s-plus at run time and large meshes render fast (BENCHMARKS.md).
 *
 * Internal: not part of the public API.
 */
import { ApiObject, Names } from 'cdk8s';
import { Construct } from 'constructs';

/** What differs between the created Deployments. @internal */
export interface _PlainDeployment {
  readonly metadata: { readonly name: string; readonly namespace: string; readonly labels?: { [key: string]: string } };
  readonly replicas: number;
  /** The selector's labels; undefined: the pods are selected by their address label, as cdk8s-plus does. */
  readonly selector?: { [key: string]: string };
  /** The pod labels (the address label is added). */
  readonly podLabels: { [key: string]: string };
  /** The containers, rendered (with their own security context, resources and probes). */
  readonly containers: Array<{ [field: string]: unknown }>;
  readonly serviceAccountName?: string;
  readonly volumes?: Array<{ [field: string]: unknown }>;
}

/**
 * A Deployment with cdk8s-plus' defaults around the given containers.
 * @internal
 */
export function _plainDeployment(scope: Construct, id: string, d: _PlainDeployment): ApiObject {
  const selector: { [key: string]: string } = { ...d.selector };
  const podLabels: { [key: string]: string } = { ...d.podLabels };
  const deployment = new ApiObject(scope, id, {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: d.metadata,
    spec: {
      minReadySeconds: 0,
      progressDeadlineSeconds: 600,
      replicas: d.replicas,
      selector: { matchLabels: selector },
      strategy: { rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' }, type: 'RollingUpdate' },
      template: {
        metadata: { labels: podLabels },
        spec: {
          automountServiceAccountToken: false,
          containers: d.containers,
          dnsPolicy: 'ClusterFirst',
          hostNetwork: false,
          restartPolicy: 'Always',
          securityContext: { fsGroupChangePolicy: 'Always', runAsNonRoot: true },
          serviceAccountName: d.serviceAccountName,
          setHostnameAsFQDN: false,
          terminationGracePeriodSeconds: 30,
          volumes: d.volumes,
        },
      },
    },
  });
  // the label cdk8s-plus derives from the construct path (known only once the object exists)
  const address = Names.toLabelValue(deployment);
  podLabels['cdk8s.io/metadata.addr'] = address;
  if (d.selector === undefined) selector['cdk8s.io/metadata.addr'] = address;
  return deployment;
}

/** A port of a created Service. @internal */
export interface _ServicePortSpec {
  readonly name: string;
  readonly port: number;
  readonly targetPort: number;
}

/**
 * The spec of a ClusterIP Service selecting `selector`, as cdk8s-plus renders it (the library's created
 * Services: CanaryService's, MeshGateway's per-version ones, Jaeger's).
 * @internal
 */
export function _clusterIpServiceSpec(ports: _ServicePortSpec[], selector: { [key: string]: string } | undefined) {
  return { externalIPs: [], ports, selector, type: 'ClusterIP' };
}

/** The container security context cdk8s-plus gives by default. @internal */
export const _CONTAINER_SECURITY = { allowPrivilegeEscalation: false, privileged: false, readOnlyRootFilesystem: true, runAsNonRoot: true };
