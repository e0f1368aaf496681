import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { buildApp, type App } from '../app.ts';
import { loadConfig } from '../config.ts';

/**
 * The cold start of a Lambda function in AWS: configuration from the environment (the one place it is read), the
 * action-link key from Secrets Manager, then the same `buildApp` the embedded local default uses. One App per
 * container, built once and reused by every invocation.
 */
let app: Promise<App> | undefined;

export function lambdaApp(): Promise<App> {
  app ??= build().catch((error: unknown) => {
    app = undefined; // a failed cold start is retried by the next invocation
    throw error;
  });
  return app;
}

async function build(): Promise<App> {
  const env: Record<string, string | undefined> = { ...process.env };
  if (!env.SEPAKAT_LINK_KEY && env.SEPAKAT_LINK_KEY_SECRET_ARN) {
    const secrets = new SecretsManagerClient({ region: env.SEPAKAT_REGION ?? env.AWS_REGION });
    const out = await secrets.send(new GetSecretValueCommand({ SecretId: env.SEPAKAT_LINK_KEY_SECRET_ARN }));
    env.SEPAKAT_LINK_KEY = out.SecretString;
    secrets.destroy();
  }
  return buildApp(loadConfig(env));
}
