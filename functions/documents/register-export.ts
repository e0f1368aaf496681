import { STATUS_LABEL as STATUS_LABEL_PERJANJIAN } from '../../core/agreement/agreement-model.ts';
import type { Clock } from '../../core/case/model.ts';
import type { DirectoryData } from '../../core/directory/directory.ts';
import { ErrorNames, SepakatError } from '../../core/errors.ts';
import { tanggalPanjang } from '../../core/format/tanggal.ts';
import {
  REGISTER_STATUSES,
  STATUS_LABEL,
  TAHUN_MAX,
  TAHUN_MIN,
  type RegisterEntry,
  type RegisterStatus,
} from '../../core/register/numbering.ts';
import { registerToCsv } from '../../core/register/register-csv.ts';
import { registerPrintView } from '../../core/register/register-print.ts';
import type { DynamoDbRegisterStore } from '../adapters/register-store.ts';
import type { ExportPrinter, PrintedExport } from '../render/export-printing.ts';
import type { PrintHtmlOptions, Renderer } from '../render/renderer.ts';

/**
 * The buku register kerja sama of one pemda and year as CSV (for spreadsheets) and as PDF (to print and sign off):
 * core/register/register-csv.ts and register-print.ts (through templates/exports/register.hbs) over every entry of
 * the register store, with the pemda's kop,
 * series labels, time zone and paper. The PDF is printed landscape by the warm Chromium renderer.
 */
export interface RegisterExportDeps {
  register(pemdaId: string): Pick<DynamoDbRegisterStore, 'listAll'>;
  catalog: { pemda(pemdaId: string): { directory: { data: DirectoryData } } };
  /**
   * The agreements of the pemda (`app.agreements.list`): with it, each number shows its agreement's status and next
   * due item (CSV columns, PDF Keterangan).
   */
  agreementsOf?(pemdaId: string): Promise<readonly AgreementRow[]>;
}

/** What the export reads of an agreement (the shape of `app.agreements.list`). */
export interface AgreementRow {
  nomor: string;
  status: string;
  berikutnya?: { label: string; jatuhTempo: string };
}

export interface RegisterExportInput {
  pemdaId: string;
  year: number;
  /** One series (its id in the pemda's `penomoran.series`); default every series, in configuration order. */
  series?: string;
  status?: RegisterStatus;
}

/** The register as CSV in the format Indonesian Excel reads (core/format/csv.ts), with Indonesian headers. */
export async function registerCsv(deps: RegisterExportDeps, input: RegisterExportInput): Promise<string> {
  const { entries, directory, agreement } = await load(deps, input);
  return registerToCsv(entries, {
    timeZone: directory.pemda.jamKerja.timeZone,
    seriesLabels: seriesLabels(directory),
    ...(agreement ? { agreement } : {}),
  });
}

/** The register as a landscape PDF on the pemda's paper, under its kop (the CLI: printed in this process). */
export async function registerPdf(
  deps: RegisterExportDeps & {
    renderer(): Pick<Renderer, 'printExport'>;
    /** The "printed on" time of the PDF (the app's `runtimeClock`). */
    clock: Clock;
  },
  input: RegisterExportInput,
): Promise<Uint8Array> {
  const job = await registerPrintJob(deps, input);
  return printed(input, () => deps.renderer().printExport('register', job.view, job.options));
}

/**
 * The same PDF printed where Chromium is (`ExportPrinter`: the render function in AWS) and kept under the scratch
 * prefix of the documents bucket, for a short-lived download link (the web's `/arsip/register.pdf`).
 */
export async function registerPdfPrinted(
  deps: RegisterExportDeps & { printer: ExportPrinter; clock: Clock },
  input: RegisterExportInput,
): Promise<PrintedExport> {
  const job = await registerPrintJob(deps, input);
  return printed(input, () => deps.printer.print('register', job.view, job.options));
}

async function printed<T>(input: RegisterExportInput, print: () => Promise<T>): Promise<T> {
  try {
    return await print();
  } catch (error) {
    if (error instanceof SepakatError) throw error;
    throw new SepakatError(ErrorNames.Transient, `Register ${input.year} gagal dicetak ke PDF`, { cause: error });
  }
}

/** The print view of the register (plain JSON) and its page options. */
async function registerPrintJob(
  deps: RegisterExportDeps & { clock: Clock },
  input: RegisterExportInput,
): Promise<{ view: unknown; options: PrintHtmlOptions }> {
  const { entries, directory, agreement } = await load(deps, input);
  const labels = seriesLabels(directory);
  const view = registerPrintView(
    entries,
    { kop: directory.pemda.kop, ...(directory.pemda.alamat ? { alamat: directory.pemda.alamat } : {}) },
    {
      timeZone: directory.pemda.jamKerja.timeZone,
      seriesLabels: labels,
      ...(agreement ? { agreement } : {}),
      subtitle: [
        `Tahun ${input.year}`,
        input.series ? labels[input.series] : 'Semua seri',
        input.status ? `Status: ${STATUS_LABEL[input.status]}` : '',
      ]
        .filter(Boolean)
        .join(' · '),
      printedAt: deps.clock.now(),
    },
  );
  return { view, options: { paper: directory.pemda.dokumen.kertas, landscape: true, pageNumbers: true } };
}

async function load(
  deps: RegisterExportDeps,
  input: RegisterExportInput,
): Promise<{
  entries: RegisterEntry[];
  directory: DirectoryData;
  agreement?: (numberText: string) => { status: string; berikutnya?: string } | undefined;
}> {
  if (!Number.isInteger(input.year) || input.year < TAHUN_MIN || input.year > TAHUN_MAX)
    throw new SepakatError(ErrorNames.BadInput, `Tahun ${String(input.year)} di luar ${TAHUN_MIN}–${TAHUN_MAX}`);
  if (input.status !== undefined && !REGISTER_STATUSES.includes(input.status))
    throw new SepakatError(
      ErrorNames.BadInput,
      `Status "${String(input.status)}" tidak dikenal; pilih salah satu: ${REGISTER_STATUSES.join(', ')}`,
    );
  const directory = deps.catalog.pemda(input.pemdaId).directory.data;
  if (input.series !== undefined && !(input.series in directory.penomoran.series))
    throw new SepakatError(
      ErrorNames.BadInput,
      `Seri "${input.series}" tidak ada di penomoran ${input.pemdaId}; seri yang ada: ${Object.keys(directory.penomoran.series).join(', ')}`,
    );
  const entries = await deps.register(input.pemdaId).listAll({
    year: input.year,
    ...(input.series !== undefined ? { series: input.series } : {}),
    ...(input.status !== undefined ? { status: input.status } : {}),
  });
  if (!deps.agreementsOf) return { entries, directory };
  const byNumber = new Map((await deps.agreementsOf(input.pemdaId)).map((a) => [a.nomor, a]));
  const agreement = (numberText: string) => {
    const a = byNumber.get(numberText);
    if (!a) return undefined;
    return {
      status: (STATUS_LABEL_PERJANJIAN as Record<string, string>)[a.status] ?? a.status,
      ...(a.berikutnya ? { berikutnya: `${a.berikutnya.label} (${tanggalPanjang(a.berikutnya.jatuhTempo)})` } : {}),
    };
  };
  return { entries, directory, agreement };
}

function seriesLabels(directory: DirectoryData): Record<string, string> {
  return Object.fromEntries(Object.entries(directory.penomoran.series).map(([id, s]) => [id, s.label]));
}
