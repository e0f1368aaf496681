/**
 * The one format of a list of people at a meeting, wherever a step asks for one (the guests of an undangan, the
 * daftar hadir of a notulen): one person per line, `nama | jabatan | instansi`, all three filled. A line that is
 * not so is refused with the field's label and the line's number, so the official can correct exactly that line;
 * nothing is guessed (a name alone would print "-" for the jabatan and the instansi of the daftar hadir).
 *
 * Empty lines are skipped; list marks at the start of a line ("-", "•", "1.", "a)") are dropped, as the documents
 * drop them elsewhere. The text is expected to be clean already (core/validation/text.ts).
 */

export interface Hadir {
  nama: string;
  jabatan: string;
  instansi: string;
}

export type DaftarHadirResult = { ok: true; orang: Hadir[] } | { ok: false; error: string };

/** The columns of a line, in the words a form shows. */
const KOLOM = ['nama', 'jabatan', 'instansi'] as const;

/** How the format is shown beside the field and in its messages. */
export const FORMAT_DAFTAR_HADIR = 'nama | jabatan | instansi';

/** At most this many people in one list (a meeting, not a register). */
export const MAKS_DAFTAR_HADIR = 200;

/** "- a", "• b", "1. c", "a) d" → the text after the list mark. */
const tanpaPenanda = (line: string) => line.replace(/^\s*(?:[-–—•*·▪●○◦]+\s*|\(?(?:\d{1,3}|[a-z])[.)]\s+)/, '');

const satuBaris = (text: string) => text.replace(/\s+/g, ' ').trim();

/** Shown in a message: the line as typed, cut to a readable length. */
const kutip = (line: string) => {
  const one = satuBaris(line);
  return one.length > 60 ? `${one.slice(0, 57)}…` : one;
};

/**
 * Parses a daftar hadir typed into the field labelled `label`. Every bad line is named (up to five), each with what
 * is missing, so one correction fixes them all.
 */
export function parseDaftarHadir(label: string, text: string): DaftarHadirResult {
  const orang: Hadir[] = [];
  const problems: string[] = [];
  const lines = text.split(/\r?\n/);
  lines.forEach((raw, i) => {
    if (!raw.trim()) return;
    const line = tanpaPenanda(raw);
    const cols = line.split('|').map(satuBaris);
    const missing = KOLOM.filter((_, k) => !cols[k]);
    if (cols.length > KOLOM.length)
      problems.push(`baris ${i + 1} ("${kutip(raw)}") berisi ${cols.length} kolom; tulis tepat 3 kolom`);
    else if (cols.length === 1)
      problems.push(`baris ${i + 1} ("${kutip(raw)}") hanya berisi satu kolom; jabatan dan instansi belum diisi`);
    else if (missing.length) problems.push(`baris ${i + 1} ("${kutip(raw)}"): ${missing.join(' dan ')} belum diisi`);
    else orang.push({ nama: cols[0]!, jabatan: cols[1]!, instansi: cols[2]! });
  });
  if (problems.length) {
    const shown = problems.slice(0, 5).join('; ');
    const more = problems.length > 5 ? `; dan ${problems.length - 5} baris lain` : '';
    return {
      ok: false,
      error: `${label}: ${shown}${more}. Tulis satu orang per baris dengan format "${FORMAT_DAFTAR_HADIR}".`,
    };
  }
  if (!orang.length)
    return { ok: false, error: `${label}: belum ada nama; tulis satu orang per baris (${FORMAT_DAFTAR_HADIR})` };
  if (orang.length > MAKS_DAFTAR_HADIR)
    return { ok: false, error: `${label}: paling banyak ${MAKS_DAFTAR_HADIR} orang` };
  return { ok: true, orang };
}
