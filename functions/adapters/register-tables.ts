import type { CreateTableCommandInput } from '@aws-sdk/client-dynamodb';
import { tableDefinition } from './tables.ts';

/**
 * The register of document numbers: one table, generic keys `pk` / `sk`, no index (every read the register needs
 * is a GetItem or a consistent Query on the table itself). Items, per pemda P:
 *
 * | item                | pk                         | sk               | what                                             |
 * | ------------------- | -------------------------- | ---------------- | ------------------------------------------------ |
 * | counter             | `P#seri#<series>#<year>`   | `#penghitung`    | `last` (atomic ADD), `lastAt`, `seen` (sweeps)  |
 * | entry (Sepakat)     | `P#seri#<series>#<year>`   | `n#<n, 9 digits>`| the register entry of number n of the sequence   |
 * | entry (SRIKANDI)    | `P#seri#<series>#<year>`   | `s#<text>`       | a number entered from SRIKANDI                    |
 * | claim               | `P#kunci#<caseId>#<purpose>` | `#kunci`       | the idempotency item: allocation key → n          |
 * | number text         | `P#nomor`                  | `<text>`         | uniqueness of the text, and where its entry is    |
 *
 * A sequence's partition thus lists its entries in number order (SRIKANDI entries after them) and holds its counter.
 */
export interface RegisterTableNames {
  register: string;
}

export function registerTableDefinitions(names: RegisterTableNames): CreateTableCommandInput[] {
  return [tableDefinition(names.register, { key: ['pk', 'sk'] })];
}
