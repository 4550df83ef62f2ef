/**
 * The worker protocol's validators: the extension checks each answer deeply before acting on it, as the panel
 * does its messages, so a `checked` answer with a malformed verdict or layer is refused rather than drawn.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { check } from '../../engine';
import { buildModel, checkTensors, layerMeta } from '../../engine/run';
import { isFromWorker } from '../../extension/worker/protocol';

const SEED = readFileSync(join(__dirname, '../../examples/seed.cnn'), 'utf8');

describe('worker protocol', () => {
  it('accepts a real `checked` answer and refuses each malformed part of it', async () => {
    const model = buildModel(check(SEED));
    const part = await checkTensors(model, { mode: 'directional' });
    const checked = { type: 'checked', id: 1, part, layers: layerMeta(model), batch: model.batch, seed: model.seed };
    assert.ok(isFromWorker(checked));
    const first = part.checks[0];
    const broken: [string, unknown][] = [
      [
        'a verdict without passed',
        { ...checked, part: { ...part, checks: [{ ...first, check: { ...first.check, passed: 'yes' } }] } },
      ],
      [
        'a check without its tensor',
        { ...checked, part: { ...part, checks: [{ layer: first.layer, check: first.check }] } },
      ],
      [
        'a worst coordinate without its index',
        {
          ...checked,
          part: {
            ...part,
            checks: [{ ...first, check: { ...first.check, worst: [{ analytic: 1, numeric: 1, relError: 0 }] } }],
          },
        },
      ],
      ['a loss that is not a number', { ...checked, part: { ...part, loss: 'low' } }],
      ['a layer without its inputs', { ...checked, layers: [{ name: 'c1', kind: 'conv', custom: false, params: [] }] }],
      [
        'a layer whose params are not names',
        { ...checked, layers: [{ name: 'c1', kind: 'conv', inputs: [], custom: false, params: [1] }] },
      ],
    ];
    for (const [what, message] of broken) assert.equal(isFromWorker(message), false, what);
  });
});
