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
  vscode.postMessage({ type: 'shown', steps: names, current });
});
vscode.postMessage({ type: 'ready' });

function draw(m: ToWalkthrough): void {
  switch (m.type) {
    case 'steps': {
      names = m.steps.map((s) => s.name);
      const header = el('header', '', `${m.network ?? m.file}: δ from the loss back to the input, ${m.steps.length} steps`);
      if (m.errors) header.append(el('div', 'errors', `${m.errors} error${m.errors > 1 ? 's' : ''}: shapes after ${m.errors > 1 ? 'them' : 'it'} are unknown (?)`));
      const list = el('ol');
      for (const s of m.steps) list.append(stepItem(s));
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
  head.append(el('span', 'name', s.name), el('span', 'kind', s.kind), ...(s.line !== undefined ? [el('span', 'line', `line ${s.line}`)] : []));
  li.append(head);
  const to = s.deltaIn.map((d) => `δ(${d.name}) ${d.shape}`).join(', ');
  li.append(el('div', 'flow', s.deltaOut ? (to ? `δ(${s.name}) ${s.deltaOut} → ${to}` : `δ(${s.name}) ${s.deltaOut}`) : `→ ${to}`));
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
