import { ClaudeAgentServiceStack } from '../../stacks/claude-agent-service/claude-agent-service-stack';
import { EXAMPLE_MINT_EPOCHS, testInventory } from '../helpers/inventory';
import { schemaViolations } from '../helpers/crd-schemas';
import { manifestsIn, resourcesOfType, synthStack, testApp } from '../helpers/synth';
import { Pushgateway } from '../../constructs/pushgateway';
import { testScripts } from '../helpers/scripts';


/** The deploy that changes primary: the restart Job, its Role, and how it fits a cluster's admission policies and other consumers. */
describe('ClaudeAgentServiceStack: moving the consumers', () => {
  describe('restartAgents: the agents restart onto a new primary token as part of its deploy', () => {
    const synth = (mintEpochs = EXAMPLE_MINT_EPOCHS, restart = true) =>
      synthStack(
        new ClaudeAgentServiceStack(testApp(), 'claude-agent-service', {
          inventory: testInventory(mintEpochs),
          scripts: testScripts(),
          restartAgents: restart ? { agentWorkload: { kind: 'Deployment', name: 'claude-agent-service' } } : undefined,
        }),
      );
    const restartJobOf = (json: any) => resourcesOfType(json, 'kubernetes_job_v1').find((job) => job.metadata.name.startsWith('claude-oauth-token-restart-'));

    test("a Role limited by resourceNames to exactly the token's ExternalSecret and the Deployment, get and patch only", () => {
      const json = synth();
      expect(resourcesOfType(json, 'kubernetes_role_v1')).toEqual([
        {
          metadata: expect.objectContaining({ name: 'claude-oauth-token-restart', namespace: 'claude-agent' }),
          rule: [
            { api_groups: ['external-secrets.io'], resources: ['externalsecrets'], resource_names: ['claude-oauth-token'], verbs: ['get', 'patch'] },
            { api_groups: ['apps'], resources: ['deployments'], resource_names: ['claude-agent-service'], verbs: ['get', 'patch'] },
          ],
        },
      ]);
      const [binding] = resourcesOfType(json, 'kubernetes_role_binding_v1');
      expect(binding.subject).toEqual([{ kind: 'ServiceAccount', name: expect.stringMatching(/^\$\{kubernetes_service_account_v1\./), namespace: 'claude-agent' }]);
      expect(binding.role_ref).toEqual({ api_group: 'rbac.authorization.k8s.io', kind: 'Role', name: expect.stringMatching(/^\$\{kubernetes_role_v1\./) });
      expect(JSON.stringify(resourcesOfType(json, 'kubernetes_role_v1'))).not.toMatch(/"secrets"|\*/); // never the Secret, no wildcard
    });

    test('a restricted Job, waited for by the deploy, after the ExternalSecret whose annotation carries the primary entry', () => {
      const json = synth();
      const job = restartJobOf(json)!;
      expect(job.wait_for_completion).toBe(true);
      expect(job.spec.backoff_limit).toBe(0);
      expect(job.depends_on).toEqual(expect.arrayContaining([expect.stringMatching(/^kubernetes_manifest\.token-secret/), expect.stringMatching(/^kubernetes_role_binding_v1\./)]));
      const pod = job.spec.template.spec;
      expect(pod.automount_service_account_token).toBe(true);
      expect(pod.security_context).toMatchObject({ run_as_non_root: true, seccomp_profile: { type: 'RuntimeDefault' } });
      expect(pod.container[0].security_context).toMatchObject({ allow_privilege_escalation: false, read_only_root_filesystem: true, capabilities: { drop: ['ALL'] } });
      const env = Object.fromEntries(pod.container[0].env.map((v: any) => [v.name, v.value]));
      expect(JSON.parse(env.RESTART_TARGETS)).toEqual([
        { externalSecret: { namespace: 'claude-agent', name: 'claude-oauth-token' }, workload: { kind: 'Deployment', namespace: 'claude-agent', name: 'claude-agent-service' } },
      ]);
      const tokenSecret = manifestsIn(json).find((manifest) => manifest.metadata.name === 'claude-oauth-token')!;
      expect(tokenSecret.metadata.annotations).toEqual({ 'claude-oauth-tokens/primary-minted-at': String(EXAMPLE_MINT_EPOCHS.primary) });
      expect(schemaViolations(tokenSecret)).toEqual([]);
    });

    test("only a change of the primary's entry makes a new Job (a new run); a spare's rotation plans nothing for it; off removes it", () => {
      const name = (json: any) => restartJobOf(json)!.metadata.name;
      const base = name(synth());
      expect(name(synth({ ...EXAMPLE_MINT_EPOCHS, 'spare-1': EXAMPLE_MINT_EPOCHS.primary + 60 }))).toBe(base);
      expect(name(synth({ ...EXAMPLE_MINT_EPOCHS, primary: EXAMPLE_MINT_EPOCHS.primary + 60 }))).not.toBe(base);
      const off = synth(EXAMPLE_MINT_EPOCHS, false);
      expect(restartJobOf(off)).toBeUndefined();
      expect(resourcesOfType(off, 'kubernetes_role_v1')).toEqual([]);
    });
  });

  describe('on a cluster whose admission policies mutate and restrict pods', () => {
    const synth = (pods?: { image?: string; ignoredPodTemplateFields?: readonly string[] }) =>
      synthStack(
        new ClaudeAgentServiceStack(testApp(), 'claude-agent-service', {
          inventory: testInventory(),
          scripts: testScripts(),
          restartAgents: { agentWorkload: { kind: 'Deployment', name: 'claude-agent-service' } },
          tokenProbe: { pushgateway: Pushgateway.fromUrl('http://pushgateway.monitoring:9091') },
          pods,
        }),
      );
    const podOwners = (json: any) => [
      ...resourcesOfType(json, 'kubernetes_job_v1').map((job) => ({ kind: 'Job', template: job.spec.template, lifecycle: job.lifecycle })),
      ...resourcesOfType(json, 'kubernetes_cron_job_v1').map((cronJob) => ({ kind: 'CronJob', template: cronJob.spec.job_template.spec.template, lifecycle: cronJob.lifecycle })),
    ];

    test('every pod runs a fully qualified image by default, and the one image setting reaches all of them', () => {
      const defaults = podOwners(synth());
      // The monitor's CronJob and its deploy-time run, the probe's CronJob, the restart Job, the pod start check.
      expect(defaults.map((owner) => owner.kind).sort()).toEqual(['CronJob', 'CronJob', 'Job', 'Job', 'Job']);
      for (const owner of defaults) expect(owner.template.spec.container[0].image).toBe('docker.io/library/node:22.20.0-alpine3.22');
      const mirrored = `registry.example.test/mirror/node:22.20.0-alpine3.22@sha256:${'b'.repeat(64)}`;
      for (const owner of podOwners(synth({ image: mirrored }))) expect(owner.template.spec.container[0].image).toBe(mirrored);
    });

    test("a webhook's dnsConfig never makes a plan replace a Job or change the CronJob: each ignores it, and the operator's fields too", () => {
      for (const owner of podOwners(synth())) {
        const at = owner.kind === 'Job' ? 'spec[0].template[0]' : 'spec[0].job_template[0].spec[0].template[0]';
        expect({ kind: owner.kind, ignore: owner.lifecycle?.ignore_changes }).toEqual({ kind: owner.kind, ignore: [`${at}.spec[0].dns_config`] });
      }
      const extra = ['spec[0].toleration', 'metadata[0].annotations["policies.kyverno.io/last-applied-patches"]'];
      for (const owner of podOwners(synth({ ignoredPodTemplateFields: extra }))) {
        expect(owner.lifecycle.ignore_changes).toHaveLength(3);
        expect(owner.lifecycle.ignore_changes[2]).toMatch(/\.metadata\[0\]\.annotations\["policies\.kyverno\.io\/last-applied-patches"\]$/);
      }
    });

    test('the image is refused without a registry host or a pin, naming the fix', () => {
      expect(() => synth({ image: 'node:22.20.0-alpine3.22' })).toThrow(/does not name its registry.*write it in full \(e\.g\. 'docker\.io\/library\/node:22\.20\.0-alpine3\.22'/);
      expect(() => synth({ image: 'docker.io/library/node' })).toThrow(/must be pinned to a tag other than 'latest', or to a digest/);
    });
  });

  describe('every consumer of the token: other workloads, their own ExternalSecrets, other namespaces', () => {
    const breakglass = { externalSecret: { namespace: 'claude-agent', name: 'claude-breakglass-secrets' }, workload: { kind: 'Deployment' as const, namespace: 'claude-agent', name: 'claude-breakglass' } };
    const hermes = { externalSecret: { namespace: 'hermes', name: 'hermes-agent-secrets' }, workload: { kind: 'Deployment' as const, namespace: 'hermes', name: 'hermes-agent' }, reloader: true };
    const t3 = { externalSecret: { namespace: 'hermes', name: 't3-afk-secrets' }, workload: { kind: 'StatefulSet' as const, namespace: 'hermes', name: 't3-afk' } };
    const synth = (consumers: any[]) =>
      synthStack(
        new ClaudeAgentServiceStack(testApp(), 'claude-agent-service', {
          inventory: testInventory(),
          scripts: testScripts(),
          restartAgents: { agentWorkload: { kind: 'Deployment', name: 'claude-agent-service' }, consumers },
        }),
      );

    test('a Role in each namespace, reaching exactly its consumers by name, bound to the Job\'s ServiceAccount; the Job gets them all', () => {
      const json = synth([breakglass, hermes, t3]);
      const roles = resourcesOfType(json, 'kubernetes_role_v1')
        .map((role) => ({ namespace: role.metadata.namespace, rule: role.rule }))
        .sort((a, b) => a.namespace.localeCompare(b.namespace));
      expect(roles).toEqual([
        {
          namespace: 'claude-agent',
          rule: [
            { api_groups: ['external-secrets.io'], resources: ['externalsecrets'], resource_names: ['claude-oauth-token', 'claude-breakglass-secrets'], verbs: ['get', 'patch'] },
            { api_groups: ['apps'], resources: ['deployments'], resource_names: ['claude-agent-service', 'claude-breakglass'], verbs: ['get', 'patch'] },
          ],
        },
        {
          namespace: 'hermes',
          rule: [
            { api_groups: ['external-secrets.io'], resources: ['externalsecrets'], resource_names: ['hermes-agent-secrets', 't3-afk-secrets'], verbs: ['get', 'patch'] },
            { api_groups: ['apps'], resources: ['deployments'], resource_names: ['hermes-agent'], verbs: ['get', 'patch'] },
            { api_groups: ['apps'], resources: ['statefulsets'], resource_names: ['t3-afk'], verbs: ['get', 'patch'] },
          ],
        },
      ]);
      const bindings = resourcesOfType(json, 'kubernetes_role_binding_v1');
      expect(bindings.map((binding) => [binding.metadata.namespace, binding.subject[0].namespace]).sort()).toEqual([
        ['claude-agent', 'claude-agent'],
        ['hermes', 'claude-agent'],
      ]);
      const job = resourcesOfType(json, 'kubernetes_job_v1').find((candidate) => candidate.metadata.name.startsWith('claude-oauth-token-restart-'))!;
      const env = Object.fromEntries(job.spec.template.spec.container[0].env.map((v: any) => [v.name, v.value]));
      expect(JSON.parse(env.RESTART_TARGETS).map((target: any) => target.workload.name)).toEqual(['claude-agent-service', 'claude-breakglass', 'hermes-agent', 't3-afk']);
      // Four ExternalSecrets synced and three rollouts, one after another, fit the deadline.
      expect(job.spec.active_deadline_seconds).toBe(4 * 300 + 3 * 600 + 60);
      expect(job.depends_on).toEqual(expect.arrayContaining([expect.stringMatching(/^kubernetes_role_binding_v1\.restart-agents_role-binding_/), expect.stringMatching(/^kubernetes_role_binding_v1\.restart-agents_role-binding-hermes_/)]));
    });

    test('a consumer listed twice, or named badly, is refused at synth', () => {
      expect(() => synth([breakglass, breakglass])).toThrow("Deployment claude-agent/claude-breakglass is listed twice; list each consumer once.");
      expect(() => synth([{ ...t3, workload: { ...t3.workload, name: 'T3_AFK' } }])).toThrow("workload.name 'T3_AFK' is not a Kubernetes object name.");
    });
  });
});
