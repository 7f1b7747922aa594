/** Request timeouts. Left out, a request waits as long as the mesh's default allows. */
import { withField } from './fixtures.js';
import { defineFamily } from './types.js';

export const timeout = defineFamily({
  name: 'timeout',
  features: [
    {
      id: 'timeout.request',
      description: 'A timeout for the whole request, retries included.',
      uses: [{ field: 'TrafficPolicy.spec.rules[].timeout', scope: 'field' }],
      fixture: withField('timeout: 2s'),
    },
  ],
  explain: [{ field: 'TrafficPolicy', features: 'timeout' }],
});
