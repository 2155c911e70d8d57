// The edge host ID rule from Palette's installer reference.

export const EDGE_HOST_ID_MAX = 128;
/** Characters Palette refuses in an edge host ID. */
export const EDGE_HOST_ID_FORBIDDEN = `/?#&+%,$~!@*(){}|=;:<>'.^"`;

/** Returns an error message, or undefined when `id` is a usable edge host ID. */
export function checkEdgeHostId(id: string): string | undefined {
  if (id === '$random') return undefined; // documented: forces a random ID
  if (id.length === 0) return 'edge host ID is empty';
  if (id.length > EDGE_HOST_ID_MAX)
    return `edge host ID is ${id.length} characters long; at most ${EDGE_HOST_ID_MAX} are allowed`;
  const bad = [...new Set([...id].filter((c) => EDGE_HOST_ID_FORBIDDEN.includes(c)))];
  if (bad.length)
    return `edge host ID "${id}" contains ${bad.map((c) => `"${c}"`).join(', ')}; none of ${EDGE_HOST_ID_FORBIDDEN.split('').join(' ')} are allowed`;
  if (/\s/.test(id)) return `edge host ID "${id}" contains white space`;
  return undefined;
}
