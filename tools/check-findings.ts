import { spawnSync } from 'child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'fs';
import * as path from 'path';
import { redactToken, TOKEN_SHAPED, TOKEN_SHAPED_ERE } from '../inventory/token-shape';
import { StackJson } from '../stacks/synth-output';
import { CrdSchemaRegistry } from './crd-validator';

// What `check` fails a change for besides the map and the critical window, each finding one line of the report.

function walkFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((name) => {
    const file = path.join(dir, name);
    return statSync(file).isDirectory() ? walkFiles(file) : [file];
  });
}

/** Token-shaped strings in tracked files (binary ones too: `-a`) and in the synth output, redacted. */
export function findTokenShapedStrings(projectDir: string, headOutdir: string): string[] {
  const found: string[] = [];
  const grep = spawnSync('git', ['grep', '-a', '-z', '-noE', TOKEN_SHAPED_ERE, '--', '.', ':!node_modules'], { cwd: projectDir, encoding: 'utf8' });
  // -z: `file NUL line NUL match`, so a colon or newline in a binary file's name or bytes cannot split it wrongly.
  for (const record of grep.stdout ? grep.stdout.split('\n') : []) {
    const [file, lineNumber, match] = record.split('\0');
    if (match !== undefined) found.push(`${file}:${lineNumber} (tracked file): ${redactToken(match)}`);
  }
  for (const file of walkFiles(headOutdir)) {
    for (const match of readFileSync(file, 'latin1').match(TOKEN_SHAPED) ?? []) {
      found.push(`${path.relative(headOutdir, file)} (synth output): ${redactToken(match)}`);
    }
  }
  return found;
}

/** Every `kubernetes_manifest` of the head that its CRD's schema refuses. */
export function crdViolations(stacks: Record<string, StackJson>, registry: CrdSchemaRegistry): string[] {
  return Object.entries(stacks).flatMap(([stack, json]) =>
    Object.entries(json.resource?.kubernetes_manifest ?? {}).flatMap(([name, resource]) => {
      const manifest = (resource as { manifest: { kind?: string; metadata?: { name?: string } } & Record<string, unknown> }).manifest;
      return registry.validate(manifest).map((v) => `${stack}: ${manifest.kind}/${manifest.metadata?.name} (${name}): ${v.path}: ${v.message}`);
    }),
  );
}
