/**
 * Quick fixes for two maps that meet at an `add` or a `concat` with different heights and widths, each solved for
 * the size the other one has: the `out_pad` that makes a U-Net decoder's `deconv` come out at its encoder's size,
 * and a centre `crop` of the larger map (the crop's own size edited where the larger map is a crop already, else a
 * new `crop` line before the merge, which then reads it).
 */
import { formatShape } from '../shape';
import type { LayerStatement } from '../syntax';
import type { Fix, TextEdit } from '../text';
import { pairText, setOption } from './common';
import { type DeconvConfig, outPadFor } from './deconv';
import type { InputRef } from './kind';

/** The edit that keeps a `-> SHAPE` assertion on `node` true after its output becomes `shape`. */
function assertionEdit(node: LayerStatement, shape: readonly number[]): TextEdit[] {
  const a = node.assertion?.shape;
  return a && a.kind !== 'missing' ? [{ range: a.range, newText: shape.join('x') }] : [];
}

/** Fixes that make `x` as tall and as wide as `target`. */
function fixesFor(x: InputRef, target: InputRef, merge: LayerStatement): Fix[] {
  const fixes: Fix[] = [];
  const [C, H, W] = x.shape;
  const [, th, tw] = target.shape;
  const layer = x.producerLayer;
  if (layer?.kind === 'deconv' && layer.config !== undefined && layer.inputShapes[0]) {
    const c = layer.config as DeconvConfig;
    const outPad = outPadFor(c, layer.inputShapes[0], [th, tw]);
    if (outPad && (outPad.h !== c.outPad.h || outPad.w !== c.outPad.w)) {
      const out = [C, th, tw];
      fixes.push({
        title: `Set out_pad=${pairText(outPad)} on ${x.name} (output ${formatShape(out)}, as ${target.name})`,
        edits: [setOption(layer.statement, 'out_pad', pairText(outPad)), ...assertionEdit(layer.statement, out)],
        preferred: true,
      });
    }
  }
  const size = `${th}x${tw}`;
  const title = `Crop ${x.name} to its centre ${th}×${tw}, as ${target.name}`;
  // A crop already: its own size changes, which may grow it up to what it crops.
  const cropped = layer?.kind === 'crop' ? layer.inputShapes[0] : undefined;
  if (layer && cropped && cropped[1] >= th && cropped[2] >= tw) {
    fixes.push({
      title,
      edits: [{ range: layer.statement.args[0].range, newText: size }, ...assertionEdit(layer.statement, [C, th, tw])],
    });
  } else if (!cropped && H >= th && W >= tw) {
    const name = `${x.name.replace(/\./g, '_')}_crop`;
    fixes.push({
      title: `${title} (a new layer ${name})`,
      edits: [
        {
          range: { start: merge.range.start, end: merge.range.start },
          newText: `${name}: crop ${size} from=${x.name}\n`,
        },
        { range: x.range, newText: name },
      ],
    });
  }
  return fixes;
}

/** The fixes for `input` and `first`, C×H×W maps of different H×W meeting at `merge`: either may be the one to change. */
export function sizeFixes(input: InputRef, first: InputRef, merge: LayerStatement): Fix[] {
  if (input.shape.length !== 3 || first.shape.length !== 3) return [];
  return [...fixesFor(input, first, merge), ...fixesFor(first, input, merge)];
}
