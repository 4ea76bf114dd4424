/*
 * What every pod this project runs (the monitor, the probe, the restart Job) has in common with the
 * cluster's admission policies: the image it names and the fields a mutating webhook adds.
 */

/**
 * A stock Node.js image, fully qualified and pinned: a policy that admits only named registries
 * (Kyverno's `require-trusted-registries`, say) sees where it comes from.
 */
export const DEFAULT_SCRIPT_IMAGE = 'docker.io/library/node:22.20.0-alpine3.22';

// The distribution reference grammar's domain: components that start and end with a letter or digit.
const DOMAIN_COMPONENT = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])';
const DOMAIN = new RegExp(`^${DOMAIN_COMPONENT}(\\.${DOMAIN_COMPONENT})*$`);

/** Whether `host` names a registry: `localhost`, a dotted domain, or any domain with a port (1-65535). */
function registryHostProblem(host: string): 'none' | 'bad-port' | undefined {
  const [name, port] = host.split(/:(?=\d+$)/);
  if (!DOMAIN.test(name) || (port === undefined && name !== 'localhost' && !name.includes('.'))) return 'none';
  if (port !== undefined && !(Number(port) >= 1 && Number(port) <= 65535)) return 'bad-port';
  return undefined;
}
const REPOSITORY = /^[a-z0-9]+([._-][a-z0-9]+)*(\/[a-z0-9]+([._-][a-z0-9]+)*)*$/;
const TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;
const DIGEST = /^sha256:[a-f0-9]{64}$/;

/**
 * Why `image` cannot run here, or undefined: it names its registry (`docker.io/library/node`, not
 * `node`), and a tag other than `latest` or a digest, so every node runs the same bytes.
 */
export function scriptImageProblem(image: string): string | undefined {
  const example = `e.g. '${DEFAULT_SCRIPT_IMAGE}', or with '@sha256:<digest>' after the tag`;
  const [name, digest, ...extra] = image.split('@');
  if (extra.length > 0 || (digest !== undefined && !DIGEST.test(digest))) return `image '${image}' has a malformed digest: write 'name:tag@sha256:<64 hex>' (${example}).`;
  const slash = name.indexOf('/');
  const host = slash === -1 ? '' : name.slice(0, slash);
  if (/[^\x21-\x7e]/.test(image)) return `image ${JSON.stringify(image)} holds a space or a character outside printable ASCII: an image reference never does (${example}).`;
  const hostProblem = registryHostProblem(host);
  if (hostProblem === 'bad-port') return `image '${image}' names a registry port outside 1-65535 (${example}).`;
  if (hostProblem === 'none') {
    return `image '${image}' does not name its registry, and clusters that admit only trusted registries refuse it: write it in full (${example}).`;
  }
  const rest = name.slice(slash + 1);
  const colon = rest.lastIndexOf(':');
  const repository = colon === -1 ? rest : rest.slice(0, colon);
  const tag = colon === -1 ? undefined : rest.slice(colon + 1);
  if (!REPOSITORY.test(repository)) return `image '${image}' is not an image reference (${example}).`;
  if (tag !== undefined && !TAG.test(tag)) return `image '${image}' has a malformed tag (${example}).`;
  if (digest === undefined && (tag === undefined || tag === 'latest')) {
    return `image '${image}' must be pinned to a tag other than 'latest', or to a digest (${example}).`;
  }
  return undefined;
}

/**
 * Fields under a pod template that a mutating admission controller writes and Terraform must not
 * fight over: Kyverno's `dnsConfig` (ndots) on the cluster this project was made for. Without it a
 * plan after every deploy replaces the Jobs (a re-run; the restart Job restarts the agents) and
 * changes the CronJob. Paths are Terraform attribute paths relative to the pod template.
 */
export const ALWAYS_IGNORED_POD_TEMPLATE_FIELDS: readonly string[] = ['spec[0].dns_config'];

const ATTRIBUTE_PATH = /^(spec|metadata)\[0\](\.[a-z][a-z0-9_]*|\[\d+\]|\["[A-Za-z0-9./_-]+"\])+$/;

/** Why `field` is not a pod-template attribute path Terraform's `ignore_changes` takes, or undefined. */
export function ignoredFieldProblem(field: string): string | undefined {
  return ATTRIBUTE_PATH.test(field)
    ? undefined
    : `'${field}' is not a Terraform attribute path under a pod template: write e.g. 'spec[0].toleration' or 'metadata[0].annotations["policies.kyverno.io/last-applied-patches"]'.`;
}

/** The `ignore_changes` of a resource whose pod template sits at `templatePath`. */
export function podTemplateIgnoreChanges(templatePath: string, extraFields: readonly string[] = []): string[] {
  return [...new Set([...ALWAYS_IGNORED_POD_TEMPLATE_FIELDS, ...extraFields])].map((field) => `${templatePath}.${field}`);
}

/** Where the kubernetes provider keeps the pod template of a Job and of a CronJob. */
export const POD_TEMPLATE_PATH = {
  job: 'spec[0].template[0]',
  cronJob: 'spec[0].job_template[0].spec[0].template[0]',
} as const;
