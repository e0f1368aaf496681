import { watch, type FSWatcher } from 'node:fs';
import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import type { StoredMail } from '../local/ses/local-ses.ts';

/**
 * An incremental reader of the local SES mailbox (`<dataDir>/mail/*.json`) for benchmarks with many cases.
 * `readMailbox` reads every stored message on each call (O(messages) per look); this reader reads each
 * message file once: inotify (fs.watch) names the new files as the local SES commits them (link() of the
 * `.json`), and a periodic listing of the directory catches anything the watch missed (an overflowed
 * inotify queue). Each message is handed on once, with when it was stored.
 */
export interface MailEvent {
  mail: StoredMail;
  /**
   * When the message was stored (epoch ms): the later of the local SES's `sentAt` (taken before it writes and
   * fsyncs) and the `.json` file's ctime (its commit by link(), at the kernel's timestamp granularity: a few ms).
   */
  storedAt: number;
  /** When this reader handed it on (epoch ms). */
  seenAt: number;
}

export class MailboxWatcher {
  readonly dir: string;
  private readonly seen = new Set<string>();
  private watcher: FSWatcher | undefined;
  private timer: NodeJS.Timeout | undefined;
  private scanning: Promise<void> | undefined;
  private stopped = false;
  private readonly pending = new Set<Promise<void>>();
  /** Files read, listings made: to show what the reader cost. */
  readonly counters = { filesRead: 0, listings: 0, watchEvents: 0 };

  constructor(
    dataDir: string,
    private readonly onMail: (event: MailEvent) => void,
    private readonly options: { rescanMs?: number } = {},
  ) {
    this.dir = path.join(dataDir, 'mail');
  }

  /** Starts watching; messages already stored are handed on as well (call before anything is sent). */
  async start(): Promise<void> {
    this.watcher = watch(this.dir, { persistent: false }, (_type, name) => {
      this.counters.watchEvents++;
      if (typeof name === 'string') this.consider(name);
    });
    this.watcher.on('error', () => undefined);
    await this.scan();
    const tick = () => {
      if (this.stopped) return;
      void this.scan().finally(() => {
        if (!this.stopped) this.timer = setTimeout(tick, this.options.rescanMs ?? 500);
      });
    };
    this.timer = setTimeout(tick, this.options.rescanMs ?? 500);
  }

  /** Lists the directory and reads the files not seen yet. */
  scan(): Promise<void> {
    this.scanning ??= (async () => {
      try {
        this.counters.listings++;
        for (const name of await readdir(this.dir)) this.consider(name);
        await this.settled();
      } finally {
        this.scanning = undefined;
      }
    })();
    return this.scanning;
  }

  /** Waits until every file named so far has been read and handed on. */
  async settled(): Promise<void> {
    while (this.pending.size) await Promise.allSettled([...this.pending]);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.watcher?.close();
    if (this.timer) clearTimeout(this.timer);
    await this.scanning;
    await this.settled();
  }

  private consider(name: string): void {
    if (!name.endsWith('.json') || name.startsWith('.') || this.seen.has(name)) return;
    this.seen.add(name);
    const job = this.read(name).finally(() => this.pending.delete(job));
    this.pending.add(job);
  }

  private async read(name: string): Promise<void> {
    const file = path.join(this.dir, name);
    let text: string;
    let ctimeMs: number;
    try {
      [text, { ctimeMs }] = await Promise.all([readFile(file, 'utf8'), stat(file)]);
    } catch (error) {
      // Named by a watch event that was not a creation (or not yet visible): the listing will find it.
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
        this.seen.delete(name);
        return;
      }
      throw error;
    }
    this.counters.filesRead++;
    const mail = JSON.parse(text) as StoredMail;
    const sentAt = Date.parse(mail.sentAt);
    this.onMail({ mail, storedAt: Math.max(sentAt, ctimeMs), seenAt: Date.now() });
  }
}

/** A FIFO whose `next()` waits for the next item. */
export class Channel<T> {
  private readonly items: T[] = [];
  private readonly waiters: { resolve: (item: T) => void; reject: (error: Error) => void; timer?: NodeJS.Timeout }[] =
    [];

  push(item: T): void {
    const waiter = this.waiters.shift();
    if (waiter) {
      if (waiter.timer) clearTimeout(waiter.timer);
      waiter.resolve(item);
    } else this.items.push(item);
  }

  next(timeoutMs: number, what: () => string): Promise<T> {
    const item = this.items.shift();
    if (item !== undefined) return Promise.resolve(item);
    return new Promise<T>((resolve, reject) => {
      const waiter: (typeof this.waiters)[number] = { resolve, reject };
      waiter.timer = setTimeout(() => {
        const i = this.waiters.indexOf(waiter);
        if (i >= 0) this.waiters.splice(i, 1);
        reject(new Error(`nothing arrived in ${timeoutMs} ms: ${what()}`));
      }, timeoutMs);
      this.waiters.push(waiter);
    });
  }

  get size(): number {
    return this.items.length;
  }
}

/** What a case's driver waits for. */
export type CaseMail =
  | { kind: 'task'; node: string; link: string; event: MailEvent }
  | { kind: 'end'; outcome: 'selesai' | 'ditolak' | 'dibatalkan'; event: MailEvent };

const CASE_ID = /\b(\d{8}-[a-z2-7]{10})\b/;

/**
 * Routes each stored message to the driver of its case: task emails ("Tugas baru: …", case from "Nomor kasus:")
 * and the case's end to `flow(caseId)`, confirmation codes ("Kode konfirmasi …", the code on a line of its own) to
 * `codes(caseId)`.
 * Channels are made on first use, so a message that arrives before its driver is waiting is kept.
 */
export class MailDispatcher {
  private readonly flows = new Map<string, Channel<CaseMail>>();
  private readonly codeChannels = new Map<string, Channel<{ code: string; event: MailEvent }>>();
  readonly counts = { total: 0, tasks: 0, codes: 0, ends: 0, other: 0 };

  constructor(private readonly taskLink: (mail: StoredMail) => string | undefined) {}

  flow(caseId: string): Channel<CaseMail> {
    let channel = this.flows.get(caseId);
    if (!channel) this.flows.set(caseId, (channel = new Channel()));
    return channel;
  }

  codes(caseId: string): Channel<{ code: string; event: MailEvent }> {
    let channel = this.codeChannels.get(caseId);
    if (!channel) this.codeChannels.set(caseId, (channel = new Channel()));
    return channel;
  }

  /** Hand every message of a MailboxWatcher here. */
  readonly deliver = (event: MailEvent): void => {
    const { mail } = event;
    this.counts.total++;
    const task = /^Tugas baru: (\S+)/.exec(mail.subject);
    if (task) {
      const caseId = /Nomor kasus: (\S+)/.exec(mail.text ?? '')?.[1];
      const link = this.taskLink(mail);
      if (caseId && link) {
        this.counts.tasks++;
        this.flow(caseId).push({ kind: 'task', node: task[1]!, link, event });
        return;
      }
    }
    if (/^Kode konfirmasi/.test(mail.subject)) {
      // The code stands on a line of its own in the body (older templates put it in the subject).
      const code = /^\s*(\d{6})\s*$/m.exec(mail.text ?? '')?.[1] ?? /: (\d{6})\b/.exec(mail.subject)?.[1];
      const caseId = CASE_ID.exec(mail.text ?? '')?.[1];
      if (code && caseId) {
        this.counts.codes++;
        this.codes(caseId).push({ code, event });
        return;
      }
    }
    const end = /^Permohonan (selesai|tidak dapat|dibatalkan)/.exec(mail.subject);
    if (end) {
      const caseId = CASE_ID.exec(mail.text ?? '')?.[1];
      if (caseId) {
        this.counts.ends++;
        const outcome = end[1] === 'selesai' ? 'selesai' : end[1] === 'dibatalkan' ? 'dibatalkan' : 'ditolak';
        this.flow(caseId).push({ kind: 'end', outcome, event });
        return;
      }
    }
    this.counts.other++;
  };
}
