/**
 * Building blocks every policy kind's schema shares: metadata, durations, percentages, ports,
 * labels, string matches, HTTP methods, `onUnsupported`, and the document envelope.
 */
import { type TSchema, Type } from '@sinclair/typebox';

/**
 * A string enum as JSON Schema `enum` (TypeBox's union of literals becomes `anyOf`, which gives
 * users one error per alternative instead of one "use one of ..." message).
 */
export const StringEnum = <const T extends readonly string[]>(
  values: T,
  description: string,
  defaultValue?: T[number],
) =>
  Type.Unsafe<T[number]>({
    type: 'string',
    enum: [...values],
    ...(defaultValue !== undefined ? { default: defaultValue } : {}),
    description,
  });

export const API_VERSION = 'anymesh.dev/v1alpha1';

export const strict = { additionalProperties: false } as const;

/** Durations as Go-style strings: `250ms`, `3s`, `1m`, `1h`, `1m30s`. */
export const DURATION_PATTERN = '^([0-9]+(\\.[0-9]+)?(ms|s|m|h))+$';
export const Duration = (description: string) =>
  Type.String({
    pattern: DURATION_PATTERN,
    description: `${description} A duration such as 250ms, 3s, 1m or 1h.`,
  });

/** `defaultValue` is published as JSON Schema `default` (an annotation for editors; never applied). */
export const Percentage = (description: string, defaultValue?: number) =>
  Type.Number({
    minimum: 0,
    maximum: 100,
    ...(defaultValue !== undefined ? { default: defaultValue } : {}),
    description: `${description} A number from 0 to 100; decimals allowed.`,
  });

export const Port = (description: string) => Type.Integer({ minimum: 1, maximum: 65535, description });

export const Labels = (description: string) =>
  Type.Record(Type.String(), Type.String(), { description, minProperties: 1 });

export const Metadata = Type.Object(
  {
    name: Type.String({ description: 'The policy name, a DNS-1123 subdomain. Required.' }),
    namespace: Type.Optional(
      Type.String({
        default: 'default',
        description: 'The namespace of the policy and of its service. Default: `default`.',
      }),
    ),
    labels: Type.Optional(
      Type.Record(Type.String(), Type.String(), {
        description: 'Labels; not copied to output. Default: none.',
      }),
    ),
    annotations: Type.Optional(
      Type.Record(Type.String(), Type.String(), {
        description: 'Annotations; not copied to output. Default: none.',
      }),
    ),
  },
  { ...strict, description: 'Kubernetes-style object metadata. Required.' },
);

export const cap = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

export const StringMatch = (
  what: string,
  kinds: readonly ('exact' | 'prefix' | 'regex')[],
  oneOf = `Default: unset; give exactly one of ${kinds.join(', ')}.`,
) =>
  Type.Object(
    Object.fromEntries(
      kinds.map((k) => [
        k,
        Type.Optional(
          Type.String({
            description:
              k === 'regex'
                ? `${cap(what)} matches this RE2 regular expression (the whole value). ${oneOf}`
                : k === 'prefix'
                  ? `${cap(what)} starts with this string. ${oneOf}`
                  : `${cap(what)} equals this string. ${oneOf}`,
          }),
        ),
      ]),
    ),
    {
      ...strict,
      minProperties: 1,
      maxProperties: 1,
      description: `How ${what} is matched: one of ${kinds.join(', ')}. Default: any ${what.replace(/^the /, '')}.`,
    },
  );

/** A condition on a request header, shared by route matches and access operations. */
export const HeaderMatch = Type.Object(
  {
    name: Type.String({
      description: 'The header name (an HTTP token; matched case-insensitively). Required.',
    }),
    exact: Type.Optional(
      Type.String({
        description:
          'The value equals this string. Default: unset; give exactly one of exact, prefix, regex, present.',
      }),
    ),
    prefix: Type.Optional(
      Type.String({
        description:
          'The value starts with this string. Default: unset; give exactly one of exact, prefix, regex, present.',
      }),
    ),
    regex: Type.Optional(
      Type.String({
        description:
          'The value matches this RE2 regular expression. Default: unset; give exactly one of exact, prefix, regex, present.',
      }),
    ),
    present: Type.Optional(
      Type.Boolean({
        description:
          'The header is present (any value); must be true. Default: unset; give exactly one of exact, prefix, regex, present.',
      }),
    ),
  },
  {
    ...strict,
    description: 'A condition on a request header: name plus exactly one of exact, prefix, regex, present.',
  },
);

export const HTTP_METHODS = [
  'GET',
  'HEAD',
  'POST',
  'PUT',
  'DELETE',
  'CONNECT',
  'OPTIONS',
  'TRACE',
  'PATCH',
] as const;
export const Method = (more = '') =>
  StringEnum(HTTP_METHODS, `An HTTP method: ${HTTP_METHODS.join(', ')}.${more}`);

export const OnUnsupported = StringEnum(
  ['reject', 'warn'],
  'What to do when the target mesh cannot express a feature this policy uses: reject (fail compilation) or warn (leave the feature out and report it). Default: reject.',
  'reject',
);

export const Selector = Labels(
  "The service's pod labels, for meshes that select workloads. Default: app: <service> (a diagnostic says so when assumed).",
);

export const Doc = <K extends string, S extends TSchema>(kind: K, spec: S, description: string) =>
  Type.Object(
    {
      apiVersion: Type.Literal(API_VERSION, { description: `Always ${API_VERSION}.` }),
      kind: Type.Literal(kind, { description: `Always ${kind}.` }),
      metadata: Metadata,
      spec,
    },
    { ...strict, $id: `https://anymesh.dev/schemas/v1alpha1/${kind}.json`, title: kind, description },
  );
