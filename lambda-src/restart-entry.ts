import { runRestart } from './restart-agents';

// The restart Job's entry point: 0 restarted, 1 bad input, 2 ESO did not sync, 3 rollout timed out, 4 API refused.
runRestart({ env: process.env, log: (line) => process.stderr.write(`${line}\n`) }).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`${JSON.stringify({ level: 'error', event: 'crashed', error: (error as Error)?.name ?? 'error' })}\n`);
    process.exitCode = 1;
  },
);
