/**
 * Limits the Kubernetes API server enforces, checked at synth so that a deploy never finds them.
 * A ConfigMap's (and a Secret's) data may hold at most 1 MiB: the API server adds up the bytes of
 * every key and value (`validation.ValidateConfigMap`) and refuses the object past that.
 */
export const MAX_CONFIG_MAP_DATA_BYTES = 1024 * 1024;

/** The bytes a ConfigMap's data counts against its limit: every key and value, in UTF-8. */
export function configMapDataBytes(data: Readonly<Record<string, string>>): number {
  return Object.entries(data).reduce((total, [key, value]) => total + Buffer.byteLength(key) + Buffer.byteLength(value), 0);
}

/** Throws, naming the object and `fix`, when `data` is over the API server's limit. */
export function checkConfigMapData(owner: string, name: string, data: Readonly<Record<string, string>>, fix: string): void {
  const bytes = configMapDataBytes(data);
  if (bytes > MAX_CONFIG_MAP_DATA_BYTES) {
    throw new Error(
      `${owner}: ConfigMap '${name}' would hold ${bytes.toLocaleString('en-US')} bytes of data, over the ${MAX_CONFIG_MAP_DATA_BYTES.toLocaleString('en-US')} ` +
        `(1 MiB) the Kubernetes API server accepts; ${fix}`,
    );
  }
}
