// A process that edits one shared file under withFileLock each time it reads a line `<round>` on
// standard input, and answers `ok <round>` (or `error <round> <message>`): many of these, started
// once, let a test race real processes for hundreds of rounds.
import { readFileSync } from 'fs';
import { createInterface } from 'readline';
import { withFileLock, writeFileAtomically } from '../../tools/file-lock';

const [file, id] = process.argv.slice(2);
createInterface({ input: process.stdin }).on('line', (round) => {
  try {
    withFileLock(file, (stillHeld) => {
      const text = readFileSync(file, 'utf8');
      stillHeld();
      writeFileAtomically(file, `${text}worker-${id} round-${round}\n`);
    });
    process.stdout.write(`ok ${round}\n`);
  } catch (error) {
    process.stdout.write(`error ${round} ${(error as Error).message}\n`);
  }
});
