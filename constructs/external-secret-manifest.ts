import { Duration } from '../inventory/duration';
import { recommendedLabels } from './labels';
import { TEAM_SECRET_STORE } from '../settings/object-names';

/** The ESO store that can read the tokens' Vault mount. */
export interface SecretStoreReference {
  /** Name of the store. */
  readonly name: string;
  /** `ClusterSecretStore` (any namespace may use it) or `SecretStore` (same namespace only). */
  readonly kind: 'ClusterSecretStore' | 'SecretStore';
}

/** One key of the Secret ESO writes, and where in Vault its value comes from. */
export interface ExternalSecretEntry {
  readonly secretKey: string;
  /** The remote secret: for Vault relative to the store's KV mount; for Infisical, its folder and name. */
  readonly key: string;
  /** Field of the remote secret (Vault); none for stores whose secrets are single values. */
  readonly property?: string;
  /** Read this entry through another store than the ExternalSecret's. */
  readonly store?: SecretStoreReference;
}

/** The cluster this project was made for reads Vault through ClusterSecretStore `vault-kv`. */
export const DEFAULT_SECRET_STORE: SecretStoreReference = { name: TEAM_SECRET_STORE, kind: 'ClusterSecretStore' };

/**
 * The field manager of every ExternalSecret this project applies: it owns them whole, so it takes
 * back a field someone changed by hand (`kubectl annotate … primary-minted-at=…`) instead of failing
 * the next rotation's apply with a field manager conflict. The hand edit shows in no plan until then.
 */
export const OWNS_ITS_FIELDS = { forceConflicts: true } as const;

/** Secret keys must be usable as file names and environment variable names. */
const SECRET_KEY = /^[-._a-zA-Z0-9]+$/;

/**
 * An `external-secrets.io/v1` ExternalSecret whose Secret (same name) ESO owns. Throws, naming
 * `owner`, on a refresh interval under a minute or a key a Secret cannot hold.
 */
export function externalSecretManifest(options: {
  readonly owner: string;
  readonly name: string;
  readonly namespace: string;
  readonly component: string;
  readonly store: SecretStoreReference;
  readonly refreshInterval: Duration;
  readonly data: readonly ExternalSecretEntry[];
  /** Secret key -> Go template over the entries (`{{ .<secretKey> }}`); when given, only these keys reach the Secret. */
  readonly template?: Readonly<Record<string, string>>;
  /** Annotations of the ExternalSecret; ESO re-syncs at once whenever they change. */
  readonly annotations?: Readonly<Record<string, string>>;
}): Record<string, unknown> {
  const fail = (message: string): never => {
    throw new Error(`${options.owner} '${options.name}': ${message}`);
  };
  if (options.refreshInterval.toSeconds() < 60) {
    fail(`refreshInterval ${options.refreshInterval.toDurationString()} would have ESO hammer Vault; use at least Duration.minutes(1).`);
  }
  for (const { secretKey } of options.data) {
    if (!SECRET_KEY.test(secretKey)) fail(`secret key '${secretKey}' is not a valid Secret key; use only letters, digits, '-', '_' and '.'.`);
  }
  const keys = options.data.map((entry) => entry.secretKey);
  const repeated = keys.find((key, index) => keys.indexOf(key) !== index);
  if (repeated) fail(`secret key '${repeated}' is used twice; give each entry its own key.`);
  return {
    apiVersion: 'external-secrets.io/v1',
    kind: 'ExternalSecret',
    metadata: {
      name: options.name,
      namespace: options.namespace,
      labels: recommendedLabels(options.name, options.component),
      ...(options.annotations ? { annotations: { ...options.annotations } } : {}),
    },
    spec: {
      refreshInterval: options.refreshInterval.toDurationString(),
      secretStoreRef: { name: options.store.name, kind: options.store.kind },
      // Defaults spelled out: what the API server would add must already be in the plan.
      target: {
        name: options.name,
        creationPolicy: 'Owner',
        deletionPolicy: 'Retain',
        ...(options.template ? { template: { engineVersion: 'v2', mergePolicy: 'Replace', data: { ...options.template } } } : {}),
      },
      data: options.data.map(({ secretKey, key, property, store }) => ({
        secretKey,
        remoteRef: property === undefined ? { key } : { key, property },
        ...(store ? { sourceRef: { storeRef: { name: store.name, kind: store.kind } } } : {}),
      })),
    },
  };
}
