/**
 * The pemohon's capabilities (tracking, receipt, confirmation, withdrawal) now live in core/case/capabilities.ts,
 * the one module of capability links. Re-exported here only so that modules of other areas compile unchanged until
 * their imports point there.
 */
export {
  checkConfirmation,
  checkConfirmationFormToken,
  checkReceiptKey,
  checkWithdrawalToken,
  confirmationFormToken,
  confirmationToken,
  readConfirmationToken,
  readTrackingToken,
  receiptKey,
  subjectTag,
  trackingToken,
  withdrawalToken,
} from './capabilities.ts';
