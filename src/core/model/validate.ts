/**
 * Turns loaded documents into typed policies, or into diagnostics that say where and what is wrong
 * and what would be right. Schema validation (ajv, compiled once per kind) comes first; semantic
 * checks (`semantic.ts`) run on documents whose shape is right.
 */
import { createRequire } from 'node:module';
import type { Ajv, ErrorObject, ValidateFunction } from 'ajv';
import { type Diagnostic, diag } from '../diagnostics.js';
import type { LoadedDocument } from '../loader/loader.js';
import { type FieldPath, formatPath } from '../loader/positions.js';
import { parseDuration } from './duration.js';
import { clip, clipParams, closest } from './echo.js';
import { DEFAULT_NAMESPACE, makePolicyDoc, type PolicyDoc } from './policy-doc.js';
import { PRECOMPILED } from './precompiled-validators.js';
import { API_VERSION, DURATION_PATTERN, KIND_SCHEMAS, KINDS, type Kind, type Policy } from './schema.js';
import { checkSemantics, checkUniqueness } from './semantic.js';

let ajv: Ajv | undefined;
const validators = new Map<Kind, ValidateFunction>();

/** The options every validator is compiled with, here and at build time (scripts/bundle-cli.mjs). */
export const AJV_OPTIONS = { allErrors: true, strict: false, verbose: true } as const;

/**
 * A kind's validator: the one compiled at build time when the CLI bundle has it, else compiled the
 * first time a document of that kind is seen and then reused (compiling every kind's schema up
 * front cost ~0.2 s of a one-file `anymesh validate`). ajv itself is loaded only for that.
 */
export function validatorFor(kind: Kind): ValidateFunction {
  let v = validators.get(kind) ?? PRECOMPILED[kind];
  if (!v) {
    if (!ajv) {
      const { Ajv: AjvClass } = createRequire(import.meta.url)('ajv') as typeof import('ajv');
      ajv = new AjvClass(AJV_OPTIONS);
    }
    v = ajv.compile(KIND_SCHEMAS[kind]);
    validators.set(kind, v);
  }
  return v;
}

export interface ValidationResult {
  readonly policies: PolicyDoc[];
  readonly diagnostics: Diagnostic[];
}

export function validateDocuments(
  docs: readonly LoadedDocument[],
  defaultNamespace: string = DEFAULT_NAMESPACE,
): ValidationResult {
  const policies: PolicyDoc[] = [];
  const diagnostics: Diagnostic[] = [];
  for (const doc of docs) {
    const r = validateDocument(doc, defaultNamespace);
    for (const d of r.diagnostics) diagnostics.push(d);
    if (r.policy) policies.push(r.policy);
  }
  for (const d of checkUniqueness(policies)) diagnostics.push(d);
  return { policies, diagnostics };
}

export function validateDocument(
  doc: LoadedDocument,
  defaultNamespace: string = DEFAULT_NAMESPACE,
): { policy?: PolicyDoc; diagnostics: Diagnostic[] } {
  const ctx = (path: FieldPath, key = false) => ({
    location: doc.positions.locate(doc.index, path, key),
    path: formatPath(path),
  });
  const v = doc.value;
  if (typeof v !== 'object' || v === null || Array.isArray(v)) {
    const got = Array.isArray(v) ? 'a list' : `a ${typeof v} (${JSON.stringify(v)?.slice(0, 40)})`;
    return { diagnostics: [diag('NotAnObject', { got }, ctx([]))] };
  }
  const obj = v as Record<string, unknown>;
  if (obj.apiVersion !== API_VERSION) {
    return {
      diagnostics: [
        diag(
          'UnknownApiVersion',
          clipParams({
            got: obj.apiVersion === undefined ? 'missing' : JSON.stringify(obj.apiVersion),
            expected: API_VERSION,
          }),
          ctx(obj.apiVersion === undefined ? [] : ['apiVersion']),
        ),
      ],
    };
  }
  const kind = obj.kind;
  if (typeof kind !== 'string' || !(KINDS as string[]).includes(kind)) {
    return {
      diagnostics: [
        diag(
          'UnknownKind',
          clipParams({
            got: kind === undefined ? 'missing' : JSON.stringify(kind),
            expected: KINDS.join(', '),
          }),
          ctx(kind === undefined ? [] : ['kind']),
        ),
      ],
    };
  }
  const validate = validatorFor(kind as Kind);
  const ok = validate(v);
  const schemaErrors = ok ? [] : schemaDiagnostics(validate.errors ?? [], ctx);
  if (ok) {
    const policy = makePolicyDoc(doc, kind as Kind, v as Policy, defaultNamespace);
    return { policy, diagnostics: checkSemantics(policy) };
  }
  // Semantic checks run on malformed documents too, so that every problem is reported at once;
  // they stay quiet about any field related to one the schema already rejected, and a check that
  // trips over a value of the wrong type is simply skipped (the schema error covers it).
  // Without a metadata.name there is no policy to name: the schema errors are all there is. (This
  // check used to come after makePolicyDoc, which threw a TypeError on a missing or null metadata.)
  if (
    !(
      obj.metadata &&
      typeof obj.metadata === 'object' &&
      typeof (obj.metadata as { name?: unknown }).name === 'string'
    )
  ) {
    return { diagnostics: schemaErrors };
  }
  const policy = makePolicyDoc(doc, kind as Kind, v as Policy, defaultNamespace);
  const rejected = schemaErrors.map((d) => d.path ?? '');
  const related = (path: string) =>
    rejected.some(
      (r) =>
        r === path ||
        r.startsWith(`${path}.`) ||
        r.startsWith(`${path}[`) ||
        path.startsWith(`${r}.`) ||
        path.startsWith(`${r}[`) ||
        r === '' ||
        path === '',
    );
  let semantic: Diagnostic[] = [];
  try {
    semantic = checkSemantics(policy).filter((d) => !related(d.path ?? ''));
  } catch {
    semantic = [];
  }
  return { diagnostics: [...schemaErrors, ...semantic] };
}

function toPath(instancePath: string): (string | number)[] {
  if (!instancePath) return [];
  return instancePath
    .slice(1)
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((s) => (/^\d+$/.test(s) ? Number(s) : s));
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  if (typeof value === 'string')
    return `the string ${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}...` : value)}`;
  return `${typeof value} ${String(value)}`;
}

type Ctx = (path: FieldPath, key?: boolean) => { location: Diagnostic['location']; path: string };

/** Maps ajv's errors to diagnostics: one per problem, deduplicated, with positions and hints. */
function schemaDiagnostics(errors: readonly ErrorObject[], ctx: Ctx): Diagnostic[] {
  const out: Diagnostic[] = [];
  const seen = new Set<string>();
  // An error on a union's branch is noise when the union as a whole reports; and `if`/`anyOf`
  // wrappers repeat their children. Keep the specific ones.
  for (const e of errors) {
    const path = toPath(e.instancePath);
    const key = `${e.instancePath}|${e.keyword}|${JSON.stringify(e.params)}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const props = Object.keys((e.parentSchema as { properties?: object } | undefined)?.properties ?? {});
    switch (e.keyword) {
      case 'required': {
        const field = (e.params as { missingProperty: string }).missingProperty;
        const fieldSchema = (e.parentSchema as { properties?: Record<string, { description?: string }> })
          .properties?.[field];
        out.push(
          diag(
            'SchemaRequired',
            { field, hint: fieldSchema?.description ? `add it: ${fieldSchema.description}` : 'add it' },
            ctx(path),
          ),
        );
        break;
      }
      case 'additionalProperties': {
        const field = (e.params as { additionalProperty: string }).additionalProperty;
        const guess = closest(field, props);
        const hint = guess ? `did you mean ${guess}?` : `allowed here: ${props.join(', ') || 'none'}`;
        // Located by the full key; the path shows it shortened like the message does.
        const shown = clip(field);
        const d = { ...ctx([...path, field], true), path: formatPath([...path, shown]) };
        out.push(diag('SchemaUnknownField', clipParams({ field, hint }), { ...d }));
        break;
      }
      case 'type': {
        const expected = (e.params as { type: string }).type;
        const words: Record<string, string> = {
          object: 'a mapping',
          array: 'a list',
          string: 'a string',
          integer: 'a whole number',
          number: 'a number',
          boolean: 'true or false',
        };
        out.push(
          diag('SchemaType', { expected: words[expected] ?? expected, got: describe(e.data) }, ctx(path)),
        );
        break;
      }
      case 'enum':
      case 'const': {
        const allowed =
          e.keyword === 'enum'
            ? (e.params as { allowedValues: unknown[] }).allowedValues
            : [(e.params as { allowedValue: unknown }).allowedValue];
        const got = String(e.data);
        const guess = closest(got, allowed.map(String));
        out.push(
          diag(
            'SchemaEnum',
            {
              // The user's value, shortened: a 20 MB string must not become a 20 MB message.
              got: clip(JSON.stringify(e.data)),
              expected: allowed.join(', ') + (guess ? ` (did you mean ${guess}?)` : ''),
            },
            ctx(path),
          ),
        );
        break;
      }
      case 'minimum':
      case 'maximum':
      case 'exclusiveMinimum':
      case 'exclusiveMaximum': {
        const p = e.params as { comparison: string; limit: number };
        const s = e.parentSchema as { minimum?: number; maximum?: number };
        const expected =
          s.minimum !== undefined && s.maximum !== undefined
            ? `from ${s.minimum} to ${s.maximum}`
            : `${p.comparison} ${p.limit}`;
        out.push(diag('SchemaRange', { got: String(e.data), expected }, ctx(path)));
        break;
      }
      case 'pattern': {
        // A duration is reported as BadDuration (AM2013), the same code whether the schema's
        // pattern or parseDuration refuses it; before, "1d" was AM2006 and "1.0005s" AM2013.
        if ((e.params as { pattern?: string }).pattern === DURATION_PATTERN && typeof e.data === 'string') {
          const parsed = parseDuration(e.data);
          const reason = 'error' in parsed ? parsed.error : 'write a number and a unit, e.g. 250ms, 3s, 1m';
          out.push(diag('BadDuration', clipParams({ got: JSON.stringify(e.data), reason }), ctx(path)));
          break;
        }
        const description =
          (e.parentSchema as { description?: string }).description ?? 'in the expected format';
        out.push(
          diag(
            'SchemaPattern',
            clipParams({ got: JSON.stringify(e.data), expected: `valid: ${description}` }),
            ctx(path),
          ),
        );
        break;
      }
      case 'minItems':
        out.push(
          diag(
            'SchemaOther',
            { reason: `must have at least ${(e.params as { limit: number }).limit} entry` },
            ctx(path),
          ),
        );
        break;
      case 'minProperties':
      case 'maxProperties': {
        const s = e.parentSchema as { minProperties?: number; maxProperties?: number; description?: string };
        if (s.minProperties === 1 && s.maxProperties === 1) {
          out.push(diag('MatchKind', { expected: props.join(', ') }, ctx(path)));
        } else {
          out.push(
            diag(
              'SchemaOther',
              { reason: `must not be empty: ${s.description ?? 'give at least one field'}` },
              ctx(path),
            ),
          );
        }
        break;
      }
      default:
        out.push(diag('SchemaOther', { reason: e.message ?? 'invalid' }, ctx(path)));
    }
  }
  // Several keywords can fail with the same words at the same place (a NaN percentage fails both
  // minimum and maximum): report each distinct diagnostic once.
  const distinct = new Set<string>();
  return out.filter((d) => {
    const k = `${d.code}|${d.path}|${d.message}`;
    if (distinct.has(k)) return false;
    distinct.add(k);
    return true;
  });
}
