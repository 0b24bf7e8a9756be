// Types of scripts/dist.mjs, for the tests that build dist/ the way `npm start` does.
export declare const ROOT: string;
export type DistState = 'missing' | 'stale' | 'fresh';
export declare function distState(root?: string): DistState;
export declare function ensureBuilt(options?: { root?: string; onBuild?: (state: Exclude<DistState, 'fresh'>) => void }): Promise<boolean>;
