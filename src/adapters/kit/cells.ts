/**
 * Builders for capability cells, shared by every mesh's `capabilities.ts`: a column is mostly
 * `full` cells that name the native field and `none` cells that say why and what to do instead.
 */
import type { CapabilityCell } from '../../core/capabilities.js';

export interface CellDefaults {
  /** The mesh version a `full` cell needs unless it says otherwise. */
  readonly minVersion?: string;
}

export function cellBuilders(defaults: CellDefaults = {}) {
  return {
    /** The mesh expresses the feature natively, with the same behaviour. */
    full: (
      native: string,
      docs: string,
      reason = 'native field',
      minVersion = defaults.minVersion,
    ): CapabilityCell => ({
      support: 'full',
      reason,
      native,
      docs,
      ...(minVersion !== undefined ? { minVersion } : {}),
    }),
    /** The mesh cannot express the feature: why not, and what a user can do instead. */
    none: (reason: string, workaround: string, docs: string): CapabilityCell => ({
      support: 'none',
      reason,
      workaround,
      docs,
    }),
  };
}
