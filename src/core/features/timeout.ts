/** Request timeouts. Left out, a request waits as long as the mesh's default allows. */
import { withField } from './fixtures.js';
import { protocolOf } from './protocol.js';
import { defineFamily } from './types.js';

export const timeout = defineFamily({
  name: 'timeout',
  features: [
    {
      id: 'timeout.request',
      description: 'A timeout for the whole request, retries included.',
      // A TCP policy's timeout is an idle timeout: protocol.tcp.idleTimeout.
      uses: [
        {
          field: 'TrafficPolicy.spec.rules[].timeout',
          scope: 'field',
          when: (_v, ctx) => protocolOf(ctx.root) !== 'tcp',
        },
      ],
      fixture: withField('timeout: 2s'),
    },
  ],
  explain: [{ field: 'TrafficPolicy', features: 'timeout' }],
});
