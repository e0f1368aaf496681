import { addDays } from '../calendar/zone.ts';
import { tanggalSurat } from '../documents/common.ts';
import { statusOn } from './lifecycle.ts';
import { JENIS_LABEL, type AgreementRecord, type JenisPerjanjian } from './agreement-model.ts';

/**
 * A Perjanjian Kerja Sama implements a Kesepakatan Bersama (or Nota Kesepakatan, or an MoU abroad): its permohonan
 * names that agreement's number in the case data `dasar-kesepakatan-nomor`; once the PKS is registered it records the
 * number as its `induk`, and the induk lists the PKS among its `pelaksanaan`. Pure rules: what a permohonan may name.
 */

/** The case data (and common intake field) that names the agreement a permohonan implements. */
export const DASAR_KESEPAKATAN = 'dasar-kesepakatan-nomor';

/** The kinds of agreement another agreement can implement (a PKS does not implement a PKS). */
export const JENIS_INDUK: readonly JenisPerjanjian[] = ['kesepakatan-bersama', 'nota-kesepakatan', 'mou'];

/** What the pemda knows of a number a permohonan names as its basis. */
export interface IndukLookup {
  /** The number is in the pemda's register and was not voided. */
  inRegister: boolean;
  /** The pemda's agreement under that number, if one was registered. */
  agreement?: Pick<AgreementRecord, 'nomor' | 'jenis' | 'status' | 'mulai' | 'berakhir' | 'ditutupPada'>;
}

/**
 * Why a number cannot be the basis of a new permohonan (in Indonesian, for the pemohon), or undefined when it can:
 * it must be in this pemda's register, be a Kesepakatan Bersama, Nota Kesepakatan or MoU, and not have ended.
 * `today` is the pemda's local date (YYYY-MM-DD).
 */
export function indukRefusal(nomor: string, found: IndukLookup, today: string): string | undefined {
  const a = found.agreement;
  if (!found.inRegister || !a)
    return (
      `Nomor Kesepakatan Bersama / Nota Kesepakatan "${nomor}" tidak terdaftar di register kerja sama pemerintah daerah ini. ` +
      'Tulis nomor persis seperti pada naskah yang telah ditandatangani, atau kosongkan isian ini.'
    );
  if (!JENIS_INDUK.includes(a.jenis))
    return `Nomor ${nomor} adalah ${JENIS_LABEL[a.jenis]}, bukan Kesepakatan Bersama atau Nota Kesepakatan; tulis nomor kesepakatan yang menjadi dasarnya.`;
  const status = statusOn(a, today);
  if (status === 'berakhir' || status === 'batal')
    return (
      `${JENIS_LABEL[a.jenis]} Nomor ${nomor} sudah ${status === 'batal' ? 'dinyatakan BATAL' : 'berakhir'}` +
      `${status === 'berakhir' ? ` sejak ${tanggalSurat(a.ditutupPada ?? addDays(a.berakhir, 1))}` : ''}; ` +
      'kesepakatan itu tidak dapat menjadi dasar kerja sama baru.'
    );
  return undefined;
}
