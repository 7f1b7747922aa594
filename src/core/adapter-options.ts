/**
 * Adapter options (`--option key=value`): each mesh declares its options once, as data, and that one
 * list is what `--option` validation, `anymesh capabilities -o json`, the docs and the adapter's own
 * parsing read. A key may hold placeholders (`appmesh.backends.<namespace>.<service>`): it then
 * stands for every key of that shape.
 */
import type { CompileContext } from './adapter.js';

export type OptionType =
  /** Any text (placeholders such as {service} are the option's own business). */
  | 'string'
  /** `true` or `false`. */
  | 'boolean'
  /** One of `values`. */
  | 'enum'
  /** A comma-separated list of ports 1-65535. */
  | 'ports'
  /** A comma-separated list of words. */
  | 'list';

export interface AdapterOption {
  /** `<mesh>.<name>`, possibly with `<placeholder>` segments. */
  readonly key: string;
  readonly type: OptionType;
  /** The allowed values of an enum. */
  readonly values?: readonly string[];
  /** The value used when the option is not given; absent: none. */
  readonly default?: string;
  /** What the option does, for `--help`, `capabilities -o json` and the docs. */
  readonly description: string;
  /**
   * A CLI flag that is a shorthand for the option (`--consul-format <format>`). A flag without a
   * value argument sets `flagValue`.
   */
  readonly flag?: { readonly name: string; readonly description: string; readonly flagValue?: string };
}

/** A problem with one option: the key, the value and what would be right. */
export interface OptionProblem {
  readonly key: string;
  readonly value: string;
  readonly expected: string;
}

const patternCache = new WeakMap<AdapterOption, RegExp>();

/** The key shape as a regular expression: each `<placeholder>` stands for one dot-free segment. */
function keyPattern(spec: AdapterOption): RegExp {
  let re = patternCache.get(spec);
  if (!re) {
    const source = spec.key
      .split(/(<[^>]+>)/)
      .map((part) => (part.startsWith('<') ? '[^.]+' : part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
      .join('');
    re = new RegExp(`^${source}$`);
    patternCache.set(spec, re);
  }
  return re;
}

/** The declared option a key falls under, if any. */
export function optionFor(specs: readonly AdapterOption[], key: string): AdapterOption | undefined {
  return specs.find((s) => keyPattern(s).test(key));
}

/** What is wrong with a value for its option's type, or undefined when it is fine. */
export function checkOptionValue(spec: AdapterOption, value: string): string | undefined {
  switch (spec.type) {
    case 'boolean':
      return value === 'true' || value === 'false' ? undefined : 'true or false';
    case 'enum':
      return spec.values?.includes(value) ? undefined : `one of ${spec.values?.join(', ')}`;
    case 'ports': {
      const parts = value.split(',').map((s) => s.trim());
      const bad = parts.some((s) => !/^[0-9]+$/.test(s) || Number(s) < 1 || Number(s) > 65535);
      return bad ? 'container ports 1-65535 separated by commas, e.g. 8080,9090' : undefined;
    }
    default:
      return undefined;
  }
}

/**
 * Every option of a mesh's prefix that the mesh does not declare, or whose value its type refuses,
 * in key order. Options of other meshes' prefixes are left alone (a shared anymesh.yaml may carry
 * them all).
 */
export function optionProblems(
  meshId: string,
  specs: readonly AdapterOption[],
  ctx: Pick<CompileContext, 'options'>,
): OptionProblem[] {
  const problems: OptionProblem[] = [];
  for (const key of Object.keys(ctx.options).sort()) {
    if (!key.startsWith(`${meshId}.`)) continue;
    const value = ctx.options[key]!;
    const spec = optionFor(specs, key);
    if (!spec) {
      problems.push({
        key,
        value,
        expected: `a known option: ${specs.map((s) => s.key).join(', ') || 'none'}`,
      });
      continue;
    }
    const expected = checkOptionValue(spec, value);
    if (expected) problems.push({ key, value, expected });
  }
  return problems;
}

/** The value of a declared option: the given one, else its default. */
export function optionValue(spec: AdapterOption, ctx: Pick<CompileContext, 'options'>): string | undefined {
  return ctx.options[spec.key] ?? spec.default;
}
