import { createHash, randomUUID } from 'node:crypto';
import type { TimeZone } from '../../core/calendar/calendar-schema.ts';
import { formatBytes } from '../../core/case/task-actions.ts';
import { ErrorNames, isSepakatError, SepakatError } from '../../core/errors.ts';
import { KIND_LABELS, sniffKind } from '../../core/files/sniff.ts';
import { formatTanggal, formatTanggalWaktu } from '../../core/format/tanggal.ts';
import type { CertificateKind } from '../../core/ports.ts';
import type { FileStore } from '../../core/files/accepted-files.ts';
import { subjectTag } from '../../core/case/capabilities.ts';
import type { RateLimiter } from '../../core/case/intake-model.ts';
import { certificationText, levelText, UNCERTIFIED_TEXT } from '../../core/signing/certification.ts';
import { STATUS_LABEL, tanggalPanjang, type RegisterEntry } from '../../core/register/numbering.ts';
import type { DocumentRecord, DocumentStore } from '../adapters/document-store.ts';
import { DEVELOPMENT_MARK, type SigningKeys } from '../signing/signer.ts';
import { trustOf, verifyPdfSignatures, type PdfVerification, type SignatureReport } from '../signing/verify.ts';

/**
 * The public verification of a signed naskah, from the QR code printed on it (`/verifikasi/<docId>`) or from an
 * uploaded PDF. It states, for anyone holding a copy: the register entry (nomor, para pihak, perihal, status,
 * dates, where the original is kept), each signature (signer, claimed signing time, whether its CMS verifies over
 * its byte range, whether its certificate chains to a root this system trusts) and whether the bytes are the
 * document in the register, a later revision of it, or something else.
 *
 * Only signed naskah, signed letters and sealed certificates are public here (kinds in VERIFIABLE_KINDS): a docId is derived from a case id and a purpose,
 * so other documents' ids (nota dinas, telaahan staf, drafts) could be computed, and must not be shown to anyone who
 * does. An upload is compared with the same kinds only: a draft with the same bytes is not "the registered document".
 *
 * The signatures are checked with the independent verifier (`../signing/verify.ts`) at the clock's now, against
 * the labelled trust anchors of the keys (`../signing/trust-anchors.ts`): each says which anchor its chain reached and
 * what that is ("TTE tersertifikasi BSrE" only for a configured BSrE root), its PAdES level, the time of its
 * signature timestamp when it has one (the signer's claimed time is only ever shown as such), and whether the
 * certificate was valid then.
 */

export interface VerificationDeps {
  documents: Pick<DocumentStore, 'get' | 'findBySha256' | 'read'>;
  register(pemdaId: string): { get(numberText: string): Promise<RegisterEntry | undefined> };
  keys(): Promise<SigningKeys>;
  clock: { now(): Date };
  /** The zone dates are shown in: a pemda's own (by id), or one for all; WIB when unknown. */
  timeZone?: TimeZone | ((pemdaId: string) => TimeZone);
  /** Largest upload accepted (default 20 MB). */
  maxUploadBytes?: number;
  /**
   * Uploads straight to S3 (`prepareUpload`, `byStoredUpload`): the browser PUTs the PDF to a presigned URL under
   * VERIFICATION_UPLOAD_PREFIX of this bucket (deleted by a lifecycle rule after a day), so no PDF goes through API
   * Gateway and Lambda, whose payload limit is about 4.5 MB of file.
   */
  uploads?: { files: Pick<FileStore, 'presignUpload' | 'read'>; bucket: string };
  /**
   * The public upload's own limit: presigned uploads per caller address (hashed with the link key, as the intake's
   * counters are) per hour. Without it, nothing is counted (tests of the page alone).
   */
  uploadLimit?: { limiter: RateLimiter; linkKey: () => Buffer; perHour: number };
}

/** Where verification uploads wait to be read (a lifecycle rule of the documents bucket deletes them after a day). */
export const VERIFICATION_UPLOAD_PREFIX = 'verifikasi/';
/** Presigned verification uploads one caller address may ask for in an hour (each up to the largest upload). */
export const VERIFICATION_UPLOADS_PER_HOUR = 20;
/** How long a presigned verification upload URL is valid. */
export const VERIFICATION_UPLOAD_SECONDS = 5 * 60;
const UPLOAD_KEY = /^verifikasi\/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\.pdf$/;

/** A presigned PUT for a verification upload: the browser sends exactly these headers and the file's bytes. */
export interface PreparedUpload {
  kunci: string;
  url: string;
  header: { 'content-type': 'application/pdf' };
  berlakuDetik: number;
}

/**
 * Document kinds the public page shows: the signed naskah, the copy signed by both parties, and the Lembar Riwayat
 * Penandatanganan (the audit certificate sealed by the pemda, core/documents/completion-package.ts).
 */
export const VERIFIABLE_KINDS: Readonly<Record<string, string>> = {
  'naskah-ditandatangani': 'Naskah bertanda tangan elektronik',
  'naskah-para-pihak': 'Naskah bertanda tangan elektronik para pihak',
  'lembar-riwayat': 'Lembar Riwayat Penandatanganan (bersegel elektronik pemerintah daerah)',
  // Letters, each signed by the official it names on a signing task (never an unsigned draft of one).
  'surat-undangan-ditandatangani': 'Surat Undangan Rapat bertanda tangan elektronik',
  'surat-pengantar-ditandatangani': 'Surat Pengantar bertanda tangan elektronik',
  'nota-dinas-ditandatangani': 'Nota Dinas bertanda tangan elektronik',
};

/** Error codes (BadInput) of an upload that is refused; `UnggahanTerlaluBesar` is a 413, the others 400. */
export const VerificationCodes = {
  BukanPdf: 'BukanPdf',
  BerkasKosong: 'BerkasKosong',
  UnggahanTerlaluBesar: 'UnggahanTerlaluBesar',
  UnggahanTidakDitemukan: 'UnggahanTidakDitemukan',
} as const;

const DOC_ID = /^[A-Za-z0-9_-]{22}$/;
const DEFAULT_MAX_UPLOAD = 20 * 1024 * 1024;
/** Revisions looked up per upload: bounds the store queries one request can cause. */
const MAX_REVISIONS_CHECKED = 16;

// ─── The view model (what the page shows, in Bahasa Indonesia) ───────────────────────────────────────────────

export type VerdictKind = 'ok' | 'info' | 'salah';

export interface VerificationView {
  /** How the document reached the page: the QR link (stored copy) or an upload. */
  sumber: 'tautan' | 'unggahan';
  putusan: { jenis: VerdictKind; judul: string; uraian: string[] };
  /** Whether the bytes are the registered document. */
  kecocokan: {
    jenis: 'sama' | 'revisi' | 'tidak-terdaftar' | 'berubah';
    teks: string;
    rincian: string[];
  };
  dokumen?: DocumentView;
  berkas: { nama?: string; ukuran: string; sha256: string };
  tandaTangan: SignatureView[];
  /** The signature is made with the development CA (never presented as BSrE). */
  adaSertifikatPengembangan: boolean;
  /** A signature chains to the local BSrE service's test CA (BSrE tiruan — bukan BSrE). */
  adaBsreTiruan: boolean;
}

export interface DocumentView {
  jenis: string;
  nomor?: string;
  paraPihak: string[];
  perihal?: string;
  status?: string;
  dibatalkan: boolean;
  alasanPembatalan?: string;
  /** The record names a number that the register does not hold. */
  tidakAdaDiRegister: boolean;
  tanggalNaskah?: string;
  tanggalPenandatanganan?: string;
  jangkaWaktu?: string;
  naskahAsli?: string;
  disimpan: string;
  /** A Lembar Riwayat Penandatanganan: the final naskah it certifies (its SHA-256 and verification page). */
  menerangkan?: { sha256: string; url?: string };
}

export interface SignatureView {
  urutan: number;
  penandatangan: string;
  /** "Senin, 23 November 2026 pukul 10.15 WIB", or "tidak diketahui". */
  waktu: string;
  sumberWaktu: string;
  alasan?: string;
  lokasi?: string;
  sertifikat?: { subjek: string; penerbit: string; nomorSeri: string; masaBerlaku: string };
  /** Who issued the signer's certificate (the issuer's CN). */
  penerbit: string;
  /** The trust anchor the chain reached, labelled for what it is. */
  jangkar?: { jenis: string; label: string };
  /** What certifies the signature: "TTE tersertifikasi BSrE" only for a configured BSrE root. */
  sertifikasi: { jenis: CertificateKind | 'tidak-tepercaya'; teks: string };
  /** The PAdES level, as people read it. */
  tingkat: string;
  /** The time from a valid signature timestamp token, and its TSA. */
  capWaktu?: { waktu: string; tsa: string };
  /** What the signer claims (CMS signingTime, else /M): never a trusted time. */
  waktuDinyatakan: string;
  /** Whether the certificate was valid (and, when the verifier says so, unrevoked) at the signature's time. */
  berlaku: { ya: boolean; teks: string };
  /** The signature lies within the registered document: always said, also when no registered document was found. */
  terdaftarTeks: string;
  /** digestOk && signatureOk && coversWholeFileUpToSignature: the CMS verifies over its byte range. */
  utuh: boolean;
  utuhTeks: string;
  /** The certificate chains to a root this system trusts, at the check date. */
  rantaiTerpercaya: boolean;
  rantaiTeks: string;
  pengembangan: boolean;
  /** Signed within the registered document (undefined when no registered document was found). */
  bagianDokumenTerdaftar?: boolean;
  sah: boolean;
  sahTeks: string;
  masalah: string[];
  peringatan: string[];
}

interface Match {
  record: DocumentRecord;
  /** The registered bytes end here in the file (the whole file for an exact match). */
  end: number;
}

export class Verification {
  constructor(private readonly deps: VerificationDeps) {}

  get maxUploadBytes(): number {
    return this.deps.maxUploadBytes ?? DEFAULT_MAX_UPLOAD;
  }

  /**
   * A presigned PUT of `ukuran` bytes of PDF under a new random key (its size and type signed, so S3 refuses any
   * other body; valid 5 minutes). Throws BadInput naming `ukuran` when the size is not a whole number of bytes from
   * 1 to the maximum.
   */
  async prepareUpload(ukuran: number, caller: { source?: string | undefined } = {}): Promise<PreparedUpload> {
    const uploads = this.uploadsOrFail();
    const limit = this.deps.uploadLimit;
    if (limit && caller.source) {
      const taken = await limit.limiter.take(
        `verifikasi#${subjectTag(limit.linkKey(), 'sumber', caller.source)}`,
        { max: limit.perHour, windowSeconds: 3600 },
        this.deps.clock.now(),
      );
      if (!taken.ok)
        throw new SepakatError(
          ErrorNames.Limited,
          `Terlalu banyak unggahan verifikasi dari jaringan Anda dalam satu jam terakhir (paling banyak ${limit.perHour}). Silakan coba lagi nanti.`,
        );
    }
    if (!Number.isSafeInteger(ukuran) || ukuran < 1)
      throw new SepakatError(ErrorNames.BadInput, 'ukuran: ukuran berkas harus bilangan bulat byte, paling kecil 1.', {
        code: VerificationCodes.BerkasKosong,
      });
    if (ukuran > this.maxUploadBytes)
      throw new SepakatError(
        ErrorNames.BadInput,
        `ukuran: berkas terlalu besar (${formatBytes(ukuran)}); paling besar ${formatBytes(this.maxUploadBytes)}.`,
        { code: VerificationCodes.UnggahanTerlaluBesar },
      );
    const kunci = `${VERIFICATION_UPLOAD_PREFIX}${randomUUID()}.pdf`;
    const url = await uploads.files.presignUpload(uploads.bucket, kunci, {
      contentType: 'application/pdf',
      size: ukuran,
      expiresSeconds: VERIFICATION_UPLOAD_SECONDS,
    });
    return { kunci, url, header: { 'content-type': 'application/pdf' }, berlakuDetik: VERIFICATION_UPLOAD_SECONDS };
  }

  /**
   * A PDF the browser PUT to a key from `prepareUpload`, read from S3 (refused above the maximum without reading it)
   * and verified as `byUpload` does. BadInput naming `kunci` when it is not such a key or nothing is there (never
   * uploaded, or deleted after a day).
   */
  async byStoredUpload(kunci: string, options: { fileName?: string } = {}): Promise<VerificationView> {
    const uploads = this.uploadsOrFail();
    const missing = () =>
      new SepakatError(
        ErrorNames.BadInput,
        'kunci: berkas unggahan tidak ditemukan (belum terunggah, atau sudah dihapus setelah 1 hari). Unggah lagi.',
        { code: VerificationCodes.UnggahanTidakDitemukan },
      );
    if (!UPLOAD_KEY.test(kunci)) throw missing();
    let bytes: Uint8Array | undefined;
    try {
      bytes = await uploads.files.read(uploads.bucket, kunci, this.maxUploadBytes);
    } catch (error) {
      if (!isSepakatError(error, ErrorNames.BadInput)) throw error;
      throw new SepakatError(
        ErrorNames.BadInput,
        `Berkas terlalu besar; paling besar ${formatBytes(this.maxUploadBytes)}.`,
        { code: VerificationCodes.UnggahanTerlaluBesar },
      );
    }
    if (!bytes) throw missing();
    return this.byUpload(bytes, options);
  }

  private uploadsOrFail(): NonNullable<VerificationDeps['uploads']> {
    if (!this.deps.uploads)
      throw new SepakatError(
        ErrorNames.InvalidDefinition,
        'Unggahan verifikasi langsung ke penyimpanan tidak dikonfigurasi.',
      );
    return this.deps.uploads;
  }

  /** The stored document behind a QR code, read back and hash-checked. Undefined when unknown or not public. */
  async byDocId(docId: string): Promise<VerificationView | undefined> {
    if (!DOC_ID.test(docId)) return undefined;
    const record = await this.deps.documents.get(docId);
    if (!record || !Object.hasOwn(VERIFIABLE_KINDS, record.kind)) return undefined;
    let bytes: Uint8Array;
    try {
      bytes = await this.deps.documents.read(record);
    } catch (error) {
      // The store refuses bytes whose hash differs from the record (Tampered): say so, never verify or show them.
      if (!isSepakatError(error, ErrorNames.Tampered) && !isSepakatError(error, ErrorNames.InvalidDefinition))
        throw error;
      return this.changedInStore(record);
    }
    return this.view({ source: 'tautan', bytes, match: { record, end: bytes.length } });
  }

  /**
   * An uploaded PDF: its signatures, and whether it is a registered document (same bytes), contains one as an
   * earlier revision (bytes added after it: a later signature, or a change), or neither. Throws BadInput for input
   * that is not a PDF (by content) or too large.
   */
  async byUpload(bytes: Uint8Array, options: { fileName?: string } = {}): Promise<VerificationView> {
    if (bytes.length > this.maxUploadBytes)
      throw new SepakatError(
        ErrorNames.BadInput,
        `Berkas terlalu besar (${formatBytes(bytes.length)}); paling besar ${formatBytes(this.maxUploadBytes)}.`,
        { code: VerificationCodes.UnggahanTerlaluBesar },
      );
    if (!bytes.length)
      throw new SepakatError(ErrorNames.BadInput, 'Berkas yang diunggah kosong. Pilih berkas PDF naskah.', {
        code: VerificationCodes.BerkasKosong,
      });
    if (Buffer.from(bytes.subarray(0, 5)).toString('latin1') !== '%PDF-') {
      const kind = sniffKind(bytes.subarray(0, 4096), options.fileName ?? '');
      throw new SepakatError(
        ErrorNames.BadInput,
        `${kind ? `Berkas ini berformat ${KIND_LABELS[kind]}, bukan PDF` : 'Berkas ini bukan PDF'}. ` +
          'Hanya naskah PDF bertanda tangan elektronik yang dapat diperiksa; unggah berkas PDF aslinya, bukan hasil pindai atau foto.',
        { code: VerificationCodes.BukanPdf },
      );
    }
    const report = await this.verify(bytes);
    const match = await this.findRegistered(bytes, report);
    return this.view({
      source: 'unggahan',
      bytes,
      report,
      ...(match ? { match } : {}),
      ...(options.fileName ? { fileName: options.fileName } : {}),
    });
  }

  private async verify(bytes: Uint8Array): Promise<PdfVerification> {
    const keys = await this.deps.keys();
    return verifyPdfSignatures(bytes, { ...(await trustOf(keys)), checkDate: this.deps.clock.now() });
  }

  /** The same bytes; else the latest signed revision (bytes 0..revisionEnd) whose bytes are a stored document. */
  private async findRegistered(bytes: Uint8Array, report: PdfVerification): Promise<Match | undefined> {
    const exact = await this.storedWithHash(sha256(bytes));
    if (exact) return { record: exact, end: bytes.length };
    const ends = [...new Set(report.signatures.map((s) => s.revisionEnd))]
      .filter((end) => end > 0 && end < bytes.length)
      .sort((a, b) => b - a)
      .slice(0, MAX_REVISIONS_CHECKED);
    for (const end of ends) {
      const record = await this.storedWithHash(sha256(bytes.subarray(0, end)));
      if (record) return { record, end };
    }
    return undefined;
  }

  private async storedWithHash(hash: string): Promise<DocumentRecord | undefined> {
    const found = (await this.deps.documents.findBySha256(hash)).filter((r) => Object.hasOwn(VERIFIABLE_KINDS, r.kind));
    return found.sort((a, b) => a.createdAt.localeCompare(b.createdAt))[0];
  }

  private async entryOf(record: DocumentRecord): Promise<RegisterEntry | undefined> {
    if (!record.pemdaId || !record.nomor) return undefined;
    try {
      return await this.deps.register(record.pemdaId).get(record.nomor);
    } catch (error) {
      // A pemda no longer configured: the number is shown without its register entry.
      if (isSepakatError(error, ErrorNames.NotFound)) return undefined;
      throw error;
    }
  }

  private zoneOf(pemdaId: string | undefined): TimeZone {
    const zone = this.deps.timeZone;
    if (typeof zone === 'string') return zone;
    if (!zone || !pemdaId) return 'WIB';
    try {
      return zone(pemdaId);
    } catch {
      return 'WIB';
    }
  }

  private async changedInStore(record: DocumentRecord): Promise<VerificationView> {
    const tz = this.zoneOf(record.pemdaId);
    const entry = await this.entryOf(record);
    return {
      sumber: 'tautan',
      putusan: {
        jenis: 'salah',
        judul: 'Dokumen tersimpan tidak dapat dipastikan keasliannya',
        uraian: [
          'Berkas yang tersimpan di arsip Sepakat tidak sama dengan yang tercatat saat disimpan, sehingga tidak ditampilkan dan tanda tangannya tidak diperiksa.',
          'Hubungi Bagian Kerja Sama pemerintah daerah penerbit naskah.',
        ],
      },
      kecocokan: {
        jenis: 'berubah',
        teks: 'Berkas di arsip berubah setelah disimpan (sidik SHA-256 tidak cocok).',
        rincian: [],
      },
      dokumen: documentView(record, entry, tz, []),
      berkas: { ukuran: formatBytes(record.size), sha256: record.sha256 },
      tandaTangan: [],
      adaSertifikatPengembangan: false,
      adaBsreTiruan: false,
    };
  }

  private async view(input: {
    source: 'tautan' | 'unggahan';
    bytes: Uint8Array;
    report?: PdfVerification;
    match?: Match;
    fileName?: string;
  }): Promise<VerificationView> {
    const { bytes, match } = input;
    const report = input.report ?? (await this.verify(bytes));
    const entry = match ? await this.entryOf(match.record) : undefined;
    const tz = this.zoneOf(match?.record.pemdaId);
    const signatures = report.signatures.map((s) => signatureView(s, tz, match));
    const dokumen = match ? documentView(match.record, entry, tz, report.signatures) : undefined;
    return {
      sumber: input.source,
      putusan: verdict(report, signatures, match, entry, dokumen),
      kecocokan: matchView(input.source, bytes.length, report, match, tz),
      ...(dokumen ? { dokumen } : {}),
      berkas: {
        ...(input.fileName ? { nama: input.fileName } : {}),
        ukuran: formatBytes(bytes.length),
        sha256: sha256(bytes),
      },
      tandaTangan: signatures,
      adaSertifikatPengembangan: signatures.some((s) => s.pengembangan),
      adaBsreTiruan: signatures.some((s) => s.sertifikasi.jenis === 'bsre-tiruan'),
    };
  }
}

// ─── Pure parts of the view ──────────────────────────────────────────────────────────────────────────────────

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

const intact = (s: SignatureReport) => s.digestOk && s.signatureOk && s.coversWholeFileUpToSignature;

/**
 * The verifier passes pkijs' chain-engine message through (English); people get it in Indonesian. Anything not
 * recognised keeps its Indonesian lead and the generic reason.
 */
function inIndonesian(problem: string): string {
  const prefix = 'Sertifikat tidak dipercaya:';
  if (!problem.startsWith(prefix)) return problem;
  const why = problem.slice(prefix.length);
  if (/expired|not yet valid|validity/i.test(why))
    return `${prefix} sertifikat belum berlaku atau sudah kedaluwarsa pada tanggal pemeriksaan.`;
  if (/revoked/i.test(why)) return `${prefix} sertifikat telah dicabut.`;
  return `${prefix} rantai sertifikatnya tidak sampai ke penerbit yang dipercaya sistem ini.`;
}

const byteCount = (n: number) => `${n.toLocaleString('id-ID')} byte`;

function signatureView(s: SignatureReport, tz: TimeZone, match: Match | undefined): SignatureView {
  const utuh = intact(s);
  const anchor = s.anchor && s.anchor.kind !== 'tsa' ? { ...s.anchor, kind: s.anchor.kind } : undefined;
  const pengembangan = (s.certificate?.development ?? false) || anchor?.kind === 'pengembangan';
  const day = (iso: string) => formatTanggal(new Date(iso), tz);
  const at = (iso: string) => formatTanggalWaktu(new Date(iso), tz);
  const stamped = s.signingTimeSource === 'timestamp' && s.timestamp?.time ? s.timestamp.time : undefined;
  return {
    urutan: s.index,
    penandatangan: s.signerName ?? 'Tidak diketahui',
    waktu: s.signingTime ? formatTanggalWaktu(new Date(s.signingTime), tz) : 'tidak diketahui',
    sumberWaktu:
      s.signingTimeSource === 'timestamp'
        ? `cap waktu tepercaya (RFC 3161) dari ${s.timestamp?.tsa ?? 'TSA'}`
        : s.signingTimeSource === 'cms'
          ? 'dinyatakan penanda tangan di dalam tanda tangan (bukan cap waktu tepercaya)'
          : s.signingTimeSource === 'pdf'
            ? 'dinyatakan di kamus tanda tangan PDF (bukan cap waktu tepercaya)'
            : 'tidak dinyatakan',
    ...(s.reason ? { alasan: s.reason } : {}),
    ...(s.location ? { lokasi: s.location } : {}),
    ...(s.certificate
      ? {
          sertifikat: {
            subjek: s.certificate.subject,
            penerbit: s.certificate.issuer,
            nomorSeri: s.certificate.serialNumber,
            masaBerlaku: `${day(s.certificate.notBefore)} s.d. ${day(s.certificate.notAfter)}`,
          },
        }
      : {}),
    utuh,
    utuhTeks: utuh
      ? 'Utuh: tanda tangan (CMS) cocok dengan seluruh isi dokumen sampai tanda tangan ini'
      : 'Tidak utuh: isi yang ditandatangani berubah atau tanda tangannya rusak',
    rantaiTerpercaya: s.chainOk,
    rantaiTeks: s.chainOk
      ? `Sampai ke ${anchor?.label ?? 'penerbit sertifikat yang dipercaya sistem ini'}`
      : 'Tidak sampai ke penerbit sertifikat yang dipercaya sistem ini',
    pengembangan,
    penerbit: s.issuerName ?? 'tidak diketahui',
    ...(anchor ? { jangkar: { jenis: anchor.kind, label: anchor.label } } : {}),
    sertifikasi:
      s.chainOk && anchor
        ? { jenis: anchor.kind, teks: certificationText(anchor.kind, anchor.holder) }
        : { jenis: 'tidak-tepercaya', teks: UNCERTIFIED_TEXT },
    tingkat: levelText(s.level),
    ...(stamped ? { capWaktu: { waktu: at(stamped), tsa: s.timestamp?.tsa ?? 'TSA' } } : {}),
    waktuDinyatakan: s.claimedSigningTime ? at(s.claimedSigningTime) : 'tidak dinyatakan',
    berlaku: validity(s, stamped !== undefined),
    ...(match ? { bagianDokumenTerdaftar: s.revisionEnd <= match.end } : {}),
    terdaftarTeks: !match
      ? 'Tidak: berkas ini tidak ditemukan di arsip Sepakat.'
      : s.revisionEnd <= match.end
        ? 'Tanda tangan ini bagian dari dokumen yang terdaftar.'
        : 'Ditambahkan setelah dokumen yang terdaftar.',
    sah: s.valid,
    sahTeks: s.valid ? 'Sah' : utuh ? 'Utuh, perlu diperiksa' : 'Tidak sah',
    masalah: s.problems.map(inIndonesian),
    // The development mark gets its own notice on the page.
    peringatan: s.warnings.filter((w) => !w.startsWith(DEVELOPMENT_MARK)),
  };
}

/**
 * Whether the certificate was valid at the signature's time: the timestamp's when there is one, else only the time
 * the signer claims (said so). Revocation is stated only when the verifier reports it (`revoked`).
 */
function validity(s: SignatureReport, stamped: boolean): SignatureView['berlaku'] {
  const valid = s.certificate?.validAtSigningTime;
  const revoked = (s as { readonly revoked?: boolean | null }).revoked;
  const when = stamped ? 'pada waktu cap waktu' : 'pada waktu yang dinyatakan penanda tangan (bukan waktu tepercaya)';
  if (valid === null || valid === undefined)
    return { ya: false, teks: 'Tidak dapat dipastikan: waktu penandatanganan tidak diketahui.' };
  if (!valid) return { ya: false, teks: `Tidak: di luar masa berlaku sertifikat ${when}.` };
  if (revoked === true) return { ya: false, teks: `Tidak: sertifikat telah dicabut ${when}.` };
  return { ya: true, teks: `Ya: dalam masa berlaku${revoked === false ? ' dan tidak dicabut' : ''} ${when}.` };
}

function documentView(
  record: DocumentRecord,
  entry: RegisterEntry | undefined,
  tz: TimeZone,
  signatures: readonly SignatureReport[],
): DocumentView {
  const firstSigned = signatures.find((s) => s.signingTime)?.signingTime;
  const signedDate = entry?.dates.signed
    ? tanggalPanjang(entry.dates.signed)
    : firstSigned
      ? `${formatTanggal(new Date(firstSigned), tz)} (menurut tanda tangan elektronik)`
      : undefined;
  const { validFrom, validUntil } = entry?.dates ?? {};
  const nomor = entry?.numberText ?? record.nomor;
  return {
    jenis: VERIFIABLE_KINDS[record.kind] ?? record.kind,
    ...(nomor ? { nomor } : {}),
    paraPihak: entry?.parties ?? [],
    ...(entry?.perihal ? { perihal: entry.perihal } : {}),
    ...(entry ? { status: STATUS_LABEL[entry.status] } : {}),
    dibatalkan: entry?.status === 'dibatalkan',
    ...(entry?.status === 'dibatalkan' && entry.voidReason ? { alasanPembatalan: entry.voidReason } : {}),
    tidakAdaDiRegister: !!record.nomor && !entry,
    ...(entry?.dates.document ? { tanggalNaskah: tanggalPanjang(entry.dates.document) } : {}),
    ...(signedDate ? { tanggalPenandatanganan: signedDate } : {}),
    ...(validFrom || validUntil
      ? { jangkaWaktu: `${tanggalPanjang(validFrom) || '…'} s.d. ${tanggalPanjang(validUntil) || '…'}` }
      : {}),
    // Where the paper original is kept is for archivists, not for a public page: only which copy is the original.
    ...(entry?.original ? { naskahAsli: entry.original.copy } : {}),
    disimpan: formatTanggalWaktu(new Date(record.createdAt), tz),
    ...menerangkan(record),
  };
}

/** What a Lembar Riwayat Penandatanganan names: the SHA-256 of the final naskah, and where that naskah verifies. */
function menerangkan(record: DocumentRecord): Pick<DocumentView, 'menerangkan'> {
  const sha = record.meta?.['naskahSha256'];
  const docId = record.meta?.['naskahDocId'];
  if (record.kind !== 'lembar-riwayat' || typeof sha !== 'string') return {};
  return { menerangkan: { sha256: sha, ...(typeof docId === 'string' ? { url: `/verifikasi/${docId}` } : {}) } };
}

function matchView(
  source: 'tautan' | 'unggahan',
  length: number,
  report: PdfVerification,
  match: Match | undefined,
  tz: TimeZone,
): VerificationView['kecocokan'] {
  if (!match)
    return {
      jenis: 'tidak-terdaftar',
      teks: 'Dokumen tidak terdaftar: berkas ini tidak sama dengan dokumen mana pun yang tersimpan di Sepakat, dan tidak memuat dokumen yang tersimpan sebagai bagian awalnya.',
      rincian: report.signatures.some((s) => !intact(s))
        ? [
            'Bila berkas ini seharusnya naskah resmi, kemungkinan isinya telah diubah; mintalah salinan dari penerbitnya.',
          ]
        : [],
    };
  const stored = `${VERIFIABLE_KINDS[match.record.kind] ?? match.record.kind}${
    match.record.nomor ? ` nomor ${match.record.nomor}` : ''
  }, disimpan ${formatTanggalWaktu(new Date(match.record.createdAt), tz)}`;
  if (match.end === length)
    return {
      jenis: 'sama',
      teks:
        source === 'tautan'
          ? 'Dokumen yang terdaftar, dibaca langsung dari arsip Sepakat (sidik SHA-256 sama dengan yang dicatat).'
          : 'Berkas ini sama dengan dokumen yang terdaftar (setiap byte sama).',
      rincian: [stored],
    };
  const inside = report.signatures.filter((s) => s.revisionEnd <= match.end).length;
  const later = report.signatures.filter((s) => s.revisionEnd > match.end).length;
  const unsigned = report.unsignedTrailingBytes;
  const added: string[] = [];
  if (later) added.push(`${later} tanda tangan berikutnya`);
  if (unsigned) added.push(`${byteCount(unsigned)} yang tidak ditandatangani (kemungkinan perubahan)`);
  return {
    jenis: 'revisi',
    teks:
      'Dokumen yang terdaftar ditemukan di dalam berkas ini, tetapi ada byte yang ditambahkan atau diubah setelahnya ' +
      '(misalnya tanda tangan berikutnya, atau perubahan).',
    rincian: [
      stored,
      `Bagian yang sama dengan dokumen terdaftar: byte 1 sampai ${match.end.toLocaleString('id-ID')}` +
        `${inside ? `, dengan ${inside} tanda tangan` : ''}.`,
      `Ditambahkan setelahnya: ${byteCount(length - match.end)}${added.length ? `, berisi ${added.join(' dan ')}` : ''}.`,
    ],
  };
}

function verdict(
  report: PdfVerification,
  signatures: readonly SignatureView[],
  match: Match | undefined,
  entry: RegisterEntry | undefined,
  dokumen: DocumentView | undefined,
): VerificationView['putusan'] {
  const uraian: string[] = [];
  const development = signatures.some((s) => s.pengembangan);
  const tiruan = signatures.some((s) => s.sertifikasi.jenis === 'bsre-tiruan');
  if (!signatures.length)
    return {
      jenis: 'salah',
      judul: 'Dokumen tidak bertanda tangan elektronik',
      uraian: [
        match
          ? 'Berkas ini tidak memuat tanda tangan elektronik.'
          : 'Berkas ini tidak memuat tanda tangan elektronik dan tidak terdaftar di Sepakat.',
      ],
    };
  const broken = signatures.filter((s) => !s.utuh);
  if (broken.length || report.unsignedTrailingBytes > 0) {
    if (broken.length)
      uraian.push(
        `Tanda tangan ke-${broken.map((s) => s.urutan).join(', ke-')} tidak cocok dengan isi berkas: isi berubah setelah ditandatangani atau tanda tangannya rusak.`,
      );
    if (report.unsignedTrailingBytes > 0)
      uraian.push(
        `Ada ${byteCount(report.unsignedTrailingBytes)} yang ditambahkan setelah tanda tangan terakhir dan tidak ditandatangani siapa pun.`,
      );
    if (match && signatures.some((s) => s.bagianDokumenTerdaftar && s.sah))
      uraian.push(
        'Dokumen yang terdaftar sendiri ada di dalam berkas ini dengan tanda tangan yang sah; mintalah salinan aslinya.',
      );
    else uraian.push('Jangan gunakan berkas ini sebagai naskah resmi.');
    return { jenis: 'salah', judul: 'Tanda tangan tidak sah', uraian };
  }
  if (dokumen?.dibatalkan)
    return {
      jenis: 'salah',
      judul: 'Nomor naskah telah dibatalkan',
      uraian: [
        `Tanda tangannya utuh, tetapi nomor ${dokumen.nomor ?? ''} tercatat dibatalkan di buku register${
          dokumen.alasanPembatalan ? ` (${dokumen.alasanPembatalan})` : ''
        }.`,
      ],
    };

  const untrusted = signatures.filter((s) => !s.sah);
  let jenis: VerdictKind = 'ok';
  let judul: string;
  if (!untrusted.length) {
    judul = match ? 'Dokumen asli; tanda tangan sah' : 'Tanda tangan sah, tetapi dokumen tidak terdaftar';
    if (!match) {
      jenis = 'info';
      uraian.push('Tanda tangannya sah, tetapi berkas ini tidak ditemukan di arsip Sepakat.');
    }
  } else {
    jenis = 'info';
    const ours = untrusted.filter((s) => s.bagianDokumenTerdaftar);
    judul = 'Tanda tangan utuh, tetapi perlu diperiksa';
    uraian.push(
      `Tanda tangan ke-${untrusted.map((s) => s.urutan).join(', ke-')} utuh, tetapi sertifikatnya tidak dapat dipastikan: ` +
        (untrusted.every((s) => !s.rantaiTerpercaya)
          ? 'tidak diterbitkan oleh penerbit sertifikat yang dipercaya sistem ini (misalnya sertifikat pihak lain); periksa dengan penerbitnya.'
          : 'lihat masalah pada tanda tangan tersebut.'),
    );
    if (match && !ours.length)
      uraian.push('Tanda tangan pada dokumen yang terdaftar sah; yang perlu diperiksa hanya tanda tangan tambahan.');
  }
  if (dokumen?.tidakAdaDiRegister) {
    jenis = jenis === 'ok' ? 'info' : jenis;
    uraian.push(`Nomor ${dokumen.nomor ?? ''} tidak ditemukan di buku register.`);
  } else if (entry?.status === 'dicadangkan')
    uraian.push('Nomor ini masih berstatus dicadangkan di buku register (belum dicatat sebagai dipakai).');
  // The page states the development mark in its own notice; the title must not read as a certified signature.
  if (development) judul = `${judul} (sertifikat pengembangan)`;
  if (tiruan) judul = `${judul} (BSrE tiruan — bukan BSrE)`;
  return { jenis, judul, uraian };
}
