/**
 * The walkthrough view's script (bundled to dist/walkthrough.js; runs in the webview, no `vscode` module):
 * draws the steps it is sent, marks the current one, reports what it drew, and asks to reveal a clicked step.
 */
import { type FromWalkthrough, isToWalkthrough, type StepView, type ToWalkthrough } from './protocol';

declare function acquireVsCodeApi(): { postMessage(message: FromWalkthrough): void };

const vscode = acquireVsCodeApi();
const root = document.getElementById('root')!;
let names: string[] = [];
let current: string | null = null;

window.addEventListener('message', (event: MessageEvent) => {
  if (!isToWalkthrough(event.data)) return;
  draw(event.data);
  const head = current === null ? null : root.querySelector('li[aria-current] .head')?.getBoundingClientRect();
  vscode.postMessage({
    type: 'shown',
    steps: names,
    current,
    height: document.documentElement.clientHeight,
    header: head ? { top: head.top, bottom: head.bottom } : null,
  });
});
vscode.postMessage({ type: 'ready' });

function draw(m: ToWalkthrough): void {
  switch (m.type) {
    case 'steps': {
      names = m.steps.map((s) => s.name);
      const header = el(
        'header',
        '',
        `${m.network ?? m.file}: δ from the loss back to the input, ${m.steps.length} steps`,
      );
      if (m.errors)
        header.append(
          el(
            'div',
            'errors',
            `${m.errors} error${m.errors > 1 ? 's' : ''}: shapes after ${m.errors > 1 ? 'them' : 'it'} are unknown (?)`,
          ),
        );
      const list = el('ol');
      // The steps of one use of a block, in a row, fold under one item: `layer2 · bottleneck 128 · 10 steps`.
      let group:
        { name: string; steps: HTMLOListElement; summary: HTMLElement; count: number; description: string } | undefined;
      for (const s of m.steps) {
        if (!s.group) {
          group = undefined;
          list.append(stepItem(s));
          continue;
        }
        if (group?.name !== s.group.name) {
          const details = el('details', 'group');
          details.open = true;
          const summary = el('summary');
          const steps = el('ol');
          details.append(summary, steps);
          const item = el('li', 'group');
          item.append(details);
          list.append(item);
          group = { name: s.group.name, steps, summary, count: 0, description: s.group.description };
        }
        group.steps.append(stepItem(s));
        group.count++;
        group.summary.textContent = `${group.name} · ${group.description} · ${group.count} step${group.count > 1 ? 's' : ''}`;
      }
      root.replaceChildren(header, list);
      mark(m.current);
      return;
    }
    case 'highlight':
      mark(m.current);
      return;
    case 'empty':
      names = [];
      current = null;
      root.replaceChildren(el('p', 'empty', 'Open a .cnn file to follow its backprop.'));
      return;
  }
}

function stepItem(s: StepView): HTMLElement {
  const li = el('li');
  li.dataset.name = s.name;
  const head = el('div', 'head');
  head.append(
    el('span', 'name', s.name),
    el('span', 'kind', s.kind),
    ...(s.line !== undefined ? [el('span', 'line', `line ${s.line}`)] : []),
  );
  li.append(head);
  const to = s.deltaIn.map((d) => `δ(${d.name}) ${d.shape}`).join(', ');
  li.append(
    el(
      'div',
      'flow',
      s.deltaOut ? (to ? `δ(${s.name}) ${s.deltaOut} → ${to}` : `δ(${s.name}) ${s.deltaOut}`) : `→ ${to}`,
    ),
  );
  if (s.rule) li.append(el('div', 'rule', s.rule));
  for (const r of s.paramRules) li.append(el('div', 'param', r));
  for (const r of s.written) li.append(el('div', 'written', `your rule: ${r}`));
  li.addEventListener('click', () => vscode.postMessage({ type: 'reveal', name: s.name }));
  return li;
}

function mark(name: string | null): void {
  current = name !== null && names.includes(name) ? name : null;
  for (const li of Array.from(root.querySelectorAll<HTMLElement>('li'))) {
    const on = li.dataset.name === current;
    li.classList.toggle('current', on);
    if (on) {
      li.setAttribute('aria-current', 'step');
      const folded = li.closest('details');
      if (folded) folded.open = true;
      reveal(li);
    } else li.removeAttribute('aria-current');
  }
}

/**
 * Scrolls a step into view with its header: the least scrolling that shows all of it, and when it is taller
 * than the view, its top (where its name is) at the top rather than its end at the bottom.
 */
function reveal(li: HTMLElement): void {
  const box = li.getBoundingClientRect();
  const view = document.documentElement.clientHeight;
  if (box.top >= 0 && box.bottom <= view) return;
  li.scrollIntoView({ block: box.height > view || box.top < 0 ? 'start' : 'end' });
}

function el<K extends keyof HTMLElementTagNameMap>(tag: K, cls = '', text?: string): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text !== undefined) e.textContent = text;
  return e;
}
