import { runProbe } from './probe';

// The token probe CronJob's entry point: exit code 0 pushed, 1 bad input, 2 push failed.
runProbe({ env: process.env, log: (line) => process.stderr.write(`${line}\n`) }).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`${JSON.stringify({ level: 'error', event: 'crashed', error: (error as Error)?.name ?? 'error' })}\n`);
    process.exitCode = 1;
  },
);
