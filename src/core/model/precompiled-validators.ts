/**
 * The validators compiled at build time. In the source tree this is empty and each kind's validator
 * is compiled by ajv when first needed (tests); `npm run build` replaces tsc's output of this module
 * with ajv's standalone code for every kind (scripts/bundle-cli.mjs), so a one-file `validate`
 * neither loads ajv's compiler nor spends ~80 ms generating code for a schema that never changes.
 * test/unit/core/precompiled-validators.test.ts proves both judge every document alike.
 */
import type { ValidateFunction } from 'ajv';
import type { Kind } from './schema.js';

export const PRECOMPILED: Partial<Record<Kind, ValidateFunction>> = {};
