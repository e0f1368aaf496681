import { createHash } from 'node:crypto';
import type { PemdaContext } from '../case/case-runtime.ts';
import { packageLinkToken, readPackageLinkToken, recipientTag } from '../case/capabilities.ts';
import type { CaseRecord, CaseStore, Clock, Faults, HistoryEvent, MailAttachment, TaskRecord } from '../case/model.ts';
import { ErrorNames, SepakatError } from '../errors.ts';
import { formatBytes } from '../files/accepted-files.ts';
import type { DocumentStore, PdfSignatureInfo, Renderer, Signer, SigningOfficial } from '../ports.ts';
import type { NumberRegister } from '../register/numbering.ts';
import type { Sop } from '../sop/load-sop.ts';
import type { Actor } from '../sop/schema.ts';
import { kopDariPemda } from './common.ts';
import { nomorKey, SIGNED_NASKAH_KEY } from './document-actions.ts';
import { docIdFor, type DocumentRecord } from './document-record.ts';
import { NAMA_JENIS } from './kesepakatan-bersama.ts';
import type { LembarRiwayatInput, Peristiwa } from './lembar-riwayat.ts';
import { certificationText } from '../signing/certification.ts';

/**
 * The completion package: once a naskah is signed by all parties (the partner electronically, or on paper and
 * scanned) and its number registered, every party receives one email with the register number, the signed naskah
 * and an audit certificate, the Lembar Riwayat Penandatanganan.
 *
 * The certificate is built from what the case recorded, read through the ports, never from how a step produced it:
 * the paraf facts of the history (`otomatis-selesai` of a `paraf` action: versiIsi, waktu, nama, jabatan), the
 * signatures found in the final PDF (the Signer port reads them: who, when, and the revision each was applied to),
 * the stored documents (the signed naskah, the partner's copy or scan, the konsep a paraf was given on) and the tasks
 * (who decided, how). It is sealed with the pemda's electronic seal through the Signer port, stored once per case,
 * archived under the naskah's number and verifiable on `/verifikasi`.
 *
 * Idempotent: one certificate per case (one conditional put by purpose), one email per recipient (a history fact
 * by key, a deterministic Message-ID): a retried step finds both and sends nothing twice. Above the attachment limit
 * the signed naskah goes as a per-recipient link (core/case/capabilities.ts `packageLinkToken`) that expires, and
 * whose every download is logged (core/case/downloads.ts); the certificate is always attached.
 */

/** Attachments above this size in total go as a link instead (SES takes 40 MB; many mailboxes take far less). */
export const MAX_ATTACHMENT_BYTES = 7 * 1024 * 1024;
/** How long a package link is valid. */
export const PACKAGE_LINK_DAYS = 30;
/** The documents kind of the certificate. */
export const CERTIFICATE_KIND = 'lembar-riwayat';

export interface CompletionPackageDeps {
  store: Pick<CaseStore, 'getCase' | 'listHistory' | 'listTasks'>;
  documents: Pick<DocumentStore, 'get' | 'store' | 'read' | 'listByCase'>;
  register(pemdaId: string): Pick<NumberRegister, 'get'>;
  renderer(): Pick<Renderer, 'render'>;
  signer: Pick<Signer, 'describe' | 'signPdf' | 'signatures'>;
  pemda(pemdaId: string): PemdaContext;
  sops: { get(sopKey: string): Sop };
  clock: Clock;
  publicBaseUrl: string;
  /** The action-link key (HMAC of links and task ids); throws where this function was given none. */
  linkKey: () => Buffer;
  documentsBucket: string;
  /** Sends one email once per case and key (CaseRuntime.sendOnce: history fact, deterministic Message-ID). */
  sendOnce(
    caseId: string,
    eventKey: string,
    mail: { to: string[]; template: 'naskah-lengkap'; model: Record<string, unknown>; attachments?: MailAttachment[] },
  ): Promise<unknown>;
  maxAttachmentBytes?: number;
  faults?: Faults;
}

/** Someone the package is sent to. */
export interface Recipient {
  email: string;
  nama: string;
  /** As what they receive it ("Pemohon, Dinas …", "Kepala Bagian Kerjasama", "Penghubung pihak mitra"). */
  peran: string;
}

/** The documents of a sent package: the certificate, the final naskah, and the partner's scan when signed on paper. */
export interface PackageDocuments {
  nomor: string;
  certificate: DocumentRecord;
  naskah: DocumentRecord;
  scan?: DocumentRecord;
}

/** What a package link opens, or why it does not. */
export type PackageLink =
  | { ok: true; record: CaseRecord; recipient: Recipient; documents: PackageDocuments; expiresAt: Date }
  | { ok: false; reason: 'rusak' | 'kedaluwarsa' };

/** The case data key of the partner's contact address (an SOP field of type email). */
export const PARTNER_CONTACT_KEY = 'mitra-penghubung-email';

const hex = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');
const slug = (text: string) => text.replace(/[^A-Za-z0-9]+/g, '-');

/** What the case holds of the signed naskah: our signed PDF, the partner's copy (electronic) or scan (paper). */
interface Signed {
  ours: DocumentRecord;
  partner: DocumentRecord | undefined;
  scan: DocumentRecord | undefined;
  /** The copy the parties receive: the partner's electronic copy, else ours. */
  final: DocumentRecord;
}

export class CompletionPackage {
  constructor(private readonly deps: CompletionPackageDeps) {}

  private now(): Date {
    return this.deps.clock.now();
  }

  /** The purpose (and so the docId) of a case's certificate: one per case. */
  static certificatePurpose(caseId: string): string {
    return `${caseId}#${CERTIFICATE_KIND}`;
  }

  /**
   * Sends the package of a case (the `paket` action of the SOP). Refuses, with the reason, a naskah not yet signed
   * by every party or whose number is not registered as used; the case then waits at its step.
   */
  async send(input: {
    record: CaseRecord;
    activityId: string;
    action: { nomor: string; pesan?: string | undefined };
  }): Promise<Record<string, string | number | boolean>> {
    const { record, activityId, action } = input;
    const nomor = record.data[nomorKey(action.nomor)];
    if (typeof nomor !== 'string' || !nomor)
      throw new SepakatError(ErrorNames.InvalidDefinition, `Nomor "${action.nomor}" belum ada di ${activityId}`);
    const entry = await this.deps.register(record.pemdaId).get(nomor);
    if (!entry || entry.status === 'dicadangkan' || entry.status === 'dibatalkan')
      throw new SepakatError(
        ErrorNames.InvalidDefinition,
        `Paket penyelesaian di ${activityId}: nomor ${nomor} belum tercatat dipakai di buku register`,
      );
    const docs = await this.deps.documents.listByCase(record.caseId);
    const signed = await this.signedOf(record, docs);
    if (!signed)
      throw new SepakatError(
        ErrorNames.InvalidDefinition,
        `Paket penyelesaian di ${activityId}: naskah ${nomor} belum ditandatangani para pihak`,
      );
    const history = await this.deps.store.listHistory(record.caseId);
    const tasks = bySeq(await this.deps.store.listTasks({ caseId: record.caseId }));
    const finalBytes = await this.deps.documents.read(signed.final);
    const certificate = await this.certificate(record, nomor, entry.parties, signed, finalBytes, {
      history,
      tasks,
      docs,
    });
    const certificateBytes = await this.deps.documents.read(certificate);

    const pemda = this.deps.pemda(record.pemdaId);
    const jenis = jenisOf(record);
    const copies = [signed.final, ...(signed.scan ? [signed.scan] : [])];
    const copyBytes = [finalBytes, ...(signed.scan ? [await this.deps.documents.read(signed.scan)] : [])];
    const total = certificateBytes.length + copyBytes.reduce((n, b) => n + b.length, 0);
    const asLink = total > (this.deps.maxAttachmentBytes ?? MAX_ATTACHMENT_BYTES);
    const expiresAt = new Date(Date.parse(certificate.createdAt) + PACKAGE_LINK_DAYS * 24 * 3600_000);
    const attachment = (d: DocumentRecord, content: Uint8Array): MailAttachment => ({
      fileName: d.fileName,
      contentType: d.contentType,
      content,
    });
    const files = packageFiles({
      nomor,
      certificate,
      naskah: signed.final,
      ...(signed.scan ? { scan: signed.scan } : {}),
    });
    const recipients = this.recipientsFrom(record, history, tasks);
    for (const recipient of recipients) {
      const pemohon = recipient.email.toLowerCase() === record.pemohon.email.toLowerCase();
      // Each email is looked up right before it goes (`sendOnce`), not taken from the history read above: a run that
      // overlaps this one (a retry after a timeout, a resumed execution) may send it while the certificate is made.
      await this.deps.sendOnce(record.caseId, `paket#surel#${recipientTag(recipient.email)}`, {
        to: [recipient.email],
        template: 'naskah-lengkap',
        model: {
          penerima: recipient,
          jenis,
          nomor,
          tentang: typeof record.data['naskah-tentang'] === 'string' ? record.data['naskah-tentang'] : undefined,
          paraPihak: entry.parties.join(' dan '),
          perihal: record.perihal,
          caseId: record.caseId,
          pemda: pemda.directory.data.pemda.nama,
          naskah: {
            ukuran: formatBytes(signed.final.size),
            sha256: signed.final.sha256,
            verifikasi: this.verifyUrl(signed.final.docId),
          },
          verifikasiLembar: this.verifyUrl(certificate.docId),
          lampiran: files.map((f) => `${f.record.fileName} (${formatBytes(f.record.size)}): ${f.label}`),
          ...(asLink
            ? {
                tautan: {
                  url: `${this.deps.publicBaseUrl}/paket/${packageLinkToken(this.deps.linkKey(), record.caseId, recipient.email, expiresAt)}`,
                  sampai: pemda.formatDateTime(expiresAt),
                },
              }
            : {}),
          ...(pemohon && action.pesan ? { pesan: action.pesan } : {}),
        },
        attachments: [
          ...(asLink ? [] : copies.map((d, i) => attachment(d, copyBytes[i]!))),
          attachment(certificate, certificateBytes),
        ],
      });
      this.deps.faults?.point('while-package-sending');
    }
    return {
      docId: certificate.docId,
      sha256: certificate.sha256,
      jenis: CERTIFICATE_KIND,
      nomor,
      naskahSha256: signed.final.sha256,
      penerima: recipients.length,
      pengiriman: asLink ? 'tautan' : 'lampiran',
    };
  }

  /** The package a case sent (for the tracking page and the package link), undefined before it was made. */
  async documentsOf(caseId: string): Promise<PackageDocuments | undefined> {
    const certificate = await this.deps.documents.get(docIdFor(CompletionPackage.certificatePurpose(caseId)));
    const naskahId = certificate?.meta?.['naskahDocId'];
    if (!certificate || typeof naskahId !== 'string') return undefined;
    const naskah = await this.deps.documents.get(naskahId);
    if (!naskah) return undefined;
    const scanId = certificate.meta?.['pindaianDocId'];
    const scan = typeof scanId === 'string' ? await this.deps.documents.get(scanId) : undefined;
    return { nomor: certificate.nomor ?? naskah.nomor ?? '', certificate, naskah, ...(scan ? { scan } : {}) };
  }

  /** Who receives the package of a case: the pemohon, the partner's contact, each official who initialled or signed. */
  async recipients(record: CaseRecord): Promise<Recipient[]> {
    const [history, tasks] = await Promise.all([
      this.deps.store.listHistory(record.caseId),
      this.deps.store.listTasks({ caseId: record.caseId }),
    ]);
    return this.recipientsFrom(record, history, bySeq(tasks));
  }

  /** A package link: its MAC, its expiry, and the recipient it was sent to. */
  async openLink(token: string): Promise<PackageLink> {
    const found = readPackageLinkToken(this.deps.linkKey(), token);
    if (!found) return { ok: false, reason: 'rusak' };
    if (found.expiresAt.getTime() <= this.now().getTime()) return { ok: false, reason: 'kedaluwarsa' };
    const record = await this.deps.store.getCase(found.caseId);
    const documents = record && (await this.documentsOf(record.caseId));
    const recipient = record && (await this.recipients(record)).find((r) => recipientTag(r.email) === found.tag);
    if (!record || !documents || !recipient) return { ok: false, reason: 'rusak' };
    return { ok: true, record, recipient, documents, expiresAt: found.expiresAt };
  }

  private verifyUrl(docId: string): string {
    return `${this.deps.publicBaseUrl}/verifikasi/${docId}`;
  }

  private recipientsFrom(record: CaseRecord, history: readonly HistoryEvent[], tasks: Map<number, TaskRecord>) {
    const out: Recipient[] = [];
    const add = (r: Recipient) => {
      if (r.email && !out.some((o) => o.email.toLowerCase() === r.email.toLowerCase())) out.push(r);
    };
    add({ email: record.pemohon.email, nama: record.pemohon.nama, peran: `Pemohon, ${record.pemohon.instansi}` });
    const contact = record.data[PARTNER_CONTACT_KEY];
    if (typeof contact === 'string' && contact.includes('@'))
      add({ email: contact.trim(), nama: `Penghubung ${mitraOf(record)}`, peran: 'Penghubung pihak mitra' });
    const sop = this.deps.sops.get(record.sopKey);
    for (const e of history) {
      const action = e.detail?.['action'];
      if (e.type !== 'otomatis-selesai' || (action !== 'paraf' && action !== 'tandatangan') || e.seq === undefined)
        continue;
      const task = tasks.get(e.seq);
      const by = task?.decision?.by;
      // Who acted for an external party only recorded its act: the party is reached as the partner or the pemohon.
      if (!task || !by || actorKind(sop, task.node) !== 'internal') continue;
      add({ email: by.email, nama: by.nama, peran: by.sebagai ? `${by.sebagai} ${by.jabatan}` : by.jabatan });
    }
    return out;
  }

  /** The signed naskah of a case and the partner's signature on it; undefined until both exist. */
  private async signedOf(record: CaseRecord, docs: readonly DocumentRecord[]): Promise<Signed | undefined> {
    const oursId = record.data[SIGNED_NASKAH_KEY];
    const ours =
      (typeof oursId === 'string' ? await this.deps.documents.get(oursId) : undefined) ??
      latest(docs.filter((d) => d.kind === 'naskah-ditandatangani'));
    if (!ours) return undefined;
    const partner = latest(docs.filter((d) => d.kind === 'naskah-para-pihak'));
    const scan = partner
      ? undefined
      : latest(docs.filter((d) => d.kind === 'arsip-pindai' && d.meta?.['cara'] === 'kertas'));
    if (!partner && !scan) return undefined;
    return { ours, partner, scan, final: partner ?? ours };
  }

  /** The case's certificate: found when made before, else built, rendered, sealed and stored once. */
  private async certificate(
    record: CaseRecord,
    nomor: string,
    parties: readonly string[],
    signed: Signed,
    finalBytes: Uint8Array,
    facts: { history: readonly HistoryEvent[]; tasks: Map<number, TaskRecord>; docs: readonly DocumentRecord[] },
  ): Promise<DocumentRecord> {
    const purpose = CompletionPackage.certificatePurpose(record.caseId);
    const docId = docIdFor(purpose);
    const existing = await this.deps.documents.get(docId);
    if (existing) return existing;

    const pemda = this.deps.pemda(record.pemdaId);
    const profile = pemda.directory.data.pemda;
    const now = this.now();
    const seal: SigningOfficial = {
      pemdaId: record.pemdaId,
      segel: true,
      id: `segel-${record.pemdaId}`,
      nama: profile.nama,
      jabatan: 'Segel elektronik',
      instansi: profile.nama,
    };
    const description = await this.deps.signer.describe(seal);
    const verifikasi = this.verifyUrl(docId);
    const jenis = jenisOf(record);
    const peristiwa = await this.events(record, signed, finalBytes, facts);
    const keterangan = description.development
      ? `Disegel secara elektronik oleh Sepakat atas nama ${profile.nama} (segel instansi, bukan tanda tangan perseorangan) dengan sertifikat pengembangan (${description.issuer}), BUKAN sertifikat elektronik BSrE. Periksa keaslian di ${verifikasi}`
      : `Disegel secara elektronik atas nama ${profile.nama} (segel instansi, bukan tanda tangan perseorangan) dengan sertifikat elektronik yang diterbitkan oleh ${description.issuer}. Periksa keaslian di ${verifikasi}`;
    const input: LembarRiwayatInput = {
      kop: kopDariPemda(profile),
      naskah: {
        jenis,
        nomor,
        ...(typeof record.data['naskah-tentang'] === 'string' && record.data['naskah-tentang'].trim()
          ? { tentang: record.data['naskah-tentang'] }
          : {}),
        perihal: record.perihal,
        paraPihak: parties.length ? [...parties] : [profile.nama, mitraOf(record)],
        berkas: signed.final.fileName,
        ukuran: formatBytes(signed.final.size),
        sha256: signed.final.sha256,
        verifikasi: this.verifyUrl(signed.final.docId),
      },
      peristiwa,
      dibuat: pemda.formatDateTime(now),
      verifikasi,
      catatan: [
        `Waktu dinyatakan dalam zona waktu ${profile.jamKerja.timeZone}. Waktu tanda tangan elektronik adalah waktu yang dinyatakan di dalam tanda tangan itu (bukan cap waktu tepercaya); waktu paraf adalah waktu keputusan dicatat Sepakat.`,
        'Versi isi adalah sidik SHA-256 teks naskah (judul, para pihak, pasal-pasal): paraf atas versi isi yang sama menyetujui teks yang sama. SHA-256 dokumen adalah sidik berkas PDF tempat paraf atau tanda tangan itu diberikan.',
      ],
      tte: { qr: verifikasi, label: 'Pindai untuk memeriksa keaslian lembar ini', keterangan },
    };
    const rendered = await this.deps
      .renderer()
      .render('lembar-riwayat', input, { paper: 'A4' })
      .catch((error: unknown) => {
        if (error instanceof SepakatError) throw error;
        throw new SepakatError(ErrorNames.Transient, 'Lembar Riwayat Penandatanganan gagal dibuat', { cause: error });
      });
    const pdf = await this.deps.signer.signPdf(rendered.pdf, seal, {
      reason: `Menyegel Lembar Riwayat Penandatanganan ${jenis} Nomor ${nomor}`,
      location: profile.dokumen.tempat,
      name: profile.nama,
      contactInfo: `${this.deps.publicBaseUrl}/verifikasi`,
      signingTime: now,
    });
    const { record: stored } = await this.deps.documents.store({
      caseId: record.caseId,
      pemdaId: record.pemdaId,
      kind: CERTIFICATE_KIND,
      purpose,
      bucket: this.deps.documentsBucket,
      bytes: pdf,
      contentType: 'application/pdf',
      fileName: `lembar-riwayat-${slug(nomor)}.pdf`,
      at: now,
      templateVersion: rendered.templateVersion,
      data: input,
      nomor,
      meta: {
        naskahDocId: signed.final.docId,
        naskahSha256: signed.final.sha256,
        ...(signed.scan ? { pindaianDocId: signed.scan.docId } : {}),
        peristiwa: peristiwa.length,
        segelPengembangan: description.development,
      },
    });
    return stored;
  }

  /** Every paraf and signature on the naskah, in the order they were given. */
  private async events(
    record: CaseRecord,
    signed: Signed,
    finalBytes: Uint8Array,
    facts: { history: readonly HistoryEvent[]; tasks: Map<number, TaskRecord>; docs: readonly DocumentRecord[] },
  ): Promise<Peristiwa[]> {
    const pemda = this.deps.pemda(record.pemdaId);
    const when = (iso: string) => pemda.formatDateTime(new Date(iso));
    const konsep = facts.docs.filter((d) => typeof d.meta?.['versiIsi'] === 'string');
    const rows: { at: string; row: Peristiwa }[] = [];

    for (const e of facts.history) {
      const d = e.detail;
      if (e.type !== 'otomatis-selesai' || d?.['action'] !== 'paraf') continue;
      const at = typeof d['waktu'] === 'string' ? d['waktu'] : e.at;
      const version = typeof d['versiIsi'] === 'string' ? d['versiIsi'] : undefined;
      const task = e.seq !== undefined ? facts.tasks.get(e.seq) : undefined;
      const recorder = typeof d['dicatatOleh'] === 'string' ? d['dicatatOleh'] : undefined;
      // The document the paraf was given on: the latest one of its content version stored by then.
      const shown =
        typeof d['sha256'] === 'string'
          ? d['sha256']
          : latest(konsep.filter((k) => k.meta?.['versiIsi'] === version && k.createdAt <= at))?.sha256;
      const nama = String(d['nama'] ?? '');
      rows.push({
        at,
        row: {
          tindakan: d['paraf'] === 'koordinasi' ? 'Paraf koordinasi' : `Paraf hierarki ke-${Number(d['urutan'] ?? 1)}`,
          pihak: d['pihak'] === 'kedua' ? 'PIHAK KEDUA' : 'PIHAK KESATU',
          nama: recorder || nama.startsWith('dicatat oleh') ? 'tidak tercatat (paraf pada naskah kertas)' : nama,
          jabatan: String(d['jabatan'] ?? ''),
          waktu: when(at),
          ...(version ? { versiIsi: version } : {}),
          ...(shown && /^[0-9a-f]{64}$/.test(shown) ? { sha256: shown } : {}),
          cara:
            typeof d['cara'] === 'string'
              ? d['cara']
              : recorder
                ? `dicatat oleh ${recorder}${task?.decision?.by.jabatan ? ` (${task.decision.by.jabatan})` : ''}${
                    task?.decision?.files.length ? ' dari pindaian naskah berparaf' : ''
                  }`
                : 'tautan email pribadi + kode konfirmasi sekali pakai',
        },
      });
    }

    const signatures = await this.deps.signer.signatures(finalBytes, this.now());
    const version = typeof signed.ours.meta?.['versiIsi'] === 'string' ? signed.ours.meta['versiIsi'] : undefined;
    const signFact = facts.history.find(
      (e) =>
        e.type === 'otomatis-selesai' &&
        e.detail?.['action'] === 'tandatangan' &&
        e.detail['docId'] === signed.ours.docId,
    );
    const signTask = signFact?.seq !== undefined ? facts.tasks.get(signFact.seq) : undefined;
    const ourSignature = signatures[0];
    const ourAt = ourSignature?.signingTime ?? signed.ours.createdAt;
    const certificateText = (s: PdfSignatureInfo | undefined) =>
      s?.kind
        ? certificationText(s.kind, s.holder)
        : s?.development
          ? 'sertifikat pengembangan Sepakat, bukan BSrE'
          : 'sertifikat elektronik';
    rows.push({
      at: ourAt,
      row: {
        tindakan: 'Tanda tangan elektronik',
        pihak: 'PIHAK KESATU',
        nama: String(signed.ours.meta?.['penandatangan'] ?? ourSignature?.signer ?? ''),
        jabatan: String(signed.ours.meta?.['jabatan'] ?? signTask?.decision?.by.jabatan ?? ''),
        waktu: when(ourAt),
        ...(version ? { versiIsi: version } : {}),
        ...(ourSignature ? { sha256: hex(finalBytes.subarray(0, ourSignature.appliedToEnd)) } : {}),
        cara: `tanda tangan elektronik PAdES${ourSignature?.level ? ` ${ourSignature.level}` : ''} (${certificateText(ourSignature)}), diberikan melalui tautan email pribadi + kode konfirmasi sekali pakai`,
      },
    });

    const mitra = mitraOf(record);
    const partnerTask = this.partnerTask(facts, signed);
    const recorder = partnerTask?.decision?.by;
    const recordedBy = recorder ? `${recorder.nama} (${recorder.jabatan})` : 'petugas Sepakat';
    const partnerName =
      typeof record.data['mitra-penandatangan-nama'] === 'string' ? record.data['mitra-penandatangan-nama'] : undefined;
    const partnerJabatan =
      typeof record.data['mitra-penandatangan-jabatan'] === 'string'
        ? record.data['mitra-penandatangan-jabatan']
        : `Penanda tangan ${mitra}`;
    if (signed.partner) {
      for (const s of signatures.slice(1)) {
        const at = s.signingTime ?? signed.partner.createdAt;
        rows.push({
          at,
          row: {
            tindakan: 'Tanda tangan elektronik',
            pihak: 'PIHAK KEDUA',
            nama: s.signer,
            jabatan: partnerJabatan,
            waktu: when(at),
            ...(version ? { versiIsi: version } : {}),
            sha256: hex(finalBytes.subarray(0, s.appliedToEnd)),
            cara: `tanda tangan elektronik mitra (PAdES) sebagai pembaruan inkremental di atas naskah bertanda tangan PIHAK KESATU; sertifikat ${
              signed.partner.meta?.['rantaiMitraTerpercaya'] === true
                ? 'dari penerbit yang dipercaya sistem ini'
                : 'dari penerbit di luar rantai terpercaya Sepakat (perlu diperiksa)'
            }; diunggah oleh ${recordedBy}`,
          },
        });
      }
    } else if (signed.scan) {
      const at = partnerTask?.decision?.at ?? signed.scan.createdAt;
      rows.push({
        at,
        row: {
          tindakan: 'Tanda tangan di atas kertas',
          pihak: 'PIHAK KEDUA',
          nama: partnerName ?? 'tidak tercatat',
          jabatan: partnerJabatan,
          waktu: `${when(at)} (dicatat)`,
          ...(version ? { versiIsi: version } : {}),
          sha256: signed.ours.sha256,
          cara: `ditandatangani di atas kertas pada cetakan naskah bertanda tangan PIHAK KESATU; dicatat oleh ${recordedBy} dari pindaian ${signed.scan.fileName} (SHA-256 ${signed.scan.sha256})`,
        },
      });
    }
    return rows.sort((a, b) => a.at.localeCompare(b.at)).map((r) => r.row);
  }

  /** The task that recorded the partner's signature (its `tandatangan-mitra` fact names the stored copy). */
  private partnerTask(
    facts: { history: readonly HistoryEvent[]; tasks: Map<number, TaskRecord> },
    signed: Signed,
  ): TaskRecord | undefined {
    const copy = signed.partner ?? signed.scan;
    const fact = facts.history.find(
      (e) =>
        e.type === 'otomatis-selesai' &&
        e.detail?.['action'] === 'tandatangan-mitra' &&
        e.detail['docId'] === copy?.docId,
    );
    return fact?.seq !== undefined ? facts.tasks.get(fact.seq) : undefined;
  }
}

/**
 * The files of a sent package in the order pages list them (the final naskah, the partner's scan, the
 * certificate); a download names its position in this list.
 */
export function packageFiles(docs: PackageDocuments): { label: string; record: DocumentRecord }[] {
  return [
    {
      label: docs.naskah.kind === 'naskah-para-pihak' ? 'Naskah bertanda tangan para pihak' : 'Naskah bertanda tangan',
      record: docs.naskah,
    },
    ...(docs.scan ? [{ label: 'Pindaian naskah bertanda tangan pihak mitra', record: docs.scan }] : []),
    { label: 'Lembar Riwayat Penandatanganan', record: docs.certificate },
  ];
}

function bySeq(tasks: readonly TaskRecord[]): Map<number, TaskRecord> {
  return new Map(tasks.map((t) => [t.seq, t]));
}

function latest(docs: readonly DocumentRecord[]): DocumentRecord | undefined {
  return [...docs].sort((a, b) => b.createdAt.localeCompare(a.createdAt) || b.docId.localeCompare(a.docId))[0];
}

function jenisOf(record: CaseRecord): string {
  // The kind as signed (core/documents/document-actions.ts NAMA_JENIS_KEY), else as chosen.
  const signed = record.data['naskah-jenis-nama'];
  if (typeof signed === 'string' && signed.trim()) return signed;
  const jenis = record.data['naskah-jenis'];
  return jenis === 'nota-kesepakatan' ? NAMA_JENIS['nota-kesepakatan'] : NAMA_JENIS['kesepakatan-bersama'];
}

function mitraOf(record: CaseRecord): string {
  const mitra = record.data['pihak-mitra'];
  return typeof mitra === 'string' && mitra.trim() ? mitra : record.pemohon.instansi;
}

function actorKind(sop: Sop, node: string): Actor['kind'] | undefined {
  try {
    const found = sop.node(node);
    return found.type === 'activity' ? found.actor.kind : undefined;
  } catch {
    return undefined;
  }
}
