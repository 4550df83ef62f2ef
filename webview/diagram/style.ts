/**
 * The diagram's stylesheet, written once for the three places that draw it: the webview (theme variables, so it
 * follows the theme live), an export in the current theme (the variables' values when saved), and an export in
 * the light print theme (fixed colours). `color(name, fallback)` turns a theme colour into CSS.
 */
export type ColorOf = (name: string, fallback: string) => string;

/** The theme colours the diagram reads, with the print theme's value of each. */
export const PRINT: Readonly<Record<string, string>> = {
  'editor-background': '#ffffff',
  foreground: '#1f1f1f',
  descriptionForeground: '#616161',
  'editor-font-family': 'ui-monospace, Menlo, Consolas, "DejaVu Sans Mono", monospace',
  'panel-border': '#c8c8c8',
  'editorWidget-background': '#f8f8f8',
  focusBorder: '#005fb8',
  errorForeground: '#c72e0f',
  'editorWarning-foreground': '#bf8803',
  'testing-iconPassed': '#388a34',
  'charts-blue': '#1a85ff',
  'textLink-foreground': '#005fb8',
  'editor-selectionHighlightBackground': '#add6ff80',
};

/** `var(--vscode-NAME, fallback)`: live theme colours, for the webview. */
export const themeVar: ColorOf = (name, fallback) => `var(--vscode-${name}, ${fallback})`;

export function diagramCss(c: ColorOf): string {
  const p = (n: string) => c(n, PRINT[n]);
  return `
svg.diagram { font-family: ${p('editor-font-family')}; font-size: 12px; background: ${p('editor-background')}; }
.node rect { fill: ${p('editorWidget-background')}; stroke: ${p('panel-border')}; stroke-width: 1; }
.labels { pointer-events: none; }
.labels text { fill: ${p('foreground')}; }
.labels text.name { font-weight: 600; }
.labels text.sub { fill: ${p('descriptionForeground')}; }
.node.input rect, .node.loss rect { stroke-dasharray: 4 2; }
.node.warning rect { stroke: ${p('editorWarning-foreground')}; stroke-width: 2; }
.node.error rect { stroke: ${p('errorForeground')}; stroke-width: 2; }
.node.unknown-start rect { stroke: ${p('errorForeground')}; stroke-width: 3; stroke-dasharray: 6 3; }
.labels text.verdict.passed { fill: ${p('testing-iconPassed')}; }
.labels text.verdict.failing { fill: ${p('errorForeground')}; font-weight: 600; }
.node.failing rect { stroke: ${p('errorForeground')}; stroke-width: 2; }
.node.blamed rect { stroke: ${p('errorForeground')}; stroke-width: 4; }
.node.current rect { stroke: ${p('focusBorder')}; stroke-width: 3; }
.node:focus { outline: none; }
.node:focus rect { stroke: ${p('focusBorder')}; stroke-width: 3; }
.node .cost { fill: ${p('charts-blue')}; stroke: none; }
.edge path { fill: none; stroke: ${p('descriptionForeground')}; stroke-width: 1.2; }
.labels text.edge-label { fill: ${p('textLink-foreground')}; }
.labels text.edge-label.unknown { fill: ${p('errorForeground')}; }
.edge.hovered path { stroke: ${p('focusBorder')}; stroke-width: 2.5; }
.arrow { fill: ${p('descriptionForeground')}; }
.frame rect { fill: ${p('editor-background')}; stroke: ${p('panel-border')}; stroke-width: 1; stroke-dasharray: 5 3; }
.frame:focus { outline: none; }
.frame:focus rect { stroke: ${p('focusBorder')}; stroke-width: 2; }
.labels text.frame-title { fill: ${p('descriptionForeground')}; font-style: italic; }
.node.block rect { stroke-width: 2; }
.legend text { fill: ${p('foreground')}; }
.legend .cost { fill: ${p('charts-blue')}; }
`;
}
