// Types of scripts/native-shapes.js, for the unit test that checks the committed digest.
import type { NativeShape } from '../src/core/native-shape.js';

export interface CrdDigest {
  readonly index: Record<string, number>;
  readonly sources: Record<string, string>;
  readonly shapes: NativeShape[];
  /** Kinds asked for that no CRD under the root defines. */
  readonly missing: string[];
}

export const SHAPES_FILE: string;
export function defaultCrdRoot(env?: NodeJS.ProcessEnv): string;
export function digestCrds(root: string, kinds: readonly string[]): CrdDigest;
export function shapesFileText(d: CrdDigest): string;
/** Whether a `group/Kind` can be a CRD's (its group has a dot). */
export function crdKind(groupKind: string): boolean;
