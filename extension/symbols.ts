/** The outline: the input and each layer, with its shape as the detail. */
import * as vscode from 'vscode';
import { formatShape } from '../engine';
import type { Analyses } from './analyses';
import { toRange } from './convert';

export class SymbolProvider implements vscode.DocumentSymbolProvider {
  constructor(private readonly analyses: Analyses) {}

  provideDocumentSymbols(document: vscode.TextDocument): vscode.DocumentSymbol[] {
    const a = this.analyses.get(document);
    const symbols: vscode.DocumentSymbol[] = [];
    if (a.input) {
      const st = a.input.statement;
      symbols.push(new vscode.DocumentSymbol(a.input.name, a.input.shape ? formatShape(a.input.shape) : '?', vscode.SymbolKind.Variable, toRange(document, st.range), toRange(document, st.name?.range ?? st.keyword.range)));
    }
    for (const l of a.layers) {
      const detail = `${l.kind} → ${l.output ? formatShape(l.output) : '?'}`;
      symbols.push(new vscode.DocumentSymbol(l.name, detail, vscode.SymbolKind.Function, toRange(document, l.statement.range), toRange(document, l.nameRange)));
    }
    return symbols;
  }
}
