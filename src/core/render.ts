/**
 * Rendering of output: multi-document YAML (for GitOps repositories and `kubectl apply -f -`) or a
 * JSON `v1 List`. Key order is the order adapters build objects in, so output is byte-stable.
 */
import type { KubeObject } from './adapter.js';
import { dumpYaml } from './yaml-emit.js';

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
  // js-yaml's dump options (noRefs, no line width, double quotes, keys in build order), written
  // by the faster writer of yaml-emit.ts.
  for (const r of resources) yield `---\n${dumpYaml(r)}`;
}

export function renderJsonList(resources: readonly KubeObject[]): string {
  return `${JSON.stringify({ apiVersion: 'v1', kind: 'List', metadata: {}, items: resources }, null, 2)}\n`;
}

export function render(resources: readonly KubeObject[], format: OutputFormat): string {
  return format === 'json' ? renderJsonList(resources) : renderYaml(resources);
}
