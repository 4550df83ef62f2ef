/**
 * End-to-end PyTorch oracle for whole networks (scripts/torch/networks-input.ts → scripts/torch/networks.py →
 * test/fixtures/torch/networks.json). Each network in test/fixtures/torch/networks/*.cnn was rebuilt in
 * PyTorch float64 from its statements alone and run on CNN Lens's seeded data; here the engine reruns it on
 * that same data (`RunOptions.data`) and every number of the `run --dump` object must agree with autograd:
 * the loss, every layer's output, every δ (the input's included) and every parameter gradient. The dump's
 * structure is checked against docs/language.md ("The command line", "Layouts") with torch's own shapes.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCommand } from '../../../cli/runCommands';
import { check } from '../../../engine/check';
import { type RunDump, sampleRun, type SampleData, type Tensor } from '../../../engine/run';

interface TorchTensor {
  shape: number[];
  data: number[];
}
interface Network {
  file: string;
  network: string | null;
  source: string;
  batch: number;
  seed: number;
  loss_kind: 'cross_entropy' | 'mse';
  layers: { name: string; kind: string; inputs: string[]; torch: string }[];
  data: {
    batch: number;
    seed: number;
    input: TorchTensor;
    labels?: TorchTensor;
    targets?: TorchTensor;
    params: Record<string, Record<string, TorchTensor>>;
  };
  torch: {
    loss: number;
    outputs: Record<string, TorchTensor>;
    deltas: Record<string, TorchTensor>;
    grads: Record<string, Record<string, TorchTensor>>;
  };
}

const FIXTURES = join(__dirname, '../../fixtures/torch');
const fixture = JSON.parse(readFileSync(join(FIXTURES, 'networks.json'), 'utf8')) as {
  torch: string;
  networks: Network[];
};

/**
 * Tolerance. A tensor passes when every element satisfies |ours − torch| ≤ REL · scale, where scale is the
 * largest |value| of torch's tensor, floored at FLOOR.
 *
 * Why the tensor's own scale and not each element's: two float64 computations of the same quantity in
 * different summation orders differ by a few ulps of the *terms* summed, not of the result, so an element that
 * is a near-cancellation (a batchnorm δ, a δ summed from branches of opposite sign, a conv output near 0) can
 * be far off relative to itself while exact to ~1e-16 of the tensor's magnitude. A per-element rule would fail
 * on correct code; the tensor-scaled rule still catches every real error (a wrong index, divisor or window
 * moves an element by a sizeable fraction of the scale, against a bound of 1e-9; the engine's worst honest
 * error here is ~5e-15 of the scale). Unlike |a−b| ≤ 1e-9·max(1, max|torch|) it stays relative for tensors
 * whose values are all small (δs behind sigmoids are ~1e-4), so a slip there is not hidden by a floor of 1e-9.
 *
 * Why FLOOR = 1e-6: some gradients are zero in exact arithmetic but not in float64, e.g. β of a batchnorm (or
 * the bias of a dense layer) followed by another batchnorm, whose δ sums to zero over the batch. Both sides
 * then hold rounding noise of ~1e-17 with unrelated signs; with the floor they are compared to an absolute
 * 1e-15 instead of relative to the noise itself. A tensor that should be exactly zero (a dead branch) is
 * still required to be zero to 1e-15.
 */
const REL = 1e-9;
const FLOOR = 1e-6;

interface Mismatch {
  what: string;
  message: string;
}

/** Compares one tensor; returns a message naming the worst index (flat and per dimension), or undefined. */
function compare(ours: ArrayLike<number>, torch: TorchTensor, what: string): string | undefined {
  const expected = torch.data;
  if (ours.length !== expected.length) return `${what}: ${ours.length} values, torch has ${expected.length}`;
  let scale = 0;
  for (const v of expected) scale = Math.max(scale, Math.abs(v));
  scale = Math.max(scale, FLOOR);
  let worst = -1;
  let worstError = -1;
  for (let i = 0; i < expected.length; i++) {
    const e = Math.abs(ours[i] - expected[i]);
    if (!(e <= worstError)) {
      worst = i;
      worstError = Number.isNaN(e) ? Infinity : e;
    }
  }
  if (worst < 0 || worstError <= REL * scale) return undefined;
  let bad = 0;
  for (let i = 0; i < expected.length; i++) if (!(Math.abs(ours[i] - expected[i]) <= REL * scale)) bad++;
  return `${what}: ${bad} of ${expected.length} elements differ; worst at [${unravel(worst, torch.shape).join(', ')}] (flat ${worst}): ours ${ours[worst]}, torch ${expected[worst]}, |diff| ${worstError.toExponential(3)} = ${(worstError / scale).toExponential(3)} × max|torch| ${scale.toExponential(3)}`;
}

function unravel(flat: number, shape: readonly number[]): number[] {
  const index: number[] = [];
  for (let d = shape.length - 1; d >= 0; d--) {
    index.unshift(flat % shape[d]);
    flat = Math.floor(flat / shape[d]);
  }
  return index;
}

function failIf(network: string, mismatches: Mismatch[]): void {
  if (mismatches.length)
    assert.fail(
      `${network}: ${mismatches.length} tensor(s) disagree with PyTorch:\n  ${mismatches.map((m) => m.message).join('\n  ')}`,
    );
}

const size = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);

function run(net: Network): RunDump {
  const analysis = check(net.source);
  const errors = analysis.diagnostics.filter((d) => d.severity === 'error');
  assert.deepEqual(
    errors.map((d) => d.message),
    [],
    `${net.file}: the network has errors`,
  );
  const d = net.data;
  const data: SampleData = {
    input: d.input.data,
    ...(d.labels && { labels: d.labels.data }),
    ...(d.targets && { targets: d.targets.data }),
    params: Object.fromEntries(
      Object.entries(d.params).map(([layer, ps]) => [
        layer,
        Object.fromEntries(Object.entries(ps).map(([p, t]) => [p, t.data])),
      ]),
    ),
  };
  return sampleRun(analysis, { data });
}

describe('whole networks against PyTorch (test/fixtures/torch/networks.json)', () => {
  it('the fixture holds every network in test/fixtures/torch/networks/, with its current source', () => {
    const dir = join(FIXTURES, 'networks');
    const files = readdirSync(dir)
      .filter((f) => f.endsWith('.cnn'))
      .sort();
    assert.deepEqual(
      fixture.networks.map((n) => n.file),
      files,
      'regenerate networks.json (scripts/torch/README.md)',
    );
    for (const net of fixture.networks)
      assert.equal(
        net.source,
        readFileSync(join(dir, net.file), 'utf8'),
        `${net.file} changed since networks.json was generated; regenerate it`,
      );
  });

  for (const net of fixture.networks) {
    describe(net.file, () => {
      let dump: RunDump;
      before(() => {
        dump = run(net);
      });

      it('dump structure: keys, batch-first activation shapes and PyTorch parameter layouts (docs/language.md)', () => {
        const t = net.torch;
        const N = net.batch;
        const label = net.loss_kind === 'cross_entropy' ? 'labels' : 'targets';
        assert.deepEqual(
          Object.keys(dump).sort(),
          ['batch', 'deltas', 'grads', 'input', label, 'loss', 'outputs', 'params', 'seed'].sort(),
          `${net.file}: dump keys`,
        );
        assert.equal(dump.batch, N, `${net.file}: batch`);
        assert.equal(dump.seed, net.seed, `${net.file}: seed`);
        assert.equal(typeof dump.loss, 'number', `${net.file}: loss is a number`);
        const shaped = (tensor: Tensor | undefined, shape: readonly number[], what: string) => {
          assert.ok(tensor, `${net.file}: ${what} is missing`);
          assert.deepEqual(tensor.shape, shape, `${net.file}: ${what} shape`);
          assert.equal(
            tensor.data.length,
            size(shape),
            `${net.file}: ${what} has ${tensor.data.length} values for shape ${shape.join('×')}`,
          );
          assert.ok(
            tensor.data.every((v) => typeof v === 'number' && Number.isFinite(v)),
            `${net.file}: ${what} has a non-finite value`,
          );
        };
        shaped(dump.input, net.data.input.shape, 'input');
        assert.equal(net.data.input.shape[0], N, `${net.file}: the input is batch-first`);
        const target = net.data.labels ?? net.data.targets!;
        shaped(dump[label], target.shape, label);
        // Labels: one class per sample (and per position on a map), N or N×H×W; targets: the output's shape.
        const lastShape = t.outputs[net.layers[net.layers.length - 1].name].shape;
        assert.deepEqual(
          target.shape,
          label === 'labels' ? [N, ...lastShape.slice(2)] : lastShape,
          `${net.file}: ${label} shape against the last output`,
        );
        if (dump.labels)
          assert.ok(
            dump.labels.data.every(
              (v, i) => Number.isInteger(v) && v >= 0 && v < lastShape[1] && v === net.data.labels!.data[i],
            ),
            `${net.file}: labels`,
          );
        assert.deepEqual(
          Object.keys(dump.outputs),
          net.layers.map((l) => l.name),
          `${net.file}: outputs, one per layer in order`,
        );
        for (const [name, tt] of Object.entries(t.outputs)) {
          assert.equal(tt.shape[0], N, `${net.file}: torch's ${name} is batch-first`);
          shaped(dump.outputs[name], tt.shape, `outputs.${name}`);
        }
        assert.deepEqual(
          Object.keys(dump.deltas).sort(),
          Object.keys(t.deltas).sort(),
          `${net.file}: deltas (the input and every layer)`,
        );
        for (const [name, tt] of Object.entries(t.deltas)) shaped(dump.deltas[name], tt.shape, `deltas.${name}`);
        // Parameter shapes: networks.py derived them from docs/language.md and torch's layouts (conv W [F, C/groups, kh, kw],
        // dense W [units, in], b / gamma / beta [C]) and checked the dumped data against them.
        assert.deepEqual(
          Object.keys(dump.params).sort(),
          Object.keys(t.grads).sort(),
          `${net.file}: params, one entry per layer with parameters`,
        );
        assert.deepEqual(
          Object.keys(dump.grads).sort(),
          Object.keys(t.grads).sort(),
          `${net.file}: grads have the keys of params`,
        );
        for (const [layer, ps] of Object.entries(t.grads)) {
          assert.deepEqual(
            Object.keys(dump.params[layer]).sort(),
            Object.keys(ps).sort(),
            `${net.file}: ${layer}'s parameters`,
          );
          assert.deepEqual(
            Object.keys(dump.grads[layer]).sort(),
            Object.keys(ps).sort(),
            `${net.file}: ${layer}'s gradients`,
          );
          for (const [p, tt] of Object.entries(ps)) {
            shaped(dump.params[layer][p], tt.shape, `params.${layer}.${p}`);
            shaped(dump.grads[layer][p], tt.shape, `grads.${layer}.${p}`);
            assert.deepEqual(
              dump.params[layer][p].data,
              net.data.params[layer][p].data,
              `${net.file}: params.${layer}.${p} is the data given`,
            );
          }
        }
        assert.deepEqual(dump.input.data, net.data.input.data, `${net.file}: the input is the data given`);
      });

      it('loss', () => {
        const scale = Math.max(Math.abs(net.torch.loss), FLOOR);
        const diff = Math.abs(dump.loss - net.torch.loss);
        assert.ok(
          diff <= REL * scale,
          `${net.file}: loss (${net.loss_kind}): ours ${dump.loss}, torch ${net.torch.loss}, |diff| ${diff.toExponential(3)}`,
        );
      });

      it('every layer output', () => {
        const bad: Mismatch[] = [];
        for (const l of net.layers) {
          const m = compare(
            dump.outputs[l.name]?.data ?? [],
            net.torch.outputs[l.name],
            `outputs.${l.name} (${l.kind}; ${l.torch})`,
          );
          if (m) bad.push({ what: l.name, message: m });
        }
        failIf(net.file, bad);
      });

      it('every δ, the input’s included', () => {
        const bad: Mismatch[] = [];
        const kinds = new Map(net.layers.map((l) => [l.name, `${l.kind}; ${l.torch}`]));
        for (const [name, tt] of Object.entries(net.torch.deltas)) {
          const m = compare(dump.deltas[name]?.data ?? [], tt, `deltas.${name} (${kinds.get(name) ?? 'the input'})`);
          if (m) bad.push({ what: name, message: m });
        }
        failIf(net.file, bad);
      });

      it('every parameter gradient', () => {
        const bad: Mismatch[] = [];
        for (const [layer, ps] of Object.entries(net.torch.grads)) {
          for (const [p, tt] of Object.entries(ps)) {
            const m = compare(dump.grads[layer]?.[p]?.data ?? [], tt, `grads.${layer}.${p}`);
            if (m) bad.push({ what: `${layer}.${p}`, message: m });
          }
        }
        failIf(net.file, bad);
      });
    });
  }

  /**
   * The path outside checks take: `cnn-lens run FILE --dump OUT.json` with the seeded draws, read back from the
   * file. networks.json was generated from those same draws, so while they are unchanged the dump must match
   * PyTorch as it is; if the seeding or initialisation changes, this fails until networks.json is regenerated
   * (scripts/torch/README.md), so the CLI path is never left unchecked.
   */
  it('cnn-lens run --dump (seeded, through the CLI and its JSON file) matches PyTorch', function () {
    const dir = mkdtempSync(join(tmpdir(), 'cnn-lens-torch-'));
    const write = process.stdout.write;
    const bad: Mismatch[] = [];
    let stale = 0;
    try {
      for (const net of fixture.networks) {
        const out = join(dir, `${net.file}.json`);
        process.stdout.write = () => true;
        let code: number;
        try {
          code = runCommand(check(net.source), net.file, { dump: out });
        } finally {
          process.stdout.write = write;
        }
        assert.equal(code, 0, `${net.file}: cnn-lens run exited ${code}`);
        const dump = JSON.parse(readFileSync(out, 'utf8')) as RunDump;
        const sameData =
          JSON.stringify(dump.input.data) === JSON.stringify(net.data.input.data) &&
          JSON.stringify(
            Object.fromEntries(
              Object.entries(dump.params).map(([l, ps]) => [
                l,
                Object.fromEntries(Object.entries(ps).map(([p, t]) => [p, t.data])),
              ]),
            ),
          ) ===
            JSON.stringify(
              Object.fromEntries(
                Object.entries(net.data.params).map(([l, ps]) => [
                  l,
                  Object.fromEntries(Object.entries(ps).map(([p, t]) => [p, t.data])),
                ]),
              ),
            );
        if (!sameData) {
          stale++;
          continue;
        }
        const lossDiff = Math.abs(dump.loss - net.torch.loss);
        if (!(lossDiff <= REL * Math.max(Math.abs(net.torch.loss), FLOOR)))
          bad.push({ what: 'loss', message: `${net.file}: loss: ours ${dump.loss}, torch ${net.torch.loss}` });
        for (const [name, tt] of Object.entries(net.torch.outputs)) {
          const m = compare(dump.outputs[name]?.data ?? [], tt, `${net.file}: outputs.${name}`);
          if (m) bad.push({ what: name, message: m });
        }
        for (const [name, tt] of Object.entries(net.torch.deltas)) {
          const m = compare(dump.deltas[name]?.data ?? [], tt, `${net.file}: deltas.${name}`);
          if (m) bad.push({ what: name, message: m });
        }
        for (const [layer, ps] of Object.entries(net.torch.grads)) {
          for (const [p, tt] of Object.entries(ps)) {
            const m = compare(dump.grads[layer]?.[p]?.data ?? [], tt, `${net.file}: grads.${layer}.${p}`);
            if (m) bad.push({ what: `${layer}.${p}`, message: m });
          }
        }
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    failIf('cnn-lens run --dump', bad);
    assert.equal(
      stale,
      0,
      `${stale} networks' seeded draws differ from networks.json: regenerate it (scripts/torch/README.md)`,
    );
  });
});
