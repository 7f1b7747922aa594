/**
 * Rendering of output: multi-document YAML (for GitOps repositories and `kubectl apply -f -`) or a
 * JSON `v1 List`. Key order is the order adapters build objects in, so output is byte-stable.
 */
import { dump } from 'js-yaml';
import type { KubeObject } from './adapter.js';

export type OutputFormat = 'yaml' | 'json';

export function renderYaml(resources: readonly KubeObject[]): string {
  let out = '';
  for (const doc of yamlDocuments(resources)) out += doc;
  return out;
}

/**
 * The documents of renderYaml one at a time, for writing as they are made: 100,000 policies make
 * a few hundred MB of YAML, which need not be held at once.
 */
export function* yamlDocuments(resources: readonly KubeObject[]): Generator<string> {
  for (const r of resources)
    yield `---\n${dump(r, { noRefs: true, lineWidth: -1, quotingType: '"', sortKeys: false })}`;
}

export function renderJsonList(resources: readonly KubeObject[]): string {
  return `${JSON.stringify({ apiVersion: 'v1', kind: 'List', metadata: {}, items: resources }, null, 2)}\n`;
}

export function render(resources: readonly KubeObject[], format: OutputFormat): string {
  return format === 'json' ? renderJsonList(resources) : renderYaml(resources);
}
