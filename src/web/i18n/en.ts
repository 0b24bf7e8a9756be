// English: every string the web pages show. nl.ts must provide the same keys (the Catalogue type enforces it).

const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;

export const en = {
  lang: 'en',
  languageName: 'English',
  appName: 'One-time secret',
  skipToContent: 'Skip to content',
  otherLanguages: 'Language',
  footer: 'Secrets are stored encrypted and shown only once.',

  seconds: (n: number) => plural(n, 'second', 'seconds'),
  minutes: (n: number) => plural(n, 'minute', 'minutes'),
  hours: (n: number) => plural(n, 'hour', 'hours'),
  days: (n: number) => plural(n, 'day', 'days'),
  ago: (duration: string) => `${duration} ago`,

  copy: 'Copy',
  copied: 'Copied to the clipboard',
  home: 'Share a secret',

  createTitle: 'Share a secret',
  createIntro: 'Paste a password, a key or a message. You get a link that shows it once; after that it is gone.',
  secretLabel: 'Secret',
  secretHint: (maxBytes: number) => `At most ${maxBytes} bytes. It is stored encrypted and destroyed once read.`,
  passphraseLabel: 'Passphrase (optional)',
  passphraseHint: 'The recipient must type it to see the secret. Send it another way than the link.',
  passphraseMinHint: (min: number) => `At least ${min} characters.`,
  ttlLabel: 'Expires after',
  createButton: 'Create a secret link',
  accountRequired: 'This server creates secrets for account holders only. Sign in with your email address and API token.',

  receiptTitle: 'Your secret link',
  receiptIntro: 'Send this link to the recipient. It shows the secret once.',
  shareLinkLabel: 'Share link',
  detailsHeading: 'Status of the secret',
  passphraseTerm: 'Passphrase',
  passphraseSet: 'Set: the recipient needs it',
  passphraseNotSet: 'None',
  stateTerm: 'State',
  states: {
    new: 'Not read yet',
    viewed: 'Not read yet',
    received: 'Read',
    burned: 'Burned',
    expired: 'Expired',
    orphaned: 'No longer available',
  },
  expiresTerm: 'Expires in',
  readTerm: 'Read',
  goneMessages: {
    received: 'The secret was read and then destroyed.',
    burned: 'The secret was burned before it was read.',
    expired: 'The secret expired before anyone read it.',
    orphaned: 'The secret is no longer available.',
  },
  receiptKeptFor: (duration: string) => `This receipt stays available for ${duration}.`,
  receiptPrivate: "Keep this page's address to yourself: whoever has it can see the state and burn the secret.",
  burnHeading: 'Burn this secret',
  burnHint: 'Destroy it now, before it is read. The link stops working.',
  burnPassphraseLabel: 'Passphrase of the secret',
  burnButton: 'Burn secret',

  burnedTitle: 'Secret burned',
  burnedBody: 'The secret has been destroyed. Its link no longer works.',
  backToReceipt: 'Back to the receipt',

  secretTitle: 'A secret for you',
  secretIntro: 'Someone shared a secret with you. It can be shown only once: once revealed, it is gone.',
  secretNeedsPassphrase: 'It is protected by a passphrase, which the sender should give you separately.',
  secretExpiresIn: (duration: string) => `Unless it is revealed, it expires in ${duration}.`,
  revealPassphraseLabel: 'Passphrase',
  revealButton: 'Reveal the secret',
  wrongPassphrase: 'That passphrase is not right. Try again.',
  missingPassphrase: 'Enter the passphrase to reveal this secret.',

  revealedTitle: 'Your secret',
  revealedIntro: 'Here it is. It has now been destroyed on the server, so copy it before you leave this page.',
  revealedValueLabel: 'Secret',

  notFoundTitle: 'Nothing here',
  secretNotFound:
    'This secret does not exist or is no longer available. It may have been read already, burned, or it expired: a secret is shown only once.',
  receiptNotFound: 'This receipt does not exist or is no longer available. Receipts are kept for twice the lifetime of their secret.',
  pageNotFound: 'There is no page at this address.',

  errorTitle: 'That did not work',
  errNothingToShare: 'Type or paste a secret first.',
  errTooLarge: (maxBytes: number) => `The secret is too large: at most ${maxBytes} bytes.`,
  errPassphraseTooLong: 'The passphrase may be at most 128 characters long.',
  errPassphraseTooShort: (min: number) => `The passphrase must be at least ${min} characters long.`,
  errIncorrectPassphrase: 'That passphrase is not right.',
  errNotAuthorized: 'You are not allowed to do this. Sign in with the email address and API token of the account.',
  errRateLimited: (duration: string) => `Too many attempts. Try again in ${duration}.`,
  errStoreUnavailable: 'The service is unavailable for a moment. Try again shortly.',
  errUnexpected: 'Something went wrong on our side. Try again later.',
  errBadRequest: 'The request could not be understood.',
  errCrossSite: 'This form was sent from another website and was refused. Open this site yourself and try again.',
};

export type Catalogue = typeof en;
