/** The Indonesian locale, the one the product sets (see ../../index.ts). */
export { default } from '../../../../../node_modules/zod/v4/locales/id.js';
