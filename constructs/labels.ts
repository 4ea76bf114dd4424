/** Kubernetes recommended labels (`app.kubernetes.io/*`) for everything this project deploys. */
export function recommendedLabels(name: string, component: string): Record<string, string> {
  return {
    'app.kubernetes.io/name': name,
    'app.kubernetes.io/component': component,
    'app.kubernetes.io/part-of': 'claude-oauth-tokens',
    'app.kubernetes.io/managed-by': 'cdktf',
  };
}
