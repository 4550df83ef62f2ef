/** The rerun form's text and its parsing into `RunSettings`, with one message per wrong field. */
import { setting } from './format';
import { isRunSettings, type RunSettings } from './protocol';

export type SettingsField = 'mode' | 'samples' | 'eps' | 'batch' | 'seed';
export type SettingsText = Readonly<Record<SettingsField, string>>;
export type SettingsErrors = Partial<Record<SettingsField, string>>;

/** The modes as the `cnnLens.gradcheck.mode` setting describes them. */
export const MODES: readonly {
  readonly value: RunSettings['mode'];
  readonly label: string;
  readonly description: string;
}[] = [
  {
    value: 'default',
    label: 'Default (local)',
    description: 'Each layer against its own forward, each δ against its readers',
  },
  { value: 'local-full', label: 'Local, full', description: 'Local, every coordinate' },
  { value: 'baseline', label: 'Baseline', description: 'End to end: directional, then sampled' },
  { value: 'directional', label: 'Directional', description: 'End to end: one random direction per tensor' },
  { value: 'sampled', label: 'Sampled', description: 'End to end: some coordinates per tensor' },
  { value: 'full', label: 'Full', description: 'End to end: every coordinate' },
];

export function settingsText(s: RunSettings): SettingsText {
  return {
    mode: s.mode,
    samples: String(s.samples),
    eps: setting(s.eps),
    batch: s.batch === null ? '' : String(s.batch),
    seed: s.seed === null ? '' : String(s.seed),
  };
}

const WHOLE = /^\+?\d+$/;
const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i;

/** A whole number ≥ min written plainly (no `1e3`, no `2.0`), or undefined. */
function whole(text: string, min: number): number | undefined {
  const t = text.trim();
  if (!WHOLE.test(t)) return undefined;
  const n = Number(t);
  return Number.isSafeInteger(n) && n >= min ? n : undefined;
}

export type ParsedSettings =
  { readonly ok: true; readonly settings: RunSettings } | { readonly ok: false; readonly errors: SettingsErrors };

export function parseSettings(text: SettingsText): ParsedSettings {
  const errors: SettingsErrors = {};
  const mode = MODES.find((m) => m.value === text.mode)?.value;
  if (!mode) errors.mode = `choose one of ${MODES.map((m) => m.value).join(', ')}`;
  const samples = whole(text.samples, 1);
  if (samples === undefined) errors.samples = 'a whole number, 1 or more';
  const e = text.eps.trim();
  const eps = NUMBER.test(e) ? Number(e) : NaN;
  if (!(eps > 0 && eps < 1)) errors.eps = 'a step above 0 and below 1, like 1e-6';
  const batch = text.batch.trim() === '' ? null : whole(text.batch, 1);
  if (batch === undefined) errors.batch = "a whole number, 1 or more (empty: the file's)";
  const seed = text.seed.trim() === '' ? null : whole(text.seed, 0);
  if (seed === undefined) errors.seed = "a whole number, 0 or more (empty: the file's)";
  if (Object.keys(errors).length > 0) return { ok: false, errors };
  const settings: RunSettings = {
    mode: mode!,
    samples: samples!,
    eps,
    batch: batch as number | null,
    seed: seed as number | null,
  };
  // The protocol's validator is what the extension will apply: never post what it would drop.
  return isRunSettings(settings)
    ? { ok: true, settings }
    : { ok: false, errors: { mode: 'these settings are not valid' } };
}
