/** The summary at the top of the panel: the verdict or the run's status, and the settings it ran with. */
import '@vscode-elements/elements/dist/vscode-button/index.js';
import '@vscode-elements/elements/dist/vscode-progress-bar/index.js';
import { h, type Child } from './dom';
import * as fmt from './format';
import type { Progress, RunState } from './protocol';

export interface SummaryView {
  readonly element: HTMLElement;
  /** The headline in words, for the `rendered` report. */
  headline: string;
  /** Moves the progress bar of a running check; a no-op otherwise. */
  progress(p: Progress): void;
}

const MODE_NAMES: Record<string, string> = {
  'directional+sampled': 'directional, then sampled',
  baseline: 'baseline (directional, then sampled)',
};

/** `label value` pairs, as a definition list laid out in a row. */
/** Layers named in a cancelled run's "Not reached" line before it is cut. */
const UNREACHED_NAMED = 8;

function facts(pairs: readonly (readonly [string, Child])[]): HTMLElement {
  return h('dl', { class: 'facts' }, ...pairs.map(([k, v]) => h('div', {}, h('dt', {}, k), h('dd', {}, v))));
}

function settingsFacts(state: RunState): [string, Child][] {
  const s = state.settings;
  return [
    ['mode', s.mode],
    ...(s.mode === 'sampled' || s.mode === 'default' ? [['samples', String(s.samples)] as [string, Child]] : []),
    ['eps', fmt.setting(s.eps)],
    ['batch', s.batch === null ? 'file' : String(s.batch)],
    ['seed', s.seed === null ? 'file' : String(s.seed)],
  ];
}

function headline(icon: string, tone: string, title: string, file: string, ...extra: Child[]): HTMLElement {
  return h(
    'div',
    { class: 'headline' },
    h(
      'span',
      { class: `verdict ${tone}`, role: 'status' },
      h('span', { class: 'verdict-icon', 'aria-hidden': 'true' }, icon),
      title,
    ),
    h('span', { class: 'file', title: file }, fmt.basename(file)),
    ...extra,
  );
}

export function renderSummary(state: RunState, onCancel: () => void, onReveal: (layer: string) => void): SummaryView {
  switch (state.status) {
    case 'done': {
      const r = state.result;
      const failed = r.layers.filter((l) => !l.delta.passed || Object.values(l.params).some((p) => !p.passed)).length;
      const tensors = r.layers.reduce((n, l) => n + 1 + Object.keys(l.params).length, 0);
      const element = h(
        'section',
        { class: 'summary', 'aria-label': 'Summary' },
        headline(
          r.passed ? '✓' : '✗',
          r.passed ? 'pass' : 'fail',
          r.passed ? 'Gradients check out' : `${failed} layer${failed === 1 ? '' : 's'} failed`,
          state.file,
          h('span', { class: 'muted' }, `${tensors} tensors over ${r.layers.length} layers`),
        ),
        facts([
          ['mode', MODE_NAMES[r.mode] ?? r.mode],
          ['eps', fmt.setting(r.eps)],
          ['tolerance', `atol ${fmt.setting(r.atol)} · rtol ${fmt.setting(r.rtol)}`],
          ['batch', String(r.batch)],
          ['seed', String(r.seed)],
          // The size it ran at: the input's, or `sample size=`'s.
          ...(r.input ? [['input', r.input.join('×')] as const] : []),
          ['evaluations', fmt.count(r.evaluations)],
          ['took', fmt.duration(r.ms)],
          ['threads', String(state.threads)],
          ['loss', Number.isFinite(r.loss) ? r.loss.toPrecision(5) : '—'],
        ]),
        ...r.layers
          .filter((l) => l.blame)
          .map((l) => {
            const link = h('a', { href: '#', class: 'layer-link', title: `Reveal ${l.name}` }, l.name);
            link.addEventListener('click', (e) => {
              e.preventDefault();
              onReveal(l.name);
            });
            return h(
              'p',
              { class: 'blame-line', role: 'note' },
              h('span', { class: 'blame-icon', 'aria-hidden': 'true' }, '⚠'),
              'The wrong backward rule is ',
              link,
              "'s",
              l.line ? ` (line ${l.line})` : '',
              ': its row below says why.',
            );
          }),
      );
      return { element, headline: r.passed ? 'passed' : 'failed', progress: () => {} };
    }
    case 'running': {
      const bar = h('vscode-progress-bar', { 'aria-label': 'Gradient check progress' });
      const est = state.estimate;
      const label = h(
        'span',
        { class: 'progress-label muted' },
        est ? `Starting: ${fmt.count(est.evaluations)} evaluations, ${fmt.about(est.ms)}` : 'Starting…',
      );
      const cancel = h('vscode-button', { secondary: true }, 'Cancel');
      cancel.addEventListener('click', onCancel);
      const view: SummaryView = {
        element: h(
          'section',
          { class: 'summary', 'aria-label': 'Summary', 'aria-busy': 'true' },
          headline('◌', 'running', 'Checking gradients…', state.file, cancel),
          h('div', { class: 'progress' }, bar, label),
          facts(settingsFacts(state)),
        ),
        headline: 'running',
        progress(p) {
          const total = Math.max(p.total, 1);
          bar.value = p.done;
          bar.max = total;
          const pct = Math.min(100, Math.floor((100 * p.done) / total));
          label.textContent = `${pct}% · ${fmt.count(p.done)} of ${fmt.count(est?.evaluations ?? p.total)} evaluations${est ? ` (${fmt.about(est.ms)} in all)` : ''}${p.layer ? ` · ${p.layer} ${p.tensor}` : ''}`;
          view.headline = `running ${pct}%`;
        },
      };
      if (state.progress) view.progress(state.progress);
      return view;
    }
    case 'cancelled': {
      const r = state.result;
      const kept = r
        ? h(
            'span',
            { class: 'muted' },
            `${r.layers.length} layer${r.layers.length === 1 ? '' : 's'} finished, shown below`,
          )
        : null;
      const unreached = r?.unreached ?? [];
      // A long list is cut, whole on hover: the layers not reached are usually most of the network.
      const named = unreached.length > UNREACHED_NAMED ? [...unreached.slice(0, UNREACHED_NAMED), '…'] : unreached;
      return {
        element: h(
          'section',
          { class: 'summary', 'aria-label': 'Summary' },
          headline('⊘', 'muted', 'Cancelled', state.file, kept),
          unreached.length
            ? h(
                'p',
                { class: 'unreached muted', title: unreached.join(', ') },
                `Not reached (${unreached.length}): ${named.join(', ')}`,
              )
            : null,
          facts(settingsFacts(state)),
        ),
        headline: r
          ? `cancelled, ${r.layers.length} layers kept${unreached.length ? `, ${unreached.length} not reached` : ''}`
          : 'cancelled',
        progress: () => {},
      };
    }
    case 'error':
      return {
        element: h(
          'section',
          { class: 'summary', 'aria-label': 'Summary' },
          headline('✗', 'fail', 'The check could not run', state.file),
          h('p', { class: 'error-message', role: 'alert' }, state.message),
          state.diagnostics?.length
            ? h('ul', { class: 'diagnostics' }, ...state.diagnostics.map((d) => h('li', {}, d)))
            : null,
          facts(settingsFacts(state)),
        ),
        headline: `error: ${state.message}`,
        progress: () => {},
      };
    default:
      return unknownStatus(state);
  }
}

function unknownStatus(state: never): never {
  throw new Error(`unknown run status ${JSON.stringify((state as RunState).status)}`);
}
