import { createHash, randomBytes } from 'node:crypto';
import { z } from 'zod';
import { DASAR_KESEPAKATAN, indukRefusal, type IndukLookup } from '../agreement/induk.ts';
import { ErrorNames, SepakatError } from '../errors.ts';
import {
  acceptLabel,
  acceptUpload,
  formatBytes,
  MAX_PRESIGN_SECONDS,
  type FileStore,
} from '../files/accepted-files.ts';
import { CONTENT_TYPES, kindFromName, safeFileName } from '../files/sniff.ts';
import type { Sop } from '../sop/load-sop.ts';
import { START_POSITION } from '../sop/compile-sop.ts';
import type { Field } from '../sop/schema.ts';
import {
  DEFAULT_INTAKE_LIMITS,
  type IntakeLimits,
  type IntakeRecord,
  type IntakeStore,
  type RateLimiter,
} from './intake-model.ts';
import { parseInput, type Labels } from '../validation/issues.ts';
import { checkField, checkText, isEmailAddress, surel, teks, type TextRules } from '../validation/text.ts';
import type { CaseRecord, StoredFile } from './model.ts';
import type { CaseRuntime, RuntimeDeps } from './case-runtime.ts';
import { MAIL_REFUSAL, mailFailureKey } from './mail-once.ts';
import { caseDimensions } from '../metrics.ts';
import {
  checkConfirmation,
  confirmationToken,
  readConfirmationToken,
  subjectTag,
  trackingToken,
} from './capabilities.ts';

/**
 * How a case starts. The pemohon's browser (or a script) sends the whole form to `prepare`, which checks it before
 * any byte is sent, reserves the permohonan (an {@link IntakeRecord}) and presigns one PUT per file and one for the
 * manifest it built (each for exactly the declared size, 15 minutes). The browser PUTs the files, then the manifest.
 * The manifest's S3 event runs `onObjectCreated`: the manifest must be the one built, the files the ones reserved;
 * each file is read once (type by content, size, SHA-256) and its checked bytes are kept under `diterima/<id>/<sha>`,
 * which no presigned URL names. A pemohon signed in when the permohonan was prepared starts the case at once; any
 * other contact first confirms their address by a single-use link (`confirm`), and only then is the case created,
 * the receipt sent and the first task opened. Whatever fails, and whatever is not confirmed in time, goes to
 * `karantina/` with its reasons; nothing of it stays under `permohonan/` or `diterima/`.
 */
export interface IntakeDeps extends RuntimeDeps {
  files: FileStore;
  intakes: IntakeStore;
  limiter: RateLimiter;
  limits?: IntakeLimits;
  intakeBucket: string;
  maxUploadBytes: number;
  /**
   * What the pemda's register and agreements hold under a number a permohonan names as the Kesepakatan Bersama it
   * implements (`dasar-kesepakatan-nomor`). Without it such a permohonan is refused: the number cannot be checked.
   */
  indukOf?(pemdaId: string, nomor: string): Promise<IndukLookup>;
}

export const INTAKE_PREFIX = 'permohonan/';
export const QUARANTINE_PREFIX = 'karantina/';
/** Where the checked bytes of a permohonan's files are kept (never presigned for writing). */
export const ACCEPTED_PREFIX = 'diterima/';
export const MANIFEST_NAME = 'manifest.json';
const INTAKE_ID = /^\d{8}-[a-z2-7]{10}$/;
/** A reservation whose manifest never came goes to quarantine after this. */
export const MANIFEST_GRACE_MS = 60 * 60_000;
/** How long a contact has to confirm their address. */
export const CONFIRM_HOURS = 48;

/**
 * Where the facts of a permohonan's confirmation email are kept before its case exists (the history of a reservation
 * named after the intake), and the key of that email.
 */
const confirmationFacts = (intakeId: string) => `konfirmasi-${intakeId}`;
const CONFIRMATION_MAIL = 'konfirmasi#email';

/**
 * What every permohonan names, whatever its SOP: the partner and the kind of cooperation (KSDD, KSDPK, KSDPL, KSDLL).
 * The intake form asks for them when the SOP's intake does not, and they are kept as case data then too.
 */
export const COMMON_INTAKE_FIELDS: Field[] = [
  { id: 'pihak-mitra', label: 'Mitra kerja sama', type: 'text', required: true, caseData: true },
  {
    id: 'jenis-kerja-sama',
    label: 'Jenis kerja sama',
    type: 'select',
    required: true,
    caseData: true,
    options: [
      { value: 'KSDD', label: 'Kerja Sama Daerah dengan Daerah Lain (KSDD)' },
      { value: 'KSDPK', label: 'Kerja Sama Daerah dengan Pihak Ketiga (KSDPK)' },
      { value: 'KSDPL', label: 'Kerja Sama Daerah dengan Pemerintah Daerah di Luar Negeri (KSDPL)' },
      { value: 'KSDLL', label: 'Kerja Sama Daerah dengan Lembaga di Luar Negeri (KSDLL)' },
    ],
  },
  {
    id: DASAR_KESEPAKATAN,
    label: 'Nomor Kesepakatan Bersama / Nota Kesepakatan yang menjadi dasar',
    type: 'text',
    required: false,
    caseData: true,
    help:
      'Isi bila kerja sama ini melaksanakan Kesepakatan Bersama atau Nota Kesepakatan yang sudah ditandatangani, ' +
      'persis seperti nomor pada naskahnya (misalnya 000.5.4/001/409.1.1/2026). Kosongkan bila tidak ada.',
  },
];

/** The intake fields the form shows under "Kerja sama yang diusulkan" first, in this order. */
const LEADING = ['pihak-mitra', 'jenis-kerja-sama'];

/** The data fields of an SOP's intake, plus the partner and the kind of cooperation where the SOP lacks them. */
export function intakeFields(sop: Sop): Field[] {
  const own = sop.definition.intake.data.filter((f) => f.id !== 'perihal');
  const common = COMMON_INTAKE_FIELDS.filter((c) => !own.some((f) => f.id === c.id));
  const all = [...common, ...own];
  return [...LEADING.flatMap((id) => all.filter((f) => f.id === id)), ...all.filter((f) => !LEADING.includes(f.id))];
}

export const ManifestSchema = z
  .object({
    intakeId: teks('Nomor permohonan', { min: 1, pattern: INTAKE_ID }),
    sopId: teks('SOP', { min: 1, max: 200 }),
    perihal: teks('Perihal', { min: 5, max: 500 }),
    pemohon: z
      .object({
        nama: teks('Nama pemohon', { min: 2, max: 200 }),
        email: surel('Email pemohon'),
        instansi: teks('Instansi pemohon', { min: 2, max: 300 }),
        telepon: teks('Telepon pemohon', { max: 40 }).optional(),
      })
      .strict(),
    // The values are checked field by field against the SOP's intake (`checkValue`), with each field's label.
    data: z.record(z.string(), z.union([z.string().max(4000), z.number(), z.boolean()])).default({}),
    files: z
      .array(
        z
          .object({
            slot: teks('Jenis dokumen', { min: 1, max: 100 }),
            key: teks('Letak berkas', { min: 1, max: 1024 }),
            name: teks('Nama berkas', { min: 1, max: 200 }),
          })
          .strict(),
      )
      .max(20),
  })
  .strict();
/** The manifest's fields as the pemohon knows them (see `issueMessages`); `data.*` are the SOP's own labels. */
export const MANIFEST_LABELS: Labels = {
  '': 'Manifest',
  intakeId: 'Nomor permohonan',
  sopId: 'SOP',
  perihal: 'Perihal',
  pemohon: 'Data pemohon',
  'pemohon.nama': 'Nama pemohon',
  'pemohon.email': 'Email pemohon',
  'pemohon.instansi': 'Instansi pemohon',
  'pemohon.telepon': 'Telepon pemohon',
  data: 'Data permohonan',
  'data.*': 'Data permohonan',
  files: 'Daftar berkas',
  'files.*': 'Berkas ke-{n}',
  'files.*.slot': 'Jenis dokumen berkas ke-{n}',
  'files.*.key': 'Letak berkas ke-{n}',
  'files.*.name': 'Nama berkas ke-{n}',
};
export type Manifest = z.infer<typeof ManifestSchema>;

/** What a pemohon fills in: who they are, the subject, the SOP's intake data, and the files they will upload. */
export interface IntakeForm {
  sopId: string;
  perihal: string;
  pemohon: { nama: string; email: string; instansi: string; telepon?: string };
  data: Record<string, string | number | boolean>;
  files: { slot: string; name: string; size: number }[];
}

/** Who is asking: the caller's network address (for limits) and a signed-in pemohon, if any. */
export interface IntakeCaller {
  source?: string;
  signedIn?: { email: string; nama: string; sub: string };
}

export interface IntakeUploads {
  intakeId: string;
  uploads: { slot: string; key: string; url: string; contentType: string }[];
  /** The manifest to PUT last, byte for byte (its size is signed). */
  manifest: { key: string; url: string; body: string };
}

/** Field errors of the intake form, keyed by the form's input names (nama, email, perihal, d_<field>, berkas_<slot>). */
export type IntakeFormErrors = Record<string, string>;

export type PrepareResult = ({ ok: true } & IntakeUploads) | { ok: false; errors: IntakeFormErrors };

export type IntakeOutcome =
  | { outcome: 'dimulai'; caseId: string; execution: 'started' | 'exists' }
  | { outcome: 'menunggu-konfirmasi'; intakeId: string }
  | { outcome: 'dikarantina'; intakeId: string; reasons: string[] }
  | { outcome: 'diabaikan'; reason: string };

/** What a confirmation link finds. */
export type ConfirmationView =
  | { state: 'menunggu'; record: IntakeRecord & { candidate: CaseRecord }; sopNama: string; confirmBy: string }
  | { state: 'dikonfirmasi'; caseId: string }
  | { state: 'tidak-berlaku' };

const base32 = (bytes: Buffer) => {
  const alphabet = 'abcdefghijklmnopqrstuvwxyz234567';
  let out = '';
  for (const b of bytes) out += alphabet[b % 32];
  return out;
};

const sha256Text = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');

/** The permohonan's checked values, or its errors keyed by form input. Pure but for the register lookup. */
interface CheckedForm {
  errors: IntakeFormErrors;
  perihal: string;
  pemohon: IntakeForm['pemohon'];
  data: Record<string, string | number | boolean>;
}

export class Intake {
  constructor(
    private readonly deps: IntakeDeps,
    private readonly runtime: CaseRuntime,
  ) {}

  private get limits(): IntakeLimits {
    return this.deps.limits ?? DEFAULT_INTAKE_LIMITS;
  }

  private latest(sopId: string): Sop | undefined {
    try {
      return this.deps.sops.latest(sopId);
    } catch {
      return undefined;
    }
  }

  /**
   * Checks the whole form before any byte is sent, reserves the permohonan and presigns its uploads (each for its
   * declared size, 15 minutes) and its manifest. A caller over the limit gets a {@link ErrorNames.Limited} error.
   */
  async prepare(form: IntakeForm, caller: IntakeCaller = {}): Promise<PrepareResult> {
    const sop = this.latest(form.sopId);
    if (!sop) throw new SepakatError(ErrorNames.BadInput, `SOP "${form.sopId}" tidak dikenal`);
    const checked = await this.checkForm(sop, form);
    const errors = { ...checked.errors, ...this.checkDeclaredFiles(sop, form.files) };
    if (Object.keys(errors).length) return { ok: false, errors };

    const now = this.deps.clock.now();
    const source = caller.source ? subjectTag(this.deps.linkKey(), 'sumber', caller.source) : undefined;
    if (source) {
      const taken = await this.deps.limiter.take(
        `siapkan#${source}`,
        { max: this.limits.preparePerSourcePerHour, windowSeconds: 3600 },
        now,
      );
      if (!taken.ok)
        throw new SepakatError(
          ErrorNames.Limited,
          `Terlalu banyak permohonan dikirim dari jaringan Anda dalam satu jam terakhir. Silakan coba lagi setelah ${this.deps.pemda(sop.definition.pemda).formatDateTime(taken.retryAt)}.`,
        );
    }
    const intakeId = `${now.toISOString().slice(0, 10).replaceAll('-', '')}-${base32(randomBytes(10))}`;
    const uploads = form.files.map((file) => {
      const field = sop.definition.intake.documents.find((d) => d.id === file.slot)!;
      const kind = kindFromName(file.name, field.accept ?? [])!;
      return {
        slot: file.slot,
        key: `${INTAKE_PREFIX}${intakeId}/berkas/${file.slot}-${safeFileName(file.name)}`,
        size: file.size,
        contentType: CONTENT_TYPES[kind],
      };
    });
    const manifest: Manifest = {
      intakeId,
      sopId: sop.definition.id,
      perihal: checked.perihal,
      pemohon: checked.pemohon,
      data: checked.data,
      files: uploads.map((u, i) => ({ slot: u.slot, key: u.key, name: form.files[i]!.name })),
    };
    const body = JSON.stringify(manifest);
    const manifestKey = `${INTAKE_PREFIX}${intakeId}/${MANIFEST_NAME}`;
    await this.deps.intakes.create({
      intakeId,
      sopId: sop.definition.id,
      state: 'disiapkan',
      createdAt: now.toISOString(),
      uploads: [
        ...uploads,
        { slot: MANIFEST_NAME, key: manifestKey, size: Buffer.byteLength(body), contentType: 'application/json' },
      ],
      manifestSha256: sha256Text(body),
      ...(source ? { source } : {}),
      ...(caller.signedIn ? { preparedBy: caller.signedIn } : {}),
      contact: checked.pemohon.email,
    });
    const presign = (u: { key: string; size: number; contentType: string }) =>
      this.deps.files.presignUpload(this.deps.intakeBucket, u.key, {
        contentType: u.contentType,
        size: u.size,
        expiresSeconds: MAX_PRESIGN_SECONDS,
      });
    return {
      ok: true,
      intakeId,
      uploads: await Promise.all(
        uploads.map(async (u) => ({ slot: u.slot, key: u.key, contentType: u.contentType, url: await presign(u) })),
      ),
      manifest: {
        key: manifestKey,
        body,
        url: await presign({ key: manifestKey, size: Buffer.byteLength(body), contentType: 'application/json' }),
      },
    };
  }

  /** The form's text and data checked against the SOP's intake (also re-checked when the manifest arrives). */
  private async checkForm(sop: Sop, form: Omit<IntakeForm, 'files'>): Promise<CheckedForm> {
    const errors: IntakeFormErrors = {};
    // Every text a person typed goes through the one validator (core/validation/text.ts): bidirectional controls
    // are refused naming the field, the invisible characters word processors paste are removed.
    const text = (field: keyof IntakeFormErrors & string, label: string, raw: unknown, rules: TextRules) => {
      const checked = checkText(label, typeof raw === 'string' ? raw : '', rules);
      if (typeof checked === 'object') {
        errors[field] = checked.error;
        return '';
      }
      return checked;
    };
    const email = checkField(surel('Email'), form.pemohon.email);
    if (typeof email === 'object') errors.email = email.error;
    const telepon = text('telepon', 'Telepon', form.pemohon.telepon ?? '', { max: 40 });
    const pemohon = {
      nama: text('nama', 'Nama', form.pemohon.nama, { min: 2, max: 200 }),
      email: typeof email === 'string' ? email : '',
      instansi: text('instansi', 'Instansi / perangkat daerah', form.pemohon.instansi, { min: 2, max: 300 }),
      ...(telepon ? { telepon } : {}),
    };
    const perihal = text('perihal', 'Perihal', form.perihal, { min: 5, max: 500 });
    const data: Record<string, string | number | boolean> = {};
    for (const field of intakeFields(sop)) {
      const value = form.data[field.id];
      if (value === undefined || value === '' || (field.type === 'boolean' && value === false)) {
        if (field.required && field.type !== 'boolean') errors[`d_${field.id}`] = `${field.label} wajib diisi`;
        if (field.type === 'boolean') data[field.id] = false;
        continue;
      }
      const checked = checkValue(field, value);
      if (typeof checked === 'object') errors[`d_${field.id}`] = checked.error;
      else data[field.id] = checked;
    }
    for (const id of Object.keys(form.data))
      if (!intakeFields(sop).some((f) => f.id === id) && id !== 'perihal')
        errors[`d_${id}`] = `Isian "${id}" tidak dikenal pada formulir SOP ini`;
    if (sop.definition.intake.data.some((f) => f.id === 'perihal') && perihal) data.perihal = perihal;
    const dasar = data[DASAR_KESEPAKATAN];
    if (typeof dasar === 'string' && !dasar.trim()) delete data[DASAR_KESEPAKATAN];
    else if (typeof dasar === 'string') {
      data[DASAR_KESEPAKATAN] = dasar.trim();
      const refusal = await this.checkInduk(sop.definition.pemda, dasar);
      if (refusal) errors[`d_${DASAR_KESEPAKATAN}`] = refusal;
    }
    return { errors, perihal, pemohon, data };
  }

  /** The files a form declares: each for a slot the SOP asks, of a size and a kind (by name) it accepts. */
  private checkDeclaredFiles(sop: Sop, files: IntakeForm['files']): IntakeFormErrors {
    const errors: IntakeFormErrors = {};
    const max = this.deps.maxUploadBytes;
    if (files.length > 20) errors.berkas = 'Paling banyak 20 berkas';
    for (const slot of sop.definition.intake.documents) {
      const listed = files.filter((f) => f.slot === slot.id);
      const name = `berkas_${slot.id}`;
      if (!listed.length) {
        if (slot.required) errors[name] = `${slot.label} wajib dilampirkan`;
        continue;
      }
      for (const file of listed) {
        if (!Number.isInteger(file.size) || !(file.size > 0)) errors[name] = `Berkas "${file.name}" kosong`;
        else if (file.size > max)
          errors[name] = `Berkas "${file.name}" terlalu besar; paling besar ${formatBytes(max)}`;
        else if (!kindFromName(file.name, slot.accept ?? []))
          errors[name] = `Jenis berkas "${file.name}" tidak diterima; harus ${acceptLabel(slot)}`;
      }
    }
    for (const file of files)
      if (!sop.definition.intake.documents.some((d) => d.id === file.slot))
        errors[`berkas_${file.slot}`] = `Berkas "${file.name}" tidak diminta oleh SOP ini`;
    return errors;
  }

  /**
   * Why `nomor` cannot be the Kesepakatan Bersama a permohonan to the pemda implements (in Indonesian), or undefined
   * when it can. The intake form asks the same before any byte is sent.
   */
  async checkInduk(pemdaId: string, nomor: string): Promise<string | undefined> {
    const text = nomor.trim();
    if (!text) return undefined;
    if (text.length > 100)
      return 'Nomor Kesepakatan Bersama / Nota Kesepakatan terlalu panjang (paling banyak 100 karakter).';
    if (!this.deps.indukOf)
      return `Nomor Kesepakatan Bersama / Nota Kesepakatan "${text}" tidak dapat diperiksa saat ini; kosongkan isian ini atau coba lagi nanti.`;
    const today = this.deps.pemda(pemdaId).localDate(this.deps.clock.now());
    return indukRefusal(text, await this.deps.indukOf(pemdaId, text), today);
  }

  /** Handles the S3 event of an uploaded object. Only manifests start anything. */
  async onObjectCreated(bucket: string, key: string): Promise<IntakeOutcome> {
    if (bucket !== this.deps.intakeBucket) return { outcome: 'diabaikan', reason: `bucket ${bucket}` };
    const match = new RegExp(`^${INTAKE_PREFIX}([^/]+)/${MANIFEST_NAME}$`).exec(key);
    if (!match) return { outcome: 'diabaikan', reason: 'bukan manifest' };
    const intakeId = match[1]!;
    const existing = await this.deps.store.getCase(intakeId);
    if (existing) return this.start(existing);
    const record = INTAKE_ID.test(intakeId) ? await this.deps.intakes.get(intakeId) : undefined;
    if (!record)
      return this.quarantineUnknown(intakeId, [
        'Permohonan tidak dikenal: tidak disiapkan melalui formulir permohonan Sepakat',
      ]);
    switch (record.state) {
      case 'dikonfirmasi':
        return this.createCase(record);
      case 'menunggu-konfirmasi':
        await this.sendConfirmation(record);
        return { outcome: 'menunggu-konfirmasi', intakeId };
      case 'dikarantina':
        return { outcome: 'dikarantina', intakeId, reasons: record.reasons ?? [] };
      case 'disiapkan':
        return this.checkManifest(record, key);
    }
  }

  /** The manifest of a reserved permohonan: the one built at `prepare`, naming the reserved files, all of them good. */
  private async checkManifest(record: IntakeRecord, key: string): Promise<IntakeOutcome> {
    const reject = (reasons: string[], contact?: string) => this.reject(record, reasons, contact);
    const text = await this.deps.files.getText(this.deps.intakeBucket, key, 256 * 1024);
    if (text === undefined) return { outcome: 'diabaikan', reason: 'manifest tidak ada' };
    if (record.manifestSha256 && sha256Text(text) !== record.manifestSha256)
      return reject(['Manifest tidak sama dengan yang disiapkan Sepakat untuk permohonan ini']);
    let raw: unknown;
    try {
      raw = JSON.parse(text);
    } catch {
      return reject(['Manifest bukan JSON yang valid']);
    }
    const parsed = parseInput(ManifestSchema, raw, MANIFEST_LABELS);
    const email = checkField(surel('Email pemohon'), (raw as { pemohon?: { email?: unknown } })?.pemohon?.email);
    const contact = typeof email === 'string' ? email : undefined;
    if (!parsed.ok) return reject(parsed.messages, contact);
    const manifest = parsed.value;
    if (manifest.intakeId !== record.intakeId)
      return reject(['Nomor permohonan pada manifest tidak sesuai dengan foldernya'], contact);
    const sop = this.latest(manifest.sopId);
    if (!sop || manifest.sopId !== record.sopId) return reject([`SOP "${manifest.sopId}" tidak dikenal`], contact);
    const checked = await this.checkForm(sop, manifest);
    const problems = Object.values(checked.errors);
    const files: StoredFile[] = [];
    for (const field of sop.definition.intake.documents) {
      const listed = manifest.files.filter((f) => f.slot === field.id);
      if (!listed.length && field.required) problems.push(`${field.label} wajib dilampirkan`);
      for (const file of listed) {
        const reserved = record.uploads.find((u) => u.key === file.key && u.slot === file.slot);
        if (!reserved) {
          problems.push(`${field.label}: berkas "${file.name}" berada di luar permohonan ini`);
          continue;
        }
        const accepted = await acceptUpload(
          this.deps.files,
          { bucket: this.deps.intakeBucket, key: file.key, name: file.name },
          field,
          { maxBytes: Math.min(reserved.size, this.deps.maxUploadBytes) },
          { bucket: this.deps.intakeBucket, prefix: `${ACCEPTED_PREFIX}${record.intakeId}/` },
        );
        if ('error' in accepted) problems.push(accepted.error);
        else files.push(accepted);
      }
    }
    for (const file of manifest.files)
      if (!sop.definition.intake.documents.some((d) => d.id === file.slot))
        problems.push(`Berkas "${file.name}" tidak diminta oleh SOP ini`);
    if (problems.length) return reject(problems, contact);

    const now = this.deps.clock.now();
    const candidate: CaseRecord = {
      caseId: record.intakeId,
      intakeId: record.intakeId,
      sopId: sop.definition.id,
      sopVersion: sop.definition.version,
      sopKey: sop.key,
      pemdaId: sop.definition.pemda,
      perihal: checked.perihal,
      pemohon: checked.pemohon,
      status: 'aktif',
      createdAt: now.toISOString(),
      data: { ...checked.data, perihal: checked.perihal, instansiPemohon: checked.pemohon.instansi },
      files,
      cursor: null,
      visits: {},
    };
    // The uploads' own keys are no longer read by anyone: their checked bytes are kept under diterima/.
    await this.removeUploads(record);
    const signedIn =
      record.preparedBy && record.preparedBy.email.toLowerCase() === manifest.pemohon.email.toLowerCase();
    if (signedIn) {
      const confirmed = await this.deps.intakes.transition(record.intakeId, ['disiapkan'], 'dikonfirmasi', {
        candidate,
        confirmedAt: now.toISOString(),
      });
      return confirmed ? this.createCase(confirmed) : this.onObjectCreated(this.deps.intakeBucket, key);
    }
    const limited = await this.takeMailLimits(record, manifest.pemohon.email);
    if (limited) return this.reject(record, [limited]);
    const waiting = await this.deps.intakes.transition(record.intakeId, ['disiapkan'], 'menunggu-konfirmasi', {
      candidate,
      confirmBy: new Date(now.getTime() + CONFIRM_HOURS * 3600_000).toISOString(),
    });
    if (!waiting) return this.onObjectCreated(this.deps.intakeBucket, key);
    await this.sendConfirmation(waiting);
    return { outcome: 'menunggu-konfirmasi', intakeId: record.intakeId };
  }

  /**
   * Counts one email to an unconfirmed address, per address and per caller; the reason (Indonesian) when a limit
   * is reached, and then nothing is sent to that address.
   */
  private async takeMailLimits(record: IntakeRecord, email: string): Promise<string | undefined> {
    const now = this.deps.clock.now();
    const day = { windowSeconds: 24 * 3600 };
    const perAddress = await this.deps.limiter.take(
      `surat#${subjectTag(this.deps.linkKey(), 'email', email)}`,
      { ...day, max: this.limits.mailsPerAddressPerDay },
      now,
    );
    const perSource =
      perAddress.ok && record.source
        ? await this.deps.limiter.take(
            `surat-sumber#${record.source}`,
            { ...day, max: this.limits.mailsPerSourcePerDay },
            now,
          )
        : ({ ok: true } as const);
    const refused = !perAddress.ok ? perAddress : !perSource.ok ? perSource : undefined;
    if (!refused) return undefined;
    const sop = this.latest(record.sopId);
    const when = sop
      ? this.deps.pemda(sop.definition.pemda).formatDateTime(refused.retryAt)
      : refused.retryAt.toISOString();
    return `Batas email permohonan untuk ${!perAddress.ok ? 'alamat email ini' : 'jaringan Anda'} hari ini tercapai; permohonan dapat dikirim lagi setelah ${when}`;
  }

  /** The confirmation email, once per permohonan (a repeated event or a sweep sends nothing new). */
  private async sendConfirmation(record: IntakeRecord): Promise<void> {
    const candidate = record.candidate;
    if (!candidate || !record.confirmBy) return;
    const sop = this.deps.sops.get(candidate.sopKey);
    const pemda = this.deps.pemda(candidate.pemdaId);
    const outcome = await this.runtime.sendOnce(confirmationFacts(record.intakeId), CONFIRMATION_MAIL, {
      to: [candidate.pemohon.email],
      template: 'permohonan-konfirmasi',
      model: {
        pemohon: candidate.pemohon,
        perihal: candidate.perihal,
        intakeId: record.intakeId,
        sopNama: sop.definition.header.nama,
        pemda: pemda.directory.data.pemda.nama,
        files: candidate.files,
        url: this.confirmationUrl(record.intakeId, candidate.pemohon.email),
        berlakuSampai: pemda.formatDateTime(new Date(record.confirmBy)),
      },
    });
    // A refusal (rare) is kept on the permohonan for its receipt page, with what was refused (the failure fact has
    // it); a sweep's resend that goes after all says so there too. Written only while it waits for confirmation.
    const at = this.deps.clock.now().toISOString();
    if (outcome === 'ditolak') {
      const fact = await this.deps.store.getHistory(
        confirmationFacts(record.intakeId),
        mailFailureKey(CONFIRMATION_MAIL),
      );
      const kode = typeof fact?.detail?.['kode'] === 'string' ? fact.detail['kode'] : undefined;
      await this.deps.intakes.transition(record.intakeId, ['menunggu-konfirmasi'], 'menunggu-konfirmasi', {
        konfirmasiEmail: { hasil: 'ditolak', ...(kode ? { kode } : {}), at },
      });
    } else if (outcome === 'terkirim' && record.konfirmasiEmail?.hasil === 'ditolak')
      await this.deps.intakes.transition(record.intakeId, ['menunggu-konfirmasi'], 'menunggu-konfirmasi', {
        konfirmasiEmail: { hasil: 'terkirim', at },
      });
  }

  confirmationUrl(intakeId: string, email: string): string {
    return `${this.deps.publicBaseUrl}/permohonan/konfirmasi/${confirmationToken(this.deps.linkKey(), intakeId, email)}`;
  }

  /** What a confirmation link shows (a GET: reads only). */
  async viewConfirmation(token: string): Promise<ConfirmationView> {
    const found = await this.confirmationRecord(token);
    if (!found) return { state: 'tidak-berlaku' };
    if (found.state === 'dikonfirmasi') return { state: 'dikonfirmasi', caseId: found.intakeId };
    if (found.state !== 'menunggu-konfirmasi' || !found.candidate || !found.confirmBy)
      return { state: 'tidak-berlaku' };
    if (Date.parse(found.confirmBy) <= this.deps.clock.now().getTime()) return { state: 'tidak-berlaku' };
    const sop = this.deps.sops.get(found.candidate.sopKey);
    return {
      state: 'menunggu',
      record: found as IntakeRecord & { candidate: CaseRecord },
      sopNama: sop.definition.header.nama,
      confirmBy: this.deps.pemda(found.candidate.pemdaId).formatDateTime(new Date(found.confirmBy)),
    };
  }

  private async confirmationRecord(token: string): Promise<IntakeRecord | undefined> {
    const read = readConfirmationToken(token);
    if (!read) return undefined;
    const record = await this.deps.intakes.get(read.intakeId);
    const email = record?.candidate?.pemohon.email;
    return record && email && checkConfirmation(this.deps.linkKey(), token, email) ? record : undefined;
  }

  /**
   * The contact confirms their address (a POST): the permohonan becomes a case, once. A second confirmation finds
   * the case; an expired or quarantined permohonan changes nothing.
   */
  async confirm(token: string): Promise<{ confirmed: true; caseId: string } | { confirmed: false }> {
    const record = await this.confirmationRecord(token);
    if (!record) return { confirmed: false };
    const now = this.deps.clock.now();
    let confirmed: IntakeRecord | undefined = record.state === 'dikonfirmasi' ? record : undefined;
    if (record.state === 'menunggu-konfirmasi' && record.confirmBy && Date.parse(record.confirmBy) > now.getTime())
      confirmed = await this.deps.intakes.transition(record.intakeId, ['menunggu-konfirmasi'], 'dikonfirmasi', {
        confirmedAt: now.toISOString(),
        ...(record.candidate ? { candidate: { ...record.candidate, createdAt: now.toISOString() } } : {}),
      });
    // Lost a race with a second confirmation: the other one created the case.
    confirmed ??= await this.deps.intakes
      .get(record.intakeId)
      .then((r) => (r?.state === 'dikonfirmasi' ? r : undefined));
    if (!confirmed) return { confirmed: false };
    await this.createCase(confirmed);
    return { confirmed: true, caseId: confirmed.intakeId };
  }

  /** The case of a confirmed permohonan: created once, its history, the receipt and the execution. */
  private async createCase(record: IntakeRecord): Promise<IntakeOutcome> {
    const candidate = record.candidate;
    if (!candidate) return { outcome: 'diabaikan', reason: 'permohonan tanpa data kasus' };
    await this.deps.store.createCase(candidate);
    const stored = (await this.deps.store.getCase(candidate.caseId))!;
    await this.runtime.history({
      caseId: stored.caseId,
      eventKey: 'permohonan',
      type: 'permohonan-diterima',
      at: stored.createdAt,
      files: stored.files,
      detail: {
        sopKey: stored.sopKey,
        pemohon: stored.pemohon,
        konfirmasi: record.preparedBy ? 'masuk sebagai pemohon' : 'tautan konfirmasi email',
      },
    });
    return this.start(stored);
  }

  private async start(record: CaseRecord): Promise<IntakeOutcome> {
    const sop = this.deps.sops.get(record.sopKey);
    await this.runtime.sendOnce(
      record.caseId,
      'permohonan#email',
      {
        to: [record.pemohon.email],
        template: 'permohonan-diterima',
        model: {
          pemohon: record.pemohon,
          perihal: record.perihal,
          caseId: record.caseId,
          sopNama: sop.definition.header.nama,
          files: record.files,
          lacakUrl: `${this.deps.publicBaseUrl}/lacak/${trackingToken(this.deps.linkKey(), record.caseId, record.trackingVersion ?? 1)}`,
        },
      },
      record,
    );
    const execution = await this.runtime.startExecution(record, executionNameForIntake(record.intakeId), {
      node: START_POSITION,
      seq: 0,
    });
    if (execution === 'started') this.runtime.metrics.count('CasesStarted', caseDimensions(record));
    return { outcome: 'dimulai', caseId: record.caseId, execution };
  }

  /** Where a permohonan stands, for its receipt page. */
  async status(intakeId: string): Promise<
    | { state: 'kasus'; record: CaseRecord }
    | {
        state: 'menunggu-konfirmasi';
        email: string;
        confirmBy: string;
        pemdaId: string;
        sopId: string;
        /**
         * The mail service refused the last confirmation email: the contact's address, or the pemda's own mail
         * service (then a later sweep may still send it).
         */
        emailDitolak?: 'alamat' | 'pengirim';
      }
    | { state: 'dikarantina'; reasons: string[] }
    | { state: 'diperiksa' | 'belum-lengkap' | 'tidak-dikenal' }
  > {
    const record = await this.deps.store.getCase(intakeId);
    if (record) return { state: 'kasus', record };
    const intake = await this.deps.intakes.get(intakeId);
    if (!intake) return { state: 'tidak-dikenal' };
    if (intake.state === 'dikarantina') return { state: 'dikarantina', reasons: intake.reasons ?? [] };
    if (intake.state === 'menunggu-konfirmasi' && intake.candidate && intake.confirmBy)
      return {
        state: 'menunggu-konfirmasi',
        email: intake.candidate.pemohon.email,
        confirmBy: intake.confirmBy,
        pemdaId: intake.candidate.pemdaId,
        sopId: intake.candidate.sopId,
        ...(intake.konfirmasiEmail?.hasil === 'ditolak'
          ? { emailDitolak: intake.konfirmasiEmail.kode === MAIL_REFUSAL.pengirim ? 'pengirim' : 'alamat' }
          : {}),
      };
    if (intake.state === 'dikonfirmasi') return { state: 'diperiksa' };
    const manifest = await this.deps.files.head(this.deps.intakeBucket, `${INTAKE_PREFIX}${intakeId}/${MANIFEST_NAME}`);
    return { state: manifest ? 'diperiksa' : 'belum-lengkap' };
  }

  /**
   * Moves everything of the permohonan (its uploads and the checked copies) under karantina/ with the reasons,
   * marks it quarantined, and tells the contact when that is allowed (a signed-in pemohon, or within the limits
   * on emails to unconfirmed addresses).
   */
  private async reject(record: IntakeRecord, reasons: string[], contact?: string): Promise<IntakeOutcome> {
    const now = this.deps.clock.now();
    const moved = await this.deps.intakes.transition(
      record.intakeId,
      ['disiapkan', 'menunggu-konfirmasi'],
      'dikarantina',
      { reasons, quarantinedAt: now.toISOString() },
    );
    await this.quarantineObjects(record.intakeId, reasons);
    if (!moved) {
      const current = await this.deps.intakes.get(record.intakeId);
      return { outcome: 'dikarantina', intakeId: record.intakeId, reasons: current?.reasons ?? reasons };
    }
    const email = contact ?? record.candidate?.pemohon.email ?? record.contact;
    const known = email && z.email().safeParse(email).success ? email : undefined;
    const mayMail =
      known &&
      (record.preparedBy?.email.toLowerCase() === known.toLowerCase() || !(await this.takeMailLimits(record, known)));
    if (known && mayMail)
      await this.runtime.sendOnce(`karantina-${record.intakeId}`, 'karantina#email', {
        to: [known],
        template: 'berkas-dikarantina',
        model: { intakeId: record.intakeId, reasons },
      });
    return { outcome: 'dikarantina', intakeId: record.intakeId, reasons };
  }

  /** Objects under a folder with no permohonan behind it: moved aside with the reason, nobody emailed. */
  private async quarantineUnknown(intakeId: string, reasons: string[]): Promise<IntakeOutcome> {
    await this.quarantineObjects(intakeId, reasons);
    return { outcome: 'dikarantina', intakeId, reasons };
  }

  private async quarantineObjects(intakeId: string, reasons: string[]): Promise<void> {
    const reasonText = reasons.join('; ');
    const bucket = this.deps.intakeBucket;
    // permohonan/<id>/berkas/x → karantina/<id>/berkas/x; diterima/<id>/<sha256> → karantina/<id>/diterima/<sha256>.
    for (const [prefix, into] of [
      [`${INTAKE_PREFIX}${intakeId}/`, `${QUARANTINE_PREFIX}${intakeId}/`],
      [`${ACCEPTED_PREFIX}${intakeId}/`, `${QUARANTINE_PREFIX}${intakeId}/diterima/`],
    ] as const)
      for (const { key } of await this.deps.files.list(bucket, prefix))
        await this.deps.files.quarantine(bucket, key, `${into}${key.slice(prefix.length)}`, reasonText);
    await this.deps.files.putText(
      bucket,
      `${QUARANTINE_PREFIX}${intakeId}/alasan.json`,
      JSON.stringify({ intakeId, at: this.deps.clock.now().toISOString(), reasons }, null, 2),
      'application/json',
    );
  }

  /** After the checks: the uploads' own keys (still writable through their URLs) are read by nobody; remove them. */
  private async removeUploads(record: IntakeRecord): Promise<void> {
    for (const { key } of await this.deps.files.list(this.deps.intakeBucket, `${INTAKE_PREFIX}${record.intakeId}/`))
      await this.deps.files.remove(this.deps.intakeBucket, key);
  }

  /**
   * Run on a schedule (and at start-up locally): handles manifests whose S3 event was lost, quarantines
   * reservations whose manifest never came and permohonan not confirmed in time, finishes confirmations a crash
   * interrupted, re-sends a confirmation email a crash lost, and moves aside whatever is left under `permohonan/`
   * (uploads to a folder nobody reserved, or PUTs after the permohonan was handled).
   */
  async sweep(): Promise<IntakeOutcome[]> {
    const now = this.deps.clock.now();
    const outcomes: IntakeOutcome[] = [];
    for (const record of await this.deps.intakes.listByState('dikonfirmasi', now))
      if (!(await this.deps.store.getCase(record.intakeId))) outcomes.push(await this.createCase(record));
    for (const record of await this.deps.intakes.listByState('menunggu-konfirmasi', now)) {
      if (record.confirmBy && Date.parse(record.confirmBy) <= now.getTime())
        outcomes.push(
          await this.reject(record, [
            `Alamat email tidak dikonfirmasi dalam ${CONFIRM_HOURS} jam; permohonan tidak diproses. Silakan ajukan kembali.`,
          ]),
        );
      else await this.sendConfirmation(record);
    }
    for (const record of await this.deps.intakes.listByState(
      'disiapkan',
      new Date(now.getTime() - MANIFEST_GRACE_MS),
    )) {
      const manifestKey = `${INTAKE_PREFIX}${record.intakeId}/${MANIFEST_NAME}`;
      if (await this.deps.files.head(this.deps.intakeBucket, manifestKey))
        outcomes.push(await this.onObjectCreated(this.deps.intakeBucket, manifestKey));
      else
        outcomes.push(
          await this.reject(record, [
            `Permohonan tidak lengkap: manifest tidak diterima dalam ${MANIFEST_GRACE_MS / 60_000} menit setelah permohonan disiapkan`,
          ]),
        );
    }
    // Leftovers: folders with no reservation, and uploads after the permohonan was handled.
    const folders = new Map<string, Date>();
    for (const item of await this.deps.files.list(this.deps.intakeBucket, INTAKE_PREFIX)) {
      const id = item.key.slice(INTAKE_PREFIX.length).split('/')[0] ?? '';
      const at = item.lastModified ?? now;
      if (!folders.has(id) || folders.get(id)! > at) folders.set(id, at);
    }
    for (const [id, oldest] of folders) {
      const record = INTAKE_ID.test(id) ? await this.deps.intakes.get(id) : undefined;
      if (!record) {
        if (now.getTime() - oldest.getTime() >= MANIFEST_GRACE_MS)
          outcomes.push(await this.quarantineUnknown(id, ['Unggahan tanpa permohonan yang disiapkan melalui Sepakat']));
      } else if (record.state === 'disiapkan') {
        const manifestKey = `${INTAKE_PREFIX}${id}/${MANIFEST_NAME}`;
        // A manifest whose S3 event was lost (the process died first): handled now.
        if (await this.deps.files.head(this.deps.intakeBucket, manifestKey))
          outcomes.push(await this.onObjectCreated(this.deps.intakeBucket, manifestKey));
      } else {
        const reason =
          record.state === 'dikarantina'
            ? (record.reasons ?? ['Permohonan dikarantina'])
            : ['Diunggah setelah permohonan diperiksa; tidak dipakai'];
        for (const { key } of await this.deps.files.list(this.deps.intakeBucket, `${INTAKE_PREFIX}${id}/`))
          await this.deps.files.quarantine(
            this.deps.intakeBucket,
            key,
            `${QUARANTINE_PREFIX}${id}/susulan/${key.slice(`${INTAKE_PREFIX}${id}/`.length)}`,
            reason.join('; '),
          );
      }
    }
    return outcomes;
  }
}

export const executionNameForIntake = (intakeId: string) => `permohonan-${intakeId}`;

/**
 * A value of an intake data field, as the case keeps it, or why it is refused (in Indonesian, naming the field). Text
 * is cleaned first (`checkText`): a bidirectional control is refused, the harmless invisible characters removed.
 */
export function checkValue(
  field: Field,
  value: string | number | boolean,
): string | number | boolean | { error: string } {
  if (typeof value === 'string') {
    const text = checkText(field.label, value, { multiline: field.type === 'textarea', max: 4000 });
    if (typeof text === 'object') return text;
    if (!text && field.required && field.type !== 'boolean') return { error: `${field.label} wajib diisi` };
    value = text;
  }
  switch (field.type) {
    case 'boolean':
      return typeof value === 'boolean' ? value : value === 'ya' || value === 'true';
    case 'number':
      return typeof value === 'number'
        ? value
        : Number.isFinite(Number(value))
          ? Number(value)
          : { error: `${field.label} harus angka` };
    case 'select':
      return field.options?.some((o) => o.value === value)
        ? value
        : { error: `${field.label}: pilihan "${String(value)}" tidak dikenal` };
    case 'date':
      return typeof value === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(value)
        ? value
        : { error: `${field.label}: tanggal tidak valid` };
    case 'email':
      return !value || isEmailAddress(String(value))
        ? String(value)
        : { error: `${field.label} bukan alamat email yang valid` };
    default:
      return String(value);
  }
}
