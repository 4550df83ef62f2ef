/**
 * Output shapes against PyTorch: every case of test/fixtures/torch/shapes.json (written by
 * scripts/torch/shapes.py from real torch.nn.functional calls) is turned into a one-layer `.cnn` network and
 * checked, including the cases torch rejects.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { check } from '../../engine';

interface Case {
  op: 'conv' | 'pool';
  input: [number, number, number];
  output?: number[];
  error?: string;
  error_kind?: string;
  kernel: [number, number];
  stride: [number, number];
  // conv
  filters?: number;
  dilation?: [number, number];
  groups?: number;
  padding?: number[] | null;
  padding_spec?: string;
  // pool
  mode?: 'max' | 'mean';
  ceil_mode?: boolean;
}

const fixture = JSON.parse(readFileSync(join(__dirname, '../fixtures/torch/shapes.json'), 'utf8')) as { cases: Case[] };
const hw = ([h, w]: readonly number[]) => (h === w ? `${h}` : `${h}x${w}`);

function layerLine(c: Case): string {
  if (c.op === 'pool')
    return `pool ${c.mode} ${hw(c.kernel)} stride=${hw(c.stride)} pad=${hw(c.padding!)} ceil=${c.ceil_mode}`;
  const pad =
    c.padding_spec === 'same' || c.padding_spec === 'same-even'
      ? 'same'
      : c.padding_spec === 'full'
        ? 'full'
        : c.padding_spec === 'asymmetric'
          ? c.padding!.join('x')
          : hw([c.padding![0], c.padding![2]]);
  return `conv ${c.filters} ${hw(c.kernel)} stride=${hw(c.stride)} pad=${pad} dilation=${hw(c.dilation!)} groups=${c.groups}`;
}

/** The diagnostic code a torch error corresponds to; undefined where this language deliberately differs. */
const expectedCode: Record<string, string | undefined> = {
  'empty-output': 'empty-output',
  'channel-mismatch': 'channel-mismatch',
  'pool-pad-too-large': 'bad-value',
  'bad-value': 'bad-value',
  // torch refuses pad=same at stride > 1; here it pads D(K−1)/2 per side (docs/language.md).
  'same-strided': undefined,
};

describe('output shapes match PyTorch (fixtures from torch 1.13)', () => {
  it('covers conv, pool, ceil mode, padding kinds and errors', () => {
    const kinds = new Set(fixture.cases.map((c) => `${c.op}:${c.padding_spec ?? c.mode}:${c.error_kind ?? 'ok'}`));
    assert.ok(fixture.cases.length > 500 && kinds.size > 10, `${fixture.cases.length} cases, ${kinds.size} kinds`);
  });

  for (const c of fixture.cases) {
    const line = layerLine(c);
    const title = `${c.op} x=[${c.input}] ${line.slice(c.op.length + 1)} → ${c.output ? `[${c.output}]` : c.error_kind}`;
    it(title, () => {
      const a = check(`input ${c.input.join('x')}\n${line}\n`);
      const errors = a.diagnostics.filter((d) => d.severity === 'error');
      const layer = a.layers[0];
      if (c.padding_spec === 'same-even') {
        // torch pads an even 'same' kernel unevenly; the language asks for an odd one.
        assert.deepEqual(
          errors.map((d) => d.code),
          ['bad-value'],
        );
        return;
      }
      if (c.output) {
        assert.deepEqual(errors, [], errors.map((d) => d.message).join('; '));
        assert.deepEqual(layer.output, c.output);
        return;
      }
      const code = expectedCode[c.error_kind!];
      if (code === undefined) {
        assert.equal(c.error_kind, 'same-strided');
        assert.deepEqual(errors, []);
        // ⌈H/S⌉, as TensorFlow's 'SAME' gives for an odd kernel.
        assert.deepEqual(layer.output, [
          c.filters,
          Math.ceil(c.input[1] / c.stride[0]),
          Math.ceil(c.input[2] / c.stride[1]),
        ]);
        return;
      }
      assert.deepEqual(
        errors.map((d) => d.code),
        [code],
        `torch: ${c.error}`,
      );
      assert.equal(layer.output, null);
    });
  }
});
