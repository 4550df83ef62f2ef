/** A checked layer as its kind's diagram and export hooks see it, once every shape is known. */
import type { LayerInfo } from '../analysis';
import type { Shape } from '../shape';
import type { KnownLayer, LayerKind } from './kind';
import { LAYER_KINDS } from './index';

/** The layer's kind and the layer with every shape known, or undefined while a shape or its configuration is not. */
export function knownLayer(l: LayerInfo): { kind: LayerKind; layer: KnownLayer } | undefined {
  const kind = LAYER_KINDS.get(l.kind);
  if (!kind || l.config === undefined || !l.output || l.inputShapes.some((s) => !s)) return undefined;
  if (kind.geometry && l.geometry === undefined) return undefined;
  return {
    kind,
    layer: {
      name: l.name,
      config: l.config,
      geometry: l.geometry,
      inputs: l.inputShapes as readonly Shape[],
      output: l.output,
    },
  };
}
