/**
 * What every local service and its clients share: the region the product runs in, and the credentials of local
 * development (dynalite and cognito-local check no signature; s3rver and the local services check SigV4 against
 * this pair). Never used against AWS.
 */
export const LOCAL_REGION = 'ap-southeast-3';

export const LOCAL_DEVELOPMENT_CREDENTIALS = {
  accessKeyId: 'local-development',
  secretAccessKey: 'local-development',
} as const;
