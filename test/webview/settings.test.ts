/** The rerun form's parsing: what it posts, and the message under each field it refuses. */
import assert from 'node:assert/strict';
import { diverging, parseColor, sharedLimit } from '../../webview/colors';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SETTINGS_MODES } from '../../webview/protocol';
import { MODES, parseSettings, settingsText } from '../../webview/settings';

const TEXT = { mode: 'default', samples: '16', eps: '1e-6', batch: '', seed: '' };

describe('rerun form', () => {
  it("offers the engine's modes, default (local) first, as the cnnLens.gradcheck.mode setting lists them", () => {
    assert.deepEqual(SETTINGS_MODES, ['default', 'local-full', 'baseline', 'full', 'sampled', 'directional']);
    assert.deepEqual(MODES.map((m) => m.value).sort(), [...SETTINGS_MODES].sort());
    const pkg = JSON.parse(readFileSync(join(__dirname, '../../package.json'), 'utf8'));
    assert.deepEqual(
      [...pkg.contributes.configuration.properties['cnnLens.gradcheck.mode'].enum].sort(),
      [...SETTINGS_MODES].sort(),
    );
  });

  it('parses the form into settings, empty batch and seed meaning the file’s', () => {
    assert.deepEqual(parseSettings(TEXT), {
      ok: true,
      settings: { mode: 'default', samples: 16, eps: 1e-6, batch: null, seed: null },
    });
    assert.deepEqual(parseSettings({ mode: 'full', samples: ' 4 ', eps: '.001', batch: '8', seed: '0' }), {
      ok: true,
      settings: { mode: 'full', samples: 4, eps: 0.001, batch: 8, seed: 0 },
    });
  });

  it('shows the settings as they would be typed and reads them back unchanged', () => {
    const settings = { mode: 'sampled', samples: 32, eps: 1e-6, batch: 3, seed: 7 } as const;
    assert.equal(settingsText(settings).eps, '1e-6');
    assert.deepEqual(parseSettings(settingsText(settings)), { ok: true, settings });
  });

  it('refuses each wrong field with its own message', () => {
    assert.deepEqual(parseSettings({ mode: 'fast', samples: '0', eps: '0', batch: '2.5', seed: '-1' }), {
      ok: false,
      errors: {
        mode: 'choose one of default, local-full, baseline, directional, sampled, full',
        samples: 'a whole number, 1 or more',
        eps: 'a step above 0 and below 1, like 1e-6',
        batch: "a whole number, 1 or more (empty: the file's)",
        seed: "a whole number, 0 or more (empty: the file's)",
      },
    });
    // Written forms that Number() would accept but a user did not mean as whole numbers or steps.
    assert.equal(parseSettings({ ...TEXT, samples: '1e3' }).ok, false);
    assert.equal(parseSettings({ ...TEXT, eps: '0x1' }).ok, false);
    assert.equal(parseSettings({ ...TEXT, eps: '1' }).ok, false);
    assert.equal(parseSettings({ ...TEXT, seed: '99999999999999999999' }).ok, false);
  });
});

describe('heat-map colour scale', () => {
  it('reads the theme colours VS Code gives webviews', () => {
    assert.deepEqual(parseColor('#3794ff'), [55, 148, 255]);
    assert.deepEqual(parseColor(' #f00 '), [255, 0, 0]);
    assert.deepEqual(parseColor('#1e1e1eff'), [30, 30, 30]);
    assert.deepEqual(parseColor('rgba(10, 20, 30, 0.5)'), [10, 20, 30]);
    assert.equal(parseColor('var(--x)'), undefined);
  });

  it('is symmetric about 0, the background at 0 and the end colours at ±limit and beyond', () => {
    const scale = diverging([0, 0, 255], [30, 30, 30], [255, 0, 0], 2);
    assert.deepEqual(scale(0), [30, 30, 30]);
    assert.deepEqual(scale(-2), [0, 0, 255]);
    assert.deepEqual(scale(5), [255, 0, 0]);
    assert.deepEqual(scale(NaN), [30, 30, 30]);
    const [r] = scale(0.5);
    assert.ok(r > 30 && r < 255, 'in between, a mix');
    assert.equal(sharedLimit([1, -3], [2, Infinity]), 3);
  });
});
