/**
 * Golden tests: every file of examples/ and test/cases/ through every capability column (each
 * adapter's default column, and its option-dependent ones such as Istio ambient), compared with the
 * reviewed file test/golden/<column>/<case>.yaml. A golden file holds the diagnostics (as comments)
 * and the resources, so a reviewer sees what was lost as well as what was made.
 */
import { describe, it } from 'vitest';
import { formatDiagnostic } from '../src/core/diagnostics.js';
import { compileFiles } from '../src/core/pipeline.js';
import { renderYaml } from '../src/core/render.js';
import { goldenCases } from './support/cases.js';
import { type TestColumn, testColumns } from './support/columns.js';
import { expectGolden } from './support/golden.js';

/** What a golden file holds: diagnostics as comments, then the resources (none when refused). */
function goldenText(file: string, column: TestColumn): string {
  const options = Object.entries(column.options);
  const r = compileFiles(
    [file],
    column.adapter,
    options.length ? { context: { options: column.options } } : {},
  );
  const header = r.diagnostics.map((d) => `# ${formatDiagnostic(d)}`).join('\n');
  const flags = options.map(([k, v]) => ` --option ${k}=${v}`).join('');
  return `# anymesh compile -f ${file} --mesh ${column.adapter.id}${flags}  => ${r.ok ? 'ok' : 'refused'}\n${header}${header ? '\n' : ''}${renderYaml(r.resources)}`;
}

// vitest runs from the project root, so diagnostics name files as `examples/x.yaml`.
describe.each(testColumns().map((c) => [c.id, c] as const))('golden %s', (_id, column) => {
  it.each(goldenCases())('$name', ({ name, file }) => {
    expectGolden(column.id, name, goldenText(file, column));
  });
});
