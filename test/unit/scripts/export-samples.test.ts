// scripts/export-samples.js, which exports the upstream samples of the import measures: the shell
// forms it undoes (envsubst placeholders, unquoted heredocs), and a selection read from a real git
// repository's commit.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { envsubst, exportSamples, pageYaml } from '../../../scripts/export-samples.js';

describe('export-samples', () => {
  it('replaces shell placeholders as envsubst with each name set to itself would', () => {
    // biome-ignore lint/suspicious/noTemplateCurlyInString: a shell placeholder, as the samples write it
    expect(envsubst('namespace: ${APP_NAMESPACE}\naccount: $AWS_ACCOUNT_ID\nkeep: $lower')).toBe(
      'namespace: app-namespace\naccount: aws-account-id\nkeep: $lower',
    );
  });

  it('takes yaml blocks and heredocs of a docs page, with the shell escapes of unquoted ones undone', () => {
    const page = [
      'Text.',
      '```yaml',
      'kind: Server',
      '```',
      '```bash',
      'kubectl apply -f - <<EOF',
      'value: "/books/\\\\\\d+.json"',
      'EOF',
      '```',
      '```bash',
      "cat <<'EOF' | kubectl apply -f -",
      'value: "\\\\d"',
      'EOF',
      '```',
      '```bash',
      'linkerd check',
      '```',
    ].join('\n');
    expect(pageYaml(page).split('\n---\n')).toEqual([
      'kind: Server\n',
      'value: "/books/\\\\d+.json"',
      'value: "\\\\d"',
    ]);
  });

  it("exports the selection's files of the commit checked out, renamed and filled in", () => {
    const repo = mkdtempSync(join(tmpdir(), 'anymesh-export-'));
    const file = (path: string, text: string) => {
      mkdirSync(dirname(join(repo, path)), { recursive: true });
      writeFileSync(join(repo, path), text);
    };
    file(
      'walkthroughs/a/mesh.yaml.template',
      // biome-ignore lint/suspicious/noTemplateCurlyInString: a shell placeholder, as the samples write it
      'apiVersion: appmesh.k8s.aws/v1beta2\nnamespace: ${APP_NAMESPACE}\n',
    );
    file('walkthroughs/a/deploy.yaml', 'apiVersion: apps/v1\n');
    const git = (...args: string[]) => execFileSync('git', ['-C', repo, ...args], { encoding: 'utf8' });
    git('init', '-q');
    git('add', '.');
    git('-c', 'user.name=t', '-c', 'user.email=t@example.com', 'commit', '-q', '-m', 'x');
    // Not committed: not exported.
    file('walkthroughs/b/later.yaml', 'apiVersion: appmesh.k8s.aws/v1beta2\n');
    const out = mkdtempSync(join(tmpdir(), 'anymesh-export-out-'));
    expect(exportSamples('aws/aws-app-mesh-examples', repo, out).kept).toBe(1);
    expect(readFileSync(join(out, 'walkthroughs/a/mesh.yaml'), 'utf8')).toBe(
      'apiVersion: appmesh.k8s.aws/v1beta2\nnamespace: app-namespace\n',
    );
    expect(existsSync(join(out, 'walkthroughs/a/deploy.yaml'))).toBe(false);
    expect(existsSync(join(out, 'walkthroughs/b/later.yaml'))).toBe(false);
  });
});
