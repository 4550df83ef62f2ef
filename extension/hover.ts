/** Hover: on a layer's statement its shapes, δ shapes, counts and δ rule; on a name where it is used, its shape. */
import * as vscode from 'vscode';
import { layerAt, layerMarkdown, occurrenceAt, useMarkdown } from '../engine/editor';
import type { Analyses } from './analyses';
import { toRange } from './convert';

export class HoverProvider implements vscode.HoverProvider {
  constructor(private readonly analyses: Analyses) {}

  provideHover(document: vscode.TextDocument, position: vscode.Position): vscode.Hover | undefined {
    const a = this.analyses.get(document);
    const offset = document.offsetAt(position);
    const name = occurrenceAt(a, offset);
    if (name && !name.definition) {
      const text = useMarkdown(a, name.name);
      return text ? new vscode.Hover(new vscode.MarkdownString(text), toRange(document, name.range)) : undefined;
    }
    const layer = layerAt(a, offset);
    if (!layer) return undefined;
    return new vscode.Hover(new vscode.MarkdownString(layerMarkdown(layer)), toRange(document, layer.statement.range));
  }
}
