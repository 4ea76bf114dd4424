/**
 * What `npm run tokens -- --help` and `<command> --help` print.
 */

export const USAGE = `Usage: node bin/tokens.js <command>   (or npm run tokens -- <command>)

Commands that read a token (probe, rotate --store) are best run as node bin/tokens.js: npm starts
slower than a paste, and the terminal shows what arrives before the silent prompt. Wait for it.

  status [--json | -o json] [--fail-under-days N] [--at <ISO 8601 | unix seconds>]
      The tokens with Vault path, minted, expires, days left and status (as of --at, default now).
  rotate <path> --store | --record-only [--minted-at now|<ISO 8601>|<unix seconds>] [--add]
      Record that <path> was re-minted (default: now). Rewrites only its line; --add for a new path;
      --store writes the token (read at a silent prompt) to Vault first; --record-only records only.
  remove <path>
      Retire a spare (never 'primary').
  promote <spare>
      Fail over: 'primary' takes the spare's mint time and the spare's line goes; prints the Vault copy.
  probe --stdin [--endpoint URL]
      Check a freshly minted token, read from standard input only, before storing it in Vault.

Exit codes: 0 done, 1 usage error, 2 invalid map (nothing written), 3 --fail-under-days breached,
4 rotate --store: Vault or the probe said no (nothing recorded).
probe: 0 valid, 2 rejected, 3 unknown, 1 usage error. Each command's own help: <command> --help;
the version: --version.

Example: npm run tokens -- status`;

/** Each command's help: what `tokens <command> --help` prints, with an example. */
export const COMMAND_HELP: Readonly<Record<string, string>> = {
  status: `Usage: npm run tokens -- status [--json | -o json] [--fail-under-days N] [--at <ISO 8601 | unix seconds>]

The tokens of the map with their Vault path, mint and expiry times, days left and status, as of --at
(default now). --json prints the same as JSON; --fail-under-days N exits 3 if a token has fewer days left.

Example: npm run tokens -- status --fail-under-days 30`,
  rotate: `Usage: node bin/tokens.js rotate <path> --store [--minted-at …] [--add] [--force] [--skip-probe] [--endpoint URL]
       node bin/tokens.js rotate <path> --record-only [--minted-at now|<ISO 8601>|<unix seconds>] [--add] [--force]

Records that <path> was minted anew (default: now): rewrites only its line of the map, value and date
comment, validated as synth validates it; --add for a path not in the map yet; --force to record a
mint time that leaves the token already critical or expired. One of --store or --record-only is
required: the alerts trust the map, so a line that Vault does not back would turn them green.
--record-only prints the rest of the rotation: how to store the token in Vault, review, deploy.

--store does the Vault step too: reads the token once at a silent prompt (or from stdin; never an
argument), checks its shape, probes it (--skip-probe to store it unchecked), writes it to Vault KV v2
(VAULT_ADDR, and VAULT_TOKEN or ~/.vault-token) keeping the secret's other fields, with check-and-set
and minted_at/expires_at in its custom_metadata, and only then records the line. Exit 4: Vault or the
probe said no, and nothing was recorded. Run it as node bin/tokens.js (npm logs its command line).

Example: node bin/tokens.js rotate primary --store`,
  remove: `Usage: npm run tokens -- remove <path>

Retires a spare (never 'primary'): deletes its line and prints the deploy and the Vault clean-up.

Example: npm run tokens -- remove spare-2`,
  promote: `Usage: npm run tokens -- promote <spare>

Fails over: 'primary' takes the spare's mint time and the spare's line goes; prints the Vault copy,
the deploy and the restart, in order.

Example: npm run tokens -- promote spare-1`,
  probe: `Usage: node bin/tokens.js probe --stdin [--endpoint URL]

Checks a freshly minted token against the Anthropic API before it is stored. The token is read from
standard input only (paste it at the silent prompt, after the prompt shows); never pass it as an
argument. Exit 0 valid, 2 rejected, 3 unknown, 1 usage error.

(Run it as node bin/tokens.js, not through npm: npm prints and logs its command line, and starts slowly
enough that a paste can arrive before the prompt turns echo off. Wait for the prompt.)

Example: node bin/tokens.js probe --stdin`,
};
