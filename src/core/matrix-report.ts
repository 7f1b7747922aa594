/**
 * The capability matrix as data and as text. The JSON form is what CI pipelines gate on; the
 * table and markdown forms are renderings of the same data (a test keeps them in step), and
 * docs/capabilities.md is the markdown form, generated and checked in sync.
 */
import type { MeshAdapter } from './adapter.js';
import type { AdapterOption } from './adapter-options.js';
import { type CapabilityCell, type CapabilityColumn, cellForVersion } from './capabilities.js';
import { columnOf, columnVariant, shownColumns } from './columns.js';
import { DEFAULTED_FIELDS, type MeshDefaults } from './defaults.js';
import { cellEvidence, EVIDENCE_LEVELS, type EvidenceLevel, type MeshEvidence } from './evidence.js';
import { FEATURE_IDS, FEATURES, type FeatureId } from './features/index.js';

export interface MatrixQuery {
  readonly meshes: readonly MeshAdapter[];
  readonly features?: readonly FeatureId[];
  /** Answer for this mesh version (only meaningful with one mesh). */
  readonly version?: string;
  /** Adapter options (`--option`): each mesh's column is the one they select. */
  readonly options?: Readonly<Record<string, string>>;
  /** Every shown column of every mesh side by side (docs/capabilities.md), keyed by column id. */
  readonly allColumns?: boolean;
}

export interface MatrixJson {
  meshes: {
    /** The key of this column in `matrix`: the mesh id, or with `allColumns` the column id. */
    id: string;
    /** The mesh id (`--mesh`). */
    mesh: string;
    displayName: string;
    /** The column header, saying the mode when the mesh has several columns (`Istio (ambient)`). */
    title: string;
    /** The options that select this column, when it is not the mesh's only one. */
    columnOptions?: Record<string, string>;
    versions: { minimum: string; tested: string };
    docs: string;
    endOfSupport?: { date: string; advice: string };
    askedVersion?: string;
    /** Every adapter option (`--option key=value`): key, type, allowed values, default, description. */
    options: Omit<AdapterOption, 'flag'>[];
    /** How the mesh gets onto a cluster: `helm` (anymesh install) or `register` (anymesh register). */
    install: 'helm' | 'register';
    /** What proves the mesh's cells: schema always, a real component that accepts, a behaviour judge. */
    evidence: { schema: string; accepted?: string; behaviour?: string };
    /** What the mesh does with an omitted timeout or retries, against the model's meaning (core/defaults.ts). */
    defaults: MeshDefaults;
  }[];
  features: { id: FeatureId; description: string }[];
  matrix: Record<string, Record<string, MatrixCell>>;
}

/** A cell with how it is proven; `evidence` is absent on `none` cells (nothing is produced). */
export type MatrixCell = CapabilityCell & { evidence?: EvidenceLevel };

function evidenceSources(e: MeshEvidence): MatrixJson['meshes'][number]['evidence'] {
  return {
    schema: e.schema,
    ...(e.accepted ? { accepted: e.accepted } : {}),
    ...(e.behaviour ? { behaviour: e.behaviour.judge } : {}),
  };
}

function matrixCell(
  cells: CapabilityColumn,
  sources: MeshEvidence,
  f: FeatureId,
  version: string | undefined,
): MatrixCell {
  const cell = cellForVersion(cells[f], version);
  const evidence = cellEvidence(sources, f, cell);
  return evidence ? { ...cell, evidence } : cell;
}

export function matrixJson(q: MatrixQuery): MatrixJson {
  const features = q.features ?? FEATURE_IDS;
  const columns = q.meshes.flatMap((m) => {
    const shown = shownColumns(m);
    const chosen = q.allColumns ? shown : [columnVariant(m, q.options)];
    return chosen.map((c) => {
      // A mesh's default column keeps the mesh's own name unless columns are shown side by side.
      const named = q.allColumns ? shown.length > 1 : c.id !== shown[0]!.id;
      return {
        m,
        key: q.allColumns ? c.id : m.id,
        title: named ? c.title : m.displayName,
        options: named ? { ...c.options } : undefined,
        cells: columnOf(m, { ...q.options, ...c.options }),
        evidence: c.evidence ?? m.evidence,
      };
    });
  });
  return {
    meshes: columns.map(({ m, key, title, options, evidence }) => ({
      id: key,
      mesh: m.id,
      displayName: m.displayName,
      title,
      ...(options ? { columnOptions: options } : {}),
      versions: { ...m.versions },
      docs: m.docs,
      ...(m.endOfSupport ? { endOfSupport: { ...m.endOfSupport } } : {}),
      ...(q.version ? { askedVersion: q.version } : {}),
      options: m.options.map(({ flag: _, ...o }) => ({ ...o })),
      install: m.install.method,
      // The column's own sources: an option-dependent column may be proven less (or otherwise).
      evidence: evidenceSources(evidence),
      defaults: m.defaults,
    })),
    features: features.map((id) => ({ id, description: FEATURES[id] })),
    matrix: Object.fromEntries(
      columns.map(({ key, cells, evidence }) => [
        key,
        Object.fromEntries(features.map((f) => [f, matrixCell(cells, evidence, f, q.version)])),
      ]),
    ),
  };
}

const SYMBOL: Record<CapabilityCell['support'], string> = {
  full: 'full',
  partial: 'partial',
  emulated: 'emulated',
  none: 'none',
};

function pad(s: string, n: number): string {
  return s + ' '.repeat(Math.max(0, n - s.length));
}

/** A plain-text table for terminals: one row per feature, one column per mesh. */
export function matrixTable(m: MatrixJson): string {
  const header = ['FEATURE', ...m.meshes.map((x) => (x.columnOptions ? x.title : x.id.toUpperCase()))];
  const rows = m.features.map((f) => [
    f.id,
    ...m.meshes.map((x) => {
      const c = m.matrix[x.id]![f.id]!;
      // Asked about a version: say which cells are none only because the version is too old.
      const needs = x.askedVersion && c.support === 'none' && c.minVersion ? ` (needs ${c.minVersion})` : '';
      return SYMBOL[c.support] + (c.minVersion && c.support !== 'none' ? ` (${c.minVersion}+)` : '') + needs;
    }),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)) + 2);
  const lines = [header, ...rows].map((r) =>
    r
      .map((c, i) => pad(c, widths[i]!))
      .join('')
      .trimEnd(),
  );
  const notes = m.meshes
    .filter((x) => x.endOfSupport)
    .map(
      (x) => `\n${x.displayName}: END OF SUPPORT since ${x.endOfSupport!.date}. ${x.endOfSupport!.advice}`,
    );
  return `${lines.join('\n')}\n${notes.join('')}${notes.length ? '\n' : ''}`;
}

/** Details of each cell, for one feature or one mesh: what table rows cannot hold. */
export function cellDetails(m: MatrixJson): string {
  const out: string[] = [];
  for (const f of m.features) {
    for (const x of m.meshes) {
      const c = m.matrix[x.id]![f.id]!;
      out.push(`${f.id} on ${x.title}: ${c.support}${c.minVersion ? ` (since ${c.minVersion})` : ''}`);
      out.push(`  why: ${c.reason}`);
      if (c.evidence) out.push(`  evidence: ${c.evidence}`);
      if (c.differs) out.push(`  differs: ${c.differs}`);
      if (c.workaround) out.push(`  instead: ${c.workaround}`);
      if (c.native) out.push(`  native: ${c.native}`);
      if (c.docs) out.push(`  docs: ${c.docs}`);
      for (const [protocol, o] of Object.entries(c.byProtocol ?? {})) {
        out.push(`  on protocol ${protocol}: ${o.support}: ${o.reason}`);
        if (o.workaround) out.push(`    instead: ${o.workaround}`);
      }
    }
  }
  return `${out.join('\n')}\n`;
}

const escapeMd = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');
/** A sentence ending in exactly one period, whether or not the data already ends with one. */
const sentence = (s: string) => `${escapeMd(s.trim()).replace(/\.$/, '')}.`;

/** The markdown document (docs/capabilities.md): a summary grid, then every cell in detail. */
export function matrixMarkdown(m: MatrixJson): string {
  const lines: string[] = [
    '# Capability matrix',
    '',
    "<!-- Generated from the adapters' capability data by `anymesh capabilities -o markdown`. Do not edit by hand: the registry test fails when this file and the data differ. -->",
    '',
    'Support levels: **full** (native, same behaviour), **partial** (native, something is lost), **emulated** (by other native means, at a cost), **none** (refused unless `--allow-degraded`).',
    '',
    "Evidence levels, how a cell is proven: **behaviour** (the mesh's own code ran on the output and what it made of it matched the policy), **accepted** (a real component of the mesh stored the output), **schema** (the output validates against the official CRD schemas only). What stands behind each level is listed per mesh; the registry test keeps the levels and the test tiers in step.",
    '',
  ];
  for (const x of m.meshes) {
    const how = x.columnOptions
      ? `\`${x.mesh}\` ${Object.entries(x.columnOptions)
          .map(([k, v]) => `\`--option ${k}=${v}\``)
          .join(' ')}`
      : `\`${x.id}\``;
    lines.push(
      `- **${x.title}** (${how}): output for ${x.versions.minimum} and later, tested with ${x.versions.tested}. ${x.docs}`,
    );
    if (x.endOfSupport)
      lines.push(`  - **End of support: ${x.endOfSupport.date}.** ${sentence(x.endOfSupport.advice)}`);
    for (const level of EVIDENCE_LEVELS) {
      const by = x.evidence[level];
      if (by) lines.push(`  - Evidence ${level}: ${sentence(by)}`);
    }
    for (const f of DEFAULTED_FIELDS) {
      const d = x.defaults[f];
      const verdict = {
        never: 'as the model means it',
        always: '`check` reports it as lossy',
        grpc: '`check` reports it as lossy for gRPC policies',
      }[d.differs];
      lines.push(`  - Omitted \`${f}\`: ${escapeMd(d.behaviour)} (${verdict}; docs/policy-model.md).`);
    }
  }
  lines.push(
    '',
    `| feature | ${m.meshes.map((x) => x.title).join(' | ')} |`,
    `|---|${m.meshes.map(() => '---').join('|')}|`,
  );
  for (const f of m.features) {
    const cells = m.meshes.map((x) => {
      const c = m.matrix[x.id]![f.id]!;
      return c.support + (c.minVersion && c.support !== 'none' ? ` (${c.minVersion}+)` : '');
    });
    lines.push(`| \`${f.id}\` | ${cells.join(' | ')} |`);
  }
  lines.push(
    '',
    '## Evidence',
    '',
    `| feature | ${m.meshes.map((x) => x.displayName).join(' | ')} |`,
    `|---|${m.meshes.map(() => '---').join('|')}|`,
  );
  for (const f of m.features) {
    const cells = m.meshes.map((x) => m.matrix[x.id]![f.id]!.evidence ?? '-');
    lines.push(`| \`${f.id}\` | ${cells.join(' | ')} |`);
  }
  lines.push('', '## Details', '');
  for (const f of m.features) {
    lines.push(`### \`${f.id}\``, '', escapeMd(f.description), '');
    for (const x of m.meshes) {
      const c = m.matrix[x.id]![f.id]!;
      const parts = [
        `**${x.title}: ${c.support}**${c.minVersion ? ` (since ${c.minVersion})` : ''}. ${sentence(c.reason)}`,
      ];
      if (c.differs) parts.push(`Differs: ${sentence(c.differs)}`);
      if (c.workaround) parts.push(`Instead: ${sentence(c.workaround)}`);
      if (c.native) parts.push(`Native: \`${escapeMd(c.native)}\`.`);
      if (c.evidence) parts.push(`Evidence: ${c.evidence}.`);
      if (c.docs) parts.push(`[docs](${c.docs})`);
      for (const [protocol, o] of Object.entries(c.byProtocol ?? {})) {
        parts.push(`On \`protocol: ${protocol}\`: **${o.support}**. ${sentence(o.reason)}`);
        if (o.workaround) parts.push(`Instead: ${sentence(o.workaround)}`);
      }
      lines.push(`- ${parts.join(' ')}`);
    }
    lines.push('');
  }
  return `${lines.join('\n')}\n`;
}
