import { requireKey } from '../config.ts';
import { canSeeCase, has, unitsOfSop } from '../../core/access/access.ts';
import { intakeFields } from '../../core/case/intake.ts';
import { activityLabel } from '../../core/sop/step-label.ts';
import type { CaseRecord, HistoryEvent } from '../../core/case/model.ts';
import { acceptLabel, formatBytes } from '../../core/files/accepted-files.ts';
import {
  checkConfirmationFormToken,
  checkDownloadFormToken,
  checkReceiptKey,
  checkWithdrawalToken,
  confirmationFormToken,
  downloadFormToken,
  receiptKey,
  withdrawalToken,
} from '../../core/case/capabilities.ts';
import { ErrorNames, isSepakatError } from '../../core/errors.ts';
import { maskEmail } from '../../core/case/task-actions.ts';
import type { Sop } from '../../core/sop/load-sop.ts';
import { closeMessage } from './case-admin-routes.ts';
import { packageFileLink, packageFileRows } from './package-routes.ts';
import { type WebRequest, type HttpResult, type Route, type WebContext, CASE_ID_PATH } from './web-context.ts';
import { SIAPKAN_LABELS, SiapkanSchema } from './input-schemas.ts';
import { parseInput, type FieldIssue } from '../../core/validation/issues.ts';

/**
 * The pemohon's pages. Outside partners have no account, so the form, the receipt and the tracking page are open;
 * what they show of a case is reached only through capabilities (core/case/capabilities.ts):
 *
 * - `GET /permohonan/baru[?sop=…]`: choose the SOP, then the form. Its script checks each file (type by name, size),
 *   asks `POST /permohonan/siapkan` to check the form and presign the uploads (the same `Intake.prepare` as
 *   `POST /api/permohonan`), PUTs each file straight to the intake bucket, then the manifest last, and opens the
 *   receipt. The intake handler then checks the files again by content and size.
 * - `POST /api/permohonan`: the same for scripts (cli/drive.ts): the whole form as JSON, the presigned uploads back.
 * - `GET /permohonan/tanda-terima/<intakeId>?k=…`: the case number once the case exists (the page reloads itself
 *   until then), that the contact must confirm their address first, or the reasons it was quarantined.
 * - `GET /permohonan/konfirmasi/<capability>`: the emailed confirmation link of a contact who was not signed in
 *   shows the permohonan; `POST` to the same address confirms it (the case starts then, once).
 * - `GET /lacak/<capability>`: the progress of one case, and its withdrawal (`POST /lacak/<capability>/tarik`);
 *   once the naskah is signed by all parties, its number and the completion package (the signed naskah and the
 *   Lembar Riwayat Penandatanganan), each downloaded by a POST (`/lacak/<capability>/unduh/<n>`, logged).
 * - `GET /permohonan/saya`: a signed-in pemohon's cases.
 */
const INTAKE_ID = CASE_ID_PATH;
const CAPABILITY = '([^/]{1,200})';
const CONFIRMATION = `(${CASE_ID_PATH.slice(1, -1)}\\.[A-Za-z0-9_-]{32})`;

const STATUS_LABEL: Record<string, string> = {
  aktif: 'Sedang diproses',
  selesai: 'Selesai diproses',
  ditolak: 'Tidak dapat dilanjutkan',
  dibatalkan: 'Dibatalkan',
};

/** How the form named a select value ("Kerja Sama Daerah dengan Daerah Lain (KSDD)"). */
function optionLabel(sop: Sop, fieldId: string, value: unknown): unknown {
  const field = intakeFields(sop).find((f) => f.id === fieldId);
  return field?.options?.find((o) => o.value === value)?.label ?? value;
}

const query = (event: WebRequest) => new URLSearchParams(event.rawQueryString ?? '');

export function intakeRoutes(ctx: WebContext): Route[] {
  const { app } = ctx;
  const key = requireKey(app.config, 'SEPAKAT_LINK_KEY');
  const maxBytes = app.config.SEPAKAT_MAX_UPLOAD_BYTES;
  const formatAt = (record: Pick<CaseRecord, 'pemdaId'>, iso: string) =>
    app.catalog.pemda(record.pemdaId).formatDateTime(new Date(iso));
  const pemdaNama = (sop: Sop) => app.catalog.pemda(sop.definition.pemda).directory.data.pemda.nama;
  /** Whom a contact asks about a permohonan: the pemda's liaison unit of its agreements, else the pemda itself. */
  const kontakPemda = (pemdaId: string) => {
    const pemda = app.catalog.pemda(pemdaId).directory.data.pemda;
    const penghubung = pemda.dokumen.penghubung;
    return {
      unit: penghubung ? `${penghubung.unit}, ${pemda.nama}` : pemda.nama,
      alamat: penghubung?.alamat ?? pemda.alamat,
      telepon: penghubung?.telepon,
      email: penghubung?.email,
    };
  };
  const latest = (sopId: string): Sop | undefined => {
    try {
      return app.catalog.sops.latest(sopId);
    } catch {
      return undefined;
    }
  };

  function form(event: WebRequest): HttpResult {
    const session = ctx.session(event).session;
    const sop = latest(query(event).get('sop') ?? '');
    if (!sop) {
      const sops = app.catalog.sops
        .all()
        .map((s) => ({ id: s.definition.id, nama: s.definition.header.nama, pemda: pemdaNama(s) }))
        .sort((a, b) => a.pemda.localeCompare(b.pemda) || a.nama.localeCompare(b.nama));
      return ctx.html(200, 'permohonan-pilih', { sops }, 'Permohonan baru', session ? { session } : {});
    }
    const p = session?.principal;
    const prefill = p && has(p, 'pemohon') ? { nama: p.nama, email: p.email, instansi: p.unit } : {};
    const fields = intakeFields(sop).map((f) => ({
      id: f.id,
      name: `d_${f.id}`,
      label: f.label,
      required: f.required && f.type !== 'boolean',
      help: f.help,
      type: f.type,
      inputType: f.type === 'date' ? 'date' : f.type === 'number' ? 'number' : 'text',
      options: f.options,
    }));
    const slots = sop.definition.intake.documents.map((d) => ({
      id: d.id,
      label: d.label,
      required: d.required,
      help: d.help,
      acceptAttr: (d.accept ?? []).map((k) => (k === 'jpeg' ? '.jpg,.jpeg' : `.${k}`)).join(','),
      acceptLabel: acceptLabel(d),
      kinds: d.accept ?? [],
    }));
    return ctx.html(
      200,
      'permohonan-baru',
      {
        sop: { id: sop.definition.id, nama: sop.definition.header.nama, pemda: pemdaNama(sop) },
        pemohon: prefill,
        fields,
        slots,
        maxUpload: formatBytes(maxBytes),
        skrip: {
          sopId: sop.definition.id,
          siapkanUrl: '/permohonan/siapkan',
          maxBytes,
          slots: slots.map((s) => ({
            id: s.id,
            label: s.label,
            required: s.required,
            kinds: s.kinds,
            acceptLabel: s.acceptLabel,
          })),
          fields: fields.map((f) => ({ id: f.id, type: f.type, label: f.label, required: !!f.required })),
        },
      },
      'Permohonan baru',
      { kop: pemdaNama(sop), ...(session ? { session } : {}) },
    );
  }

  /**
   * Checks the whole form before any byte is sent, then presigns the uploads and the manifest; errors name the form's
   * fields. A signed-in pemohon's permohonan needs no confirmation of the address (their session stands for it).
   */
  async function prepare(event: WebRequest): Promise<HttpResult> {
    let raw: unknown;
    try {
      raw = JSON.parse(bodyOf(event));
    } catch {
      return ctx.json(400, { pesan: 'Permintaan bukan JSON yang valid' });
    }
    const parsed = parseInput(SiapkanSchema, raw, SIAPKAN_LABELS);
    if (!parsed.ok) return ctx.json(400, refusedForm(parsed.issues, raw));
    const p = ctx.session(event).session?.principal;
    const signedIn = p && has(p, 'pemohon') && p.email ? { email: p.email, nama: p.nama, sub: p.sub } : undefined;
    let prepared;
    try {
      prepared = await app.intake.prepare(parsed.value, {
        source: event.sourceIp,
        ...(signedIn ? { signedIn } : {}),
      });
    } catch (error) {
      if (isSepakatError(error, ErrorNames.Limited)) return ctx.json(429, { pesan: error.message });
      if (isSepakatError(error, ErrorNames.BadInput)) return ctx.json(400, { pesan: error.message });
      throw error;
    }
    if (!prepared.ok)
      return ctx.json(400, {
        pesan: 'Permohonan belum dikirim: periksa isian yang ditandai',
        rincian: prepared.errors,
      });
    const { ok: _ok, ...uploads } = prepared;
    return ctx.json(200, {
      ...uploads,
      tandaTerima: `/permohonan/tanda-terima/${prepared.intakeId}?k=${receiptKey(key, prepared.intakeId)}`,
    });
  }

  async function receipt(event: WebRequest, intakeId: string): Promise<HttpResult> {
    const k = query(event).get('k') ?? '';
    if (!checkReceiptKey(key, intakeId, k))
      return ctx.message(404, {
        judul: 'Tanda terima tidak ditemukan',
        pesan:
          'Alamat tanda terima ini tidak dikenal atau telah diubah. Gunakan alamat persis seperti yang dibuka setelah mengirim permohonan.',
      });
    const found = await app.intake.status(intakeId);
    if (found.state === 'kasus') {
      const { record } = found;
      const sop = app.runtime.sopOf(record);
      return ctx.html(
        200,
        'permohonan-tanda-terima',
        {
          keadaan: 'diterima',
          caseId: record.caseId,
          perihal: record.perihal,
          sopNama: sop.definition.header.nama,
          pemda: pemdaNama(sop),
          diterima: formatAt(record, record.createdAt),
          pemohon: record.pemohon,
          berkas: record.files.map((f) => ({ name: f.name, ukuran: formatBytes(f.size) })),
          // The receipt never expires: once the tracking link was revoked (a new version issued), it must not hand
          // out the new one, or revoking would not shut out whoever holds this page. The new link went by email.
          ...((record.trackingVersion ?? 1) === 1
            ? { lacakUrl: app.caseAdmin.trackingUrl(record) }
            : { lacakDiganti: true }),
        },
        'Tanda terima permohonan',
        { kop: pemdaNama(sop) },
      );
    }
    if (found.state === 'dikarantina')
      return ctx.html(
        422,
        'permohonan-tanda-terima',
        { keadaan: 'ditolak', intakeId, alasan: found.reasons, baru: '/permohonan/baru' },
        'Permohonan belum dapat diterima',
      );
    if (found.state === 'menunggu-konfirmasi')
      return ctx.html(
        200,
        'permohonan-tanda-terima',
        {
          keadaan: 'menunggu-konfirmasi',
          intakeId,
          email: maskEmail(found.email),
          sampai: formatAt({ pemdaId: found.pemdaId }, found.confirmBy),
          // A confirmation email refused for the contact's address never arrives: the page says so, and stops
          // reloading (nothing will change). One refused on the pemda's side may still go: the page keeps waiting.
          ...(found.emailDitolak === 'alamat'
            ? { alamatDitolak: true, baru: `/permohonan/baru?sop=${encodeURIComponent(found.sopId)}` }
            : {
                muatUlang: true,
                ...(found.emailDitolak === 'pengirim' ? { pengirimDitolak: kontakPemda(found.pemdaId) } : {}),
              }),
        },
        found.emailDitolak === 'alamat' ? 'Email konfirmasi ditolak' : 'Konfirmasi alamat email',
      );
    return ctx.html(
      200,
      'permohonan-tanda-terima',
      { keadaan: found.state === 'belum-lengkap' ? 'belum-lengkap' : 'diperiksa', intakeId, muatUlang: true },
      'Permohonan sedang diperiksa',
    );
  }

  /** The emailed confirmation link: shows the permohonan (a GET only reads). */
  async function confirmationPage(token: string): Promise<HttpResult> {
    const view = await app.intake.viewConfirmation(token);
    if (view.state === 'dikonfirmasi') return receiptRedirect(view.caseId);
    if (view.state === 'tidak-berlaku') return confirmationGone();
    const { candidate } = view.record;
    const sop = app.runtime.sopOf(candidate);
    return ctx.html(
      200,
      'permohonan-konfirmasi',
      {
        intakeId: view.record.intakeId,
        perihal: candidate.perihal,
        sopNama: view.sopNama,
        pemda: pemdaNama(sop),
        pemohon: candidate.pemohon,
        mitra: candidate.data['pihak-mitra'],
        berkas: candidate.files.map((f) => ({ name: f.name, ukuran: formatBytes(f.size) })),
        sampai: view.confirmBy,
        aksi: `/permohonan/konfirmasi/${token}`,
        token: confirmationFormToken(key, token),
      },
      'Konfirmasi permohonan',
      { kop: pemdaNama(sop) },
    );
  }

  /** The contact confirms (a POST from the confirmation page): the case starts, once. */
  async function confirm(event: WebRequest, token: string): Promise<HttpResult> {
    const form = ctx.form(event);
    if (!checkConfirmationFormToken(key, token, form._token ?? ''))
      return ctx.message(403, {
        judul: 'Formulir tidak dapat diverifikasi',
        pesan: 'Konfirmasi harus dikirim dari halaman yang dibuka lewat tautan di email Anda. Tidak ada yang diubah.',
        tautan: { url: `/permohonan/konfirmasi/${token}`, label: 'Buka halaman konfirmasi' },
      });
    const result = await app.intake.confirm(token);
    return result.confirmed ? receiptRedirect(result.caseId) : confirmationGone();
  }

  const receiptRedirect = (intakeId: string): HttpResult => ({
    statusCode: 303,
    headers: {
      location: `/permohonan/tanda-terima/${intakeId}?k=${receiptKey(key, intakeId)}`,
      'cache-control': 'no-store',
    },
    body: '',
  });

  const confirmationGone = () =>
    ctx.message(410, {
      judul: 'Tautan konfirmasi tidak berlaku',
      pesan:
        'Tautan ini tidak dikenal, sudah kedaluwarsa, atau permohonannya tidak dapat diproses. Tidak ada yang diubah. ' +
        'Bila Anda masih ingin mengajukan permohonan, silakan isi formulir permohonan kembali.',
      tautan: { url: '/permohonan/baru', label: 'Permohonan baru' },
    });

  /** The case a tracking capability opens, or the 404 page. */
  async function tracked(capability: string): Promise<{ record: CaseRecord } | { result: HttpResult }> {
    const record = await app.cases.tracked(capability);
    if (!record)
      return {
        result: ctx.message(404, {
          judul: 'Tautan pemantauan tidak valid',
          pesan:
            'Tautan ini tidak dikenal, telah diubah, atau sudah diganti. Gunakan tautan dari email tanda terima terbaru Anda.',
        }),
      };
    return { record };
  }

  async function progress(capability: string): Promise<HttpResult> {
    const found = await tracked(capability);
    if ('result' in found) return found.result;
    const { record } = found;
    const sop = app.runtime.sopOf(record);
    const history = await app.cases.history(record.caseId);
    const label = (node: string | undefined) => {
      try {
        const n = sop.node(node ?? '');
        return n.type === 'activity' ? activityLabel(sop, n) : (node ?? '');
      } catch {
        return node ?? '';
      }
    };
    const selesai = history
      .filter((e) => e.type === 'tugas-diputuskan')
      .map((e) => ({ langkah: label(e.node), waktu: formatAt(record, e.at) }));
    let sekarang: Record<string, unknown> | undefined;
    if (record.status === 'aktif' && record.cursor) {
      const activity = app.runtime.activityOf(record, record.cursor.node);
      const task = await app.cases.currentTask(record);
      sekarang = {
        langkah: activityLabel(sop, activity),
        sejak: formatAt(record, record.cursor.enteredAt),
        mutuBaku: activity.waktu?.raw,
        batasWaktu: task?.state === 'open' && task.dueAt ? formatAt(record, task.dueAt) : undefined,
        perkiraan: task?.dueEstimate === true,
        menungguPihakLuar: activity.actor.kind === 'external' ? activity.actor.jabatan : undefined,
      };
    }
    const paket = await app.completion.documentsOf(record.caseId);
    const naskah = paket && {
      nomor: paket.nomor,
      token: downloadFormToken(key, capability),
      berkas: packageFileRows(paket, (i) => `/lacak/${capability}/unduh/${i}`),
    };
    const closing = history.find((e: HistoryEvent) => e.type === 'kasus-ditarik' || e.type === 'kasus-dibatalkan');
    const hasil =
      record.status === 'aktif'
        ? undefined
        : {
            status:
              closing?.type === 'kasus-ditarik'
                ? 'Ditarik oleh pemohon'
                : closing?.type === 'kasus-dibatalkan'
                  ? 'Dibatalkan oleh administrator'
                  : STATUS_LABEL[record.status],
            alasan: record.closeReason,
            waktu: record.closedAt ? formatAt(record, record.closedAt) : undefined,
          };
    return ctx.html(
      200,
      'permohonan-lacak',
      {
        record,
        sopNama: sop.definition.header.nama,
        pemda: pemdaNama(sop),
        mitra: record.data['pihak-mitra'],
        jenis: optionLabel(sop, 'jenis-kerja-sama', record.data['jenis-kerja-sama']),
        diterima: formatAt(record, record.createdAt),
        status: STATUS_LABEL[record.status],
        sekarang,
        selesai,
        hasil,
        naskah,
        tarik:
          record.status === 'aktif'
            ? { url: `/lacak/${capability}/tarik`, token: withdrawalToken(key, capability) }
            : undefined,
      },
      'Perkembangan permohonan',
      { kop: pemdaNama(sop) },
    );
  }

  async function withdraw(event: WebRequest, capability: string): Promise<HttpResult> {
    const found = await tracked(capability);
    if ('result' in found) return found.result;
    const { record } = found;
    const form = ctx.form(event);
    const backLink = { url: `/lacak/${capability}`, label: 'Kembali ke halaman perkembangan permohonan' };
    if (!checkWithdrawalToken(key, capability, form._token ?? ''))
      return ctx.message(403, {
        judul: 'Formulir tidak dapat diverifikasi',
        pesan: 'Formulir penarikan ini tidak berasal dari halaman perkembangan permohonan Anda. Tidak ada yang diubah.',
        tautan: backLink,
      });
    const result = await app.caseAdmin.withdraw(
      record.caseId,
      { id: 'pemohon', nama: record.pemohon.nama, jabatan: `Pemohon, ${record.pemohon.instansi}` },
      form.alasan ?? '',
    );
    const { status, model } = closeMessage('ditarik', result, (iso) => formatAt(record, iso));
    return ctx.message(status, { ...model, tautan: backLink });
  }

  /** A file of the completion package, through a 5-minute link; the download is recorded in the case history. */
  async function downloadPackageFile(event: WebRequest, capability: string, index: number): Promise<HttpResult> {
    const found = await tracked(capability);
    if ('result' in found) return found.result;
    const { record } = found;
    const backLink = { url: `/lacak/${capability}`, label: 'Kembali ke halaman perkembangan permohonan' };
    if (!checkDownloadFormToken(key, capability, ctx.form(event)._token ?? ''))
      return ctx.message(403, {
        judul: 'Formulir tidak dapat diverifikasi',
        pesan:
          'Permintaan unduhan ini tidak berasal dari halaman perkembangan permohonan Anda. Tidak ada yang diunduh.',
        tautan: backLink,
      });
    const paket = await app.completion.documentsOf(record.caseId);
    const answer = paket
      ? await packageFileLink(app, paket, index, {
          who: { id: 'pemohon', nama: record.pemohon.nama, jabatan: `Pemohon, ${record.pemohon.instansi}` },
          via: 'tautan lacak',
        })
      : undefined;
    if (!answer || 'model' in answer)
      return ctx.message(404, {
        judul: 'Berkas tidak ditemukan',
        pesan: 'Berkas yang diminta tidak ada pada kasus ini.',
        tautan: backLink,
      });
    return answer;
  }

  async function mine(event: WebRequest): Promise<HttpResult> {
    const found = await ctx.signedIn(event, (p) => has(p, 'pemohon'));
    if (found.result) return found.result;
    const p = found.session.principal;
    const cases = (await app.cases.casesOfPemda(p.pemdaId))
      .filter((record) => canSeeCase(p, { record, sopUnits: unitsOfSop(app.runtime.sopOf(record).definition.header) }))
      .sort((a, b) => b.createdAt.localeCompare(a.createdAt))
      .map((record) => {
        const sop = app.runtime.sopOf(record);
        let langkah: string | undefined;
        if (record.status === 'aktif' && record.cursor)
          try {
            langkah = activityLabel(sop, app.runtime.activityOf(record, record.cursor.node));
          } catch {
            langkah = record.cursor.stepId;
          }
        return {
          caseId: record.caseId,
          url: `/konsol/kasus/${record.caseId}`,
          perihal: record.perihal,
          sopNama: sop.definition.header.nama,
          diajukan: formatAt(record, record.createdAt),
          status: STATUS_LABEL[record.status],
          langkah,
        };
      });
    return ctx.html(200, 'permohonan-saya', { cases }, 'Permohonan saya', { session: found.session });
  }

  return [
    { method: 'GET', pattern: /^\/permohonan\/baru$/, run: async (e) => form(e) },
    { method: 'POST', pattern: /^\/permohonan\/siapkan$/, run: (e) => prepare(e) },
    { method: 'POST', pattern: /^\/api\/permohonan$/, run: (e) => prepare(e) },
    {
      method: 'GET',
      pattern: new RegExp(`^/permohonan/konfirmasi/${CONFIRMATION}$`),
      // The emailed confirmation link is a capability bound to the contact's address.
      params: ['tautan'],
      run: (_e, m) => confirmationPage(m[1]!),
    },
    {
      method: 'POST',
      pattern: new RegExp(`^/permohonan/konfirmasi/${CONFIRMATION}$`),
      params: ['tautan'],
      run: (e, m) => confirm(e, m[1]!),
    },
    {
      method: 'GET',
      pattern: new RegExp(`^/permohonan/tanda-terima/${INTAKE_ID}$`),
      // The receipt's id with its HMAC key (the query's `k`) is a capability, like a tracking link.
      params: ['tautan'],
      run: (e, m) => receipt(e, m[1]!),
    },
    { method: 'GET', pattern: /^\/permohonan\/saya$/, run: (e) => mine(e) },
    {
      method: 'GET',
      pattern: new RegExp(`^/lacak/${CAPABILITY}$`),
      params: ['tautan'],
      run: (_e, m) => progress(m[1]!),
    },
    {
      method: 'POST',
      pattern: new RegExp(`^/lacak/${CAPABILITY}/tarik$`),
      params: ['tautan'],
      run: (e, m) => withdraw(e, m[1]!),
    },
    {
      method: 'POST',
      pattern: new RegExp(`^/lacak/${CAPABILITY}/unduh/(\\d{1,2})$`),
      params: ['tautan', 'urutan'],
      run: (e, m) => downloadPackageFile(e, m[1]!, Number(m[2])),
    },
  ];
}

/**
 * The answer to a form the schema refused: each message beside its field (the names the form's script marks), and
 * what has no field of its own in the summary.
 */
function refusedForm(issues: FieldIssue[], raw: unknown): { pesan: string; rincian: Record<string, string> } {
  const files = (raw as { files?: { slot?: unknown }[] } | null)?.files;
  const rincian: Record<string, string> = {};
  const other: string[] = [];
  for (const { path, message } of issues) {
    const [top, second] = path;
    const slot = top === 'files' && typeof second === 'number' ? files?.[second]?.slot : undefined;
    const name =
      top === 'perihal'
        ? 'perihal'
        : top === 'pemohon' && typeof second === 'string'
          ? second
          : typeof slot === 'string' && /^[a-z0-9-]{1,100}$/.test(slot)
            ? `berkas_${slot}`
            : undefined;
    if (name) rincian[name] ??= message;
    else other.push(message);
  }
  const pesan = other.length
    ? `Permohonan belum dikirim: ${[...new Set(other)].join('; ')}`
    : 'Permohonan belum dikirim: periksa isian yang ditandai';
  return { pesan, rincian };
}

function bodyOf(event: WebRequest): string {
  return event.body ?? '';
}
