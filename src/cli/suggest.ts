// "Did you mean …?" for a mistyped command, option, scenario, variant or program: the known
// names closest to what was typed (edit distance), else those that contain it.

/** Edits (insert, delete, substitute, swap two neighbours) from a to b. */
function distance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
    }
  }
  return d[a.length][b.length];
}

/** Up to three known names close to `typed`, best first. */
export function closest(typed: string, known: readonly string[]): string[] {
  const t = typed.toLowerCase();
  const near = known
    .map((k) => ({ k, d: distance(t, k.toLowerCase()) }))
    .filter((x) => x.d <= Math.max(1, Math.floor(x.k.length / 3)))
    .sort((x, y) => x.d - y.d || x.k.localeCompare(y.k))
    .map((x) => x.k);
  if (near.length) return near.slice(0, 3);
  return t.length >= 3 ? known.filter((k) => k.toLowerCase().includes(t)).slice(0, 3) : [];
}

/** "; did you mean 'x'?", "; did you mean one of 'x', 'y'?", or '' when nothing is close. */
export function didYouMean(typed: string, known: readonly string[], show = (k: string): string => `'${k}'`): string {
  const c = closest(typed, known);
  if (!c.length) return '';
  return c.length === 1 ? `; did you mean ${show(c[0])}?` : `; did you mean one of ${c.map(show).join(', ')}?`;
}
