import { requireKey } from '../config.ts';
import { checkDownloadFormToken, downloadFormToken, recipientTag } from '../../core/case/capabilities.ts';
import type { DownloadAsked } from '../../core/case/case-view.ts';
import { formatBytes } from '../../core/files/accepted-files.ts';
import { packageFiles, type PackageDocuments } from '../../core/documents/completion-package.ts';
import { packageLinkProblemPage } from './link-problems.ts';
import {
  redirectTo,
  type HttpResult,
  type MessageModel,
  type Route,
  type WebContext,
  type WebRequest,
  type WebUseCases,
} from './web-context.ts';

/**
 * The completion package's link (core/documents/completion-package.ts), sent to a party in place of a signed naskah
 * too large to attach: `GET /paket/<capability>` shows the package (number, files, SHA-256) and changes nothing;
 * `POST /paket/<capability>/unduh/<n>` hands out a 5-minute link to the n-th file and records the download in the
 * case history (who it was sent to, which file, when). The link expires (its expiry is covered by its MAC).
 */
const CAPABILITY = '([^/]{1,200})';
const DOWNLOAD_SECONDS = 300;

/** The rows a page lists a package's files in (the tracking page too), each downloaded by a POST to `urlOf(n)`. */
export function packageFileRows(docs: PackageDocuments, urlOf: (index: number) => string) {
  return packageFiles(docs).map((f, i) => ({
    label: f.label,
    nama: f.record.fileName,
    ukuran: formatBytes(f.record.size),
    sha256: f.record.sha256,
    url: urlOf(i),
    verifikasi: f.record.contentType === 'application/pdf' ? `/verifikasi/${f.record.docId}` : undefined,
  }));
}

/**
 * The n-th file of a package through a 5-minute link, the download recorded in the case history (who asked,
 * through which page); the message of a position the package does not have.
 */
export async function packageFileLink(
  app: Pick<WebUseCases, 'cases'>,
  docs: PackageDocuments,
  index: number,
  asked: Omit<DownloadAsked, 'what'>,
): Promise<HttpResult | { status: 404; model: MessageModel }> {
  const file = packageFiles(docs)[index];
  if (!file)
    return {
      status: 404,
      model: { judul: 'Berkas tidak ditemukan', pesan: 'Berkas yang diminta tidak ada pada paket naskah ini.' },
    };
  const { record } = file;
  const url = await app.cases.documentLink(record, DOWNLOAD_SECONDS, {
    ...asked,
    what: { docId: record.docId, jenis: record.kind, ...(record.nomor ? { nomor: record.nomor } : {}) },
  });
  return redirectTo(url);
}

export function packageRoutes(ctx: WebContext): Route[] {
  const { app } = ctx;
  const key = requireKey(app.config, 'SEPAKAT_LINK_KEY');
  const formatAt = (pemdaId: string, at: Date) => app.catalog.pemda(pemdaId).formatDateTime(at);

  async function opened(token: string) {
    const link = await app.completion.openLink(token);
    if (link.ok) return { link };
    const page = packageLinkProblemPage(link.reason);
    return { result: ctx.message(page.status, { judul: page.judul, pesan: page.pesan, jenis: 'salah' }) };
  }

  async function show(token: string): Promise<HttpResult> {
    const { link, result } = await opened(token);
    if (!link) return result;
    const { record, documents, recipient } = link;
    return ctx.html(
      200,
      'paket-unduh',
      {
        penerima: recipient,
        nomor: documents.nomor,
        perihal: record.perihal,
        caseId: record.caseId,
        berlakuSampai: formatAt(record.pemdaId, link.expiresAt),
        token: downloadFormToken(key, token),
        berkas: packageFileRows(documents, (i) => `/paket/${token}/unduh/${i}`),
      },
      'Naskah bertanda tangan',
      { kop: app.catalog.pemda(record.pemdaId).directory.data.pemda.nama },
    );
  }

  async function download(event: WebRequest, token: string, index: number): Promise<HttpResult> {
    const { link, result } = await opened(token);
    if (!link) return result;
    if (!checkDownloadFormToken(key, token, ctx.form(event)._token ?? ''))
      return ctx.message(403, {
        judul: 'Formulir tidak dapat diverifikasi',
        pesan: 'Permintaan unduhan ini tidak berasal dari halaman tautan naskah Anda. Tidak ada yang diunduh.',
        tautan: { url: `/paket/${token}`, label: 'Kembali ke halaman naskah' },
      });
    const answer = await packageFileLink(app, link.documents, index, {
      who: {
        id: `penerima-paket:${recipientTag(link.recipient.email)}`,
        nama: link.recipient.nama,
        jabatan: link.recipient.peran,
      },
      via: 'tautan paket',
    });
    return 'model' in answer ? ctx.message(answer.status, answer.model) : answer;
  }

  return [
    {
      method: 'GET',
      pattern: new RegExp(`^/paket/${CAPABILITY}$`),
      params: ['tautan'],
      run: (_e, m) => show(m[1]!),
    },
    {
      method: 'POST',
      pattern: new RegExp(`^/paket/${CAPABILITY}/unduh/(\\d{1,2})$`),
      params: ['tautan', 'urutan'],
      run: (e, m) => download(e, m[1]!, Number(m[2])),
    },
  ];
}
