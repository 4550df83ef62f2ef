/**
 * log10 of each tensor's largest error over its tolerance, |a − n| / (atol + rtol·|n|), per layer, against 1,
 * where the pass rule puts it: a mark above the line has failed, so the chart never contradicts the verdict (a
 * relative error against rtol did, for small values that pass by atol). Zeros by structure and inconclusive
 * coordinates are not counted: a tensor with nothing else sits on the floor, titled as such. Inline SVG, no chart
 * library. δ and each parameter are separate marks (shape and colour per tensor name), drawn at the width the
 * panel has, and redrawn when it changes.
 */
import { s } from './dom';
import * as fmt from './format';
import type { GradcheckResult } from '../engine/run';
import { cellText } from './table';

interface Mark {
  readonly layer: number;
  readonly tensor: string;
  readonly error: number | null;
  readonly passed: boolean;
  /** What the table shows for the tensor. */
  readonly text: string;
  readonly slot: number;
  readonly slots: number;
}

/** Shape and colour class by tensor: δ, W, b, anything else (batchnorm's gamma, beta…). */
const STYLE: Record<string, { shape: 'circle' | 'square' | 'diamond' | 'triangle'; cls: string; label: string }> = {
  δ: { shape: 'circle', cls: 'delta', label: 'δ' },
  W: { shape: 'square', cls: 'weight', label: 'W' },
  b: { shape: 'diamond', cls: 'bias', label: 'b' },
};
const OTHER = { shape: 'triangle', cls: 'other', label: 'other parameters' } as const;
const styleOf = (tensor: string) => STYLE[tensor] ?? OTHER;

const MINUS = '\u2212';
const signed = (n: number) => (n < 0 ? `${MINUS}${-n}` : String(n));

function glyph(
  shape: 'circle' | 'square' | 'diamond' | 'triangle',
  x: number,
  y: number,
  r: number,
  attrs: Record<string, string>,
): SVGElement {
  switch (shape) {
    case 'circle':
      return s('circle', { cx: x, cy: y, r, ...attrs });
    case 'square':
      return s('rect', { x: x - r * 0.9, y: y - r * 0.9, width: r * 1.8, height: r * 1.8, ...attrs });
    case 'diamond':
      return s('path', {
        d: `M${x} ${y - r * 1.2}L${x + r * 1.2} ${y}L${x} ${y + r * 1.2}L${x - r * 1.2} ${y}Z`,
        ...attrs,
      });
    case 'triangle':
      return s('path', {
        d: `M${x} ${y - r * 1.2}L${x + r * 1.1} ${y + r * 0.8}L${x - r * 1.1} ${y + r * 0.8}Z`,
        ...attrs,
      });
  }
}

/** The chart at `width` CSS pixels. */
export function renderChart(result: GradcheckResult, width: number): SVGSVGElement {
  const marks: Mark[] = [];
  result.layers.forEach((l, i) => {
    const tensors: [string, typeof l.delta][] = [['δ', l.delta], ...Object.entries(l.params)];
    tensors.forEach(([tensor, c], slot) =>
      marks.push({
        layer: i,
        tensor,
        error: c.maxExcess ?? null,
        passed: c.passed,
        text: cellText(c),
        slot,
        slots: tensors.length,
      }),
    );
  });
  const threshold = 0;
  const logs = marks.flatMap((m) =>
    m.error !== null && m.error > 0 && Number.isFinite(m.error) ? [Math.log10(m.error)] : [],
  );
  const lo = Math.max(-17, Math.floor(Math.min(threshold - 1, ...logs)));
  const hi = Math.max(0, Math.ceil(Math.max(threshold + 1, ...logs)));

  const n = result.layers.length;
  const longest = Math.max(...result.layers.map((l) => l.name.length));
  const left = 52;
  const right = 16;
  // The chart takes the width it is given, however many layers: names turn to fit their band, upright when
  // it is narrower than two lines of text.
  const band = (width - left - right) / Math.max(n, 1);
  const angle = longest * 6.5 <= band - 6 ? 0 : band >= 22 ? -40 : -90;
  const rotate = angle !== 0;
  const top = 30;
  const plot = 170;
  const bottom = rotate ? 26 + Math.min(longest, 14) * (angle === -90 ? 6.5 : 5) : 40;
  const w = left + band * n + right;
  const height = top + plot + bottom;
  const y = (v: number) => top + ((hi - v) / (hi - lo)) * plot;
  const x = (m: Mark) =>
    left + band * (m.layer + 0.5) + (m.slot - (m.slots - 1) / 2) * Math.min(11, band / (m.slots + 1));

  const svg = s('svg', {
    class: 'chart',
    width: w,
    height,
    viewBox: `0 0 ${w} ${height}`,
    role: 'img',
    'aria-labelledby': 'chart-title chart-desc',
  });
  svg.append(s('title', { id: 'chart-title' }, 'log10 of the largest error over its tolerance per layer and tensor'));
  svg.append(
    s(
      'desc',
      { id: 'chart-desc' },
      marks
        .map((m) => `${result.layers[m.layer].name} ${m.tensor} ${fmt.relError(m.error)} of the tolerance`)
        .join('; '),
    ),
  );

  // Above the threshold is where a tensor fails: tint it.
  svg.append(
    s('rect', { class: 'fail-zone', x: left, y: top, width: band * n, height: Math.max(0, y(threshold) - top) }),
  );
  const step = hi - lo > 10 ? 2 : 1;
  for (let t = hi; t >= lo; t -= step) {
    svg.append(s('line', { class: 'grid', x1: left, x2: left + band * n, y1: y(t), y2: y(t) }));
    svg.append(
      s(
        'text',
        { class: 'tick', x: left - 6, y: y(t), 'text-anchor': 'end', 'dominant-baseline': 'middle' },
        signed(t),
      ),
    );
  }
  svg.append(s('line', { class: 'axis', x1: left, x2: left, y1: top, y2: top + plot }));
  svg.append(s('line', { class: 'axis', x1: left, x2: left + band * n, y1: top + plot, y2: top + plot }));
  svg.append(s('line', { class: 'threshold', x1: left, x2: left + band * n, y1: y(threshold), y2: y(threshold) }));
  svg.append(
    s(
      'text',
      { class: 'threshold-label', x: left + band * n - 4, y: y(threshold) - 5, 'text-anchor': 'end' },
      // The rule in full where it fits (about 6 px a character), else just the line's meaning.
      band * n >= 400
        ? `pass below 1: |a−n| ≤ atol + rtol·|n| (atol ${result.atol}, rtol ${result.rtol})`
        : 'pass below 1',
    ),
  );

  result.layers.forEach((l, i) => {
    const cx = left + band * (i + 0.5);
    const ty = top + plot + 14;
    svg.append(
      rotate
        ? s(
            'text',
            {
              class: 'layer-label',
              x: cx,
              y: ty - 4,
              'text-anchor': 'end',
              'dominant-baseline': angle === -90 ? 'middle' : 'auto',
              transform: `rotate(${angle} ${cx} ${ty - 4})`,
            },
            l.name,
          )
        : s('text', { class: 'layer-label', x: cx, y: ty, 'text-anchor': 'middle' }, l.name),
    );
  });

  for (const m of marks) {
    const exact = m.error === 0;
    const missing = m.error === null || !Number.isFinite(m.error);
    if (missing) continue;
    const v = exact ? lo : Math.max(lo, Math.min(hi, Math.log10(m.error!)));
    const st = styleOf(m.tensor);
    const zone = v > threshold ? 'fail-zone' : 'pass-zone';
    const mark = glyph(st.shape, x(m), y(v), 4, {
      class: `mark ${st.cls} ${m.passed ? '' : 'fail'} ${exact ? 'exact' : ''}`,
      // What the mark says, for the `rendered` report: where it sits and whether it is ringed as failed.
      'data-mark': `${result.layers[m.layer].name} ${m.tensor} ${zone} ${m.passed ? 'pass' : 'fail'}`,
    });
    mark.append(
      s(
        'title',
        {},
        `${result.layers[m.layer].name} ${m.tensor}: ${exact ? m.text : `${fmt.relError(m.error)} of the tolerance, relative error ${m.text}`} — ${m.passed ? 'pass' : 'fail'}`,
      ),
    );
    svg.append(mark);
  }

  // Axis titles and the legend.
  svg.append(
    s(
      'text',
      {
        class: 'axis-title',
        x: 12,
        y: top + plot / 2,
        'text-anchor': 'middle',
        transform: `rotate(-90 12 ${top + plot / 2})`,
      },
      'log₁₀ error ÷ tolerance',
    ),
  );
  svg.append(
    s('text', { class: 'axis-title', x: left + (band * n) / 2, y: height - 4, 'text-anchor': 'middle' }, 'layer'),
  );
  const present = [...new Set(marks.map((m) => styleOf(m.tensor)))];
  let lx = left;
  for (const st of present) {
    svg.append(glyph(st.shape, lx + 5, 12, 4, { class: `mark ${st.cls}` }));
    const label = s('text', { class: 'legend', x: lx + 14, y: 12, 'dominant-baseline': 'middle' }, st.label);
    svg.append(label);
    lx += 26 + st.label.length * 6.5;
  }
  svg.append(glyph('circle', lx + 5, 12, 4, { class: 'mark fail legend-fail' }));
  svg.append(s('text', { class: 'legend', x: lx + 14, y: 12, 'dominant-baseline': 'middle' }, 'failed'));
  return svg;
}
