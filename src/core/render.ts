/**
 * Rendering of output: multi-document YAML (for GitOps repositories and `kubectl apply -f -`) or a
 * JSON `v1 List`. Key order is the order adapters build objects in, so output is byte-stable.
 */
import { dump } from 'js-yaml';
import type { KubeObject } from './adapter.js';

export type OutputFormat = 'yaml' | 'json';

export function renderYaml(resources: readonly KubeObject[]): string {
  return resources
    .map((r) => dump(r, { noRefs: true, lineWidth: -1, quotingType: '"', sortKeys: false }))
    .map((doc) => `---\n${doc}`)
    .join('');
}

export function renderJsonList(resources: readonly KubeObject[]): string {
  return `${JSON.stringify({ apiVersion: 'v1', kind: 'List', metadata: {}, items: resources }, null, 2)}\n`;
}

export function render(resources: readonly KubeObject[], format: OutputFormat): string {
  return format === 'json' ? renderJsonList(resources) : renderYaml(resources);
}
