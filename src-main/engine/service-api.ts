// The shape of ReportService, derived from the contract so a misspelt or
// mistyped method does not compile.
import type { AppEvent, EngineMethodName, MethodArg, MethodValue } from '../../src-preload/contract.ts';

/** Every engine operation of the contract, as a plain async method that throws `ReportError`. */
export type EngineMethods = {
  [M in EngineMethodName]: (arg: MethodArg<M>) => Promise<MethodValue<M>>;
};

export interface ServiceEvents {
  /** Subscribes to progress and status events; returns the unsubscribe function. */
  onEvent(listener: (event: AppEvent) => void): () => void;
}
