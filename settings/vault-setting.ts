/**
 * The `vault` setting: where the tokens live in Vault (KV v2 mount, the primary's secret name, how a
 * spare's name is derived, the field), where ESO and the monitor log in (the Kubernetes auth mount,
 * the audience of the tokens they present) and External Secrets Operator's ServiceAccount, which the
 * least-privilege role admits. Each key is optional; what is left out keeps the layout this project
 * was made for. synth, `tokens`, `check` and the monitor's drift detection all read it from here.
 */
import { objectName, vaultPath } from './destinations';
import { Check, namespaceName, object, text } from './setting-checks';
import { AppSettings, DEFAULT_SETTINGS, VaultLayoutSetting } from './settings-model';
import { ExpiryThresholds } from '../inventory/expiry';
import { SPARE_SEPARATORS, SpareSeparator, VaultKvLayout } from '../inventory/vault-location';

const SEPARATOR = new RegExp(`^[${SPARE_SEPARATORS.map((separator) => `\\${separator}`).join('')}]$`);

const EXAMPLE = '{"mount": "kv", "baseName": "platform/claude-agents", "spareSeparator": "/", "field": "token", "authMount": "clusters/prod", "audience": "vault", "esoServiceAccount": {"namespace": "eso", "name": "external-secrets"}}';

/** An audience as TokenRequest and Vault's roles take it: no spaces, no user information. */
const AUDIENCE = /^[A-Za-z0-9._:/-]{1,253}$/;

/** Settings that moved into `vault`: refused with where they went, so an older cdktf.json gets the fix. */
export const MOVED_INTO_VAULT: Readonly<Record<string, string>> = { vaultAuthMount: 'authMount' };

/** Where a refusal of this setting sends the reader. */
const DOCS = 'docs/fitting-the-cluster.md, Your Vault layout';

export const vaultLayout: Check<VaultLayoutSetting> = (value, at, problems) => {
  const before = problems.length;
  const parsed = object<VaultLayoutSetting>(
    {
      mount: vaultPath('the path of the KV version 2 mount', 'secret'),
      baseName: vaultPath("the secret name of 'primary' under the mount (a spare adds spareSeparator and its path)", 'claude-agent-service'),
      spareSeparator: text(`what joins the base name and a spare's path, one of ${SPARE_SEPARATORS.map((separator) => `"${separator}"`).join(', ')}`, SEPARATOR, '-') as Check<SpareSeparator>,
      field: text('the field of each secret that holds the token (letters, digits, _, - and .)', /^[\w.-]{1,128}$/, 'claude_oauth_token'),
      authMount: text("the path of Vault's Kubernetes auth mount (letters, digits, -, _ and /)", /^[A-Za-z0-9_-]+(\/[A-Za-z0-9_-]+)*$/, 'kubernetes'),
      audience: text('the audience the ServiceAccount tokens presented to Vault carry (letters, digits and . _ : / -)', AUDIENCE, 'vault'),
      esoServiceAccount: object(
        { namespace: namespaceName, name: objectName("External Secrets Operator's ServiceAccount", 'external-secrets') },
        '{"namespace": "external-secrets", "name": "external-secrets"}',
      ),
    },
    EXAMPLE,
    ['mount', 'baseName', 'spareSeparator', 'field', 'authMount', 'audience', 'esoServiceAccount'],
  )(value, at, problems);
  for (let index = before; index < problems.length; index++) problems[index] = `${problems[index]} (${DOCS})`;
  return parsed && { ...DEFAULT_SETTINGS.vault, ...Object.fromEntries(Object.entries(parsed).filter(([, item]) => item !== undefined)) };
};

/** What the inventory takes from the settings (thresholds and the Vault layout): one assembly for synth, `tokens` and `check`. */
export function inventorySettingsOf(settings: Pick<AppSettings, 'expiryThresholds' | 'vault'>): { thresholds: ExpiryThresholds; vault: Required<VaultKvLayout> } {
  const { mount, baseName, spareSeparator, field } = settings.vault;
  return { thresholds: settings.expiryThresholds, vault: { mount, baseName, spareSeparator, field } };
}
