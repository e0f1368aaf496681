import type { TimeZone } from '../calendar/calendar-schema.ts';
import { ErrorNames, SepakatError } from '../errors.ts';
import {
  agedThrough,
  allocationKey,
  classifyHoles,
  formatNumber,
  keepObservations,
  noRegisterFaults,
  parseNumber,
  RegisterDatesSchema,
  SYSTEM_VOID_REASON,
  TAHUN_MAX,
  TAHUN_MIN,
  yearOf,
  type AllocateInput,
  type ListFilter,
  type NumberingConfig,
  type NumberRegister,
  type RegisterDates,
  type RegisterEntry,
  type RegisterFaults,
  type RegisterPage,
  type SrikandiInput,
  type SweepReport,
  type VoidCode,
} from './numbering.ts';
import type { Claim, EntryAt, NumberTextItem, RegisterItems } from './register-items.ts';

/**
 * The register of document numbers of one pemda: the rules, on the storage port `RegisterItems` (single-item
 * conditional writes only). DynamoDB: functions/adapters/register-store.ts (which also explains the item layout).
 *
 * ## Allocation (case + purpose → number)
 *
 *   (a) The claim of the key. Present → its number; go to (d).
 *   (b) Take n from the counter of (series, year), recording now in the same atomic update.
 *   (c) Put claim(key) = n, if absent. Lost (another writer bound the key first): void our n ("alokasi paralel
 *       ganda") and continue with theirs.
 *   (d) Put numberText(text of n) = (key, n), if absent (text uniqueness across series and SRIKANDI numbers); then
 *       Put entry(n), if absent. The entry is the only thing that makes n *given*: allocate returns a number only
 *       after its entry exists as `dicadangkan` with this key.
 *
 * Why no number is given twice: n comes from the counter once; it is bound to one key (only (b)'s writer binds
 * it, with a conditional put or a conditional re-point); entry(n) is written once and is read back before anything
 * is returned. Why none is lost: every n ≤ counter.last ends with exactly one entry — the allocation's own, or a void
 * written by the loser of (c), by a text collision, or by sweepHoles for a crash.
 *
 * A crash anywhere leaves one of: nothing (before b); a hole n with no claim (b→c): sweepHoles voids it once it
 * is older than the grace period; a claim without entry (c→d): a re-run of the key finishes (d) with the same n.
 *
 * ## sweepHoles and allocations in flight
 *
 * sweepHoles voids only holes known to be older than `olderThan` (agedThrough: every n ≤ last was taken at or before
 * counter.lastAt, and a sweep that finds young holes records an observation {last, at} that dates them for a later
 * sweep). Correctness does not rest on that timing: the void is a conditional put on entry(n), the same item the
 * allocator's step (d) writes, so exactly one of them wins. An allocator that finds its n voided never returns n: it
 * takes a fresh number and re-points its claim (conditional on the claim still naming the old n).
 *
 * ## SRIKANDI numbers
 *
 * Outside the sequence (no counter, no n# entry): the text is checked against the series' pattern, then its
 * number-text item is put if absent (the uniqueness fact, shared with the numbers this product gives), then the entry
 * `s#<text>` in the partition of the year the text carries. A crash between the two is repaired by a re-run with the
 * same case and purpose, or by sweepHoles (the number-text item holds the whole entry).
 */

const N_DIGITS = 9;
/** Re-points of one allocation before giving up (each needs a sweep or a collision in between: never in practice). */
const MAX_ATTEMPTS = 16;

const badInput = (message: string, code?: string) =>
  new SepakatError(ErrorNames.BadInput, message, code ? { code } : undefined);

/** The sort key of the entry of sequence number n. */
export const entrySk = (n: number) => `n#${String(n).padStart(N_DIGITS, '0')}`;

export interface RegisterOptions {
  pemdaId: string;
  numbering: NumberingConfig;
  clock: () => Date;
  /** The pemda's time zone: the year of a number is the local year (default WIB). */
  timeZone?: TimeZone;
  /** Crash points for tests. */
  faults?: RegisterFaults;
}

export class Register implements NumberRegister {
  protected readonly pemdaId: string;
  private readonly numbering: NumberingConfig;
  private readonly clock: () => Date;
  private readonly timeZone: TimeZone;
  private readonly faults: RegisterFaults;

  constructor(
    private readonly items: RegisterItems,
    options: RegisterOptions,
  ) {
    this.pemdaId = options.pemdaId;
    this.numbering = options.numbering;
    this.clock = options.clock;
    this.timeZone = options.timeZone ?? 'WIB';
    this.faults = options.faults ?? noRegisterFaults;
  }

  private pattern(series: string): string {
    const found = Object.hasOwn(this.numbering.series, series) ? this.numbering.series[series] : undefined;
    if (!found)
      throw badInput(
        `Seri penomoran "${series}" tidak dikenal; yang tersedia: ${Object.keys(this.numbering.series).join(', ')}`,
        'SeriTidakDikenal',
      );
    return found.pattern;
  }

  private now(): string {
    return this.clock().toISOString();
  }

  /** A void entry for a number nobody received. False when n already has an entry (then that one stands). */
  private voidUnreceived(
    series: string,
    year: number,
    n: number,
    code: Exclude<VoidCode, 'dibatalkan-petugas'>,
    owner?: { key: string; caseId: string; purpose: string },
  ): Promise<boolean> {
    const now = this.now();
    const entry: RegisterEntry = {
      pemdaId: this.pemdaId,
      series,
      year,
      n,
      numberText: formatNumber(this.pattern(series), n, year),
      status: 'dibatalkan',
      source: 'sepakat',
      ...(owner ?? {}),
      parties: [],
      dates: {},
      voidCode: code,
      voidReason: SYSTEM_VOID_REASON[code],
      voidedBy: 'sistem',
      reservedAt: now,
      voidedAt: now,
      updatedAt: now,
    };
    return this.items.putEntry(entry, entrySk(n));
  }

  // ─── allocation ──────────────────────────────────────────────────────────────────────────────────────────

  async allocate(input: AllocateInput): Promise<RegisterEntry> {
    const pattern = this.pattern(input.series);
    const key = allocationKey(input.caseId, input.purpose);
    const dates = parseDates(input.dates);
    const owner = { key, caseId: input.caseId, purpose: input.purpose };
    // Checked before a number is taken: a number taken and then not written would only be swept.
    if (
      input.year !== undefined &&
      !(Number.isInteger(input.year) && input.year >= TAHUN_MIN && input.year <= TAHUN_MAX)
    )
      throw badInput(`Tahun ${input.year} di luar ${TAHUN_MIN}–${TAHUN_MAX}`, 'TahunTidakValid');

    // (a) The key's number, if it has one.
    let claim = await this.items.getClaim(key);
    let fresh = false;
    if (claim) {
      if (claim.series !== input.series)
        throw badInput(
          `Keperluan "${input.purpose}" pada kasus ${input.caseId} sudah mendapat nomor ${claim.numberText} dari seri "${claim.series}"`,
          'SeriBerbeda',
        );
    } else {
      // (b) A new number from the counter.
      const year = input.year ?? yearOf(this.clock(), this.timeZone);
      const n = await this.items.take(input.series, year, this.now());
      await this.faults.point('after-counter', { key, series: input.series, year, n });
      const mine: Claim = {
        key,
        series: input.series,
        year,
        n,
        numberText: formatNumber(pattern, n, year),
        reservedAt: this.now(),
      };
      // (c) Bind it to the key.
      if (await this.items.putClaim(mine)) {
        claim = mine;
        fresh = true;
      } else {
        // A parallel allocation for the same key won: our n is nobody's. Void it, then finish theirs.
        await this.voidUnreceived(input.series, year, n, 'alokasi-paralel-ganda', owner);
        claim = await this.items.getClaim(key);
        if (!claim) throw new Error(`klaim ${key} hilang setelah gagal ditulis`);
      }
    }

    const details = { parties: input.parties ?? [], perihal: input.perihal, dates, by: input.by };
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      // (d) The key's number gets its text and its entry (a fresh claim has neither; skip the read).
      let entry = fresh
        ? undefined
        : await this.items.getEntry({ series: claim.series, year: claim.year, sk: entrySk(claim.n) });
      fresh = false;
      if (!entry) {
        await this.faults.point('after-claim', { key, series: claim.series, year: claim.year, n: claim.n });
        const text = await this.reserveText(claim);
        if (text === 'ours') {
          await this.faults.point('after-text', { key, series: claim.series, year: claim.year, n: claim.n });
          const now = this.now();
          const mine: RegisterEntry = {
            pemdaId: this.pemdaId,
            series: claim.series,
            year: claim.year,
            n: claim.n,
            numberText: claim.numberText,
            status: 'dicadangkan',
            source: 'sepakat',
            ...owner,
            parties: details.parties,
            ...(details.perihal !== undefined ? { perihal: details.perihal } : {}),
            dates: details.dates,
            ...(details.by !== undefined ? { by: details.by } : {}),
            reservedAt: claim.reservedAt,
            updatedAt: now,
          };
          if (await this.items.putEntry(mine, entrySk(claim.n))) return mine;
        } else {
          // The text is already someone else's (SRIKANDI, or a series whose pattern writes the same text).
          await this.voidUnreceived(claim.series, claim.year, claim.n, 'nomor-bentrok', owner);
        }
        entry = await this.items.getEntry({ series: claim.series, year: claim.year, sk: entrySk(claim.n) });
        if (!entry) throw new Error(`entri ${claim.numberText} tidak ada setelah ditulis`);
      }

      if (entry.key === key && entry.status !== 'dibatalkan') return entry;
      if (entry.status === 'dibatalkan' && entry.voidCode === 'dibatalkan-petugas' && entry.key === key)
        throw badInput(
          `Nomor ${entry.numberText} untuk keperluan "${input.purpose}" sudah dibatalkan (${entry.voidReason ?? 'tanpa alasan'}); ` +
            'minta nomor baru dengan keperluan lain.',
          'NomorDibatalkan',
        );
      if (
        entry.status === 'dibatalkan' &&
        (entry.voidCode === 'alokasi-terputus' || entry.voidCode === 'nomor-bentrok')
      ) {
        // Voided before we wrote its entry (a sweep after a stall, or a text collision): never returned to anyone.
        claim = await this.repoint(claim, input, pattern, owner);
        continue;
      }
      throw new Error(
        `invarian register dilanggar: nomor ${entry.numberText} tercatat untuk ${entry.key}, bukan ${key}`,
      );
    }
    throw new SepakatError(ErrorNames.Transient, `Alokasi nomor untuk ${key} belum selesai; coba lagi`);
  }

  /** The number text for a claim: 'ours' when it is (now) reserved for this claim, else who holds it. */
  private async reserveText(claim: Claim): Promise<'ours' | NumberTextItem> {
    const item: NumberTextItem = {
      source: 'sepakat',
      series: claim.series,
      year: claim.year,
      n: claim.n,
      key: claim.key,
      entrySk: entrySk(claim.n),
      createdAt: this.now(),
    };
    if (await this.items.putText(claim.numberText, item)) return 'ours';
    const holder = await this.items.getText(claim.numberText);
    if (!holder) throw new Error(`nomor ${claim.numberText} tidak ada setelah gagal ditulis`);
    const same =
      holder.source === 'sepakat' &&
      holder.key === claim.key &&
      holder.series === claim.series &&
      holder.year === claim.year &&
      holder.n === claim.n;
    return same ? 'ours' : holder;
  }

  /** The key's number was voided before it was given: a fresh number, bound with a conditional re-point. */
  private async repoint(
    from: Claim,
    input: AllocateInput,
    pattern: string,
    owner: { key: string; caseId: string; purpose: string },
  ): Promise<Claim> {
    const year = input.year ?? yearOf(this.clock(), this.timeZone);
    const n = await this.items.take(from.series, year, this.now());
    await this.faults.point('after-counter', { key: from.key, series: from.series, year, n });
    const to: Claim = { ...from, year, n, numberText: formatNumber(pattern, n, year), reservedAt: this.now() };
    if (await this.items.repointClaim(from, to)) return to;
    await this.voidUnreceived(from.series, year, n, 'alokasi-paralel-ganda', owner);
    const current = await this.items.getClaim(from.key);
    if (!current) throw new Error(`klaim ${from.key} hilang`);
    return current;
  }

  // ─── SRIKANDI ────────────────────────────────────────────────────────────────────────────────────────────

  async registerSrikandi(input: SrikandiInput): Promise<RegisterEntry> {
    const pattern = this.pattern(input.series);
    const parsed = parseNumber(pattern, input.numberText, { exampleYear: yearOf(this.clock(), this.timeZone) });
    if (!parsed.ok) throw badInput(parsed.error, 'FormatNomor');
    const key =
      input.caseId !== undefined && input.purpose !== undefined
        ? allocationKey(input.caseId, input.purpose)
        : undefined;
    const now = this.now();
    const entrySk = `s#${parsed.text}`;
    const entry: RegisterEntry = {
      pemdaId: this.pemdaId,
      series: input.series,
      year: parsed.year,
      n: parsed.n,
      numberText: parsed.text,
      status: 'srikandi',
      source: 'srikandi',
      ...(input.caseId !== undefined ? { caseId: input.caseId } : {}),
      ...(input.purpose !== undefined ? { purpose: input.purpose } : {}),
      ...(key !== undefined ? { key } : {}),
      parties: input.parties ?? [],
      ...(input.perihal !== undefined ? { perihal: input.perihal } : {}),
      dates: parseDates(input.dates),
      ...(input.by !== undefined ? { by: input.by } : {}),
      reservedAt: now,
      updatedAt: now,
    };
    const item: NumberTextItem = {
      source: 'srikandi',
      series: input.series,
      year: parsed.year,
      n: parsed.n,
      ...(key !== undefined ? { key } : {}),
      entrySk,
      createdAt: now,
      entry,
    };
    if (!(await this.items.putText(parsed.text, item))) {
      const holder = await this.items.getText(parsed.text);
      if (!holder) throw new Error(`nomor ${parsed.text} tidak ada setelah gagal ditulis`);
      const again = holder.source === 'srikandi' && key !== undefined && holder.key === key && holder.entry;
      if (!again)
        throw badInput(
          `Nomor ${parsed.text} sudah tercatat di register${describeHolder(holder)}; satu nomor tidak boleh dipakai dua kali.`,
          'NomorGanda',
        );
      // The same case and purpose entering the same number again: finish and return the first registration.
      await this.items.putEntry(holder.entry!, holder.entrySk);
      return (
        (await this.items.getEntry({ series: holder.series, year: holder.year, sk: holder.entrySk })) ?? holder.entry!
      );
    }
    if (!(await this.items.putEntry(entry, entrySk)))
      return (await this.items.getEntry({ series: entry.series, year: entry.year, sk: entrySk })) ?? entry;
    return entry;
  }

  // ─── changes of an entry ─────────────────────────────────────────────────────────────────────────────────

  /** Where the entry of a number text is: through its number-text item, else (a system void) its sequence. */
  private async locate(numberText: string): Promise<(EntryAt & { text?: NumberTextItem }) | undefined> {
    const text = numberText.replaceAll('\u00a0', ' ').trim();
    const item = await this.items.getText(text);
    if (item) return { series: item.series, year: item.year, sk: item.entrySk, text: item };
    for (const [series, { pattern }] of Object.entries(this.numbering.series)) {
      const parsed = parseNumber(pattern, text);
      if (!parsed.ok) continue;
      const at = { series, year: parsed.year, sk: entrySk(parsed.n) };
      const entry = await this.items.getEntry(at);
      if (entry?.numberText === text) return at;
    }
    return undefined;
  }

  private async mustLocate(numberText: string): Promise<EntryAt> {
    const at = await this.locate(numberText);
    if (!at)
      throw new SepakatError(ErrorNames.NotFound, `Nomor ${numberText} tidak ditemukan di register`, {
        code: 'NomorTidakDitemukan',
      });
    return at;
  }

  async markUsed(numberText: string, update: { dates?: RegisterDates; by?: string } = {}): Promise<RegisterEntry> {
    const at = await this.mustLocate(numberText);
    const dates = parseDates(update.dates);
    const now = this.now();
    const dateSets = Object.fromEntries(Object.entries(dates).map(([k, v]) => [`dates.${k}`, v]));
    const used = await this.items.updateEntry(
      at,
      {
        status: 'dipakai',
        usedAt: now,
        updatedAt: now,
        ...dateSets,
        ...(update.by !== undefined ? { usedBy: update.by } : {}),
      },
      ['dicadangkan'],
    );
    if (used) return used;
    const entry = await this.items.getEntry(at);
    if (!entry) throw new SepakatError(ErrorNames.NotFound, `Nomor ${numberText} tidak ditemukan di register`);
    if (entry.status === 'dibatalkan')
      throw badInput(
        `Nomor ${entry.numberText} sudah dibatalkan (${entry.voidReason ?? 'tanpa alasan'}) dan tidak dapat dipakai`,
        'NomorDibatalkan',
      );
    // Already used (a repeated step) or a SRIKANDI number: only dates given now are added.
    if (!Object.keys(dateSets).length) return entry;
    return (await this.items.updateEntry(at, { ...dateSets, updatedAt: now }, ['dipakai', 'srikandi'])) ?? entry;
  }

  async voidNumber(numberText: string, reason: string, by?: string): Promise<RegisterEntry> {
    const why = typeof reason === 'string' ? reason.trim() : '';
    if (!why) throw badInput('Alasan pembatalan nomor wajib diisi', 'AlasanKosong');
    const at = await this.mustLocate(numberText);
    const now = this.now();
    const voided = await this.items.updateEntry(
      at,
      {
        status: 'dibatalkan',
        voidCode: 'dibatalkan-petugas',
        voidReason: why,
        voidedAt: now,
        updatedAt: now,
        ...(by !== undefined ? { voidedBy: by } : {}),
      },
      ['dicadangkan', 'srikandi'],
    );
    if (voided) return voided;
    const entry = await this.items.getEntry(at);
    if (!entry) throw new SepakatError(ErrorNames.NotFound, `Nomor ${numberText} tidak ditemukan di register`);
    if (entry.status === 'dibatalkan') return entry; // already void: the first reason stands
    throw badInput(
      `Nomor ${entry.numberText} sudah dipakai pada naskah yang ditandatangani dan tidak dapat dibatalkan; ` +
        'catat adendum atau pengakhiran kerja samanya.',
      'NomorSudahDipakai',
    );
  }

  async setOriginalLocation(
    numberText: string,
    original: { location: string; copy: string; by?: string },
  ): Promise<RegisterEntry> {
    const location = original.location?.trim() ?? '';
    const copy = original.copy?.trim() ?? '';
    if (!location) throw badInput('Tempat penyimpanan naskah asli wajib diisi', 'TempatKosong');
    if (!copy)
      throw badInput('Keterangan rangkap naskah asli wajib diisi (misalnya "Asli PIHAK KESATU")', 'RangkapKosong');
    const at = await this.mustLocate(numberText);
    const now = this.now();
    const record = {
      location,
      copy,
      recordedAt: now,
      ...(original.by !== undefined ? { recordedBy: original.by } : {}),
    };
    const updated = await this.items.updateEntry(at, { original: record, updatedAt: now }, [
      'dicadangkan',
      'dipakai',
      'srikandi',
    ]);
    if (updated) return updated;
    throw badInput(`Nomor ${numberText} sudah dibatalkan; tidak ada naskah asli yang disimpan`, 'NomorDibatalkan');
  }

  // ─── reading ─────────────────────────────────────────────────────────────────────────────────────────────

  async get(numberText: string): Promise<RegisterEntry | undefined> {
    const at = await this.locate(numberText);
    if (!at) return undefined;
    const { text, ...place } = at;
    return (await this.items.getEntry(place)) ?? text?.entry;
  }

  async list(filter: ListFilter): Promise<RegisterPage> {
    if (filter.series !== undefined) this.pattern(filter.series); // an unknown series is BadInput
    const seriesList = filter.series !== undefined ? [filter.series] : Object.keys(this.numbering.series);
    let position = filter.cursor ? decodeCursor(filter.cursor) : { s: seriesList[0]!, k: undefined };
    if (!seriesList.includes(position.s)) throw badInput('Kursor halaman tidak valid', 'KursorTidakValid');
    const limit = Math.max(1, Math.min(filter.limit ?? 100, 1000));
    const items: RegisterEntry[] = [];
    for (;;) {
      const out = await this.items.listEntries(position.s, filter.year, {
        ...(filter.status ? { status: filter.status } : {}),
        limit: limit - items.length,
        ...(position.k ? { start: position.k } : {}),
      });
      items.push(...out.items);
      if (out.next) {
        position = { s: position.s, k: out.next };
        if (items.length >= limit) return { items, cursor: encodeCursor(position) };
        continue;
      }
      const next = seriesList[seriesList.indexOf(position.s) + 1];
      if (next === undefined) return { items };
      position = { s: next, k: undefined };
      if (items.length >= limit) return { items, cursor: encodeCursor(position) };
    }
  }

  /** Every entry matching the filter (all pages), for exports. */
  async listAll(filter: Omit<ListFilter, 'cursor' | 'limit'>): Promise<RegisterEntry[]> {
    const items: RegisterEntry[] = [];
    let cursor: string | undefined;
    do {
      const page = await this.list({ ...filter, limit: 1000, ...(cursor ? { cursor } : {}) });
      items.push(...page.items);
      cursor = page.cursor;
    } while (cursor);
    return items;
  }

  // ─── repair ──────────────────────────────────────────────────────────────────────────────────────────────

  async sweepHoles(options: { olderThan: Date; years?: number[] }): Promise<SweepReport> {
    const olderThanMs = options.olderThan.getTime();
    if (!Number.isFinite(olderThanMs)) throw badInput('olderThan bukan waktu yang valid');
    const thisYear = yearOf(this.clock(), this.timeZone);
    const years = options.years ?? [thisYear - 1, thisYear];
    const report: SweepReport = { sequences: 0, voided: [], young: 0, repaired: 0 };
    for (const series of Object.keys(this.numbering.series)) {
      for (const year of years) {
        const counter = await this.items.getCounter(series, year);
        // Read after the consistent read returned: every n ≤ counter.last was taken before this instant.
        const observedAt = this.now();
        if (!counter?.last) continue;
        report.sequences++;
        const present = await this.items.entryNumbers(series, year);
        const holes = classifyHoles(counter.last, new Set(present), agedThrough(counter, olderThanMs));
        report.young += holes.young.length;
        for (const n of holes.old) {
          // Conditional on entry(n) being absent: if the allocator writes it first, its entry stands.
          if (await this.voidUnreceived(series, year, n, 'alokasi-terputus'))
            report.voided.push({ series, year, n, numberText: formatNumber(this.pattern(series), n, year) });
        }
        // Young holes are dated by this observation for a later sweep (a busy counter's lastAt never gets old).
        if (holes.young.length) {
          const seen = keepObservations(counter.seen ?? [], { last: counter.last, at: observedAt }, olderThanMs);
          await this.items.setObservations(series, year, seen);
        }
      }
    }
    // SRIKANDI numbers whose entry was never written (a crash between their two puts).
    const srikandi = await this.items.listSrikandiTexts();
    for (const item of srikandi) {
      if (!item.entry || Date.parse(item.createdAt) > olderThanMs) continue;
      if (await this.items.putEntry(item.entry, item.entrySk)) report.repaired++;
    }
    return report;
  }
}

// ─── helpers ───────────────────────────────────────────────────────────────────────────────────────────────

function parseDates(dates: RegisterDates | undefined): RegisterDates {
  if (dates === undefined) return {};
  const parsed = RegisterDatesSchema.safeParse(dates);
  if (!parsed.success)
    throw badInput(
      `Tanggal tidak valid: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
      'TanggalTidakValid',
    );
  return parsed.data;
}

function describeHolder(holder: NumberTextItem): string {
  if (holder.source === 'srikandi') {
    const kasus = holder.entry?.caseId ? `, kasus ${holder.entry.caseId}` : '';
    return ` (dari SRIKANDI${kasus})`;
  }
  const caseId = holder.key?.slice(0, holder.key.indexOf('#'));
  return ` (nomor dari Sepakat, seri "${holder.series}"${caseId ? `, kasus ${caseId}` : ''})`;
}

interface Cursor {
  s: string;
  k: Record<string, unknown> | undefined;
}

function encodeCursor(cursor: Cursor): string {
  return Buffer.from(JSON.stringify(cursor), 'utf8').toString('base64url');
}

function decodeCursor(text: string): Cursor {
  try {
    const value = JSON.parse(Buffer.from(text, 'base64url').toString('utf8')) as Cursor;
    if (typeof value?.s !== 'string') throw new Error('s');
    return value;
  } catch {
    throw badInput('Kursor halaman tidak valid', 'KursorTidakValid');
  }
}
