import { readdirSync, readFileSync } from 'fs';
import * as path from 'path';
import { parseAllDocuments } from 'yaml';

/**
 * Validates custom resources offline against the OpenAPI v3 schemas of their real upstream
 * CustomResourceDefinitions, as the API server would: unserved versions are refused, unknown fields
 * are errors (server-side apply with strict field validation, which kubernetes_manifest uses), and
 * CRD `pattern`s are read as the Go regular expressions they are.
 *
 * Not evaluated: `x-kubernetes-validations` (CEL rules); they need a CEL interpreter and the
 * fields this project sets carry none.
 */

/** A structural schema node, as found in `spec.versions[].schema.openAPIV3Schema`. */
export interface JsonSchema {
  readonly type?: 'object' | 'array' | 'string' | 'integer' | 'number' | 'boolean';
  readonly properties?: Readonly<Record<string, JsonSchema>>;
  readonly additionalProperties?: boolean | JsonSchema;
  readonly required?: readonly string[];
  readonly items?: JsonSchema;
  readonly enum?: readonly unknown[];
  readonly pattern?: string;
  readonly format?: string;
  readonly nullable?: boolean;
  readonly minLength?: number;
  readonly maxLength?: number;
  readonly minimum?: number;
  readonly maximum?: number;
  readonly minItems?: number;
  readonly maxItems?: number;
  readonly minProperties?: number;
  readonly maxProperties?: number;
  readonly anyOf?: readonly JsonSchema[];
  readonly oneOf?: readonly JsonSchema[];
  readonly allOf?: readonly JsonSchema[];
  readonly not?: JsonSchema;
  readonly 'x-kubernetes-int-or-string'?: boolean;
  readonly 'x-kubernetes-preserve-unknown-fields'?: boolean;
  readonly 'x-kubernetes-list-type'?: 'atomic' | 'set' | 'map';
  readonly 'x-kubernetes-list-map-keys'?: readonly string[];
}

/** One place where a manifest breaks its schema. */
export interface SchemaViolation {
  /** Where, e.g. `spec.data[0].remoteRef.key`. */
  readonly path: string;
  readonly message: string;
}

interface CrdVersion {
  readonly group: string;
  readonly kind: string;
  readonly version: string;
  readonly served: boolean;
  readonly namespaced: boolean;
  readonly schema: JsonSchema;
}

/** The fields of a CustomResourceDefinition this registry reads. */
interface CrdDocument {
  readonly kind?: string;
  readonly spec: {
    readonly group: string;
    readonly scope: string;
    readonly names: { readonly kind: string };
    readonly versions: ReadonlyArray<{ readonly name: string; readonly served?: boolean; readonly schema: { readonly openAPIV3Schema: JsonSchema } }>;
  };
}

/** A CRD file as read: its text, and the kind its `spec.names` declares (upstream CRDs all lay it out so). */
interface CrdFile {
  readonly kind?: string;
  readonly text: string;
}

const CRD_NAMES_KIND = /^ {2}names:\n(?: {4}.*\n)*? {4}kind: (\w+)$/m;
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;
const QUALIFIED_NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const RFC3339 = /^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

export class CrdSchemaRegistry {
  /**
   * Every CustomResourceDefinition in the `*.yaml` files of a directory. A file is parsed when a
   * manifest of its kind is first validated (some CRDs are megabytes of YAML); one whose kind cannot be
   * read off its `spec.names` is parsed at once.
   */
  static fromDirectory(directory: string): CrdSchemaRegistry {
    const files: CrdFile[] = readdirSync(directory)
      .filter((name) => name.endsWith('.yaml'))
      .sort()
      .map((name) => {
        const text = readFileSync(path.join(directory, name), 'utf8');
        return { kind: CRD_NAMES_KIND.exec(text)?.[1], text };
      });
    return new CrdSchemaRegistry(files);
  }

  private readonly parsed = new Map<CrdFile, readonly CrdVersion[]>();

  private constructor(private readonly files: readonly CrdFile[]) {}

  /** `group/version Kind` of every version known, served or not. */
  get known(): string[] {
    return this.files.flatMap((file) => this.versionsIn(file)).map((v) => `${v.group}/${v.version} ${v.kind}${v.served ? '' : ' (not served)'}`);
  }

  /** The CRD versions that may define `kind`: those of files that declare it, or whose kind is unknown. */
  private versionsOf(kind: string): CrdVersion[] {
    return this.files.filter((file) => file.kind === undefined || file.kind === kind).flatMap((file) => this.versionsIn(file));
  }

  private versionsIn(file: CrdFile): readonly CrdVersion[] {
    let versions = this.parsed.get(file);
    if (!versions) {
      versions = parseAllDocuments(file.text).flatMap((document) => {
        const crd = document.toJS() as CrdDocument | null;
        if (crd?.kind !== 'CustomResourceDefinition') return [];
        return crd.spec.versions.map((version) => ({
          group: crd.spec.group,
          kind: crd.spec.names.kind,
          version: version.name,
          served: version.served === true,
          namespaced: crd.spec.scope === 'Namespaced',
          schema: version.schema.openAPIV3Schema,
        }));
      });
      this.parsed.set(file, versions);
    }
    return versions;
  }

  /** Every violation of the manifest against the CRD version its `apiVersion` names; empty when valid. */
  validate(manifest: Record<string, unknown>): SchemaViolation[] {
    const apiVersion = typeof manifest.apiVersion === 'string' ? manifest.apiVersion : '';
    const kind = typeof manifest.kind === 'string' ? manifest.kind : '';
    const candidates = this.versionsOf(kind);
    const crd = candidates.find((v) => `${v.group}/${v.version}` === apiVersion && v.kind === kind);
    if (!crd) {
      const others = candidates.filter((v) => v.kind === kind).map((v) => `${v.group}/${v.version}`);
      return [
        {
          path: 'apiVersion',
          message: `no CRD defines ${kind} in ${apiVersion}` + (others.length ? ` (known: ${others.join(', ')})` : ''),
        },
      ];
    }
    if (!crd.served) {
      return [{ path: 'apiVersion', message: `${apiVersion} ${kind} is not served by the CRD; the API server would refuse it` }];
    }
    return [...checkObjectMeta(manifest.metadata, crd.namespaced), ...validateValue(crd.schema, manifest, '')];
  }
}

function checkObjectMeta(metadata: unknown, namespaced: boolean): SchemaViolation[] {
  if (!isPlainObject(metadata)) return [{ path: 'metadata', message: 'is required' }];
  const violations: SchemaViolation[] = [];
  const name = metadata.name;
  if (typeof name !== 'string' || name.length > 253 || !DNS1123_SUBDOMAIN.test(name)) {
    violations.push({ path: 'metadata.name', message: `${JSON.stringify(name)} is not a DNS-1123 subdomain` });
  }
  if (namespaced && (typeof metadata.namespace !== 'string' || metadata.namespace === '')) {
    violations.push({ path: 'metadata.namespace', message: 'is required for a namespaced resource' });
  }
  for (const [key, value] of Object.entries(isPlainObject(metadata.labels) ? metadata.labels : {})) {
    const [prefix, label] = key.includes('/') ? key.split('/', 2) : [undefined, key];
    if ((prefix !== undefined && !DNS1123_SUBDOMAIN.test(prefix)) || label.length > 63 || !QUALIFIED_NAME.test(label)) {
      violations.push({ path: `metadata.labels.${key}`, message: 'is not a valid label key' });
    }
    if (typeof value !== 'string' || value.length > 63 || !LABEL_VALUE.test(value)) {
      violations.push({ path: `metadata.labels.${key}`, message: `value ${JSON.stringify(value)} is not a valid label value` });
    }
  }
  return violations;
}

function validateValue(schema: JsonSchema, value: unknown, at: string): SchemaViolation[] {
  const here = at || '(root)';
  if (value === null) return schema.nullable ? [] : [{ path: here, message: 'must not be null' }];
  if (schema['x-kubernetes-int-or-string']) {
    if (!Number.isInteger(value) && typeof value !== 'string') {
      return [{ path: here, message: `must be an integer or a string, got ${describe(value)}` }];
    }
  } else if (schema.type && !hasType(value, schema.type)) {
    return [{ path: here, message: `must be ${schema.type}, got ${describe(value)}` }];
  }

  const violations: SchemaViolation[] = [];
  const fail = (message: string) => violations.push({ path: here, message });

  if (schema.enum && !schema.enum.some((allowed) => allowed === value)) {
    fail(`must be one of ${schema.enum.map((allowed) => JSON.stringify(allowed)).join(', ')}, got ${JSON.stringify(value)}`);
  }
  if (typeof value === 'string') {
    const length = [...value].length;
    if (schema.minLength !== undefined && length < schema.minLength) fail(`must be at least ${schema.minLength} characters`);
    if (schema.maxLength !== undefined && length > schema.maxLength) fail(`must be at most ${schema.maxLength} characters`);
    if (schema.pattern !== undefined && !goRegExp(schema.pattern).test(value)) {
      fail(`${JSON.stringify(value)} does not match pattern ${schema.pattern}`);
    }
    if (schema.format === 'date-time' && !RFC3339.test(value)) fail(`${JSON.stringify(value)} is not an RFC 3339 date-time`);
    if (schema.format === 'byte' && (value.length % 4 !== 0 || !BASE64.test(value))) fail('is not base64');
  }
  if (typeof value === 'number') {
    if (schema.minimum !== undefined && value < schema.minimum) fail(`must be >= ${schema.minimum}`);
    if (schema.maximum !== undefined && value > schema.maximum) fail(`must be <= ${schema.maximum}`);
    if (schema.format === 'int32' && (value < -(2 ** 31) || value >= 2 ** 31)) fail('does not fit in int32');
  }
  if (Array.isArray(value)) {
    if (schema.minItems !== undefined && value.length < schema.minItems) fail(`must have at least ${schema.minItems} items`);
    if (schema.maxItems !== undefined && value.length > schema.maxItems) fail(`must have at most ${schema.maxItems} items`);
    if (schema.items) value.forEach((item, index) => violations.push(...validateValue(schema.items!, item, `${at}[${index}]`)));
    violations.push(...checkListType(schema, value, here));
  }
  if (isPlainObject(value)) violations.push(...checkObject(schema, value, at));

  for (const branch of schema.allOf ?? []) violations.push(...validateValue(branch, value, at));
  if (schema.anyOf && !schema.anyOf.some((branch) => validateValue(branch, value, at).length === 0)) {
    fail('matches none of the allowed alternatives (anyOf)');
  }
  if (schema.oneOf && schema.oneOf.filter((branch) => validateValue(branch, value, at).length === 0).length !== 1) {
    fail('must match exactly one alternative (oneOf)');
  }
  if (schema.not && validateValue(schema.not, value, at).length === 0) fail('matches a forbidden form (not)');
  return violations;
}

function checkObject(schema: JsonSchema, value: Record<string, unknown>, at: string): SchemaViolation[] {
  const violations: SchemaViolation[] = [];
  const here = at || '(root)';
  const keys = Object.keys(value);
  if (schema.minProperties !== undefined && keys.length < schema.minProperties) {
    violations.push({ path: here, message: `must have at least ${schema.minProperties} fields` });
  }
  if (schema.maxProperties !== undefined && keys.length > schema.maxProperties) {
    violations.push({ path: here, message: `must have at most ${schema.maxProperties} fields` });
  }
  for (const field of schema.required ?? []) {
    if (!(field in value)) violations.push({ path: join(at, field), message: 'is required' });
  }
  for (const key of keys) {
    const child = schema.properties?.[key];
    if (child) {
      violations.push(...validateValue(child, value[key], join(at, key)));
    } else if (typeof schema.additionalProperties === 'object') {
      violations.push(...validateValue(schema.additionalProperties, value[key], join(at, key)));
    } else if (
      schema.additionalProperties !== true &&
      !schema['x-kubernetes-preserve-unknown-fields'] &&
      // apiVersion/kind/metadata of the root and of embedded objects are typed by Kubernetes itself
      !(schema.properties === undefined && schema.type === 'object' && at === 'metadata')
    ) {
      violations.push({ path: join(at, key), message: 'is not a field of this schema (unknown field)' });
    }
  }
  return violations;
}

function checkListType(schema: JsonSchema, value: unknown[], here: string): SchemaViolation[] {
  const listType = schema['x-kubernetes-list-type'];
  const identity =
    listType === 'set'
      ? (item: unknown) => JSON.stringify(item)
      : listType === 'map'
        ? (item: unknown) => JSON.stringify((schema['x-kubernetes-list-map-keys'] ?? []).map((key) => (item as Record<string, unknown>)?.[key]))
        : undefined;
  if (!identity) return [];
  const seen = new Set<string>();
  for (const item of value) {
    const key = identity(item);
    if (seen.has(key)) return [{ path: here, message: `has duplicate entries (x-kubernetes-list-type: ${listType}) at ${key}` }];
    seen.add(key);
  }
  return [];
}

const goPatternCache = new Map<string, RegExp>();

/**
 * Compiles a Go (RE2) pattern as a JavaScript RegExp. Go's unanchored match is what `test` does.
 * Translated: `(?i)` (applied to the whole pattern: at worst a little more permissive), `\A`, `\z`,
 * `(?P<name>`, `\pL`-style classes and POSIX bracket classes. Anything else Go-only is refused, never guessed.
 */
export function goRegExp(pattern: string): RegExp {
  const cached = goPatternCache.get(pattern);
  if (cached) return cached;
  let source = pattern;
  let flags = '';
  if (source.includes('(?i)')) {
    source = source.split('(?i)').join('');
    flags += 'i';
  }
  const unsupported = /\(\?[imsU-]+[):]|\\[CQE]/.exec(source);
  if (unsupported) {
    throw new Error(`CRD pattern ${pattern} uses Go syntax '${unsupported[0]}' that this validator does not translate`);
  }
  source = source
    .replace(/\(\?P</g, '(?<')
    .replace(/\\A/g, '^')
    .replace(/\\z/g, '$')
    .replace(/\[:alpha:\]/g, 'a-zA-Z')
    .replace(/\[:digit:\]/g, '0-9')
    .replace(/\[:alnum:\]/g, 'a-zA-Z0-9')
    .replace(/\[:space:\]/g, '\\s')
    .replace(/\\p([A-Z])/g, '\\p{$1}');
  if (/\\p\{/.test(source)) flags += 'u';
  const compiled = new RegExp(source, flags);
  goPatternCache.set(pattern, compiled);
  return compiled;
}

function hasType(value: unknown, type: NonNullable<JsonSchema['type']>): boolean {
  switch (type) {
    case 'object':
      return isPlainObject(value);
    case 'array':
      return Array.isArray(value);
    case 'string':
      return typeof value === 'string';
    case 'integer':
      return Number.isInteger(value);
    case 'number':
      return typeof value === 'number' && Number.isFinite(value);
    case 'boolean':
      return typeof value === 'boolean';
  }
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function describe(value: unknown): string {
  return Array.isArray(value) ? 'an array' : value === null ? 'null' : `${typeof value} ${JSON.stringify(value)}`;
}

function join(at: string, key: string): string {
  return at ? `${at}.${key}` : key;
}
