/**
 * Regenerates the files derived from code: docs/capabilities.md (from the matrix data),
 * docs/diagnostics.md (from the diagnostic catalogue) and schemas/*.json (from the model). The registry test fails when they are out of date.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { MESHES } from '../dist/adapters/index.js';
import { catalogueSections, diagnosticsMarkdown } from '../dist/core/diagnostics-report.js';
import { matrixJson, matrixMarkdown } from '../dist/core/matrix-report.js';
import { modelMarkdown, publishedSchemas } from '../dist/core/model/publish.js';

const root = join(import.meta.dirname, '..');
writeFileSync(
  join(root, 'docs', 'capabilities.md'),
  matrixMarkdown(matrixJson({ meshes: MESHES, allColumns: true })),
);
writeFileSync(join(root, 'docs', 'diagnostics.md'), diagnosticsMarkdown(catalogueSections(MESHES)));
writeFileSync(join(root, 'docs', 'policy-model.md'), modelMarkdown());
mkdirSync(join(root, 'schemas'), { recursive: true });
for (const [file, content] of Object.entries(publishedSchemas()))
  writeFileSync(join(root, 'schemas', file), content);
console.log('wrote docs/capabilities.md, docs/diagnostics.md, docs/policy-model.md and schemas/');
