// The engine runs in its own process (Electron's utilityProcess) so a long
// run, a big sort or an Excel export never blocks the main process that
// drives the window. This file is the small protocol between the two ends:
// calls and their Results one way, events and password changes the other.
// Transport-free: anything with postMessage and a message listener will do
// (Electron's parentPort, a UtilityProcess, Node's MessagePort in the tests).
import { HOST_METHODS, METHOD_NAMES } from '../src-preload/contract.ts';
import type { AppError, AppEvent, EngineMethodName, MethodArg, MethodValue, Result } from '../src-preload/contract.ts';
import { ReportError, toAppError } from './engine/errors.ts';
import type { SecretStore } from './engine/secrets.ts';
import type { EngineMethods, ServiceEvents } from './engine/service-api.ts';
import { isErrorKind } from './schemas.ts';

export interface RelayPort {
  postMessage(message: unknown): void;
  /** Subscribes to messages; returns the unsubscribe function. */
  onMessage(listener: (message: unknown) => void): () => void;
}

export type SecretsStatus = { available: boolean; reason?: string };

export interface EngineOptions {
  cacheDir: string;
  maxConcurrentRuns?: number;
  noProgressTimeoutMs?: number;
  chunkSize?: number;
  version?: string;
  secrets: { status: SecretsStatus; passwords: Record<string, string> };
}

export type SecretChange = { op: 'save'; profileId: string; password: string } | { op: 'remove'; profileId: string };

export type ToEngine =
  | { type: 'open'; options: EngineOptions }
  | { type: 'call'; id: number; method: EngineMethodName; arg: unknown }
  | { type: 'close' };

export type FromEngine =
  | { type: 'ready' }
  | { type: 'opened' }
  | { type: 'open-failed'; error: AppError }
  | { type: 'result'; id: number; result: Result<unknown> }
  | { type: 'event'; event: AppEvent }
  | { type: 'secret'; change: SecretChange }
  | { type: 'closed' };

/** What the engine process hosts: the service of `src-main/engine/`. */
export type HostedService = EngineMethods & ServiceEvents & { close(): Promise<void> };

export const ENGINE_METHOD_NAMES = METHOD_NAMES.filter(
  (method): method is EngineMethodName => !(HOST_METHODS as readonly string[]).includes(method),
);

export type EngineCall = <M extends EngineMethodName>(method: M, arg: MethodArg<M>) => Promise<MethodValue<M>>;

/** Every engine method of the contract as a function that hands its argument to `call`. */
export function forwardingMethods(call: EngineCall): EngineMethods {
  const methods: Partial<Record<EngineMethodName, (arg: unknown) => Promise<unknown>>> = {};
  for (const method of ENGINE_METHOD_NAMES) methods[method] = (arg) => call(method, arg as never);
  return methods as EngineMethods;
}

// ── The engine's end ────────────────────────────────────────────────────────

/** Keeps passwords for the service in memory and tells the main process, which alone can encrypt them. */
export class RelayedSecretStore implements SecretStore {
  private readonly passwords: Map<string, string>;

  constructor(
    private readonly state: EngineOptions['secrets'],
    private readonly send: (change: SecretChange) => void,
  ) {
    this.passwords = new Map(Object.entries(state.passwords));
  }

  status(): SecretsStatus {
    return this.state.status;
  }
  save(profileId: string, password: string): void {
    this.passwords.set(profileId, password);
    this.send({ op: 'save', profileId, password });
  }
  load(profileId: string): string | undefined {
    return this.passwords.get(profileId);
  }
  remove(profileId: string): void {
    this.passwords.delete(profileId);
    this.send({ op: 'remove', profileId });
  }
}

/** Serves one service over a port until the main process says close. */
export function serveEngine(port: RelayPort, openService: (options: EngineOptions, secrets: SecretStore) => Promise<HostedService>): void {
  let service: Promise<HostedService> | null = null;
  const post = (message: FromEngine): void => port.postMessage(message);

  port.onMessage((raw) => {
    const message = raw as ToEngine;
    switch (message.type) {
      case 'open': {
        const secrets = new RelayedSecretStore(message.options.secrets, (change) => post({ type: 'secret', change }));
        service = openService(message.options, secrets);
        service.then(
          (opened) => {
            opened.onEvent((event) => post({ type: 'event', event }));
            post({ type: 'opened' });
          },
          (err: unknown) => post({ type: 'open-failed', error: toAppError(err) }),
        );
        return;
      }
      case 'call':
        void answer(message.id, message.method, message.arg);
        return;
      case 'close':
        void (service ?? Promise.reject(new Error('not open')))
          .then((opened) => opened.close())
          .catch(() => {})
          .finally(() => post({ type: 'closed' }));
        return;
      default:
        throw new Error(`Unknown message to the engine: ${JSON.stringify(raw)}`);
    }
  });
  // Only now can a message be received: the main process waits for this before it sends `open`.
  post({ type: 'ready' });

  async function answer(id: number, method: EngineMethodName, arg: unknown): Promise<void> {
    let result: Result<unknown>;
    try {
      if (!service) throw new ReportError('Internal', 'The engine was called before it was opened.');
      if (!ENGINE_METHOD_NAMES.includes(method)) throw new ReportError('InvalidArgument', `Unknown method ${String(method)}.`);
      const opened = await service;
      const call = opened[method] as (arg: unknown) => Promise<unknown>;
      result = { ok: true, value: await call.call(opened, arg) };
    } catch (err) {
      result = { ok: false, error: toAppError(err) };
    }
    post({ type: 'result', id, result });
  }
}

// ── The main process's end ──────────────────────────────────────────────────

type Pending = { resolve: (value: unknown) => void; reject: (err: ReportError) => void };

/** The engine as the main process sees it: the same async methods, throwing `ReportError`. */
export class EngineClient implements ServiceEvents {
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private readonly listeners = new Set<(event: AppEvent) => void>();
  private state: 'opening' | 'open' | 'closing' | 'closed' | 'failed' = 'opening';
  private whenClosed: (() => void) | null = null;
  private failure: AppError | null = null;

  private constructor(
    private readonly port: RelayPort,
    private readonly onSecretChange: (change: SecretChange) => void,
  ) {}

  /** Waits for the other process to listen, opens the service there; rejects with its error when it cannot open. */
  static open(port: RelayPort, options: EngineOptions, onSecretChange: (change: SecretChange) => void): Promise<EngineClient> {
    const client = new EngineClient(port, onSecretChange);
    return new Promise((resolve, reject) => {
      const stop = port.onMessage((raw) => {
        const message = raw as FromEngine;
        if (message.type === 'ready') {
          port.postMessage({ type: 'open', options } satisfies ToEngine);
        } else if (message.type === 'opened') {
          client.state = 'open';
          resolve(client);
        } else if (message.type === 'open-failed') {
          client.state = 'failed';
          stop();
          reject(new ReportError(message.error.kind, message.error.message));
        } else {
          client.receive(message);
        }
      });
    });
  }

  call<M extends EngineMethodName>(method: M, arg: MethodArg<M>): Promise<MethodValue<M>> {
    if (this.state !== 'open') {
      return Promise.reject(new ReportError('Internal', this.failure?.message ?? `The engine is ${this.state}.`));
    }
    const id = this.nextId++;
    return new Promise<MethodValue<M>>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (value: unknown) => void, reject });
      this.port.postMessage({ type: 'call', id, method, arg } satisfies ToEngine);
    });
  }

  /** The contract's engine methods, each forwarded to the other process. */
  methods(): EngineMethods {
    return forwardingMethods((method, arg) => this.call(method, arg));
  }

  onEvent(listener: (event: AppEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Asks the engine to close its runs and files; resolves when it has, or after `timeoutMs`. */
  close(timeoutMs = 10_000): Promise<void> {
    if (this.state === 'closed' || this.state === 'failed') return Promise.resolve();
    this.state = 'closing';
    return new Promise((resolve) => {
      const finish = (): void => {
        clearTimeout(timer);
        this.state = 'closed';
        resolve();
      };
      const timer = setTimeout(finish, timeoutMs);
      this.whenClosed = finish;
      this.port.postMessage({ type: 'close' } satisfies ToEngine);
    });
  }

  /** The other process died: every call in flight fails, and later calls fail at once. */
  fail(message: string): void {
    this.failure = { kind: 'Internal', message };
    this.state = 'failed';
    for (const [id, pending] of this.pending) {
      this.pending.delete(id);
      pending.reject(new ReportError('Internal', message));
    }
    this.whenClosed?.();
  }

  private receive(message: FromEngine): void {
    switch (message.type) {
      case 'result': {
        const pending = this.pending.get(message.id);
        if (!pending) return;
        this.pending.delete(message.id);
        if (message.result.ok) pending.resolve(message.result.value);
        else {
          const { kind, message: text } = message.result.error;
          pending.reject(new ReportError(isErrorKind(kind) ? kind : 'Internal', text));
        }
        return;
      }
      case 'event':
        for (const listener of this.listeners) listener(message.event);
        return;
      case 'secret':
        this.onSecretChange(message.change);
        return;
      case 'closed':
        this.whenClosed?.();
        return;
      case 'ready':
      case 'opened':
      case 'open-failed':
        return;
      default:
        throw new Error(`Unknown message from the engine: ${JSON.stringify(message satisfies never)}`);
    }
  }
}
