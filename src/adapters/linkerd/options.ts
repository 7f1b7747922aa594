/** The Linkerd adapter's options (`--option key=value`). */
import type { AdapterOption } from '../../core/adapter-options.js';

export const SERVER_PORTS_OPTION = 'linkerd.serverPorts';

export const SERVER_PORTS: AdapterOption = {
  key: SERVER_PORTS_OPTION,
  type: 'ports',
  description:
    'Container ports (comma-separated, e.g. 8080,9090) that a strict MTLSPolicy covers with a Server each: a Linkerd Server selects one pod port and MTLSPolicy names none. Required for strict MTLSPolicies; default: none.',
};

export const LINKERD_OPTIONS: readonly AdapterOption[] = [SERVER_PORTS];
