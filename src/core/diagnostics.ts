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

export function makeDiagnostic<T extends string>(
  type: MessageType<T>,
  ...[params = {}, ctx = {}]: MessageArgs<T, DiagnosticContext>
): Diagnostic {
  return {
    code: type.code,
    level: type.level,
    message: formatTemplate(type.template, params as DiagnosticParams),
    ...ctx,
  };
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
