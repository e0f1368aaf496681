import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startLocalDynamoDb, ensureTables, localDynamoClientConfig } from '../local/dynamodb/local-dynamodb.ts';
import { DynamoDbCaseStore } from '../functions/adapters/dynamodb-case-store.ts';
import { tableDefinitions } from '../functions/adapters/tables.ts';
import { mapLimit } from './stats.ts';
const dir = mkdtempSync(join(tmpdir(), 'x-'));
const db = await startLocalDynamoDb({ dataDir: dir });
const client = new DynamoDBClient(localDynamoClientConfig(db.endpoint));
const names = { cases: 'sepakat-kasus', tasks: 'sepakat-tugas', history: 'sepakat-riwayat' };
await ensureTables(client, tableDefinitions(names));
const store = new DynamoDbCaseStore(client, names);
const N = 1500;
async function measure(label: string, op: (i: number) => Promise<unknown>, n = N) {
  await mapLimit(Array.from({ length: 100 }), 20, (_, i) => op(i) as Promise<void>);
  const c0 = process.cpuUsage(); const t0 = performance.now();
  await mapLimit(Array.from({ length: n }), 20, (_, i) => op(i) as Promise<void>);
  const cpu = process.cpuUsage(c0); const wall = performance.now() - t0;
  console.log(`${label.padEnd(34)} ${((cpu.user + cpu.system) / 1000 / n).toFixed(2)} ms CPU/op  ${(wall / n).toFixed(2)} ms wall/op`);
}
const hist = (caseId: string, k: number) => ({ caseId, eventKey: `${String(k).padStart(5, '0')}#masuk`, type: 'langkah-dimulai' as const, at: new Date().toISOString(), node: 'L1', stepId: 'L1', seq: k, visit: 1, who: { id: 'x', nama: 'Nama Pejabat', jabatan: 'Jabatan' }, detail: { a: 'b'.repeat(100) } });
await measure('PutItem (history)', (i) => store.appendHistory(hist(`c${i % 200}`, 100000 + i)));
await measure('GetItem (history, hasHistory)', (i) => store.hasHistory(`c${i % 200}`, `${String(100000 + i).padStart(5,'0')}#masuk`));
for (const k of [10, 50, 100]) {
  for (let j = 0; j < k; j++) await store.appendHistory(hist(`q${k}`, j));
  await measure(`Query listHistory (${k} items)`, () => store.listHistory(`q${k}`), 400);
}
await db.close(); client.destroy(); rmSync(dir, { recursive: true, force: true });
