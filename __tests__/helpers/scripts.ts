import { bundleScripts, ScriptBundles } from '../../constructs/script-bundle';

let bundled: ScriptBundles | undefined;

/** The three in-cluster programs, bundled once per test file (as the app bundles them once per synth). */
export function testScripts(): ScriptBundles {
  bundled ??= bundleScripts();
  return bundled;
}
