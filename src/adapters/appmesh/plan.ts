/**
 * The adapter's intermediate form: one plan per service, with its virtual nodes and routes. Routing
 * builds the plans; the security modules add listener TLS and client policies to their nodes; the
 * resources module turns them into App Mesh objects. Keeping this step apart lets every feature
 * family stay in its own module while several of them write to the same VirtualNode.
 */
import type { PolicyDoc } from '../../core/model/policy-doc.js';
import type { Protocol } from '../../core/model/schema.js';

export type Obj = Record<string, unknown>;

/** An App Mesh Duration: whole seconds when exact, else milliseconds (the CRD takes s or ms). */
export function meshDuration(ms: number): { value: number; unit: 's' | 'ms' } {
  return ms % 1000 === 0 ? { value: ms / 1000, unit: 's' } : { value: ms, unit: 'ms' };
}

/** App Mesh's per-request timeout when none is set (AWS API reference, HttpTimeout.perRequest). */
export const DEFAULT_PER_REQUEST_MS = 15_000;

export interface NodePlan {
  /** Kubernetes name of the VirtualNode. */
  readonly name: string;
  readonly namespace: string;
  readonly service: string;
  readonly version?: string;
  readonly podLabels: Record<string, string>;
  readonly hostname: string;
  /** Name of the per-version Service anymesh emits so that `hostname` resolves, if it does. */
  readonly leafService?: string;
  readonly port: number;
  /** The listener protocol: the policy's (App Mesh routes gRPC and TCP by listener protocol). */
  readonly protocol: Protocol;
  /** Policies that shape this node (for the source annotation). */
  readonly sources: PolicyDoc[];
  /** Largest route timeout aimed at this node, when above App Mesh's 15 s default. */
  listenerTimeoutMs?: number;
  /** listeners[].tls, set by the mTLS and access modules. */
  listenerTls?: Obj;
  /** The MTLSPolicy or AccessPolicy whose material the listener TLS uses (for clients' trust). */
  tlsFrom?: PolicyDoc;
  /** listeners[].outlierDetection and .connectionPool, set by the backend module. */
  listenerOutlier?: Obj;
  listenerPool?: Obj;
  listenerHealthCheck?: Obj;
  /** spec.backends[]: virtual services this node calls. */
  backends: { name: string; namespace: string; clientTls?: Obj }[];
}

export interface ServicePlan {
  readonly service: string;
  readonly namespace: string;
  readonly port: number;
  readonly protocol: Protocol;
  readonly policy: PolicyDoc;
  readonly hasVersions: boolean;
  readonly nodes: NodePlan[];
  readonly routes: Obj[];
}

export function serviceKey(namespace: string, service: string): string {
  return `${namespace}/${service}`;
}
