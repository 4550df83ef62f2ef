/**
 * The diagram as a file: the figure the webview draws, made to stand alone. Its colours are resolved (the theme's
 * in use, or the light print theme's), and its text is set in a subset of DejaVu Sans Mono embedded as data: URIs
 * (font.ts), so it looks the same wherever it is opened, with nothing fetched: not the editor's font, which a
 * reader of the figure may not have, and not outlines, which would make the text unselectable and, at one path per
 * character, the file many times larger (README, "The network diagram"). The layout measures text as
 * characters × 0.6 em, DejaVu Sans Mono's advance, so the embedded font fills the boxes exactly as drawn.
 */
import type { ExportTheme } from '../../extension/diagram/protocol';
import { FONT_BOLD, FONT_FAMILY, FONT_NOTICE, FONT_REGULAR } from './font';
import { type ColorOf, diagramCss, PRINT } from './style';

/** The two weights the diagram uses (names and failing verdicts are bold), each a data: URI. */
export function fontFaceCss(): string {
  return (
    [
      [400, FONT_REGULAR],
      [700, FONT_BOLD],
    ] as const
  )
    .map(
      ([weight, data]) =>
        `@font-face { font-family: "${FONT_FAMILY}"; font-weight: ${weight}; src: url("data:font/woff2;base64,${data}") format("woff2"); }`,
    )
    .join('\n');
}

/**
 * The stylesheet a saved figure carries. `themeColor(name)` is the value of `--vscode-NAME` where the figure was
 * drawn (empty when unset: the print theme's colour stands in).
 */
export function figureCss(theme: ExportTheme, themeColor: (name: string) => string): string {
  const color: ColorOf = (name, fallback) =>
    name === 'editor-font-family'
      ? `"${FONT_FAMILY}", monospace`
      : theme === 'print'
        ? (PRINT[name] ?? fallback)
        : themeColor(name) || fallback;
  return `/* ${FONT_NOTICE} */\n${fontFaceCss()}\n${diagramCss(color)}`;
}

/** The SVG drawn at `scale` times its size, as a `data:image/png;base64,` URL. */
export async function pngOf(svg: string, scale = 2): Promise<string> {
  const image = new Image();
  image.src = `data:image/svg+xml;base64,${btoa(unescape(encodeURIComponent(svg)))}`;
  await image.decode();
  const canvas = document.createElement('canvas');
  canvas.width = image.naturalWidth * scale;
  canvas.height = image.naturalHeight * scale;
  const context = canvas.getContext('2d')!;
  context.scale(scale, scale);
  context.drawImage(image, 0, 0);
  return canvas.toDataURL('image/png');
}
