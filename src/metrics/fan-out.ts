import type { ServiceEvents } from '../domain/secrets-service.js';

type Listener = (...args: never[]) => void;

/**
 * One ServiceEvents that calls every given listener in turn. A listener that throws is skipped, never allowed to
 * fail the request that raised the event (the secret is already stored, revealed or burned by then).
 */
export function fanOutEvents(...all: (ServiceEvents | undefined)[]): ServiceEvents {
  const present = all.filter((e): e is ServiceEvents => e !== undefined);
  const fan = <K extends keyof ServiceEvents>(name: K) =>
    ((...args: never[]) => {
      for (const events of present) {
        try {
          (events[name] as Listener | undefined)?.(...args);
        } catch {
          // Metrics and mail are best effort; see the comment above.
        }
      }
    }) as NonNullable<ServiceEvents[K]>;
  return {
    created: fan('created'),
    revealed: fan('revealed'),
    burned: fan('burned'),
    expired: fan('expired'),
    wrongPassphrase: fan('wrongPassphrase'),
    incomingReceived: fan('incomingReceived'),
  };
}
