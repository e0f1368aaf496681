import type { z } from 'zod';
import { MARGINS, type FooterView, type Margins, type PageGeometry } from './common.ts';
import { KesepakatanBersamaSchema, prepareKesepakatanBersama } from './kesepakatan-bersama.ts';
import { LaporanPelaksanaanSchema, prepareLaporanPelaksanaan } from './laporan-pelaksanaan.ts';
import { LembarDisposisiSchema, prepareLembarDisposisi } from './lembar-disposisi.ts';
import { NaskahIsiSchema, prepareNaskahIsi } from './naskah-isi.ts';
import { LembarRiwayatSchema, prepareLembarRiwayat } from './lembar-riwayat.ts';
import { NotaDinasSchema, prepareNotaDinas } from './nota-dinas.ts';
import { NotulenRapatSchema, prepareNotulenRapat } from './notulen-rapat.ts';
import { PerjanjianKerjaSamaSchema, preparePerjanjianKerjaSama } from './perjanjian-kerja-sama.ts';
import { prepareSop, SopDocumentSchema, type SopMeasure } from './sop.ts';
import { prepareSuratPengantar, SuratPengantarSchema } from './surat-pengantar.ts';
import { prepareSuratUndangan, SuratUndanganSchema } from './surat-undangan.ts';
import { prepareTelaahanStaf, TelaahanStafSchema } from './telaahan-staf.ts';

/**
 * The generated documents: each name is a Handlebars template `templates/documents/<name>.hbs`, a zod schema (the
 * source of its input type), and a pure `prepare` that turns the parsed input into the template's view model.
 *
 * A document that paginates itself (the SOP flowchart) also has `measure`: the renderer lays it out once, reads the
 * heights of the elements marked `data-ukur`, and prepares it again with them.
 */
export type FontFamily = 'tinos' | 'arimo';

/** Heights (mm) of the elements marked `data-ukur="<key>"`, in document order. */
export type Measured = Readonly<Record<string, readonly number[]>>;

export interface DocumentDefinition<S extends z.ZodType = z.ZodType> {
  readonly schema: S;
  readonly title: string;
  readonly font: FontFamily;
  readonly margins: Margins;
  readonly landscape: boolean;
  readonly prepare: (input: z.infer<S>, page: PageGeometry, measured?: Measured) => { footer: FooterView };
  readonly measure?: boolean;
}

const define = <S extends z.ZodType>(d: DocumentDefinition<S>) => d;

export const DOCUMENTS = {
  'kesepakatan-bersama': define({
    schema: KesepakatanBersamaSchema,
    title: 'Kesepakatan Bersama / Nota Kesepakatan',
    font: 'tinos',
    margins: MARGINS.naskah,
    landscape: false,
    prepare: (d) => prepareKesepakatanBersama(d),
  }),
  'perjanjian-kerja-sama': define({
    schema: PerjanjianKerjaSamaSchema,
    title: 'Perjanjian Kerja Sama',
    font: 'tinos',
    margins: MARGINS.naskah,
    landscape: false,
    prepare: (d) => preparePerjanjianKerjaSama(d),
  }),
  /** Any kind of naskah, rendered from its content version (core/naskah): KB, NK, PKS, MoU, adendum. */
  naskah: define({
    schema: NaskahIsiSchema,
    title: 'Naskah Kerja Sama',
    font: 'tinos',
    margins: MARGINS.naskah,
    landscape: false,
    prepare: (d) => prepareNaskahIsi(d),
  }),
  'nota-dinas': define({
    schema: NotaDinasSchema,
    title: 'Nota Dinas',
    font: 'arimo',
    margins: MARGINS.surat,
    landscape: false,
    prepare: (d) => prepareNotaDinas(d),
  }),
  'surat-undangan': define({
    schema: SuratUndanganSchema,
    title: 'Surat Undangan Rapat',
    font: 'arimo',
    margins: MARGINS.surat,
    landscape: false,
    prepare: (d) => prepareSuratUndangan(d),
  }),
  'telaahan-staf': define({
    schema: TelaahanStafSchema,
    title: 'Telaahan Staf',
    font: 'arimo',
    margins: MARGINS.surat,
    landscape: false,
    prepare: (d) => prepareTelaahanStaf(d),
  }),
  'notulen-rapat': define({
    schema: NotulenRapatSchema,
    title: 'Notulen Rapat',
    font: 'arimo',
    margins: MARGINS.surat,
    landscape: false,
    prepare: (d) => prepareNotulenRapat(d),
  }),
  'lembar-disposisi': define({
    schema: LembarDisposisiSchema,
    title: 'Lembar Disposisi',
    font: 'arimo',
    margins: MARGINS.surat,
    landscape: false,
    prepare: (d) => prepareLembarDisposisi(d),
  }),
  'surat-pengantar': define({
    schema: SuratPengantarSchema,
    title: 'Surat Pengantar',
    font: 'arimo',
    margins: MARGINS.surat,
    landscape: false,
    prepare: (d) => prepareSuratPengantar(d),
  }),
  'laporan-pelaksanaan': define({
    schema: LaporanPelaksanaanSchema,
    title: 'Laporan Pelaksanaan Kerja Sama',
    font: 'arimo',
    margins: MARGINS.surat,
    landscape: false,
    prepare: (d) => prepareLaporanPelaksanaan(d),
  }),
  'lembar-riwayat': define({
    schema: LembarRiwayatSchema,
    title: 'Lembar Riwayat Penandatanganan',
    font: 'arimo',
    margins: MARGINS.surat,
    landscape: false,
    prepare: (d) => prepareLembarRiwayat(d),
  }),
  sop: define({
    schema: SopDocumentSchema,
    title: 'Standar Operasional Prosedur',
    font: 'arimo',
    margins: MARGINS.sop,
    landscape: true,
    measure: true,
    prepare: (d, page, measured) => prepareSop(d, page, measured ? sopMeasure(measured) : undefined),
  }),
} as const;

export type DocumentName = keyof typeof DOCUMENTS;
export const DOCUMENT_NAMES = Object.keys(DOCUMENTS) as DocumentName[];
/** What a caller passes for a document (before defaults). */
export type DocumentInput<N extends DocumentName> = z.input<(typeof DOCUMENTS)[N]['schema']>;
/** The parsed input (defaults applied). */
export type DocumentData<N extends DocumentName> = z.infer<(typeof DOCUMENTS)[N]['schema']>;

export const isDocumentName = (name: string): name is DocumentName => Object.hasOwn(DOCUMENTS, name);

function sopMeasure(m: Measured): SopMeasure {
  return { rows: m.baris ?? [], thead: m.kepala?.[0] ?? 0, total: m.total?.[0] ?? 0 };
}

export { pageGeometry, PAPER_MM, PAPERS, type Paper, type PageGeometry } from './common.ts';
