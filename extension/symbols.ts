/** The outline: the input, each layer with its shape, blocks with their layers, and uses with their expansion. */
import * as vscode from 'vscode';
import { type OutlineNode, outline } from '../engine/editor';
import type { Analyses } from './analyses';
import { toRange } from './convert';

const KIND: Record<OutlineNode['kind'], vscode.SymbolKind> = {
  input: vscode.SymbolKind.Variable,
  layer: vscode.SymbolKind.Function,
  block: vscode.SymbolKind.Class,
  use: vscode.SymbolKind.Module,
};

export class SymbolProvider implements vscode.DocumentSymbolProvider {
  constructor(private readonly analyses: Analyses) {}

  provideDocumentSymbols(document: vscode.TextDocument): vscode.DocumentSymbol[] {
    const symbol = (n: OutlineNode): vscode.DocumentSymbol => {
      const s = new vscode.DocumentSymbol(
        n.name,
        n.detail,
        KIND[n.kind],
        toRange(document, n.range),
        toRange(document, n.selection),
      );
      s.children = n.children.map(symbol);
      return s;
    };
    return outline(this.analyses.get(document)).map(symbol);
  }
}
