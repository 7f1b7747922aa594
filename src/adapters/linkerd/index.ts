// PLACEHOLDER: replaced by the Linkerd adapter (issue). Not a deliverable.
import type { MeshAdapter } from '../../core/adapter.js';
import type { CapabilityColumn } from '../../core/capabilities.js';
import { FEATURE_IDS } from '../../core/features.js';

const column = Object.fromEntries(
  FEATURE_IDS.map((id) => [id, { support: 'none', reason: 'adapter not written yet', docs: '' }]),
) as unknown as CapabilityColumn;

export const linkerdAdapter = {
  id: 'linkerd',
  displayName: 'Linkerd',
  versions: { minimum: '0', tested: '0' },
  capabilities: column,
  docs: '',
  messages: {},
  compile: () => ({ resources: [], diagnostics: [] }),
} satisfies MeshAdapter;
