import { SECONDS_PER_DAY } from '../../inventory/expiry';
import { EPOCH_MAP_FILE } from '../../devkit/app-copy';
import { AppRepo } from '../helpers/app-repo';

describe('npm run check: what the report says about a change', () => {
  let repo: AppRepo;
  beforeEach(() => {
    repo = new AppRepo();
  });
  afterEach(() => repo.remove());

  test('reports a rotation between two commits: the token row and the changed attributes only', async () => {
    expect((await repo.tokens(['rotate', 'spare-1', '--record-only', '--minted-at', '2026-11-20T09:30:00Z'])).status).toBe(0);
    repo.commit('rotate spare-1');
    const run = await repo.check('--base', 'HEAD~1', '--format', 'markdown');
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    const report = run.stdout;
    expect(report).toContain('**Result:** PASS (head: working tree, base: HEAD~1 (');
    expect(report).toMatch(/^\| spare-1 \| 2026-04-18T16:04:40Z -> 2026-11-20T09:30:00Z \| 2027-04-18T16:04:40Z -> 2027-11-20T09:30:00Z \| -?\d+ -> -?\d+ \| healthy \|$/m);
    expect(report).toMatch(/^\| primary \| 2026-04-18T16:07:09Z \| 2027-04-18T16:07:09Z \| \d+ \| healthy \|$/m);
    // In words: the object, old and new expiry with their dates; no internal ids, no checksums.
    expect(report).toContain('- changed ConfigMap claude-oauth-token-expiry in claude-agent\n');
    expect(report).toContain(`  - \`data.spare-1: "1808064280" (2027-04-18T16:04:40Z) -> "${1795167000 + 365 * SECONDS_PER_DAY}" (2027-11-20T09:30:00Z)\``);
    expect(report).toContain('- changed CronJob claude-oauth-expiry-monitor in claude-agent: its script or input (checksum)');
    expect(report).toMatch(/- replaced Job claude-oauth-expiry-monitor-[a-f0-9]{10} -> claude-oauth-expiry-monitor-[a-f0-9]{10} in claude-agent \(the Job runs again\)/);
    expect(report).not.toMatch(/_[A-F0-9]{8}\b|checksum: "/);
    // With --details: every attribute and Terraform's addresses.
    const detailed = (await repo.check('--base', 'HEAD~1', '--format', 'markdown', '--details')).stdout;
    expect(detailed).toContain(`- changed \`kubernetes_config_map_v1.token-expiry_resource_A8D19F4A\` (claude-oauth-token-expiry)`);
    expect(detailed).toMatch(/- changed `kubernetes_cron_job_v1\.[\w-]+` \(claude-oauth-expiry-monitor\)\n {2}- `spec\.job_template\.spec\.template\.metadata\.annotations\.claude-oauth-tokens\/checksum: "[a-f0-9]{64}" -> "[a-f0-9]{64}"`/);
    expect(report).toContain('### Stack monitoring: no deploy needed\nno changes');
    expect(report).toContain('### Stack claude-agent-service: needs deploy');
    expect(report).toContain('**Deploy after merge:** `npm run deploy -- claude-agent-service`');
    expect(report).not.toContain('data.primary'); // unchanged attributes stay out
    expect(report).not.toContain('The deploy restarts'); // a spare moves no agent
    expect(repo.git('status', '--porcelain')).toBe(''); // the user's tree is untouched
    expect(repo.git('worktree', 'list').trim().split('\n')).toHaveLength(1);
  });

  test('a new spare: the Vault policy change shows as the path it grants, and the deploy includes vault-access', async () => {
    expect((await repo.tokens(['rotate', 'spare-3', '--record-only', '--add', '--minted-at', '2026-11-20T09:30:00Z'])).status).toBe(0);
    const report = (await repo.check('--base', 'HEAD')).stdout;
    expect(report).toContain('== Stack vault-access: needs deploy');
    expect(report).toMatch(/^ {2}- policy paths: \+ secret\/data\/claude-agent-service-spare-3$/m);
    expect(report).toContain('Deploy after merge: `npm run deploy -- vault-access claude-agent-service`');
    expect(report).toContain('(vault-access needs Vault admin credentials: VAULT_ADDR, VAULT_TOKEN)');
  });

  test('a rotation of primary says in words which workloads the deploy restarts', async () => {
    expect((await repo.tokens(['rotate', 'primary', '--record-only', '--minted-at', '2026-11-20T09:30:00Z'])).status).toBe(0);
    repo.commit('rotate primary');
    const run = await repo.check('--base', 'HEAD~1');
    expect(run.status).toBe(0);
    expect(run.stdout).toContain('The deploy restarts deployment/claude-agent-service in claude-agent, waiting for each rollout.');
  });

  test('any change that runs the restart Job again says the deploy restarts the agents: a new script image, a consumer more', async () => {
    const settings = JSON.parse(repo.read('cdktf.json'));
    repo.write('cdktf.json', JSON.stringify({ ...settings, context: { ...settings.context, scriptImage: 'docker.io/library/node:22.21.0-alpine3.22' } }, null, 2));
    repo.commit('a new script image');
    const image = await repo.check('--base', 'HEAD~1');
    expect(image.status).toBe(0);
    // A new image replaces the Job (its pod template is immutable): it runs again.
    expect(image.stdout).toMatch(/- changed Job claude-oauth-token-restart-[a-f0-9]{10} in claude-agent\n {2}- spec\.template\.spec\.container\[0\]\.image: /);
    expect(image.stdout).toContain('The deploy restarts deployment/claude-agent-service in claude-agent, waiting for each rollout.');
    const consumer = { kind: 'StatefulSet', namespace: 'hermes', name: 'hermes-agent', externalSecret: 'hermes-agent-secrets' };
    const withImage = JSON.parse(repo.read('cdktf.json'));
    repo.write('cdktf.json', JSON.stringify({ ...withImage, context: { ...withImage.context, tokenConsumers: [consumer] } }, null, 2));
    repo.commit('a consumer more');
    const withConsumer = (await repo.check('--base', 'HEAD~1')).stdout;
    expect(withConsumer).toMatch(/The deploy restarts .*statefulset\/hermes-agent in hermes/);
    // The new Role in the consumer's namespace is its own line, named with that namespace.
    expect(withConsumer).toMatch(/^- added Role claude-oauth-token-restart\S* in hermes$/m);
    // A change that leaves the restart Job alone restarts nothing.
    expect((await repo.tokens(['rotate', 'spare-1', '--record-only', '--minted-at', '2026-11-20T09:30:00Z'])).status).toBe(0);
    repo.commit('rotate spare-1');
    expect((await repo.check('--base', 'HEAD~1')).stdout).not.toContain('The deploy restarts');
  });

  test('fails when a token is inside the critical window, unless --allow-expiring', async () => {
    const mintedAt = Math.floor(Date.now() / 1000) - 360 * SECONDS_PER_DAY - 3600; // 4 days and 23 hours left, whatever the machine's load
    // --force: rotate itself refuses a mint time that leaves the token critical, unless told.
    expect((await repo.tokens(['rotate', 'spare-2', '--record-only', '--minted-at', String(mintedAt), '--force'])).status).toBe(0);
    repo.commit('an old spare');
    const failing = await repo.check('--base', 'HEAD~1');
    expect(failing.status).toBe(1);
    expect(failing.stdout).toMatch(/- 'spare-2' is critical \(4 days left, expires .*\): rotate it in this change, or pass --allow-expiring/);
    const allowed = await repo.check('--base', 'HEAD~1', '--allow-expiring');
    expect(allowed.status).toBe(0);
    expect(allowed.stdout).toContain('(allowed by --allow-expiring)');
  });

  test('fails on an invalid map in the head, naming the entry', async () => {
    repo.write(EPOCH_MAP_FILE, repo.read(EPOCH_MAP_FILE).replace('primary: 1776528429,', 'primary: 1776528429000,'));
    const invalid = await repo.check('--base', 'HEAD');
    expect(invalid.status).toBe(1);
    expect(invalid.stdout).toMatch(/head does not synthesize: .*mint epoch 1776528429000 is in milliseconds/s);
    // Nothing compared, so nothing is listed as removed, and no deploy is suggested.
    expect(invalid.stdout).not.toMatch(/removed|npm run deploy/);
    expect(invalid.stdout).toContain('Deploy after merge: none: the head does not synthesize, so nothing was compared.');
  });
});
