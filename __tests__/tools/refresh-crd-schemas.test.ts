import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import * as path from 'path';
import { refreshCrdSchemas, VENDORED_CRD_DIR, VENDORED_CRDS } from '../../tools/refresh-crd-schemas';

describe('npm run refresh-crds', () => {
  let scratch: string;
  beforeEach(() => {
    scratch = mkdtempSync(path.join(tmpdir(), 'crds-'));
  });
  afterEach(() => rmSync(scratch, { recursive: true, force: true }));

  test('the vendored folder holds exactly the listed CRDs, and a refresh from a folder holding them copies each byte for byte', () => {
    expect(readdirSync(VENDORED_CRD_DIR).filter((file) => file.endsWith('.yaml')).sort()).toEqual(Object.keys(VENDORED_CRDS).sort());
    const source = path.join(scratch, 'upstream');
    const target = path.join(scratch, 'vendored');
    cpSync(VENDORED_CRD_DIR, source, { recursive: true });
    cpSync(VENDORED_CRD_DIR, target, { recursive: true });
    const changed = 'external-secrets.io_externalsecrets.yaml';
    writeFileSync(path.join(source, changed), `${readFileSync(path.join(source, changed), 'utf8')}\n# a newer release\n`);
    expect(refreshCrdSchemas(source, target)).toHaveLength(5);
    expect(readFileSync(path.join(target, changed), 'utf8')).toContain('# a newer release');
  });

  test('a folder that lacks a CRD or holds the wrong one: every problem named, nothing written', () => {
    const source = path.join(scratch, 'upstream');
    const target = path.join(scratch, 'vendored');
    cpSync(VENDORED_CRD_DIR, source, { recursive: true });
    cpSync(VENDORED_CRD_DIR, target, { recursive: true });
    rmSync(path.join(source, 'monitoring.coreos.com_servicemonitors.yaml'));
    cpSync(path.join(source, 'monitoring.coreos.com_prometheusrules.yaml'), path.join(source, 'external-secrets.io_externalsecrets.yaml'));
    const before = readFileSync(path.join(target, 'external-secrets.io_externalsecrets.yaml'), 'utf8');
    expect(() => refreshCrdSchemas(source, target)).toThrow(
      /nothing was copied:\n {2}- external-secrets\.io_externalsecrets\.yaml is not the CustomResourceDefinition externalsecrets\.external-secrets\.io\n {2}- monitoring\.coreos\.com_servicemonitors\.yaml is missing/,
    );
    expect(readFileSync(path.join(target, 'external-secrets.io_externalsecrets.yaml'), 'utf8')).toBe(before);
  });
});
