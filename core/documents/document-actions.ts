import type {
  CaseRecord,
  CaseStore,
  Clock,
  DocumentAction,
  DocumentWork,
  DocumentWorkInput,
  Faults,
  HistoryEvent,
  StoredFile,
  TaskRecord,
} from '../case/model.ts';

/**
 * The case's history, read at most once by whoever calls it first (see `DocumentActions.historyOnce`). `willRead`:
 * the work reads it in any case, so what it holds (a chosen naskah version) is taken from it, not read on its own.
 */
type HistoryOnce = (() => Promise<readonly HistoryEvent[]>) & { readonly willRead: boolean };
import type { PemdaContext } from '../case/case-runtime.ts';
import type { DokumenPemda } from '../directory/directory.ts';
import { ErrorNames, SepakatError } from '../errors.ts';
import type { FileStore } from '../files/accepted-files.ts';
import type {
  DocumentStore,
  Renderer,
  SignatureDescription,
  Signer,
  SigningCredential,
  SigningOfficial,
  SigningReadiness,
} from '../ports.ts';
import type { NumberRegister, RegisterEntry } from '../register/numbering.ts';
import type { ParafRecord } from '../signing/paraf.ts';
import { NASKAH_DOCUMENTS, NASKAH_VERSI, type NaskahDrafts } from '../naskah/drafts.ts';
import type { NaskahContent } from '../naskah/content.ts';
import type { Activity, Sop } from '../sop/load-sop.ts';
import { disposisiOf, disposisiOfDecision, type Disposisi } from '../case/disposisi.ts';
import { RAPAT_FIELDS, rapatOf } from '../case/rapat.ts';
import { assembleDocument, jangkaWaktu, type CaseDocumentContext, type Official } from './assemble.ts';
import { jenisNaskahOf, naskahDocument, naskahIsiVersion } from '../naskah/render-view.ts';
import type { DocumentName } from './index.ts';
import { isNaskahDocument, type StepDocument } from '../sop/schema.ts';
import type { Paraf } from './common.ts';
import { docIdFor, type DocumentRecord } from './document-record.ts';
import {
  shownPurpose,
  SHOWN_KIND,
  SIGNED_LETTERS,
  signedPurpose,
  signingActOf,
  type SigningAct,
} from './signing-task.ts';
import { documentKindLabel } from './kinds.ts';
import { caseDimensions, noMetrics } from '../metrics.ts';
import type { Metrics } from '../metrics.ts';
import {
  addYears,
  nextHierarkiOrder,
  numbersOf,
  official,
  parafStateOf,
  versionOf,
  type Pihak,
} from './paraf-rules.ts';

/**
 * The document port of the case runtime: renders what the SOP's Outputs name from what the case collected, takes
 * numbers from the register, records paraf over the naskah's content version, signs the final naskah and archives
 * signed copies. Each action is safe to repeat:
 * - a document is stored once per purpose (case, activation, kind): a retry finds the first one;
 * - a number is allocated once per case and purpose (the register's idempotency key);
 * - a paraf is one history fact, written by the runtime with this action's key.
 * Nothing modifies a PDF after its signature: the partner's signature is an incremental update made by the partner.
 * The decisions are made here; the PDFs are made and signed behind the `Renderer` and `Signer` ports.
 */
export interface DocumentWorkDeps {
  store: Pick<CaseStore, 'setCaseData' | 'listHistory'>;
  /** The naskah's content versions: a naskah is rendered from a stored version (core/naskah). */
  drafts: NaskahDrafts;
  documents: Pick<DocumentStore, 'get' | 'store' | 'read' | 'readPageImage' | 'listByCase'>;
  files: Pick<FileStore, 'readAccepted'>;
  register(
    pemdaId: string,
  ): Pick<NumberRegister, 'allocate' | 'get' | 'registerSrikandi' | 'markUsed' | 'setOriginalLocation'>;
  renderer(): Pick<Renderer, 'render' | 'pageImages'>;
  signer: Signer;
  pemda(pemdaId: string): PemdaContext;
  sops: { get(sopKey: string): Sop };
  clock: Clock;
  publicBaseUrl: string;
  buckets: { documents: string; archive: string };
  maxUploadBytes: number;
  faults: Faults;
  /** Business metrics (documents rendered and signed, by pemda and SOP); none counted when absent. */
  metrics?: Metrics;
  /** The number of a signed naskah is used: its agreement is registered (functions/agreements). */
  onNaskahRegistered?(caseId: string): Promise<unknown>;
  /** The completion package of a naskah signed by all parties (core/documents/completion-package.ts). */
  completion?: {
    send(input: {
      record: CaseRecord;
      activityId: string;
      action: { nomor: string; pesan?: string | undefined };
    }): Promise<Detail>;
  };
}

type Detail = Record<string, string | number | boolean>;

/** Letters the unit sends out, signed by the pemda's letter signer (`dokumen.penandatanganSurat`). */
const LETTERS: ReadonlySet<string> = new Set(['surat-undangan', 'nota-dinas', 'surat-pengantar']);

/** The case data key holding the number reserved for a purpose ("nomor-naskah"). */
export const nomorKey = (purpose: string) => `nomor-${purpose}`;
/** The case data key holding the docId of the signed naskah. */
export const SIGNED_NASKAH_KEY = 'dokumen-naskah-ditandatangani';
/** The case data key holding the name of the signed naskah's kind ("Perjanjian Kerja Sama"). */
export const NAMA_JENIS_KEY = 'naskah-jenis-nama';
/** The case data key saying the original is the electronic copy signed by both parties. */
export const ORIGINAL_KEY = 'naskah-asli';

export class DocumentActions implements DocumentWork {
  constructor(private readonly deps: DocumentWorkDeps) {}

  private count(name: 'DocumentsRendered' | 'DocumentsSigned', record: CaseRecord) {
    (this.deps.metrics ?? noMetrics).count(name, caseDimensions(record));
  }

  async perform(input: DocumentWorkInput): Promise<Detail> {
    const { action } = input;
    switch (action.action) {
      case 'dokumen':
        return this.generate(input, action);
      case 'nomor':
        return this.number(input, action);
      case 'paraf':
        return this.paraf(input, action);
      case 'tandatangan':
        return this.sign(input, action);
      case 'tandatangan-mitra':
        return this.partnerSignature(input, action);
      case 'arsip':
        return this.archive(input, action);
      case 'daftar':
        return this.registerUse(input, action);
      case 'paket':
        if (!this.deps.completion)
          throw new SepakatError(ErrorNames.InvalidDefinition, 'Paket penyelesaian tidak tersedia di sini');
        return this.deps.completion.send({ record: input.record, activityId: input.activity.id, action });
    }
  }

  // ─── Context ───────────────────────────────────────────────────────────────────────────────────────────────

  private profile(record: CaseRecord): { nama: string; kop: string[]; alamat?: string; dokumen: DokumenPemda } {
    const data = this.deps.pemda(record.pemdaId).directory.data.pemda;
    return { nama: data.nama, kop: data.kop, ...(data.alamat ? { alamat: data.alamat } : {}), dokumen: data.dokumen };
  }

  private today(record: CaseRecord): string {
    return this.deps.pemda(record.pemdaId).localDate(this.deps.clock.now());
  }

  private kepalaDaerah(record: CaseRecord, at: string): Official {
    const pemda = this.deps.pemda(record.pemdaId);
    const { role, jabatan } = pemda.directory.data.pemda.dokumen.kepalaDaerah;
    const holder = pemda.directory.holders(role, at)[0];
    if (!holder) throw new SepakatError(ErrorNames.InvalidDefinition, `Tidak ada pemegang peran ${role}`);
    return official({ ...holder, jabatan });
  }

  private numbers(record: CaseRecord): Record<string, string> {
    return numbersOf(record.data);
  }

  /**
   * The case's history, read once for one piece of document work and shared by everything it prints (a version
   * saved meanwhile by `naskahVersion` is returned by that save, not read back).
   */
  private historyOnce(record: CaseRecord, willRead = false): HistoryOnce {
    let read: Promise<readonly HistoryEvent[]> | undefined;
    return Object.assign(() => (read ??= this.deps.store.listHistory(record.caseId)), { willRead });
  }

  /**
   * `naskah`: 'render' when the document is the naskah itself (its content version is made to exist: see
   * `naskahVersion`); 'latest' for other documents, which only read the latest saved version (a letter about the
   * naskah names it by its title) and never write.
   */
  private async context(
    record: CaseRecord,
    task: TaskRecord | undefined,
    activity?: Activity,
    naskahUse: 'render' | 'latest' = 'latest',
    history: HistoryOnce = this.historyOnce(record),
  ): Promise<CaseDocumentContext> {
    const tanggal = this.today(record);
    // A letter goes out from whoever decided the step; work before the step, from the holder of its role.
    const holder = activity
      ? this.deps.pemda(record.pemdaId).directory.holders(activity.performer.id, tanggal)[0]
      : undefined;
    const acting = task?.decision?.by ?? task?.person;
    // The directory has what a signature block prints (pangkat); the task keeps who acted and as what (Plt/Plh).
    const by = acting ? { ...this.deps.pemda(record.pemdaId).directory.person(acting.id), ...acting } : holder;
    const kepalaDaerah = this.kepalaDaerah(record, tanggal);
    const kesatu = this.declaredSigner(record, tanggal);
    // The naskah prints the day of its signing as set at the signing step ("Waktu penandatanganan"), so every
    // signer sees that date before signing; without it, the day it is rendered.
    const signing = naskahUse === 'render' ? signingDay(record.data) : undefined;
    const naskah =
      naskahUse === 'render'
        ? await this.naskahVersion(record, task, activity, history)
        : await this.deps.drafts.versions(record.caseId, await history()).then((all) => all.at(-1));
    const jenisNaskahSop = this.declaredJenis(record);
    return {
      ...(naskah ? { naskah: naskah.content, naskahVersi: naskah.versi } : {}),
      caseId: record.caseId,
      perihal: record.perihal,
      pemohon: { nama: record.pemohon.nama, instansi: record.pemohon.instansi, email: record.pemohon.email },
      // Letters about the naskah (a surat pengantar) name it by the title its drafters gave it.
      data: naskah ? { ...record.data, 'naskah-tentang': naskah.content.tentang } : record.data,
      ...(jenisNaskahSop ? { jenisNaskahSop } : {}),
      namaJenisNaskah: this.namaJenis(record),
      ...(kesatu ? { penandatanganKesatu: kesatu } : {}),
      ...(this.kuasaKedua(record) ? { kuasaKeduaDari: this.kuasaKedua(record)! } : {}),
      pemda: this.profile(record),
      tanggal: signing ?? tanggal,
      penandatangan: by ? official(by) : kepalaDaerah,
      kepalaDaerah,
      nomor: this.numbers(record),
    };
  }

  /**
   * PIHAK KESATU's signer as the SOP declares it (`naskah.pihak.kesatu`): the person holding the actor on the day,
   * and the jabatan of whoever gave the surat kuasa (the holder's, as the directory names it). Undefined when the SOP
   * declares none: the kepala daerah signs.
   */
  private declaredSigner(record: CaseRecord, tanggal: string): CaseDocumentContext['penandatanganKesatu'] {
    const declared = this.deps.sops.get(record.sopKey).definition.naskah?.pihak?.kesatu;
    if (!declared) return undefined;
    const directory = this.deps.pemda(record.pemdaId).directory;
    const holder = directory.holders(declared.penandatangan, tanggal)[0];
    if (!holder)
      throw new SepakatError(
        ErrorNames.InvalidDefinition,
        `Tidak ada pemegang peran ${declared.penandatangan} (penandatangan naskah pihak kesatu) pada ${tanggal}`,
      );
    const person = { ...directory.person(holder.id), ...holder };
    if (!declared.suratKuasaDari) return { official: official(person) };
    const pemberi = directory.holders(declared.suratKuasaDari, tanggal)[0];
    const jabatan =
      declared.suratKuasaDari === directory.data.pemda.dokumen.kepalaDaerah.role
        ? directory.data.pemda.dokumen.kepalaDaerah.jabatan
        : (pemberi?.jabatan ?? this.deps.sops.get(record.sopKey).actor(declared.suratKuasaDari).jabatan);
    return { official: official(person), kuasaDari: jabatan };
  }

  /** The jabatan of whoever gave the partner's signer a surat kuasa, as the SOP declares it (an actor of the SOP). */
  private kuasaKedua(record: CaseRecord): string | undefined {
    const sop = this.deps.sops.get(record.sopKey);
    const id = sop.definition.naskah?.pihak?.kedua?.suratKuasaDari;
    return id ? sop.actor(id).jabatan : undefined;
  }

  /**
   * The content version a naskah is rendered from: the one the decision of a drafting step saved (`naskah-versi`),
   * else the latest; when nothing was saved yet, the outline filled with the case becomes version 1.
   */
  private async naskahVersion(
    record: CaseRecord,
    task: TaskRecord | undefined,
    activity: Activity | undefined,
    history: HistoryOnce,
  ) {
    const chosen = task?.decision?.values[NASKAH_VERSI];
    if (typeof chosen === 'number') {
      // A work that reads the history anyway finds the version there (the history is read consistently).
      const version = history.willRead
        ? (await this.deps.drafts.versions(record.caseId, await history())).find((v) => v.versi === chosen)
        : await this.deps.drafts.get(record.caseId, chosen);
      if (version) return version;
    }
    const by = task?.decision?.by ?? task?.person;
    return this.deps.drafts.forRendering(
      record,
      {
        by: by
          ? { id: by.id, nama: by.nama, jabatan: by.jabatan }
          : { id: 'sepakat', nama: 'Sepakat', jabatan: 'Sistem' },
        at: task?.decision?.at ?? this.deps.clock.now().toISOString(),
        ...(activity ? { stepId: activity.stepId } : {}),
        ...(task ? { seq: task.seq } : {}),
      },
      await history(),
    );
  }

  /** The valid paraf of each party over the current content version (earlier versions' paraf are void). */
  private async parafFor(
    record: CaseRecord,
    contentVersion: string,
    facts: HistoryOnce = this.historyOnce(record),
  ): Promise<CaseDocumentContext['paraf']> {
    const history = await facts();
    const sop = this.deps.sops.get(record.sopKey);
    const view = (pihak: Pihak) => {
      const state = parafStateOf(history, sop, pihak, contentVersion);
      const row = (r: ParafRecord): Paraf => ({
        jabatan: r.who.jabatan,
        nama: r.who.nama,
        tanggal: this.deps.pemda(record.pemdaId).localDate(new Date(r.when)),
      });
      return { hierarki: state.hierarki.map(row), koordinasi: state.koordinasi.map(row), state };
    };
    const kesatu = view('kesatu');
    const kedua = view('kedua');
    return {
      kesatu: { hierarki: kesatu.hierarki, koordinasi: kesatu.koordinasi },
      kedua: { hierarki: kedua.hierarki, koordinasi: kedua.koordinasi },
    };
  }

  /**
   * The meeting a notulen step recorded at this activation (its own values, never another meeting's case data), with
   * the pimpinan and the notulis from the directory; undefined for a step that declares no notulen.
   */
  private meetingOf(
    record: CaseRecord,
    activity: Activity,
    task: TaskRecord | undefined,
  ): CaseDocumentContext['rapat'] | undefined {
    const decision = task?.decision;
    if (!decision || rapatOf(this.deps.sops.get(record.sopKey), activity)?.catat !== 'notulen') return undefined;
    const directory = this.deps.pemda(record.pemdaId).directory;
    const person = (field: string) => {
      const id = decision.values[field];
      const found = typeof id === 'string' ? directory.person(id) : undefined;
      return found ? official(found) : undefined;
    };
    const pimpinan = person(RAPAT_FIELDS.pimpinan);
    const notulis = person(RAPAT_FIELDS.notulis);
    return { data: decision.values, ...(pimpinan ? { pimpinan } : {}), ...(notulis ? { notulis } : {}) };
  }

  /**
   * The disposisi of the case up to this activation (the Lembar Disposisi carries the chain, as the paper sheet
   * does): who gave each (the deciding official, as the directory knows them), to whom (the official holding the next
   * step's role that day), the arahan as typed and the local date. Undefined when this activation gave none.
   */
  private async disposisiUpTo(
    record: CaseRecord,
    input: { activity: Activity; seq: number; task: TaskRecord | undefined },
    ctx: CaseDocumentContext,
    history: HistoryOnce,
  ): Promise<CaseDocumentContext['disposisi'] | undefined> {
    const sop = this.deps.sops.get(record.sopKey);
    const pemda = this.deps.pemda(record.pemdaId);
    const list = disposisiOf(sop, await history()).filter((d) => d.seq <= input.seq);
    const decision = input.task?.decision;
    if (decision && !list.some((d) => d.seq === input.seq)) {
      const own = disposisiOfDecision(sop, {
        node: input.activity.id,
        stepId: input.activity.stepId,
        seq: input.seq,
        at: decision.at,
        choice: decision.choice,
        who: decision.by,
        values: decision.values,
      });
      if (own) list.push(own);
    }
    if (!list.some((d) => d.seq === input.seq)) return undefined;
    const daftar = list.map((d) => {
      const tanggal = pemda.localDate(new Date(d.at));
      const dari =
        d.seq === input.seq
          ? ctx.penandatangan
          : official({ ...pemda.directory.person(d.dari.id), nama: d.dari.nama, jabatan: d.dari.jabatan });
      return { dari, kepada: this.kepadaLabel(record, d.kepada, tanggal), arahan: d.arahan, tanggal };
    });
    return { diterima: pemda.localDate(new Date(record.createdAt)), daftar };
  }

  /** "Kepala Bagian Kerjasama (Hendra Gunawan, S.H., M.H.)": the one holder of the role that day, else the jabatan. */
  private kepadaLabel(record: CaseRecord, kepada: Disposisi['kepada'], tanggal: string): string {
    if (!kepada) return '-';
    const sop = this.deps.sops.get(record.sopKey);
    const actor = sop.actor(kepada.actorId);
    if (actor.kind === 'external') return actor.jabatan;
    const holders = this.deps.pemda(record.pemdaId).directory.holders(actor.id, tanggal);
    const [holder] = holders;
    if (holders.length !== 1 || !holder) return actor.jabatan;
    return `${holder.sebagai ? `${holder.sebagai}. ` : ''}${holder.jabatan} (${holder.nama})`;
  }

  private parties(record: CaseRecord): string[] {
    const mitra = typeof record.data['pihak-mitra'] === 'string' ? record.data['pihak-mitra'] : record.pemohon.instansi;
    return [this.profile(record).nama, mitra];
  }

  /**
   * The konsep of a content being edited (not stored), rendered as the konsep PDF would be: the pasal editor's
   * preview. The same assembly and template as the stored konsep, so what the drafter sees is what reviewers get.
   */
  async preview(record: CaseRecord, content: NaskahContent): Promise<{ pdf: Uint8Array; pages: number }> {
    const { assembled, paper } = await this.previewInput(record, content);
    const rendered = await this.deps.renderer().render(assembled.template, assembled.input as never, { paper });
    return { pdf: rendered.pdf, pages: rendered.pages };
  }

  /** The preview's pages as images (readable on a phone, which would download a PDF instead of showing it). */
  async previewPages(record: CaseRecord, content: NaskahContent, width = 900) {
    const { pdf, pages } = await this.preview(record, content);
    const images = await this.deps.renderer().pageImages(pdf, { width });
    return { pdf, pages, images };
  }

  /** The template input of a preview (what `preview` renders). */
  async previewInput(record: CaseRecord, content: NaskahContent) {
    // The edited content is not a stored version: the context names none.
    const { naskahVersi: _stored, ...base } = await this.context(record, undefined);
    const ctx: CaseDocumentContext = { ...base, naskah: content, konsep: true };
    ctx.paraf = await this.parafFor(record, this.contentVersion(ctx));
    return { assembled: this.assemble('naskah', ctx), paper: this.profile(record).dokumen.kertas };
  }

  // ─── Actions ───────────────────────────────────────────────────────────────────────────────────────────────

  /** Renders a document of the step's Output (a draft naskah is marked KONSEP) and keeps it with the case. */
  private async generate(
    input: { record: CaseRecord; activity: Activity; seq: number; task: TaskRecord | undefined },
    action: Extract<DocumentAction, { action: 'dokumen' }>,
  ): Promise<Detail> {
    const { record, seq } = input;
    const purpose = `${record.caseId}#${seq}#${action.dokumen}`;
    const existing = await this.deps.documents.get(docIdFor(purpose));
    if (existing) return documentDetail(existing);
    // The case's history is read once for everything this document prints (its naskah version, paraf, disposisi);
    // a naskah's konsep always reads it (its paraf).
    const history = this.historyOnce(record, NASKAH_DOCUMENTS.has(action.dokumen));
    const ctx = await this.context(
      record,
      input.task,
      input.activity,
      NASKAH_DOCUMENTS.has(action.dokumen) ? 'render' : 'latest',
      history,
    );
    const letterSigner = LETTERS.has(action.dokumen) ? this.profile(record).dokumen.penandatanganSurat : undefined;
    if (letterSigner) {
      const pemda = this.deps.pemda(record.pemdaId);
      const holder = pemda.directory.holders(letterSigner, ctx.tanggal)[0];
      if (holder) ctx.penandatangan = official(holder);
    }
    if (action.seri) {
      // The data is checked before a number is taken: a letter that cannot be made takes no number.
      this.assemble(action.dokumen, ctx);
      const by = input.task?.decision?.by.nama;
      const entry = await this.deps.register(record.pemdaId).allocate({
        caseId: record.caseId,
        purpose: `${action.dokumen}#${seq}`,
        series: action.seri,
        parties: this.parties(record),
        perihal: record.perihal,
        ...(by ? { by } : {}),
      });
      ctx.nomor = { ...ctx.nomor, [action.dokumen]: entry.numberText };
    }
    if (action.dokumen === 'notulen-rapat') {
      const rapat = this.meetingOf(record, input.activity, input.task);
      if (rapat) ctx.rapat = rapat;
    }
    if (action.dokumen === 'lembar-disposisi') {
      const disposisi = await this.disposisiUpTo(record, input, ctx, history);
      // A decision without an arahan (a return that needs none) gives no disposisi, so no sheet.
      if (!disposisi) return { dokumen: action.dokumen, dibuat: false, alasan: 'tanpa arahan' };
      ctx.disposisi = disposisi;
    }
    const konsep = NASKAH_DOCUMENTS.has(action.dokumen);
    if (konsep) ctx.paraf = await this.parafFor(record, this.contentVersion(ctx), history);
    const stored = await this.renderAndStore(
      record,
      { ...ctx, ...(konsep ? { konsep: true } : {}) },
      {
        document: action.dokumen,
        kind: konsep ? 'konsep-naskah' : action.dokumen,
        purpose,
        meta: konsep ? { versiIsi: this.contentVersion(ctx), versiNaskah: ctx.naskahVersi ?? 0 } : {},
      },
    );
    return documentDetail(stored);
  }

  /**
   * The template input of a document of the case. A naskah drafted by pasal (the context carries its content
   * version) is rendered with the `naskah` template from its kind's outline, whatever the kind (Kesepakatan
   * Bersama, Nota Kesepakatan, PKS, MoU, adendum); other documents from the case data.
   */
  private assemble(name: StepDocument, ctx: CaseDocumentContext): { template: DocumentName; input: unknown } {
    if (!isNaskahDocument(name)) return assembleDocument(name as Exclude<StepDocument, 'naskah'>, ctx);
    const naskah = this.naskahOf(ctx);
    if (naskah) return naskahDocument(naskah.outline, naskah.content, ctx);
    return assembleDocument('kesepakatan-bersama', ctx);
  }

  /** The name of the case's kind of naskah (its outline's: "Perjanjian Kerja Sama"), chosen or declared. */
  private namaJenis(record: CaseRecord): string {
    const jenis = jenisNaskahOf(record, (id) => this.deps.drafts.hasOutline(id), this.declaredJenis(record));
    return this.deps.drafts.outline(jenis).nama;
  }

  /** The kind of naskah the case's SOP declares (`naskah.jenis`), if it does. */
  private declaredJenis(record: CaseRecord): string | undefined {
    return this.deps.sops.get(record.sopKey).definition.naskah?.jenis;
  }

  /**
   * The content to render and its outline. The kind is the case's (`naskah-jenis` as the case holds it now): a kind
   * chosen after drafting began (a Nota Kesepakatan instead of a Kesepakatan Bersama) gives the naskah its title and
   * structure, the pasal as drafted.
   */
  private naskahOf(ctx: CaseDocumentContext) {
    if (!ctx.naskah) return undefined;
    const jenis = jenisNaskahOf(ctx, (id) => this.deps.drafts.hasOutline(id), ctx.jenisNaskahSop);
    const outline = this.deps.drafts.outline(jenis);
    return { outline, content: ctx.naskah.jenis === jenis ? ctx.naskah : { ...ctx.naskah, jenis } };
  }

  /**
   * The content version a paraf approves: the naskah's text as printed, without numbers, dates, paraf or signatures,
   * and with the kepala daerah named by jabatan only (a Plh signing does not change the text approved).
   */
  private contentVersion(ctx: CaseDocumentContext): string {
    const naskah = this.naskahOf(ctx);
    if (!naskah) return versionOf(ctx);
    const jabatan = ctx.pemda.dokumen.kepalaDaerah.jabatan;
    const kesatu = ctx.penandatanganKesatu;
    return naskahIsiVersion(naskah.outline, naskah.content, {
      ...ctx,
      kepalaDaerah: { nama: jabatan, jabatan },
      // The declared signer by jabatan only, likewise: who holds it that day does not change the text approved.
      ...(kesatu
        ? { penandatanganKesatu: { ...kesatu, official: { ...kesatu.official, nama: kesatu.official.jabatan } } }
        : {}),
    });
  }

  private async renderAndStore(
    record: CaseRecord,
    ctx: CaseDocumentContext,
    what: { document: StepDocument; kind: string; purpose: string; meta: Detail },
  ): Promise<DocumentRecord> {
    const assembled = this.assemble(what.document, ctx);
    const paper = this.profile(record).dokumen.kertas;
    const rendered = await this.deps
      .renderer()
      .render(assembled.template, assembled.input as never, { paper })
      .catch((error: unknown) => {
        if (error instanceof SepakatError) throw error;
        throw new SepakatError(ErrorNames.Transient, `Dokumen ${what.document} gagal dibuat`, { cause: error });
      });
    const { record: stored, created } = await this.deps.documents.store({
      caseId: record.caseId,
      pemdaId: record.pemdaId,
      kind: what.kind,
      purpose: what.purpose,
      bucket: this.deps.buckets.documents,
      bytes: rendered.pdf,
      contentType: 'application/pdf',
      fileName: `${what.kind}-${record.caseId}.pdf`,
      at: this.deps.clock.now(),
      templateVersion: rendered.templateVersion,
      data: assembled.input,
      meta: { ...what.meta, halaman: rendered.pages },
    });
    if (created) this.count('DocumentsRendered', record);
    return stored;
  }

  /** Reserves the number of a purpose, or records the SRIKANDI number the official entered. */
  private async number(
    input: { record: CaseRecord; task: TaskRecord | undefined },
    action: Extract<DocumentAction, { action: 'nomor' }>,
  ): Promise<Detail> {
    const { record, task } = input;
    const register = this.deps.register(record.pemdaId);
    const by = task?.decision?.by.nama;
    const srikandi = action.srikandi ? task?.decision?.values[action.srikandi] : undefined;
    const common = {
      caseId: record.caseId,
      purpose: action.untuk,
      series: action.seri,
      parties: this.parties(record),
      perihal: record.perihal,
      ...(by ? { by } : {}),
    };
    let entry: RegisterEntry;
    if (typeof srikandi === 'string' && srikandi.trim()) {
      const known = await register.get(srikandi.trim());
      // A re-run finds the number it recorded for this case and purpose; anything else goes through the register's
      // own checks (format, uniqueness, not void).
      entry =
        known && known.caseId === record.caseId && known.purpose === action.untuk && known.status !== 'dibatalkan'
          ? known
          : await register.registerSrikandi({ ...common, numberText: srikandi.trim() });
    } else {
      entry = await register.allocate(common);
    }
    await this.deps.store.setCaseData(record.caseId, { [nomorKey(action.untuk)]: entry.numberText });
    return { nomor: entry.numberText, sumber: entry.source };
  }

  /** The paraf of whoever decided, over the current content version of the naskah. */
  private async paraf(
    input: { record: CaseRecord; activity: Activity; task: TaskRecord | undefined },
    action: Extract<DocumentAction, { action: 'paraf' }>,
  ): Promise<Detail> {
    const { record, activity, task } = input;
    const decision = task?.decision;
    if (!decision) throw new SepakatError(ErrorNames.NotFound, `Paraf di ${activity.id} tanpa keputusan`);
    // A paraf in the order of a hierarchy reads the history (the paraf before it): read once, for the version too.
    const history = this.historyOnce(record, action.jenis === 'hierarki');
    const ctx = await this.context(record, task, undefined, 'render', history);
    // An external party's paraf is recorded by an official: the paraf is the party's, the record names who entered it.
    const external = activity.actor.kind === 'external';
    // The official's own paraf is over the konsep their task page showed (its version and SHA-256, checked in the POST).
    const shown = task && !external ? await this.shownDocument(task) : undefined;
    const version = typeof shown?.meta?.versiIsi === 'string' ? shown.meta.versiIsi : this.contentVersion(ctx);
    // The partner's paraf is its officials' (named by its instansi); an external unit's (the Bagian Hukum) by its name.
    const mitra = typeof record.data['pihak-mitra'] === 'string' ? record.data['pihak-mitra'] : record.pemohon.instansi;
    const who = external
      ? {
          nama: `dicatat oleh ${decision.by.nama}`,
          jabatan: action.pihak === 'kedua' ? `Pejabat ${mitra}` : activity.actor.jabatan,
        }
      : { nama: decision.by.nama, jabatan: decision.by.jabatan, ...(decision.by.nip ? { nip: decision.by.nip } : {}) };
    let order = 1;
    if (action.jenis === 'hierarki')
      order = nextHierarkiOrder(await history(), this.deps.sops.get(record.sopKey), action.pihak, version);
    return {
      paraf: action.jenis,
      pihak: action.pihak,
      urutan: order,
      nama: who.nama,
      jabatan: who.jabatan,
      ...('nip' in who && who.nip ? { nip: who.nip } : {}),
      versiIsi: version,
      waktu: decision.at,
      ...(external ? { dicatatOleh: decision.by.nama } : {}),
      ...(shown ? { sha256Dokumen: shown.sha256, dokumenTampil: shown.docId } : {}),
    };
  }

  /**
   * The final naskah of a signature: signed in the official's POST over exactly the PDF their task page showed
   * (`signShown`), before the decision was recorded. This action, after the decision, only records it on the case.
   */
  private async sign(
    input: { record: CaseRecord; activity: Activity; seq: number; task: TaskRecord | undefined },
    action: Extract<DocumentAction, { action: 'tandatangan' }>,
  ): Promise<Detail> {
    const { record, activity, task } = input;
    if (!task?.decision) throw new SepakatError(ErrorNames.NotFound, `Tanda tangan di ${activity.id} tanpa keputusan`);
    const signed = await this.signedDocument(task);
    if (!signed)
      throw new SepakatError(
        ErrorNames.NotFound,
        `${SIGNED_LETTERS.has(action.dokumen) ? documentKindLabel(action.dokumen) : 'Naskah'} di ${activity.id} belum ditandatangani pada halaman tugas`,
      );
    if (SIGNED_LETTERS.has(action.dokumen)) {
      // The letter is signed: its number goes from "dicadangkan" to "dipakai", dated the day it was signed.
      const day = this.deps.pemda(record.pemdaId).localDate(new Date(signed.createdAt));
      const entry = await this.deps.register(record.pemdaId).markUsed(signed.nomor!, {
        dates: { document: day, signed: day },
        by: task.decision.by.nama,
      });
      return { ...documentDetail(signed), status: entry.status };
    }
    await this.rememberSigned(record, signed, (await this.deps.drafts.versions(record.caseId)).at(-1)?.content.tentang);
    return documentDetail(signed);
  }

  /**
   * The number of a letter (or naskah) to be signed: the one an earlier step reserved for its purpose, else taken
   * from the act's series as the signing task opens (the register's allocation is idempotent per case and purpose, so a
   * reassignment or a retry finds the same number). It stays "dicadangkan" until the letter is signed.
   */
  private async letterNumber(
    record: CaseRecord,
    act: Extract<SigningAct, { act: 'tandatangan' }>,
    task: TaskRecord,
  ): Promise<string> {
    const reserved = this.numbers(record)[act.nomor];
    if (reserved) return reserved;
    if (!act.seri)
      throw new SepakatError(
        ErrorNames.InvalidDefinition,
        `Nomor "${act.nomor}" belum dicadangkan dan langkah ${task.node} tidak menyebut seri untuk mengambil nomor`,
      );
    const entry = await this.deps.register(record.pemdaId).allocate({
      caseId: record.caseId,
      purpose: act.nomor,
      series: act.seri,
      parties: this.parties(record),
      perihal: record.perihal,
      by: task.person.nama,
    });
    await this.deps.store.setCaseData(record.caseId, { [nomorKey(act.nomor)]: entry.numberText });
    return entry.numberText;
  }

  // ─── Signing tasks (core/documents/signing-task.ts) ─────────────────────────────────────────────────────────

  /**
   * The document a signing task shows its bound person, rendered when the task opens (and for the new person after
   * a reassignment): for a signature the final naskah with its number, the paraf table, the QR code and the footer
   * naming the certificate that will sign it; for a paraf the current konsep with the paraf so far. Stored once per
   * binding, with the images of its pages beside it.
   */
  async prepareShown(input: {
    record: CaseRecord;
    activity: Activity;
    task: TaskRecord;
  }): Promise<DocumentRecord | undefined> {
    const { record, activity, task } = input;
    const act = signingActOf(activity);
    if (!act) return undefined;
    const purpose = shownPurpose(task);
    const existing = await this.deps.documents.get(docIdFor(purpose));
    if (existing) return existing;
    const profile = this.profile(record);
    // A naskah is shown from its content version (made to exist); a letter only reads the naskah's title. Its paraf
    // are read from the history in any case.
    const history = this.historyOnce(record, true);
    const base = await this.context(
      record,
      task,
      activity,
      SIGNED_LETTERS.has(act.dokumen) ? 'latest' : 'render',
      history,
    );
    const version = this.contentVersion(base);
    const paraf = await this.parafFor(record, version, history);
    let ctx: CaseDocumentContext;
    let meta: Detail = { versiIsi: version, tindakan: act.act, untuk: task.person.nama, jabatan: task.person.jabatan };
    let fileName: string;
    if (act.act === 'tandatangan' && SIGNED_LETTERS.has(act.dokumen)) {
      // A letter, signed by the official it names: the number reserved earlier, or taken now (Ambil Nomor).
      const nomor = await this.letterNumber(record, act, task);
      const description = await this.deps.signer.describe(signingOfficialOf(task.person, record.pemdaId, profile.nama));
      const person = this.deps.pemda(record.pemdaId).directory.person(task.person.id);
      ctx = {
        ...base,
        penandatangan: official({ ...person, ...task.person }),
        nomor: { ...base.nomor, [act.dokumen]: nomor },
        tte: tteOf(description, `${this.deps.publicBaseUrl}/verifikasi/${docIdFor(signedPurpose(task))}`),
      };
      meta = { ...meta, nomorNaskah: nomor, sertifikatPengembangan: description.development };
      fileName = `${act.dokumen}-${fileSafe(nomor)}-untuk-ditandatangani.pdf`;
    } else if (act.act === 'tandatangan') {
      // The naskah's number as for a letter: reserved earlier, or taken from the act's series as the task opens.
      const nomor = await this.letterNumber(record, act, task);
      const description = await this.deps.signer.describe(signingOfficialOf(task.person, record.pemdaId, profile.nama));
      // The signer is the task's person: as the kepala daerah (or their Plt/Plh), or as the signer the SOP declares
      // for PIHAK KESATU, with their own jabatan and the surat kuasa they sign on.
      const signer = official({ ...this.deps.pemda(record.pemdaId).directory.person(task.person.id), ...task.person });
      ctx = {
        ...base,
        // Taken as the task opens, the number is not yet in the case data the context was read from.
        nomor: { ...base.nomor, [act.nomor]: nomor },
        ...(base.penandatanganKesatu
          ? { penandatanganKesatu: { ...base.penandatanganKesatu, official: signer } }
          : { kepalaDaerah: { ...official(task.person), jabatan: profile.dokumen.kepalaDaerah.jabatan } }),
        paraf,
        tte: tteOf(description, `${this.deps.publicBaseUrl}/verifikasi/${docIdFor(signedPurpose(task))}`),
      };
      meta = { ...meta, nomorNaskah: nomor, sertifikatPengembangan: description.development };
      fileName = `naskah-${fileSafe(nomor)}-untuk-ditandatangani.pdf`;
    } else {
      ctx = { ...base, paraf, konsep: true };
      fileName = 'konsep-naskah.pdf';
    }
    const assembled = this.assemble(act.dokumen, ctx);
    const renderer = this.deps.renderer();
    const transient = (what: string) => (error: unknown) => {
      if (error instanceof SepakatError) throw error;
      throw new SepakatError(ErrorNames.Transient, what, { cause: error });
    };
    const rendered = await renderer
      .render(assembled.template, assembled.input as never, { paper: profile.dokumen.kertas })
      .catch(transient(`Dokumen untuk ${act.act === 'paraf' ? 'diparaf' : 'ditandatangani'} gagal dibuat`));
    const pageImages = await renderer.pageImages(rendered.pdf).catch(transient('Gambar halaman dokumen gagal dibuat'));
    const { record: stored, created } = await this.deps.documents.store({
      caseId: record.caseId,
      pemdaId: record.pemdaId,
      kind: SHOWN_KIND[act.act],
      purpose,
      bucket: this.deps.buckets.documents,
      bytes: rendered.pdf,
      contentType: 'application/pdf',
      fileName,
      at: this.deps.clock.now(),
      templateVersion: rendered.templateVersion,
      data: assembled.input,
      meta: { ...meta, halaman: rendered.pages },
      pageImages,
    });
    if (created) this.count('DocumentsRendered', record);
    return stored;
  }

  /**
   * The document a signing task shows its person: from `listed` (the case's documents, listed by the caller) when it
   * is there, else read. A document record is written once and never changed, so a listed one is the record.
   */
  async shownDocument(task: TaskRecord, listed?: readonly DocumentRecord[]): Promise<DocumentRecord | undefined> {
    const docId = docIdFor(shownPurpose(task));
    return listed?.find((d) => d.docId === docId) ?? this.deps.documents.get(docId);
  }

  /** The documents stored for a case (its index: eventually consistent). */
  caseDocuments(caseId: string): Promise<DocumentRecord[]> {
    return this.deps.documents.listByCase(caseId);
  }

  shownPage(document: DocumentRecord, index: number): Promise<Uint8Array | undefined> {
    return this.deps.documents.readPageImage(document, index);
  }

  /** Whether the pemda signs through BSrE (the official gives a passphrase or TOTP at the moment of signing). */
  needsCredential(record: CaseRecord): boolean {
    return this.deps.pemda(record.pemdaId).directory.data.tandaTangan.penyedia === 'bsre';
  }

  /**
   * What signing needs of the task's person (a BSrE signer's status, asked of BSrE; a read, changing nothing). A
   * provider that cannot be reached is reported as not ready, with what to do.
   */
  async signingReadiness(record: CaseRecord, task: TaskRecord): Promise<SigningReadiness> {
    const official = signingOfficialOf(task.person, record.pemdaId, this.profile(record).nama);
    return this.deps.signer.readiness(official).catch((error: unknown) => {
      if (!(error instanceof SepakatError)) throw error;
      return {
        provider: 'bsre' as const,
        ready: false as const,
        status: 'TIDAK_TERHUBUNG',
        message: `${error.message} Status sertifikat Anda belum dapat diperiksa; muat ulang halaman ini beberapa saat lagi.`,
      };
    });
  }

  /** Asks the provider to send a TOTP to the task person's BeSign app. */
  requestTotp(record: CaseRecord, task: TaskRecord): Promise<void> {
    return this.deps.signer.requestTotp(signingOfficialOf(task.person, record.pemdaId, this.profile(record).nama));
  }

  signedDocument(task: TaskRecord): Promise<DocumentRecord | undefined> {
    return this.deps.documents.get(docIdFor(signedPurpose(task)));
  }

  /**
   * Signs exactly the bytes of the document the task showed (read back, checked against its recorded SHA-256) as
   * the task's person, and stores the signed PDF: the shown PDF plus the signature and its validation data, nothing
   * else. Once per activation: a signed document found is returned as it is.
   */
  async signShown(input: {
    record: CaseRecord;
    activity: Activity;
    task: TaskRecord;
    shown: DocumentRecord;
    /** The official's passphrase or TOTP (`bsre`): passed to the one sign request and nowhere else. */
    credential?: SigningCredential;
  }): Promise<DocumentRecord> {
    const { record, activity, task, shown } = input;
    const act = signingActOf(activity);
    if (act?.act !== 'tandatangan')
      throw new SepakatError(ErrorNames.InvalidDefinition, `Langkah ${activity.id} tidak menandatangani dokumen`);
    const purpose = signedPurpose(task);
    const existing = await this.deps.documents.get(docIdFor(purpose));
    if (existing) return existing;
    const nomor = this.numbers(record)[act.nomor];
    if (!nomor || shown.meta?.nomorNaskah !== nomor)
      throw new SepakatError(
        ErrorNames.InvalidDefinition,
        `Nomor "${act.nomor}" naskah yang ditampilkan di ${activity.id} tidak sama dengan nomor di register`,
      );
    const profile = this.profile(record);
    const signer = signingOfficialOf(task.person, record.pemdaId, profile.nama);
    const bytes = await this.deps.documents.read(shown);
    const letter = SIGNED_LETTERS.has(act.dokumen);
    const jenis = letter ? documentKindLabel(act.dokumen) : this.namaJenis(record);
    const pdf = await this.deps.signer.signPdf(
      bytes,
      signer,
      {
        reason: `Menandatangani ${jenis} Nomor ${nomor}`,
        location: profile.dokumen.tempat,
        name: task.person.nama,
        contactInfo: task.person.email,
        signingTime: this.deps.clock.now(),
      },
      input.credential,
    );
    this.deps.faults.point('after-document-signed');
    const { record: stored, created } = await this.deps.documents.store({
      caseId: record.caseId,
      pemdaId: record.pemdaId,
      // A signed letter is kept as its own kind (the register's number names it); the naskah as the signed naskah.
      kind: letter ? `${act.dokumen}-ditandatangani` : 'naskah-ditandatangani',
      purpose,
      bucket: this.deps.buckets.documents,
      bytes: pdf,
      contentType: 'application/pdf',
      fileName: `${letter ? act.dokumen : 'naskah'}-${fileSafe(nomor)}.pdf`,
      at: this.deps.clock.now(),
      ...(shown.templateVersion ? { templateVersion: shown.templateVersion } : {}),
      dataOf: shown,
      nomor,
      asli: true,
      meta: {
        versiIsi: String(shown.meta?.versiIsi ?? ''),
        penandatangan: task.person.nama,
        jabatan: task.person.jabatan,
        sertifikatPengembangan: shown.meta?.sertifikatPengembangan === true,
        halaman: Number(shown.meta?.halaman ?? 0),
        // What the official was shown: the signed PDF's unsigned revision is exactly these bytes.
        dokumenTampil: shown.docId,
        sha256Tampil: shown.sha256,
      },
    });
    if (created) this.count('DocumentsSigned', record);
    return stored;
  }

  /** The signed naskah and its date (later documents, such as the laporan pelaksanaan, count from it). */
  private async rememberSigned(record: CaseRecord, signed: DocumentRecord, tentang?: string): Promise<void> {
    await this.deps.store.setCaseData(record.caseId, {
      // The register of agreements names the agreement by the title as signed.
      ...(tentang ? { 'naskah-tentang': tentang } : {}),
      // Later documents and the completion package name the naskah by its kind as signed.
      [NAMA_JENIS_KEY]: this.namaJenis(record),
      [SIGNED_NASKAH_KEY]: signed.docId,
      'naskah-tanggal': this.deps.pemda(record.pemdaId).localDate(new Date(signed.createdAt)),
    });
  }

  /**
   * The partner's copy. A PDF that begins with the exact bytes of our signed naskah and adds a valid signature as an
   * incremental update is the naskah signed electronically by both parties; anything else is a scan of the copy the
   * partner signed on paper, archived as such. The register records which copy is the original.
   */
  private async partnerSignature(
    input: { record: CaseRecord; activity: Activity; seq: number; task: TaskRecord | undefined },
    action: Extract<DocumentAction, { action: 'tandatangan-mitra' }>,
  ): Promise<Detail> {
    const { record, seq, task } = input;
    const file = task?.decision?.files.find((f) => f.slot === action.berkas);
    if (!file) throw new SepakatError(ErrorNames.NotFound, `Berkas ${action.berkas} tidak ada pada keputusan`);
    const nomor = this.numbers(record)[action.nomor];
    const bytes = await this.checkedUpload(file);
    const ours = await this.signedNaskah(record);
    const electronic = ours
      ? await this.deps.signer.countersignature(bytes, ours.bytes, this.deps.clock.now())
      : undefined;
    const by = task?.decision?.by.nama;
    // One purpose for the partner's copy, whatever it turns out to be: a retry finds the first classification.
    const purpose = `${record.caseId}#${seq}#salinan-mitra`;
    const earlier = await this.deps.documents.get(docIdFor(purpose));
    if (earlier) return { ...documentDetail(earlier), cara: String(earlier.meta?.cara ?? '') };
    if (electronic?.ok) {
      const { record: stored } = await this.deps.documents.store({
        caseId: record.caseId,
        pemdaId: record.pemdaId,
        kind: 'naskah-para-pihak',
        purpose,
        bucket: this.deps.buckets.documents,
        bytes,
        contentType: 'application/pdf',
        fileName: `naskah-para-pihak-${(nomor ?? record.caseId).replace(/[^A-Za-z0-9]+/g, '-')}.pdf`,
        at: this.deps.clock.now(),
        ...(nomor ? { nomor } : {}),
        asli: true,
        meta: {
          cara: 'elektronik',
          tandaTanganMitra: electronic.signer,
          rantaiMitraTerpercaya: electronic.partnerChainTrusted,
        },
      });
      // The original is this electronic copy; a printout filed later is a copy (see `archive`).
      await this.deps.store.setCaseData(record.caseId, { [ORIGINAL_KEY]: 'elektronik' });
      if (nomor)
        await this.deps.register(record.pemdaId).setOriginalLocation(nomor, {
          location: `Arsip elektronik Sepakat, dokumen ${stored.docId}`,
          copy: electronic.partnerChainTrusted
            ? 'Asli elektronik bertanda tangan para pihak'
            : 'Asli elektronik bertanda tangan para pihak (sertifikat mitra di luar rantai terpercaya: perlu diperiksa)',
          ...(by ? { by } : {}),
        });
      return { ...documentDetail(stored), cara: 'elektronik' };
    }
    const stored = await this.storeScan(record, purpose, bytes, file, nomor, false, {
      cara: 'kertas',
      ...(electronic ? { catatan: electronic.reason } : {}),
    });
    return { ...documentDetail(stored), cara: 'kertas' };
  }

  private async signedNaskah(record: CaseRecord): Promise<{ record: DocumentRecord; bytes: Uint8Array } | undefined> {
    const docId = record.data[SIGNED_NASKAH_KEY];
    if (typeof docId !== 'string') return undefined;
    const stored = await this.deps.documents.get(docId);
    return stored ? { record: stored, bytes: await this.deps.documents.read(stored) } : undefined;
  }

  /** An upload read back: the bytes must be those checked by content when the decision was submitted. */
  private checkedUpload(file: StoredFile): Promise<Uint8Array> {
    return this.deps.files.readAccepted(file, this.deps.maxUploadBytes);
  }

  private async storeScan(
    record: CaseRecord,
    purpose: string,
    bytes: Uint8Array,
    file: { name: string; contentType: string },
    nomor: string | undefined,
    asli: boolean,
    meta: Detail,
  ): Promise<DocumentRecord> {
    const { record: stored } = await this.deps.documents.store({
      caseId: record.caseId,
      pemdaId: record.pemdaId,
      kind: 'arsip-pindai',
      purpose,
      bucket: this.deps.buckets.archive,
      bytes,
      contentType: file.contentType,
      fileName: file.name,
      at: this.deps.clock.now(),
      ...(nomor ? { nomor } : {}),
      asli,
      meta,
    });
    return stored;
  }

  /** Archives the scanned signed copy (checked by content at upload) under the case's number. */
  private async archive(
    input: { record: CaseRecord; seq: number; task: TaskRecord | undefined },
    action: Extract<DocumentAction, { action: 'arsip' }>,
  ): Promise<Detail> {
    const { record, seq, task } = input;
    const file = action.berkas ? task?.decision?.files.find((f) => f.slot === action.berkas) : undefined;
    const nomor = this.numbers(record)[action.nomor];
    const lokasi = action.lokasi ? task?.decision?.values[action.lokasi] : undefined;
    let stored: DocumentRecord | undefined;
    if (file && action.berkas) {
      const bytes = await this.checkedUpload(file);
      stored = await this.storeScan(
        record,
        `${record.caseId}#${seq}#arsip#${action.berkas}`,
        bytes,
        file,
        nomor,
        action.asli,
        {
          cara: 'pindaian',
          ...(typeof lokasi === 'string' && lokasi ? { lokasiAsli: lokasi } : {}),
        },
      );
    }
    // Where the electronic copy of both parties is the original, a printout filed on paper does not replace it.
    const electronicOriginal = record.data[ORIGINAL_KEY] === 'elektronik';
    if (nomor && typeof lokasi === 'string' && lokasi.trim() && !electronicOriginal) {
      const by = task?.decision?.by.nama;
      await this.deps.register(record.pemdaId).setOriginalLocation(nomor, {
        location: lokasi.trim(),
        copy: stored ? 'Asli bermeterai di atas kertas, pindaian di arsip Sepakat' : 'Asli bermeterai di atas kertas',
        ...(by ? { by } : {}),
      });
    }
    return { ...(stored ? documentDetail(stored) : {}), ...(typeof lokasi === 'string' ? { lokasiAsli: lokasi } : {}) };
  }

  /** The number is used: the signed naskah carries it. Dates of the naskah, its signature and its term. */
  private async registerUse(
    input: { record: CaseRecord; task: TaskRecord | undefined },
    action: Extract<DocumentAction, { action: 'daftar' }>,
  ): Promise<Detail> {
    const { record, task } = input;
    const nomor = this.numbers(record)[action.nomor];
    if (!nomor) throw new SepakatError(ErrorNames.InvalidDefinition, `Nomor "${action.nomor}" belum ada`);
    const signed = await this.signedNaskah(record);
    const signedOn = signed
      ? this.deps.pemda(record.pemdaId).localDate(new Date(signed.record.createdAt))
      : this.today(record);
    const years = jangkaWaktu(record);
    const until = addYears(signedOn, years);
    const by = task?.decision?.by.nama;
    const entry = await this.deps.register(record.pemdaId).markUsed(nomor, {
      dates: { document: signedOn, signed: signedOn, validFrom: signedOn, validUntil: until },
      ...(by ? { by } : {}),
    });
    if (signed && action.nomor === 'naskah') await this.deps.onNaskahRegistered?.(record.caseId);
    return { nomor: entry.numberText, status: entry.status, berlakuSampai: until };
  }
}

/** The case data field holding the date and time set for the signing of the naskah. */
export const SIGNING_TIME_KEY = 'waktu-penandatanganan';

/** The day the naskah is signed, as set at the signing step (YYYY-MM-DD), if set. */
export function signingDay(data: Readonly<Record<string, unknown>>): string | undefined {
  const value = data[SIGNING_TIME_KEY];
  const day = typeof value === 'string' ? /^(\d{4}-\d{2}-\d{2})/.exec(value)?.[1] : undefined;
  return day && !Number.isNaN(Date.parse(day)) ? day : undefined;
}

/** The official a signature is made for: the task's person, the pemda as organisation. */
function signingOfficialOf(person: TaskRecord['person'], pemdaId: string, instansi: string): SigningOfficial {
  return {
    pemdaId,
    id: person.id,
    nama: person.nama,
    jabatan: person.jabatan,
    ...(person.nip ? { nip: person.nip } : {}),
    instansi,
  };
}

/** The footer and QR code of a signed naskah, naming the certificate that signs it (development or certified). */
function tteOf(description: SignatureDescription, verifyUrl: string): NonNullable<CaseDocumentContext['tte']> {
  return {
    qr: verifyUrl,
    label: 'Pindai untuk memeriksa keaslian',
    keterangan: tteFooter(description, verifyUrl),
  };
}

/**
 * What the footer of a signed document says signed it. BSrE's own wording (a certificate issued by BSrE, BSSN; UU ITE
 * Pasal 5 ayat 1) only for a certified TTE; the local BSrE tiruan, a pemda's own CA and the development CA each say
 * what they are, and that they are not BSrE.
 */
export function tteFooter(description: SignatureDescription, verifyUrl: string): string {
  switch (description.kind) {
    case 'bsre':
      return `Dokumen ini telah ditandatangani secara elektronik oleh ${description.name} menggunakan sertifikat elektronik yang diterbitkan oleh Balai Besar Sertifikasi Elektronik (BSrE), Badan Siber dan Sandi Negara. Sesuai Pasal 5 ayat (1) Undang-Undang Nomor 11 Tahun 2008 tentang Informasi dan Transaksi Elektronik sebagaimana telah diubah, informasi elektronik dan/atau hasil cetaknya merupakan alat bukti hukum yang sah. Periksa keaslian di ${verifyUrl}`;
    case 'bsre-tiruan':
      return `Ditandatangani secara elektronik oleh ${description.name} melalui layanan BSrE tiruan — bukan BSrE (layanan uji lokal Sepakat): BUKAN tanda tangan elektronik tersertifikasi. Periksa keaslian di ${verifyUrl}`;
    case 'pemda':
      return `Ditandatangani secara elektronik oleh ${description.name} dengan sertifikat yang diterbitkan oleh ${description.issuer}, bukan TTE tersertifikasi BSrE. Periksa keaslian di ${verifyUrl}`;
    case 'pengembangan':
      return `Ditandatangani secara elektronik oleh ${description.name} dengan sertifikat pengembangan Sepakat (${description.issuer}), BUKAN sertifikat elektronik BSrE: tidak berlaku sebagai tanda tangan elektronik tersertifikasi. Periksa keaslian di ${verifyUrl}`;
  }
}

const fileSafe = (text: string) => text.replace(/[^A-Za-z0-9]+/g, '-');

function documentDetail(d: DocumentRecord): Detail {
  return { docId: d.docId, sha256: d.sha256, jenis: d.kind, ...(d.nomor ? { nomor: d.nomor } : {}) };
}
