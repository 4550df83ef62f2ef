/**
 * The webview's view of the diagram: pan and zoom (screen = translate + scale · diagram), fitting the whole
 * figure, and which part of it deserves text. Pure, so the benchmark draws exactly what the webview draws.
 */
import { FONT_SIZE, type Layout } from './layout';
import type { Rect } from './render';

export interface Zoom {
  x: number;
  y: number;
  k: number;
}

/** Below this many screen pixels a line of text is a smudge: none is written (the boxes and colours stay). */
export const MIN_TEXT_PX = 4;

export const MIN_ZOOM = 0.05;

/** The zoom that shows the whole layout in a `width` × `height` stage, centred, never magnified past 1.5. */
export function fitZoom(layout: Layout, width: number, height: number): Zoom {
  const w = Math.max(layout.width, 1);
  const h = Math.max(layout.height, 1);
  const k = Math.min(1.5, Math.max(MIN_ZOOM, Math.min(width / w, height / h)));
  return { k, x: (width - w * k) / 2, y: Math.max(0, (height - h * k) / 2) };
}

/** The part of the diagram the stage shows, in diagram coordinates, grown by `margin` stages on every side. */
export function seen(zoom: Zoom, width: number, height: number, margin = 0): Rect {
  const w = width / zoom.k;
  const h = height / zoom.k;
  return {
    x: -zoom.x / zoom.k - margin * w,
    y: -zoom.y / zoom.k - margin * h,
    width: w * (1 + 2 * margin),
    height: h * (1 + 2 * margin),
  };
}

/**
 * The rectangle whose labels to write: what the stage shows and half a stage around it (so a short pan needs
 * no new text), or nothing when text would be too small to read.
 */
export function labelled(zoom: Zoom, width: number, height: number): Rect {
  return zoom.k * FONT_SIZE < MIN_TEXT_PX ? { x: 0, y: 0, width: 0, height: 0 } : seen(zoom, width, height, 0.5);
}

/** `inner` lies wholly inside `outer`. */
export const covers = (outer: Rect, inner: Rect) =>
  inner.x >= outer.x &&
  inner.y >= outer.y &&
  inner.x + inner.width <= outer.x + outer.width &&
  inner.y + inner.height <= outer.y + outer.height;
