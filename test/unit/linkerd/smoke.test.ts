import { it } from 'vitest';
import { ADAPTERS } from '../../../src/adapters/index.js';
import { formatDiagnostic } from '../../../src/core/diagnostics.js';
import { compileFiles } from '../../../src/core/pipeline.js';
import { renderYaml } from '../../../src/core/render.js';
it('smoke', () => {
  for (const f of ['test/cases/linkerd-split-routes.yaml', 'test/cases/linkerd-zero-trust.yaml']) {
    const r = compileFiles([f], ADAPTERS.linkerd, { allowDegraded: true });
    console.log(f, r.ok, r.diagnostics.map(formatDiagnostic).join('\n'), '\n', renderYaml(r.resources));
  }
});
