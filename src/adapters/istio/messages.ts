/** Istio's own diagnostics (AM41xx): none yet; the adapter reports only core codes. */
import type { MessageType } from '../../core/diagnostics.js';

export const ISTIO_MESSAGES: Readonly<Record<string, MessageType>> = {};
