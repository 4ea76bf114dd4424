/**
 * A value checked against a Kubernetes structural schema node as the API server checks it: unknown
 * fields are errors unless the schema keeps them (strict field validation), `x-kubernetes-int-or-string`
 * and `x-kubernetes-list-type` apply, and `pattern`s are Go (RE2) regular expressions. Plain JSON
 * Schema (ajv) accepts unknown fields and knows none of these: measured, ajv compiled from the vendored
 * ExternalSecret schema accepts `spec.bogus`, which the API server refuses.
 */
import type { JsonSchema, SchemaViolation } from './crd-validator';

const RFC3339 = /^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

export function validateValue(schema: JsonSchema, value: unknown, at: string): SchemaViolation[] {
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

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function describe(value: unknown): string {
  return Array.isArray(value) ? 'an array' : value === null ? 'null' : `${typeof value} ${JSON.stringify(value)}`;
}

function join(at: string, key: string): string {
  return at ? `${at}.${key}` : key;
}
