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

/** About how much text renderChunks joins before it hands a chunk on. */
const CHUNK_CHARS = 1 << 20;

/**
 * render's output in pieces of about a megabyte, whose concatenation is exactly render's string,
 * for writing as they are made: 100,000 policies make 200-350 MB of output on Linkerd, Consul
 * and App Mesh, which the command line held whole (and the stream a copy of it) on top of the
 * resources. Whole documents are joined into each piece: one write per document was 600,000
 * system calls.
 */
export function* renderChunks(resources: readonly KubeObject[], format: OutputFormat): Generator<string> {
  let chunk = '';
  for (const piece of format === 'json' ? jsonListPieces(resources) : yamlDocuments(resources)) {
    chunk += piece;
    if (chunk.length >= CHUNK_CHARS) {
      yield chunk;
      chunk = '';
    }
  }
  if (chunk !== '') yield chunk;
}

/**
 * renderJsonList's text item by item: JSON.stringify(list, null, 2) writes each item as
 * JSON.stringify(item, null, 2) indented by two levels, and no line break of it is inside a
 * string (JSON escapes them), so indenting each line gives the same bytes.
 */
function* jsonListPieces(resources: readonly KubeObject[]): Generator<string> {
  if (resources.length === 0) {
    yield renderJsonList(resources);
    return;
  }
  yield '{\n  "apiVersion": "v1",\n  "kind": "List",\n  "metadata": {},\n  "items": [\n';
  for (let i = 0; i < resources.length; i++) {
    const item = JSON.stringify(resources[i], null, 2) ?? 'null';
    yield `    ${item.replaceAll('\n', '\n    ')}${i < resources.length - 1 ? ',\n' : '\n'}`;
  }
  yield '  ]\n}\n';
}
