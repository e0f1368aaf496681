import { randomBytes } from 'node:crypto';
import { documentKindLabel } from '../../core/documents/kinds.ts';
import { activityLabel } from '../../core/sop/step-label.ts';
import type { FormErrors, LinkProblem, TaskView } from '../../core/case/task-actions.ts';
import { acceptLabel, formatBytes } from '../../core/files/accepted-files.ts';
import { CODE_LIMIT, FRESH_LINK_LIMIT } from '../../core/case/link-limits.ts';
import { linkProblemPage } from './link-problems.ts';
import type { HistoryEvent, StoredFile } from '../../core/case/model.ts';
import type { DocumentRecord } from '../../core/documents/document-record.ts';
import { UPLOAD_REQUEST_LABELS, UploadRequest } from './input-schemas.ts';
import { parseInput } from '../../core/validation/issues.ts';
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
    const view = await this.app.actions.open(token);
    if ('problem' in view) return this.problem(token, view);
    return this.taskPage(200, token, view, await this.caseFacts(view.task.caseId), {}, {});
  }

  async submit(token: string, form: Record<string, string>): Promise<HttpResult> {
    const result = await this.app.actions.submit(token, form);
    if ('problem' in result) return this.problem(token, result);
    if (result.result === 'tidak-valid')
      return this.taskPage(
        400,
        token,
        result.view,
        await this.caseFacts(result.view.task.caseId),
        result.errors,
        result.form,
      );
    const record = await this.app.runtime.requireCase(result.task.caseId);
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
      const view = await this.app.actions.open(token);
      if ('problem' in view) return this.problem(token, view);
      const kept = { ...form, kode: '' };
      return this.taskPage(status, token, view, await this.caseFacts(view.task.caseId), errors, kept, notice);
    };
    if ('error' in result) return again(400, { kode: result.error });
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

  async renew(token: string): Promise<HttpResult> {
    const result = await this.app.actions.renewLink(token);
    if ('problem' in result) return this.problem(token, result);
    return this.message(200, {
      judul: 'Tautan baru dikirim',
      pesan: `Tautan baru telah dikirim ke ${result.to}. Tautan lama tidak berlaku lagi.`,
      jenis: 'info',
    });
  }

  /** What the task page shows of the case: its history and the documents the product generated. */
  private async caseFacts(caseId: string): Promise<{ history: HistoryEvent[]; generated: DocumentRecord[] }> {
    const [history, generated] = await Promise.all([this.app.cases.history(caseId), this.app.cases.documents(caseId)]);
    return { history, generated: generated.sort((a, b) => a.createdAt.localeCompare(b.createdAt)) };
  }

  /** A generated document of the task's case, through a short-lived link (the task link must still be valid). */
  async generatedDocument(token: string, docId: string): Promise<HttpResult> {
    const view = await this.app.actions.open(token);
    if ('problem' in view) return this.problem(token, view);
    const record = await this.app.cases.document(docId);
    if (!record || record.caseId !== view.task.caseId)
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

  /** A file of the permohonan or of a decision: its accepted bytes, checked, through a short-lived link. */
  async download(token: string, index: number): Promise<HttpResult> {
    const view = await this.app.actions.open(token);
    if ('problem' in view) return this.problem(token, view);
    const file = documentsOf(view, await this.app.cases.history(view.task.caseId))[index];
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

  private taskPage(
    status: number,
    token: string,
    view: TaskView,
    facts: { history: HistoryEvent[]; generated: DocumentRecord[] },
    errors: FormErrors,
    form: Record<string, string>,
    kodeTerkirim?: string,
  ): HttpResult {
    const { history, generated } = facts;
    const { task, record, activity } = view;
    const sop = this.app.runtime.sopOf(record);
    const pemda = this.app.catalog.pemda(record.pemdaId);
    const step = sop.step(activity.stepId);
    const fmt = (iso: string) => pemda.formatDateTime(new Date(iso));
    const documents = documentsOf(view, history).map((f, i) => ({
      name: f.name,
      url: `/tugas/${token}/berkas/${i}`,
      ukuran: formatBytes(f.size),
      asal: f.asal,
    }));
    for (const d of generated)
      documents.push({
        name: `${documentKindLabel(d.kind)}${d.nomor ? ` Nomor ${d.nomor}` : ''}`,
        url: `/tugas/${token}/dokumen/${d.docId}`,
        ukuran: formatBytes(d.size),
        asal: `Dibuat Sepakat, ${fmt(d.createdAt)}`,
      });
    const choiceLabel = (e: HistoryEvent) => {
      try {
        const n = sop.node(e.node ?? '');
        return n.type === 'activity' ? (n.choices.find((c) => c.value === e.choice)?.label ?? e.choice) : e.choice;
      } catch {
        return e.choice;
      }
    };
    const riwayat = history
      .filter((e) => e.type === 'tugas-diputuskan' || e.type === 'permohonan-diterima')
      .map((e) => ({
        waktu: fmt(e.at),
        langkah: e.type === 'permohonan-diterima' ? 'Permohonan' : (e.node ?? ''),
        oleh: e.type === 'permohonan-diterima' ? record.pemohon.nama : (e.who?.nama ?? ''),
        keputusan: e.type === 'permohonan-diterima' ? 'diterima' : choiceLabel(e),
        catatan: e.note,
      }));
    const lastDecision = [...history].reverse().find((e) => e.type === 'tugas-diputuskan');
    const fields = activity.fields.map((f) => ({
      ...f,
      inputType:
        f.type === 'date' ? 'date' : f.type === 'datetime' ? 'datetime-local' : f.type === 'number' ? 'number' : 'text',
      acceptAttr: (f.accept ?? []).map((k) => (k === 'jpeg' ? '.jpg,.jpeg' : `.${k}`)).join(','),
      acceptLabel: acceptLabel(f),
      // A caseData field shows what the case holds (the konsep naskah is edited, not typed again).
      value: form[`f_${f.id}`] ?? (f.caseData && record.data[f.id] !== undefined ? String(record.data[f.id]) : ''),
      uploadKey: form[`unggah_${f.id}`] ?? '',
      uploadName: form[`nama_${f.id}`] ?? '',
      error: errors[f.id],
      options: f.options?.map((o) => ({ ...o, selected: form[`f_${f.id}`] === o.value })),
    }));
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
        dokumen: documents,
        riwayat,
        fields,
        choices: activity.choices.map((c) => ({ ...c, checked: form.pilihan === c.value })),
        catatan: form.catatan ?? '',
        errors,
        adaSalah: Object.keys(errors).length > 0,
        needsCode: view.needsCode,
        tindakan: activity.kind === 'paraf' ? 'paraf' : 'tanda tangan',
        submissionId: form.submissionId || randomBytes(12).toString('base64url'),
        actionUrl: `/tugas/${token}`,
        uploadUrl: `/tugas/${token}/unggah`,
        codeUrl: `/tugas/${token}/kode`,
        ...(kodeTerkirim ? { kodeTerkirim } : {}),
        maxUpload: formatBytes(this.app.config.SEPAKAT_MAX_UPLOAD_BYTES),
      },
      activity.label.slice(0, 60),
      pemda.directory.data.pemda.kop.join(' · '),
    );
  }
}

/** Every document of the case so far: the permohonan's files, then each decision's uploads, in order. */
function documentsOf(view: TaskView, history: HistoryEvent[]): (StoredFile & { asal: string })[] {
  const docs: (StoredFile & { asal: string })[] = view.record.files.map((f) => ({ ...f, asal: 'Permohonan' }));
  for (const e of history)
    if (e.type === 'tugas-diputuskan')
      for (const f of e.files ?? []) docs.push({ ...f, asal: `${e.node} (${e.who?.nama ?? ''})` });
  return docs;
}
