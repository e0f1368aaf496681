import { createHash } from 'node:crypto';
import type { Transition } from '../../core/agreement/lifecycle.ts';
import type { AgreementRecord, Usulan } from '../../core/agreement/agreement-model.ts';
import type { ItemSubmission, MonitoringItem, RekapFact } from '../../core/agreement/monitoring-item.ts';
import type {
  CaseRecord,
  CaseStore,
  Clock,
  HistoryEvent,
  OutgoingMail,
  ScheduledItem,
  StoredFile,
} from '../../core/case/model.ts';
import type { Mailer, Scheduler } from '../../core/case/model.ts';
import {
  docIdFor,
  documentRecordOf,
  pageImageKey,
  type DocumentRecord,
  type StoreDocumentInput,
} from '../../core/documents/document-record.ts';
import type { DocumentInput, DocumentName } from '../../core/documents/index.ts';
import { ErrorNames, SepakatError } from '../../core/errors.ts';
import { checkAccepted, type FileStore } from '../../core/files/accepted-files.ts';
import type {
  AgreementStore,
  Countersignature,
  DocumentStore,
  PageImage,
  RenderedDocument,
  Renderer,
  SignatureDescription,
  PdfSignatureInfo,
  Signer,
  SigningOfficial,
  SigningReadiness,
} from '../../core/ports.ts';
import type { CounterAges, CounterObservation, RegisterEntry, RegisterStatus } from '../../core/register/numbering.ts';
import type { Claim, EntryAt, NumberTextItem, RegisterItems } from '../../core/register/register-items.ts';

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

/**
 * Small in-memory implementations of the core's ports, for fast tests of the rules (milliseconds, no service). Each
 * keeps the contract its port states — conditional writes say whether they happened, reads return copies — so a rule
 * that relies on a conditional write behaves as it does on DynamoDB. Never used by product code: every adapter has
 * its own test against the real local service.
 */

const copy = <T>(value: T): T => structuredClone(value);
const sha256 = (bytes: Uint8Array | string) => createHash('sha256').update(bytes).digest('hex');

/** A clock the test moves. */
export class TestClock implements Clock {
  constructor(private current: Date) {}
  now(): Date {
    return new Date(this.current);
  }
  set(to: Date): void {
    this.current = new Date(to);
  }
}

export class MemoryAgreementStore implements AgreementStore {
  readonly agreements = new Map<string, AgreementRecord>();
  readonly items = new Map<string, MonitoringItem>();
  readonly rekap = new Map<string, RekapFact>();
  private key = (pemdaId: string, nomor: string) => `${pemdaId}#${nomor}`;

  async create(record: AgreementRecord): Promise<'created' | 'exists'> {
    const k = this.key(record.pemdaId, record.nomor);
    if (this.agreements.has(k)) return 'exists';
    this.agreements.set(k, copy(record));
    return 'created';
  }
  async get(pemdaId: string, nomor: string) {
    const found = this.agreements.get(this.key(pemdaId, nomor));
    return found && copy(found);
  }
  async list(pemdaId: string) {
    return [...this.agreements.values()].filter((a) => a.pemdaId === pemdaId).map(copy);
  }
  private update(
    pemdaId: string,
    nomor: string,
    when: (a: AgreementRecord) => boolean,
    change: Partial<AgreementRecord>,
  ) {
    const a = this.agreements.get(this.key(pemdaId, nomor));
    if (!a || !when(a)) return false;
    Object.assign(a, copy(change));
    return true;
  }
  async transition(pemdaId: string, nomor: string, fromVersion: number, t: Transition) {
    return this.update(pemdaId, nomor, (a) => a.status === 'berlaku' && a.version === fromVersion, {
      ...t,
      version: fromVersion + 1,
    });
  }
  async changeTerm(
    pemdaId: string,
    nomor: string,
    fromVersion: number,
    change: { berakhir: string; adendum: string; berakhirSebelumnya: string; at: string },
  ) {
    return this.update(pemdaId, nomor, (a) => a.status === 'berlaku' && a.version === fromVersion, {
      berakhir: change.berakhir,
      perubahanJangka: { adendum: change.adendum, berakhirSebelumnya: change.berakhirSebelumnya, at: change.at },
      version: fromVersion + 1,
    });
  }
  async markScheduleProvisional(pemdaId: string, nomor: string, tahun: number) {
    return this.update(pemdaId, nomor, (a) => a.jadwalPerkiraanSejak === undefined || a.jadwalPerkiraanSejak > tahun, {
      jadwalPerkiraanSejak: tahun,
    });
  }
  async redateSchedule(
    pemdaId: string,
    nomor: string,
    from: { version: number; jadwalPerkiraanSejak: number | undefined },
    change: { jadwalRevisi: number; jadwalPerkiraanSejak: number | undefined },
  ) {
    const a = this.agreements.get(this.key(pemdaId, nomor));
    const ok = this.update(
      pemdaId,
      nomor,
      (r) =>
        r.status === 'berlaku' && r.version === from.version && r.jadwalPerkiraanSejak === from.jadwalPerkiraanSejak,
      { jadwalRevisi: change.jadwalRevisi, version: from.version + 1 },
    );
    if (ok && a) {
      if (change.jadwalPerkiraanSejak === undefined) delete a.jadwalPerkiraanSejak;
      else a.jadwalPerkiraanSejak = change.jadwalPerkiraanSejak;
    }
    return ok;
  }
  async addAdendum(pemdaId: string, nomor: string, adendum: string) {
    const a = this.agreements.get(this.key(pemdaId, nomor));
    if (!a || a.adendum.includes(adendum)) return false;
    a.adendum.push(adendum);
    return true;
  }
  async addPelaksanaan(pemdaId: string, nomor: string, pelaksanaan: string) {
    const a = this.agreements.get(this.key(pemdaId, nomor));
    if (!a || a.pelaksanaan?.includes(pelaksanaan)) return false;
    a.pelaksanaan = [...(a.pelaksanaan ?? []), pelaksanaan];
    return true;
  }
  async addUsulan(pemdaId: string, nomor: string, key: string, usulan: Usulan) {
    const a = this.agreements.get(this.key(pemdaId, nomor));
    if (!a || a.usulan[key]) return false;
    a.usulan[key] = copy(usulan);
    return true;
  }
  async createItem(item: MonitoringItem): Promise<'created' | 'exists'> {
    if (this.items.has(item.itemId)) return 'exists';
    this.items.set(item.itemId, copy(item));
    return 'created';
  }
  async getItem(itemId: string) {
    const found = this.items.get(itemId);
    return found && copy(found);
  }
  async listItems(pemdaId: string, nomor: string) {
    return [...this.items.values()]
      .filter((i) => i.pemdaId === pemdaId && i.nomor === nomor)
      .sort((x, y) => x.jenis.localeCompare(y.jenis) || x.ke - y.ke)
      .map(copy);
  }
  async submit(itemId: string, linkVersion: number, submission: ItemSubmission) {
    const i = this.items.get(itemId);
    if (!i || i.state !== 'terbuka' || i.linkVersion !== linkVersion || !(i.linkExpiresAt > submission.at))
      return false;
    i.state = 'diterima';
    i.submission = copy(submission);
    return true;
  }
  async renewItemLink(itemId: string, fromVersion: number, expiresAt: string, maxRenewals: number) {
    const i = this.items.get(itemId);
    if (!i || i.state !== 'terbuka' || i.linkVersion !== fromVersion || (i.renewals ?? 0) >= maxRenewals) return false;
    i.linkVersion = fromVersion + 1;
    i.linkExpiresAt = expiresAt;
    i.renewals = (i.renewals ?? 0) + 1;
    return true;
  }
  async getRekap(pemdaId: string, tahun: number) {
    const found = this.rekap.get(`${pemdaId}#${tahun}`);
    return found && copy(found);
  }
  async redateItem(
    itemId: string,
    from: { jatuhTempo: string; linkVersion: number; linkExpiresAt: string },
    to: { jatuhTempo: string; linkExpiresAt: string },
  ) {
    const i = this.items.get(itemId);
    if (!i || i.state !== 'terbuka') return false;
    if (
      i.jatuhTempo !== from.jatuhTempo ||
      i.linkVersion !== from.linkVersion ||
      i.linkExpiresAt !== from.linkExpiresAt
    )
      return false;
    i.jatuhTempoSemula ??= i.jatuhTempo;
    i.jatuhTempo = to.jatuhTempo;
    i.linkExpiresAt = to.linkExpiresAt;
    return true;
  }
  async listRekap(pemdaId: string) {
    return [...this.rekap.values()]
      .filter((f) => f.pemdaId === pemdaId)
      .sort((a, b) => b.tahun - a.tahun)
      .map((f) => copy(f));
  }
  async putRekap(fact: RekapFact) {
    const k = `${fact.pemdaId}#${fact.tahun}`;
    if (this.rekap.has(k)) return false;
    this.rekap.set(k, copy(fact));
    return true;
  }
}

/** Cases and their history (the part of the case store the agreement and document rules use). */
export class MemoryCaseStore implements Pick<
  CaseStore,
  'getCase' | 'createCase' | 'setCaseData' | 'appendHistory' | 'hasHistory' | 'getHistory' | 'listHistory'
> {
  readonly cases = new Map<string, CaseRecord>();
  readonly history = new Map<string, HistoryEvent[]>();

  async getCase(caseId: string) {
    const found = this.cases.get(caseId);
    return found && copy(found);
  }
  async createCase(record: CaseRecord): Promise<'created' | 'exists'> {
    if (this.cases.has(record.caseId)) return 'exists';
    this.cases.set(record.caseId, copy(record));
    return 'created';
  }
  async setCaseData(caseId: string, values: Record<string, unknown>) {
    const found = this.cases.get(caseId);
    if (found) Object.assign(found.data, copy(values));
  }
  async appendHistory(event: HistoryEvent) {
    const list = this.history.get(event.caseId) ?? [];
    if (list.some((e) => e.eventKey === event.eventKey)) return false;
    list.push(copy(event));
    this.history.set(event.caseId, list);
    return true;
  }
  async hasHistory(caseId: string, eventKey: string) {
    return (this.history.get(caseId) ?? []).some((e) => e.eventKey === eventKey);
  }
  async getHistory(caseId: string, eventKey: string) {
    const found = (this.history.get(caseId) ?? []).find((e) => e.eventKey === eventKey);
    return found && copy(found);
  }
  async listHistory(caseId: string) {
    return (this.history.get(caseId) ?? []).map(copy);
  }
}

/** Documents once per purpose, bytes checked on every read. */
export class MemoryDocumentStore implements DocumentStore {
  readonly records = new Map<string, DocumentRecord>();
  readonly objects = new Map<string, Uint8Array>();

  async get(docId: string) {
    const found = this.records.get(docId);
    return found && copy(found);
  }
  async store(input: StoreDocumentInput) {
    const docId = docIdFor(input.purpose);
    const existing = this.records.get(docId);
    if (existing) return { record: copy(existing), created: false };
    const hash = sha256(input.bytes);
    const key = `dokumen/${input.caseId}/${input.kind}/${docId}-${hash}`;
    this.objects.set(key, new Uint8Array(input.bytes));
    const halaman = (input.pageImages ?? []).map((image, index) => {
      const imageHash = sha256(image.png);
      const imageKey = pageImageKey(key, index, imageHash);
      this.objects.set(imageKey, new Uint8Array(image.png));
      return { key: imageKey, sha256: imageHash, width: image.width, height: image.height };
    });
    const record = documentRecordOf(input, {
      key,
      sha256: hash,
      ...(input.data !== undefined
        ? { data: { sha256: sha256(JSON.stringify(input.data)) } }
        : input.dataOf?.dataSha256
          ? { data: { sha256: input.dataOf.dataSha256 } }
          : {}),
      halaman,
    });
    this.records.set(docId, record);
    return { record: copy(record), created: true };
  }
  async read(record: DocumentRecord) {
    const bytes = this.objects.get(record.key);
    if (!bytes || sha256(bytes) !== record.sha256)
      throw new SepakatError(ErrorNames.Tampered, `Dokumen ${record.docId} tidak sama dengan yang tercatat`);
    return new Uint8Array(bytes);
  }
  async readPageImage(record: DocumentRecord, index: number) {
    const image = record.halaman?.[index];
    if (!image) return undefined;
    const bytes = this.objects.get(image.key);
    if (!bytes || sha256(bytes) !== image.sha256)
      throw new SepakatError(ErrorNames.Tampered, `Gambar halaman ${index + 1} tidak sama dengan yang tercatat`);
    return new Uint8Array(bytes);
  }
  async listByCase(caseId: string) {
    return [...this.records.values()].filter((r) => r.caseId === caseId).map(copy);
  }
  async findBySha256(sha: string) {
    return [...this.records.values()].filter((r) => r.sha256 === sha).map(copy);
  }
  async listByNomor(nomor: string) {
    return [...this.records.values()].filter((r) => r.nomor === nomor).map(copy);
  }
  async downloadUrl(record: DocumentRecord, expiresSeconds = 300) {
    await this.read(record);
    return `memory://${record.bucket}/${record.key}?expires=${expiresSeconds}`;
  }
}

/**
 * A renderer without a browser: the "PDF" is the template name and its input as JSON, so a test sees exactly what
 * the rules asked to print. The input is still checked by the template's schema, as the real renderer does.
 */
export class JsonRenderer implements Renderer {
  readonly rendered: { template: string; data: unknown }[] = [];
  readonly printed: string[] = [];
  async render<N extends DocumentName>(template: N, data: DocumentInput<N>): Promise<RenderedDocument> {
    this.rendered.push({ template, data });
    const pdf = new TextEncoder().encode(JSON.stringify({ template, data }));
    return { pdf, sha256: sha256(pdf), pages: 1, templateVersion: `${template}@uji` };
  }
  async printHtml(html: string): Promise<Uint8Array> {
    this.printed.push(html);
    return new TextEncoder().encode(html);
  }
  /** One "image" per page: the PNG signature, then the SHA-256 of the PDF it shows (the rules only pass it on). */
  async pageImages(pdf: Uint8Array): Promise<PageImage[]> {
    const png = new Uint8Array([...PNG_SIGNATURE, ...new TextEncoder().encode(sha256(pdf))]);
    return [{ png, width: 1100, height: 1556 }];
  }
  /** An export "prints" as its name and view (JSON). */
  async printExport(name: string, view: unknown): Promise<Uint8Array> {
    const text = JSON.stringify({ export: name, view });
    this.printed.push(text);
    return new TextEncoder().encode(text);
  }
}

export class MemoryMailer implements Mailer {
  readonly sent: OutgoingMail[] = [];
  async send(mail: OutgoingMail) {
    // The local SES keeps a message once per Message-ID: so does this.
    if (!this.sent.some((m) => m.messageId === mail.messageId)) this.sent.push(copy(mail));
  }
}

export class MemoryScheduler implements Scheduler {
  readonly items = new Map<string, ScheduledItem>();
  readonly cancelled: string[] = [];
  async schedule(item: ScheduledItem): Promise<'created' | 'exists'> {
    if (this.items.has(item.key)) return 'exists';
    this.items.set(item.key, copy(item));
    return 'created';
  }
  async cancel(key: string) {
    if (this.items.delete(key)) this.cancelled.push(key);
  }
  /** Items due at `now`, earliest first. */
  due(now: Date): ScheduledItem[] {
    return [...this.items.values()].filter((i) => i.at <= now).sort((a, b) => a.at.getTime() - b.at.getTime());
  }
}

/** One pemda's register items: every write conditional, as on DynamoDB. */
export class MemoryRegisterItems implements RegisterItems {
  readonly counters = new Map<string, CounterAges>();
  readonly claims = new Map<string, Claim>();
  readonly texts = new Map<string, NumberTextItem>();
  readonly entries = new Map<string, RegisterEntry>();
  private seq = (series: string, year: number) => `${series}#${year}`;
  private place = (at: EntryAt) => `${this.seq(at.series, at.year)}#${at.sk}`;

  async take(series: string, year: number, at: string) {
    const k = this.seq(series, year);
    const counter = this.counters.get(k) ?? { last: 0 };
    const next = { ...counter, last: counter.last + 1, lastAt: at };
    this.counters.set(k, next);
    return next.last;
  }
  async getCounter(series: string, year: number) {
    const found = this.counters.get(this.seq(series, year));
    return found && copy(found);
  }
  async setObservations(series: string, year: number, seen: readonly CounterObservation[]) {
    const k = this.seq(series, year);
    this.counters.set(k, { ...(this.counters.get(k) ?? { last: 0 }), seen: copy(seen) });
  }
  async getClaim(key: string) {
    const found = this.claims.get(key);
    return found && copy(found);
  }
  async putClaim(claim: Claim) {
    if (this.claims.has(claim.key)) return false;
    this.claims.set(claim.key, copy(claim));
    return true;
  }
  async repointClaim(from: Claim, to: Claim) {
    const current = this.claims.get(from.key);
    if (!current || current.n !== from.n || current.year !== from.year || current.series !== from.series) return false;
    this.claims.set(from.key, copy(to));
    return true;
  }
  async getText(numberText: string) {
    const found = this.texts.get(numberText);
    return found && copy(found);
  }
  async putText(numberText: string, item: NumberTextItem) {
    if (this.texts.has(numberText)) return false;
    this.texts.set(numberText, copy(item));
    return true;
  }
  async listSrikandiTexts() {
    return [...this.texts.values()].filter((t) => t.source === 'srikandi').map(copy);
  }
  async getEntry(at: EntryAt) {
    const found = this.entries.get(this.place(at));
    return found && copy(found);
  }
  async putEntry(entry: RegisterEntry, sk: string) {
    const k = this.place({ series: entry.series, year: entry.year, sk });
    if (this.entries.has(k)) return false;
    this.entries.set(k, copy(entry));
    return true;
  }
  async updateEntry(at: EntryAt, sets: Record<string, unknown>, allowed: readonly RegisterStatus[]) {
    const entry = this.entries.get(this.place(at));
    if (!entry || !allowed.includes(entry.status)) return undefined;
    for (const [path, value] of Object.entries(sets)) {
      const parts = path.split('.');
      let target = entry as unknown as Record<string, unknown>;
      for (const part of parts.slice(0, -1)) target = (target[part] ??= {}) as Record<string, unknown>;
      target[parts[parts.length - 1]!] = copy(value);
    }
    return copy(entry);
  }
  async entryNumbers(series: string, year: number) {
    const prefix = `${this.seq(series, year)}#n#`;
    return [...this.entries.entries()].filter(([k]) => k.startsWith(prefix)).map(([, e]) => e.n);
  }
  async listEntries(
    series: string,
    year: number,
    page: { status?: RegisterStatus; limit: number; start?: Record<string, unknown> },
  ) {
    const prefix = `${this.seq(series, year)}#`;
    const keys = [...this.entries.keys()].filter((k) => k.startsWith(prefix) && !k.startsWith(`${prefix}#`)).sort();
    const from = typeof page.start?.after === 'string' ? keys.findIndex((k) => k > (page.start!.after as string)) : 0;
    const slice = from < 0 ? [] : keys.slice(from, from + page.limit);
    const items = slice.map((k) => this.entries.get(k)!).filter((e) => !page.status || e.status === page.status);
    const last = slice[slice.length - 1];
    const more = last !== undefined && keys.indexOf(last) < keys.length - 1;
    return { items: items.map(copy), ...(more ? { next: { after: last } } : {}) };
  }
}

/** Accepted uploads by key; a read checks the bytes against the hash recorded at acceptance. */
export class MemoryAcceptedFiles implements Pick<FileStore, 'readAccepted'> {
  readonly objects = new Map<string, Uint8Array>();
  async readAccepted(file: StoredFile, maxBytes: number) {
    const bytes = this.objects.get(`${file.bucket}/${file.key}`);
    if (!bytes) throw new SepakatError(ErrorNames.NotFound, `Berkas "${file.name}" tidak ada`);
    if (bytes.length > maxBytes) throw new SepakatError(ErrorNames.BadInput, `Berkas "${file.name}" terlalu besar`);
    return checkAccepted(file, new Uint8Array(bytes));
  }
}

/**
 * Signatures without a PKI: a "signature" is a trailer naming the official, appended as an incremental update would
 * be; a countersignature is the signed bytes plus a second such trailer. Enough for rules that decide who signs what.
 */
export class MemorySigner implements Signer {
  private readonly marker = (id: string) => `\n%tanda-tangan:${id}\n`;
  async describe(official: SigningOfficial): Promise<SignatureDescription> {
    return { name: official.nama, issuer: 'CA uji', development: true, kind: 'pengembangan' };
  }
  async readiness(): Promise<SigningReadiness> {
    return { provider: 'pengembangan', ready: true };
  }
  async requestTotp(): Promise<void> {
    throw new SepakatError(ErrorNames.BadInput, 'Penanda tangan ini tidak memakai TOTP');
  }
  async signPdf(pdf: Uint8Array, official: SigningOfficial) {
    return new Uint8Array([...pdf, ...new TextEncoder().encode(this.marker(official.id))]);
  }
  async countersignature(candidate: Uint8Array, signed: Uint8Array): Promise<Countersignature> {
    const prefix = candidate.length > signed.length && signed.every((b, i) => candidate[i] === b);
    if (!prefix) return { ok: false, reason: 'bukan pembaruan inkremental dari naskah yang ditandatangani' };
    const added = new TextDecoder().decode(candidate.subarray(signed.length));
    const match = /%tanda-tangan:([^\n]+)/.exec(added);
    return match
      ? { ok: true, signer: match[1]!, partnerChainTrusted: false }
      : { ok: false, reason: 'tidak ada tanda tangan kedua' };
  }
  /** Each trailer is a signature over the bytes before it. */
  async signatures(pdf: Uint8Array): Promise<PdfSignatureInfo[]> {
    const text = new TextDecoder('latin1').decode(pdf);
    return [...text.matchAll(/\n%tanda-tangan:([^\n]+)\n/g)].map((m) => ({
      signer: m[1]!,
      appliedToEnd: m.index,
      end: m.index + m[0].length,
      valid: true,
      development: true,
    }));
  }
}
