import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { webUseCases } from '../functions/web-use-cases.ts';
import { PROJECT_ROOT } from '../local/runtime.ts';
import { driveNewCase, eventually, startTestRuntime } from './support/runtime.ts';

/** DynamoDB requests by command and table, counted on the real client's stack (the document clients share it). */
function countByTable(client: DynamoDBClient) {
  const counts = new Map<string, number>();
  /** Reads of each table by BatchGetItem (one request that reads several tables). */
  const itemReads = new Map<string, number>();
  const where = new Map<string, number>();
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const input = args.input as { TableName?: string; RequestItems?: Record<string, unknown> };
      // A BatchGetItem is one request, counted once; its items count as reads of each table they come from.
      const tables = input.RequestItems ? Object.keys(input.RequestItems) : [input.TableName ?? '-'];
      const key = `${context.commandName ?? '?'} ${tables[0]}`;
      counts.set(key, (counts.get(key) ?? 0) + 1);
      if (context.commandName === 'BatchGetItemCommand')
        for (const table of tables) itemReads.set(table, (itemReads.get(table) ?? 0) + 1);
      // DDB_WHERE=1: which use case sent each read (the first frames of the product's own code).
      if (process.env.DDB_WHERE && /^(GetItem|BatchGetItem|Query)/.test(key)) {
        Error.stackTraceLimit = 80;
        const frames = (new Error().stack ?? '')
          .split('\n')
          .filter((l) => l.includes(PROJECT_ROOT) && /\/(core|functions)\//.test(l) && !/adapters\//.test(l))
          .slice(0, 3)
          .map((l) => l.trim().replace(`${PROJECT_ROOT}/`, ''));
        const w = `${key} <- ${frames.join(' < ')}`;
        where.set(w, (where.get(w) ?? 0) + 1);
      }
      return next(args);
    },
    { step: 'deserialize', name: 'sepakatTestTableCounter', override: true },
  );
  return {
    of: (command: string, table?: string) =>
      [...counts]
        .filter(([k]) => k.startsWith(`${command} `) && (!table || k.endsWith(` ${table}`)))
        .reduce((s, [, n]) => s + n, 0),
    /** Reads of the items of `table`, by GetItem or within a BatchGetItem. */
    itemReadsOf: (table: string) => (counts.get(`GetItemCommand ${table}`) ?? 0) + (itemReads.get(table) ?? 0),
    total: () => [...counts.values()].reduce((s, n) => s + n, 0),
    reset: () => {
      counts.clear();
      itemReads.clear();
    },
    all: () => Object.fromEntries([...counts].sort()),
    where: () => Object.fromEntries([...where].sort((a, b) => b[1] - a[1])),
  };
}

/**
 * How many DynamoDB requests one Kota case costs, driven end to end through the public paths (uploads, emailed
 * links, GET the page then POST the form). The records read at the start of a path travel along it, and the whole case
 * stays under a fixed budget of requests.
 */
describe('DynamoDB requests of one case', () => {
  let rt: Awaited<ReturnType<typeof startTestRuntime>>;
  beforeAll(async () => {
    rt = await startTestRuntime();
  });
  afterAll(async () => rt?.cleanup());

  it('reads the case item a bounded number of times per activation and stays within the request budget', async () => {
    const counter = countByTable(rt.app.clients.dynamodb);
    const { intakeId, result } = await driveNewCase(rt, 'kota-penyusunan-kesepakatan-bersama', 90_000);
    expect(result.outcome).toBe('selesai');
    await eventually(async () => (await rt.app.store.getCase(intakeId))?.status === 'selesai');
    const activations = result.acted.length;
    const tables = rt.app.config;
    const caseReads = counter.itemReadsOf(tables.SEPAKAT_TABLE_CASES);
    const taskReads = counter.itemReadsOf(tables.SEPAKAT_TABLE_TASKS);
    const queries = counter.of('QueryCommand');
    const total = counter.total();
    console.log(
      JSON.stringify(
        {
          activations,
          caseReads,
          perActivation: caseReads / activations,
          taskReads,
          queries,
          total,
          all: counter.all(),
        },
        null,
        1,
      ),
    );
    if (process.env.DDB_WHERE) console.log(JSON.stringify(counter.where(), null, 1));
    expect(activations).toBeGreaterThan(10);
    // Before issue 17: 7.3 case reads per activation, 150 task reads, 939 requests for this case (intake included).
    // Measured after it: 4.2 case reads per activation (the GET page, the POST, the automatic work after a choice and
    // the rest: uploads, codes, the case's end), 86 task reads (a BatchGetItem's items included), 611 requests: the
    // automatic work reads in one BatchGetItem, and a task record is the fact of its opening and of its wait's entry.
    // Then 602: the task page and the code request take a signing task's shown document from the documents they list;
    // then 595 and 3.8 case reads per activation: an upload's presign reads the task alone.
    // Then 588 and 80 task reads: an opening reads the task before it only when a return, repeat or rejection (or an
    // entry that does not say: a new or resumed execution, a step with work before its wait) may have led there.
    expect(caseReads / activations).toBeLessThanOrEqual(4);
    expect(taskReads).toBeLessThanOrEqual(82);
    // Then 574: document work that reads the history anyway (a naskah's konsep, the naskah a signing page shows, a
    // paraf in the order of a hierarchy) takes the naskah version its decision chose from it, and a hierarchy's paraf
    // reads it once (580 with the completion package's lookups below). Left reading single history items: each email that
    // may have gone out before a retry, looked up right before it goes (the intake's, the completion package's five,
    // the case's end), and the end's own fact: 9 in this case.
    expect(total).toBeLessThanOrEqual(587);
    expect(counter.of('GetItemCommand', tables.SEPAKAT_TABLE_HISTORY)).toBeLessThanOrEqual(9);

    // Every document of the case was rendered by the functions that carry Chromium in AWS (openTask, document), in
    // their own process: none went through the render function, which only the http function uses.
    expect((await rt.app.documents.listByCase(intakeId)).length).toBeGreaterThan(5);
    expect(rt.renderInvocations).toEqual([]);

    // The task page's history: every fact but the emails, the activations and the openings, none of which it shows.
    const all = await rt.app.store.listHistory(intakeId);
    const cases = webUseCases(rt.app).cases;
    const shown = await cases.taskPageHistory(intakeId);
    const hidden = new Set(['email-terkirim', 'langkah-dimulai', 'tugas-dibuka']);
    expect(shown.map((e) => e.eventKey)).toEqual(all.filter((e) => !hidden.has(e.type)).map((e) => e.eventKey));
    // Fewer than half the facts of the case as people read it (with those its task records are).
    const complete = await cases.historyWithTasks(intakeId, await rt.app.store.listTasks({ caseId: intakeId }));
    expect(shown.length).toBeLessThan(complete.length / 2);
    expect(shown.some((e) => e.type === 'tugas-diputuskan')).toBe(true);
  }, 180_000);
});
