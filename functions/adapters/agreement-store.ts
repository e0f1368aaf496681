import type { CreateTableCommandInput, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { DocumentClient } from './document-client.ts';
import { documentClientOf } from './aws-clients.ts';
import type { Transition } from '../../core/agreement/lifecycle.ts';
import type { AgreementRecord, Usulan } from '../../core/agreement/agreement-model.ts';
import type { ItemSubmission, MonitoringItem, RekapFact } from '../../core/agreement/monitoring-item.ts';
import type { AgreementStore } from '../../core/ports.ts';
import { conditionally, guarded, queryAll } from './dynamodb-guard.ts';
import { tableDefinition } from './tables.ts';

/**
 * The agreements table (`sepakat-perjanjian`): generic keys `pk` / `sk` and one sparse index. Every write is one
 * conditional write; nothing needs a transaction.
 *
 * | item                     | pk                       | sk        | what                                                |
 * | ------------------------ | ------------------------ | --------- | --------------------------------------------------- |
 * | agreement                | `perjanjian#<pemdaId>`   | `<nomor>` | the AgreementRecord (status, version, links)        |
 * | report or monev          | `pantau#<itemId>`        | `#`       | one obligation: who owes it, its link, what came in |
 * | annual report            | `rekap#<pemdaId>`        | `<tahun>` | the fact that the year's report was made and sent   |
 *
 * The index `byAgreement` (`perjanjian` = `<pemdaId>#<nomor>`, `urut`) lists an agreement's reports and monev; a
 * link is read by its item id with a consistent GetItem.
 */
export type {
  ItemPerson,
  ItemState,
  ItemSubmission,
  MonitoringItem,
  RekapFact,
} from '../../core/agreement/monitoring-item.ts';

export const AGREEMENT_INDEX = 'byAgreement';

export const agreementTableDefinition = (tableName: string): CreateTableCommandInput =>
  tableDefinition(tableName, { key: ['pk', 'sk'], indexes: { [AGREEMENT_INDEX]: ['perjanjian', 'urut'] } });

const agreementKey = (pemdaId: string, nomor: string) => ({ pk: `perjanjian#${pemdaId}`, sk: nomor });
const itemKey = (itemId: string) => ({ pk: `pantau#${itemId}`, sk: '#' });

function strip<T>(item: Record<string, unknown> | undefined): T | undefined {
  if (!item) return undefined;
  const { pk: _pk, sk: _sk, perjanjian: _p, urut: _u, ...rest } = item;
  return rest as T;
}

export class DynamoDbAgreementStore implements AgreementStore {
  private readonly doc: DocumentClient;

  constructor(
    client: DynamoDBClient,
    private readonly table: string,
  ) {
    this.doc = documentClientOf(client);
  }

  /** Registers an agreement unless its number is registered in the pemda. */
  async create(record: AgreementRecord): Promise<'created' | 'exists'> {
    const created = await conditionally(() =>
      this.doc.send(
        new PutCommand({
          TableName: this.table,
          Item: { ...agreementKey(record.pemdaId, record.nomor), ...record },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      ),
    );
    return created ? 'created' : 'exists';
  }

  async get(pemdaId: string, nomor: string): Promise<AgreementRecord | undefined> {
    const out = await guarded(() =>
      this.doc.send(new GetCommand({ TableName: this.table, Key: agreementKey(pemdaId, nomor), ConsistentRead: true })),
    );
    return strip<AgreementRecord>(out.Item);
  }

  list(pemdaId: string): Promise<AgreementRecord[]> {
    return this.partition<AgreementRecord>(`perjanjian#${pemdaId}`, { ConsistentRead: true });
  }

  /** Every item of one partition of the table (its keys stripped), in the order of its sort key unless told. */
  private async partition<T>(pk: string, options: { ConsistentRead?: boolean; ScanIndexForward?: boolean }) {
    const items = await queryAll<Record<string, unknown>>(this.doc, {
      TableName: this.table,
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': pk },
      ...options,
    });
    return items.map((i) => strip<T>(i)!);
  }

  /** One conditional update of an agreement item (false when its condition no longer holds). */
  private update(
    pemdaId: string,
    nomor: string,
    update: Omit<ConstructorParameters<typeof UpdateCommand>[0], 'TableName' | 'Key'>,
  ): Promise<boolean> {
    return conditionally(() =>
      this.doc.send(new UpdateCommand({ TableName: this.table, Key: agreementKey(pemdaId, nomor), ...update })),
    );
  }

  /** Closes an agreement if it is still `berlaku` at `fromVersion`; false when it moved on. */
  async transition(pemdaId: string, nomor: string, fromVersion: number, t: Transition): Promise<boolean> {
    return this.update(pemdaId, nomor, {
      UpdateExpression:
        'SET #status = :status, alasanBerakhir = :alasan, ditutupPada = :pada, ditutupOleh = :oleh, version = :next' +
        (t.catatanBerakhir ? ', catatanBerakhir = :catatan' : ''),
      ConditionExpression: '#status = :berlaku AND version = :from',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: {
        ':status': t.status,
        ':alasan': t.alasanBerakhir,
        ':pada': t.ditutupPada,
        ':oleh': t.ditutupOleh,
        ':next': fromVersion + 1,
        ':berlaku': 'berlaku',
        ':from': fromVersion,
        ...(t.catatanBerakhir ? { ':catatan': t.catatanBerakhir } : {}),
      },
    });
  }

  /**
   * Moves the end of the term of a `berlaku` agreement read at `fromVersion` (an adendum that changes it), keeping
   * the previous end on the record; false when the agreement moved on.
   */
  async changeTerm(
    pemdaId: string,
    nomor: string,
    fromVersion: number,
    change: { berakhir: string; adendum: string; berakhirSebelumnya: string; at: string },
  ): Promise<boolean> {
    return this.update(pemdaId, nomor, {
      UpdateExpression: 'SET berakhir = :b, perubahanJangka = :p, version = :next',
      ConditionExpression: '#status = :berlaku AND version = :from',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: {
        ':b': change.berakhir,
        ':p': { adendum: change.adendum, berakhirSebelumnya: change.berakhirSebelumnya, at: change.at },
        ':next': fromVersion + 1,
        ':berlaku': 'berlaku',
        ':from': fromVersion,
      },
    });
  }

  /** Marks the schedule an estimate from `tahun` unless it already is from then or earlier (one conditional update). */
  async markScheduleProvisional(pemdaId: string, nomor: string, tahun: number): Promise<boolean> {
    return this.update(pemdaId, nomor, {
      UpdateExpression: 'SET jadwalPerkiraanSejak = :tahun',
      ConditionExpression:
        'attribute_exists(pk) AND (attribute_not_exists(jadwalPerkiraanSejak) OR jadwalPerkiraanSejak > :tahun)',
      ExpressionAttributeValues: { ':tahun': tahun },
    });
  }

  /** The schedule computed again: one conditional update on the version and the provisional year read. */
  async redateSchedule(
    pemdaId: string,
    nomor: string,
    from: { version: number; jadwalPerkiraanSejak: number | undefined },
    change: { jadwalRevisi: number; jadwalPerkiraanSejak: number | undefined },
  ): Promise<boolean> {
    const fromSejak = from.jadwalPerkiraanSejak;
    const toSejak = change.jadwalPerkiraanSejak;
    return this.update(pemdaId, nomor, {
      UpdateExpression:
        'SET jadwalRevisi = :rev, version = :next' +
        (toSejak === undefined ? ' REMOVE jadwalPerkiraanSejak' : ', jadwalPerkiraanSejak = :toSejak'),
      ConditionExpression:
        '#status = :berlaku AND version = :from AND ' +
        (fromSejak === undefined ? 'attribute_not_exists(jadwalPerkiraanSejak)' : 'jadwalPerkiraanSejak = :fromSejak'),
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: {
        ':rev': change.jadwalRevisi,
        ':next': from.version + 1,
        ':berlaku': 'berlaku',
        ':from': from.version,
        ...(toSejak === undefined ? {} : { ':toSejak': toSejak }),
        ...(fromSejak === undefined ? {} : { ':fromSejak': fromSejak }),
      },
    });
  }

  /** Records an adendum of the agreement once (a repeat finds it recorded). */
  async addAdendum(pemdaId: string, nomor: string, adendum: string): Promise<boolean> {
    return this.update(pemdaId, nomor, {
      UpdateExpression: 'SET adendum = list_append(adendum, :one)',
      ConditionExpression: 'attribute_exists(pk) AND NOT contains(adendum, :nomor)',
      ExpressionAttributeValues: { ':one': [adendum], ':nomor': adendum },
    });
  }

  /**
   * Records once that `pelaksanaan` implements the agreement (a PKS of a Kesepakatan Bersama): a repeat finds it
   * recorded. Records made before the list existed have none; the first link creates it.
   */
  async addPelaksanaan(pemdaId: string, nomor: string, pelaksanaan: string): Promise<boolean> {
    return this.update(pemdaId, nomor, {
      UpdateExpression: 'SET pelaksanaan = list_append(if_not_exists(pelaksanaan, :none), :one)',
      ConditionExpression:
        'attribute_exists(pk) AND (attribute_not_exists(pelaksanaan) OR NOT contains(pelaksanaan, :nomor))',
      ExpressionAttributeValues: { ':none': [], ':one': [pelaksanaan], ':nomor': pelaksanaan },
    });
  }

  /** Records a proposal once under its key. */
  async addUsulan(pemdaId: string, nomor: string, key: string, usulan: Usulan): Promise<boolean> {
    return this.update(pemdaId, nomor, {
      UpdateExpression: 'SET usulan.#k = :u',
      ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(usulan.#k)',
      ExpressionAttributeNames: { '#k': key },
      ExpressionAttributeValues: { ':u': usulan },
    });
  }

  /** Creates a report or monev item unless it exists. */
  async createItem(item: MonitoringItem): Promise<'created' | 'exists'> {
    const created = await conditionally(() =>
      this.doc.send(
        new PutCommand({
          TableName: this.table,
          Item: {
            ...itemKey(item.itemId),
            perjanjian: `${item.pemdaId}#${item.nomor}`,
            urut: `${item.jenis}#${String(item.ke).padStart(3, '0')}`,
            ...item,
          },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      ),
    );
    return created ? 'created' : 'exists';
  }

  async getItem(itemId: string): Promise<MonitoringItem | undefined> {
    const out = await guarded(() =>
      this.doc.send(new GetCommand({ TableName: this.table, Key: itemKey(itemId), ConsistentRead: true })),
    );
    return strip<MonitoringItem>(out.Item);
  }

  /** The reports and monev of an agreement (the index: eventually consistent, for lists and the annual report). */
  async listItems(pemdaId: string, nomor: string): Promise<MonitoringItem[]> {
    const items = await queryAll<Record<string, unknown>>(this.doc, {
      TableName: this.table,
      IndexName: AGREEMENT_INDEX,
      KeyConditionExpression: 'perjanjian = :p',
      ExpressionAttributeValues: { ':p': `${pemdaId}#${nomor}` },
    });
    return items.map((i) => strip<MonitoringItem>(i)!);
  }

  /** Records what came in through a link: once, at the link's current version, while it has not expired. */
  async submit(itemId: string, linkVersion: number, submission: ItemSubmission): Promise<boolean> {
    return conditionally(() =>
      this.doc.send(
        new UpdateCommand({
          TableName: this.table,
          Key: itemKey(itemId),
          UpdateExpression: 'SET #state = :diterima, submission = :s',
          ConditionExpression: '#state = :terbuka AND linkVersion = :v AND linkExpiresAt > :at',
          ExpressionAttributeNames: { '#state': 'state' },
          ExpressionAttributeValues: {
            ':diterima': 'diterima',
            ':terbuka': 'terbuka',
            ':s': submission,
            ':v': linkVersion,
            ':at': submission.at,
          },
        }),
      ),
    );
  }

  /**
   * A new link version for an open item read at `fromVersion` (the old link dies), valid until `expiresAt`; at most
   * `maxRenewals` times per item. False when it moved on or the limit is reached.
   */
  async renewItemLink(itemId: string, fromVersion: number, expiresAt: string, maxRenewals: number): Promise<boolean> {
    return this.updateOpenItem(
      itemId,
      'SET linkVersion = :next, linkExpiresAt = :exp, renewals = if_not_exists(renewals, :zero) + :one',
      'linkVersion = :v AND (attribute_not_exists(renewals) OR renewals < :max)',
      { ':next': fromVersion + 1, ':exp': expiresAt, ':zero': 0, ':one': 1, ':v': fromVersion, ':max': maxRenewals },
    );
  }

  /** One conditional update of a report or monev that is still open (false when it is not, or `condition` fails). */
  private updateOpenItem(
    itemId: string,
    update: string,
    condition: string,
    values: Record<string, unknown>,
  ): Promise<boolean> {
    return conditionally(() =>
      this.doc.send(
        new UpdateCommand({
          TableName: this.table,
          Key: itemKey(itemId),
          UpdateExpression: update,
          ConditionExpression: `#state = :terbuka AND ${condition}`,
          ExpressionAttributeNames: { '#state': 'state' },
          ExpressionAttributeValues: { ':terbuka': 'terbuka', ...values },
        }),
      ),
    );
  }

  async getRekap(pemdaId: string, tahun: number): Promise<RekapFact | undefined> {
    const out = await guarded(() =>
      this.doc.send(
        new GetCommand({
          TableName: this.table,
          Key: { pk: `rekap#${pemdaId}`, sk: String(tahun) },
          ConsistentRead: true,
        }),
      ),
    );
    return strip<RekapFact>(out.Item);
  }

  redateItem(
    itemId: string,
    from: { jatuhTempo: string; linkVersion: number; linkExpiresAt: string },
    to: { jatuhTempo: string; linkExpiresAt: string },
  ): Promise<boolean> {
    return this.updateOpenItem(
      itemId,
      'SET jatuhTempoSemula = if_not_exists(jatuhTempoSemula, :from), jatuhTempo = :to, linkExpiresAt = :exp',
      'jatuhTempo = :from AND linkVersion = :v AND linkExpiresAt = :fromExp',
      {
        ':to': to.jatuhTempo,
        ':exp': to.linkExpiresAt,
        ':from': from.jatuhTempo,
        ':v': from.linkVersion,
        ':fromExp': from.linkExpiresAt,
      },
    );
  }

  listRekap(pemdaId: string): Promise<RekapFact[]> {
    return this.partition<RekapFact>(`rekap#${pemdaId}`, { ScanIndexForward: false });
  }

  async putRekap(fact: RekapFact): Promise<boolean> {
    return conditionally(() =>
      this.doc.send(
        new PutCommand({
          TableName: this.table,
          Item: { pk: `rekap#${fact.pemdaId}`, sk: String(fact.tahun), ...fact },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      ),
    );
  }
}
