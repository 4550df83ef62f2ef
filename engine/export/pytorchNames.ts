/**
 * Python's names in the PyTorch export: which a layer, a local variable or a constructor's parameter cannot take,
 * and how a submodule is assigned and read when its name is a keyword, so its state_dict key stays the layer's.
 */
import type { LayerInfo } from '../analysis';
import { knownLayer } from '../layers/known';
import type { TorchLayer } from './target';
import { ExportError } from './target';

export const KEYWORDS = new Set(
  'False None True and as assert async await break class continue def del elif else except finally for from global if import in is lambda nonlocal not or pass raise return try while with yield'.split(
    ' ',
  ),
);
/** Names forward's locals may not take: the module's own imports and arguments, and the loop over a repeat. */
const RESERVED_LOCALS = new Set(['self', 'x', 'torch', 'nn', 'F', 'block']);
/** Names a constructor's parameters may not take: its own and those its body reads. */
const RESERVED_PARAMS = new Set(['self', 'torch', 'nn', 'F', 'in_channels', 'super']);
/** Names nn.Module already has (torch 1.13): a submodule cannot take them. */
const MODULE_ATTRIBUTES = new Set(
  'add_module apply bfloat16 buffers children cpu cuda double dump_patches eval extra_repr float forward get_buffer get_extra_state get_parameter get_submodule half ipu load_state_dict modules named_buffers named_children named_modules named_parameters parameters register_backward_hook register_buffer register_forward_hook register_forward_pre_hook register_full_backward_hook register_load_state_dict_post_hook register_module register_parameter requires_grad_ set_extra_state share_memory state_dict to to_empty train training type xpu zero_grad T_destination'.split(
    ' ',
  ),
);

/** `self.c1`, or for a Python keyword `getattr(self, "pass")`. */
export function moduleRef(name: string): string {
  return KEYWORDS.has(name) ? `getattr(self, "${name}")` : `self.${name}`;
}

/** `self.c1 = …`, or for a Python keyword `setattr(self, "pass", …)`. */
export function assign(name: string, module: string): string {
  return KEYWORDS.has(name) ? `setattr(self, "${name}", ${module})` : `self.${name} = ${module}`;
}

/** A layer's variable in forward. */
export function local(name: string): string {
  return KEYWORDS.has(name) || RESERVED_LOCALS.has(name) ? `${name}_` : name;
}

/** A block parameter's name as a constructor's parameter. */
export function param(name: string): string {
  return KEYWORDS.has(name) || RESERVED_PARAMS.has(name) ? `${name}_` : name;
}

/** Refuses a submodule name that nn.Module already has. */
export function checkAttribute(attribute: string, layer: string): void {
  if (MODULE_ATTRIBUTES.has(attribute) || attribute.startsWith('__')) {
    throw new ExportError(
      `${layer}: nn.Module already has an attribute '${attribute}', so a layer cannot be named so in PyTorch; rename the layer`,
      layer,
    );
  }
}

/** A kind's module for a layer whose attribute is `attribute`, refused where the kind has none. */
export function torchLayer(l: LayerInfo, attribute: string): TorchLayer {
  const known = knownLayer(l);
  if (!known?.kind.torch)
    throw new ExportError(`${l.name}: PyTorch export does not know the layer kind '${l.kind}'`, l.name);
  checkAttribute(attribute, l.name);
  return known.kind.torch(known.layer);
}
