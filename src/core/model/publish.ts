/**
 * The JSON Schemas as published for editors and other tools (`anymesh schema`, the package's
 * schemas/ folder): plain draft-07 JSON, one per kind plus one that accepts any kind.
 */
import { registeredMeshIds } from '../mesh-ids.js';
import { KIND_SCHEMAS, KINDS, type Kind, RETRY_ON } from './schema.js';

const DRAFT = 'http://json-schema.org/draft-07/schema#';
export const SCHEMA_BASE = 'https://anymesh.dev/schemas/v1alpha1';

/**
 * A kind's schema as plain JSON (TypeBox's symbol keys dropped). The mesh of a MeshInstallation is
 * published as an enum of the registered meshes, so editors complete it.
 */
function plain(kind: Kind): Record<string, unknown> {
  const schema = JSON.parse(JSON.stringify(KIND_SCHEMAS[kind])) as Record<string, unknown>;
  if (kind === 'TrafficPolicy') {
    // retryOn is a closed vocabulary plus HTTP status codes: published as exactly that, so editors
    // complete and flag it. The validator keeps a plain string list, and semantic.ts says "use one
    // of ..." once (AM2xxx RetryOn) instead of one error per alternative.
    const rules = (schema.properties as Record<string, FieldSchema>).spec?.properties?.rules;
    const retryOn = rules?.items?.properties?.retries?.properties?.retryOn;
    if (retryOn)
      retryOn.items = {
        type: 'string',
        anyOf: [
          { type: 'string', enum: [...RETRY_ON] },
          { type: 'string', pattern: '^[1-5][0-9][0-9]$', description: 'An HTTP status code, e.g. "503".' },
        ],
      } as FieldSchema;
  }
  if (kind === 'MeshInstallation') {
    const spec = (schema.properties as Record<string, { properties: Record<string, unknown> }>).spec!;
    const ids = registeredMeshIds();
    spec.properties.mesh = {
      type: 'string',
      enum: [...ids],
      description: `The mesh: ${ids.join(', ')}. Required.`,
    };
  }
  return schema;
}

export function kindSchema(kind: Kind): Record<string, unknown> {
  return { $schema: DRAFT, ...plain(kind) };
}

/** One schema for any anymesh document, dispatching on `kind` (what yaml-language-server needs). */
export function allKindsSchema(): Record<string, unknown> {
  const definitions = Object.fromEntries(
    KINDS.map((k) => {
      const { $id: _id, ...rest } = plain(k);
      return [k, rest];
    }),
  );
  return {
    $schema: DRAFT,
    $id: `${SCHEMA_BASE}/all.json`,
    title: 'anymesh policy',
    description: `Any anymesh document: ${KINDS.join(', ')}.`,
    type: 'object',
    required: ['apiVersion', 'kind'],
    allOf: KINDS.map((k) => ({
      if: { properties: { kind: { const: k } }, required: ['kind'] },
      // biome-ignore lint/suspicious/noThenProperty: JSON Schema's if/then, not a thenable
      then: { $ref: `#/definitions/${k}` },
    })),
    properties: { kind: { enum: [...KINDS] } },
    definitions,
  };
}

/** File name -> content of everything published under schemas/. */
export function publishedSchemas(): Record<string, string> {
  const files: Record<string, string> = { 'all.json': `${JSON.stringify(allKindsSchema(), null, 2)}\n` };
  for (const k of KINDS) files[`${k}.json`] = `${JSON.stringify(kindSchema(k), null, 2)}\n`;
  return files;
}

interface FieldSchema {
  type?: string;
  description?: string;
  properties?: Record<string, FieldSchema>;
  required?: string[];
  items?: FieldSchema;
  patternProperties?: Record<string, FieldSchema>;
  enum?: unknown[];
  const?: unknown;
}

/** docs/policy-model.md: every field of every kind, from the same schema that validates them. */
export function modelMarkdown(): string {
  const lines = [
    '# Policy model (anymesh.dev/v1alpha1)',
    '',
    '<!-- Generated from src/core/model/schema.ts by `npm run docs`; the registry test keeps it in sync. -->',
    '',
    'Durations are strings such as `250ms`, `3s`, `1m`, `1h30m`; percentages are numbers from 0 to 100; weights are integers summing to 100 within a rule. `[]` marks a list, `{}` a map.',
    '',
    '**Several TrafficPolicies for one service.** Rules are ordered, the first match wins. Across policies for the same service, a policy with `sources` comes before one without (it overrides the default for its callers), and one with `port` before one without; between equally specific policies the order is by name, and two of them whose rules catch the same request with different settings are a conflict (AM3011), since meshes break such ties differently. A mesh that cannot honour this order says so when compiling.',
    '',
  ];
  const walk = (s: FieldSchema, path: string, required: boolean) => {
    const type = s.enum
      ? s.enum.join(' \\| ')
      : s.const !== undefined
        ? String(s.const)
        : s.type === 'array'
          ? `[]${s.items?.type ?? ''}`
          : (s.type ?? 'object');
    if (path)
      lines.push(
        `| \`${path}\` | ${type} | ${required ? 'yes' : ''} | ${(s.description ?? '').replace(/\|/g, '\\|')} |`,
      );
    const body = s.type === 'array' ? s.items : s;
    if (body?.properties) {
      for (const [k, v] of Object.entries(body.properties))
        walk(
          v,
          path ? `${path}${s.type === 'array' ? '[]' : ''}.${k}` : k,
          body.required?.includes(k) ?? false,
        );
    } else if (body?.patternProperties) {
      const v = Object.values(body.patternProperties)[0];
      if (v?.properties || v?.patternProperties) walk(v, `${path}.<name>`, false);
    }
  };
  for (const k of KINDS) {
    const schema = plain(k) as FieldSchema;
    lines.push(
      `## ${k}`,
      '',
      schema.description ?? '',
      '',
      '| field | type | required | description |',
      '|---|---|---|---|',
    );
    walk(schema, '', false);
    lines.push('');
  }
  return `${lines.join('\n')}\n`;
}
