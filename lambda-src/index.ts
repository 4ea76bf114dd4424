import { runMonitor } from './monitor';

// The CronJob's entry point: exit code 0 pushed, 1 bad input (nothing pushed), 2 push failed.
runMonitor({
  env: process.env,
  argv: process.argv.slice(2),
  stdout: (text) => process.stdout.write(text),
  log: (line) => process.stderr.write(`${line}\n`),
}).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`${JSON.stringify({ level: 'error', event: 'crashed', error: String(error) })}\n`);
    process.exitCode = 1;
  },
);
