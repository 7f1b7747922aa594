/**
 * A policy that passed validation, as every later stage sees it: the parsed policy with its kind,
 * its reference (`Kind/namespace/name`) and the way back to its source position.
 */
import type { LoadedDocument } from '../loader/loader.js';
import { type FieldPath, formatPath } from '../loader/positions.js';
import type { Kind, Policy } from './schema.js';

export interface PolicyDoc<P extends Policy = Policy> {
  readonly kind: Kind;
  readonly policy: P;
  /** `Kind/namespace/name`: how diagnostics and annotations name the policy. */
  readonly ref: string;
  readonly namespace: string;
  readonly name: string;
  readonly file: string;
  readonly index: number;
  /** Diagnostic context for a field of this policy. */
  at(
    path: FieldPath,
    key?: boolean,
  ): { location: ReturnType<LoadedDocument['positions']['locate']>; path: string; policy: string };
}

export const DEFAULT_NAMESPACE = 'default';

export function makePolicyDoc(
  doc: LoadedDocument,
  kind: Kind,
  policy: Policy,
  defaultNamespace: string = DEFAULT_NAMESPACE,
): PolicyDoc {
  const namespace = policy.metadata.namespace ?? defaultNamespace;
  const name = policy.metadata.name;
  const ref = `${kind}/${namespace}/${name}`;
  return {
    kind,
    policy,
    ref,
    namespace,
    name,
    file: doc.file,
    index: doc.index,
    at: (path, key = false) => ({
      location: doc.positions.locate(doc.index, path, key),
      path: formatPath(path),
      policy: ref,
    }),
  };
}
