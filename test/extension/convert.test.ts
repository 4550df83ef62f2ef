/**
 * "Convert TensorFlow.js Model to .cnn" in a real VS Code (web or desktop): examples/tfjs-unet.ts, converted in the
 * tfjs worker, opens beside the code as an unsaved tfjs-unet.cnn whose network checks clean with the layers and
 * shapes tfjs gives the model (channels-first); a model .cnn cannot express is refused, naming the layer.
 */
import * as assert from 'assert';
import * as vscode from 'vscode';
import { check } from '../../engine';
import type { ConvertResult } from '../../extension/convertTfjs';
import { api, example } from './util';

describe('Convert TensorFlow.js Model to .cnn', function () {
  this.timeout(90_000);
  before(api);

  it('opens tfjs-unet.ts as a .cnn network beside it: the layers and shapes tfjs builds, checking clean', async () => {
    const uri = example('tfjs-unet.ts');
    const code = await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(uri), {
      viewColumn: vscode.ViewColumn.One,
    });
    const started = performance.now();
    const result = await vscode.commands.executeCommand<ConvertResult | undefined>('cnnLens.convertTfjs');
    console.log(
      `[timing] tfjs-unet.ts converted in ${Math.round(performance.now() - started)} ms (worker start included)`,
    );
    assert.ok(result, 'something was converted');
    const converted = vscode.Uri.parse(result.uri);
    assert.strictEqual(converted.scheme, 'untitled');
    assert.strictEqual(converted.path, uri.path.replace(/tfjs-unet\.ts$/, 'tfjs-unet.cnn'));
    assert.strictEqual(code.viewColumn, vscode.ViewColumn.One);
    assert.strictEqual(result.viewColumn, vscode.ViewColumn.Two);
    const document = vscode.workspace.textDocuments.find((d) => d.uri.toString() === result.uri);
    assert.ok(document);
    assert.strictEqual(document.languageId, 'cnn');
    const a = check(document.getText());
    assert.deepStrictEqual(
      a.diagnostics.filter((d) => d.severity === 'error'),
      [],
    );
    assert.strictEqual(a.network, 'unet');
    assert.deepStrictEqual(a.input?.shape, [3, 32, 32]);
    // e1 'same' at stride 1 pads 1; e2 'same' at stride 2 on 16 rows pads 0 above and 1 below.
    assert.deepStrictEqual(
      a.layers.map((l) => `${l.name} ${l.kind} ${l.output?.join('×')}`),
      [
        'e1 conv 16×32×32',
        'e1_relu relu 16×32×32',
        'd1 pool 16×16×16',
        'e2 conv 32×8×8',
        'relu2 relu 32×8×8',
        'up deconv 16×32×32',
        'skip concat 32×32×32',
        'head conv 2×32×32',
      ],
    );
    assert.match(document.getText(), /^e2: +conv 32 3x3 stride=2 pad=0x1x0x1 -> 32x8x8$/m);
    assert.match(document.getText(), /^# e1: kernelInitializer: 'heNormal' dropped/m);
    await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
  });

  it('converts nothing from a model .cnn cannot express (dense on a map), and opens no document', async () => {
    const uri = example('tfjs-model.ts');
    const result = await vscode.commands.executeCommand<ConvertResult | undefined>('cnnLens.convertTfjs', {
      uri: uri.toString(),
    });
    assert.strictEqual(result, undefined);
    assert.ok(!vscode.workspace.textDocuments.some((d) => d.uri.path.endsWith('tfjs-model.cnn')));
  });
});
