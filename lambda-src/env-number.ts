/** The environment the in-cluster scripts read. */
export type ScriptEnv = Readonly<Record<string, string | undefined>>;

/**
 * A whole number from `env[name]` within 1..`max`, or `fallback` when unset or empty. A bad value
 * adds a problem naming the variable and its range (and returns the fallback, so that every problem
 * is collected before the run refuses).
 */
export function readEnvInteger(env: ScriptEnv, name: string, bounds: { readonly fallback: number; readonly max: number }, problems: string[]): number {
  const text = env[name];
  if (text === undefined || text === '') return bounds.fallback;
  if (!/^[1-9]\d*$/.test(text) || Number(text) > bounds.max) {
    problems.push(`${name}=${JSON.stringify(text.slice(0, 20))} must be a whole number from 1 to ${bounds.max}.`);
    return bounds.fallback;
  }
  return Number(text);
}
