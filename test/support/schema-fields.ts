/**
 * Every field of a kind's JSON Schema (`src/core/model/schema.ts`), written the way the feature
 * families write field paths: `TrafficPolicy.spec.rules[].matches[].path.exact`.
 */
import { KIND_SCHEMAS, type Kind } from '../../src/core/model/schema.js';

interface Schema {
  type?: string;
  properties?: Record<string, Schema>;
  items?: Schema;
  patternProperties?: Record<string, Schema>;
  additionalProperties?: Schema | boolean;
}

export interface SchemaField {
  /** With `[]` for list entries. */
  readonly path: string;
  /** No fields below it: a scalar (an entry of a list of scalars too) or a map (labels, headers). */
  readonly leaf: boolean;
  /** A map of names to values (`versions`, `labels`, `set`): users name a key below it. */
  readonly map: boolean;
}

export function schemaFields(kind: Kind): SchemaField[] {
  const out: SchemaField[] = [];
  const visit = (s: Schema, path: string) => {
    if (s.type === 'array' && s.items) {
      // The list itself (`backends`) and its entries (`backends[]`), which are what has fields.
      out.push({ path, leaf: false, map: false });
      visit(s.items, `${path}[]`);
      return;
    }
    const props = Object.entries(s.properties ?? {});
    out.push({ path, leaf: props.length === 0, map: s.type === 'object' && props.length === 0 });
    for (const [name, child] of props) visit(child, `${path}.${name}`);
  };
  visit(KIND_SCHEMAS[kind] as unknown as Schema, kind);
  return out;
}

/** A field path as users type it to `anymesh explain`: without `[]`. */
export const explainPath = (path: string) => path.replaceAll('[]', '');
