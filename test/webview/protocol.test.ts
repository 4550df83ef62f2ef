/**
 * The panel protocol's validators, which both sides apply to everything they receive, and to the state VS Code
 * hands back after a reload: each rejects the malformed message that would otherwise break a draw or a run.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { check } from '../../engine';
import { gradcheck, type GradcheckResult } from '../../engine/run';
import {
  type Heatmap,
  isFromPanel,
  isHeatmap,
  isRunState,
  isSavedPanel,
  isToPanel,
  type RunSettings,
  type RunState,
} from '../../webview/protocol';

const SEED = readFileSync(join(__dirname, '../../examples/seed.cnn'), 'utf8');
const SETTINGS: RunSettings = { mode: 'default', samples: 16, eps: 1e-6, batch: null, seed: null };
const map: Heatmap = {
  layer: 'p1',
  sample: 0,
  channel: 0,
  shape: [2, 3],
  analytic: [1, 2, 3, 4, 5, 6],
  numeric: [1, 2, 3, 4, 5, 6],
  kinks: [5],
};
/** What a message looks like after postMessage's JSON round trip. */
const wire = <T>(v: T): unknown => JSON.parse(JSON.stringify(v));

describe('panel protocol', () => {
  let result: GradcheckResult;
  before(async () => {
    result = await gradcheck(check(SEED), { mode: 'directional' });
  });

  it('accepts every run status with its own fields, as they arrive through JSON', () => {
    const states: RunState[] = [
      { status: 'running', file: 'seed.cnn', settings: SETTINGS },
      {
        status: 'running',
        file: 'seed.cnn',
        settings: SETTINGS,
        progress: { done: 3, total: 9, layer: 'c1', tensor: 'W' },
      },
      {
        status: 'done',
        file: 'seed.cnn',
        settings: SETTINGS,
        result,
        layers: [
          { name: 'input', kind: 'input', output: [3, 17, 17], deltaIn: [], uncovered: { rows: [12], cols: [12] } },
        ],
        threads: 2,
      },
      { status: 'error', file: 'seed.cnn', settings: SETTINGS, message: 'no layers', diagnostics: ['1:1 x'] },
      { status: 'cancelled', file: 'seed.cnn', settings: { ...SETTINGS, batch: 4, seed: 0 } },
    ];
    for (const state of states) assert.ok(isToPanel(wire({ type: 'state', state })), state.status);
  });

  it('rejects a state with an unknown status, a done state without its result, and bad settings', () => {
    assert.equal(isRunState({ status: 'finished', file: 'seed.cnn', settings: SETTINGS }), false);
    assert.equal(isRunState({ status: 'done', file: 'seed.cnn', settings: SETTINGS, layers: [], threads: 1 }), false);
    assert.equal(
      isRunState({
        status: 'done',
        file: 'seed.cnn',
        settings: SETTINGS,
        result: { ...result, layers: [{ name: 'c1' }] },
        layers: [],
        threads: 1,
      }),
      false,
    );
    assert.equal(isRunState({ status: 'cancelled', file: 'seed.cnn', settings: { ...SETTINGS, eps: 0 } }), false);
  });

  it('keeps a relative error that JSON turned from NaN into null', () => {
    const nan = {
      ...result,
      layers: result.layers.map((l, i) => (i === 0 ? { ...l, delta: { ...l.delta, maxRelError: NaN } } : l)),
    };
    assert.ok(isRunState(wire({ status: 'done', file: 'f', settings: SETTINGS, result: nan, layers: [], threads: 1 })));
  });

  it('rejects a heat-map whose values do not fill its shape, or whose kinks fall outside it', () => {
    assert.ok(isHeatmap(map));
    assert.equal(isHeatmap({ ...map, numeric: [1, 2, 3] }), false);
    assert.equal(isHeatmap({ ...map, shape: [3, 3] }), false);
    assert.equal(isHeatmap({ ...map, kinks: [6] }), false);
    assert.equal(isToPanel({ type: 'heatmap', heatmap: { ...map, shape: [0, 6] } }), false);
  });

  it('checks what the webview posts: rerun settings, heat-map indices, the rendered report', () => {
    assert.ok(isFromPanel({ type: 'rerun', settings: SETTINGS }));
    assert.equal(isFromPanel({ type: 'rerun', settings: { ...SETTINGS, samples: 0 } }), false);
    assert.equal(isFromPanel({ type: 'heatmap', layer: 'c1', sample: -1, channel: 0 }), false);
    assert.ok(
      isFromPanel({
        type: 'rendered',
        view: { summary: 'passed', rows: ['c1 conv pass'], formErrors: [], violations: [] },
      }),
    );
    assert.equal(
      isFromPanel({ type: 'rendered', view: { summary: 'passed', rows: [1], formErrors: [], violations: [] } }),
      false,
    );
    assert.equal(isFromPanel({ type: 'run' }), false);
  });

  it('accepts a saved panel only when every part of it is valid', () => {
    assert.ok(isSavedPanel({}));
    assert.ok(
      isSavedPanel(
        wire({
          state: { status: 'cancelled', file: 'f', settings: SETTINGS },
          selection: { layer: 'p1', sample: 0, channel: 0 },
          heatmap: map,
        }),
      ),
    );
    assert.equal(isSavedPanel({ selection: { layer: 'p1', sample: 0.5, channel: 0 } }), false);
    assert.equal(isSavedPanel(null), false);
  });
});
