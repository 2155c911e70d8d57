// Adapter over the user-data capability (main/userdata). Staging calls these; if the capability
// answers "not implemented yet" the same published rule is applied here so validation still works.
import { checkEdgeHostId as udCheck, renderHostUserData as udRender } from '../../userdata';
import type { Host } from '../../../shared/contract/hosts';

const FORBIDDEN = new Set(`/?#&+%,$~!@*(){}|=;:<>'.^"`.split(''));

/** Palette's edge host ID rule (palette-facts.md): 1..128 chars, none of / ? # & + % , $ ~ ! @ * ( ) { } | = ; : < > ' . ^ " */
export function localCheckEdgeHostId(id: string): string | undefined {
  if (!id.length) return 'the edge host ID is empty';
  if (id.length > 128) return `the edge host ID is ${id.length} characters long; at most 128 are allowed`;
  const bad = [...new Set([...id].filter((c) => FORBIDDEN.has(c) || /\s/.test(c)))];
  if (bad.length)
    return `the edge host ID contains ${bad.map((c) => (/\s/.test(c) ? 'a space' : `"${c}"`)).join(', ')}, which Palette does not allow in an edge host ID`;
  return undefined;
}

function notImplemented(e: unknown): boolean {
  return e instanceof Error && /not implemented/i.test(e.message);
}

export function checkEdgeHostId(id: string): string | undefined {
  try {
    return udCheck(id) ?? localCheckEdgeHostId(id);
  } catch (e) {
    if (notImplemented(e)) return localCheckEdgeHostId(id);
    throw e;
  }
}

export function renderHostUserData(
  profileUserData: string,
  host: Pick<Host, 'id' | 'values' | 'site' | 'mac' | 'serial'>,
): string {
  return udRender(profileUserData, host);
}
