import { taskMaySeeDocument } from '../../core/access/access.ts';
import { randomBytes } from 'node:crypto';
import { documentKindLabel } from '../../core/documents/kinds.ts';
import { ACT_BUTTON, READ_CONFIRMATION, SIGNING_FIELDS, withoutCredential } from '../../core/documents/signing-task.ts';
import type { SigningReadiness } from '../../core/ports.ts';
import {
  caseFiles,
  listCaseDocuments,
  type ListedDocument,
  type ListedVersion,
} from '../../core/case/task-documents.ts';
import { activityLabel } from '../../core/sop/step-label.ts';
import type { FormErrors, LinkProblem, TaskView } from '../../core/case/task-actions.ts';
import { acceptLabel, formatBytes } from '../../core/files/accepted-files.ts';
import { CODE_LIMIT, FRESH_LINK_LIMIT } from '../../core/case/link-limits.ts';
import { linkProblemPage } from './link-problems.ts';
import { naskahEditorModel, type EditorState } from './naskah-editor.ts';
import type { CurrentNaskah } from '../../core/naskah/drafts.ts';
import { perubahanNaskah, type PerubahanView } from '../../core/naskah/diff-view.ts';
import { attachment } from './responses.ts';
import type { HistoryEvent } from '../../core/case/model.ts';
import type { DocumentRecord } from '../../core/documents/document-record.ts';
import { UPLOAD_REQUEST_LABELS, UploadRequest } from './input-schemas.ts';
import { parseInput } from '../../core/validation/issues.ts';
import { FORMAT_DAFTAR_HADIR } from '../../core/validation/daftar-hadir.ts';
import { disposisiFor, disposisiLine, disposisiOf } from '../../core/case/disposisi.ts';
import { prefillRapat } from '../../core/case/rapat.ts';
import {
  json,
  redirectTo,
  type HttpResult,
  type MessageModel,
  type Route,
  type WebContext,
  type WebUseCases,
} from './web-context.ts';

/**
 * The task pages: an official's capability link `/tugas/<taskId.version.personTag.mac>`. The link is the authority;
 * what it names beyond its task is scoped to the task's case. GET shows, POST decides once; downloads are acts
 * (POST, then a short-lived link), so a mail scanner following GETs records nothing.
 */
const TOKEN = '([A-Za-z0-9_-]{22}\\.\\d{1,6}\\.[A-Za-z0-9_-]{8}\\.[A-Za-z0-9_-]{32}|[^/]{1,200})';

export function taskRoutes(ctx: WebContext): Route[] {
  const pages = new TaskPages(ctx);
  return [
    {
      method: 'GET',
      pattern: new RegExp(`^/tugas/${TOKEN}$`),
      params: ['tautan'],
      run: async (_e, m) => pages.show(m[1]!),
    },
    {
      method: 'POST',
      pattern: new RegExp(`^/tugas/${TOKEN}$`),
      params: ['tautan'],
      run: async (e, m) => pages.submit(m[1]!, ctx.form(e)),
    },
    {
      method: 'POST',
      pattern: new RegExp(`^/tugas/${TOKEN}/unggah$`),
      params: ['tautan'],
      run: async (e, m) => pages.upload(m[1]!, e.body ?? ''),
    },
    {
      method: 'POST',
      pattern: new RegExp(`^/tugas/${TOKEN}/kode$`),
      params: ['tautan'],
      run: async (e, m) => pages.sendCode(m[1]!, ctx.form(e)),
    },
    {
      method: 'POST',
      pattern: new RegExp(`^/tugas/${TOKEN}/totp$`),
      params: ['tautan'],
      run: async (e, m) => pages.requestTotp(m[1]!, ctx.form(e)),
    },
    {
      method: 'POST',
      pattern: new RegExp(`^/tugas/${TOKEN}/naskah$`),
      params: ['tautan'],
      run: async (e, m) => pages.editNaskah(m[1]!, ctx.form(e)),
    },
    {
      method: 'POST',
      pattern: new RegExp(`^/tugas/${TOKEN}/naskah/perbandingan$`),
      params: ['tautan'],
      run: async (_e, m) => pages.comparisonSheet(m[1]!),
    },
    {
      method: 'POST',
      pattern: new RegExp(`^/tugas/${TOKEN}/naskah/pratinjau$`),
      params: ['tautan'],
      run: async (e, m) => pages.previewNaskah(m[1]!, ctx.form(e)),
    },
    {
      method: 'POST',
      pattern: new RegExp(`^/tugas/${TOKEN}/tautan-baru$`),
      params: ['tautan'],
      run: async (_e, m) => pages.renew(m[1]!),
    },
    {
      method: 'POST',
      pattern: new RegExp(`^/tugas/${TOKEN}/dokumen/([A-Za-z0-9_-]{22})$`),
      params: ['tautan', 'dokumen'],
      run: async (_e, m) => pages.generatedDocument(m[1]!, m[2]!),
    },
    {
      // The page images of a signing task's document (reads only: a GET that acts on nothing).
      method: 'GET',
      pattern: new RegExp(`^/tugas/${TOKEN}/halaman/(\\d{1,3})\\.png$`),
      params: ['tautan', 'urutan'],
      run: async (_e, m) => pages.pageImage(m[1]!, Number(m[2])),
    },
    {
      method: 'POST',
      pattern: new RegExp(`^/tugas/${TOKEN}/berkas/(\\d{1,4})$`),
      params: ['tautan', 'urutan'],
      run: async (_e, m) => pages.download(m[1]!, Number(m[2])),
    },
  ];
}

/** How long a download link lives once it was asked for (and logged). */
const DOWNLOAD_SECONDS = 300;

class TaskPages {
  private readonly app: WebUseCases;
  constructor(private readonly ctx: WebContext) {
    this.app = ctx.app;
  }

  private message(statusCode: number, model: MessageModel): HttpResult {
    return this.ctx.message(statusCode, model);
  }

  private html(
    statusCode: number,
    name: string,
    model: Record<string, unknown>,
    title: string,
    kop?: string,
  ): HttpResult {
    return this.ctx.html(statusCode, name, model, title, kop ? { kop } : {});
  }

  private async problem(token: string, p: LinkProblem): Promise<HttpResult> {
    const page = linkProblemPage('tugas', p.problem);
    if (p.problem === 'kedaluwarsa')
      return this.message(page.status, {
        ...page,
        aksi: {
          url: `/tugas/${token}/tautan-baru`,
          tombol: 'Kirim tautan baru ke email pejabat',
          keterangan: `Tautan baru hanya dikirim ke alamat email yang terdaftar untuk tugas ini, paling banyak ${FRESH_LINK_LIMIT.max} kali dalam satu jam.`,
        },
      });
    if (p.problem === 'batas-tautan') {
      const pemdaId = (await this.app.runtime.requireCase(p.task.caseId)).pemdaId;
      return this.message(page.status, {
        ...page,
        pesan: `${page.pesan} Tautan baru berikutnya dapat diminta mulai ${this.formatAt(p.nextAt, pemdaId)}.`,
      });
    }
    if (p.problem === 'selesai') {
      const d = p.task.decision;
      const record = await this.app.runtime.requireCase(p.task.caseId);
      const pemdaId = record.pemdaId;
      // The decision in the words of its choice ("Setuju, teruskan"), never its value ("lanjut").
      const label =
        d && this.app.runtime.activityOf(record, p.task.node).choices.find((c) => c.value === d.choice)?.label;
      return this.message(p.sameSubmission ? 200 : page.status, {
        ...page,
        ...(p.sameSubmission
          ? {
              judul: 'Keputusan Anda sudah tercatat',
              pesan: 'Formulir ini sudah terkirim sebelumnya; keputusan tercatat sekali saja.',
              jenis: 'ok' as const,
            }
          : {}),
        rincian: d
          ? [
              { label: 'Oleh', nilai: `${d.by.nama} (${d.by.jabatan})` },
              { label: 'Waktu', nilai: this.formatAt(d.at, pemdaId) },
              { label: 'Keputusan', nilai: label ?? d.choice },
            ]
          : [],
      });
    }
    return this.message(page.status, page);
  }

  /** A time in the case's pemda zone (WIB/WITA/WIT), from its SOP. */
  private formatAt(iso: string, pemdaId: string): string {
    return this.app.catalog.pemda(pemdaId).formatDateTime(new Date(iso));
  }

  async show(token: string): Promise<HttpResult> {
    // The page lists the case's documents and shows its history: both read as the link opens, alongside the case.
    const view = await this.app.actions.open(token, undefined, { withDocuments: true, withPageHistory: true });
    if ('problem' in view) return this.problem(token, view);
    return this.taskPage(200, token, view, await this.caseFacts(view.task.caseId, view), {}, {});
  }

  /**
   * The pasal editor's buttons (the task form posted to `/naskah`): an operation (add, remove, move a pasal or an
   * ayat) brings the page back edited, nothing stored; "Simpan konsep" saves a content version, conditional on the
   * version the form was drawn from. Everything else typed in the form is kept.
   */
  async editNaskah(token: string, form: Record<string, string>): Promise<HttpResult> {
    const edited = await this.app.actions.editNaskah(token, form);
    if ('problem' in edited) return this.problem(token, edited);
    if ('notDrafting' in edited)
      return this.message(404, { judul: 'Tidak ada naskah', pesan: 'Langkah ini tidak menyusun naskah.' });
    const { view, result } = edited;
    const { task } = view;
    const facts = await this.caseFacts(task.caseId, view);
    const kept = { ...form, kode: '' };
    switch (result.kind) {
      case 'diedit':
        return this.taskPage(200, token, view, facts, {}, kept, undefined, {
          content: result.content,
          base: result.base,
        });
      case 'tidak-valid':
        return this.taskPage(
          400,
          token,
          view,
          facts,
          {
            ...Object.fromEntries(result.issues.map((i) => [i.field, i.message])),
            naskah: 'Konsep belum disimpan: periksa pasal yang ditandai.',
          },
          kept,
          undefined,
          { content: result.content, base: result.base },
        );
      case 'basi':
        return this.taskPage(
          409,
          token,
          view,
          facts,
          {
            naskah: `Konsep belum disimpan: naskah sudah diubah oleh ${result.current.by.nama} (versi ${result.current.versi}) sejak halaman ini dibuka. Periksa perubahannya, lalu terapkan lagi suntingan Anda pada versi terbaru.`,
          },
          kept,
          undefined,
          { content: result.mine, base: result.base, basi: { current: result.current, mine: result.mine } },
        );
      case 'tersimpan':
        return this.taskPage(200, token, view, facts, {}, kept, undefined, {
          content: result.version.content,
          base: result.version.versi,
          notice: result.created
            ? `Konsep tersimpan sebagai versi ${result.version.versi}.`
            : `Tidak ada perubahan: konsep tetap versi ${result.version.versi}.`,
        });
    }
  }

  /** The Lembar Perbandingan Naskah of what the page shows (a PDF; the download is recorded in the history). */
  async comparisonSheet(token: string): Promise<HttpResult> {
    const view = await this.app.actions.open(token);
    if ('problem' in view) return this.problem(token, view);
    const { task, record } = view;
    const sheet = await this.app.lembarPerbandingan({
      caseId: task.caseId,
      person: { id: task.person.id, nama: task.person.nama, jabatan: task.person.jabatan },
      via: 'tautan tugas',
      awal: this.app.drafts.start(record),
    });
    return attachment(sheet.fileName, 'application/pdf', sheet.pdf);
  }

  /** The konsep as it would print, from the editor's content as posted (nothing stored): its pages as images. */
  async previewNaskah(token: string, form: Record<string, string>): Promise<HttpResult> {
    const view = await this.app.actions.open(token);
    if ('problem' in view) return this.problem(token, view);
    const { record, activity } = view;
    if (!this.app.drafts.edits(activity))
      return this.message(404, { judul: 'Tidak ada naskah', pesan: 'Langkah ini tidak menyusun naskah.' });
    const posted = this.app.drafts.fromForm(form, this.app.drafts.outlineOf(record).id);
    const content = posted?.content ?? (await this.app.drafts.current(record)).content;
    const { images } = await this.app.naskahPreview(record, content);
    // The pages as images, which a phone shows (it would download a PDF); the editor's script puts them beside it.
    return this.html(
      200,
      'pratinjau-naskah',
      {
        perihal: record.perihal,
        halaman: images.map((img, i) => ({
          nomor: i + 1,
          src: `data:image/png;base64,${Buffer.from(img.png).toString('base64')}`,
          lebar: img.width,
          tinggi: img.height,
        })),
      },
      'Pratinjau konsep naskah',
    );
  }

  async submit(token: string, form: Record<string, string>): Promise<HttpResult> {
    const result = await this.app.actions.submit(token, form);
    if ('problem' in result) return this.problem(token, result);
    if (result.result === 'tidak-valid')
      return this.taskPage(
        result.naskahBasi ? 409 : 400,
        token,
        result.view,
        await this.caseFacts(result.view.task.caseId, result.view),
        result.errors,
        result.form,
        undefined,
        result.naskahBasi
          ? { content: result.naskahBasi.mine, base: result.naskahBasi.base, basi: result.naskahBasi }
          : undefined,
      );
    if (result.result === 'sedang-ditandatangani')
      return this.message(409, {
        judul: 'Tanda tangan sedang dibuat',
        pesan:
          'Formulir ini sudah terkirim dan tanda tangan Anda sedang dibuat; tidak ada yang ditandatangani dua kali. Muat ulang halaman tugas ini dalam beberapa saat untuk melihat hasilnya.',
        jenis: 'info',
      });
    const { record } = result;
    const activity = this.app.runtime.activityOf(record, result.task.node);
    const choice = activity.choices.find((c) => c.value === result.task.decision?.choice);
    return this.message(200, {
      judul: 'Keputusan tercatat',
      pesan: result.reported
        ? 'Terima kasih. Keputusan Anda tercatat dan kasus diteruskan ke langkah berikutnya.'
        : 'Terima kasih. Keputusan Anda tercatat dan akan diteruskan ke langkah berikutnya segera.',
      jenis: 'ok',
      rincian: [
        { label: 'Perihal', nilai: record.perihal },
        { label: 'Langkah', nilai: activityLabel(this.app.runtime.sopOf(record), activity) },
        { label: 'Keputusan', nilai: choice?.label ?? result.task.decision?.choice ?? '' },
        { label: 'Waktu', nilai: this.formatAt(result.task.decision!.at, record.pemdaId) },
      ],
    });
  }

  async upload(token: string, body: string): Promise<HttpResult> {
    let raw: unknown;
    try {
      raw = JSON.parse(body);
    } catch {
      return json(400, { pesan: 'Badan permintaan bukan JSON' });
    }
    const parsed = parseInput(UploadRequest, raw, UPLOAD_REQUEST_LABELS);
    if (!parsed.ok) return json(400, { pesan: parsed.messages.join('; '), rincian: parsed.messages });
    const result = await this.app.actions.requestUpload(token, parsed.value);
    if ('problem' in result) {
      const page = linkProblemPage('tugas', result.problem);
      return json(page.status, { pesan: page.pesan });
    }
    if ('error' in result) return json(400, { pesan: result.error });
    return json(200, result);
  }

  /**
   * The task form posted to the code route ("Kirim kode ke email saya"): the code is sent and the same form comes
   * back with everything typed kept, so the official never leaves the page (no reliance on the back button).
   */
  async sendCode(token: string, form: Record<string, string> = {}): Promise<HttpResult> {
    const result = await this.app.actions.sendCode(token);
    if ('problem' in result) return this.problem(token, result);
    const again = async (status: number, errors: FormErrors, notice?: string) => {
      // A code was sent: the page as the write that stored it left the task (no read again).
      const view = 'view' in result ? result.view : await this.app.actions.open(token);
      if ('problem' in view) return this.problem(token, view);
      const kept = { ...form, kode: '' };
      return this.taskPage(status, token, view, await this.caseFacts(view.task.caseId, view), errors, kept, notice);
    };
    if ('error' in result) return again(400, { kode: result.error });
    if ('rejected' in result)
      return again(502, {
        kode: `Kode tidak dapat dikirim ke ${result.to}: alamat ditolak server email. Hubungi admin kerja sama pemda untuk memperbaiki alamat email Anda atau mengalihkan tugas ini; permintaan ini tidak dihitung dalam batas permintaan kode.`,
      });
    if ('limited' in result) {
      return this.message(429, {
        judul: 'Batas permintaan kode tercapai',
        pesan: `Kode untuk tautan ini sudah diminta ${CODE_LIMIT.max} kali dalam ${CODE_LIMIT.windowMs / 60_000} menit. Kode berikutnya dapat diminta mulai ${this.formatAt(result.nextAt, result.pemdaId)}. Kode terakhir di email Anda tetap dapat dipakai selama masih berlaku.`,
        aksi: {
          url: `/tugas/${token}/tautan-baru`,
          tombol: 'Kirim tautan baru ke email saya',
          keterangan: `Tautan baru dikirim hanya ke alamat email yang terdaftar untuk tugas ini (${result.to}), bukan ke orang yang membuka halaman ini; tautan ini lalu tidak berlaku lagi, dan dari tautan baru kode dapat diminta kembali. Paling banyak ${FRESH_LINK_LIMIT.max} tautan baru dalam satu jam untuk tugas ini.`,
        },
      });
    }
    return again(
      200,
      {},
      `Kode dikirim: kode konfirmasi 6 angka telah dikirim ke ${result.to}; isi kode tersebut di bawah. Kode berlaku 10 menit.`,
    );
  }

  /**
   * The task form posted to the TOTP route ("Kirim TOTP ke BeSign"): BSrE sends a one-time code to the official's
   * BeSign app, and the same form comes back with everything typed kept (never a passphrase).
   */
  async requestTotp(token: string, form: Record<string, string> = {}): Promise<HttpResult> {
    const result = await this.app.actions.requestTotp(token);
    if ('problem' in result) return this.problem(token, result);
    const view = await this.app.actions.open(token);
    if ('problem' in view) return this.problem(token, view);
    const kept = { ...withoutCredential(form), kode: form.kode ?? '' };
    const facts = await this.caseFacts(view.task.caseId, view);
    if ('error' in result) return this.taskPage(400, token, view, facts, { tte: result.error }, kept);
    return this.taskPage(
      200,
      token,
      view,
      facts,
      {},
      kept,
      'TOTP dikirim: buka aplikasi BeSign di ponsel Anda dan isi kodenya pada kolom TOTP di bawah.',
    );
  }

  async renew(token: string): Promise<HttpResult> {
    const result = await this.app.actions.renewLink(token);
    if ('problem' in result) return this.problem(token, result);
    if (!result.sent)
      return this.message(502, {
        judul: 'Tautan baru tidak dapat dikirim',
        pesan: `Tautan baru tidak dapat dikirim ke ${result.to}: alamat ditolak server email. Hubungi admin kerja sama pemda untuk memperbaiki alamat email Anda atau mengalihkan tugas ini; kejadian ini sudah tercatat pada riwayat kasus.`,
      });
    return this.message(200, {
      judul: 'Tautan baru dikirim',
      pesan: `Tautan baru telah dikirim ke ${result.to}. Tautan lama tidak berlaku lagi.`,
      jenis: 'info',
    });
  }

  /** What the task page shows of the case: its history, the documents the product generated, the naskah drafted. */
  private async caseFacts(caseId: string, view?: TaskView): Promise<CaseFacts> {
    const [history, generated, siap] = await Promise.all([
      view?.history ?? this.app.cases.taskPageHistory(caseId),
      view?.documents ?? this.app.cases.documents(caseId),
      // A signing task: what signing needs of the official now (a BSrE signer's status; a read).
      view ? this.app.actions.signingReadiness(view) : undefined,
    ]);
    const naskah =
      view && this.app.drafts.edits(view.activity) ? await this.app.drafts.current(view.record, history) : undefined;
    // What changed in the naskah since this official last acted on it (or since the version before): for those who
    // draft, correct, initial or sign it.
    const reviews = view && (naskah || view.activity.kind === 'paraf' || view.activity.kind === 'tandatangan');
    const perubahan = reviews
      ? perubahanNaskah({
          history,
          personId: view.task.person.id,
          timeZone: this.app.catalog.pemda(view.record.pemdaId).directory.data.pemda.jamKerja.timeZone,
          ...(naskah ? { awal: this.app.drafts.start(view.record) } : {}),
        })
      : undefined;
    const performer = view?.activity.performer.kind ?? 'internal';
    return {
      history,
      generated: generated
        .filter((d) => taskMaySeeDocument(performer, d.kind))
        .sort((a, b) => a.createdAt.localeCompare(b.createdAt)),
      ...(naskah ? { naskah } : {}),
      ...(perubahan ? { perubahan } : {}),
      ...(siap ? { siap } : {}),
    };
  }

  /** A generated document of the task's case, through a short-lived link (the task link must still be valid). */
  async generatedDocument(token: string, docId: string): Promise<HttpResult> {
    const view = await this.app.actions.open(token);
    if ('problem' in view) return this.problem(token, view);
    const record = await this.app.cases.document(docId);
    if (!record || record.caseId !== view.task.caseId || !taskMaySeeDocument(view.activity.performer.kind, record.kind))
      return this.message(404, {
        judul: 'Dokumen tidak ditemukan',
        pesan: 'Dokumen yang diminta tidak ada pada kasus ini.',
      });
    const url = await this.app.cases.documentLink(record, DOWNLOAD_SECONDS, {
      who: { id: view.task.person.id, nama: view.task.person.nama, jabatan: view.task.person.jabatan },
      what: { docId: record.docId, jenis: record.kind, ...(record.nomor ? { nomor: record.nomor } : {}) },
      via: 'tautan tugas',
    });
    return redirectTo(url);
  }

  async pageImage(token: string, page: number): Promise<HttpResult> {
    return (
      (await pageImageResult(this.app, token, page)) ??
      this.message(404, { judul: 'Halaman tidak ditemukan', pesan: 'Halaman dokumen yang diminta tidak ada.' })
    );
  }

  /** A file of the permohonan or of a decision: its accepted bytes, checked, through a short-lived link. */
  async download(token: string, index: number): Promise<HttpResult> {
    const view = await this.app.actions.open(token);
    if ('problem' in view) return this.problem(token, view);
    const file = caseFiles(view.record, await this.app.cases.history(view.task.caseId))[index];
    if (!file)
      return this.message(404, {
        judul: 'Dokumen tidak ditemukan',
        pesan: 'Dokumen yang diminta tidak ada pada kasus ini.',
      });
    const url = await this.app.cases.fileLink(view.task.caseId, file, DOWNLOAD_SECONDS, {
      who: { id: view.task.person.id, nama: view.task.person.nama, jabatan: view.task.person.jabatan },
      what: { berkas: file.name, slot: file.slot, jenis: 'permohonan' },
      via: 'tautan tugas',
    });
    return redirectTo(url);
  }

  /** The editor's content as a posted form holds it (a refused decision comes back with what was typed). */
  private postedEditor(form: Record<string, string>, current: CurrentNaskah): EditorState | undefined {
    const posted = this.app.drafts.fromForm(form, current.outline.id);
    return posted ? { content: posted.content, base: posted.base } : undefined;
  }

  private taskPage(
    status: number,
    token: string,
    view: TaskView,
    facts: CaseFacts,
    errors: FormErrors,
    form: Record<string, string>,
    kodeTerkirim?: string,
    editor?: EditorState,
  ): HttpResult {
    const { history, generated } = facts;
    const { task, record, activity } = view;
    const sop = this.app.runtime.sopOf(record);
    const pemda = this.app.catalog.pemda(record.pemdaId);
    const step = sop.step(activity.stepId);
    const fmt = (iso: string) => pemda.formatDateTime(new Date(iso));
    const documents = documentListView(listCaseDocuments(sop, caseFiles(record, history), generated), token, fmt);
    const choiceLabel = (e: HistoryEvent) => {
      try {
        const n = sop.node(e.node ?? '');
        return n.type === 'activity' ? (n.choices.find((c) => c.value === e.choice)?.label ?? e.choice) : e.choice;
      } catch {
        return e.choice;
      }
    };
    // The disposisi of the case: each on the timeline beside its decision, and those given to this official in a box.
    const disposisi = disposisiOf(sop, history);
    const arahanOf = new Map(disposisi.map((d) => [d.seq, disposisiLine(d)]));
    const riwayat = history
      .filter((e) => e.type === 'tugas-diputuskan' || e.type === 'permohonan-diterima')
      .map((e) => ({
        waktu: fmt(e.at),
        langkah: e.type === 'permohonan-diterima' ? 'Permohonan' : (e.node ?? ''),
        oleh: e.type === 'permohonan-diterima' ? record.pemohon.nama : (e.who?.nama ?? ''),
        keputusan: e.type === 'permohonan-diterima' ? 'diterima' : choiceLabel(e),
        catatan: e.note,
        arahan: e.type === 'tugas-diputuskan' && e.seq !== undefined ? arahanOf.get(e.seq) : undefined,
      }));
    const untukAnda = disposisiFor(disposisi, activity, task.seq)
      .reverse()
      .map((d) => ({
        oleh: d.dari.nama,
        jabatan: d.dari.jabatan,
        waktu: fmt(d.at),
        kepada: d.kepada?.jabatan,
        langkah: d.node,
        arahan: d.arahan,
      }));
    // A notulen's form starts from its own undangan (same meeting, same round), never from another meeting's data.
    const prefill = prefillRapat(sop, activity, task.visit, history);
    const people = pemda.directory.data.people.map((p) => ({ value: p.id, label: `${p.nama} — ${p.jabatan}` }));
    const lastDecision = [...history].reverse().find((e) => e.type === 'tugas-diputuskan');
    const fields = activity.fields.map((f) => {
      // A caseData field shows what the case holds (the konsep naskah is edited, not typed again).
      const value =
        form[`f_${f.id}`] ??
        (prefill[f.id] !== undefined
          ? String(prefill[f.id])
          : f.caseData && record.data[f.id] !== undefined
            ? String(record.data[f.id])
            : '');
      return {
        ...f,
        inputType:
          f.type === 'date'
            ? 'date'
            : f.type === 'datetime'
              ? 'datetime-local'
              : f.type === 'number'
                ? 'number'
                : f.type === 'email'
                  ? 'email'
                  : 'text',
        acceptAttr: (f.accept ?? []).map((k) => (k === 'jpeg' ? '.jpg,.jpeg' : `.${k}`)).join(','),
        acceptLabel: acceptLabel(f),
        value,
        uploadKey: form[`unggah_${f.id}`] ?? '',
        uploadName: form[`nama_${f.id}`] ?? '',
        error: errors[f.id],
        // A select: its own options, or for a `pegawai` field the people of the pemda's directory.
        pilih: f.type === 'select' || f.type === 'pegawai',
        options: (f.type === 'pegawai' ? people : f.options)?.map((o) => ({
          ...o,
          selected: (f.type === 'pegawai' ? value : form[`f_${f.id}`]) === o.value,
        })),
        formatDaftarHadir: f.format === 'daftar-hadir' ? FORMAT_DAFTAR_HADIR : undefined,
      };
    });
    return this.html(
      status,
      'tugas',
      {
        task,
        record,
        activity,
        step,
        sopNama: sop.definition.header.nama,
        eksternal: activity.actor.kind === 'external' ? activity.actor.jabatan : undefined,
        putaran: task.visit > 1 ? task.visit : undefined,
        batasWaktu: task.dueAt ? fmt(task.dueAt) : undefined,
        terlambatSetelah: task.overdueAt && task.overdueAt !== task.dueAt ? fmt(task.overdueAt) : undefined,
        catatanSebelumnya: lastDecision?.note,
        disposisi: untukAnda,
        dokumen: documents,
        riwayat,
        fields,
        choices: activity.choices.map((c) => ({ ...c, checked: form.pilihan === c.value })),
        catatan: form.catatan ?? '',
        errors,
        adaSalah: Object.keys(errors).length > 0,
        needsCode: view.needsCode,
        penandatanganan: signingView(view, token, errors, form, facts.siap, unknownOutcome(history, task.seq, fmt)),
        tindakan: activity.kind === 'paraf' ? 'paraf' : 'tanda tangan',
        submissionId: form.submissionId || randomBytes(12).toString('base64url'),
        actionUrl: `/tugas/${token}`,
        uploadUrl: `/tugas/${token}/unggah`,
        codeUrl: `/tugas/${token}/kode`,
        ...(kodeTerkirim ? { kodeTerkirim } : {}),
        ...(facts.perubahan
          ? { perubahan: facts.perubahan, perbandinganUrl: `/tugas/${token}/naskah/perbandingan` }
          : {}),
        ...(facts.naskah
          ? {
              naskah: naskahEditorModel(
                facts.naskah,
                facts.naskah.outline,
                editor ?? this.postedEditor(form, facts.naskah),
                errors,
                fmt,
                { edit: `/tugas/${token}/naskah`, preview: `/tugas/${token}/naskah/pratinjau` },
              ),
            }
          : {}),
        maxUpload: formatBytes(this.app.config.SEPAKAT_MAX_UPLOAD_BYTES),
      },
      activity.label.slice(0, 60),
      pemda.directory.data.pemda.kop.join(' · '),
    );
  }
}

interface CaseFacts {
  history: HistoryEvent[];
  generated: DocumentRecord[];
  /** The naskah as drafted so far, on a drafting step. */
  naskah?: CurrentNaskah;
  /** The changes of the naskah since the reviewer last acted on it. */
  perubahan?: PerubahanView;
  /** A signing task: what signing needs of the official (the provider; a BSrE signer's status). */
  siap?: SigningReadiness;
}

// ─── The document list of every task page (core/case/task-documents.ts) ─────────────────────────────────────────

/** Each document once: its latest version, the older ones beneath it (templates/pages/partials/tugas-dokumen.hbs). */
function documentListView(listed: ListedDocument[], token: string, fmt: (iso: string) => string) {
  const version = (v: ListedVersion) => ({
    url: 'berkas' in v.ref ? `/tugas/${token}/berkas/${v.ref.berkas}` : `/tugas/${token}/dokumen/${v.ref.dokumen}`,
    waktu: fmt(v.at),
    asal: v.asal,
    ukuran: formatBytes(v.size),
  });
  return listed.map((d) => ({
    label: d.label,
    terbaru: version(d.latest),
    versiLama: d.older.map((v, i) => ({ ...version(v), versi: d.older.length - i })),
  }));
}

// ─── A signing task's document (core/documents/signing-task.ts) ──────────────────────────────────────────────

/** The image of one page of the document a signing task shows (GET: reads, never acts). */
async function pageImageResult(app: WebUseCases, token: string, page: number): Promise<HttpResult | undefined> {
  const image = await app.actions.pageImage(token, page);
  if (image === undefined) return undefined;
  return {
    statusCode: 200,
    headers: { 'content-type': 'image/png', 'cache-control': 'private, no-store' },
    body: Buffer.from(image).toString('base64'),
    isBase64Encoded: true,
  };
}

/**
 * A signature of this activation whose outcome is unknown (BSrE took the request and never answered): what the page
 * tells the official, who resolves it by signing again on the same PDF and number.
 */
function unknownOutcome(history: HistoryEvent[], seq: number, fmt: (iso: string) => string): string | undefined {
  const last = history
    .filter((e) => e.type === 'tanda-tangan-gagal' && e.seq === seq && e.detail?.hasil === 'tidak-diketahui')
    .at(-1);
  return last
    ? `Permintaan tanda tangan pada ${fmt(last.at)} tidak dijawab BSrE; hasilnya tidak diketahui dan tidak ada dokumen bertanda tangan yang tersimpan. Tanda tangani lagi: dokumen dan nomornya tetap sama, dan hanya satu versi bertanda tangan yang disimpan dan dikirim.`
    : undefined;
}

/** What the signing section shows (templates/pages/partials/tugas-penandatanganan.hbs); undefined for other tasks. */
function signingView(
  view: TaskView,
  token: string,
  errors: FormErrors,
  form: Record<string, string>,
  siap: SigningReadiness | undefined,
  hasilTidakDiketahui?: string,
) {
  const signing = view.signing;
  if (!signing) return undefined;
  const { act, document } = signing;
  const paraf = act.act === 'paraf';
  // BSrE: the official's passphrase (or a BeSign TOTP), asked only when their status allows signing.
  const bsre = siap?.provider === 'bsre' ? siap : undefined;
  const pages = document?.halaman ?? [];
  // A refused hash means the document changed: the official reads it again and ticks again.
  const stale = errors.dokumen !== undefined;
  return {
    judul: paraf ? 'Konsep naskah yang akan Anda paraf' : 'Naskah yang akan Anda tandatangani',
    paraf,
    tombol: ACT_BUTTON[act.act],
    pilihan: act.choice,
    konfirmasi: READ_CONFIRMATION,
    namaKonfirmasi: SIGNING_FIELDS.dibaca,
    namaSha256: SIGNING_FIELDS.sha256,
    dibaca: !stale && form[SIGNING_FIELDS.dibaca] === 'ya',
    salahDokumen: errors.dokumen,
    salahDibaca: errors[SIGNING_FIELDS.dibaca],
    dokumen: document
      ? {
          label: documentKindLabel(document.kind),
          nomor: typeof document.meta?.nomorNaskah === 'string' ? document.meta.nomorNaskah : undefined,
          versiIsi: typeof document.meta?.versiIsi === 'string' ? document.meta.versiIsi : '',
          sha256: document.sha256,
          jumlah: pages.length,
          unduh: `/tugas/${token}/dokumen/${document.docId}`,
          halaman: pages.map((p, i) => ({
            nomor: i + 1,
            url: `/tugas/${token}/halaman/${i + 1}.png`,
            lebar: p.width,
            tinggi: p.height,
          })),
        }
      : undefined,
    keterangan: paraf
      ? 'Paraf Anda dicatat atas versi isi dan SHA-256 di atas: tepat dokumen yang halaman-halamannya tampil di sini.'
      : 'Tanda tangan elektronik Anda dibubuhkan pada tepat berkas PDF dengan SHA-256 di atas, yang halaman-halamannya tampil di sini; tidak ada yang diubah selain penambahan tanda tangan.',
    salahTte: errors.tte,
    ...(hasilTidakDiketahui && !errors.tte ? { hasilTidakDiketahui } : {}),
    ...(bsre
      ? {
          bsre: bsre.ready
            ? {
                siap: true,
                namaPassphrase: SIGNING_FIELDS.passphrase,
                namaTotp: SIGNING_FIELDS.totp,
                totp: bsre.totp,
                totpUrl: `/tugas/${token}/totp`,
                salahPassphrase: errors[SIGNING_FIELDS.passphrase],
                salahTotp: errors[SIGNING_FIELDS.totp],
                orang: view.task.person.id,
              }
            : { siap: false, status: bsre.status, pesan: bsre.message },
        }
      : {}),
  };
}
