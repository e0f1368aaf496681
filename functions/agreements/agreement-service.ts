/**
 * The life of an agreement after signing moved to core/agreement/ (one use case per verb, `Agreements` the facade
 * that `app.agreements` is). Kept so that its importers (routes, input schemas) compile unchanged; new code imports
 * from core/agreement/.
 */
export {
  ADENDUM_FORM,
  AGREEMENT_ACTION_LABELS,
  AKHIRI_FORM,
  BATAL_FORM,
  LAPORAN_FIELDS,
  LAPORAN_FORM,
  LAPORAN_LABELS,
  MAX_LINK_RENEWALS,
  MONEV_FORM,
  MONEV_LABELS,
  RENEWED_LINK_DAYS,
  type AgreementSummary,
  type FormErrors,
  type LinkProblem,
  type LinkView,
  type SubmitResult,
} from '../../core/agreement/agreement-forms.ts';
export { alasanText } from '../../core/agreement/end-agreement.ts';
export { Agreements as AgreementService } from '../../core/agreement/agreements.ts';
