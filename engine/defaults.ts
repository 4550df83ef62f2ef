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

/**
 * How a gradient check compares gradients. `local` and `local-full` check each layer against its own forward
 * and each δ against what its readers make of theirs (engine/run/local.ts); the others end to end, along
 * random directions, at sampled coordinates or at every one; `baseline` is directional then sampled end to end,
 * the default before the local check.
 */
export type GradcheckMode = 'local' | 'local-full' | 'baseline' | 'full' | 'sampled' | 'directional';
/** Every mode, the default first. */
export const GRADCHECK_MODES: readonly GradcheckMode[] = [
  'local',
  'local-full',
  'baseline',
  'full',
  'sampled',
  'directional',
];

/**
 * The gradient check's defaults: torch.autograd.gradcheck's step and tolerances (|a − n| ≤ atol + rtol·|n|), 16
 * coordinates per tensor in sampled mode, and the local check when no mode is chosen.
 */
export const GRADCHECK_DEFAULTS = {
  eps: 1e-6,
  atol: 1e-5,
  rtol: 1e-3,
  samples: 16,
  mode: 'local' as GradcheckMode,
} as const;
