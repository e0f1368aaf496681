import type { IndukLookup } from '../../core/agreement/induk.ts';
import type { RegisterEntry } from '../../core/register/numbering.ts';
import type { Agreements } from '../../core/agreement/agreements.ts';

/**
 * The intake's view of a number a permohonan names as the Kesepakatan Bersama it implements: the pemda's register
 * entry (not voided) and the pemda's agreement under that number. Both are read per pemda, so another pemda's number
 * is simply not found.
 */
export function indukLookup(
  register: (pemdaId: string) => { get(numberText: string): Promise<RegisterEntry | undefined> },
  agreements: Pick<Agreements, 'get'>,
): (pemdaId: string, nomor: string) => Promise<IndukLookup> {
  return async (pemdaId, nomor) => {
    const [entry, agreement] = await Promise.all([register(pemdaId).get(nomor), agreements.get(pemdaId, nomor)]);
    return { inRegister: !!entry && entry.status !== 'dibatalkan', ...(agreement ? { agreement } : {}) };
  };
}
