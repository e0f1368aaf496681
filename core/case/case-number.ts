/**
 * A case number as people read it aloud, write it down and type it. The stored id stays what the intake made it
 * (core/case/intake.ts: the permohonan's date and ten base32 letters, `20261207-w6hz2ykipm`), in keys, links and
 * URLs; people see it in groups of four and five, the letters in capitals: `2026-1207-W6HZ2-YKIPM` (a pemohon on the
 * telephone reads "dua nol dua enam, satu dua nol tujuh, W enam H Z dua, Y K I P M").
 *
 * Whatever a person types back is accepted in either form, with spaces, hyphens or dots anywhere, in any case; in
 * the letters part a typed 0 reads as O and 8 as B (base32 has no 0, 1, 8 or 9, so nothing else is meant).
 */
const STORED = /^(\d{4})(\d{4})-([a-z2-7]{5})([a-z2-7]{5})$/;

/** The grouped form of a stored case id; anything else (an older or foreign id) is shown as it is. */
export function formatCaseNumber(caseId: string): string {
  const m = STORED.exec(caseId);
  return m ? `${m[1]}-${m[2]}-${m[3]!.toUpperCase()}-${m[4]!.toUpperCase()}` : caseId;
}

const compactOf = (text: string) => text.replace(/[\s\-.\u2010-\u2015_/]+/g, '').toLowerCase();

/** The stored case id a typed case number names (grouped or not), or undefined when it is not one. */
export function parseCaseNumber(text: string): string | undefined {
  const compact = compactOf(text);
  if (compact.length !== 18 || !/^\d{8}/.test(compact)) return undefined;
  const letters = compact.slice(8).replace(/0/g, 'o').replace(/8/g, 'b');
  return /^[a-z2-7]{10}$/.test(letters) ? `${compact.slice(0, 8)}-${letters}` : undefined;
}

/**
 * Whether a search text names this case by its number: the whole number in either form, or a part of at least five
 * characters of it as read (e.g. the last two groups, "W6HZ2 YKIPM"), separators and case aside.
 */
export function matchesCaseNumber(caseId: string, typed: string): boolean {
  const whole = parseCaseNumber(typed);
  if (whole) return whole === caseId;
  const part = compactOf(typed);
  return part.length >= 5 && compactOf(caseId).includes(part);
}
