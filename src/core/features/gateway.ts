/**
 * Ingress routes (issue 14): a TrafficPolicy bound to an ingress gateway (spec.gateway) routes the
 * requests entering the mesh there, as Gateway API HTTPRoutes with a Gateway parent, Istio
 * VirtualServices with `gateways` and App Mesh GatewayRoutes do. Left out, the policy would route
 * calls inside the mesh instead of the gateway's, so the whole policy goes; host names left out
 * would take every host's requests, and a port left out every listener's, so they drop the policy too.
 */
import { withSpec } from './fixtures.js';
import { defineFamily } from './types.js';

const G = 'TrafficPolicy.spec.gateway';

export const gateway = defineFamily({
  name: 'gateway',
  features: [
    {
      id: 'gateway.route',
      description:
        'Route the requests entering the mesh through an ingress gateway (spec.gateway): the rules are the routes the gateway applies before the request reaches the service.',
      uses: [{ field: G, scope: 'policy' }],
      fixture: withSpec('  gateway: {name: public}\n'),
    },
    {
      id: 'gateway.hostnames',
      description:
        'Answer at the gateway only for some host names (the Host header): names, or names under a leading *. wildcard.',
      uses: [{ field: `${G}.hostnames`, scope: 'policy' }],
      fixture: withSpec('  gateway: {name: public, hostnames: [shop.example.com]}\n', ['gateway.route']),
    },
    {
      id: 'gateway.port',
      description:
        "Apply the gateway's routes at one of its listener ports only (required for TCP routes at a gateway).",
      uses: [{ field: `${G}.port`, scope: 'policy' }],
      fixture: withSpec('  gateway: {name: public, port: 8443}\n', ['gateway.route']),
    },
  ],
  explain: [{ field: 'TrafficPolicy.spec.gateway', features: 'gateway', whole: true }],
});
