// The one way an IPC handler is registered: the sender is checked first, then
// the argument is validated, then the implementation runs, and whatever it
// does comes back as a `Result`. Nothing here needs Electron at run time, so
// the wrapper is tested under plain Node with an ipcMain-like registrar.
import { channelOf, METHOD_NAMES } from '../src-preload/contract.ts';
import type { MethodArg, MethodName, MethodValue, Result } from '../src-preload/contract.ts';
import { toAppError } from './engine/errors.ts';
import { parseArg } from './schemas.ts';

/** The part of a frame the sender check reads; Electron's `WebFrameMain` has it. */
export interface SenderFrame {
  readonly url: string;
  readonly parent: SenderFrame | null;
}

/** The part of an invoke event the wrapper reads; Electron's `IpcMainInvokeEvent` has it. */
export interface InvokeEvent {
  readonly senderFrame: SenderFrame | null;
}

export type InvokeListener = (event: InvokeEvent, ...args: unknown[]) => Promise<unknown>;

/** The part of `ipcMain` the wrapper needs. */
export interface InvokeRegistrar {
  handle(channel: string, listener: InvokeListener): void;
  removeHandler(channel: string): void;
}

/** Decides whether an invoke comes from our own renderer. */
export type SenderCheck = (event: InvokeEvent) => boolean;

export type Implementation<M extends MethodName> = (arg: MethodArg<M>) => Promise<MethodValue<M>>;
export type Implementations = { [M in MethodName]: Implementation<M> };

/**
 * Whether a frame is the top frame of a page served from one of our origins.
 * Origins are compared as `scheme://host[:port]`, which also works for the
 * custom `app:` scheme (whose WHATWG `URL.origin` is the opaque "null").
 */
export function isTrustedFrame(frame: SenderFrame | null, trustedOrigins: readonly string[]): boolean {
  if (!frame || frame.parent !== null) return false;
  const origin = originOf(frame.url);
  return origin !== null && trustedOrigins.includes(origin);
}

export function originOf(url: string): string | null {
  try {
    const parsed = new URL(url);
    if (!parsed.host) return null;
    return `${parsed.protocol}//${parsed.host}`;
  } catch {
    return null;
  }
}

/**
 * The listener for one method: refuse a foreign sender before anything else,
 * refuse an invalid argument before the implementation sees it, and turn every
 * outcome into a `Result` (thrown errors lose their shape across IPC).
 */
export function invoker<M extends MethodName>(
  method: M,
  implementation: Implementation<M>,
  isTrustedSender: SenderCheck,
): (event: InvokeEvent, raw?: unknown) => Promise<Result<MethodValue<M>>> {
  return async (event, raw) => {
    if (!isTrustedSender(event)) {
      return { ok: false, error: { kind: 'PermissionDenied', message: `Refused ${method}: the request did not come from the ReportStream window.` } };
    }
    const parsed = parseArg(method, raw);
    if (!parsed.ok) return { ok: false, error: { kind: 'InvalidArgument', message: parsed.message } };
    try {
      return { ok: true, value: await implementation(parsed.arg) };
    } catch (err) {
      const error = toAppError(err);
      if (error.kind === 'Internal') console.error(`[ipc] ${method} failed`, err);
      return { ok: false, error };
    }
  };
}

/** Registers one method on its contract channel. */
export function handle<M extends MethodName>(
  registrar: InvokeRegistrar,
  method: M,
  implementation: Implementation<M>,
  isTrustedSender: SenderCheck,
): void {
  const listener = invoker(method, implementation, isTrustedSender);
  registrar.handle(channelOf(method), (event, raw) => listener(event, raw));
}

/** Registers every contract method; returns the function that unregisters them. */
export function handleContract(registrar: InvokeRegistrar, implementations: Implementations, isTrustedSender: SenderCheck): () => void {
  for (const method of METHOD_NAMES) registerOne(registrar, method, implementations, isTrustedSender);
  return () => {
    for (const method of METHOD_NAMES) registrar.removeHandler(channelOf(method));
  };
}

function registerOne<M extends MethodName>(
  registrar: InvokeRegistrar,
  method: M,
  implementations: Implementations,
  isTrustedSender: SenderCheck,
): void {
  handle(registrar, method, implementations[method], isTrustedSender);
}
