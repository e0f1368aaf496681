import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import { DASAR_KESEPAKATAN, indukRefusal, type IndukLookup } from '../agreement/induk.ts';
import { ErrorNames, SepakatError } from '../errors.ts';
import { CONTENT_TYPES, kindFromName, safeFileName, sniffKind } from '../files/sniff.ts';
import { START_POSITION } from '../sop/compile-sop.ts';
import type { Field } from '../sop/schema.ts';
import { parseInput, type Labels } from '../validation/issues.ts';
import { checkField, checkText, surel, teks } from '../validation/text.ts';
import type { CaseRecord, StoredFile } from './model.ts';
import type { CaseRuntime, RuntimeDeps } from './runtime.ts';
import { trackingToken } from './tracking.ts';
import { acceptLabel, formatBytes, type FileStore } from './task-actions.ts';

/**
 * How a case starts: the pemohon's browser uploads the files of a permohonan straight to the intake bucket
 * (presigned PUTs), then a manifest that names them and the SOP. The manifest's S3 event starts the case; the
 * execution name derives from the intake id, so a repeated event starts nothing twice.
 */
export interface IntakeFileStore extends FileStore {
  getText(bucket: string, key: string, maxBytes: number): Promise<string | undefined>;
  /** Moves an object aside (copy then delete), keeping the reason with it. */
  quarantine(bucket: string, key: string, toKey: string, reason: string): Promise<void>;
  putText(bucket: string, key: string, text: string, contentType: string): Promise<void>;
  list(bucket: string, prefix: string): Promise<string[]>;
}

export interface IntakeDeps extends RuntimeDeps {
  files: IntakeFileStore;
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
export const MANIFEST_NAME = 'manifest.json';
const INTAKE_ID = /^\d{8}-[a-z2-7]{10}$/;

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

export interface IntakeUploads {
  intakeId: string;
  uploads: { slot: string; key: string; url: string; contentType: string }[];
  manifest: { key: string; url: string };
}

export type IntakeOutcome =
  | { outcome: 'dimulai'; caseId: string; execution: 'started' | 'exists' }
  | { outcome: 'dikarantina'; intakeId: string; reasons: string[] }
  | { outcome: 'diabaikan'; reason: string };

const base32 = (bytes: Buffer) => {
  const alphabet = 'abcdefghijklmnopqrstuvwxyz234567';
  let out = '';
  for (const b of bytes) out += alphabet[b % 32];
  return out;
};

export class Intake {
  constructor(
    private readonly deps: IntakeDeps,
    private readonly runtime: CaseRuntime,
  ) {}

  /** Presigns the uploads of a new permohonan. Checks what can be checked before any byte is sent. */
  async prepare(input: {
    sopId: string;
    files: { slot: string; name: string; size: number }[];
  }): Promise<IntakeUploads> {
    let sop;
    try {
      sop = this.deps.sops.latest(input.sopId);
    } catch {
      throw new SepakatError(ErrorNames.BadInput, `SOP "${input.sopId}" tidak dikenal`);
    }
    const now = this.deps.clock.now();
    const intakeId = `${now.toISOString().slice(0, 10).replaceAll('-', '')}-${base32(randomBytes(10))}`;
    const uploads: IntakeUploads['uploads'] = [];
    for (const file of input.files) {
      const field = sop.definition.intake.documents.find((d) => d.id === file.slot);
      if (!field) throw new SepakatError(ErrorNames.BadInput, `Dokumen "${file.slot}" tidak diminta oleh SOP ini`);
      if (!(file.size > 0) || file.size > this.deps.maxUploadBytes)
        throw new SepakatError(
          ErrorNames.BadInput,
          `${field.label}: ukuran berkas harus di antara 1 bita dan ${formatBytes(this.deps.maxUploadBytes)}`,
        );
      const kind = kindFromName(file.name, field.accept ?? []);
      if (!kind)
        throw new SepakatError(ErrorNames.BadInput, `${field.label}: jenis berkas harus ${acceptLabel(field)}`);
      const key = `${INTAKE_PREFIX}${intakeId}/berkas/${file.slot}-${safeFileName(file.name)}`;
      const contentType = CONTENT_TYPES[kind];
      uploads.push({
        slot: file.slot,
        key,
        contentType,
        url: await this.deps.files.presignPut(this.deps.intakeBucket, key, contentType, 3600),
      });
    }
    const manifestKey = `${INTAKE_PREFIX}${intakeId}/${MANIFEST_NAME}`;
    return {
      intakeId,
      uploads,
      manifest: {
        key: manifestKey,
        url: await this.deps.files.presignPut(this.deps.intakeBucket, manifestKey, 'application/json', 3600),
      },
    };
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
    const folderId = match[1]!;
    const existing = await this.deps.store.getCase(folderId);
    if (existing) return this.start(existing);

    const text = await this.deps.files.getText(bucket, key, 256 * 1024);
    if (text === undefined) return { outcome: 'diabaikan', reason: 'manifest tidak ada' };
    let raw: unknown;
    try {
      raw = JSON.parse(text);
    } catch {
      return this.reject(folderId, undefined, ['Manifest bukan JSON yang valid'], [key]);
    }
    const parsed = parseInput(ManifestSchema, raw, MANIFEST_LABELS);
    const email = checkField(surel('Email pemohon'), (raw as { pemohon?: { email?: unknown } })?.pemohon?.email);
    const contact = typeof email === 'string' ? email : undefined;
    if (!parsed.ok) return this.reject(folderId, contact, parsed.messages, [key]);
    const manifest = parsed.value;
    if (manifest.intakeId !== folderId)
      return this.reject(folderId, contact, ['Nomor permohonan pada manifest tidak sesuai dengan foldernya'], [key]);

    let sop;
    try {
      sop = this.deps.sops.latest(manifest.sopId);
    } catch {
      return this.reject(folderId, contact, [`SOP "${manifest.sopId}" tidak dikenal`], [key]);
    }
    const problems: { key?: string; reason: string }[] = [];
    const data: Record<string, unknown> = {};
    for (const field of sop.definition.intake.data) {
      const value = manifest.data[field.id];
      if (value === undefined || value === '') {
        if (field.required && field.type !== 'boolean') problems.push({ reason: `Data "${field.label}" wajib diisi` });
        else if (field.type === 'boolean') data[field.id] = false;
        continue;
      }
      const checked = checkValue(field, value);
      if (typeof checked === 'object') problems.push({ reason: checked.error });
      else data[field.id] = checked;
    }
    for (const field of COMMON_INTAKE_FIELDS) {
      const value = manifest.data[field.id];
      if (sop.definition.intake.data.some((f) => f.id === field.id) || value === undefined || value === '') continue;
      const checked = checkValue(field, value);
      if (typeof checked === 'object') problems.push({ reason: checked.error });
      else data[field.id] = checked;
    }
    const dasar = data[DASAR_KESEPAKATAN];
    if (typeof dasar === 'string' && !dasar.trim()) delete data[DASAR_KESEPAKATAN];
    else if (typeof dasar === 'string') {
      data[DASAR_KESEPAKATAN] = dasar.trim();
      const refusal = await this.checkInduk(sop.definition.pemda, dasar);
      if (refusal) problems.push({ reason: refusal });
    }
    const files: StoredFile[] = [];
    for (const field of sop.definition.intake.documents) {
      const listed = manifest.files.filter((f) => f.slot === field.id);
      if (!listed.length && field.required) problems.push({ reason: `${field.label} wajib dilampirkan` });
      for (const file of listed) {
        const result = await this.checkFile(folderId, field, file);
        if ('reason' in result) problems.push(result);
        else files.push(result);
      }
    }
    for (const file of manifest.files)
      if (!sop.definition.intake.documents.some((d) => d.id === file.slot))
        problems.push({ key: file.key, reason: `Berkas "${file.name}" tidak diminta oleh SOP ini` });

    if (problems.length) {
      const keys = [
        key,
        ...manifest.files.map((f) => f.key).filter((k) => k.startsWith(`${INTAKE_PREFIX}${folderId}/`)),
      ];
      return this.reject(
        folderId,
        manifest.pemohon.email,
        problems.map((p) => p.reason),
        keys,
      );
    }

    const record: CaseRecord = {
      caseId: manifest.intakeId,
      intakeId: manifest.intakeId,
      sopId: sop.definition.id,
      sopVersion: sop.definition.version,
      sopKey: sop.key,
      pemdaId: sop.definition.pemda,
      perihal: manifest.perihal,
      pemohon: manifest.pemohon,
      status: 'aktif',
      createdAt: this.deps.clock.now().toISOString(),
      data: { ...data, perihal: manifest.perihal, instansiPemohon: manifest.pemohon.instansi },
      files,
      cursor: null,
      visits: {},
    };
    await this.deps.store.createCase(record);
    const stored = (await this.deps.store.getCase(record.caseId))!;
    await this.runtime.history({
      caseId: stored.caseId,
      eventKey: 'permohonan',
      type: 'permohonan-diterima',
      at: stored.createdAt,
      files: stored.files,
      detail: { sopKey: stored.sopKey, pemohon: stored.pemohon },
    });
    return this.start(stored);
  }

  private async start(record: CaseRecord): Promise<IntakeOutcome> {
    const sop = this.deps.sops.get(record.sopKey);
    await this.runtime.sendOnce(record.caseId, 'permohonan#email', {
      to: [record.pemohon.email],
      template: 'permohonan-diterima',
      model: {
        pemohon: record.pemohon,
        perihal: record.perihal,
        caseId: record.caseId,
        sopNama: sop.definition.header.nama,
        files: record.files,
        lacakUrl: `${this.deps.publicBaseUrl}/lacak/${trackingToken(this.deps.linkKey, record.caseId, record.trackingVersion ?? 1)}`,
      },
    });
    const execution = await this.runtime.startExecution(record, executionNameForIntake(record.intakeId), {
      node: START_POSITION,
      seq: 0,
    });
    return { outcome: 'dimulai', caseId: record.caseId, execution };
  }

  private async checkFile(
    intakeId: string,
    field: Field,
    file: { key: string; name: string },
  ): Promise<StoredFile | { key: string; reason: string }> {
    if (!file.key.startsWith(`${INTAKE_PREFIX}${intakeId}/berkas/`) || file.key.includes('..'))
      return { key: file.key, reason: `${field.label}: berkas berada di luar permohonan ini` };
    const head = await this.deps.files.head(this.deps.intakeBucket, file.key);
    if (!head) return { key: file.key, reason: `${field.label}: berkas "${file.name}" tidak terunggah` };
    if (head.size === 0) return { key: file.key, reason: `${field.label}: berkas "${file.name}" kosong` };
    if (head.size > this.deps.maxUploadBytes)
      return {
        key: file.key,
        reason: `${field.label}: berkas "${file.name}" terlalu besar (paling besar ${formatBytes(this.deps.maxUploadBytes)})`,
      };
    const kind = sniffKind(await this.deps.files.readHead(this.deps.intakeBucket, file.key, 512), file.name);
    if (!kind || !(field.accept ?? []).includes(kind))
      return { key: file.key, reason: `${field.label}: isi berkas "${file.name}" bukan ${acceptLabel(field)}` };
    return {
      slot: field.id,
      bucket: this.deps.intakeBucket,
      key: file.key,
      name: safeFileName(file.name),
      contentType: CONTENT_TYPES[kind],
      size: head.size,
      sha256: await this.deps.files.sha256(this.deps.intakeBucket, file.key),
    };
  }

  /** Quarantines the permohonan's objects with the reasons, and tells the pemohon when we know who they are. */
  private async reject(
    intakeId: string,
    email: string | undefined,
    reasons: string[],
    keys: string[],
  ): Promise<IntakeOutcome> {
    const reasonText = reasons.join('; ');
    for (const key of new Set(keys)) {
      const head = await this.deps.files.head(this.deps.intakeBucket, key);
      if (head)
        await this.deps.files.quarantine(
          this.deps.intakeBucket,
          key,
          `${QUARANTINE_PREFIX}${key.slice(INTAKE_PREFIX.length)}`,
          reasonText,
        );
    }
    await this.deps.files.putText(
      this.deps.intakeBucket,
      `${QUARANTINE_PREFIX}${intakeId}/alasan.json`,
      JSON.stringify({ intakeId, at: this.deps.clock.now().toISOString(), reasons }, null, 2),
      'application/json',
    );
    if (email) {
      await this.runtime.sendOnce(`karantina-${intakeId}`, 'karantina#email', {
        to: [email],
        template: 'berkas-dikarantina',
        model: { intakeId, reasons },
      });
    }
    return { outcome: 'dikarantina', intakeId, reasons };
  }

  /** Finds manifests whose S3 event was lost (the process died first) and handles them. */
  async sweep(): Promise<IntakeOutcome[]> {
    const keys = await this.deps.files.list(this.deps.intakeBucket, INTAKE_PREFIX);
    const outcomes: IntakeOutcome[] = [];
    for (const key of keys.filter((k) => k.endsWith(`/${MANIFEST_NAME}`))) {
      const intakeId = key.slice(INTAKE_PREFIX.length, -(MANIFEST_NAME.length + 1));
      const existing = await this.deps.store.getCase(intakeId);
      if (existing?.cursor || (existing?.status !== undefined && existing.status !== 'aktif')) continue;
      outcomes.push(await this.onObjectCreated(this.deps.intakeBucket, key));
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
    default:
      return String(value);
  }
}
