import {
  BatchGetItemCommand,
  BatchWriteItemCommand,
  DeleteItemCommand,
  GetItemCommand,
  PutItemCommand,
  QueryCommand as QueryItemsCommand,
  ScanCommand as ScanItemsCommand,
  UpdateItemCommand,
  type AttributeValue,
  type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import {
  BatchGetCommand,
  BatchWriteCommand,
  DeleteCommand,
  GetCommand,
  PutCommand,
  QueryCommand,
  ScanCommand,
  UpdateCommand,
  type BatchGetCommandOutput,
  type BatchWriteCommandOutput,
  type DeleteCommandOutput,
  type GetCommandOutput,
  type PutCommandOutput,
  type QueryCommandOutput,
  type ScanCommandOutput,
  type UpdateCommandOutput,
} from '@aws-sdk/lib-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';

type Native = Record<string, unknown>;
type Wire = Record<string, AttributeValue>;

/** Undefined members of an item are left out (lib-dynamodb's `removeUndefinedValues`), never an error. */
const MARSHALL = { removeUndefinedValues: true } as const;

const toWire = (value: Native | undefined): Wire | undefined =>
  value === undefined ? undefined : marshall(value, MARSHALL);
const toNative = (value: Wire | undefined): Native | undefined => (value === undefined ? undefined : unmarshall(value));

/** `base` with the members of `changes` that are defined (an absent member stays absent, not `undefined`). */
function withMembers<T extends object>(base: T, changes: Record<string, unknown>): T {
  const out: Record<string, unknown> = { ...(base as Record<string, unknown>) };
  for (const [key, value] of Object.entries(changes)) {
    if (value === undefined) delete out[key];
    else out[key] = value;
  }
  return out as T;
}

type AnyInput = Record<string, unknown> & {
  Key?: Native;
  Item?: Native;
  ExpressionAttributeValues?: Native;
  ExclusiveStartKey?: Native;
};
type AnyOutput = Record<string, unknown> & {
  Item?: Wire;
  Attributes?: Wire;
  Items?: Wire[];
  LastEvaluatedKey?: Wire;
};

const single = (input: AnyInput) =>
  withMembers(input, {
    Key: toWire(input.Key),
    Item: toWire(input.Item),
    ExpressionAttributeValues: toWire(input.ExpressionAttributeValues),
  });
const singleOut = (output: AnyOutput) =>
  withMembers(output, { Item: toNative(output.Item), Attributes: toNative(output.Attributes) });
const listing = (input: AnyInput) =>
  withMembers(input, {
    ExclusiveStartKey: toWire(input.ExclusiveStartKey),
    ExpressionAttributeValues: toWire(input.ExpressionAttributeValues),
  });
const listingOut = (output: AnyOutput) =>
  withMembers(output, {
    Items: output.Items?.map((item) => toNative(item)!),
    LastEvaluatedKey: toNative(output.LastEvaluatedKey),
  });

type KeysAndAttributes = { Keys?: Native[] } & Record<string, unknown>;
const batchKeys = <From, To>(
  requests: Record<string, KeysAndAttributes> | undefined,
  convert: (v: From) => To | undefined,
) =>
  requests &&
  Object.fromEntries(
    Object.entries(requests).map(([table, r]) => [
      table,
      withMembers(r, { Keys: r.Keys?.map((k) => convert(k as From)!) }),
    ]),
  );

type WriteRequest = { PutRequest?: { Item?: Native }; DeleteRequest?: { Key?: Native } };
const batchWrites = <From, To>(
  requests: Record<string, WriteRequest[]> | undefined,
  convert: (v: From) => To | undefined,
) =>
  requests &&
  Object.fromEntries(
    Object.entries(requests).map(([table, list]) => [
      table,
      list.map((r) => ({
        ...(r.PutRequest ? { PutRequest: { ...r.PutRequest, Item: convert(r.PutRequest.Item as From) } } : {}),
        ...(r.DeleteRequest
          ? { DeleteRequest: { ...r.DeleteRequest, Key: convert(r.DeleteRequest.Key as From) } }
          : {}),
      })),
    ]),
  );

interface Translation {
  command: new (input: never) => object;
  input(input: AnyInput): object;
  output(output: AnyOutput): object;
}

/**
 * How each document command is sent: the base command it becomes, and which members carry items, keys and values
 * (the same members lib-dynamodb translates). A command not listed here is refused, never sent untranslated.
 */
const TRANSLATIONS = new Map<object, Translation>([
  [GetCommand, { command: GetItemCommand, input: single, output: singleOut }],
  [PutCommand, { command: PutItemCommand, input: single, output: singleOut }],
  [UpdateCommand, { command: UpdateItemCommand, input: single, output: singleOut }],
  [DeleteCommand, { command: DeleteItemCommand, input: single, output: singleOut }],
  [QueryCommand, { command: QueryItemsCommand, input: listing, output: listingOut }],
  [ScanCommand, { command: ScanItemsCommand, input: listing, output: listingOut }],
  [
    BatchGetCommand,
    {
      command: BatchGetItemCommand,
      input: (input) =>
        withMembers(input, {
          RequestItems: batchKeys(input.RequestItems as Record<string, KeysAndAttributes>, toWire),
        }),
      output: (output) =>
        withMembers(output, {
          Responses:
            output.Responses &&
            Object.fromEntries(
              Object.entries(output.Responses as Record<string, Wire[]>).map(([table, items]) => [
                table,
                items.map((item) => toNative(item)!),
              ]),
            ),
          UnprocessedKeys: batchKeys(output.UnprocessedKeys as Record<string, KeysAndAttributes>, toNative),
        }),
    },
  ],
  [
    BatchWriteCommand,
    {
      command: BatchWriteItemCommand,
      input: (input) =>
        withMembers(input, { RequestItems: batchWrites(input.RequestItems as Record<string, WriteRequest[]>, toWire) }),
      output: (output) =>
        withMembers(output, {
          UnprocessedItems: batchWrites(output.UnprocessedItems as Record<string, WriteRequest[]>, toNative),
        }),
    },
  ],
]);

/**
 * The product's DynamoDB document client: it takes lib-dynamodb's commands (plain JavaScript items in and out) and
 * sends each as its base command through the one DynamoDB client of the process, whose middleware stack is resolved
 * once per command and kept (`cacheMiddleware`, functions/adapters/aws-clients.ts). lib-dynamodb's own document
 * client cannot share that cache (it refuses `cacheMiddleware`, as it adds its translation to each command's stack),
 * so the translation is done here, before and after the send, with util-dynamodb's marshall and unmarshall and
 * lib-dynamodb's options (undefined members removed; numbers as JavaScript numbers). What goes over the wire is the
 * same request.
 */
export class DocumentClient {
  constructor(readonly client: DynamoDBClient) {}

  send(command: GetCommand): Promise<GetCommandOutput>;
  send(command: PutCommand): Promise<PutCommandOutput>;
  send(command: UpdateCommand): Promise<UpdateCommandOutput>;
  send(command: DeleteCommand): Promise<DeleteCommandOutput>;
  send(command: QueryCommand): Promise<QueryCommandOutput>;
  send(command: ScanCommand): Promise<ScanCommandOutput>;
  send(command: BatchGetCommand): Promise<BatchGetCommandOutput>;
  send(command: BatchWriteCommand): Promise<BatchWriteCommandOutput>;
  async send(command: { input: object }): Promise<object> {
    const translation = TRANSLATIONS.get(command.constructor);
    if (!translation) throw new Error(`DocumentClient: ${command.constructor.name} is not supported`);
    const base = new translation.command(translation.input(command.input as AnyInput) as never);
    const output = await this.client.send(base as Parameters<DynamoDBClient['send']>[0]);
    return translation.output(output as unknown as AnyOutput);
  }
}
