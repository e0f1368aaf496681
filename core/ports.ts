import type { Transition } from './agreement/lifecycle.ts';
import type { AgreementRecord, Usulan } from './agreement/agreement-model.ts';
import type { ItemSubmission, MonitoringItem, RekapFact } from './agreement/monitoring-item.ts';
import type { Margins, Paper } from './documents/common.ts';
import type { DocumentRecord, StoreDocumentInput } from './documents/document-record.ts';
import type { DocumentInput, DocumentName } from './documents/index.ts';

/**
 * The ports the domain rules talk through. The rules in core/ are written against these interfaces only; the
 * adapters in functions/adapters/ (DynamoDB, S3, SES, Step Functions, EventBridge Scheduler), functions/render/
 * (Chromium) and functions/signing/ (PAdES) implement them, and test/support/ has small in-memory ones for fast tests.
 *
 * Declared elsewhere in core and gathered here: the case store, Step Functions, the mailer, the clock and the
 * scheduler (core/case/model.ts), accepted files (core/files/accepted-files.ts), the register of numbers
 * (core/register/numbering.ts) and the business metrics (core/metrics.ts).
 */
export type { CaseStore, Clock, Mailer, Scheduler, StepFunctionsPort } from './case/model.ts';
export type { FileStore } from './files/accepted-files.ts';
export type { NumberRegister } from './register/numbering.ts';
export type { Metrics, MetricName, MetricDimensions } from './metrics.ts';

/**
 * The register of agreements (`sepakat-perjanjian` in DynamoDB: functions/adapters/agreement-store.ts). Every write
 * is one conditional write that says whether it happened; nothing needs a transaction.
 */
export interface AgreementStore {
  /** Registers an agreement unless its number is registered in the pemda. */
  create(record: AgreementRecord): Promise<'created' | 'exists'>;
  get(pemdaId: string, nomor: string): Promise<AgreementRecord | undefined>;
  list(pemdaId: string): Promise<AgreementRecord[]>;
  /** Closes an agreement if it is still `berlaku` at `fromVersion`; false when it moved on. */
  transition(pemdaId: string, nomor: string, fromVersion: number, t: Transition): Promise<boolean>;
  /** Moves the end of the term of a `berlaku` agreement read at `fromVersion`; false when it moved on. */
  changeTerm(
    pemdaId: string,
    nomor: string,
    fromVersion: number,
    change: { berakhir: string; adendum: string; berakhirSebelumnya: string; at: string },
  ): Promise<boolean>;
  /**
   * Marks its monitoring schedule an estimate from year `tahun` (`jadwalPerkiraanSejak`) unless it already is from
   * that year or an earlier one (false then). Keeps the version: it only ever moves the year earlier.
   */
  markScheduleProvisional(pemdaId: string, nomor: string, tahun: number): Promise<boolean>;
  /**
   * Records its schedule computed again (a calendar imported): the new revision and the year it is still an estimate
   * from (undefined: final), if it is still `berlaku` at `from` (version and provisional year as read); bumps the
   * version. False when it moved on.
   */
  redateSchedule(
    pemdaId: string,
    nomor: string,
    from: { version: number; jadwalPerkiraanSejak: number | undefined },
    change: { jadwalRevisi: number; jadwalPerkiraanSejak: number | undefined },
  ): Promise<boolean>;
  /** Records an adendum of the agreement once (false: it was recorded). */
  addAdendum(pemdaId: string, nomor: string, adendum: string): Promise<boolean>;
  /** Records once that `pelaksanaan` implements the agreement (a PKS of a Kesepakatan Bersama). */
  addPelaksanaan(pemdaId: string, nomor: string, pelaksanaan: string): Promise<boolean>;
  /** Records a proposal once under its key. */
  addUsulan(pemdaId: string, nomor: string, key: string, usulan: Usulan): Promise<boolean>;
  /** Creates a report or monev item unless it exists. */
  createItem(item: MonitoringItem): Promise<'created' | 'exists'>;
  getItem(itemId: string): Promise<MonitoringItem | undefined>;
  /** The reports and monev of an agreement (may lag a write: for lists and the annual report). */
  listItems(pemdaId: string, nomor: string): Promise<MonitoringItem[]>;
  /** Records what came in through a link: once, at the link's current version, while it has not expired. */
  submit(itemId: string, linkVersion: number, submission: ItemSubmission): Promise<boolean>;
  /** A new link version for an open item read at `fromVersion`, at most `maxRenewals` times per item. */
  renewItemLink(itemId: string, fromVersion: number, expiresAt: string, maxRenewals: number): Promise<boolean>;
  getRekap(pemdaId: string, tahun: number): Promise<RekapFact | undefined>;
  /**
   * Moves an open report's or monev's due date (computed on an estimated calendar) to `to.jatuhTempo`, and its link's
   * expiry to `to.linkExpiresAt`, keeping the first due date it had (`jatuhTempoSemula`); false unless it is still
   * open with exactly `from` (its date, its link's version and expiry: a renewal meanwhile refuses it).
   */
  redateItem(
    itemId: string,
    from: { jatuhTempo: string; linkVersion: number; linkExpiresAt: string },
    to: { jatuhTempo: string; linkExpiresAt: string },
  ): Promise<boolean>;
  /** The annual reports made for a pemda, the latest year first. */
  listRekap(pemdaId: string): Promise<RekapFact[]>;
  /** Records the year's annual report once (false: it was recorded). */
  putRekap(fact: RekapFact): Promise<boolean>;
}

/**
 * Generated and archived documents, each stored once per purpose and never overwritten (DynamoDB + S3:
 * functions/adapters/document-store.ts). Reads check the bytes against the recorded SHA-256.
 */
export interface DocumentStore {
  get(docId: string): Promise<DocumentRecord | undefined>;
  /** Stores the document of a purpose once; a purpose stored before returns the earlier record. */
  store(input: StoreDocumentInput): Promise<{ record: DocumentRecord; created: boolean }>;
  /** The recorded bytes; a Tampered error when they are not. */
  read(record: DocumentRecord): Promise<Uint8Array>;
  /**
   * The image of page `index` (0-based) of a document stored with its page images (`record.halaman`), checked
   * against its recorded SHA-256 as `read` checks the document; undefined when the record has no such page.
   */
  readPageImage(record: DocumentRecord, index: number): Promise<Uint8Array | undefined>;
  listByCase(caseId: string): Promise<DocumentRecord[]>;
  /** Documents with these exact bytes. */
  findBySha256(sha: string): Promise<DocumentRecord[]>;
  /** Every document filed under a register number, oldest first. */
  listByNomor(nomor: string): Promise<DocumentRecord[]>;
  /** A short-lived link, handed out only after the stored bytes were found to be the recorded ones. */
  downloadUrl(record: DocumentRecord, expiresSeconds?: number, disposition?: 'attachment' | 'inline'): Promise<string>;
}

export interface RenderedDocument {
  pdf: Uint8Array;
  sha256: string;
  pages: number;
  templateVersion: string;
}

/** One page of a PDF as an image (PNG), for pages that show a document inline (a phone cannot embed a PDF). */
export interface PageImage {
  png: Uint8Array;
  /** Pixels. */
  width: number;
  height: number;
}

/** The printable exports (templates/exports/<name>.hbs). */
export type ExportName = 'register' | 'laporan-tahunan' | 'perbandingan-naskah';

/** Documents to PDF, and PDF pages to images (headless Chromium: functions/render/renderer.ts). */
export interface Renderer {
  /** Renders a document template with its input (checked by the template's schema). */
  render<N extends DocumentName>(
    template: N,
    data: DocumentInput<N>,
    options: { paper: Paper; landscape?: boolean },
  ): Promise<RenderedDocument>;
  /** Prints a complete HTML document (a report) to PDF. */
  printHtml(
    html: string,
    options: { paper: Paper; landscape?: boolean; margins?: Margins; pageNumbers?: boolean },
  ): Promise<Uint8Array>;
  /**
   * Prints an export (the printed register, the annual report) from its view; its template lives at the edge
   * (`templates/exports/<name>.hbs`).
   */
  printExport(
    name: ExportName,
    view: unknown,
    options: { paper: Paper; landscape?: boolean; margins?: Margins; pageNumbers?: boolean },
  ): Promise<Uint8Array>;
  /**
   * Every page of a PDF as a PNG `width` pixels wide (default 1100: sharp on a phone's screen), in page order: the
   * images a signing page shows of exactly the PDF to be signed.
   */
  pageImages(pdf: Uint8Array, options?: { width?: number }): Promise<PageImage[]>;
}

/**
 * Who a signature is made for: a directory person, with the pemda as organisation; or the pemda's own electronic
 * seal (an organisation, not a person: `id` "segel-<pemda>", `nama` the pemda's name), which seals what the system
 * itself certifies (the Lembar Riwayat Penandatanganan).
 */
export interface SigningOfficial {
  /** The pemda whose configuration chooses the signature provider (config/pemda: `tandaTangan`). */
  pemdaId: string;
  id: string;
  nama: string;
  jabatan: string;
  nip?: string;
  instansi?: string;
  /** The pemda's electronic seal rather than a person: signed by the pemda's `tandaTangan.segel` provider. */
  segel?: boolean;
}

/** The certificate a signature will carry, as the signed page prints it. */
export interface SignatureDescription {
  /** The signer's name as the certificate states it. */
  name: string;
  /** The issuing CA. */
  issuer: string;
  /** A development certificate that no verifier outside this system trusts (never BSrE). */
  development: boolean;
  /**
   * Who certifies the signature, for the footer and the verification page: a certified TTE of BSrE (only when the
   * chain reaches a configured real BSrE root), the local BSrE tiruan, the pemda's own CA (a KMS key), or the
   * development CA.
   */
  kind: CertificateKind;
}

export type CertificateKind = 'bsre' | 'bsre-tiruan' | 'pemda' | 'pengembangan';

/** The signature providers a pemda chooses from (config/pemda `tandaTangan.penyedia`, core/directory). */
export type SignatureProvider = 'bsre' | 'kms' | 'pengembangan';

/**
 * What the official gives at the moment of signing: nothing for a key the product holds (`kms`, `pengembangan`); the
 * TTE passphrase or a TOTP from BeSign for `bsre`. It exists only for the one sign request: never stored, logged,
 * queued or put in an error.
 */
export type SigningCredential = { readonly passphrase: string } | { readonly totp: string };

/**
 * What signing needs of this official, asked when the signing page opens and again before signing: `siap` (a key
 * the product holds), or a BSrE signer's status (`user/check/status`): `ISSUE` may sign with a passphrase or TOTP;
 * `NOT_REGISTERED`, `NO_CERTIFICATE` and any other status stop before anything is attempted, with what to do.
 */
export type SigningReadiness =
  | { readonly provider: 'kms' | 'pengembangan'; readonly ready: true }
  | { readonly provider: 'bsre'; readonly ready: true; readonly totp: boolean }
  | { readonly provider: 'bsre'; readonly ready: false; readonly status: string; readonly message: string };

/** Whether a partner's PDF is our signed naskah with a valid second signature added as an incremental update. */
export type Countersignature =
  { ok: true; signer: string; partnerChainTrusted: boolean } | { ok: false; reason: string };

/** One signature found in a PDF, as the audit certificate states it. */
export interface PdfSignatureInfo {
  /** The certificate's subject name (CN). */
  signer: string;
  /** The time the signer claimed (ISO), not a trusted timestamp; absent when none is stated. */
  signingTime?: string;
  /**
   * Bytes 0..appliedToEnd are the revision the signature was applied to: the document the signer signed, before
   * the incremental update that carries the signature.
   */
  appliedToEnd: number;
  /** Where the revision with this signature ends. */
  end: number;
  /** Intact over its byte range and chained to a root this system trusts, at the check date. */
  valid: boolean;
  /** Made with a development certificate (never BSrE). */
  development: boolean;
  /** What certifies it: the kind of trust anchor its chain reached (absent when it reached none). */
  kind?: CertificateKind;
  /** The name of that anchor's holder, for a `pemda` anchor. */
  holder?: string;
  /** PAdES level (B-B, B-T, B-LT). */
  level?: string;
  /** The time of a valid signature timestamp (ISO), unlike `signingTime` a trusted one. */
  timestampTime?: string;
}

/**
 * Electronic signatures (PAdES with the development CA, or KMS in AWS: functions/signing/pades-signer.ts). The rules
 * decide what is signed and by whom; the port makes and checks the signatures.
 */
export interface Signer {
  /** The certificate that signs for this official (the signed page prints it before the PDF is signed). */
  describe(official: SigningOfficial): Promise<SignatureDescription>;
  /** What signing needs of this official (the provider of their pemda; a BSrE signer's status). */
  readiness(official: SigningOfficial): Promise<SigningReadiness>;
  /** Asks BSrE to send a TOTP to the signer's BeSign app (`bsre` only). */
  requestTotp(official: SigningOfficial): Promise<void>;
  /**
   * Signs a PDF as this official (one PAdES signature), with the official's credential when the provider needs one.
   * Refusals are SepakatErrors whose `code` says which (core/signing/signing-errors.ts): a wrong credential, an
   * unknown outcome after the request was sent, a response refused; none carries the credential.
   */
  signPdf(
    pdf: Uint8Array,
    official: SigningOfficial,
    details: { reason: string; location: string; name: string; contactInfo: string; signingTime: Date },
    credential?: SigningCredential,
  ): Promise<Uint8Array>;
  /** Checks that `candidate` is `signed` plus a valid signature over an incremental update that changes no page. */
  countersignature(candidate: Uint8Array, signed: Uint8Array, at: Date): Promise<Countersignature>;
  /** The signatures of a PDF in file order, checked at `at`. */
  signatures(pdf: Uint8Array, at: Date): Promise<PdfSignatureInfo[]>;
}
