/**
 * The rerun form: mode, samples, eps, batch and seed, checked as typed into `RunSettings` (settings.ts) before
 * anything is posted, with each problem shown under its field.
 */
import '@vscode-elements/elements/dist/vscode-button/index.js';
import '@vscode-elements/elements/dist/vscode-option/index.js';
import '@vscode-elements/elements/dist/vscode-single-select/index.js';
import '@vscode-elements/elements/dist/vscode-textfield/index.js';
import type { VscodeSingleSelect } from '@vscode-elements/elements/dist/vscode-single-select/vscode-single-select.js';
import type { VscodeTextfield } from '@vscode-elements/elements/dist/vscode-textfield/vscode-textfield.js';
import { h } from './dom';
import type { RunSettings } from './protocol';
import {
  MODES,
  parseSettings,
  type SettingsErrors,
  type SettingsField,
  settingsText,
  type SettingsText,
} from './settings';

const TEXT_FIELDS: readonly {
  field: Exclude<SettingsField, 'mode'>;
  label: string;
  hint: string;
  placeholder?: string;
}[] = [
  { field: 'samples', label: 'Samples', hint: 'Coordinates per tensor when sampling' },
  { field: 'eps', label: 'eps', hint: 'Step of the central differences' },
  {
    field: 'batch',
    label: 'Batch',
    hint: "Samples in the batch; empty: the file's sample batch=, else 2",
    placeholder: 'file',
  },
  { field: 'seed', label: 'Seed', hint: "Random seed; empty: the file's sample seed=, else 1", placeholder: 'file' },
];

export class SettingsForm {
  readonly element: HTMLFormElement;
  private readonly mode: VscodeSingleSelect;
  private readonly inputs = new Map<Exclude<SettingsField, 'mode'>, VscodeTextfield>();
  private readonly messages = new Map<SettingsField, HTMLElement>();
  private errors: SettingsErrors = {};

  constructor(
    private readonly submit: (settings: RunSettings) => void,
    /** Called when the shown errors change, so the render is reported. */
    private readonly changed: () => void,
  ) {
    this.mode = h(
      'vscode-single-select',
      { id: 'mode', 'aria-label': 'Mode' },
      ...MODES.map((m) => h('vscode-option', { value: m.value, description: m.description }, m.label)),
    );
    this.mode.addEventListener('change', () => this.syncSamples());
    const field = (name: SettingsField, label: string, control: HTMLElement, hint: string) => {
      const message = h('div', { class: 'field-error', id: `${name}-error`, role: 'alert' });
      this.messages.set(name, message);
      return h(
        'label',
        { class: `field field-${name}`, title: hint },
        h('span', { class: 'field-label' }, label),
        control,
        message,
      );
    };
    const controls = TEXT_FIELDS.map(({ field: name, label, hint, placeholder }) => {
      const input = h('vscode-textfield', {
        id: name,
        'aria-label': label,
        ...(placeholder && { placeholder }),
        'aria-describedby': `${name}-error`,
      });
      input.addEventListener('input', () => this.clear(name));
      this.inputs.set(name, input);
      return field(name, label, input, hint);
    });
    const rerun = h('vscode-button', { id: 'rerun', type: 'submit' }, 'Rerun');
    this.element = h(
      'form',
      { class: 'settings', 'aria-label': 'Run again with these settings', novalidate: true },
      field('mode', 'Mode', this.mode, 'How the check compares gradients'),
      ...controls,
      h('div', { class: 'field button-field' }, rerun),
    );
    this.element.addEventListener('submit', (e) => {
      e.preventDefault();
      this.trySubmit();
    });
  }

  /** Shows `settings` (the run's), dropping any edit and error. */
  set(settings: RunSettings): void {
    const text = settingsText(settings);
    this.mode.value = text.mode;
    for (const [name, input] of this.inputs) input.value = text[name];
    this.errors = {};
    this.showErrors();
    this.syncSamples();
  }

  /** The errors shown, `FIELD: MESSAGE`. */
  errorList(): string[] {
    return Object.entries(this.errors).map(([f, m]) => `${f}: ${m}`);
  }

  private text(): SettingsText {
    const v = (f: Exclude<SettingsField, 'mode'>) => this.inputs.get(f)!.value;
    return { mode: this.mode.value, samples: v('samples'), eps: v('eps'), batch: v('batch'), seed: v('seed') };
  }

  private trySubmit(): void {
    const parsed = parseSettings(this.text());
    this.errors = parsed.ok ? {} : parsed.errors;
    this.showErrors();
    this.changed();
    if (parsed.ok) this.submit(parsed.settings);
    else this.inputs.get(Object.keys(parsed.errors)[0] as Exclude<SettingsField, 'mode'>)?.focus();
  }

  private clear(field: SettingsField): void {
    if (!this.errors[field]) return;
    delete this.errors[field];
    this.showErrors();
    this.changed();
  }

  private showErrors(): void {
    for (const [name, message] of this.messages) {
      message.textContent = this.errors[name] ?? '';
      if (name !== 'mode') this.inputs.get(name)!.invalid = this.errors[name] !== undefined;
    }
  }

  /** Samples only matter when sampling. */
  private syncSamples(): void {
    const samples = this.inputs.get('samples')!;
    samples.disabled =
      this.mode.value === 'directional' || this.mode.value === 'full' || this.mode.value === 'local-full';
  }
}
