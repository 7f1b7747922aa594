/**
 * Readiness: is each installed piece actually working, and if not, why. Checks CRDs (Established),
 * Deployments (Available, all replicas updated and ready), StatefulSets and DaemonSets (all replicas
 * ready), and webhook configurations (each webhook's Service exists and has ready endpoints, i.e. the
 * API server can reach it). Each check answers { ready, reason }, so a timeout reports what is missing.
 */
import type { KubeConfig } from '@kubernetes/client-node';
import { condition, type KubeObj, kubeGet, kubeList } from '../client.js';

const sleep = (ms: number) => new Promise<void>((done) => setTimeout(done, ms));

export type ReadinessKind =
  | 'CustomResourceDefinition'
  | 'Deployment'
  | 'StatefulSet'
  | 'DaemonSet'
  | 'MutatingWebhookConfiguration'
  | 'ValidatingWebhookConfiguration';

const READINESS_KINDS: readonly ReadinessKind[] = [
  'CustomResourceDefinition',
  'Deployment',
  'StatefulSet',
  'DaemonSet',
  'MutatingWebhookConfiguration',
  'ValidatingWebhookConfiguration',
];

export interface ReadinessTarget {
  readonly kind: ReadinessKind;
  readonly name: string;
  /** For namespaced kinds. */
  readonly namespace?: string;
}

export interface ReadinessResult extends ReadinessTarget {
  readonly ready: boolean;
  /** Why not ready (or a short summary when ready). */
  readonly reason: string;
}

export function describeTarget(t: ReadinessTarget): string {
  return `${t.kind} ${t.namespace ? `${t.namespace}/` : ''}${t.name}`;
}

async function checkOne(kc: KubeConfig, t: ReadinessTarget): Promise<ReadinessResult> {
  const r = (ready: boolean, reason: string): ReadinessResult => ({ ...t, ready, reason });
  switch (t.kind) {
    case 'CustomResourceDefinition': {
      const crd = await kubeGet<KubeObj>(
        kc,
        `/apis/apiextensions.k8s.io/v1/customresourcedefinitions/${t.name}`,
      );
      if (!crd) return r(false, 'not found');
      const est = condition(crd, 'Established');
      if (est?.status === 'True') return r(true, 'Established');
      const names = condition(crd, 'NamesAccepted');
      if (names?.status === 'False') return r(false, `names not accepted: ${names.message ?? names.reason}`);
      return r(false, `not Established yet${est?.message ? `: ${est.message}` : ''}`);
    }
    case 'Deployment':
    case 'StatefulSet':
    case 'DaemonSet':
      return workloadReadiness(kc, t, r);
    case 'MutatingWebhookConfiguration':
    case 'ValidatingWebhookConfiguration':
      return webhookReadiness(kc, t, r);
  }
}

type Mk = (ready: boolean, reason: string) => ReadinessResult;

async function workloadReadiness(kc: KubeConfig, t: ReadinessTarget, r: Mk): Promise<ReadinessResult> {
  const plural = `${t.kind.toLowerCase()}s`;
  const obj = await kubeGet<KubeObj>(kc, `/apis/apps/v1/namespaces/${t.namespace}/${plural}/${t.name}`);
  if (!obj) return r(false, 'not found');
  const spec = (obj.spec ?? {}) as { replicas?: number; selector?: { matchLabels?: Record<string, string> } };
  const st = (obj.status ?? {}) as Record<string, number | undefined> & {
    observedGeneration?: number;
    updateRevision?: string;
    currentRevision?: string;
  };
  if ((st.observedGeneration ?? 0) < (obj.metadata.generation ?? 0)) {
    return r(false, 'not observed by its controller yet (is kube-controller-manager running?)');
  }
  let want: number;
  let ready: number;
  if (t.kind === 'DaemonSet') {
    want = st.desiredNumberScheduled ?? 0;
    ready = st.numberReady ?? 0;
  } else {
    want = spec.replicas ?? 1;
    ready = st.readyReplicas ?? 0;
  }
  const updated = t.kind === 'DaemonSet' ? (st.updatedNumberScheduled ?? 0) : (st.updatedReplicas ?? 0);
  if (t.kind === 'Deployment') {
    // As `kubectl rollout status`: every replica updated, no old replica left, all available.
    const available = condition(obj, 'Available');
    const progressing = condition(obj, 'Progressing');
    if (progressing?.reason === 'ProgressDeadlineExceeded') {
      return r(false, `rollout stuck: ${progressing.message ?? 'progress deadline exceeded'}`);
    }
    const total = st.replicas ?? 0;
    const availableReplicas = st.availableReplicas ?? 0;
    if (available?.status === 'True' && updated >= want && total <= want && availableReplicas >= want) {
      return r(true, `Available, ${ready}/${want} ready`);
    }
    if (total > updated) {
      const why = await podProblems(kc, t.namespace ?? 'default', spec.selector?.matchLabels ?? {});
      return r(
        false,
        `rollout in progress: ${updated}/${want} updated, ${total - updated} old replica(s) still running${why ? `: ${why}` : ''}`,
      );
    }
  } else if (t.kind === 'StatefulSet') {
    const revisionsMatch = !st.updateRevision || st.updateRevision === st.currentRevision;
    if (ready >= want && updated >= want && revisionsMatch) return r(true, `${ready}/${want} ready`);
  } else if (ready >= want && updated >= want && want > 0) {
    return r(true, `${ready}/${want} ready`);
  }
  const why = await podProblems(kc, t.namespace ?? 'default', spec.selector?.matchLabels ?? {});
  return r(false, `${ready}/${want} replicas ready${why ? `: ${why}` : ''}`);
}

/** What keeps the selected pods from being ready, in one line. */
async function podProblems(
  kc: KubeConfig,
  namespace: string,
  labels: Record<string, string>,
): Promise<string> {
  const selector = Object.entries(labels)
    .map(([k, v]) => `${k}=${v}`)
    .join(',');
  const pods = await kubeList<KubeObj>(
    kc,
    `/api/v1/namespaces/${namespace}/pods${selector ? `?labelSelector=${encodeURIComponent(selector)}` : ''}`,
  );
  if (pods.length === 0)
    return 'no pods created (is kube-controller-manager running? check the ReplicaSet events)';
  const reasons = new Set<string>();
  for (const pod of pods) {
    const scheduled = condition(pod, 'PodScheduled');
    if (scheduled?.status === 'False') {
      reasons.add(
        `pod ${pod.metadata.name} unschedulable: ${scheduled.message ?? scheduled.reason ?? ''}`.trim(),
      );
      continue;
    }
    if (!(pod.spec as { nodeName?: string } | undefined)?.nodeName) {
      reasons.add(`pod ${pod.metadata.name} not scheduled (is a scheduler running?)`);
      continue;
    }
    const statuses = (pod.status?.containerStatuses ?? []) as {
      name: string;
      state?: Record<string, { reason?: string; message?: string }>;
    }[];
    for (const cs of statuses) {
      const waiting = cs.state?.waiting;
      if (waiting)
        reasons.add(
          `container ${cs.name} of ${pod.metadata.name} waiting: ${waiting.reason ?? ''} ${waiting.message ?? ''}`.trim(),
        );
    }
    const ready = condition(pod, 'Ready');
    if (ready?.status !== 'True' && statuses.length === 0) {
      reasons.add(
        `pod ${pod.metadata.name} on node ${(pod.spec as { nodeName?: string }).nodeName} not started (is the node's kubelet up?)`,
      );
    } else if (ready?.status !== 'True' && reasons.size === 0) {
      reasons.add(`pod ${pod.metadata.name} not Ready${ready?.message ? `: ${ready.message}` : ''}`);
    }
  }
  return [...reasons].slice(0, 3).join('; ');
}

interface WebhookEntry {
  name: string;
  clientConfig?: { url?: string; service?: { name: string; namespace: string; port?: number } };
}

async function webhookReadiness(kc: KubeConfig, t: ReadinessTarget, r: Mk): Promise<ReadinessResult> {
  const plural = `${t.kind.toLowerCase()}s`;
  const cfg = await kubeGet<KubeObj & { webhooks?: WebhookEntry[] }>(
    kc,
    `/apis/admissionregistration.k8s.io/v1/${plural}/${t.name}`,
  );
  if (!cfg) return r(false, 'not found');
  const problems: string[] = [];
  const services = new Map<string, { name: string; namespace: string }>();
  for (const w of cfg.webhooks ?? []) {
    const svc = w.clientConfig?.service;
    if (svc) services.set(`${svc.namespace}/${svc.name}`, svc);
  }
  for (const svc of services.values()) {
    const service = await kubeGet<KubeObj>(kc, `/api/v1/namespaces/${svc.namespace}/services/${svc.name}`);
    if (!service) {
      problems.push(`Service ${svc.namespace}/${svc.name} not found`);
      continue;
    }
    const slices = await kubeList<{
      endpoints?: { addresses?: string[]; conditions?: { ready?: boolean } }[];
    }>(
      kc,
      `/apis/discovery.k8s.io/v1/namespaces/${svc.namespace}/endpointslices?labelSelector=${encodeURIComponent(`kubernetes.io/service-name=${svc.name}`)}`,
    );
    const ready = slices.flatMap((s) => s.endpoints ?? []).filter((e) => e.conditions?.ready !== false);
    if (ready.length === 0)
      problems.push(`Service ${svc.namespace}/${svc.name} has no ready endpoints (its pods are not Ready)`);
  }
  if (problems.length > 0) return r(false, problems.join('; '));
  const n = (cfg.webhooks ?? []).length;
  return r(
    true,
    `${n} webhook${n === 1 ? '' : 's'}, ${services.size} service${services.size === 1 ? '' : 's'} with ready endpoints`,
  );
}

export async function checkAll(
  kc: KubeConfig,
  targets: readonly ReadinessTarget[],
): Promise<ReadinessResult[]> {
  return Promise.all(targets.map((t) => checkOne(kc, t)));
}

/**
 * Polls until everything is ready or the deadline passes; returns the last results either way.
 * `onChange` sees each target when its state changes (for progress output).
 */
export async function waitReady(
  kc: KubeConfig,
  targets: readonly ReadinessTarget[],
  timeoutMs: number,
  onChange: (r: ReadinessResult) => void = () => {},
  intervalMs = 500,
): Promise<{ ready: boolean; results: ReadinessResult[] }> {
  const deadline = Date.now() + timeoutMs;
  const last = new Map<string, boolean>();
  for (;;) {
    const results = await checkAll(kc, targets);
    for (const res of results) {
      const key = describeTarget(res);
      if (last.get(key) !== res.ready) {
        last.set(key, res.ready);
        if (res.ready) onChange(res);
      }
    }
    if (results.every((x) => x.ready)) return { ready: true, results };
    if (Date.now() >= deadline) return { ready: false, results };
    await sleep(intervalMs);
  }
}

/**
 * Readiness targets among the objects of one chart's manifest: what helm --wait would watch, plus
 * CRDs, plus webhook configurations whose Services the same chart creates. A webhook pointing at a
 * Service of a later chart (Istio's base chart carries istiod-default-validator, istiod comes next)
 * is checked once the whole mesh is in, not per chart.
 */
export function targetsFromManifest(
  objects: readonly KubeObj[],
  releaseNamespace: string,
): ReadinessTarget[] {
  const services = new Set(
    objects
      .filter((o) => o.kind === 'Service')
      .map((o) => `${o.metadata.namespace ?? releaseNamespace}/${o.metadata.name}`),
  );
  const out: ReadinessTarget[] = [];
  for (const o of objects) {
    const kind = o.kind as ReadinessKind;
    if (!READINESS_KINDS.includes(kind)) continue;
    if (kind === 'MutatingWebhookConfiguration' || kind === 'ValidatingWebhookConfiguration') {
      const hooks = ((o as unknown as { webhooks?: WebhookEntry[] }).webhooks ?? []).map(
        (w) => w.clientConfig?.service,
      );
      if (!hooks.every((svc) => !svc || services.has(`${svc.namespace}/${svc.name}`))) continue;
    }
    const namespaced = kind === 'Deployment' || kind === 'StatefulSet' || kind === 'DaemonSet';
    out.push({
      kind,
      name: o.metadata.name,
      ...(namespaced ? { namespace: o.metadata.namespace ?? releaseNamespace } : {}),
    });
  }
  return out;
}
