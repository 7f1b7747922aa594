/**
 * Diagnostics: every problem anymesh reports, from one catalogue of stable codes (core messages in
 * ./messages.ts, each adapter's in its messages.ts, all made with `message` from
 * ./message-type.ts). This module builds, formats and orders diagnostics.
 */

import {
  type DiagnosticParams,
  formatTemplate,
  type Level,
  type MessageArgs,
  type MessageType,
  type ParamsOf,
} from './message-type.js';
import { CORE_MESSAGES, type CoreMessage } from './messages.js';

export {
  type DiagnosticParams,
  formatTemplate,
  type Level,
  type MessageArgs,
  type MessageDoc,
  type MessageType,
  message,
  type ParamsOf,
  type TemplateParams,
  templateParams,
} from './message-type.js';
export { CORE_MESSAGES, type CoreMessage, RETIRED_CODES } from './messages.js';

export interface SourceLocation {
  readonly file: string;
  /** 1-based; 0 when the position is unknown (e.g. an input read whole). */
  readonly line: number;
  readonly col: number;
}

export interface Diagnostic {
  readonly code: string;
  readonly level: Level;
  readonly message: string;
  readonly location?: SourceLocation;
  /** Dotted field path inside the document, e.g. `spec.rules[0].backends[1].weight`. */
  readonly path?: string;
  /** The policy the diagnostic is about: `Kind/namespace/name`. */
  readonly policy?: string;
  /** The capability feature id, for AM3xxx. */
  readonly feature?: string;
}

export interface DiagnosticContext {
  readonly location?: SourceLocation;
  readonly path?: string;
  readonly policy?: string;
  readonly feature?: string;
}

/**
 * A diagnostic that keeps its template and parameters and formats its message when it is read.
 * Why: 100,000 policies on App Mesh carry 850,000 diagnostics, 400,000 of them with a text of their
 * own (~300 characters naming the policy's services), 136 MB of the heap at the end of compiling,
 * when it is fullest; the parameters are mostly strings the output holds anyway. Messages are read
 * a few times (grouped, printed, serialised), each a fresh string that dies young.
 *
 * code, level and the rest of the context are own fields, as on a plain Diagnostic; `message` and
 * `location` are accessors, so a copy by spread would lose them: `relevel` makes changed copies,
 * and toJSON writes them.
 */
class TemplatedDiagnostic implements Diagnostic {
  readonly code: string;
  readonly level: Level;
  // `declare`: set only when given (below), so that a field absent from the context is absent here.
  declare readonly path?: string;
  declare readonly policy?: string;
  declare readonly feature?: string;
  /** The template, or the formatted text itself when `#params` is undefined. */
  readonly #text: string;
  readonly #params: DiagnosticParams | undefined;
  // The location's parts, not a {file, line, col} object: 850,000 diagnostics (100,000 policies on
  // App Mesh) held one each, ~27 MB of the compile's peak. `location` makes the object when read.
  readonly #file: string | undefined;
  readonly #line: number = 0;
  readonly #col: number = 0;

  constructor(
    code: string,
    level: Level,
    text: string,
    params: DiagnosticParams | undefined,
    ctx: DiagnosticContext,
  ) {
    this.code = code;
    this.level = level;
    // Only the fields given, as `{ ...ctx }` set them: comparisons and JSON see the same keys.
    this.#file = ctx.location?.file;
    if (ctx.location !== undefined) {
      this.#line = ctx.location.line;
      this.#col = ctx.location.col;
    }
    if (ctx.path !== undefined) this.path = ctx.path;
    if (ctx.policy !== undefined) this.policy = ctx.policy;
    if (ctx.feature !== undefined) this.feature = ctx.feature;
    this.#text = text;
    this.#params = params;
  }

  get location(): SourceLocation | undefined {
    return this.#file === undefined ? undefined : { file: this.#file, line: this.#line, col: this.#col };
  }

  get message(): string {
    return this.#params === undefined ? this.#text : formatTemplate(this.#text, this.#params);
  }

  /** The same diagnostic at another level (e.g. a warning made an error by --strict). */
  withLevel(level: Level): TemplatedDiagnostic {
    return new TemplatedDiagnostic(this.code, level, this.#text, this.#params, this);
  }

  /** As a plain Diagnostic serialises: code, level, message, then the context. */
  toJSON(): Diagnostic {
    return { code: this.code, level: this.level, message: this.message, ...this.context() };
  }

  private context(): DiagnosticContext {
    const { location, path, policy, feature } = this;
    return {
      ...(location !== undefined ? { location } : {}),
      ...(path !== undefined ? { path } : {}),
      ...(policy !== undefined ? { policy } : {}),
      ...(feature !== undefined ? { feature } : {}),
    };
  }
}

export function makeDiagnostic<T extends string>(
  type: MessageType<T>,
  ...[params = {}, ctx = {}]: MessageArgs<T, DiagnosticContext>
): Diagnostic {
  // A template without placeholders is its own text: nothing to keep but the template.
  const p = params as DiagnosticParams;
  const hasParams = type.template.includes('{');
  return new TemplatedDiagnostic(type.code, type.level, type.template, hasParams ? p : undefined, ctx);
}

/**
 * A diagnostic with a message already made (shared by many: the compiler makes a capability
 * text once per feature) and its own context.
 */
export function textDiagnostic(
  text: Pick<Diagnostic, 'code' | 'level' | 'message'>,
  ctx: DiagnosticContext,
): Diagnostic {
  return new TemplatedDiagnostic(text.code, text.level, text.message, undefined, ctx);
}

/** `d` at another level; every other field, and its message, as they were. */
export function relevel(d: Diagnostic, level: Level): Diagnostic {
  if (d instanceof TemplatedDiagnostic) return d.withLevel(level);
  return { ...d, level };
}

/** The parameters of a core message: exactly the `{param}`s of its template. */
export type CoreParams<K extends CoreMessage> = ParamsOf<(typeof CORE_MESSAGES)[K]['template']>;

/** Shorthand for core messages. */
export function diag<K extends CoreMessage>(
  name: K,
  ...args: MessageArgs<(typeof CORE_MESSAGES)[K]['template'], DiagnosticContext>
): Diagnostic {
  return makeDiagnostic<string>(CORE_MESSAGES[name], ...(args as [DiagnosticParams?, DiagnosticContext?]));
}

export function hasErrors(diagnostics: readonly Diagnostic[]): boolean {
  return diagnostics.some((d) => d.level === 'error');
}

/** `file:line:col: level CODE: path: message` — the format editors and CI logs understand. */
export function formatDiagnostic(d: Diagnostic): string {
  const where = d.location
    ? d.location.line > 0
      ? `${d.location.file}:${d.location.line}:${d.location.col}: `
      : `${d.location.file}: `
    : '';
  const path = d.path ? `${d.path}: ` : '';
  return `${where}${d.level} ${d.code}: ${path}${d.message}`;
}

/** Orders diagnostics by file, line, column, then code, so output is stable. */
export function sortDiagnostics(ds: readonly Diagnostic[]): Diagnostic[] {
  return [...ds].sort(
    (a, b) =>
      (a.location?.file ?? '').localeCompare(b.location?.file ?? '') ||
      (a.location?.line ?? 0) - (b.location?.line ?? 0) ||
      (a.location?.col ?? 0) - (b.location?.col ?? 0) ||
      a.code.localeCompare(b.code) ||
      (a.path ?? '').localeCompare(b.path ?? ''),
  );
}
