/**
 * CustomResourceDefinitions of the policy kinds, generated from the same JSON Schemas that validate
 * files (src/core/model/schema.ts KIND_SCHEMAS), so `kubectl apply` of a policy is checked by the
 * API server the way `anymesh validate` checks a file.
 *
 * A CRD schema must be *structural* (Kubernetes docs, "Specifying a structural schema"): every node
 * has a type (or x-kubernetes-preserve-unknown-fields / int-or-string), no $ref, no $id/$schema, no
 * `const`, and `properties` and `additionalProperties` never side by side. JSON Schema's maps
 * (TypeBox's Record: `patternProperties` with "^(.*)$") become `additionalProperties`, and objects
 * closed with `additionalProperties: false` lose it: the API server refuses unknown fields itself
 * when asked to (`fieldValidation=Strict`, kubectl's default), and prunes them otherwise.
 *
 * What JSON Schema cannot say and semantic.ts checks, CEL (`x-kubernetes-validations`) says where
 * it can: weights summing to 100 (CEL's list `sum()`, Kubernetes CEL library "lists"), exactly one
 * of a match's kinds, a backend's version or service, an abort's status or grpcStatus, versions
 * being defined, the MTLSPolicy scope rules. Each message carries the diagnostic code the model
 * gives for the same mistake. What neither can agree on is listed in CRD_MODEL_DIFFERENCES.
 */
import { CORE_MESSAGES } from '../core/messages.js';
import { API_VERSION, KIND_SCHEMAS, KINDS, type Kind } from '../core/model/schema.js';

export const CRD_GROUP = API_VERSION.split('/')[0]!;
export const CRD_VERSION = API_VERSION.split('/')[1]!;

type Schema = Record<string, unknown>;

/** Keys a structural schema may not carry, or that mean nothing to the API server. */
const DROPPED = new Set(['$id', '$schema', 'title', 'const', 'examples', '$comment']);

/**
 * Bounds the CRD sets where the model sets none. The API server estimates each CEL rule's cost
 * from the largest list and map it may see (and refuses the CRD when the estimate, multiplied by
 * how often the rule runs inside enclosing lists, exceeds its budget); without maxItems a list may
 * be as long as a 3 MiB request allows. These bounds are far above any real policy, and they are a
 * listed difference from the model (CRD_MODEL_DIFFERENCES).
 */
export const CRD_MAX_ITEMS = 16;
export const CRD_MAX_RULES = 64;
export const CRD_MAX_MAP = 64;

/** One JSON Schema node as a structural CRD schema node. */
export function structural(node: Schema, name = ''): Schema {
  const out: Schema = {};
  for (const [k, v] of Object.entries(node)) {
    if (DROPPED.has(k)) continue;
    if (k === 'properties') {
      out.properties = Object.fromEntries(
        Object.entries(v as Record<string, Schema>).map(([key, p]) => [key, structural(p, key)]),
      );
    } else if (k === 'items') out.items = structural(v as Schema);
    else if (k === 'patternProperties') {
      // TypeBox's Record(String, X) is patternProperties {"^(.*)$": X}: any key, i.e. a map.
      const values = Object.values(v as Record<string, Schema>);
      out.additionalProperties = structural(values[0] ?? {});
    } else if (k === 'additionalProperties') {
      if (typeof v === 'object') out.additionalProperties = structural(v as Schema);
      // `false` is dropped: see the file comment.
    } else out[k] = v;
  }
  if ('const' in node) out.enum = [node.const];
  if (out.type === 'array' && out.maxItems === undefined)
    out.maxItems = name === 'rules' ? CRD_MAX_RULES : CRD_MAX_ITEMS;
  if (out.additionalProperties && out.maxProperties === undefined) out.maxProperties = CRD_MAX_MAP;
  if (out.additionalProperties && out.properties) delete out.additionalProperties;
  // Type.Unknown(): any value, which a structural schema says with preserve-unknown-fields.
  if (out.type === undefined && out.properties === undefined && out.enum === undefined) {
    out['x-kubernetes-preserve-unknown-fields'] = true;
  }
  if (out.type === undefined && (out.properties !== undefined || out.additionalProperties !== undefined))
    out.type = 'object';
  if (out['x-kubernetes-preserve-unknown-fields'] === true && out.type === undefined) out.type = 'object';
  return out;
}

interface CelRule {
  readonly rule: string;
  readonly message: string;
  readonly fieldPath?: string;
  readonly reason?: 'FieldValueInvalid' | 'FieldValueRequired' | 'FieldValueForbidden';
}

const code = (name: keyof typeof CORE_MESSAGES) => CORE_MESSAGES[name].code;

/** CEL rules per node, by the node's path in the spec schema (`.` between property names, `[]` for items). */
const CEL: Partial<Record<Kind, Record<string, CelRule[]>>> = {
  TrafficPolicy: {
    '': [
      {
        rule: 'self.rules.all(r, !has(r.backends) || r.backends.all(b, !has(b.version) || (has(self.versions) && b.version in self.versions)))',
        message: `${code('UndefinedVersion')}: every backend version must be named in spec.versions`,
        fieldPath: '.rules',
      },
    ],
    'rules[]': [
      {
        rule: '!has(self.backends) || size(self.backends) < 2 || self.backends.all(b, has(b.weight))',
        message: `${code('WeightMissing')}: with several backends every backend gives a weight`,
        fieldPath: '.backends',
        reason: 'FieldValueRequired',
      },
      {
        rule: '!has(self.backends) || size(self.backends) < 2 || !self.backends.all(b, has(b.weight)) || self.backends.map(b, b.weight).sum() == 100',
        message: `${code('WeightsSum')}: backend weights must sum to 100`,
        fieldPath: '.backends',
      },
      {
        rule: '!has(self.backends) || size(self.backends) != 1 || !has(self.backends[0].weight) || self.backends[0].weight == 100',
        message: `${code('WeightsSum')}: a single backend's weight, if given, is 100`,
        fieldPath: '.backends',
      },
    ],
    'rules[].backends[]': [backendTarget()],
    'rules[].mirror.backend': [backendTarget()],
    'rules[].matches[].headers[]': [oneOf(['exact', 'prefix', 'regex', 'present']), presentTrue()],
    'rules[].matches[].queryParams[]': [oneOf(['exact', 'regex', 'present']), presentTrue()],
    'rules[].fault.abort': [
      {
        rule: 'has(self.status) != has(self.grpcStatus)',
        message: `${code('AbortKind')}: an abort gives exactly one of status or grpcStatus`,
      },
    ],
  },
  MTLSPolicy: {
    '': [
      {
        rule: "!has(self.scope) || self.scope != 'service' || has(self.service)",
        message: `${code('ScopeConflict')}: scope service needs spec.service`,
        fieldPath: '.scope',
      },
      {
        rule: "!has(self.scope) || self.scope == 'service' || !has(self.service)",
        message: `${code('ScopeConflict')}: scope mesh or namespace covers more than one service; remove spec.service or use scope service`,
        fieldPath: '.service',
      },
      {
        rule: '!has(self.selector) || has(self.service)',
        message: `${code('ScopeConflict')}: spec.selector goes with spec.service`,
        fieldPath: '.selector',
      },
    ],
  },
};

function backendTarget(): CelRule {
  return {
    rule: 'has(self.version) != has(self.service)',
    message: `${code('BackendTarget')}: a backend gives version or service, not both`,
  };
}

function oneOf(keys: readonly string[]): CelRule {
  return {
    // A sum of constants, not a list filter: the cheapest form for the cost estimator.
    rule: `${keys.map((k) => `(has(self.${k}) ? 1 : 0)`).join(' + ')} == 1`,
    message: `${code('MatchKind')}: give exactly one of ${keys.join(', ')}`,
  };
}

function presentTrue(): CelRule {
  return {
    rule: '!has(self.present) || self.present',
    message: `${code('PresentFalse')}: present must be true (leave the condition out to match any request)`,
    fieldPath: '.present',
  };
}

function nodeAt(spec: Schema, path: string): Schema {
  if (path === '') return spec;
  let node = spec;
  for (const part of path.split('.')) {
    const many = part.endsWith('[]');
    const name = many ? part.slice(0, -2) : part;
    node = (node.properties as Record<string, Schema>)[name]!;
    if (!node) throw new Error(`CEL rule path ${path}: no field ${name}`);
    if (many) node = node.items as Schema;
  }
  return node;
}

/** The status every policy kind reports (Gateway API style conditions, written by the controller). */
const STATUS_SCHEMA: Schema = {
  type: 'object',
  description: 'What the anymesh controller made of this policy. Written by the controller only.',
  properties: {
    mesh: { type: 'string', description: 'The mesh the controller compiled this policy for.' },
    observedGeneration: {
      type: 'integer',
      format: 'int64',
      description: 'The metadata.generation the conditions are about.',
    },
    conditions: {
      type: 'array',
      description: 'Accepted, Programmed, Degraded, Conflicted (metav1.Condition).',
      'x-kubernetes-list-type': 'map',
      'x-kubernetes-list-map-keys': ['type'],
      items: {
        type: 'object',
        required: ['type', 'status', 'lastTransitionTime', 'reason', 'message'],
        properties: {
          type: { type: 'string', maxLength: 316 },
          status: { type: 'string', enum: ['True', 'False', 'Unknown'] },
          observedGeneration: { type: 'integer', format: 'int64', minimum: 0 },
          lastTransitionTime: { type: 'string', format: 'date-time' },
          reason: { type: 'string', maxLength: 1024 },
          message: { type: 'string', maxLength: 32768 },
        },
      },
    },
    objects: {
      type: 'array',
      description: 'The native objects this policy produced (or contributes to).',
      items: {
        type: 'object',
        required: ['apiVersion', 'kind', 'name'],
        properties: {
          apiVersion: { type: 'string' },
          kind: { type: 'string' },
          namespace: { type: 'string' },
          name: { type: 'string' },
        },
      },
    },
  },
};

const cond = (type: string) => `.status.conditions[?(@.type=="${type}")].status`;

/** Plural resource name: lower-case kind + s (`trafficpolicies`), as kubectl expects them. */
export function pluralOf(kind: string): string {
  const lower = kind.toLowerCase();
  return lower.endsWith('y') ? `${lower.slice(0, -1)}ies` : `${lower}s`;
}

/** The kinds served as CRDs: MeshInstallation is a file for `anymesh install`, not a cluster object. */
export const CRD_KINDS: readonly Kind[] = KINDS.filter((k) => k !== 'MeshInstallation');

export function crdFor(kind: Kind): Schema {
  const json = JSON.parse(JSON.stringify(KIND_SCHEMAS[kind])) as Schema;
  const props = json.properties as Record<string, Schema>;
  const spec = structural(props.spec!);
  for (const [path, rules] of Object.entries(CEL[kind] ?? {})) {
    nodeAt(spec, path)['x-kubernetes-validations'] = rules.map((r) => ({ ...r }));
  }
  const plural = pluralOf(kind);
  const columns = [
    ...(kind === 'MTLSPolicy'
      ? [{ name: 'Mode', type: 'string', jsonPath: '.spec.mode' }]
      : [{ name: 'Service', type: 'string', jsonPath: '.spec.service' }]),
    { name: 'Mesh', type: 'string', jsonPath: '.status.mesh' },
    { name: 'Accepted', type: 'string', jsonPath: cond('Accepted') },
    { name: 'Programmed', type: 'string', jsonPath: cond('Programmed') },
    { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' },
  ];
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: {
      name: `${plural}.${CRD_GROUP}`,
      labels: { 'app.kubernetes.io/name': 'anymesh', 'app.kubernetes.io/component': 'crd' },
    },
    spec: {
      group: CRD_GROUP,
      names: {
        kind,
        listKind: `${kind}List`,
        plural,
        singular: kind.toLowerCase(),
        categories: ['anymesh'],
      },
      scope: 'Namespaced',
      versions: [
        {
          name: CRD_VERSION,
          served: true,
          storage: true,
          subresources: { status: {} },
          additionalPrinterColumns: columns,
          schema: {
            openAPIV3Schema: {
              type: 'object',
              description: json.description,
              required: ['spec'],
              properties: {
                apiVersion: { type: 'string' },
                kind: { type: 'string' },
                metadata: { type: 'object' },
                spec,
                status: STATUS_SCHEMA,
              },
            },
          },
        },
      ],
    },
  };
}

/** Every policy kind's CRD, in catalogue order. */
export function policyCrds(): Schema[] {
  return CRD_KINDS.map(crdFor);
}

/**
 * Where the CRD schemas and the model cannot agree (the integration test's table marks these
 * documents as known differences rather than failures):
 * - RE2 syntax of `regex` fields and of header names, DNS-1123 names and label keys: the model
 *   checks them (semantic.ts, re2js); the CRD could only with a `pattern` per field, and CEL has no
 *   RE2 compile check. The API server accepts a malformed regex.
 * - Durations beyond their range (e.g. a perTryTimeout longer than the timeout): semantic checks
 *   across fields with parsed durations; the CRD checks only the duration pattern.
 * - Uniqueness (rule names, header names in one match, backends, AM2014 / AM2015 / AM2016): the
 *   model reports duplicates; a CRD list-type map would need a required key, which the model does
 *   not have.
 * - Uniqueness across documents (two policies of one name) is the API server's own: it refuses the
 *   second create with 409, not a validation error.
 * - `metadata`: the CRD cannot constrain it (only name/generateName); the API server itself checks
 *   the name and refuses fields the model lacks in its own way.
 * - Access paths (BadPath, AM2022): exact, `/prefix/*` or `*suffix`, checked by semantic.ts only.
 * - List and map sizes: the CRD bounds them (CRD_MAX_ITEMS, CRD_MAX_RULES, CRD_MAX_MAP) so the API
 *   server's CEL cost estimate fits its budget; the model has no bound. A policy with 65 rules is
 *   valid to `anymesh validate` and refused by the API server.
 */
export const CRD_MODEL_DIFFERENCES = [
  'regex (RE2) syntax',
  'header / DNS names',
  'duration ranges across fields',
  'duplicates within a policy',
  'access path syntax',
  'list and map sizes',
] as const;
