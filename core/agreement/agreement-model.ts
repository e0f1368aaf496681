import { z } from 'zod';

/**
 * The life of an agreement after its signature (Permendagri 22/2020; the Peringatan of the Blitar SOP; steps 20–23
 * of the Bandung SOP): the record of a signed, numbered naskah, its status over its term, the links between
 * agreements (a PKS implements a KB; an adendum amends an agreement), and what the pemda monitors while it is in
 * force. Pure data and rules: no storage, no clock (dates are given), no environment.
 */

/** The kinds of naskah an agreement can be. */
export const JENIS_PERJANJIAN = ['kesepakatan-bersama', 'nota-kesepakatan', 'perjanjian-kerja-sama', 'mou'] as const;
export type JenisPerjanjian = (typeof JENIS_PERJANJIAN)[number];

export const JENIS_LABEL: Record<JenisPerjanjian, string> = {
  'kesepakatan-bersama': 'Kesepakatan Bersama',
  'nota-kesepakatan': 'Nota Kesepakatan',
  'perjanjian-kerja-sama': 'Perjanjian Kerja Sama',
  mou: 'Memorandum of Understanding (MoU)',
};

/**
 * What is stored: `berlaku` until the agreement is closed. Whether a `berlaku` agreement is in force yet (or still)
 * is a matter of the date (see `statusOn`).
 */
export type StoredStatus = 'berlaku' | 'berakhir' | 'batal';

/** What names an agreement in a summary and in an email: its number, kind, subject, partner and case. */
export const identitasPerjanjian = (a: AgreementRecord) => ({
  nomor: a.nomor,
  jenis: JENIS_LABEL[a.jenis],
  perihal: a.perihal,
  mitra: a.mitra,
  caseId: a.caseId,
});
/** What people see on a given day. */
export type AgreementStatus = 'belum-berlaku' | 'berlaku' | 'berakhir' | 'batal';

export const STATUS_LABEL: Record<AgreementStatus, string> = {
  'belum-berlaku': 'Belum berlaku',
  berlaku: 'Berlaku',
  berakhir: 'Berakhir',
  batal: 'Batal',
};

/** Why an agreement ended: its term ran out, or one of the grounds for ending it early. */
export const ALASAN_BERAKHIR = [
  'jangka-waktu-habis',
  'kesepakatan-para-pihak',
  'tujuan-tercapai',
  'keadaan-kahar',
] as const;
export type AlasanBerakhir = (typeof ALASAN_BERAKHIR)[number];
/** The grounds an administrator may give to end an agreement before its term. */
export const ALASAN_AKHIR_DINI = ['kesepakatan-para-pihak', 'tujuan-tercapai', 'keadaan-kahar'] as const;
export type AlasanAkhirDini = (typeof ALASAN_AKHIR_DINI)[number];

export const ALASAN_LABEL: Record<AlasanBerakhir, string> = {
  'jangka-waktu-habis': 'Jangka waktu berakhir',
  'kesepakatan-para-pihak': 'Kesepakatan para pihak',
  'tujuan-tercapai': 'Tujuan kerja sama telah tercapai',
  'keadaan-kahar': 'Keadaan kahar (force majeure)',
};

/** What a monev recommends (the Laporan Pelaksanaan's three, and an adendum). */
export const REKOMENDASI_MONEV = ['dilanjutkan', 'diperluas', 'dihentikan', 'adendum'] as const;
export type RekomendasiMonev = (typeof REKOMENDASI_MONEV)[number];

export const REKOMENDASI_LABEL: Record<RekomendasiMonev, string> = {
  dilanjutkan: 'Dilanjutkan',
  diperluas: 'Diperluas',
  dihentikan: 'Dihentikan (diusulkan pengakhiran)',
  adendum: 'Diubah dengan adendum',
};

/**
 * A proposal waiting for an administrator: to end the agreement (a monev recommended `dihentikan`), to declare it
 * BATAL (reports missed N times in a row), or to amend it (a monev recommended `adendum`). Proposals act on nothing
 * by themselves.
 */
export interface Usulan {
  jenis: 'pengakhiran' | 'batal' | 'adendum';
  /** Where it came from, for people: "Monitoring dan evaluasi semester I tahun 2027". */
  sumber: string;
  at: string;
  catatan?: string;
}

/** The perangkat daerah that carries the agreement out and reports on it. */
export interface Pelaksana {
  email: string;
  nama: string;
  unit: string;
}

/** An agreement in the register: one per pemda and number, created once when its naskah is signed and numbered. */
export interface AgreementRecord {
  pemdaId: string;
  nomor: string;
  jenis: JenisPerjanjian;
  /** The subject of the naskah ("Kerja Sama Pengelolaan Sampah Regional"). */
  perihal: string;
  /** The partner(s), as the naskah names them. */
  mitra: string;
  /** The case that produced the naskah (its documents, history and facts belong to it). */
  caseId: string;
  sopKey: string;
  /** The signed naskah (documents table). */
  naskahDocId?: string;
  /** First day in force (the naskah's date), YYYY-MM-DD. */
  mulai: string;
  jangkaWaktuTahun: number;
  /** Last day in force, YYYY-MM-DD. */
  berakhir: string;
  status: StoredStatus;
  /** Bumped by every transition: a transition is one conditional write on the version it read. */
  version: number;
  /** A reason code (ALASAN_BERAKHIR) when `berakhir`, the administrator's reason when `batal`. */
  alasanBerakhir?: string;
  catatanBerakhir?: string;
  /** The date it was closed, YYYY-MM-DD. */
  ditutupPada?: string;
  ditutupOleh?: string;
  /** The agreement this one implements (a PKS's Kesepakatan Bersama). */
  induk?: string;
  /** Numbers of the agreements that implement this one (a Kesepakatan Bersama's PKS), in order; absent when none. */
  pelaksanaan?: string[];
  /** Numbers of the adendum that amend this agreement, in order. */
  adendum: string[];
  /** The agreement this adendum amends. */
  adendumDari?: string;
  /** The last change of the term by an adendum (written with the new `berakhir`, in the same conditional update). */
  perubahanJangka?: { adendum: string; berakhirSebelumnya: string; at: string };
  pelaksana: Pelaksana;
  /** Foreign cooperation (KSDPL/KSDLL, or an SOP for luar negeri): the annual report also goes to Kemenkeu and BPK. */
  luarNegeri: boolean;
  /** Open proposals by key (`monev.2`, `batal.6`). */
  usulan: Record<string, Usulan>;
  createdAt: string;
  /**
   * The first year without imported libur nasional and cuti bersama in which a date of its monitoring schedule
   * falls: those dates are estimates ("perkiraan") until that year is imported, then computed again
   * (core/agreement/redate-schedule.ts). Absent: the schedule is final.
   */
  jadwalPerkiraanSejak?: number;
  /** How many times the schedule was computed again; its jobs carry it (`rev`). Absent: never. */
  jadwalRevisi?: number;
}

/**
 * How a pemda monitors its agreements (`pemantauan` in config/pemda/*.yaml). The defaults are the Blitar SOP's
 * Peringatan: a report at least every 3 months after signing, monev every semester.
 */
export const PemantauanSchema = z
  .object({
    /** The role of the Bagian's head (default: the pemda's letter signer, `dokumen.penandatanganSurat`). */
    bagian: z.string().min(1).optional(),
    /** The role whose holder runs the monev (default: the Bagian's head). */
    pelaksanaBagian: z.string().min(1).optional(),
    laporanSetiapBulan: z.number().int().min(1).max(12).default(3),
    monevSetiapBulan: z.number().int().min(1).max(24).default(6),
    /** Calendar days before a report or monev falls due that its link is sent. */
    dimintaSebelumHari: z.number().int().min(0).max(90).default(14),
    /** Working days after the due date: the pelaksana is reminded of a report not submitted (0: the next working day). */
    pengingatSetelahHariKerja: z.number().int().min(0).max(60).default(0),
    /** Working days after the due date: the atasan of the Bagian's head is told of a report not submitted. */
    eskalasiSetelahHariKerja: z.number().int().min(0).max(120).default(5),
    /** Reports missed in a row after which BATAL is proposed to the administrator (null: never). */
    batalSetelahLaporanTerlewat: z.number().int().min(1).max(20).nullable().default(2),
    /** Days before the end of the term the Bagian and the pelaksana are reminded. */
    pengingatBerakhirHari: z.array(z.number().int().min(0).max(366)).max(10).default([90, 60, 30, 7, 0]),
    /** The annual report of year Y is made on this day of Y+1 (MM-DD), or the next working day. */
    laporanTahunanTanggal: z
      .string()
      .regex(/^(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/, 'format MM-DD')
      .default('01-10'),
    /** How long a report or monev link stays valid after its due date (days). */
    tautanBerlakuSetelahHari: z.number().int().min(1).max(366).default(60),
  })
  .strict();
export type Pemantauan = z.infer<typeof PemantauanSchema>;
export const DEFAULT_PEMANTAUAN: Pemantauan = PemantauanSchema.parse({});

/** The opaque id of an agreement in job keys and page addresses: numbers hold "/" and may be long. */
export const AGREEMENT_ID = /^[A-Za-z0-9_-]{16}$/;
