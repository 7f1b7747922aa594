/** Fault injection. An abort without its status aborts nothing, so a status drops its abort. */
import { withField } from './fixtures.js';
import { defineFamily } from './types.js';

const F = 'TrafficPolicy.spec.rules[].fault';

export const fault = defineFamily({
  name: 'fault',
  features: [
    {
      id: 'fault.delay',
      description: 'Delay a percentage of requests (fault injection).',
      uses: [{ field: `${F}.delay`, scope: 'field' }],
      fixture: withField('fault: {delay: {duration: 2s, percentage: 10}}'),
    },
    {
      id: 'fault.abort.http',
      description: 'Abort a percentage of requests with an HTTP status (fault injection).',
      uses: [{ field: `${F}.abort.status`, scope: 'field', drop: `${F}.abort` }],
      fixture: withField('fault: {abort: {status: 503, percentage: 5}}'),
    },
    {
      id: 'fault.abort.grpc',
      description: 'Abort a percentage of requests with a gRPC status (fault injection).',
      uses: [{ field: `${F}.abort.grpcStatus`, scope: 'field', drop: `${F}.abort` }],
      fixture: withField('fault: {abort: {grpcStatus: UNAVAILABLE, percentage: 5}}'),
    },
  ],
  explain: [
    { field: 'TrafficPolicy', features: 'fault' },
    { field: 'TrafficPolicy.spec.rules.fault', features: 'fault' },
  ],
});
