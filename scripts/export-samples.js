/**
 * Exports the upstream samples `scripts/import-share.js` is measured on from a checkout of their
 * repository into a scratch folder, with the selections docs/migrate.md ("Reproducing the
 * measures") names: no upstream file is kept in this project, so the figures are reproduced by
 * exporting them again. Reads the files of the commit checked out (`git ls-tree`, `git show`), so a
 * bare clone works as well as a work tree.
 *
 *   node scripts/export-samples.js SELECTION CHECKOUT OUT
 *
 * SELECTION is one of the keys below (the repository it is for). A file is kept when its path
 * matches and what is written of it holds the API group pattern. App Mesh templates' shell placeholders
 * (`${APP_NAMESPACE}`, `$AWS_ACCOUNT_ID`) become their names in lower case with `-` for `_`, as
 * `envsubst` with those values would give. Linkerd's docs pages become one YAML file per page: its
 * ```yaml blocks, and the heredocs of its other blocks (unquoted ones with the shell's backslash
 * escapes undone), joined with `---`.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ISTIO_GROUPS = /(networking|security)\.istio\.io\/|gateway\.networking\.k8s\.io/;
const CONSUL_CRDS = /consul\.hashicorp\.com\/v1alpha1/;
const APPMESH_CRDS = /appmesh\.k8s\.aws\/v1beta2/;

/** Per selection: which paths, which contents, and how a kept file is written. */
export const SELECTIONS = {
  'istio/istio': { paths: /^samples\/.*\.ya?ml$/, content: ISTIO_GROUPS },
  'linkerd/linkerd2': {
    paths:
      /^(viz\/cmd\/testdata\/install_default\.golden|multicluster\/cmd\/testdata\/install_default\.golden|grafana\/authzpolicy-grafana\.yaml|test\/integration\/viz\/policy\/testdata\/emoji-policy\.yaml|test\/integration\/deep\/dualstack\/testdata\/ipfamilies-policy\.yml)$/,
    content: /./,
    // The dual-stack test fills {IPv6} in with the node's address; any address will do.
    write: (text) => text.replaceAll('{IPv6}', 'fd00::1'),
    // The CLI's golden outputs are YAML: named so that a folder walk reads them.
    rename: (path) => path.replace(/\.golden$/, '.golden.yaml'),
  },
  'linkerd/website': {
    paths: /^linkerd\.io\/content\/2-edge\/.*\.md$/,
    content: /policy\.linkerd\.io|linkerd\.io\/v1alpha2|gateway\.networking\.k8s\.io/,
    write: pageYaml,
    rename: (path) => path.replace(/\.md$/, '.yaml'),
  },
  'hashicorp/consul-k8s': {
    paths: /^(acceptance\/tests\/fixtures|control-plane\/config\/samples)\/.*\.ya?ml$/,
    content: CONSUL_CRDS,
  },
  'hashicorp/learn-consul-kubernetes': { paths: /\.ya?ml$/, content: CONSUL_CRDS },
  // `consul config write` entries (HCL or JSON) of the kinds the Consul import reads.
  'hashicorp/learn-consul-docker': {
    paths: /\.(hcl|json)$/,
    content:
      /\bKind"?\s*[=:]\s*"(service-router|service-splitter|service-resolver|service-intentions|service-defaults|proxy-defaults|mesh)"/,
  },
  'aws/aws-app-mesh-examples': {
    paths: /(\.ya?ml|\.yaml\.template)$/,
    content: APPMESH_CRDS,
    write: envsubst,
    rename: (path) => path.replace(/\.template$/, ''),
  },
  'aws/aws-app-mesh-controller-for-k8s': {
    paths: /^config\/samples\/.*\.ya?ml$/,
    content: APPMESH_CRDS,
    write: envsubst,
  },
};

/** Shell placeholders as `envsubst` with each variable set to its own name in lower case. */
export function envsubst(text) {
  const value = (name) => name.toLowerCase().replaceAll('_', '-');
  return text
    .replace(/\$\{([A-Z_][A-Z0-9_]*)\}/g, (_, name) => value(name))
    .replace(/\$([A-Z_][A-Z0-9_]*)/g, (_, name) => value(name));
}

/** The YAML a docs page shows: ```yaml blocks, and heredocs in its other blocks; '' when none. */
export function pageYaml(page) {
  const docs = [];
  for (const block of page.matchAll(/```(\w*)[^\n]*\n([\s\S]*?)```/g)) {
    const [, lang, body] = block;
    const heredocs = [...body.matchAll(/<<-?\s*(['"]?)(\w+)\1[^\n]*\n([\s\S]*?)\n\s*\2\s*$/gm)];
    if (lang === 'yaml' && !heredocs.length) docs.push(body);
    // An unquoted heredoc is expanded by the shell: `\\`, `\$` and `` \` `` lose their backslash.
    for (const [, quote, , text] of heredocs) docs.push(quote ? text : text.replace(/\\([\\$`])/g, '$1'));
  }
  return docs.join('\n---\n');
}

/** Writes the selection's files of the commit checked out in `checkout` under `out`. */
export function exportSamples(selection, checkout, out) {
  const chosen = SELECTIONS[selection];
  const git = (...args) =>
    execFileSync('git', ['-C', checkout, ...args], { encoding: 'utf8', maxBuffer: 1 << 30 });
  const commit = git('rev-parse', '--short', 'HEAD').trim();
  let kept = 0;
  // -z: paths as they are (without it git quotes non-ASCII ones, which `git show` would not find).
  for (const path of git('ls-tree', '-r', '-z', '--name-only', 'HEAD').split('\0')) {
    if (!chosen.paths.test(path)) continue;
    const written = chosen.write ? chosen.write(git('show', `HEAD:${path}`)) : git('show', `HEAD:${path}`);
    if (!chosen.content.test(written)) continue;
    const dest = join(out, chosen.rename ? chosen.rename(path) : path);
    mkdirSync(dirname(dest), { recursive: true });
    writeFileSync(dest, written);
    kept++;
  }
  return { commit, kept };
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const [selection, checkout, out] = process.argv.slice(2);
  if (!SELECTIONS[selection] || !checkout || !out) {
    console.error(
      `usage: node scripts/export-samples.js SELECTION CHECKOUT OUT\n  SELECTION: ${Object.keys(SELECTIONS).join(', ')}`,
    );
    process.exit(2);
  }
  const { commit, kept } = exportSamples(selection, checkout, out);
  console.log(`${selection} @ ${commit}: ${kept} files -> ${out}`);
}
