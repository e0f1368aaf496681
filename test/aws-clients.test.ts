import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { awsClients, documentClientOf } from '../functions/adapters/aws-clients.ts';
import { DynamoDbRateLimiter } from '../functions/adapters/intake-store.ts';
import { buildApp } from '../functions/app.ts';
import { startTestRuntime } from './support/runtime.ts';

/** One set of SDK clients per configuration in a process, one document client per DynamoDB client. */
describe('the AWS SDK clients of a process', () => {
  let rt: Awaited<ReturnType<typeof startTestRuntime>>;
  beforeAll(async () => {
    rt = await startTestRuntime();
  });
  afterAll(async () => rt?.cleanup());

  it('gives a second app of the same configuration the same clients, and another configuration its own', () => {
    const again = buildApp(rt.app.config);
    expect(again.clients.dynamodb).toBe(rt.app.clients.dynamodb);
    expect(again.clients.s3).toBe(rt.app.clients.s3);
    expect(again.clients.sfn).toBe(rt.app.clients.sfn);
    expect(again.clients.ses).toBe(rt.app.clients.ses);
    const settings = { region: rt.app.config.SEPAKAT_REGION, endpoints: { dynamodb: 'http://127.0.0.1:1' } };
    const other = awsClients(settings);
    expect(other.dynamodb).not.toBe(rt.app.clients.dynamodb);
    expect(awsClients(settings)).toBe(other);
    // The Lambda client is made on first use, once.
    expect(other.lambda()).toBe(other.lambda());
  });

  it('keeps one document client per DynamoDB client, whose marshalling no other adapter can switch off', async () => {
    const client = rt.app.clients.dynamodb;
    expect(documentClientOf(client)).toBe(documentClientOf(client));
    // Made after the case store: before, its own DynamoDBDocumentClient.from(client) reset the marshalling options
    // the case store shares, and an undefined value inside a map was refused.
    new DynamoDbRateLimiter(client, rt.app.config.SEPAKAT_TABLE_LIMITS);
    const written = await rt.app.store.appendHistory({
      caseId: 'klien-uji',
      eventKey: 'uji#tak-terdefinisi',
      type: 'langkah-dimulai',
      at: new Date().toISOString(),
      detail: { dicatat: 'ya', kosong: undefined },
    } as Parameters<typeof rt.app.store.appendHistory>[0]);
    expect(written).toBe(true);
    const stored = await rt.app.store.getHistory('klien-uji', 'uji#tak-terdefinisi');
    expect(stored?.eventKey).toBe('uji#tak-terdefinisi');
    expect(stored?.detail).toEqual({ dicatat: 'ya' });
  });
});
