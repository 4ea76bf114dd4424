/**
 * `npm run refresh-crds -- <dir>`: copies the upstream CRD files this project validates against from
 * `<dir>` (e.g. the upstream repositories' CRD folders, gathered) into schemas/crds/. Each must be the
 * CustomResourceDefinition its name says; if any is missing or wrong, nothing is written.
 */
import { copyFileSync, existsSync, readFileSync } from 'fs';
import * as path from 'path';
import { parse } from 'yaml';
import { REPO_ROOT } from '../settings/project-paths';

export const VENDORED_CRD_DIR = path.join(REPO_ROOT, 'schemas', 'crds');

/** File name -> the CRD it must hold (`<plural>.<group>`). */
export const VENDORED_CRDS: Readonly<Record<string, string>> = {
  'external-secrets.io_externalsecrets.yaml': 'externalsecrets.external-secrets.io',
  'external-secrets.io_clustersecretstores.yaml': 'clustersecretstores.external-secrets.io',
  'monitoring.coreos.com_prometheusrules.yaml': 'prometheusrules.monitoring.coreos.com',
  'monitoring.coreos.com_servicemonitors.yaml': 'servicemonitors.monitoring.coreos.com',
  'monitoring.coreos.com_alertmanagerconfigs.yaml': 'alertmanagerconfigs.monitoring.coreos.com',
};

/** Copies every vendored CRD from `sourceDir` into `targetDir`, or throws listing every problem. */
export function refreshCrdSchemas(sourceDir: string, targetDir = VENDORED_CRD_DIR): string[] {
  const problems: string[] = [];
  for (const [file, name] of Object.entries(VENDORED_CRDS)) {
    const source = path.join(sourceDir, file);
    if (!existsSync(source)) {
      problems.push(`${file} is missing from ${sourceDir}`);
      continue;
    }
    let document: { kind?: string; metadata?: { name?: string } };
    try {
      document = parse(readFileSync(source, 'utf8')) as typeof document;
    } catch (error) {
      problems.push(`${file} is not YAML (${(error as Error).message.split('\n')[0]})`);
      continue;
    }
    if (document?.kind !== 'CustomResourceDefinition' || document.metadata?.name !== name) {
      problems.push(`${file} is not the CustomResourceDefinition ${name}`);
    }
  }
  if (problems.length > 0) throw new Error(`nothing was copied:\n${problems.map((problem) => `  - ${problem}`).join('\n')}`);
  const files = Object.keys(VENDORED_CRDS);
  for (const file of files) copyFileSync(path.join(sourceDir, file), path.join(targetDir, file));
  return files;
}

if (require.main === module) {
  const [sourceDir] = process.argv.slice(2);
  if (!sourceDir) {
    process.stderr.write('Usage: npm run refresh-crds -- <folder holding the upstream CRD files>\n');
    process.exitCode = 1;
  } else {
    try {
      const files = refreshCrdSchemas(path.resolve(sourceDir));
      process.stdout.write(`Copied ${files.length} CRDs into schemas/crds/; update schemas/crds/README.md with the releases, then npm test.\n`);
    } catch (error) {
      process.stderr.write(`refresh-crds: ${(error as Error).message}\n`);
      process.exitCode = 2;
    }
  }
}
