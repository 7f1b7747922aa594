/**
 * The Consul adapter's options (`--option key=value`, or the `--consul-format` and
 * `--consul-enterprise` shorthands), declared once and parsed here.
 */
import type { CompileContext } from '../../core/adapter.js';
import { type AdapterOption, checkOptionValue, optionValue } from '../../core/adapter-options.js';
import { type Diagnostic, makeDiagnostic } from '../../core/diagnostics.js';
import { consulMessages } from './messages.js';

export interface ConsulOptions {
  readonly format: 'crd' | 'config-entry';
  readonly enterprise: boolean;
  /** Kubernetes namespace of the mesh-wide CRDs (Mesh, ProxyDefaults global). */
  readonly globalNamespace: string;
}

const FORMAT: AdapterOption = {
  key: 'consul.format',
  type: 'enum',
  values: ['crd', 'config-entry'],
  default: 'crd',
  description:
    'crd (default): consul-k8s CRDs (consul.hashicorp.com/v1alpha1) for Kubernetes; config-entry: Consul config entries for `consul config write` / PUT /v1/config (Consul on VMs or Nomad): -o json gives a JSON array of entries, -o yaml gives HCL entries, each opened by a "# --- <kind> <name>" comment line (Consul reads HCL and JSON, not YAML; `consul config write` takes one entry per file)',
  flag: {
    name: '--consul-format <format>',
    description: 'Consul output: crd (consul-k8s CRDs) or config-entry (for consul config write)',
  },
};

const ENTERPRISE: AdapterOption = {
  key: 'consul.enterprise',
  type: 'boolean',
  default: 'false',
  description:
    'true: Consul Enterprise with Kubernetes namespaces mirrored into Consul namespaces (connectInject.consulNamespaces.mirroringK8S): namespace fields are written and the same service name may be used in several namespaces. Default: false (Community Edition, one namespace)',
  flag: {
    name: '--consul-enterprise',
    description: 'Consul Enterprise: emit namespace fields',
    flagValue: 'true',
  },
};

const GLOBAL_NAMESPACE: AdapterOption = {
  key: 'consul.globalNamespace',
  type: 'string',
  default: 'consul',
  description:
    'the Kubernetes namespace for the mesh-wide Mesh and ProxyDefaults CRDs, usually where Consul is installed. Default: consul',
};

export const CONSUL_OPTIONS: readonly AdapterOption[] = [FORMAT, ENTERPRISE, GLOBAL_NAMESPACE];

const NAMESPACE_NAME = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

/** The options, every problem reported and defaults filling the rest. */
export function parseOptions(ctx: CompileContext): { options: ConsulOptions; diagnostics: Diagnostic[] } {
  const diagnostics: Diagnostic[] = [];
  const bad = (option: string, got: string, expected: string) =>
    diagnostics.push(makeDiagnostic(consulMessages.BadOption, { option, got, expected }));
  const read = (spec: AdapterOption): string => {
    const value = optionValue(spec, ctx)!;
    const expected = checkOptionValue(spec, value);
    if (expected) bad(spec.key, value, expected);
    return value;
  };
  const format = read(FORMAT);
  const enterprise = read(ENTERPRISE);
  const globalNamespace = read(GLOBAL_NAMESPACE);
  if (!NAMESPACE_NAME.test(globalNamespace)) {
    bad(GLOBAL_NAMESPACE.key, globalNamespace, 'a Kubernetes namespace name (DNS-1123 label)');
  }
  return {
    options: {
      format: format === 'config-entry' ? 'config-entry' : 'crd',
      enterprise: enterprise === 'true',
      globalNamespace,
    },
    diagnostics,
  };
}
