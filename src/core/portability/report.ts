/**
 * Renderings of a portability report: JSON for pipelines (shape documented in
 * docs/portability.md; fields are only ever added) and a table for people.
 */
import { type Diagnostic, formatDiagnostic } from '../diagnostics.js';
import type { FindingSite } from '../overlap/analyze.js';
import type { Loss, PortabilityReport } from './check.js';

const REPORT_VERSION = 1;

function diagnosticJson(d: Diagnostic): Record<string, unknown> {
  return {
    code: d.code,
    level: d.level,
    message: d.message,
    ...(d.location ? { file: d.location.file, line: d.location.line, column: d.location.col } : {}),
    ...(d.path ? { path: d.path } : {}),
    ...(d.policy ? { policy: d.policy } : {}),
    ...(d.feature ? { feature: d.feature } : {}),
  };
}

function siteJson(s: FindingSite): Record<string, unknown> {
  return {
    policy: s.policy,
    file: s.location.file,
    line: s.location.line,
    column: s.location.col,
    path: s.path,
  };
}

export interface PortabilityJson {
  reportVersion: number;
  valid: boolean;
  ok: boolean;
  allowDegraded: boolean;
  meshes: Record<string, unknown>[];
  policies: Record<string, unknown>[];
  overlaps: Record<string, unknown>[];
  diagnostics: Record<string, unknown>[];
}

/** The JSON document `anymesh check -o json` prints. */
export function portabilityJson(
  report: PortabilityReport | undefined,
  options: { allowDegraded: boolean; diagnostics: readonly Diagnostic[] },
): PortabilityJson {
  return {
    reportVersion: REPORT_VERSION,
    valid: report !== undefined,
    ok: report?.ok ?? false,
    allowDegraded: options.allowDegraded,
    meshes: (report?.meshes ?? []).map((m) => ({
      id: m.id,
      displayName: m.displayName,
      ...(m.version ? { version: m.version } : {}),
      lossless: m.counts.lossless === report!.policies.length && m.errors.length === 0,
      counts: { ...m.counts },
      errors: m.errors.map(diagnosticJson),
      notes: m.notes.map(diagnosticJson),
    })),
    policies: (report?.policies ?? []).map((p) => ({
      policy: p.policy,
      kind: p.kind,
      file: p.file,
      line: p.line,
      column: p.column,
      results: Object.fromEntries(
        Object.entries(p.results).map(([mesh, r]) => [
          mesh,
          { status: r.status, losses: r.losses.map((l) => ({ ...l })) },
        ]),
      ),
    })),
    overlaps: (report?.overlaps ?? []).map((o) => ({
      kind: o.kind,
      ...diagnosticJson(o.diagnostic),
      ...(o.fields ? { fields: [...o.fields] } : {}),
      other: siteJson(o.other),
    })),
    diagnostics: options.diagnostics.map(diagnosticJson),
  };
}

function pad(s: string, n: number): string {
  return s + ' '.repeat(Math.max(0, n - s.length));
}

/** A sentence ending in exactly one period. */
const sentence = (s: string) => `${s.trim().replace(/\.$/, '')}.`;

function lossLine(mesh: string, l: Loss): string {
  const where = l.file !== undefined ? `${l.file}:${l.line ?? 0}:${l.column ?? 0}` : '(no position)';
  const what = l.feature ?? l.code;
  const instead = l.workaround ? ` Instead: ${sentence(l.workaround)}` : '';
  return `    ${mesh} ${l.kind} ${what} at ${where}${l.path ? ` (${l.path})` : ''}: ${sentence(l.reason)}${instead} [${l.code}] ${l.docs}`;
}

/**
 * The table `anymesh check` prints: one row per policy, one column per mesh, each loss listed
 * under its policy; then overlaps and a summary.
 */
export function portabilityTable(report: PortabilityReport): string {
  const meshIds = report.meshes.map((m) => m.id);
  const header = ['POLICY', ...meshIds.map((m) => m.toUpperCase())];
  const rows = report.policies.map((p) => [p.policy, ...meshIds.map((m) => p.results[m]!.status)]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)) + 2);
  const line = (cells: readonly string[]) =>
    cells
      .map((c, i) => pad(c, widths[i]!))
      .join('')
      .trimEnd();
  const out: string[] = [line(header)];
  for (const [i, p] of report.policies.entries()) {
    out.push(line(rows[i]!));
    for (const m of meshIds) for (const l of p.results[m]!.losses) out.push(lossLine(m, l));
  }
  for (const m of report.meshes) {
    for (const d of m.errors) out.push(`${m.id}: ${formatDiagnostic(d)}`);
    for (const d of m.notes) out.push(`${m.id}: ${formatDiagnostic(d)}`);
  }
  if (report.overlaps.length) {
    out.push('', 'OVERLAPS');
    for (const o of report.overlaps) out.push(`  ${formatDiagnostic(o.diagnostic)}`);
  }
  out.push('');
  for (const m of report.meshes) {
    const v = m.version ? ` ${m.version}` : '';
    out.push(
      `${m.displayName}${v}: ${m.counts.lossless} lossless, ${m.counts.lossy} lossy, ${m.counts.refused} refused${m.errors.length ? `, ${m.errors.length} error(s)` : ''}`,
    );
  }
  const conflicts = report.overlaps.filter((o) => o.diagnostic.level === 'error').length;
  if (conflicts) out.push(`${conflicts} conflicting overlap(s)`);
  out.push(
    report.ok ? 'portable: every policy is lossless on every mesh checked' : 'NOT portable without loss',
  );
  return `${out.join('\n')}\n`;
}
