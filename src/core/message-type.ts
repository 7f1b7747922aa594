/**
 * What a diagnostic message type is, and the one factory (`message`) that the core catalogue and
 * every adapter's catalogue use. A template's `{param}`s are part of its type, so a call site that
 * leaves one out or misspells one does not compile.
 */

export type Level = 'error' | 'warning' | 'info';

/** The documentation every message carries; docs/diagnostics.md is generated from it. */
export interface MessageDoc {
  /** What it means and why it happens. */
  readonly description: string;
  /** What would be right. */
  readonly fix: string;
  /** A short input or situation that triggers it. */
  readonly example: string;
}

export interface MessageType<T extends string = string> extends MessageDoc {
  readonly code: string;
  readonly level: Level;
  /** A short name, for `anymesh explain` and docs. */
  readonly name: string;
  /** Text with `{param}` placeholders, filled by `formatTemplate`. */
  readonly template: T;
}

/**
 * Characters that end a placeholder name: `formatTemplate` fills `{name}` only when name is made
 * of word characters (`\w+`), so `[{version: {first}}]` has the one parameter `first`.
 */
type NotWord =
  | ' '
  | '{'
  | ':'
  | ','
  | '.'
  | '='
  | '['
  | ']'
  | '('
  | ')'
  | '-'
  | '/'
  | '<'
  | '>'
  | '"'
  | "'"
  | '`'
  | '|'
  | '*'
  | '+'
  | '!'
  | '#'
  | '$'
  | '%'
  | '&'
  | '^'
  | '~';
type IsName<P extends string> = P extends ''
  ? false
  : P extends `${string}${NotWord}${string}`
    ? false
    : true;

/** The placeholder names of a template, as a union of string literals (never when it has none). */
export type TemplateParams<T extends string> = T extends `${string}{${infer After}`
  ?
      | (After extends `${infer P}}${string}` ? (IsName<P> extends true ? P : never) : never)
      | TemplateParams<After>
  : never;

export type DiagnosticParams = Readonly<Record<string, string | number>>;

/**
 * The parameters a template needs: exactly its placeholders. A template only known as `string`
 * (a message reached through `Record<string, MessageType>`) takes any parameters.
 */
export type ParamsOf<T extends string> = string extends T
  ? DiagnosticParams
  : { readonly [K in TemplateParams<T>]: string | number };

/**
 * The arguments after the message type: parameters (optional, and only `{}`, when the template
 * has none), then the context.
 */
export type MessageArgs<T extends string, Ctx> = string extends T
  ? [params?: DiagnosticParams, ctx?: Ctx]
  : [TemplateParams<T>] extends [never]
    ? [params?: Record<string, never>, ctx?: Ctx]
    : [params: ParamsOf<T>, ctx?: Ctx];

/** A catalogue entry; the core and every adapter define theirs with it. */
export const message = <const T extends string>(
  code: string,
  level: Level,
  name: string,
  template: T,
  doc: MessageDoc,
): MessageType<T> => ({ code, level, name, template, ...doc });

/** Fills a template: `{name}` is replaced by the parameter of that name. */
export function formatTemplate(template: string, params: DiagnosticParams): string {
  const parts = templateParts(template);
  let out = parts[0]!;
  for (let i = 1; i < parts.length; i += 2) {
    const key = parts[i]!;
    out += Object.hasOwn(params, key) ? String(params[key]) : `{${key}}`;
    out += parts[i + 1]!;
  }
  return out;
}

/**
 * A template split once into text and placeholder names (text, name, text, ..., text), as the
 * global `/\{(\w+)\}/` replace read it: large inputs format tens of thousands of diagnostics from
 * a few dozen templates, and the regular expression with a callback was most of that cost.
 */
const splitTemplates = new Map<string, readonly string[]>();
function templateParts(template: string): readonly string[] {
  let parts = splitTemplates.get(template);
  if (!parts) {
    parts = template.split(/\{(\w+)\}/);
    splitTemplates.set(template, parts);
  }
  return parts;
}

/** The placeholder names of a template at run time, in order of first use (for docs and tests). */
export function templateParams(template: string): string[] {
  return [...new Set([...template.matchAll(/\{(\w+)\}/g)].map((m) => m[1]!))];
}
