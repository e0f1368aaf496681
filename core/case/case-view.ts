import type { DocumentRecord } from '../documents/document-record.ts';
import type { FileStore } from '../files/accepted-files.ts';
import type { DocumentStore } from '../ports.ts';
import { readTrackingToken, taskIdFor } from './capabilities.ts';
import { recordDownload, type DownloadFact } from './downloads.ts';
import { withTaskFacts } from './task-facts.ts';
import type { CaseRecord, CaseStore, Clock, HistoryEvent, HistoryType, StoredFile, TaskRecord } from './model.ts';

/** The facts a task page never shows nor derives anything from (see `CaseView.taskPageHistory`). */
const NOT_ON_TASK_PAGES: readonly HistoryType[] = ['email-terkirim', 'langkah-dimulai', 'tugas-dibuka'];

/** The history a task page derives what it shows from (`CaseView.taskPageHistory`): one Query, filtered. */
export function taskPageHistory(store: Pick<CaseStore, 'listHistory'>, caseId: string): Promise<HistoryEvent[]> {
  return store.listHistory(caseId, { without: NOT_ON_TASK_PAGES });
}

/**
 * What the web pages read of cases, and the logged links they hand out: the case pages of the console and the
 * archive, the task pages, the pemohon's tracking page. Reads only, except `documentLink` and `fileLink`, which are
 * acts (a POST asked for them) and write the download fact. On the ports: the case store, the document store, the
 * accepted files, the clock. Routes call these; they never reach a store.
 */
export interface CaseViewDeps {
  store: Pick<
    CaseStore,
    'getCase' | 'getTask' | 'listTasks' | 'listHistory' | 'listCasesOfPemda' | 'listTasksOfCases' | 'appendHistory'
  >;
  documents: Pick<DocumentStore, 'get' | 'listByCase' | 'downloadUrl'>;
  files: Pick<FileStore, 'acceptedFileUrl'>;
  clock: Clock;
  /** The action-link key (HMAC of links and task ids); throws where this function was given none. */
  linkKey: () => Buffer;
}

/** A download asked for: who, what, through which page (`DownloadFact` without the case and link lifetime). */
export type DownloadAsked = Omit<DownloadFact, 'caseId' | 'seconds'>;

export class CaseView {
  constructor(private readonly deps: CaseViewDeps) {}

  /** The product's time, for what a page shows against it (due, overdue, this year): the Clock port. */
  now(): Date {
    return this.deps.clock.now();
  }

  case(caseId: string): Promise<CaseRecord | undefined> {
    return this.deps.store.getCase(caseId);
  }

  task(taskId: string): Promise<TaskRecord | undefined> {
    return this.deps.store.getTask(taskId);
  }

  tasks(caseId: string): Promise<TaskRecord[]> {
    return this.deps.store.listTasks({ caseId });
  }

  /** The facts of a case's history table: what the pages that show decisions, files and closings read. */
  history(caseId: string): Promise<HistoryEvent[]> {
    return this.deps.store.listHistory(caseId);
  }

  /**
   * A case's whole history as people read it (the console's case page and its timeline): its history table's facts
   * and the facts its task records are (`withTaskFacts`: the tasks opened, the activations their waits entered).
   */
  async historyWithTasks(caseId: string, tasks: readonly TaskRecord[]): Promise<HistoryEvent[]> {
    return withTaskFacts(await this.deps.store.listHistory(caseId), tasks);
  }

  /**
   * The history a task page derives what it shows from (its file list, the decisions and their disposisi, the naskah
   * and its changes, a signature's unknown outcome): without the emails, the activations entered and the tasks opened,
   * which it never shows (most of a case's facts; the console's case page shows them).
   */
  taskPageHistory(caseId: string): Promise<HistoryEvent[]> {
    return taskPageHistory(this.deps.store, caseId);
  }

  /** The history tables' facts of several cases, one after the other (without the facts of their task records). */
  async histories(caseIds: readonly string[]): Promise<HistoryEvent[]> {
    return (await Promise.all(caseIds.map((c) => this.deps.store.listHistory(c)))).flat();
  }

  /** One pemda's cases, oldest first (its index: never the whole table). */
  casesOfPemda(pemdaId: string): Promise<CaseRecord[]> {
    return this.deps.store.listCasesOfPemda(pemdaId);
  }

  /** The tasks of each of these cases, by case id. */
  tasksOfCases(caseIds: readonly string[]): Promise<Map<string, TaskRecord[]>> {
    return this.deps.store.listTasksOfCases(caseIds);
  }

  /** The documents the product stored for a case. */
  documents(caseId: string): Promise<DocumentRecord[]> {
    return this.deps.documents.listByCase(caseId);
  }

  document(docId: string): Promise<DocumentRecord | undefined> {
    return this.deps.documents.get(docId);
  }

  /**
   * The case a tracking capability opens: its MAC right and its version the case's current one; undefined for
   * anything else (altered, made up, replaced by a newer link, or no such case).
   */
  async tracked(capability: string): Promise<CaseRecord | undefined> {
    const found = readTrackingToken(this.deps.linkKey(), capability);
    const record = found && (await this.deps.store.getCase(found.caseId));
    return found && record && (record.trackingVersion ?? 1) === found.version ? record : undefined;
  }

  /** The task of the activation an active case is at, if it waits on a person. */
  async currentTask(record: CaseRecord): Promise<TaskRecord | undefined> {
    if (!record.cursor) return undefined;
    return this.deps.store.getTask(taskIdFor(this.deps.linkKey(), record.caseId, record.cursor.seq));
  }

  /**
   * A short-lived link to a stored document, made from bytes whose hash was checked, then the download recorded in
   * the case history.
   */
  async documentLink(
    record: DocumentRecord,
    seconds: number,
    asked: DownloadAsked,
    disposition?: 'attachment' | 'inline',
  ): Promise<string> {
    const url = await this.deps.documents.downloadUrl(record, seconds, ...(disposition ? [disposition] : []));
    await recordDownload(this.deps, { ...asked, caseId: record.caseId, seconds });
    return url;
  }

  /**
   * A short-lived link to a document that belongs to no case (the annual report of a pemda's agreements): nothing
   * to record in a case history.
   */
  reportLink(record: DocumentRecord, seconds: number): Promise<string> {
    return this.deps.documents.downloadUrl(record, seconds);
  }

  /** A short-lived link to an accepted file of a case (its hash checked), then the download recorded. */
  async fileLink(
    caseId: string,
    file: StoredFile,
    seconds: number,
    asked: DownloadAsked,
    disposition?: 'attachment' | 'inline',
  ): Promise<string> {
    const url = await this.deps.files.acceptedFileUrl(file, seconds, ...(disposition ? [disposition] : []));
    await recordDownload(this.deps, { ...asked, caseId, seconds });
    return url;
  }
}
