/**
 * Flag values that name Kubernetes or DNS things are checked as the model checks the same thing
 * in a policy file (src/core/model/semantic.ts: namespaces are DNS-1123 labels, domains DNS-1123
 * subdomains), so `-n Shop_1` or `--cluster-domain ''` is a usage error naming the flag instead of
 * output that no API server or proxy accepts (Kubernetes' own rule:
 * k8s.io/apimachinery/pkg/util/validation IsDNS1123Label / IsDNS1123Subdomain).
 */
import { UsageError } from './exit.js';

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
/** SPIFFE trust domain names: lower-case letters, digits, '.', '-' and '_' (SPIFFE-ID spec, 2.1). */
const TRUST_DOMAIN = /^[a-z0-9._-]+$/;

/** `-n NS`: a namespace name, when given. */
export function checkNamespaceFlag(value: string | undefined, flag = '-n'): void {
  if (value === undefined) return;
  if (value.length > 63 || !DNS1123_LABEL.test(value))
    throw new UsageError(
      `${flag} ${JSON.stringify(value)}: a namespace is a DNS-1123 label (at most 63 lower-case letters, digits and -, starting and ending alphanumeric)`,
    );
}

/** `--cluster-domain D`: a DNS subdomain (`cluster.local`). */
export function checkDomainFlag(value: string | undefined, flag: string): void {
  if (value === undefined) return;
  if (value.length > 253 || !DNS1123_SUBDOMAIN.test(value))
    throw new UsageError(
      `${flag} ${JSON.stringify(value)}: give a DNS name of lower-case letters, digits, - and . (e.g. cluster.local)`,
    );
}

/** `--trust-domain T`: a SPIFFE trust domain name. */
export function checkTrustDomainFlag(value: string | undefined, flag = '--trust-domain'): void {
  if (value === undefined) return;
  if (value.length > 255 || !TRUST_DOMAIN.test(value))
    throw new UsageError(
      `${flag} ${JSON.stringify(value)}: a SPIFFE trust domain has lower-case letters, digits, '.', '-' and '_' only (e.g. cluster.local)`,
    );
}
