import * as path from 'path';
import { CrdSchemaRegistry, SchemaViolation } from '../../tools/crd-validator';

/** The upstream CRDs vendored in the project (schemas/crds/README.md says which releases). */
export const CRD_SCHEMA_DIR = path.resolve(__dirname, '../../schemas/crds');

let registry: CrdSchemaRegistry | undefined;

export function crdSchemas(): CrdSchemaRegistry {
  registry ??= CrdSchemaRegistry.fromDirectory(CRD_SCHEMA_DIR);
  return registry;
}

/** Violations of a manifest, formatted so that a failing expectation shows what and where. */
export function schemaViolations(manifest: Record<string, unknown>): string[] {
  return crdSchemas()
    .validate(manifest)
    .map((violation: SchemaViolation) => `${String(manifest.kind)}/${String((manifest.metadata as { name?: unknown } | undefined)?.name)}: ${violation.path}: ${violation.message}`);
}
