import type { AgreementRecord } from './agreement-model.ts';
import { AGREEMENT_ACTION_LABELS, BATAL_FORM } from './agreement-forms.ts';
import type { AgreementContext } from './agreement-context.ts';
import { close } from './end-agreement.ts';
import { parseOrThrow } from '../validation/issues.ts';

/** An administrator declares the agreement BATAL (not carried out), with the reason. */
export async function declareBatal(
  ctx: AgreementContext,
  pemdaId: string,
  nomor: string,
  input: { alasan: string; oleh: string },
): Promise<AgreementRecord> {
  const form = parseOrThrow(BATAL_FORM, { alasan: input.alasan }, AGREEMENT_ACTION_LABELS);
  const a = await ctx.require(pemdaId, nomor);
  return close(ctx, a, { type: 'batalkan', alasan: form.alasan, oleh: input.oleh });
}
