/** What one check of the store adds to /ready: fields for its body and, when it must answer 503, why. */
export interface StoreReport {
  fields: Record<string, string>;
  unready?: string | undefined;
}

/** Something /ready asks about the store beyond "it answers" (its eviction policy, …); reports what it last saw. */
export interface StoreCheck {
  report(): StoreReport;
}
