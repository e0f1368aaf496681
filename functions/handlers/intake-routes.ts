import { z } from 'zod';
import { canSeeCase, has, unitsOfSop } from '../../core/access/access.ts';
import { DASAR_KESEPAKATAN } from '../../core/agreement/induk.ts';
import {
  COMMON_INTAKE_FIELDS,
  checkValue,
  INTAKE_PREFIX,
  MANIFEST_NAME,
  QUARANTINE_PREFIX,
} from '../../core/case/intake.ts';
import { taskIdFor } from '../../core/case/links.ts';
import type { CaseRecord, HistoryEvent } from '../../core/case/model.ts';
import { acceptLabel, formatBytes } from '../../core/case/task-actions.ts';
import {
  checkReceiptKey,
  checkWithdrawalToken,
  readTrackingToken,
  receiptKey,
  withdrawalToken,
} from '../../core/case/tracking.ts';
import { kindFromName } from '../../core/files/sniff.ts';
import type { Sop } from '../../core/sop/load-sop.ts';
import type { Field } from '../../core/sop/schema.ts';
import { closeMessage } from './case-admin-routes.ts';
import type { HttpEvent, HttpResult, Route, WebContext } from './http-api.ts';

/**
 * The pemohon's pages. Outside partners have no account, so the form, the receipt and the tracking page are open;
 * what they show of a case is reached only through capabilities (core/case/tracking.ts):
 *
 * - `GET /permohonan/baru[?sop=…]`: choose the SOP, then the form. Its script checks each file (type by name, size),
 *   asks `POST /permohonan/siapkan` to check the form and presign the uploads (the same `Intake.prepare` as
 *   `POST /api/permohonan`), PUTs each file straight to the intake bucket, then the manifest last, and opens the
 *   receipt. The intake handler then checks the files again by content and size.
 * - `GET /permohonan/tanda-terima/<intakeId>?k=…`: the case number once the case exists (the page reloads itself
 *   until then), or the reasons the permohonan was quarantined.
 * - `GET /lacak/<capability>`: the progress of one case, and its withdrawal (`POST /lacak/<capability>/tarik`).
 * - `GET /permohonan/saya`: a signed-in pemohon's cases.
 */
const INTAKE_ID = '(\\d{8}-[a-z2-7]{10})';
const CAPABILITY = '([^/]{1,200})';

/** The intake fields the form shows under "Kerja sama yang diusulkan" first, in this order. */
const LEADING = ['pihak-mitra', 'jenis-kerja-sama'];

const STATUS_LABEL: Record<string, string> = {
  aktif: 'Sedang diproses',
  selesai: 'Selesai diproses',
  ditolak: 'Tidak dapat dilanjutkan',
  dibatalkan: 'Dibatalkan',
};

const SiapkanSchema = z
  .object({
    sopId: z.string().min(1).max(200),
    perihal: z.string().max(2000),
    pemohon: z
      .object({
        nama: z.string().max(400),
        email: z.string().max(400),
        instansi: z.string().max(600),
        telepon: z.string().max(100).optional(),
      })
      .strict(),
    data: z.record(z.string(), z.union([z.string().max(8000), z.number(), z.boolean()])),
    files: z
      .array(z.object({ slot: z.string().max(100), name: z.string().max(400), size: z.number() }).strict())
      .max(20),
  })
  .strict();

/** The data fields of an SOP's intake, plus the partner and the kind of cooperation where the SOP lacks them. */
function intakeFields(sop: Sop): Field[] {
  const own = sop.definition.intake.data.filter((f) => f.id !== 'perihal');
  const common = COMMON_INTAKE_FIELDS.filter((c) => !own.some((f) => f.id === c.id));
  const all = [...common, ...own];
  return [...LEADING.flatMap((id) => all.filter((f) => f.id === id)), ...all.filter((f) => !LEADING.includes(f.id))];
}

/** How the form named a select value ("Kerja Sama Daerah dengan Daerah Lain (KSDD)"). */
function optionLabel(sop: Sop, fieldId: string, value: unknown): unknown {
  const field = intakeFields(sop).find((f) => f.id === fieldId);
  return field?.options?.find((o) => o.value === value)?.label ?? value;
}

const query = (event: HttpEvent) => new URLSearchParams(event.rawQueryString ?? '');

export function intakeRoutes(ctx: WebContext): Route[] {
  const { app } = ctx;
  const key = app.config.SEPAKAT_LINK_KEY;
  const bucket = app.config.SEPAKAT_BUCKET_INTAKE;
  const maxBytes = app.config.SEPAKAT_MAX_UPLOAD_BYTES;
  const formatAt = (record: Pick<CaseRecord, 'pemdaId'>, iso: string) =>
    app.catalog.pemda(record.pemdaId).formatDateTime(new Date(iso));
  const pemdaNama = (sop: Sop) => app.catalog.pemda(sop.definition.pemda).directory.data.pemda.nama;
  const latest = (sopId: string): Sop | undefined => {
    try {
      return app.catalog.sops.latest(sopId);
    } catch {
      return undefined;
    }
  };

  function form(event: HttpEvent): HttpResult {
    const session = ctx.sessions.read(event.headers).session;
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
          fields: fields.map((f) => ({ id: f.id, type: f.type })),
        },
      },
      'Permohonan baru',
      { kop: pemdaNama(sop), ...(session ? { session } : {}) },
    );
  }

  /** Checks the whole form before any byte is sent, then presigns the uploads; errors name the form's fields. */
  async function prepare(event: HttpEvent): Promise<HttpResult> {
    let raw: unknown;
    try {
      raw = JSON.parse(bodyOf(event));
    } catch {
      return ctx.json(400, { pesan: 'Permintaan bukan JSON yang valid' });
    }
    const parsed = SiapkanSchema.safeParse(raw);
    if (!parsed.success) return ctx.json(400, { pesan: 'Formulir tidak lengkap; muat ulang halaman lalu isi kembali' });
    const input = parsed.data;
    const sop = latest(input.sopId);
    if (!sop) return ctx.json(400, { pesan: `SOP "${input.sopId}" tidak dikenal` });
    const errors: Record<string, string> = {};
    const pemohon = {
      nama: input.pemohon.nama.trim(),
      email: input.pemohon.email.trim(),
      instansi: input.pemohon.instansi.trim(),
      telepon: input.pemohon.telepon?.trim() ?? '',
    };
    if (pemohon.nama.length < 2 || pemohon.nama.length > 200) errors.nama = 'Nama wajib diisi (2–200 huruf)';
    if (!z.email().safeParse(pemohon.email).success) errors.email = 'Alamat email tidak valid';
    if (pemohon.instansi.length < 2 || pemohon.instansi.length > 300)
      errors.instansi = 'Instansi atau perangkat daerah wajib diisi (2–300 huruf)';
    if (pemohon.telepon.length > 40) errors.telepon = 'Nomor telepon paling panjang 40 karakter';
    const perihal = input.perihal.trim();
    if (perihal.length < 5 || perihal.length > 500) errors.perihal = 'Perihal wajib diisi (5–500 huruf)';
    const data: Record<string, string | number | boolean> = {};
    for (const field of intakeFields(sop)) {
      const value = input.data[field.id];
      if (value === undefined || value === '' || (field.type === 'boolean' && value === false)) {
        if (field.required && field.type !== 'boolean') errors[`d_${field.id}`] = `${field.label} wajib diisi`;
        if (field.type === 'boolean') data[field.id] = false;
        continue;
      }
      const checked = checkValue(field, value);
      if (typeof checked === 'object') errors[`d_${field.id}`] = checked.error;
      else data[field.id] = checked;
    }
    if (sop.definition.intake.data.some((f) => f.id === 'perihal') && perihal) data.perihal = perihal;
    const dasar = data[DASAR_KESEPAKATAN];
    if (typeof dasar === 'string' && !dasar.trim()) delete data[DASAR_KESEPAKATAN];
    else if (typeof dasar === 'string') {
      data[DASAR_KESEPAKATAN] = dasar.trim();
      const refusal = await app.intake.checkInduk(sop.definition.pemda, dasar);
      if (refusal) errors[`d_${DASAR_KESEPAKATAN}`] = refusal;
    }
    for (const slot of sop.definition.intake.documents) {
      const listed = input.files.filter((f) => f.slot === slot.id);
      const name = `berkas_${slot.id}`;
      if (!listed.length) {
        if (slot.required) errors[name] = `${slot.label} wajib dilampirkan`;
        continue;
      }
      for (const file of listed) {
        if (!(file.size > 0)) errors[name] = `Berkas "${file.name}" kosong`;
        else if (file.size > maxBytes)
          errors[name] = `Berkas "${file.name}" terlalu besar; paling besar ${formatBytes(maxBytes)}`;
        else if (!kindFromName(file.name, slot.accept ?? []))
          errors[name] = `Jenis berkas "${file.name}" tidak diterima; harus ${acceptLabel(slot)}`;
      }
    }
    for (const file of input.files)
      if (!sop.definition.intake.documents.some((d) => d.id === file.slot))
        return ctx.json(400, { pesan: `Berkas "${file.name}" tidak diminta oleh SOP ini` });
    if (Object.keys(errors).length)
      return ctx.json(400, { pesan: 'Permohonan belum dikirim: periksa isian yang ditandai', rincian: errors });

    const prepared = await app.intake.prepare({ sopId: sop.definition.id, files: input.files });
    const manifestBody = {
      intakeId: prepared.intakeId,
      sopId: sop.definition.id,
      perihal,
      pemohon: {
        nama: pemohon.nama,
        email: pemohon.email,
        instansi: pemohon.instansi,
        ...(pemohon.telepon ? { telepon: pemohon.telepon } : {}),
      },
      data,
      files: prepared.uploads.map((u, i) => ({ slot: u.slot, key: u.key, name: input.files[i]!.name })),
    };
    return ctx.json(200, {
      ...prepared,
      manifestBody,
      tandaTerima: `/permohonan/tanda-terima/${prepared.intakeId}?k=${receiptKey(key, prepared.intakeId)}`,
    });
  }

  async function receipt(event: HttpEvent, intakeId: string): Promise<HttpResult> {
    const k = query(event).get('k') ?? '';
    if (!checkReceiptKey(key, intakeId, k))
      return ctx.message(404, {
        judul: 'Tanda terima tidak ditemukan',
        pesan:
          'Alamat tanda terima ini tidak dikenal atau telah diubah. Gunakan alamat persis seperti yang dibuka setelah mengirim permohonan.',
      });
    const record = await app.store.getCase(intakeId);
    if (record) {
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
    const quarantined = await app.files.getText(bucket, `${QUARANTINE_PREFIX}${intakeId}/alasan.json`, 64 * 1024);
    if (quarantined) {
      let reasons: string[] = [];
      try {
        reasons = (JSON.parse(quarantined) as { reasons?: string[] }).reasons ?? [];
      } catch {
        reasons = [];
      }
      return ctx.html(
        422,
        'permohonan-tanda-terima',
        { keadaan: 'ditolak', intakeId, alasan: reasons, baru: '/permohonan/baru' },
        'Permohonan belum dapat diterima',
      );
    }
    const manifest = await app.files.getText(bucket, `${INTAKE_PREFIX}${intakeId}/${MANIFEST_NAME}`, 256 * 1024);
    return ctx.html(
      200,
      'permohonan-tanda-terima',
      { keadaan: manifest ? 'diperiksa' : 'belum-lengkap', intakeId, muatUlang: true },
      'Permohonan sedang diperiksa',
    );
  }

  /** The case a tracking capability opens, or the 404 page. */
  async function tracked(capability: string): Promise<{ record: CaseRecord } | { result: HttpResult }> {
    const found = readTrackingToken(key, capability);
    const record = found && (await app.store.getCase(found.caseId));
    if (!found || !record || (record.trackingVersion ?? 1) !== found.version)
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
    const history = await app.store.listHistory(record.caseId);
    const label = (node: string | undefined) => {
      try {
        const n = sop.node(node ?? '');
        return n.type === 'activity' ? n.label : (node ?? '');
      } catch {
        return node ?? '';
      }
    };
    const selesai = history
      .filter((e) => e.type === 'tugas-diputuskan')
      .map((e) => ({ langkah: `${e.stepId ?? ''}. ${label(e.node)}`, waktu: formatAt(record, e.at) }));
    let sekarang: Record<string, unknown> | undefined;
    if (record.status === 'aktif' && record.cursor) {
      const activity = app.runtime.activityOf(record, record.cursor.node);
      const task = await app.store.getTask(taskIdFor(key, record.caseId, record.cursor.seq));
      sekarang = {
        langkah: `${activity.stepId}. ${activity.label}`,
        sejak: formatAt(record, record.cursor.enteredAt),
        mutuBaku: activity.waktu?.raw,
        batasWaktu: task?.state === 'open' && task.dueAt ? formatAt(record, task.dueAt) : undefined,
        menungguPihakLuar: activity.actor.kind === 'external' ? activity.actor.jabatan : undefined,
      };
    }
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
        tarik:
          record.status === 'aktif'
            ? { url: `/lacak/${capability}/tarik`, token: withdrawalToken(key, capability) }
            : undefined,
      },
      'Perkembangan permohonan',
      { kop: pemdaNama(sop) },
    );
  }

  async function withdraw(event: HttpEvent, capability: string): Promise<HttpResult> {
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

  async function mine(event: HttpEvent): Promise<HttpResult> {
    const found = await ctx.signedIn(event, (p) => has(p, 'pemohon'));
    if (found.result) return found.result;
    const p = found.session.principal;
    const cases = (await app.store.listCasesOfPemda(p.pemdaId))
      .filter((record) => canSeeCase(p, { record, sopUnits: unitsOfSop(app.runtime.sopOf(record).definition.header) }))
      .sort((a, b) => b.createdAt.localeCompare(a.createdAt))
      .map((record) => {
        const sop = app.runtime.sopOf(record);
        let langkah: string | undefined;
        if (record.status === 'aktif' && record.cursor)
          try {
            langkah = `${record.cursor.stepId}. ${app.runtime.activityOf(record, record.cursor.node).label}`;
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
  ];
}

function bodyOf(event: HttpEvent): string {
  if (!event.body) return '';
  return event.isBase64Encoded ? Buffer.from(event.body, 'base64').toString('utf8') : event.body;
}
