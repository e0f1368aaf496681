import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterEach, describe, expect, it } from 'vitest';
import { actOnLink, driveCase, submitPermohonan, taskLinks } from '../cli/drive.ts';
import type { FaultPoint } from '../core/case/model.ts';
import { LOCAL_DEVELOPMENT_CREDENTIALS } from '../functions/app.ts';
import { DynamoDbDocumentStore } from '../functions/adapters/document-store.ts';
import { DynamoDbCaseStore } from '../functions/adapters/dynamodb-case-store.ts';
import { PROJECT_ROOT } from '../local/runtime.ts';
import { readMailbox } from '../local/ses/local-ses.ts';
import { loadSops } from '../functions/adapters/catalog.ts';
import { spawnRuntime as spawnChild, type ChildRuntime } from './support/child-runtime.ts';
import { eventually, PEMOHON, permohonanFor } from './support/runtime.ts';

/**
 * The local runtime is killed with SIGKILL at named points and started again on the same data directory: every
 * case resumes at its step, nothing is lost, nothing is done or sent twice.
 */
type Child = ChildRuntime;

const children: ChildProcess[] = [];
afterEach(() => {
  for (const c of children.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
});

async function spawnRuntime(dataDir: string, fault?: { point: FaultPoint; occurrence: number }): Promise<Child> {
  const child = await spawnChild(dataDir, fault ? { fault } : {});
  children.push(child.process);
  return child;
}

const storeAt = (endpoint: string) =>
  new DynamoDbCaseStore(
    new DynamoDBClient({ endpoint, region: 'ap-southeast-3', credentials: LOCAL_DEVELOPMENT_CREDENTIALS }),
    {
      cases: 'sepakat-kasus',
      tasks: 'sepakat-tugas',
      history: 'sepakat-riwayat',
    },
  );

/** Nothing repeated: one task email per activation, one decision per activation, every task reported. */
async function expectNothingRepeated(dataDir: string, store: DynamoDbCaseStore, caseId: string) {
  const mails = (await readMailbox(dataDir)).filter((m) => m.text?.includes(caseId));
  const taskMails = mails.filter((m) => m.subject.startsWith('Tugas baru'));
  const tasks = await store.listTasks({ caseId });
  expect(taskMails).toHaveLength(tasks.length);
  expect(new Set(mails.map((m) => m.headerMessageId)).size).toBe(mails.length);
  const history = await store.listHistory(caseId);
  const decided = history.filter((e) => e.type === 'tugas-diputuskan');
  expect(decided).toHaveLength(tasks.length);
  expect(new Set(decided.map((e) => e.seq)).size).toBe(decided.length);
  expect(tasks.every((t) => t.state === 'reported')).toBe(true);
  expect(mails.filter((m) => /^Permohonan diterima/.test(m.subject))).toHaveLength(1);
}

describe('a crash of the local runtime (SIGKILL) and a restart', () => {
  const SOP = 'fixture-kerja-sama-pihak-ketiga';

  async function scenario(
    fault: { point: FaultPoint; occurrence: number },
    beforeCrash: (child: Child, caseId: string, dataDir: string) => Promise<void>,
  ) {
    const dataDir = mkdtempSync(join(tmpdir(), 'sepakat-crash-'));
    try {
      const first = await spawnRuntime(dataDir, fault);
      const rtLike = await startTestRuntimeCatalog();
      const { intakeId } = await submitPermohonan(first, permohonanFor(rtLike, SOP));
      await beforeCrash(first, intakeId, dataDir);
      await first.exited;
      expect(first.process.signalCode).toBe('SIGKILL');

      const second = await spawnRuntime(dataDir);
      const store = storeAt(second.urls.dynamodb);
      const result = await driveCase({
        dataDir,
        caseId: intakeId,
        pemohonEmail: PEMOHON.email,
        timeoutMs: 60_000,
        alreadyDone: (node) => node === 'L1',
      });
      expect(result.outcome).toBe('selesai');
      expect(await eventually(async () => (await store.getCase(intakeId))?.status === 'selesai')).toBe(true);
      await expectNothingRepeated(dataDir, store, intakeId);
      second.process.kill('SIGTERM');
      await second.exited;
      return { intakeId, dataDir, result };
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  }

  it('replays a decision stored but not yet reported, without asking again', async () => {
    await scenario({ point: 'after-decision-stored', occurrence: 1 }, async (child, caseId, dataDir) => {
      const mail = await eventually(async () =>
        (await readMailbox(dataDir)).find((m) => m.subject.startsWith('Tugas baru: L1') && m.text?.includes(caseId)),
      );
      // The POST kills the runtime right after the decision is stored.
      await expect(actOnLink(taskLinks(mail)[0]!, () => ({ pilihan: 'lanjut' }), { dataDir })).rejects.toThrow();
      void child;
    });
  });

  it('finishes an automatic step it was killed in, once', async () => {
    const { intakeId, dataDir } = await scenarioKeep({ point: 'during-automatic-step', occurrence: 1 });
    void intakeId;
    void dataDir;
  });

  it('sends an email it was killed while sending exactly once', async () => {
    // Emails in order: receipt, the automatic notice before L1, the L1 task email (the 3rd send).
    await scenario({ point: 'while-email-sending', occurrence: 3 }, async () => undefined);
  });

  it('resumes a case killed right after it moved to the next step', async () => {
    await scenario({ point: 'after-cursor-moved', occurrence: 2 }, async (_child, caseId, dataDir) => {
      const mail = await eventually(async () =>
        (await readMailbox(dataDir)).find((m) => m.subject.startsWith('Tugas baru: L1') && m.text?.includes(caseId)),
      );
      await actOnLink(taskLinks(mail)[0]!, () => ({ pilihan: 'lanjut' }), { dataDir }).catch(() => undefined);
    });
  });

  it('signs the naskah once when killed between signing and storing it, with one number', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'sepakat-crash-'));
    try {
      const first = await spawnRuntime(dataDir, { point: 'after-document-signed', occurrence: 1 });
      const rtLike = await startTestRuntimeCatalog();
      const { intakeId } = await submitPermohonan(first, permohonanFor(rtLike, 'kota-penyusunan-kesepakatan-bersama'));
      // The Walikota's signature (L12.2, made in the POST of the task page) kills the runtime right after the PDF is
      // signed; the restarted runtime releases the claim, and the official's retry signs and stores it once.
      const stop = new AbortController();
      const driving = driveCase({
        dataDir,
        caseId: intakeId,
        pemohonEmail: PEMOHON.email,
        timeoutMs: 90_000,
        signal: stop.signal,
      }).catch(() => undefined);
      await first.exited;
      stop.abort();
      await driving;
      expect(first.process.signalCode).toBe('SIGKILL');
      const second = await spawnRuntime(dataDir);
      const result = await driveCase({
        dataDir,
        caseId: intakeId,
        pemohonEmail: PEMOHON.email,
        timeoutMs: 90_000,
        alreadyDone: () => true,
      });
      expect(result.outcome).toBe('selesai');
      const client = new DynamoDBClient({
        endpoint: second.urls.dynamodb,
        region: 'ap-southeast-3',
        credentials: LOCAL_DEVELOPMENT_CREDENTIALS,
      });
      const documents = new DynamoDbDocumentStore(client, undefined as never, 'sepakat-dokumen');
      const signed = (await documents.listByCase(intakeId)).filter((d) => d.kind === 'naskah-ditandatangani');
      expect(signed).toHaveLength(1);
      const store = storeAt(second.urls.dynamodb);
      const record = (await store.getCase(intakeId))!;
      expect(signed[0]!.nomor).toBe(record.data['nomor-naskah']);
      // One number for the naskah: the first of the year's series, nothing voided.
      expect(record.data['nomor-naskah']).toMatch(/^000\.5\.4\/001\/KS\/\d{4}$/);
      await expectNothingRepeated(dataDir, store, intakeId);
      second.process.kill('SIGTERM');
      await second.exited;
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  }, 240_000);

  /** The automatic-step scenario also checks the pemohon got the automatic notice exactly once. */
  async function scenarioKeep(fault: { point: FaultPoint; occurrence: number }) {
    const dataDir = mkdtempSync(join(tmpdir(), 'sepakat-crash-'));
    try {
      const first = await spawnRuntime(dataDir, fault);
      const rtLike = await startTestRuntimeCatalog();
      const { intakeId } = await submitPermohonan(first, permohonanFor(rtLike, SOP));
      await first.exited;
      expect(first.process.signalCode).toBe('SIGKILL');
      const second = await spawnRuntime(dataDir);
      const store = storeAt(second.urls.dynamodb);
      const result = await driveCase({ dataDir, caseId: intakeId, pemohonEmail: PEMOHON.email, timeoutMs: 60_000 });
      expect(result.outcome).toBe('selesai');
      await expectNothingRepeated(dataDir, store, intakeId);
      const notices = (await readMailbox(dataDir)).filter(
        (m) => m.subject.startsWith('Permohonan kerja sama diterima') && m.text?.includes(intakeId),
      );
      expect(notices).toHaveLength(1);
      second.process.kill('SIGTERM');
      await second.exited;
      return { intakeId, dataDir };
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  }
});

/** The permohonan builder reads the SOP's intake definition from the catalog. */
async function startTestRuntimeCatalog() {
  return {
    app: { catalog: { sops: loadSops([join(PROJECT_ROOT, 'sops'), join(PROJECT_ROOT, 'test/fixtures/sops')]) } },
  } as unknown as Parameters<typeof permohonanFor>[0];
}
