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
