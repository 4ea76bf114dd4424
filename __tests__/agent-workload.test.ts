import { AppCopy } from '../devkit/app-copy';
import { resourcesOfType } from './helpers/synth';

/** Agents that run as a StatefulSet: set once, restarted by the deploy like a Deployment. */
test('agentWorkload {"statefulSet": …}: the restart Job may get and patch exactly that StatefulSet', () => {
  const app = new AppCopy();
  try {
    const run = app.synth({ CDKTF_CONTEXT_JSON: JSON.stringify({ agentWorkload: { statefulSet: 'claude-agent' } }) });
    expect(run.status).toBe(0);
    const [role] = resourcesOfType(app.stackJson('claude-agent-service'), 'kubernetes_role_v1');
    expect(role.rule).toEqual([
      { api_groups: ['external-secrets.io'], resources: ['externalsecrets'], resource_names: ['claude-oauth-token'], verbs: ['get', 'patch'] },
      { api_groups: ['apps'], resources: ['statefulsets'], resource_names: ['claude-agent'], verbs: ['get', 'patch'] },
    ]);
    const job = resourcesOfType(app.stackJson('claude-agent-service'), 'kubernetes_job_v1').find((candidate) => candidate.metadata.name.startsWith('claude-oauth-token-restart-'))!;
    expect(JSON.stringify(job)).toContain('StatefulSet');
  } finally {
    app.remove();
  }
});
