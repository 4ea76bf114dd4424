/**
 * One check per kind of place a setting lands, so that no value changes meaning on the way: a
 * Kubernetes object name or label as the API server validates it, a Vault path as Vault splits it,
 * a URL as an alert, a provider block and an HTTP client read it. Every setting is read through one
 * of these (or a fixed choice); a value that passes is used as written.
 */
import { plainHttpOffCluster, plainHttpOffLoopback } from '../lambda-src/http-request';
import { Check, object, shown, text } from './setting-checks';

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
const DNS_SUBDOMAIN_PART = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

function isDnsSubdomain(name: string): boolean {
  return name.length <= 253 && name.split('.').every((part) => DNS_SUBDOMAIN_PART.test(part));
}

/** A namespace, a Helm release, a Deployment read as a DNS label: RFC 1123 label, at most 63 characters. */
export const labelName = (what: string, example: string): Check<string> => text(`${what} (lowercase letters, digits and -, at most 63, starting and ending with a letter or digit)`, DNS_LABEL, example);

/** A Secret, ConfigMap, ExternalSecret, store or workload name: RFC 1123 subdomain, as the API server checks it at apply. */
export const objectName =
  (what: string, example: string): Check<string> =>
  (value, at, problems) => {
    if (typeof value === 'string' && isDnsSubdomain(value)) return value;
    problems.push(`${at} is ${shown(value)}: write ${what}, a Kubernetes object name (lowercase letters, digits, - and ., at most 253), e.g. ${JSON.stringify(example)}.`);
    return undefined;
  };

/** A key of a Secret's data: letters, digits, -, _ and . (the API server's rule). */
export const secretDataKey = text('a key of that Secret (letters, digits, -, _ and .)', /^[-._a-zA-Z0-9]{1,253}$/, 'api-key');

/** A key of a Secret the pods or the CronJob read (Keep's API key, say). */
export const secretKeyReference = object<{ name: string; key: string }>(
  { name: objectName('a Secret name', 'keep-api'), key: secretDataKey },
  '{"name": "keep-api", "key": "api-key"}',
);

const LABEL_NAME_PART = /^[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;

/** Labels as a selector matches them: keys `[prefix/]name`, values empty or at most 63 of the name characters. */
export const labelMap: Check<Record<string, string>> = (value, at, problems) => {
  const example = '{"release": "kube-prometheus-stack"}';
  if (typeof value !== 'object' || value === null || Array.isArray(value) || Object.keys(value).length === 0) {
    problems.push(`${at} is ${shown(value)}: write labels as an object of strings, e.g. ${example}.`);
    return undefined;
  }
  const before = problems.length;
  for (const [key, item] of Object.entries(value as Record<string, unknown>)) {
    const slash = key.lastIndexOf('/');
    const [prefix, name] = slash === -1 ? [undefined, key] : [key.slice(0, slash), key.slice(slash + 1)];
    if (!LABEL_NAME_PART.test(name) || (prefix !== undefined && !isDnsSubdomain(prefix))) {
      problems.push(`${at} has the key ${shown(key)}: a label key is [prefix/]name, the name at most 63 letters, digits, -, _ and . (e.g. "release" or "app.kubernetes.io/name").`);
    } else if (typeof item !== 'string' || !(item === '' || LABEL_NAME_PART.test(item))) {
      problems.push(`${at}.${key} is ${shown(item)}: a label value is at most 63 letters, digits, -, _ and ., starting and ending with a letter or digit.`);
    }
  }
  return problems.length === before ? (value as Record<string, string>) : undefined;
};

/**
 * A path under a Vault mount (`ci/global`): segments of letters, digits, `_`, `-` and `.`, never `.`
 * or `..` (which would reach another mount, e.g. `../../sys/policy/root`), no leading or doubled `/`.
 */
export const vaultPath =
  (what: string, example: string): Check<string> =>
  (value, at, problems) => {
    const segments = typeof value === 'string' ? value.split('/') : [];
    if (segments.length > 0 && segments.every((segment) => /^[\w.-]+$/.test(segment) && segment !== '.' && segment !== '..')) return value as string;
    problems.push(`${at} is ${shown(value)}: write ${what}, segments of letters, digits, _, - and . joined by / (no '..', no leading /), e.g. ${JSON.stringify(example)}.`);
    return undefined;
  };

/** Text that lands as itself (a kubeconfig context or path): printable, on one line, bounded. */
export const printableText =
  (what: string, maxLength: number): Check<string> =>
  (value, at, problems) => {
    if (typeof value === 'string' && value !== '' && value.length <= maxLength && !/[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Cs}]/u.test(value)) return value;
    const why = typeof value === 'string' && value.length > maxLength ? `${value.length} characters, more than ${maxLength}` : shown(value);
    problems.push(`${at} is ${why}: write ${what} (printable characters, at most ${maxLength}).`);
    return undefined;
  };

/** Query parameters that carry a credential: a URL in a setting is committed and copied everywhere. */
const CREDENTIAL_PARAMETER = /^(token|access_token|id_token|auth|authorization|key|api_?key|apikey|password|passwd|secret|client_secret|sig|signature|x-amz-signature|x-amz-credential|x-vault-token)$/i;

/** Where a URL may use plain http: anywhere, on loopback only, or on loopback and cluster-local Service names. */
export type PlainHttp = 'allowed' | 'loopback' | 'cluster';

/**
 * An http(s) URL as it lands downstream: in alert annotations (Go templates: no `{`, `}`), in the
 * provider block, the state backend and the pods' environment. ASCII only (anything else
 * percent-encoded: a control or direction-changing character would reach every alert or break the
 * rules file), no user or password and no credential-like query parameter (settings are committed and
 * copied into the synth output), no `#fragment` where one changes meaning (`fragment: false`: an
 * anchor or a path is appended to it), and plain http only where `plainHttp` allows it.
 */
export const url =
  (example: string, { fragment = true, plainHttp = 'allowed' }: { fragment?: boolean; plainHttp?: PlainHttp } = {}): Check<string> =>
  (value, at, problems) => {
    if (typeof value === 'string' && /[^\x21-\x7e]/.test(value)) {
      const char = /[^\x21-\x7e]/.exec(value)![0];
      const code = `U+${char.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`;
      problems.push(`${at} holds ${char === ' ' ? 'a space' : code}: a URL is printable ASCII; percent-encode anything else (e.g. a space as %20), or remove it.`);
      return undefined;
    }
    const parsed = text('an http(s) URL', /^https?:\/\/[^/?#]+/, example)(value, at, problems);
    if (parsed === undefined) return undefined;
    let address: URL;
    try {
      address = new URL(parsed);
    } catch {
      problems.push(`${at} is ${shown(parsed)}: not a URL; write e.g. ${JSON.stringify(example)}.`);
      return undefined;
    }
    const problem = urlProblem(parsed, address, { fragment, plainHttp });
    if (problem) problems.push(`${at} ${problem}`);
    return problem ? undefined : parsed;
  };

function urlProblem(text: string, address: URL, { fragment, plainHttp }: { fragment: boolean; plainHttp: PlainHttp }): string | undefined {
  if (address.username || address.password) {
    return `holds a user or password in its URL (${shown(text)}): settings are committed and copied into the synth output; remove them (credentials come from the environment or Vault).`;
  }
  const credential = [...address.searchParams.keys()].find((name) => CREDENTIAL_PARAMETER.test(name));
  if (credential !== undefined) {
    return `has a '${credential}' query parameter, which carries a credential: settings are committed and copied into the synth output; remove it (credentials come from the environment or Vault).`;
  }
  if (/[{}<>"\\^`|]/.test(text)) {
    return `is ${shown(text)}: a URL cannot hold { } < > " \\ ^ \` or | unencoded (Prometheus would read {{ as a template); percent-encode them.`;
  }
  if (!fragment && text.includes('#')) return `is ${shown(text)}: write it without a #fragment; something is appended to it, and would land in the fragment, never sent.`;
  if (plainHttp === 'loopback' && plainHttpOffLoopback(text)) {
    return `is plain http to ${address.host}: what travels on it (a Vault token, the state) would cross the network in clear. Use https (or a port-forward to 127.0.0.1).`;
  }
  if (plainHttp === 'cluster' && plainHttpOffCluster(text)) {
    return (
      `is plain http to ${address.host}, which is not a cluster-local Service name: the token would cross the network in clear. ` +
      'Use https, or the Service\'s cluster-local name (e.g. http://vault.vault.svc:8200), which stays on the cluster network.'
    );
  }
  return undefined;
}
