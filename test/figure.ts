/**
 * Reading a saved diagram (an SVG file) as a reader's tools would: a strict XML parse (sax; an error throws),
 * the root's name and namespace, each node's layer name and the text written for it, and every reference the
 * file makes to anything (href, src, url(…), @import), to prove it stands alone. Used by the Chromium suite and
 * the real VS Code suite alike.
 */
import * as sax from 'sax';

export interface Figure {
  /** `svg http://www.w3.org/2000/svg` for an SVG document. */
  readonly root: string;
  /** The layer name of each `<g class="node">`, in document order. */
  readonly nodes: string[];
  /** The text of each `<text class="name">`, in document order. */
  readonly names: string[];
  /** Every href and src attribute's value, every url(…) target in attributes and stylesheets, every @import. */
  readonly refs: string[];
}

const urls = (text: string) => Array.from(text.matchAll(/url\(\s*(["']?)([^"')]*)\1\s*\)/g), (m) => m[2]);

export function parseFigure(text: string): Figure {
  const parser = sax.parser(true, { xmlns: true });
  let root = '';
  const nodes: string[] = [];
  const names: string[] = [];
  const refs: string[] = [];
  let open = '';
  parser.onerror = (e) => {
    throw e;
  };
  parser.onopentag = (t) => {
    const tag = t as sax.QualifiedTag;
    const attr = (n: string) => tag.attributes[n]?.value;
    if (!root) root = `${tag.local} ${tag.uri}`;
    if (tag.local === 'g' && attr('class')?.split(' ').includes('node')) nodes.push(attr('data-name') ?? '');
    for (const a of Object.values(tag.attributes)) {
      if (a.local === 'href' || a.local === 'src') refs.push(a.value);
      refs.push(...urls(a.value));
    }
    open = tag.local === 'text' && attr('class') === 'name' ? 'name' : tag.local === 'style' ? 'style' : '';
  };
  const onText = (t: string) => {
    if (open === 'name') names.push(t);
    if (open === 'style') refs.push(...urls(t), ...Array.from(t.matchAll(/@import\s+[^;]*/g), (m) => m[0]));
  };
  parser.ontext = onText;
  parser.oncdata = onText;
  parser.onclosetag = () => {
    open = '';
  };
  parser.write(text).close();
  return { root, nodes, names, refs };
}

/** A reference that fetches nothing: a fragment in the file, or data in the reference itself. */
export const standsAlone = (ref: string) => ref.startsWith('#') || ref.startsWith('data:');
