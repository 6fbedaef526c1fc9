/** Small text helpers from docker's formatter package. */

/** formatter.Ellipsis: cut to maxWidth runes, the last one replaced by "…". */
export function ellipsis(s: string, maxWidth: number): string {
  if (maxWidth <= 0) return '';
  const rs = [...s];
  if (maxWidth === 1) return rs[0] ?? '';
  if (rs.length <= maxWidth) return s;
  return `${rs.slice(0, maxWidth - 1).join('')}…`;
}

/** stringid.TruncateID: drop the algorithm, keep 12 hex digits. */
export function truncateId(id: string): string {
  const i = id.indexOf(':');
  const hex = i >= 0 ? id.slice(i + 1) : id;
  return hex.slice(0, 12);
}

/** Go's strconv.Quote, close enough for command lines. */
export function goQuote(s: string): string {
  return JSON.stringify(s).replace(/\\u00([0-9a-f]{2})/g, '\\x$1').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}

const isDigit = (c: string): boolean => c >= '0' && c <= '9';

/** sortorder.NaturalLess as a comparator: digit runs by value, digits before other characters, else bytewise. */
export function naturalCompare(s1: string, s2: string): number {
  let i = 0;
  let j = 0;
  while (i < s1.length && j < s2.length) {
    const c1 = s1[i];
    const c2 = s2[j];
    const d1 = isDigit(c1);
    const d2 = isDigit(c2);
    if (d1 !== d2) return d1 ? -1 : 1;
    if (!d1) {
      if (c1 !== c2) return c1 < c2 ? -1 : 1;
      i++;
      j++;
      continue;
    }
    while (i < s1.length && s1[i] === '0') i++;
    while (j < s2.length && s2[j] === '0') j++;
    const n1 = i;
    const n2 = j;
    while (i < s1.length && isDigit(s1[i])) i++;
    while (j < s2.length && isDigit(s2[j])) j++;
    if (i - n1 !== j - n2) return i - n1 - (j - n2);
    const r1 = s1.slice(n1, i);
    const r2 = s2.slice(n2, j);
    if (r1 !== r2) return r1 < r2 ? -1 : 1;
    if (n1 !== n2) return n1 - n2;
  }
  return s1.length - s2.length;
}
