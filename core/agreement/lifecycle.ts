import { isIsoDate } from '../calendar/calendar-schema.ts';
import { addDays } from '../calendar/zone.ts';
import { ErrorNames, SepakatError } from '../errors.ts';
import { tanggalSurat } from '../documents/common.ts';
import {
  ALASAN_AKHIR_DINI,
  ALASAN_LABEL,
  JENIS_LABEL,
  type AgreementRecord,
  type AgreementStatus,
  type AlasanAkhirDini,
  type JenisPerjanjian,
  type StoredStatus,
} from './agreement-model.ts';

/**
 * The lifecycle of an agreement as a pure state machine. An agreement is `berlaku` from its registration; on a given
 * day it reads as `belum-berlaku` before its first day and as `berakhir` after its last (until the expiry job closes
 * it). It leaves `berlaku` once, to `berakhir` (its term ran out, or an administrator ended it early for one of the
 * grounds of the law) or to `batal` (BATAL: not carried out, with the administrator's reason). A closed agreement
 * never changes status again. Refusals are BadInput errors with a message for the official.
 */

/** Error codes of the refusals (programs branch on these, never on the message). */
export const LifecycleCodes = {
  SudahDitutup: 'perjanjian-sudah-ditutup',
  BelumHabis: 'jangka-waktu-belum-habis',
  AlasanTidakDikenal: 'alasan-tidak-dikenal',
  AlasanKosong: 'alasan-kosong',
  TanggalTidakSah: 'tanggal-tidak-sah',
} as const;

export type LifecycleAction =
  /** The expiry job: the day after the last day of the term. */
  | { type: 'jangka-waktu-habis' }
  /** An administrator ends it before its term. */
  | { type: 'akhiri'; alasan: string; catatan?: string; oleh: string }
  /** An administrator declares it BATAL (not carried out). */
  | { type: 'batalkan'; alasan: string; oleh: string };

/** What a transition writes (conditional on the status and version it was decided from). */
export interface Transition {
  status: Exclude<StoredStatus, 'berlaku'>;
  alasanBerakhir: string;
  catatanBerakhir?: string;
  ditutupPada: string;
  ditutupOleh: string;
  /** For the history fact and the emails: "berakhir (Kesepakatan para pihak)". */
  uraian: string;
}

/** The shortest reason accepted for BATAL: a word or two is not a reason. */
export const MIN_ALASAN_BATAL = 10;

/** The status of an agreement on `today` (YYYY-MM-DD, the pemda's local date). */
export function statusOn(a: Pick<AgreementRecord, 'status' | 'mulai' | 'berakhir'>, today: string): AgreementStatus {
  if (a.status !== 'berlaku') return a.status;
  if (today < a.mulai) return 'belum-berlaku';
  if (today > a.berakhir) return 'berakhir';
  return 'berlaku';
}

const nama = (a: Pick<AgreementRecord, 'jenis' | 'nomor'>) => `${JENIS_LABEL[a.jenis]} Nomor ${a.nomor}`;

/**
 * Decides a transition, or refuses it with a reason for people. `today` is the pemda's local date; the expiry job
 * may run late (the scheduler was down), never early.
 */
export function decide(a: AgreementRecord, action: LifecycleAction, today: string): Transition {
  if (!isIsoDate(today))
    throw new SepakatError(ErrorNames.BadInput, `Tanggal "${today}" tidak sah`, {
      code: LifecycleCodes.TanggalTidakSah,
    });
  if (a.status !== 'berlaku')
    throw new SepakatError(
      ErrorNames.BadInput,
      `${nama(a)} sudah ${a.status === 'batal' ? 'dinyatakan BATAL' : 'berakhir'}${a.ditutupPada ? ` sejak ${tanggalSurat(a.ditutupPada)}` : ''}; statusnya tidak dapat diubah lagi.`,
      { code: LifecycleCodes.SudahDitutup },
    );
  switch (action.type) {
    case 'jangka-waktu-habis': {
      if (today <= a.berakhir)
        throw new SepakatError(
          ErrorNames.BadInput,
          `Jangka waktu ${nama(a)} belum habis: berlaku sampai dengan ${tanggalSurat(a.berakhir)}.`,
          { code: LifecycleCodes.BelumHabis },
        );
      return {
        status: 'berakhir',
        alasanBerakhir: 'jangka-waktu-habis',
        ditutupPada: addDays(a.berakhir, 1),
        ditutupOleh: 'Sepakat (jadwal)',
        uraian: `berakhir karena jangka waktunya habis pada ${tanggalSurat(a.berakhir)}`,
      };
    }
    case 'akhiri': {
      if (!ALASAN_AKHIR_DINI.includes(action.alasan as AlasanAkhirDini))
        throw new SepakatError(
          ErrorNames.BadInput,
          `Alasan pengakhiran harus salah satu dari: ${ALASAN_AKHIR_DINI.map((x) => ALASAN_LABEL[x].toLowerCase()).join(', ')}.`,
          { code: LifecycleCodes.AlasanTidakDikenal },
        );
      const alasan = action.alasan as AlasanAkhirDini;
      const catatan = action.catatan?.trim();
      return {
        status: 'berakhir',
        alasanBerakhir: alasan,
        ...(catatan ? { catatanBerakhir: catatan.slice(0, 2000) } : {}),
        ditutupPada: today,
        ditutupOleh: action.oleh,
        uraian: `diakhiri sebelum jangka waktunya dengan alasan ${ALASAN_LABEL[alasan].toLowerCase()}`,
      };
    }
    case 'batalkan': {
      const alasan = action.alasan.trim().replace(/\s+/g, ' ');
      if (alasan.length < MIN_ALASAN_BATAL)
        throw new SepakatError(
          ErrorNames.BadInput,
          `Sebutkan alasan ${nama(a)} dinyatakan BATAL (paling sedikit ${MIN_ALASAN_BATAL} huruf), misalnya kerja sama yang tidak dilaksanakan.`,
          { code: LifecycleCodes.AlasanKosong },
        );
      return {
        status: 'batal',
        alasanBerakhir: alasan.slice(0, 2000),
        ditutupPada: today,
        ditutupOleh: action.oleh,
        uraian: `dinyatakan BATAL: ${alasan.slice(0, 200)}`,
      };
    }
  }
}

/**
 * The case data field of an adendum case that moves the end of the term of the agreement it amends: the new last day
 * in force (YYYY-MM-DD). An adendum without it leaves the term as it is.
 */
export const BERAKHIR_BARU = 'berakhir-baru';

/**
 * Checks the new last day an administrator gives for an adendum: a date after the current end (an earlier end is
 * an ending, made with "Akhiri sebelum jangka waktu"). Returns it normalized, or refuses it with a reason for people.
 */
export function checkNewEnd(a: Pick<AgreementRecord, 'jenis' | 'nomor' | 'berakhir'>, value: string): string {
  const date = value.trim();
  if (!isIsoDate(date))
    throw new SepakatError(
      ErrorNames.BadInput,
      `Tanggal berakhir baru "${date}" tidak sah; pilih tanggal dari kalender.`,
      {
        code: LifecycleCodes.TanggalTidakSah,
      },
    );
  if (date <= a.berakhir)
    throw new SepakatError(
      ErrorNames.BadInput,
      `Tanggal berakhir baru harus sesudah ${tanggalSurat(a.berakhir)}, akhir jangka waktu ${nama(a)} sekarang. Untuk mengakhiri lebih awal, gunakan "Akhiri sebelum jangka waktu".`,
      { code: LifecycleCodes.TanggalTidakSah },
    );
  return date;
}

/**
 * The new last day an adendum's case data gives the agreement it amends, when it moves a `berlaku` agreement's end
 * forward; undefined otherwise (no such data, a malformed date, or not later than the end now).
 */
export function newEndFrom(
  a: Pick<AgreementRecord, 'status' | 'berakhir'>,
  data: Readonly<Record<string, unknown>>,
): string | undefined {
  const raw = data[BERAKHIR_BARU];
  const date = typeof raw === 'string' ? raw.trim() : '';
  if (a.status !== 'berlaku' || !isIsoDate(date) || date <= a.berakhir) return undefined;
  return date;
}

/**
 * The kind of agreement from the case data (`naskah-jenis`, chosen by an official) or else the kind the case's SOP
 * declares (`naskah.jenis`, an outline id of config/naskah): never guessed from the SOP's id. An adendum is
 * registered as the kind of the agreement it amends (its link to that agreement says it is an adendum).
 */
export function jenisFrom(
  data: Readonly<Record<string, unknown>>,
  declared: string | undefined,
  induk?: JenisPerjanjian,
): JenisPerjanjian {
  const raw = String(data['naskah-jenis'] ?? data['jenis-naskah'] ?? '').toLowerCase();
  const from = (text: string): JenisPerjanjian | 'adendum' | undefined => {
    if (/adendum|addendum/.test(text)) return 'adendum';
    if (/perjanjian|pks/.test(text)) return 'perjanjian-kerja-sama';
    if (/nota/.test(text)) return 'nota-kesepakatan';
    if (/mou|memorandum/.test(text)) return 'mou';
    if (/kesepakatan/.test(text)) return 'kesepakatan-bersama';
    return undefined;
  };
  const kind = from(raw) ?? from(declared ?? '') ?? 'kesepakatan-bersama';
  return kind === 'adendum' ? (induk ?? 'kesepakatan-bersama') : kind;
}

/** The last day of a term of `years` from `mulai`: the day before the anniversary (as the register prints it). */
export function lastDayOf(mulai: string, years: number): string {
  const [y, m, d] = mulai.split('-').map(Number) as [number, number, number];
  // 29 February + n years lands on 1 March when the year has none; the term ends the day before.
  const anniversary = new Date(Date.UTC(y + years, m - 1, d));
  return addDays(anniversary.toISOString().slice(0, 10), -1);
}
