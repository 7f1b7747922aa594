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
  /** No properties below it: a scalar, a list of scalars, or a map (labels, header values). */
  readonly leaf: boolean;
  /** A map of names to values (`versions`, `labels`, `set`): users name a key below it. */
  readonly map: boolean;
}

export function schemaFields(kind: Kind): SchemaField[] {
  const out: SchemaField[] = [];
  const visit = (s: Schema, path: string) => {
    let body = s;
    let at = path;
    while (body.type === 'array' && body.items) {
      body = body.items;
      at = `${at}[]`;
    }
    const props = Object.entries(body.properties ?? {});
    out.push({
      path: at,
      leaf: props.length === 0,
      map: body.type === 'object' && props.length === 0,
    });
    for (const [name, child] of props) visit(child, `${at}.${name}`);
  };
  visit(KIND_SCHEMAS[kind] as unknown as Schema, kind);
  return out;
}

/** A field path as users type it to `anymesh explain`: without `[]`. */
export const explainPath = (path: string) => path.replaceAll('[]', '');
