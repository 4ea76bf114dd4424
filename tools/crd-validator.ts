import { readdirSync, readFileSync } from 'fs';
import * as path from 'path';
import { parseAllDocuments } from 'yaml';
import { isPlainObject, validateValue } from './crd-schema-validation';
import { cachedBySource } from './json-cache';

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

/** The shape `crdVersionsIn` returns; bump it when that changes, so no run reads an older shape from the cache. */
const CRD_VERSIONS_FORMAT = 1;

/** Every version of every CustomResourceDefinition in a YAML text (other documents are skipped). */
function crdVersionsIn(text: string): CrdVersion[] {
  return parseAllDocuments(text).flatMap((document) => {
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
}

const CRD_NAMES_KIND = /^ {2}names:\n(?: {4}.*\n)*? {4}kind: (\w+)$/m;
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;
const QUALIFIED_NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;

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
      versions = cachedBySource(`crd-versions-${CRD_VERSIONS_FORMAT}`, file.text, crdVersionsIn);
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
