/**
 * The `tokens` CLI's shared contract: its exit codes, its one error type (redacted), and the streams and
 * settings a command runs with.
 */
import { EpochSeconds } from '../inventory/expiry';
import { redactSecrets } from '../inventory/token-shape';
import { AppSettings } from '../settings/app-settings';

export const TokensExit = { ok: 0, usage: 1, invalidMap: 2, underDays: 3, vault: 4 } as const;

export const ProbeExit = { valid: 0, usage: 1, rejected: 2, unknown: 3 } as const;

/** A failure with the exit code it maps to and a message for people (never a secret: it is redacted here). */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: number,
  ) {
    super(redactSecrets(message));
  }
}

export interface CliIo {
  readonly stdout: (text: string) => void;
  /** Standard input, read whole (only `probe --stdin` reads it); on a terminal, a prompt that does not echo. */
  readonly stdin: () => string | Promise<string>;
  /** Unix seconds. */
  readonly now: () => EpochSeconds;
  /**
   * The environment `rotate --store` reads Vault's address and token from (as the Vault CLI does).
   * @default process.env
   */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** The epoch map file (absolute). */
  readonly epochMapFile: string;
  /**
   * What messages name the map relative to.
   * @default the working directory
   */
  readonly relativeTo?: string;
  /**
   * The project's settings, for the commands the playbooks print (namespace, ExternalSecret, stacks).
   * @default the default settings
   */
  readonly settings?: AppSettings;
}
