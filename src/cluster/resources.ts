/**
 * REST mapping: which resource (plural, scope) serves an apiVersion + kind, from the API server's
 * own discovery documents (`/api/v1`, `/apis/<group>/<version>`), cached per group-version. A kind
 * the cluster does not serve (CRD not installed) maps to undefined.
 */
import { KubeApiError, type KubeClient } from './client.js';

export interface ResourceInfo {
  readonly group: string;
  readonly version: string;
  readonly kind: string;
  /** The plural resource name, e.g. virtualservices. */
  readonly resource: string;
  readonly namespaced: boolean;
  readonly verbs: readonly string[];
}

interface ApiResourceList {
  resources?: { name: string; kind: string; namespaced: boolean; verbs?: string[] }[];
}

function splitApiVersion(apiVersion: string): { group: string; version: string } {
  const slash = apiVersion.indexOf('/');
  return slash < 0
    ? { group: '', version: apiVersion }
    : { group: apiVersion.slice(0, slash), version: apiVersion.slice(slash + 1) };
}

/** `Kind.group`, or just `Kind` for the core group: how ApplySet annotations name a group-kind. */
export function groupKind(group: string, kind: string): string {
  return group ? `${kind}.${group}` : kind;
}

export function parseGroupKind(gk: string): { group: string; kind: string } {
  const dot = gk.indexOf('.');
  return dot < 0 ? { group: '', kind: gk } : { group: gk.slice(dot + 1), kind: gk.slice(0, dot) };
}

export class RestMapper {
  private readonly client: KubeClient;
  private readonly cache = new Map<string, Promise<ApiResourceList | undefined>>();
  /** A group's versions, the preferred one first. */
  private readonly versions = new Map<string, Promise<string[]>>();

  constructor(client: KubeClient) {
    this.client = client;
  }

  private list(group: string, version: string): Promise<ApiResourceList | undefined> {
    const key = `${group}/${version}`;
    let p = this.cache.get(key);
    if (!p) {
      const path = group ? `/apis/${group}/${version}` : `/api/${version}`;
      p = this.client.request<ApiResourceList>('GET', path).then(
        (r) => r.body,
        (err: unknown) => {
          if (err instanceof KubeApiError && err.code === 404) return undefined;
          this.cache.delete(key);
          throw err;
        },
      );
      this.cache.set(key, p);
    }
    return p;
  }

  async find(apiVersion: string, kind: string): Promise<ResourceInfo | undefined> {
    const { group, version } = splitApiVersion(apiVersion);
    const list = await this.list(group, version);
    const r = list?.resources?.find((x) => x.kind === kind && !x.name.includes('/'));
    if (!r) return undefined;
    return { group, version, kind, resource: r.name, namespaced: r.namespaced, verbs: r.verbs ?? [] };
  }

  /**
   * A group-kind known only by name (ApplySets, `import --from-cluster`) in the group's preferred
   * version, else in the first other version the server lists that serves the kind, as kubectl's
   * REST mapper resolves it: a group's versions need not serve the same kinds (Linkerd's
   * policy.linkerd.io prefers v1beta3, which has Server and HTTPRoute, while AuthorizationPolicy
   * and MeshTLSAuthentication are only in v1alpha1).
   */
  async findGroupKind(group: string, kind: string): Promise<ResourceInfo | undefined> {
    if (!group) return this.find('v1', kind);
    let p = this.versions.get(group);
    if (!p) {
      p = this.client
        .request<{ preferredVersion?: { version?: string }; versions?: { version?: string }[] }>(
          'GET',
          `/apis/${group}`,
        )
        .then(
          (r) => {
            const listed = (r.body.versions ?? []).flatMap((v) => (v.version ? [v.version] : []));
            const preferred = r.body.preferredVersion?.version;
            return preferred ? [preferred, ...listed.filter((v) => v !== preferred)] : listed;
          },
          (err: unknown) => {
            if (err instanceof KubeApiError && err.code === 404) return [];
            // A failure is not remembered (as list() does): the next lookup asks again.
            this.versions.delete(group);
            throw err;
          },
        );
      this.versions.set(group, p);
    }
    for (const version of await p) {
      const info = await this.find(`${group}/${version}`, kind);
      if (info) return info;
    }
    return undefined;
  }
}

/** The REST path of a collection (name undefined) or of one object. */
export function resourcePath(info: ResourceInfo, namespace: string | undefined, name?: string): string {
  const base = info.group ? `/apis/${info.group}/${info.version}` : `/api/${info.version}`;
  const ns = info.namespaced && namespace ? `/namespaces/${encodeURIComponent(namespace)}` : '';
  return `${base}${ns}/${info.resource}${name === undefined ? '' : `/${encodeURIComponent(name)}`}`;
}
