/**
 * The one order of a rotation, from minting to the alert clearing. The README, docs/rotation.md and
 * every `tokens` output that prints the rest of a rotation follow it (a test reads each), so that no
 * page suggests revoking the old token before the consumers run the new one.
 */

export const ROTATION_ORDER = ['Mint', 'Store', 'Review', 'Deploy', 'Confirm', 'Revoke', 'Watch'] as const;
export type RotationStep = (typeof ROTATION_ORDER)[number];

/** One step as printed: its name, its first line, and any lines under it (indented by the caller). */
export type StepText = readonly [RotationStep, string, ...string[]];

/**
 * The rest of a rotation as the CLI prints it: numbered from 1, each step's first line starting with
 * its name. Steps out of {@link ROTATION_ORDER} are a bug here, not the operator's problem: it throws.
 */
export function numberedSteps(steps: readonly StepText[]): string[] {
  const places = steps.map(([step]) => ROTATION_ORDER.indexOf(step));
  if (places.some((place, index) => index > 0 && place <= places[index - 1])) {
    throw new Error(`rotation steps out of order: ${steps.map(([step]) => step).join(', ')}`);
  }
  return steps.flatMap(([step, first, ...more], index) => [`  ${index + 1}. ${step}: ${first}`, ...more]);
}
