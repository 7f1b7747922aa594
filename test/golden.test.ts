/**
 * Golden tests: every file of examples/ and test/cases/ through every adapter, compared with the
 * reviewed file test/golden/<mesh>/<case>.yaml. A golden file holds the diagnostics (as comments)
 * and the resources, so a reviewer sees what was lost as well as what was made.
 */
import { describe, it } from 'vitest';
import { ADAPTERS } from '../src/adapters/index.js';
import { formatDiagnostic } from '../src/core/diagnostics.js';
import { compileFiles } from '../src/core/pipeline.js';
import { renderYaml } from '../src/core/render.js';
import { goldenCases } from './support/cases.js';
import { expectGolden } from './support/golden.js';

/** What a golden file holds: diagnostics as comments, then the resources (none when refused). */
function goldenText(file: string, mesh: keyof typeof ADAPTERS): string {
  const r = compileFiles([file], ADAPTERS[mesh]!);
  const header = r.diagnostics.map((d) => `# ${formatDiagnostic(d)}`).join('\n');
  return `# anymesh compile -f ${file} --mesh ${mesh}  => ${r.ok ? 'ok' : 'refused'}\n${header}${header ? '\n' : ''}${renderYaml(r.resources)}`;
}

// vitest runs from the project root, so diagnostics name files as `examples/x.yaml`.
describe.each(Object.keys(ADAPTERS) as (keyof typeof ADAPTERS)[])('golden %s', (mesh) => {
  it.each(goldenCases())('$name', ({ name, file }) => {
    expectGolden(mesh, name, goldenText(file, mesh));
  });
});
