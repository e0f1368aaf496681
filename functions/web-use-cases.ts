import { requireKey } from './config.ts';
import { CaseView } from '../core/case/case-view.ts';
import { printComparisonSheet } from '../core/naskah/comparison-sheet.ts';
import { MyTasks } from '../core/case/my-tasks.ts';
import type { App } from './app.ts';
import { sopVersions } from './adapters/catalog.ts';
import { Sessions } from './auth/session.ts';
import { loadCaseFacts, mediansOf, openCaseForecasts, reportOf, forecastCase } from './analytics/mutu-baku-forecast.ts';
import { registerCsv, registerPdfPrinted } from './documents/register-export.ts';
import { printSopDocument } from '../core/documents/sop-document.ts';
import { Verification, VERIFICATION_UPLOADS_PER_HOUR } from './documents/verification.ts';
import type { WebUseCases } from './handlers/web-context.ts';

/**
 * What the web routes see of the App: its use cases, never its stores, SDK clients or clock. The one place where
 * the web's use cases are wired to the App's ports (the Lambdas and the local runtime keep the whole App).
 */
export interface WebUseCaseOptions {
  /** The date certificate chains must be valid at on the verification page (default: the App's clock). */
  verificationClock?: { now(): Date };
}

/** How long the download link of a printed register PDF is valid. */
const REGISTER_PDF_LINK_SECONDS = 5 * 60;

export function webUseCases(app: App, options: WebUseCaseOptions = {}): WebUseCases {
  const clock = app.runtimeClock;
  const registerDeps = { register: (id: string) => app.register(id), catalog: app.catalog, clock };
  const useCases: Omit<WebUseCases, AppUseCase> = {
    sopVersions: () => sopVersions(app.catalog),
    sopDocument: (def) =>
      printSopDocument(
        // A GET (/konsol/sop/dokumen.pdf): rendered without a scratch object.
        { directory: (pemdaId) => app.catalog.pemda(pemdaId).directory.data, renderer: () => app.viewRenderer() },
        def,
      ),
    cases: new CaseView({
      store: app.store,
      documents: app.documents,
      files: app.files,
      clock,
      linkKey: () => requireKey(app.config, 'SEPAKAT_LINK_KEY'),
    }),
    myTasks: new MyTasks({
      store: app.store,
      runtime: app.runtime,
      actions: app.actions,
      calendar: (pemdaId) => app.catalog.pemda(pemdaId).calendar,
      clock,
      linkKey: () => requireKey(app.config, 'SEPAKAT_LINK_KEY'),
    }),
    sessions: new Sessions({
      key: requireKey(app.config, 'SEPAKAT_SESSION_KEY'),
      ttlSeconds: app.config.SEPAKAT_SESSION_TTL_MINUTES * 60,
      secure: app.config.SEPAKAT_PUBLIC_BASE_URL.startsWith('https:'),
      clock,
    }),
    verification: new Verification({
      documents: app.documents,
      register: (pemdaId) => app.register(pemdaId),
      keys: () => app.keys(),
      clock: options.verificationClock ?? clock,
      timeZone: (pemdaId) => app.catalog.pemda(pemdaId).directory.data.pemda.jamKerja.timeZone,
      maxUploadBytes: app.config.SEPAKAT_MAX_UPLOAD_BYTES,
      uploads: { files: app.files, bucket: app.config.SEPAKAT_BUCKET_DOCUMENTS },
      uploadLimit: {
        limiter: app.limiter,
        linkKey: () => requireKey(app.config, 'SEPAKAT_LINK_KEY'),
        perHour: VERIFICATION_UPLOADS_PER_HOUR,
      },
    }),
    naskahPreview: (record, content) => app.documentWork.previewPages(record, content),
    lembarPerbandingan: (input) =>
      printComparisonSheet(
        { store: app.store, pemda: (id) => app.catalog.pemda(id), renderer: () => app.renderer(), clock },
        input,
      ),
    registerEntry: (pemdaId, numberText) => app.register(pemdaId).get(numberText),
    registerExport: {
      csv: (input) => registerCsv(registerDeps, input),
      async pdf(input, fileName) {
        const printed = await registerPdfPrinted({ ...registerDeps, printer: app.exportPrinter }, input);
        return { url: await app.files.presignGet(printed.bucket, printed.key, fileName, REGISTER_PDF_LINK_SECONDS) };
      },
    },
    mutuBaku: {
      async report(pemdaId, filter) {
        const facts = await loadCaseFacts(app, pemdaId);
        return { facts, report: reportOf(app, facts, filter) };
      },
      openForecasts(facts, visible, pemdaId, sopId) {
        const now = clock.now();
        return openCaseForecasts(app, visible, mediansOf(app, facts, pemdaId, now), now, sopId);
      },
      forecastCase: (caseId) => forecastCase(app, caseId),
    },
  };
  return Object.assign(readAtEachUse(app, APP_USE_CASES), useCases);
}

/** The App's use cases the routes see as they are, read at each use (as routes read them before; tests replace some). */
const APP_USE_CASES = [
  'drafts',
  'config',
  'catalog',
  'templates',
  'runtime',
  'actions',
  'intake',
  'caseAdmin',
  'agreements',
  'archive',
  'completion',
  'identity',
  'calendars',
] as const;
type AppUseCase = (typeof APP_USE_CASES)[number];

/** An object whose `keys` are getters reading the App's current value of each. */
function readAtEachUse<K extends keyof App>(app: App, keys: readonly K[]): { readonly [P in K]: App[P] } {
  const view = {} as { readonly [P in K]: App[P] };
  for (const key of keys) Object.defineProperty(view, key, { get: () => app[key], enumerable: true });
  return view;
}
