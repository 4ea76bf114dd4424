import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import * as path from 'path';
import Ajv from 'ajv';
import { parseAllDocuments } from 'yaml';
import { CrdSchemaRegistry } from '../../tools/crd-validator';
import { goRegExp } from '../../tools/crd-schema-validation';
import { CRD_SCHEMA_DIR, crdSchemas } from '../helpers/crd-schemas';

function externalSecret(spec: Record<string, unknown>, apiVersion = 'external-secrets.io/v1'): Record<string, unknown> {
  return { apiVersion, kind: 'ExternalSecret', metadata: { name: 'claude-agent-secrets', namespace: 'claude-agent' }, spec };
}

const VALID_SPEC = {
  refreshInterval: '1h',
  secretStoreRef: { name: 'vault-backend', kind: 'ClusterSecretStore' },
  target: { name: 'claude-agent-secrets', creationPolicy: 'Owner' },
  data: [{ secretKey: 'CLAUDE_CODE_OAUTH_TOKEN', remoteRef: { key: 'claude-agent-service', property: 'claude_oauth_token' } }],
};

describe('CrdSchemaRegistry', () => {
  test('loads the upstream CRDs, including versions that are no longer served', () => {
    expect(crdSchemas().known).toEqual(
      expect.arrayContaining([
        'external-secrets.io/v1 ExternalSecret',
        'external-secrets.io/v1beta1 ExternalSecret (not served)',
        'monitoring.coreos.com/v1 PrometheusRule',
      ]),
    );
  });

  test('a CRD whose kind is not laid out as upstream lays it out is read whole at once, and still validates', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'crds-'));
    try {
      const upstream = readFileSync(path.join(CRD_SCHEMA_DIR, 'external-secrets.io_externalsecrets.yaml'), 'utf8');
      const document = parseAllDocuments(upstream)[0].toJS();
      writeFileSync(path.join(dir, 'flow-style.yaml'), JSON.stringify(document)); // JSON is YAML too, with no 'kind:' line at all
      const registry = CrdSchemaRegistry.fromDirectory(dir);
      expect(registry.validate(externalSecret(VALID_SPEC))).toEqual([]);
      expect(registry.validate(externalSecret({ ...VALID_SPEC, refreshInterval: 5 }))).not.toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('accepts a valid ExternalSecret', () => {
    expect(crdSchemas().validate(externalSecret(VALID_SPEC))).toEqual([]);
  });

  test('refuses the unserved v1beta1 and unknown kinds', () => {
    expect(crdSchemas().validate(externalSecret(VALID_SPEC, 'external-secrets.io/v1beta1'))).toEqual([
      { path: 'apiVersion', message: 'external-secrets.io/v1beta1 ExternalSecret is not served by the CRD; the API server would refuse it' },
    ]);
    expect(crdSchemas().validate({ ...externalSecret(VALID_SPEC), kind: 'ExternalSecrets' })[0].message).toMatch(/no CRD defines ExternalSecrets/);
  });

  test('reports unknown fields, wrong types, enum and pattern violations and missing required fields, with paths', () => {
    const violations = crdSchemas().validate(
      externalSecret({
        ...VALID_SPEC,
        secretStoreRef: { name: 'vault-backend', kind: 'VaultStore' },
        target: { name: 'claude-agent-secrets', creationPolicy: 'Owner', owner: 'me' },
        data: [{ secretKey: 'CLAUDE CODE', remoteRef: { property: 7 } }],
      }),
    );
    expect(violations).toEqual(
      expect.arrayContaining([
        { path: 'spec.secretStoreRef.kind', message: expect.stringMatching(/must be one of "SecretStore", "ClusterSecretStore"/) },
        { path: 'spec.target.owner', message: 'is not a field of this schema (unknown field)' },
        { path: 'spec.data[0].secretKey', message: expect.stringMatching(/does not match pattern \^\[-\._a-zA-Z0-9\]\+\$/) },
        { path: 'spec.data[0].remoteRef.key', message: 'is required' },
        { path: 'spec.data[0].remoteRef.property', message: 'must be string, got number 7' },
      ]),
    );
    expect(violations).toHaveLength(5);
  });

  test('checks object metadata as the API server does', () => {
    const manifest = { ...externalSecret(VALID_SPEC), metadata: { name: 'Claude_Secrets', labels: { 'app.kubernetes.io/name': 'x'.repeat(64) } } };
    expect(crdSchemas().validate(manifest).map((violation) => violation.path)).toEqual([
      'metadata.name',
      'metadata.namespace',
      'metadata.labels.app.kubernetes.io/name',
    ]);
  });
});

describe('goRegExp', () => {
  test('applies (?i) as Go does for the patterns in these CRDs', () => {
    const weekday = goRegExp('^((?i)sun|mon|tues|wednes|thurs|fri|satur)day(?:((:(sun|mon|tues|wednes|thurs|fri|satur)day)$)|$)');
    expect(weekday.test('Monday')).toBe(true);
    expect(weekday.test('monday:friday')).toBe(true);
    expect(weekday.test('someday')).toBe(false);
  });

  test('translates \\A, \\z and named groups, and refuses Go syntax it cannot translate', () => {
    expect(goRegExp('\\A[a-z]+\\z').test('abc')).toBe(true);
    expect(goRegExp('\\A[a-z]+\\z').test('abc1')).toBe(false);
    expect(goRegExp('^(?P<n>[0-9]+)$').test('42')).toBe(true);
    expect(() => goRegExp('(?s)a.b')).toThrow(/uses Go syntax '\(\?s\)'/);
    expect(() => goRegExp('\\Qa.b\\E')).toThrow(/uses Go syntax '\\Q'/);
  });

  test('every pattern in the shared CRDs compiles', () => {
    const patterns = new Set<string>();
    const collect = (node: unknown): void => {
      if (Array.isArray(node)) node.forEach(collect);
      else if (node && typeof node === 'object') {
        for (const [key, child] of Object.entries(node)) {
          if (key === 'pattern' && typeof child === 'string') patterns.add(child);
          else collect(child);
        }
      }
    };
    for (const file of readdirSync(CRD_SCHEMA_DIR).filter((name) => name.endsWith('.yaml'))) {
      parseAllDocuments(readFileSync(path.join(CRD_SCHEMA_DIR, file), 'utf8')).forEach((document) => collect(document.toJS()));
    }
    expect(patterns.size).toBeGreaterThan(10);
    for (const pattern of patterns) expect(() => goRegExp(pattern)).not.toThrow();
  });

  test('why not plain JSON Schema: ajv, compiled from the same vendored ExternalSecret schema, accepts an unknown field the API server refuses; this registry refuses it', () => {
    const crd = parseAllDocuments(readFileSync(path.join(CRD_SCHEMA_DIR, 'external-secrets.io_externalsecrets.yaml'), 'utf8'))
      .map((document) => document.toJS())
      .find((candidate) => candidate?.kind === 'CustomResourceDefinition');
    const schema = crd.spec.versions.find((version: { name: string }) => version.name === 'v1').schema.openAPIV3Schema;
    const manifest = externalSecret({ ...VALID_SPEC, bogus: true });
    expect(new Ajv({ strict: false }).validate(schema, manifest)).toBe(true);
    expect(crdSchemas().validate(manifest)).toEqual([{ path: 'spec.bogus', message: 'is not a field of this schema (unknown field)' }]);
  });
});
