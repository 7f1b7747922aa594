/** Joining the parts of an adapter's output (routing, access, mTLS, ...) into one result. */
import type { AdapterResult, KubeObject } from '../../core/adapter.js';
import type { Diagnostic } from '../../core/diagnostics.js';

export interface ResultPart {
  readonly resources?: readonly KubeObject[];
  readonly diagnostics?: readonly Diagnostic[];
}

/** Resources and diagnostics of every part, in the order given. */
export function mergeResults(...parts: readonly ResultPart[]): AdapterResult {
  return {
    resources: parts.flatMap((p) => p.resources ?? []),
    diagnostics: parts.flatMap((p) => p.diagnostics ?? []),
  };
}
