import { z } from 'zod';
import { parseWaktu, type Waktu } from './waktu.ts';

/**
 * The SOP definition format: one YAML file per SOP under `sops/`. This schema is the source of the types.
 *
 * Field names are English where they are programming words (id, steps, next, choices) and Indonesian where
 * the officials speak them (uraian, kelengkapan, waktu, output, keterangan, jabatan). See GLOSSARY in
 * ARCHITECTURE.md.
 */

/** Where a flow can end. */
export const TERMINALS = ['selesai', 'ditolak', 'dibatalkan'] as const;
export type Terminal = (typeof TERMINALS)[number];
export const isTerminal = (target: string): target is Terminal => (TERMINALS as readonly string[]).includes(target);

const slug = z
  .string()
  .regex(/^[a-z0-9][a-z0-9-]*$/, 'harus huruf kecil, angka dan tanda hubung (contoh: "kabag-kerjasama")');
const stepId = z
  .string()
  .regex(/^[A-Z][A-Za-z0-9]{0,11}$/, 'harus diawali huruf besar, tanpa spasi, paling panjang 12, misalnya L7')
  .refine((v) => !isTerminal(v), 'tidak boleh sama dengan hasil akhir (selesai, ditolak, dibatalkan)');
const target = z.string().min(1);
const nonEmpty = z.string().trim().min(1, 'tidak boleh kosong');
const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'format tanggal YYYY-MM-DD');

const waktu = z
  .union([z.string(), z.null()])
  .default(null)
  .transform((raw, ctx): Waktu | null => {
    if (raw === null || raw.trim() === '' || raw.trim() === '-') return null;
    const parsed = parseWaktu(raw);
    if ('error' in parsed) {
      ctx.addIssue({ code: 'custom', message: parsed.error });
      return z.NEVER;
    }
    return parsed;
  });

export const FILE_KINDS = ['pdf', 'docx', 'doc', 'xlsx', 'png', 'jpeg'] as const;
export type FileKind = (typeof FILE_KINDS)[number];

/** Something a step collects for its Output: a value typed by the official or an uploaded file. */
export const FieldSchema = z
  .object({
    id: slug,
    label: nonEmpty,
    /** `pegawai`: a person of the pemda's directory, chosen from a list (the value is the person's id). */
    type: z.enum(['text', 'textarea', 'date', 'datetime', 'number', 'select', 'boolean', 'file', 'pegawai', 'email']),
    required: z.boolean().default(true),
    options: z.array(z.object({ value: nonEmpty, label: nonEmpty })).optional(),
    accept: z.array(z.enum(FILE_KINDS)).optional(),
    help: z.string().optional(),
    /** Also kept as case data under this id, so later steps and gates can read it. */
    caseData: z.boolean().default(false),
    /**
     * A textarea whose lines follow one format, checked as the official types it: `daftar-hadir` is one person per
     * line, "nama | jabatan | instansi" (core/validation/daftar-hadir.ts), wherever a list of people is asked.
     */
    format: z.enum(['daftar-hadir']).optional(),
  })
  .strict()
  .superRefine((f, ctx) => {
    if (f.format && f.type !== 'textarea')
      ctx.addIssue({ code: 'custom', path: ['format'], message: 'format hanya untuk isian textarea' });
    if (f.type === 'select' && !f.options?.length)
      ctx.addIssue({ code: 'custom', path: ['options'], message: 'isian pilihan (select) harus punya options' });
    if (f.type === 'file' && !f.accept?.length)
      ctx.addIssue({ code: 'custom', path: ['accept'], message: 'isian berkas harus menyebut jenis berkas (accept)' });
  });
export type Field = z.infer<typeof FieldSchema>;

/** The documents an SOP step can generate from what the case collected (see core/documents/assemble.ts). */
export const GENERATED_DOCUMENTS = [
  'kesepakatan-bersama',
  'surat-undangan',
  'nota-dinas',
  'surat-pengantar',
  'telaahan-staf',
  'notulen-rapat',
  'lembar-disposisi',
  'laporan-pelaksanaan',
] as const;
export type GeneratedDocument = (typeof GENERATED_DOCUMENTS)[number];

/**
 * The case's naskah, whatever its kind: the kind the SOP declares (`naskah.jenis`) or the one an official chose
 * (`naskah-jenis`), rendered from that kind's outline (config/naskah). `kesepakatan-bersama` in a step's `dokumen`
 * is an alias of it, kept for the SOPs written before any kind could be declared: it means the case's naskah too,
 * never a fixed kind.
 */
export const NASKAH = 'naskah';
/** The ids a step's `dokumen` may name: the naskah (or its alias) and the letters and sheets of the unit. */
export const STEP_DOCUMENTS = [NASKAH, ...GENERATED_DOCUMENTS] as const;
export type StepDocument = (typeof STEP_DOCUMENTS)[number];
/** The ids that name the case's naskah in a step's `dokumen`. */
export const NASKAH_IDS: ReadonlySet<string> = new Set([NASKAH, 'kesepakatan-bersama']);
export const isNaskahDocument = (dokumen: string): boolean => NASKAH_IDS.has(dokumen);

/**
 * Documents an official signs electronically on a signing task: the naskah, and the letters the unit sends out, each
 * signed by the official it names (a letter never goes out in anyone's name without that person's act).
 */
export const SIGNED_DOCUMENTS = [
  NASKAH,
  'kesepakatan-bersama',
  'surat-undangan',
  'surat-pengantar',
  'nota-dinas',
] as const;

/**
 * Tindakan yang dalam sumber SOP dilakukan pada langkah lain dan dipindahkan Sepakat ke langkah ini: `dari` nomor
 * langkah menurut sumber, `alasan` penjelasan singkat dalam Bahasa Indonesia. Dokumen SOP AP menandainya.
 */
export const DipindahkanSchema = z
  .object({ dari: z.string().trim().min(1, 'tidak boleh kosong'), alasan: z.string().trim().min(1).optional() })
  .strict();
export type Dipindahkan = z.infer<typeof DipindahkanSchema>;

/** Automatic work attached to a step or to one choice of a step (runs in a plain Task state). */
export const AutomaticSchema = z.discriminatedUnion('action', [
  z
    .object({
      action: z.literal('notify'),
      /** `pemohon` (the contact named in the permohonan) or an actor id (an actor of kind pemohon: the same contact). */
      to: z.string().min(1),
      subject: nonEmpty,
      message: nonEmpty,
    })
    .strict(),
  /**
   * Renders a document from the case data and keeps it with the case (one per activation, never overwritten). With
   * `seri`, the letter takes its number from that series of the pemda's register first.
   */
  z
    .object({
      action: z.literal('dokumen'),
      dokumen: z.enum(STEP_DOCUMENTS),
      seri: slug.optional(),
      /**
       * For a Lembar Disposisi: the field of the step in which the official types the arahan. This makes the step a
       * disposisi step: its arahan is shown to the official it goes to, on the case timeline, and printed on the
       * Lembar Disposisi with the disposisi before it (core/case/disposisi.ts).
       */
      arahan: slug.optional(),
      /** For a Lembar Disposisi: the actor it goes to; default the actor of the step the decision leads to. */
      kepada: slug.optional(),
    })
    .strict(),
  /**
   * Reserves the number of the case's `untuk` (e.g. "naskah") in the pemda's series `seri`: the same number on
   * every re-run. With `srikandi`, a number the official entered in that field (from SRIKANDI) is checked for
   * format and uniqueness and recorded instead.
   */
  z
    .object({
      action: z.literal('nomor'),
      seri: slug,
      untuk: slug,
      srikandi: slug.optional(),
      dipindahkan: DipindahkanSchema.optional(),
    })
    .strict(),
  /** Records the paraf of whoever decided, over the current content version of the naskah. */
  z
    .object({
      action: z.literal('paraf'),
      jenis: z.enum(['hierarki', 'koordinasi']),
      pihak: z.enum(['kesatu', 'kedua']).default('kesatu'),
      dipindahkan: DipindahkanSchema.optional(),
    })
    .strict(),
  /**
   * Renders the final naskah (number `nomor`, paraf table, QR code to the verification page) and signs it with the
   * certificate of whoever decided (PAdES). Nothing changes the PDF after it.
   */
  z
    .object({
      action: z.literal('tandatangan'),
      dokumen: z.enum(SIGNED_DOCUMENTS),
      nomor: slug,
      /**
       * A letter whose number no earlier step reserved: the number is taken from this series as the signing task
       * opens (SRIKANDI's "Ambil Nomor"), reserved until the letter is signed, then used.
       */
      seri: slug.optional(),
      dipindahkan: DipindahkanSchema.optional(),
    })
    .strict(),
  /**
   * The partner's signature, from the file in field `berkas`: a PDF that extends the signed naskah with a second
   * valid signature (electronic), or else a scan of the copy signed on paper (archived as such).
   */
  z.object({ action: z.literal('tandatangan-mitra'), berkas: slug, nomor: slug }).strict(),
  /**
   * Archives the scanned signed copy in field `berkas` (if uploaded) under the case's number `nomor`, and records
   * where the paper original is kept from field `lokasi`.
   */
  z
    .object({
      action: z.literal('arsip'),
      berkas: slug.optional(),
      nomor: slug,
      lokasi: slug.optional(),
      asli: z.boolean().default(true),
      dipindahkan: DipindahkanSchema.optional(),
    })
    .strict(),
  /** Registers the number `nomor` as used by the signed naskah, with its dates. */
  z.object({ action: z.literal('daftar'), nomor: slug, dipindahkan: DipindahkanSchema.optional() }).strict(),
  /**
   * The completion package (core/documents/completion-package.ts): once the naskah numbered `nomor` is signed by all
   * parties and its number registered, every party (the pemohon, the partner's contact, each official who initialled
   * or signed) receives one email with the number, the signed naskah and the sealed Lembar Riwayat
   * Penandatanganan. `pesan` adds a closing paragraph to the pemohon's email.
   */
  z.object({ action: z.literal('paket'), nomor: slug, pesan: nonEmpty.optional() }).strict(),
]);
export type Automatic = z.infer<typeof AutomaticSchema>;

export const CHOICE_KINDS = ['lanjut', 'ya', 'tidak', 'kembalikan', 'ulangi', 'tolak', 'batal'] as const;

export const ChoiceSchema = z
  .object({
    /** Short: it names states in the compiled machine (at most 80 characters each). */
    value: slug.max(30, 'paling panjang 30 huruf'),
    label: nonEmpty,
    /** A step id or a terminal (selesai, ditolak, dibatalkan). */
    next: target,
    kind: z.enum(CHOICE_KINDS).default('lanjut'),
    /** A return (kembalikan) or a rejection must say why: the reason reaches whoever acts next. */
    noteRequired: z.boolean().default(false),
    automatic: z.array(AutomaticSchema).default([]),
    /**
     * Pilihan ini tidak ada dalam sumber SOP dan ditambahkan Sepakat (misalnya jalan "ditolak" atau "kembalikan" agar
     * alur dapat dijalankan). Dokumen SOP AP menandainya pada barisnya dan menjelaskannya dalam "Catatan pembacaan
     * Sepakat".
     */
    ditambahkan: z.boolean().optional(),
  })
  .strict();
export type Choice = z.infer<typeof ChoiceSchema>;

export const ACTION_KINDS = ['biasa', 'paraf', 'tandatangan'] as const;
export type ActionKind = (typeof ACTION_KINDS)[number];

/** One official in a sequential chain inside a step (the telaahan staf passing from desk to desk). */
export const ChainLinkSchema = z
  .object({
    actor: slug,
    /** What this official does, in the imperative the form shows ("Memaraf telaahan staf"). */
    action: nonEmpty,
    kind: z.enum(ACTION_KINDS).default('biasa'),
    /**
     * Waktu of this link alone (a paraf chain of three officials, "1 hari" each). Absent: the link takes the step's
     * Waktu. When a link of a step states its own, the step's total is the sum over its links (core/sop/load-sop.ts
     * `waktuOfStep`); otherwise the step's Waktu counts once, as the SOP table writes it.
     */
    waktu,
    fields: z.array(FieldSchema).default([]),
    /** Extra choices besides "lanjut" (to the next link), e.g. a return to the drafter. */
    choices: z.array(ChoiceSchema).default([]),
    /** Automatic work after this link's forward choice (a signature applied when the official signs). */
    automatic: z.array(AutomaticSchema).default([]),
  })
  .strict();
export type ChainLink = z.infer<typeof ChainLinkSchema>;

export const StepSchema = z
  .object({
    id: stepId,
    /** The number as printed in the SOP table ("1", "13."), kept for the SOP document. */
    no: nonEmpty,
    uraian: nonEmpty,
    /** The swimlane the step sits in (for a chain: the official who owns the step). */
    actor: slug,
    /** How the actor was read when the source lost the swimlane marks. */
    actorNote: z.string().optional(),
    /** Set when the step is not in the source and was reconstructed: says from what. */
    reconstructed: z.string().optional(),
    /**
     * Pihak yang memutuskan keputusan langkah ini bila bukan pelaksana langkah (misalnya DPRD yang menyetujui, dicatat
     * oleh Kepala Bagian): simbol keputusan digambar di lajur pihak ini. Tanpa isian ini: pelaksana tautan rantai yang
     * memberi pilihan, atau pelaksana langkah.
     */
    pemutus: slug.optional(),
    /**
     * Pihak yang disebut dalam uraian langkah dan ikut bertindak tanpa tugas sendiri (misalnya TKKSD dalam rapat, BPK
     * yang menerima laporan): mendapat lajur dan kotak kecil pada baris ini.
     */
    terlibat: z.array(slug).optional(),
    kelengkapan: z.array(nonEmpty).default([]),
    waktu,
    output: nonEmpty,
    keterangan: z.string().optional(),
    /** Notes on the reading of the source (errors in the source, interpretation). */
    note: z.string().optional(),
    kind: z.enum(ACTION_KINDS).default('biasa'),
    fields: z.array(FieldSchema).default([]),
    /** Choices offered to the actor. Absent: one choice "lanjut" to `next`. */
    choices: z.array(ChoiceSchema).optional(),
    /** A loop ("sampai disepakati"): the step repeats until the actor records that the condition holds. */
    repeatUntil: z.string().optional(),
    /**
     * A meeting of the step: `undangan`, it invites to the meeting `id` (its date, time, place, agenda, guests);
     * `notulen`, it records what happened at it (the notulen is refused while the meeting is still to come). Each
     * visit of the step is a round of its own; an undangan and a notulen of the same id and round are one meeting,
     * and the notulen's form is prefilled from that undangan only (core/case/rapat.ts). The fields keep their
     * conventional ids: rapat-tanggal, rapat-waktu, rapat-tempat, rapat-acara, rapat-pimpinan, notulen-pencatat.
     */
    rapat: z
      .object({ id: slug, catat: z.enum(['undangan', 'notulen']) })
      .strict()
      .optional(),
    /** Where the flow goes after the step (default: the following step; after the last: selesai). */
    next: target.optional(),
    chain: z.array(ChainLinkSchema).min(2).optional(),
    automatic: z
      .object({ before: z.array(AutomaticSchema).default([]), after: z.array(AutomaticSchema).default([]) })
      .strict()
      .optional(),
  })
  .strict();
export type StepInput = z.input<typeof StepSchema>;
export type Step = z.infer<typeof StepSchema>;

/** A decision on case data rather than on a person's answer (DPRD approval only when the APBD is burdened). */
export const GateSchema = z
  .object({
    id: stepId,
    /** Nomor langkah keputusan ini menurut SOP (dicetak pada dokumen SOP AP); tanpa nomor bila SOP tidak memberinya. */
    no: nonEmpty.optional(),
    gate: z
      .object({
        question: nonEmpty,
        /** A case data field (from the permohonan or a step's field with caseData). */
        field: slug,
        equals: z.union([z.boolean(), z.string(), z.number()]),
        then: target,
        else: target,
      })
      .strict(),
    note: z.string().optional(),
  })
  .strict();
export type Gate = z.infer<typeof GateSchema>;

export const ActorSchema = z
  .object({
    id: slug,
    jabatan: nonEmpty,
    /**
     * `internal`: an official of the pemda's directory, bound by this id as a role. `external`: a party outside the
     * pemda whose outcome an official records (`recordedBy`). `pemohon`: whoever submitted the case (the signed-in
     * pemohon, or the contact who confirmed their address at intake), bound anew for each case: their tasks and emails
     * go to that person, through the same capability link an official gets.
     */
    kind: z.enum(['internal', 'external', 'pemohon']),
    /** For an external party: the internal official who records its outcome, with its letter attached. */
    recordedBy: slug.optional(),
    note: z.string().optional(),
  })
  .strict();
export type Actor = z.infer<typeof ActorSchema>;

const list = z.array(nonEmpty).default([]);

/** Who signs the naskah for one party, and on whose surat kuasa (actor ids of the SOP). */
export const PihakNaskahSchema = z.object({ penandatangan: slug, suratKuasaDari: slug.optional() }).strict();
export type PihakNaskah = z.infer<typeof PihakNaskahSchema>;

export const HeaderSchema = z
  .object({
    /** The kop lines: PEMERINTAH …, SEKRETARIAT DAERAH, BAGIAN … */
    unit: z.array(nonEmpty).min(1),
    nama: nonEmpty,
    nomor: z.string().nullable().default(null),
    tanggalPembuatan: isoDate.nullable().default(null),
    tanggalRevisi: isoDate.nullable().default(null),
    tanggalEfektif: isoDate.nullable().default(null),
    disahkanOleh: z
      .object({ jabatan: nonEmpty, nama: nonEmpty, nip: z.string().optional() })
      .strict()
      .nullable()
      .default(null),
    dasarHukum: list,
    kualifikasiPelaksana: list,
    keterkaitan: list,
    peralatan: list,
    peringatan: list,
    pencatatan: list,
  })
  .strict();
export type Header = z.infer<typeof HeaderSchema>;

export const SopSchema = z
  .object({
    id: slug,
    version: z.number().int().min(1),
    /** The pemda whose directory and calendar settings the SOP runs with. */
    pemda: slug,
    /** Where the definition came from, and how it was read. */
    source: z
      .object({
        file: nonEmpty,
        notes: z.array(nonEmpty).default([]),
        /**
         * Kolom Pelaksana dalam tabel sumber, berurutan, sebagai id aktor: lajur-lajur ini digambar sebagai milik
         * sumber; aktor lain yang bertindak digambar terpisah dan ditandai "bacaan Sepakat". Daftar kosong: sumber tidak
         * memuat kolom Pelaksana. Tanpa isian ini: SOP ditulis langsung dalam format Sepakat dan semua lajurnya milik
         * SOP.
         */
        pelaksana: z.array(slug).optional(),
      })
      .strict(),
    header: HeaderSchema,
    /**
     * The total as stated in the source, e.g. "21 hari, 135 menit"; checked against the steps by tests. Total Waktu
     * sebagaimana tertulis dalam sumber; tanpa isian ini dokumen SOP AP mencetak total yang dihitung Sepakat dan
     * menyebutnya demikian.
     */
    totalWaktu: z.string().optional(),
    /**
     * Naskah yang dihasilkan SOP ini: `jenis` adalah id kerangka naskah di config/naskah (kesepakatan-bersama,
     * nota-kesepakatan, perjanjian-kerja-sama, mou-luar-negeri, adendum, …). Naskah dirender dan didaftarkan sebagai
     * jenis ini; isian `naskah-jenis` yang dipilih pejabat dalam kasus, bila ada, menggantikannya. Tanpa deklarasi:
     * Kesepakatan Bersama. Jenis perjanjian tidak pernah ditebak dari id SOP.
     */
    naskah: z
      .object({
        jenis: slug,
        /**
         * Siapa menandatangani untuk setiap pihak, dan atas surat kuasa siapa: `penandatangan` dan `suratKuasaDari`
         * adalah id aktor SOP ini, yang dipegang orang di direktori pemda pada tanggal penandatanganan. Tanpa
         * deklarasi: pihak kesatu ditandatangani kepala daerah (pemda.dokumen.kepalaDaerah). Bila `suratKuasaDari`
         * disebut, nomor dan tanggal surat kuasa diambil dari isian kasus `kuasa-nomor` dan `kuasa-tanggal`
         * (pihak kedua: `mitra-kuasa-nomor`, `mitra-kuasa-tanggal`).
         */
        pihak: z
          .object({ kesatu: PihakNaskahSchema.optional(), kedua: PihakNaskahSchema.optional() })
          .strict()
          .optional(),
      })
      .strict()
      .optional(),
    /** What a permohonan for this SOP must carry. */
    intake: z
      .object({ documents: z.array(FieldSchema).default([]), data: z.array(FieldSchema).default([]) })
      .strict()
      .default({ documents: [], data: [] }),
    actors: z.array(ActorSchema).min(1),
    steps: z.array(z.union([StepSchema, GateSchema])).min(1),
  })
  .strict();
export type SopInput = z.input<typeof SopSchema>;
export type SopDefinition = z.infer<typeof SopSchema>;

export const isGate = (node: Step | Gate): node is Gate => 'gate' in node;
