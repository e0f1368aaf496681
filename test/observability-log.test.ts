import { afterEach, describe, expect, it, vi } from 'vitest';
import type { App } from '../functions/app.ts';
import { stepTaskHandlers } from '../functions/handlers/step-task-handlers.ts';
import { createLog } from '../functions/observability/log.ts';

/** What a handler's failure prints on stdout and stderr (Powertools writes JSON lines there, errors to stderr). */
async function outputOf(run: () => Promise<unknown>): Promise<{ printed: string; thrown: unknown }> {
  const chunks: string[] = [];
  const capture = (chunk: string | Uint8Array) => {
    chunks.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
    return true;
  };
  const spies = [
    vi.spyOn(process.stdout, 'write').mockImplementation(capture),
    vi.spyOn(process.stderr, 'write').mockImplementation(capture),
  ];
  let thrown: unknown;
  try {
    await run();
  } catch (error) {
    thrown = error;
  } finally {
    for (const spy of spies) spy.mockRestore();
  }
  return { printed: chunks.join(''), thrown };
}

const TASK_TOKEN = 'AQCEAAAAKgAAAAMAAAAAAAAAAR-rahasia-token-tugas';
const LINK = 'https://sepakat.example.go.id/tugas/t123.1.p9.abcdefmac';

describe('structured logs', () => {
  afterEach(() => vi.restoreAllMocks());

  it('logs a step handler’s failure as JSON with caseId and step, and no task token or link', async () => {
    // Arrange: a use case that fails with a message carrying a link (as a careless error might)
    const failing = new Error(`Email tugas gagal dikirim (${LINK})`);
    failing.name = 'Transient';
    const app = {
      runtime: {
        openTask: () => Promise.reject(failing),
      },
      calendars: { refresh: async () => undefined },
    } as unknown as App;
    const handlers = stepTaskHandlers(app, createLog({ serviceName: 'sepakat-uji' }));
    const event = {
      caseId: '20261123-abcdefghij',
      node: 'L3',
      seq: 4,
      taskToken: TASK_TOKEN,
      executionArn: 'arn:aws:states:ap-southeast-3:000000000000:execution:kb:x',
    };

    // Act
    const { printed, thrown } = await outputOf(() => handlers.openTask(event));

    // Assert: the error is rethrown unchanged (Retry/Catch see its name), and one JSON line says what failed
    expect(thrown).toBe(failing);
    const lines = printed.trim().split('\n');
    expect(lines).toHaveLength(1);
    const entry = JSON.parse(lines[0]!) as Record<string, unknown>;
    expect(entry).toMatchObject({
      level: 'ERROR',
      message: 'openTask gagal',
      service: 'sepakat-uji',
      caseId: '20261123-abcdefghij',
      step: 'L3',
      seq: 4,
      handler: 'openTask',
    });
    expect(entry['error']).toMatchObject({ name: 'Transient' });
    expect(printed).not.toContain(TASK_TOKEN);
    expect(printed).not.toContain('sepakat.example.go.id');
    expect(printed).not.toContain('/tugas/');
    expect(printed).not.toContain('executionArn');
    expect(printed).toContain('[tautan]');
  });

  it('prints one readable line per entry on the local runtime, with keys and the request id', () => {
    // Arrange
    const lines: string[] = [];
    const log = createLog({ format: 'line', write: (line) => void lines.push(line) });

    // Act
    log.addContext({ awsRequestId: 'req-1' });
    log.with({ caseId: 'k-1' }).info('langkah dimasuki', { step: 'L2', catatan: 'dua kata' });
    log.error('gagal', { step: 'L2', error: new Error(`lihat ${LINK}`) });
    log.debug('tidak tercetak');

    // Assert
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(
      /^\d\d:\d\d:\d\d INFO langkah dimasuki requestId=req-1 caseId=k-1 step=L2 catatan="dua kata"$/,
    );
    expect(lines[1]).toMatch(/^\d\d:\d\d:\d\d ERROR gagal requestId=req-1 step=L2 error="Error: lihat \[tautan\]"$/);
  });

  it('keeps only plain values as keys: an object passed by mistake is not printed', () => {
    const lines: string[] = [];
    const log = createLog({ format: 'line', write: (line) => void lines.push(line) });

    log.error('gagal', { caseId: 'k-2', body: { nama: 'Budi', nik: '3201' } });

    expect(lines[0]).toMatch(/ERROR gagal caseId=k-2$/);
    expect(lines[0]).not.toContain('Budi');
  });
});
