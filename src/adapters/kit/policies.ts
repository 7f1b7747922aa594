/** Splitting a compile's input by kind, the first thing every adapter does. */
import type { PolicyDoc } from '../../core/model/policy-doc.js';
import type { AccessPolicy, BackendPolicy, MTLSPolicy, TrafficPolicy } from '../../core/model/schema.js';

export interface PoliciesByKind {
  readonly traffic: PolicyDoc<TrafficPolicy>[];
  readonly access: PolicyDoc<AccessPolicy>[];
  readonly mtls: PolicyDoc<MTLSPolicy>[];
  readonly backend: PolicyDoc<BackendPolicy>[];
}

/** The policies an adapter compiles, by kind, each in input order. */
export function byKind(policies: readonly PolicyDoc[]): PoliciesByKind {
  const of = <P extends PolicyDoc['policy']>(kind: string) =>
    policies.filter((p) => p.kind === kind) as unknown as PolicyDoc<P>[];
  return {
    traffic: of<TrafficPolicy>('TrafficPolicy'),
    access: of<AccessPolicy>('AccessPolicy'),
    mtls: of<MTLSPolicy>('MTLSPolicy'),
    backend: of<BackendPolicy>('BackendPolicy'),
  };
}
