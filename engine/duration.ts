/** How long, as a person would say it before a run: the CLI, the extension and the panel all say it so. */
export function aboutDuration(ms: number): string {
  if (ms < 1000) return 'under a second';
  const s = ms / 1000;
  if (s < 90) return `about ${Math.round(s)} s`;
  const min = s / 60;
  if (min < 90) return `about ${Math.round(min)} min`;
  return `about ${(min / 60).toFixed(1)} h`;
}
