/**
 * Hover: on a use of a block its expansion's shapes and parameters; on a layer's statement its shapes, δ shapes, counts and δ rule; on a name where it is used, its shape; on
 * a function of a backward rule, how it is called.
 */
import * as vscode from 'vscode';
import {
  blockUseAt,
  blockUseMarkdown,
  layerAt,
  layerMarkdown,
  occurrenceAt,
  ruleFunctionAt,
  useMarkdown,
} from '../engine/editor';
import type { Analyses } from './analyses';
import { toRange } from './convert';

export class HoverProvider implements vscode.HoverProvider {
  constructor(private readonly analyses: Analyses) {}

  provideHover(document: vscode.TextDocument, position: vscode.Position): vscode.Hover | undefined {
    const a = this.analyses.get(document);
    const offset = document.offsetAt(position);
    const name = occurrenceAt(a, offset);
    // On a use of a block (but not on a layer name it reads), its expansion.
    const use = blockUseAt(a, offset);
    if (use && !(name && !name.definition && name.scope === undefined)) {
      return new vscode.Hover(
        new vscode.MarkdownString(blockUseMarkdown(use.layers)),
        toRange(document, use.statement.range),
      );
    }
    if (name && !name.definition && name.scope === undefined) {
      const text = useMarkdown(a, name.name);
      return text ? new vscode.Hover(new vscode.MarkdownString(text), toRange(document, name.range)) : undefined;
    }
    const fn = ruleFunctionAt(a, offset);
    if (fn) return new vscode.Hover(new vscode.MarkdownString(fn.markdown), toRange(document, fn.range));
    const layer = layerAt(a, offset);
    if (!layer) return undefined;
    return new vscode.Hover(new vscode.MarkdownString(layerMarkdown(layer)), toRange(document, layer.statement.range));
  }
}
