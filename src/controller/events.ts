/**
 * Kubernetes Events (core v1) on a policy's transitions: accepted, refused, programmed, conflicted,
 * drift reverted. Sent only when a condition changes, so a resync that changes nothing sends none.
 */
import type { KubeClient } from '../cluster/client.js';
import type { LiveObject } from '../cluster/objects.js';

export const COMPONENT = 'anymesh-controller';

export async function emitEvent(
  client: KubeClient,
  about: LiveObject,
  type: 'Normal' | 'Warning',
  reason: string,
  message: string,
  instance: string,
): Promise<void> {
  const ns = about.metadata.namespace ?? 'default';
  const now = new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
  await client.request('POST', `/api/v1/namespaces/${encodeURIComponent(ns)}/events`, {
    apiVersion: 'v1',
    kind: 'Event',
    metadata: { generateName: `${about.metadata.name}.`, namespace: ns },
    involvedObject: {
      apiVersion: about.apiVersion,
      kind: about.kind,
      name: about.metadata.name,
      namespace: ns,
      ...(about.metadata.uid ? { uid: about.metadata.uid } : {}),
      ...(about.metadata.resourceVersion ? { resourceVersion: about.metadata.resourceVersion } : {}),
    },
    type,
    reason,
    // The API server refuses event messages over 1 kB: keep the start, which names the field.
    message: message.length > 1000 ? `${message.slice(0, 997)}...` : message,
    source: { component: COMPONENT },
    reportingComponent: COMPONENT,
    reportingInstance: instance,
    firstTimestamp: now,
    lastTimestamp: now,
    count: 1,
  });
}
