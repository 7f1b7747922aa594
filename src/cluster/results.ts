/** What apply, diff and delete report per object, and the progress events they send. */
import type { KubeObject } from '../core/adapter.js';

export type DryRun = 'none' | 'client' | 'server';
export type Action = 'created' | 'configured' | 'unchanged' | 'pruned' | 'deleted' | 'not-found' | 'skipped';

export interface ObjectResult {
  readonly apiVersion: string;
  readonly kind: string;
  readonly namespace?: string;
  readonly name: string;
  action: Action;
  /** False until the write was made (always false for dry runs and unchanged objects). */
  written: boolean;
}

export interface ProgressEvent {
  readonly phase: 'validate' | 'write' | 'prune' | 'delete' | 'wait';
  readonly done: number;
  readonly total: number;
  readonly object?: ObjectResult;
}

/** Awaited after each step: progress display, and a hook for fault-injection tests. */
export type ProgressHook = (event: ProgressEvent) => void | Promise<void>;

export function resultOf(t: { object: KubeObject }, action: Action): ObjectResult {
  const md = t.object.metadata;
  return {
    apiVersion: t.object.apiVersion,
    kind: t.object.kind,
    ...(md.namespace ? { namespace: md.namespace } : {}),
    name: md.name,
    action,
    written: false,
  };
}
