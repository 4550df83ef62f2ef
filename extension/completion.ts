/** Completion of layer kinds, a kind's options with their defaults, option values and layer names. */
import * as vscode from 'vscode';
import { type Completion, completionsAt } from '../engine/editor';
import type { Analyses } from './analyses';

const KIND: Record<Completion['kind'], vscode.CompletionItemKind> = {
  layer: vscode.CompletionItemKind.Class,
  keyword: vscode.CompletionItemKind.Keyword,
  option: vscode.CompletionItemKind.Property,
  value: vscode.CompletionItemKind.EnumMember,
  name: vscode.CompletionItemKind.Variable,
  function: vscode.CompletionItemKind.Function,
};

export class CompletionProvider implements vscode.CompletionItemProvider {
  static readonly triggers = ['=', ' ', ':'];

  constructor(private readonly analyses: Analyses) {}

  provideCompletionItems(document: vscode.TextDocument, position: vscode.Position): vscode.CompletionItem[] {
    return completionsAt(this.analyses.get(document), document.offsetAt(position)).map((c) => {
      const item = new vscode.CompletionItem(c.label, KIND[c.kind]);
      if (c.detail) item.detail = c.detail;
      if (c.documentation) item.documentation = new vscode.MarkdownString(c.documentation);
      if (c.insertText) item.insertText = c.insertText;
      return item;
    });
  }
}
