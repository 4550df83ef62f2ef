/**
 * The engine's defaults, written once: the CLI, the extension's settings and the results panel read them here, so
 * a default cannot differ between the places a user meets it. package.json repeats the settings' defaults (VS Code
 * reads them there); a test holds them equal to these.
 */

/** Bytes a sample run may use before `too-large`: 1 GiB. */
export const DEFAULT_MEMORY_LIMIT = 2 ** 30;
/** Samples in a run's batch when neither a flag, a setting nor the file's `sample batch=` sets it. */
export const DEFAULT_BATCH = 2;
/** The seed of a run's draws when neither a flag, a setting nor the file's `sample seed=` sets it. */
export const DEFAULT_SEED = 1;

/** How a gradient check compares gradients: along random directions, at sampled coordinates, or at every one. */
export type GradcheckMode = 'full' | 'sampled' | 'directional';
export const GRADCHECK_MODES: readonly GradcheckMode[] = ['full', 'sampled', 'directional'];

/**
 * The gradient check's defaults: torch.autograd.gradcheck's step and tolerances (|a − n| ≤ atol + rtol·|n|), 16
 * coordinates per tensor in sampled mode, and directional then sampled when no mode is chosen.
 */
export const GRADCHECK_DEFAULTS = {
  eps: 1e-6,
  atol: 1e-5,
  rtol: 1e-3,
  samples: 16,
  modes: ['directional', 'sampled'] as readonly GradcheckMode[],
} as const;
