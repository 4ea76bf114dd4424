import { looksLikeToken } from './token-shape';

/** Kubernetes DNS-1123 label: also a valid ConfigMap key and label value, so one rule covers all three. */
const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS1123_LABEL_MAX_LENGTH = 63;

/**
 * Why `path` cannot be a token path, with a valid suggestion; undefined when it can. A token path is
 * a ConfigMap key, a metric label value and part of a Vault path at once.
 */
export function tokenPathProblem(path: string): string | undefined {
  if (path.length <= DNS1123_LABEL_MAX_LENGTH && DNS1123_LABEL.test(path)) return undefined;
  if (looksLikeToken(path)) {
    return 'is a token, not a token path: delete it from the file now, and rotate that token (it has been written to disk and may be in history).';
  }
  const suggestion = path
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .slice(0, DNS1123_LABEL_MAX_LENGTH)
    .replace(/^-+|-+$/g, '');
  return (
    'is not a valid token path: it becomes a ConfigMap key, a metric label value and part of a Vault path, so it must be ' +
    `lowercase letters, digits and '-', start and end with a letter or digit, at most ${DNS1123_LABEL_MAX_LENGTH} characters` +
    (suggestion ? ` (e.g. '${suggestion}').` : '.')
  );
}
