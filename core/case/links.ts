/**
 * The officials' action links and one-time codes now live in core/case/capabilities.ts, the one module of
 * capability links. Re-exported here only so that modules of other areas compile unchanged until their imports
 * point there.
 */
export { checkLink, linkToken, otpHash, sameHash, taskIdFor, type LinkCheck } from './capabilities.ts';
