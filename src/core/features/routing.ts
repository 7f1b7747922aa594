/**
 * Which callers routing rules apply to. Leaving a source out would apply the rules to more
 * callers, so it drops the source entry (and the policy when none is left).
 */
import { withSpec } from './fixtures.js';
import { defineFamily } from './types.js';

const S = 'TrafficPolicy.spec.sources[]';

export const routing = defineFamily({
  name: 'routing',
  features: [
    {
      id: 'routing.sources.namespace',
      description: 'Apply routing rules only to callers in a given namespace.',
      uses: [{ field: `${S}.namespace`, scope: 'sourceEntry' }],
      fixture: withSpec('  sources: [{namespace: web}]\n'),
    },
    {
      id: 'routing.sources.serviceAccount',
      description: 'Apply routing rules only to callers with a given service account.',
      uses: [{ field: `${S}.serviceAccount`, scope: 'sourceEntry' }],
      fixture: withSpec('  sources: [{namespace: web, serviceAccount: frontend}]\n', [
        'routing.sources.namespace',
      ]),
    },
    {
      id: 'routing.sources.labels',
      description: 'Apply routing rules only to callers whose pods carry given labels.',
      uses: [{ field: `${S}.labels`, scope: 'sourceEntry' }],
      fixture: withSpec('  sources: [{labels: {app: frontend}}]\n'),
    },
  ],
  explain: [
    { field: 'TrafficPolicy', features: 'routing' },
    { field: 'TrafficPolicy.spec.sources', features: 'routing.sources' },
  ],
});
