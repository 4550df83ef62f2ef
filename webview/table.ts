/**
 * The per-layer table: shapes beside each tensor's verdict, and the blame line under the layer whose
 * backward rule is wrong. A row is a button: it reveals the layer's line in the editor.
 */
import { h } from './dom';
import * as fmt from './format';
import type { GradcheckResult, LayerCheck, TensorCheck } from '../engine/run';
import type { LayerInfoView } from './protocol';

export interface TableView {
  readonly element: HTMLElement;
  /** `NAME KIND pass|fail[ blamed]` per row, for the `rendered` report. */
  readonly rows: readonly string[];
  /** `NAME TENSOR TEXT` per tensor cell, TEXT as shown (`1.2e-7`, `0 by structure`, `inconclusive`). */
  readonly cells: readonly string[];
  /** `NAME LAYERS pass|fail expanded|collapsed` per group of rows (a use of a block), as it is now. */
  readonly groups: () => readonly string[];
}

/** What a tensor's cell shows: its largest relative error, or, when no coordinate was counted, why not. */
export function cellText(c: TensorCheck): string {
  const inconclusive = c.kinks + (c.curvature ?? 0);
  const zeros = c.zeros ?? 0;
  if (c.checked > inconclusive + zeros) return fmt.relError(c.maxRelError);
  if (inconclusive === 0) return '0 by structure';
  return c.curvature ? 'inconclusive' : 'kinks only';
}

export function layerPassed(l: LayerCheck): boolean {
  return l.delta.passed && Object.values(l.params).every((p) => p.passed);
}

function errorCell(c: TensorCheck, label?: string): HTMLElement {
  return h(
    'span',
    {
      class: `err ${c.passed ? '' : 'bad'}`,
      title: `${label ? `${label}: ` : ''}${c.checked} checked, ${c.kinks} at a kink, ${c.curvature ?? 0} curvature (inconclusive), ${c.zeros ?? 0} zero on both sides; max relative error ${c.maxRelError ?? 'n/a'}`,
    },
    label ? h('span', { class: 'param' }, label) : null,
    cellText(c),
  );
}

export function renderTable(
  result: GradcheckResult,
  layers: readonly LayerInfoView[],
  onReveal: (layer: string) => void,
  onToggle: () => void = () => {},
): TableView {
  const info = new Map(layers.map((l) => [l.name, l]));
  const rows: string[] = [];
  const cells: string[] = [];
  const body = h('tbody');
  const groups = groupHeaders(result, info, onToggle);
  for (const l of result.layers) {
    const view = info.get(l.name);
    const group = view?.group && groups.get(view.group.name);
    if (group && !group.element.isConnected) body.append(group.element);
    const passed = layerPassed(l);
    const params = Object.entries(l.params);
    for (const [tensor, c] of [['δ', l.delta] as const, ...params]) cells.push(`${l.name} ${tensor} ${cellText(c)}`);
    const checked = l.delta.checked + params.reduce((n, [, c]) => n + c.checked, 0);
    const kinks = l.delta.kinks + params.reduce((n, [, c]) => n + c.kinks, 0);
    const line = view?.line ?? l.line;
    const tr = h(
      'tr',
      {
        class: `layer ${passed ? '' : 'failed'} ${l.blame ? 'blamed' : ''}`,
        tabindex: 0,
        'data-layer': l.name,
        title: line ? `Reveal ${l.name} (line ${line})` : `Reveal ${l.name}`,
      },
      h(
        'th',
        { scope: 'row' },
        h(
          'span',
          { class: 'name' },
          h(
            'span',
            {
              class: `verdict-icon-small ${passed ? 'pass' : 'fail'}`,
              role: 'img',
              'aria-label': passed ? 'passed' : 'failed',
            },
            passed ? '✓' : '✗',
          ),
          l.name,
        ),
        h(
          'span',
          { class: 'kind' },
          l.kind,
          line ? ` · line ${line}` : '',
          l.custom
            ? h('span', { class: 'tag', title: 'A hand-written backward replaced the built-in one' }, 'custom')
            : null,
        ),
      ),
      h(
        'td',
        { class: 'shape' },
        h('span', { class: 'out' }, view ? fmt.shape(view.output) : '?'),
        h(
          'span',
          { class: 'din', title: "δ at the layer's input(s)" },
          'δ in ',
          view ? view.deltaIn.map(fmt.shape).join(' + ') || '—' : '?',
        ),
      ),
      h('td', { class: 'num' }, errorCell(l.delta)),
      h(
        'td',
        { class: 'num params' },
        ...(params.length ? params.map(([name, c]) => errorCell(c, name)) : [h('span', { class: 'muted' }, '—')]),
      ),
      h('td', { class: 'num' }, fmt.count(checked)),
      h('td', { class: `num ${kinks ? 'kinks' : 'muted'}` }, String(kinks)),
    );
    group?.rows.push(tr);
    const reveal = () => onReveal(l.name);
    tr.addEventListener('click', reveal);
    tr.addEventListener('keydown', (e) => {
      if (e.key === 'Enter' || e.key === ' ') {
        e.preventDefault();
        reveal();
      }
    });
    body.append(tr);
    if (l.blame) {
      const blame = h(
        'tr',
        { class: 'blame' },
        h(
          'td',
          { colspan: 6 },
          h('span', { class: 'blame-icon', 'aria-hidden': 'true' }, '⚠'),
          h('strong', {}, `${l.name}: `),
          l.blame,
        ),
      );
      group?.rows.push(blame);
      body.append(blame);
    }
    rows.push(`${l.name} ${l.kind} ${passed ? 'pass' : 'fail'}${l.blame ? ' blamed' : ''}`);
  }
  const head = h(
    'thead',
    {},
    h(
      'tr',
      {},
      h('th', { scope: 'col' }, 'Layer'),
      h(
        'th',
        {
          scope: 'col',
          title:
            "The layer's output shape (also the shape of δ at its output), and δ at its input(s): what its backward rule produces",
        },
        'Output · δ in',
      ),
      h(
        'th',
        {
          scope: 'col',
          class: 'num',
          title: 'Largest relative error |a − n| / (|a| + |n|) of δ at the output, kinks left out',
        },
        'δ error',
      ),
      h(
        'th',
        { scope: 'col', class: 'num', title: "Largest relative error of each parameter's gradient" },
        'Parameters',
      ),
      h('th', { scope: 'col', class: 'num', title: 'Coordinates and directions compared' }, 'Checked'),
      h(
        'th',
        {
          scope: 'col',
          class: 'num',
          title: 'Comparisons whose ±ε straddled a kink (ReLU sign, max-pool winner): left out of pass and fail',
        },
        'Kinks',
      ),
    ),
  );
  const element = h(
    'section',
    { class: 'layers', 'aria-labelledby': 'layers-title' },
    h('h2', { id: 'layers-title' }, 'Layers'),
    h('div', { class: 'table-wrap' }, h('table', { class: 'layer-table' }, head, body)),
  );
  for (const g of groups.values()) g.set(g.expanded);
  return {
    element,
    rows,
    cells,
    groups: () =>
      [...groups.values()].map(
        (g) => `${g.name} ${g.layers} ${g.passed ? 'pass' : 'fail'} ${g.expanded ? 'expanded' : 'collapsed'}`,
      ),
  };
}

interface Group {
  readonly name: string;
  readonly layers: number;
  readonly passed: boolean;
  readonly element: HTMLElement;
  /** The group's layer (and blame) rows, hidden while it is collapsed. */
  readonly rows: HTMLElement[];
  expanded: boolean;
  set(expanded: boolean): void;
}

/**
 * A header row per use of a block, above its layers' rows: a button that folds them away. A use whose layers all
 * passed starts folded, one that failed open, so what needs reading is in view.
 */
function groupHeaders(
  result: GradcheckResult,
  info: ReadonlyMap<string, LayerInfoView>,
  onToggle: () => void,
): Map<string, Group> {
  const members = new Map<string, { description: string; checks: LayerCheck[] }>();
  for (const l of result.layers) {
    const group = info.get(l.name)?.group;
    if (!group) continue;
    const m = members.get(group.name);
    if (m) m.checks.push(l);
    else members.set(group.name, { description: group.description, checks: [l] });
  }
  const groups = new Map<string, Group>();
  for (const [name, { description, checks }] of members) {
    const passed = checks.every(layerPassed);
    const toggle = h('button', { class: 'group-toggle', type: 'button', 'aria-expanded': 'false', 'data-group': name });
    const element = h(
      'tr',
      { class: `use-group ${passed ? '' : 'failed'}` },
      h('th', { scope: 'rowgroup', colspan: 6 }, toggle),
    );
    const group: Group = {
      name,
      layers: checks.length,
      passed,
      element,
      rows: [],
      expanded: !passed,
      set(expanded) {
        group.expanded = expanded;
        toggle.setAttribute('aria-expanded', String(expanded));
        toggle.textContent = `${expanded ? '▾' : '▸'} ${passed ? '✓' : '✗'} ${name} · ${description} · ${checks.length} layers`;
        for (const r of group.rows) r.hidden = !expanded;
      },
    };
    toggle.addEventListener('click', () => {
      group.set(!group.expanded);
      onToggle();
    });
    groups.set(name, group);
  }
  return groups;
}
