/**
 * The Examples section of every `--help` (kubectl and helm show one for each command): the command
 * lines a new user needs first. Mesh ids come from the registry ({a}, {b}, {c}: the first three
 * meshes; {r}: the first one anymesh registers rather than installs), as everywhere outside adapters.
 */
import { MESHES } from '../adapters/index.js';
import { isRegisterOnly } from '../cluster/install/catalogue.js';

const EXAMPLES: Readonly<Record<string, readonly string[]>> = {
  anymesh: [
    'anymesh validate -f examples/',
    'anymesh compile -f examples/bookinfo-canary.yaml --mesh {a}',
    'anymesh check -f examples/ --mesh {b},{c}',
    'anymesh capabilities --mesh {b}',
    'anymesh --kubeconfig ~/.kube/dev apply -f policies/ --mesh {a}',
  ],
  validate: [
    'anymesh validate -f examples/',
    'anymesh validate -f policy.yaml -o json',
    'cat policy.yaml | anymesh validate -f -',
  ],
  compile: [
    'anymesh compile -f examples/bookinfo-canary.yaml --mesh {a}',
    'anymesh compile -f policies/ --mesh {b} -o json',
    'anymesh compile -f policies/ --mesh {a} -n shop --out-dir deploy/{a} --kustomization',
    'anymesh compile -f policies/ --mesh {b} --option KEY=VALUE -o name   # keys: capabilities -o json',
  ],
  capabilities: [
    'anymesh capabilities',
    'anymesh capabilities --mesh {b} --mesh-version VERSION',
    'anymesh capabilities --feature retries -o markdown',
    'anymesh capabilities --mesh {c} -o json   # also lists the mesh options',
  ],
  check: ['anymesh check -f policies/', 'anymesh check -f policies/ --mesh {a},{b} -o json'],
  schema: ['anymesh schema TrafficPolicy', 'anymesh schema > anymesh.schema.json'],
  explain: ['anymesh explain TrafficPolicy.spec.rules.retries', 'anymesh explain AccessPolicy.spec'],
  apply: [
    'anymesh apply -f policies/ --mesh {a}',
    'anymesh apply -f policies/ --mesh {a} --dry-run=server',
    'anymesh apply -f policies/ --mesh {b} --prune -o json',
    'anymesh --context prod apply -f policies/ --mesh {a} --request-timeout 10s',
  ],
  diff: [
    'anymesh diff -f policies/ --mesh {a}',
    'anymesh diff -f policies/ --mesh {a} --prune || echo "changes"',
  ],
  delete: [
    'anymesh delete -f policies/ --mesh {a}',
    'anymesh delete -f policies/ --mesh {a} --dry-run -o name',
  ],
  install: [
    'anymesh install {a}',
    'anymesh install {b} --values values.yaml',
    'anymesh install {c} --version VERSION --set key=value',
    'anymesh install {a} --render=flux > mesh/{a}.yaml',
  ],
  uninstall: ['anymesh uninstall {a}', 'anymesh uninstall {b} --force'],
  status: ['anymesh status', 'anymesh status --mesh {a},{b} -o wide', 'anymesh status -o json'],
  register: ['anymesh register {r}', 'anymesh register {r} -n NAMESPACE --dry-run'],
  version: ['anymesh version', 'anymesh version --client -o json'],
  crds: ['anymesh crds | kubectl apply -f -', 'anymesh crds -o json'],
  import: [
    'anymesh import -f native-config/ --from {a} > policies.yaml',
    'anymesh import -f native-config/ --from {a} --strict --out-dir policies/',
  ],
  migrate: [
    'anymesh migrate plan -f native-config/ --from {a} --to {b}',
    'anymesh migrate plan -f native-config/ --from {a} --to {c} -o json',
  ],
  controller: [
    'anymesh controller --mesh {a}',
    'anymesh controller --mesh {a} --leader-elect --namespace shop --drift=report',
  ],
  completion: [
    'anymesh completion bash > ~/.local/share/bash-completion/completions/anymesh',
    'source <(anymesh completion bash)          # bash, this shell only',
    'anymesh completion zsh > ~/.zsh/completions/_anymesh   # zsh (a folder on $fpath)',
    'anymesh completion fish > ~/.config/fish/completions/anymesh.fish',
  ],
};

/** The help text after the options: `Examples:` and the command lines, indented as commander indents. */
export function examplesHelp(command: string): string {
  const lines = EXAMPLES[command];
  if (!lines?.length) return '';
  const ids: Record<string, string | undefined> = {
    a: MESHES[0]?.id,
    b: MESHES[1]?.id ?? MESHES[0]?.id,
    c: MESHES[2]?.id ?? MESHES[0]?.id,
    r: MESHES.find(isRegisterOnly)?.id,
  };
  const fill = (l: string) => l.replace(/\{([abcr])\}/g, (whole, k: string) => ids[k] ?? whole);
  return `\nExamples:\n${lines.map((l) => `  ${fill(l)}`).join('\n')}\n`;
}

/** Commands that have examples (tests check that every command has some). */
export const COMMANDS_WITH_EXAMPLES = Object.keys(EXAMPLES);
