/**
 * `anymesh explain`: a field of the model described from the same schema that validates it, and
 * its support on each mesh from the same matrix the compiler uses.
 */
import type { MeshAdapter } from '../adapter.js';
import { columnOf } from '../columns.js';
import { FAMILIES, FEATURE_IDS, type FeatureDef, type FeatureId, selectFeatures } from '../features/index.js';
import { KIND_SCHEMAS, KINDS, type Kind } from './schema.js';

interface Schema {
  type?: string;
  description?: string;
  properties?: Record<string, Schema>;
  required?: string[];
  items?: Schema;
  patternProperties?: Record<string, Schema>;
  additionalProperties?: Schema | boolean;
  enum?: unknown[];
  const?: unknown;
  pattern?: string;
  minimum?: number;
  maximum?: number;
}

/** A field (as users type it, without `[]`) and the feature ids explained for it and below it. */
interface ExplainEntry {
  readonly field: string;
  readonly ids: ReadonlySet<FeatureId>;
  /** Fields below it are explained as this entry even where a feature claims them. */
  readonly whole: boolean;
}

/**
 * From the feature families: each feature for the fields that use or configure it, and each
 * family's groups (`TrafficPolicy.spec.rules.retries` -> every retries feature).
 */
const EXPLAIN_TABLE: readonly ExplainEntry[] = FAMILIES.flatMap((family) => [
  ...family.features.flatMap((f: FeatureDef<FeatureId>) =>
    [...f.uses.map((u) => u.field), ...(f.related ?? [])].map((field) => ({
      field: field.replaceAll('[]', ''),
      ids: new Set([f.id]),
      whole: false,
    })),
  ),
  ...family.explain.map((g) => ({
    field: g.field,
    ids: new Set(selectFeatures(g.features)),
    whole: g.whole === true,
  })),
]);

/**
 * The features a field takes part in: those of the longest matching entry (all of them where
 * several entries name the same field), stopping at a `whole` group; in catalogue order.
 */
export function featuresForField(kind: string, fieldPath: readonly string[]): FeatureId[] {
  const full = [kind, ...fieldPath].join('.');
  let matching = EXPLAIN_TABLE.filter((e) => full === e.field || full.startsWith(`${e.field}.`));
  const whole = Math.max(-1, ...matching.filter((e) => e.whole).map((e) => e.field.length));
  if (whole >= 0) matching = matching.filter((e) => e.field.length <= whole);
  const longest = Math.max(-1, ...matching.map((e) => e.field.length));
  const ids = new Set(matching.filter((e) => e.field.length === longest).flatMap((e) => [...e.ids]));
  return FEATURE_IDS.filter((f) => ids.has(f));
}

function typeName(s: Schema): string {
  if (s.enum) return `enum: ${s.enum.join(' | ')}`;
  // A constant is shown as YAML writes it: a string quoted, true or a number as is.
  if (s.const !== undefined) return typeof s.const === 'string' ? `"${s.const}"` : String(s.const);
  if (s.type === 'array') return `[]${s.items ? typeName(s.items) : ''}`;
  if (s.type === 'object' && !s.properties) return 'map[string]string';
  return s.type ?? 'object';
}

function child(s: Schema, segment: string): Schema | undefined {
  let cur: Schema | undefined = s;
  if (cur.type === 'array') cur = cur.items;
  if (!cur) return undefined;
  if (cur.properties?.[segment]) return cur.properties[segment];
  if (cur.patternProperties) return Object.values(cur.patternProperties)[0];
  if (cur.additionalProperties && typeof cur.additionalProperties === 'object')
    return cur.additionalProperties;
  return undefined;
}

export function explainField(
  path: string,
  adapters: readonly MeshAdapter[],
  /** Adapter options (`--option`): each mesh's support is read from the column they select. */
  options: Readonly<Record<string, string>> = {},
): { text: string } | { error: string } {
  const [kindText, ...segments] = path.split('.').filter(Boolean);
  const kind = KINDS.find((k) => k.toLowerCase() === (kindText ?? '').toLowerCase()) as Kind | undefined;
  if (!kind)
    return {
      error: `unknown kind ${JSON.stringify(kindText ?? '')}: start the path with one of ${KINDS.join(', ')}`,
    };
  let schema = KIND_SCHEMAS[kind] as unknown as Schema;
  let parent: Schema | undefined;
  for (let i = 0; i < segments.length; i++) {
    const next = child(schema, segments[i]!);
    if (!next) {
      const here = schema.type === 'array' ? schema.items : schema;
      const known = Object.keys(here?.properties ?? {});
      return {
        error: `${kind}.${segments.slice(0, i + 1).join('.')} does not exist${known.length ? `; fields here: ${known.join(', ')}` : ''}`,
      };
    }
    parent = schema.type === 'array' ? schema.items : schema;
    schema = next;
  }
  const last = segments[segments.length - 1];
  const required = last !== undefined && parent?.required?.includes(last);
  const lines = [
    `KIND:     ${kind}`,
    `VERSION:  anymesh.dev/v1alpha1`,
    '',
    `FIELD:    ${segments.join('.') || '(document)'} <${typeName(schema)}>${required ? ' -required-' : ''}`,
    '',
    'DESCRIPTION:',
    `    ${schema.description ?? '(none)'}`,
  ];
  const body = schema.type === 'array' ? schema.items : schema;
  if (body?.properties) {
    lines.push('', 'FIELDS:');
    for (const [name, s] of Object.entries(body.properties)) {
      lines.push(`    ${name}\t<${typeName(s)}>${body.required?.includes(name) ? ' -required-' : ''}`);
      lines.push(`      ${s.description ?? ''}`);
    }
  }
  const features = featuresForField(kind, segments);
  if (features.length && adapters.length) {
    lines.push('', 'SUPPORT:');
    const width = Math.max(...features.map((f) => f.length)) + 2;
    const text = (a: MeshAdapter, f: FeatureId) => {
      const c = columnOf(a, options)[f];
      return `${c.support}${c.minVersion && c.support !== 'none' ? ` ${c.minVersion}+` : ''}`;
    };
    // Each mesh column as wide as its widest cell, so cells never run together.
    const cols = adapters.map((a) => Math.max(a.id.length, ...features.map((f) => text(a, f).length)) + 2);
    lines.push(
      `    ${'feature'.padEnd(width)}${adapters.map((a, i) => a.id.padEnd(cols[i]!)).join('')}`.trimEnd(),
    );
    for (const f of features) {
      const cells = adapters.map((a, i) => text(a, f).padEnd(cols[i]!));
      lines.push(`    ${f.padEnd(width)}${cells.join('')}`.trimEnd());
    }
    // What behaves differently where support is partial or emulated.
    const differs = features.flatMap((f) =>
      adapters
        .filter((a) => ['partial', 'emulated'].includes(columnOf(a, options)[f].support))
        .map((a) => {
          const c = columnOf(a, options)[f];
          return `    ${a.id} ${f} (${c.support}): ${c.differs ?? c.reason}`;
        }),
    );
    if (differs.length) lines.push('', 'DIFFERS:', ...differs);
    lines.push('', '    `anymesh capabilities --feature <id>` says why, and what differs.');
  }
  return { text: `${lines.join('\n')}\n` };
}
