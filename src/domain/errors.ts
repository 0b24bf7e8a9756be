// Every refusal the contract defines, with its exact message (clients match on it) and the intended HTTP status.

export class OtsError extends Error {
  constructor(
    message: string,
    readonly intendedStatus: number,
    readonly extra: Record<string, string> = {},
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = 'OtsError';
  }
}

export const errors = {
  unknownSecret: (key: string) => new OtsError('Unknown secret', 404, { secret_key: key }),
  nothingToShare: () => new OtsError('You did not provide anything to share', 400),
  notAuthorized: () => new OtsError('Not authorized', 401),
  rateLimited: (retryAfterSeconds: number) =>
    new OtsError('Rate limit exceeded. Please try again later.', 429, {}, { 'Retry-After': String(retryAfterSeconds) }),
  secretTooLarge: (max: number) => new OtsError(`Secret value exceeds the maximum size of ${max} bytes`, 413),
  passphraseTooLong: () => new OtsError('Passphrase must be no more than 128 characters long', 400),
  passphraseTooShort: (min: number) => new OtsError(`Passphrase must be at least ${min} characters long`, 400),
  incorrectPassphrase: () => new OtsError('Incorrect passphrase', 400),
  accountRequiredForEmail: () => new OtsError('An account is required to send emails.', 403),
  anonymousDisabled: () => new OtsError('Not authorized', 401),
  storeUnavailable: () => new OtsError("We'll be back shortly!", 503),
  unexpected: () => new OtsError('An unexpected error occurred :[', 500),
  notFound: () => new OtsError('Not Found', 404),
  badRequest: () => new OtsError('Bad request', 400),
  unsupportedMediaType: () => new OtsError('Unsupported Media Type', 415),
};
