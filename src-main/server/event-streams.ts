// Server-Sent Events: one JSON AppEvent per `data:` message, a heartbeat
// comment so proxies and the browser keep the stream open, one stream per
// page (a new stream for the same page ends the old one), and a slow reader
// is dropped rather than buffered without bound (EventSource reconnects).
import type { ServerResponse } from 'node:http';
import type { AppEvent } from '../../src-preload/contract.ts';

/** Past this many unsent bytes a stream is dropped. */
const MAX_BUFFERED_BYTES = 4 * 1024 * 1024;
/**
 * Events are sent in batches at most this often: with many reports running, one write per event per
 * stream costs more than the reports (50 pages × 50 runs measured a 1.5 s tail at p99). Progress is
 * sent every 100 ms at most anyway.
 */
const FLUSH_MS = 40;
/** Streams without a page id each count on their own; this bounds how many stay open. */
const MAX_ANONYMOUS_STREAMS = 16;

export class EventStreams {
  private readonly streams = new Map<string, ServerResponse>();
  private anonymous = 0;
  private readonly heartbeat: NodeJS.Timeout;
  /** Messages not yet written, and the timer that writes them. */
  private pending = '';
  private flushTimer: NodeJS.Timeout | null = null;

  constructor(heartbeatMs: number) {
    this.heartbeat = setInterval(() => this.send(': heartbeat\n\n'), heartbeatMs);
    this.heartbeat.unref();
  }

  /** Starts an event stream for a page; `pageId` null means this connection alone. */
  open(pageId: string | null, response: ServerResponse): void {
    const key = pageId === null ? `anonymous:${this.anonymous++}` : `page:${pageId}`;
    this.streams.get(key)?.end();
    if (pageId === null) this.trimAnonymous();
    response.writeHead(200, {
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-store',
      Connection: 'keep-alive',
      'X-Accel-Buffering': 'no',
    });
    response.write('retry: 2000\n: connected\n\n');
    this.streams.set(key, response);
    response.on('close', () => {
      if (this.streams.get(key) === response) this.streams.delete(key);
    });
  }

  broadcast(event: AppEvent): void {
    this.send(`data: ${JSON.stringify(event)}\n\n`);
  }

  get size(): number {
    return this.streams.size;
  }

  closeAll(): void {
    clearInterval(this.heartbeat);
    this.flush();
    for (const response of this.streams.values()) response.end();
    this.streams.clear();
  }

  /** Queues a message for every stream; the batch goes out within FLUSH_MS. */
  private send(message: string): void {
    this.pending += message;
    this.flushTimer ??= setTimeout(() => this.flush(), FLUSH_MS);
  }

  private flush(): void {
    if (this.flushTimer) clearTimeout(this.flushTimer);
    this.flushTimer = null;
    const chunk = this.pending;
    this.pending = '';
    if (chunk) this.writeAll(chunk);
  }

  private writeAll(chunk: string): void {
    for (const [key, response] of this.streams) {
      if (response.writableLength > MAX_BUFFERED_BYTES) {
        this.streams.delete(key);
        response.destroy();
        continue;
      }
      response.write(chunk);
    }
  }

  private trimAnonymous(): void {
    const anonymous = [...this.streams.keys()].filter((key) => key.startsWith('anonymous:'));
    for (const key of anonymous.slice(0, Math.max(0, anonymous.length - MAX_ANONYMOUS_STREAMS + 1))) {
      this.streams.get(key)?.end();
      this.streams.delete(key);
    }
  }
}
