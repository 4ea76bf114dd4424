/**
 * The `vault` setting: where the tokens live in Vault (KV v2 mount, the primary's secret name, the
 * field) and External Secrets Operator's ServiceAccount, which the least-privilege role admits. Each
 * key is optional; what is left out keeps the layout this project was made for.
 */
import { objectName, vaultPath } from './destinations';
import { Check, namespaceName, object, text } from './setting-checks';
import { AppSettings, DEFAULT_SETTINGS, VaultLayoutSetting } from './settings-model';
import { ExpiryThresholds } from '../inventory/expiry';
import { VaultKvLayout } from '../inventory/vault-location';

const EXAMPLE = '{"mount": "kv", "baseName": "platform/claude-agents", "field": "token", "esoServiceAccount": {"namespace": "eso", "name": "external-secrets"}}';

export const vaultLayout: Check<VaultLayoutSetting> = (value, at, problems) => {
  const parsed = object<VaultLayoutSetting>(
    {
      mount: vaultPath('the path of the KV version 2 mount', 'secret'),
      baseName: vaultPath("the secret name of 'primary' under the mount (spares add -<path>)", 'claude-agent-service'),
      field: text('the field of each secret that holds the token (letters, digits, _, - and .)', /^[\w.-]{1,128}$/, 'claude_oauth_token'),
      esoServiceAccount: object(
        { namespace: namespaceName, name: objectName("External Secrets Operator's ServiceAccount", 'external-secrets') },
        '{"namespace": "external-secrets", "name": "external-secrets"}',
      ),
    },
    EXAMPLE,
    ['mount', 'baseName', 'field', 'esoServiceAccount'],
  )(value, at, problems);
  return parsed && { ...DEFAULT_SETTINGS.vault, ...Object.fromEntries(Object.entries(parsed).filter(([, item]) => item !== undefined)) };
};


/** What the inventory takes from the settings (thresholds and the Vault layout): one assembly for synth, `tokens` and `check`. */
export function inventorySettingsOf(settings: Pick<AppSettings, 'expiryThresholds' | 'vault'>): { thresholds: ExpiryThresholds; vault: Required<VaultKvLayout> } {
  const { mount, baseName, field } = settings.vault;
  return { thresholds: settings.expiryThresholds, vault: { mount, baseName, field } };
}
