/**
 * Bundled in place of puppeteer-core and @sparticuz/chromium into every function that never renders (see
 * `CHROMIUM_MODULES` in infra/functions.ts). Importing it is harmless; using it is a deployment error, reported as
 * one instead of a missing module at cold start.
 */
const unavailable = (): never => {
  const error = new Error(
    'Chromium is not bundled into this function: only the document and runSchedule functions render (infra/functions.ts)',
  );
  error.name = 'ChromiumUnavailable';
  throw error;
};

const withoutChromium = {
  launch: unavailable,
  connect: unavailable,
  executablePath: unavailable,
  get args(): string[] {
    return unavailable();
  },
};

export default withoutChromium;
