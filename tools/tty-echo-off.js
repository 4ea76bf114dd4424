// Loaded first (before the TypeScript loader and the CLI, which take a few hundred milliseconds):
// when a command that reads a token runs on a terminal, echo goes off at once, so that a paste
// made before the prompt appears is not shown. The prompt itself turns it off again, and back on
// when done. Plain JavaScript, no imports: it must run before anything slow.
const args = process.argv.slice(1);
const readsToken = (args.includes('probe') && args.includes('--stdin')) || (args.includes('rotate') && args.includes('--store'));
if (readsToken && process.stdin.isTTY) {
  process.stdin.setRawMode(true);
  process.on('exit', () => process.stdin.isTTY && process.stdin.setRawMode(false));
}
