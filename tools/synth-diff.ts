import { createHash } from 'crypto';
import { StackJson } from '../stacks/synth-output';

export interface AttributeChange {
  /** Dotted path inside the resource, e.g. `data.spare-1`. */
  readonly attribute: string;
  readonly before?: string;
  readonly after?: string;
}

export interface ResourceDiff {
  /** `<type>.<name>` as Terraform addresses it. */
  readonly address: string;
  /** `metadata.name` (or a manifest's), to tell a reader which object it is. */
  readonly objectName?: string;
  /** Its namespace, for objects that have one. */
  readonly namespace?: string;
  readonly change: 'added' | 'removed' | 'changed';
  /** Changed attributes only (for 'changed'). */
  readonly attributes: readonly AttributeChange[];
}

/** Strings longer than this (or multi-line) are shown by size and hash, not in full. */
const LONG_STRING = 120;

/** Every leaf of a resource as `path -> rendered value`, cdktf's own metadata left out. */
export function flatten(value: unknown, prefix = '', into = new Map<string, string>()): Map<string, string> {
  if (Array.isArray(value)) {
    if (value.length === 0) into.set(prefix, '[]');
    value.forEach((item, index) => flatten(item, `${prefix}[${index}]`, into));
  } else if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value).filter(([key]) => key !== '//');
    if (entries.length === 0) into.set(prefix, '{}');
    for (const [key, child] of entries) flatten(child, prefix ? `${prefix}.${key}` : key, into);
  } else {
    into.set(prefix, typeof value === 'string' ? value : JSON.stringify(value));
  }
  return into;
}

function isLong(text: string | undefined): boolean {
  return text !== undefined && (text.length > LONG_STRING || text.includes('\n'));
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, 12);
}

/** The `path "…"` grants of a Vault policy's HCL. */
function policyPaths(hcl: string | undefined): string[] {
  return [...(hcl ?? '').matchAll(/^path "([^"]+)"/gm)].map((match) => match[1]);
}

/**
 * A changed attribute as a reader should see it: a Vault policy as the paths it grants and revokes;
 * other long text as `N bytes, sha256 a->b`; anything else in full.
 */
export function describeChange(change: AttributeChange, resourceType?: string): string {
  if (resourceType === 'vault_policy' && change.attribute === 'policy') {
    const [before, after] = [policyPaths(change.before), policyPaths(change.after)];
    const granted = after.filter((path) => !before.includes(path)).map((path) => `+ ${path}`);
    const revoked = before.filter((path) => !after.includes(path)).map((path) => `- ${path}`);
    return `policy paths: ${[...granted, ...revoked].join(', ') || 'unchanged (comments only)'}`;
  }
  if (isLong(change.before) || isLong(change.after)) {
    const bytes = change.after === undefined ? 0 : Buffer.byteLength(change.after);
    const hashes = `${change.before === undefined ? '(none)' : sha256(change.before)} -> ${change.after === undefined ? '(none)' : sha256(change.after)}`;
    return `${change.attribute}: changed, ${bytes} bytes, sha256 ${hashes}`;
  }
  // Unix seconds (the expiry ConfigMap's values) are shown with their date.
  const show = (text: string | undefined) =>
    text === undefined ? '(unset)' : /^1\d{9}$/.test(text) ? `${JSON.stringify(text)} (${new Date(Number(text) * 1000).toISOString().replace('.000Z', 'Z')})` : JSON.stringify(text);
  return `${change.attribute}: ${show(change.before)} -> ${show(change.after)}`;
}

type Metadata = { name?: string; namespace?: string };
type NamedResource = { metadata?: Metadata; manifest?: { metadata?: Metadata; kind?: string }; name?: string; namespace?: string };

function objectNameOf(resource: unknown): string | undefined {
  const record = resource as NamedResource;
  if (record?.manifest?.metadata?.name) return `${record.manifest.kind}/${record.manifest.metadata.name}`;
  return record?.metadata?.name ?? record?.name;
}

/** The object's namespace, if it has one: two Roles of one name in two namespaces are two objects. */
function namespaceOf(resource: unknown): string | undefined {
  const record = resource as NamedResource;
  return record?.manifest?.metadata?.namespace ?? record?.metadata?.namespace ?? record?.namespace;
}

/** Resources added, removed and changed between two synthesized stacks (either may be missing). */
export function diffStack(base: StackJson | undefined, head: StackJson | undefined): ResourceDiff[] {
  const resources = (json: StackJson | undefined) => {
    const byAddress = new Map<string, unknown>();
    for (const [type, byName] of Object.entries(json?.resource ?? {})) {
      for (const [name, resource] of Object.entries(byName)) byAddress.set(`${type}.${name}`, resource);
    }
    return byAddress;
  };
  const [before, after] = [resources(base), resources(head)];
  const diffs: ResourceDiff[] = [];
  for (const address of [...new Set([...before.keys(), ...after.keys()])].sort()) {
    const [old, current] = [before.get(address), after.get(address)];
    if (old === undefined || current === undefined) {
      diffs.push({ address, objectName: objectNameOf(current ?? old), namespace: namespaceOf(current ?? old), change: old === undefined ? 'added' : 'removed', attributes: [] });
      continue;
    }
    const [a, b] = [flatten(old), flatten(current)];
    const attributes = [...new Set([...a.keys(), ...b.keys()])]
      .filter((key) => a.get(key) !== b.get(key))
      .sort()
      .map((attribute) => ({ attribute, before: a.get(attribute), after: b.get(attribute) }));
    if (attributes.length > 0) diffs.push({ address, objectName: objectNameOf(current), namespace: namespaceOf(current), change: 'changed', attributes });
  }
  return diffs;
}
