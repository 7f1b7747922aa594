/**
 * The Istio adapter's diagnostics (codes AM4100-AM4199). Each says what is wrong and what would be
 * right; tests assert the codes, never the wording.
 */
import { type MessageType, message } from '../../core/diagnostics.js';

const m = message;

export const ISTIO_MESSAGES = {
  DenyHttpOnly: m(
    'AM4101',
    'warning',
    'IstioDenyHttpOnly',
    'Istio cannot check methods or paths on TCP (non-HTTP) traffic and leaves them out of a DENY rule there, so the rule would refuse every TCP connection from {callers} to {service}, not only the listed requests (istioctl analyze: IST0133); list the container ports in spec.to[{index}].ports, or give {service} a TrafficPolicy with spec.port, to limit the rule to those ports',
  ),
  DenyPortsAdded: m(
    'AM4102',
    'info',
    'IstioDenyPortsAdded',
    'spec.to[{index}] names no ports; the DENY rule gets port(s) {ports} of {service} (spec.port of {origin}), since Istio would otherwise refuse every TCP connection from these callers; requests to other ports are not denied, and the port is taken as the container port; list spec.to[{index}].ports to choose',
  ),
} as const satisfies Record<string, MessageType>;

export type IstioMessage = keyof typeof ISTIO_MESSAGES;
