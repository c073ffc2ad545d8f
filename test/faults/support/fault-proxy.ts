// A TCP proxy between the engine and PostgreSQL that breaks the link on command:
// cut (FIN both ways), reset (RST), blackhole (bytes vanish, nobody is told),
// refuse (new connections are reset at once) and slow (every piece of data waits).
// 127.0.0.1 only.
import { type Server, type Socket, createConnection, createServer } from 'node:net';

/** One client connection and its twin towards the server. */
interface Link {
  client: Socket;
  server: Socket;
  /** Swallows every byte both ways and tells neither side. */
  dark: boolean;
  /** Goes dark at the client's first query, after the login went through. */
  darkAtQuery: boolean;
}

/** The first byte of a client's Query and Parse messages; the startup and password messages never start so. */
const QUERY_MESSAGES = new Set(['Q'.charCodeAt(0), 'P'.charCodeAt(0)]);

export class FaultProxy {
  private readonly links = new Set<Link>();
  private newLinksDark = false;
  private newLinksDarkAtQuery = false;
  private refusing = false;
  private delayMs = 0;
  /** Faults injected so far (cut, reset, blackhole, refuse). */
  faults = 0;
  /** Connections accepted so far. */
  accepted = 0;

  private readonly server: Server;
  private listeningPort = 0;

  private constructor(private readonly target: { host: string; port: number }) {
    this.server = createServer((client) => this.accept(client));
  }

  static async start(target: { host: string; port: number }): Promise<FaultProxy> {
    const proxy = new FaultProxy(target);
    await new Promise<void>((resolve, reject) => {
      proxy.server.once('error', reject);
      proxy.server.listen(0, '127.0.0.1', () => resolve());
    });
    const address = proxy.server.address();
    if (typeof address !== 'object' || !address) throw new Error('the proxy has no port');
    proxy.listeningPort = address.port;
    return proxy;
  }

  get port(): number {
    return this.listeningPort;
  }

  /** `url` with its host and port pointed at this proxy. */
  urlFor(url: string): string {
    const parsed = new URL(url);
    parsed.hostname = '127.0.0.1';
    parsed.port = String(this.port);
    return parsed.toString();
  }

  /** Connections open right now. */
  get openLinks(): number {
    return this.links.size;
  }

  private accept(client: Socket): void {
    this.accepted++;
    if (this.refusing) {
      client.resetAndDestroy();
      return;
    }
    const server = createConnection({ host: this.target.host, port: this.target.port });
    const link: Link = { client, server, dark: this.newLinksDark, darkAtQuery: this.newLinksDarkAtQuery };
    this.links.add(link);
    this.forward(link, client, server);
    this.forward(link, server, client);
    const drop = () => {
      if (link.dark) return; // a blackholed link keeps both ends open: nobody hears of the loss
      client.destroy();
      server.destroy();
      this.links.delete(link);
    };
    for (const socket of [client, server]) {
      socket.on('error', drop);
      socket.on('close', drop);
    }
  }

  private forward(link: Link, from: Socket, to: Socket): void {
    let sendAt = 0;
    from.on('data', (chunk: Buffer) => {
      if (link.darkAtQuery && from === link.client && QUERY_MESSAGES.has(chunk[0] ?? 0)) {
        link.dark = true;
        this.faults++;
      }
      if (link.dark) return;
      if (this.delayMs === 0 && sendAt <= Date.now()) {
        to.write(chunk);
        return;
      }
      // Keep order: each piece waits its delay after the one before it.
      sendAt = Math.max(Date.now() + this.delayMs, sendAt);
      setTimeout(() => {
        if (!link.dark && !to.destroyed) to.write(chunk);
      }, sendAt - Date.now());
    });
    from.on('end', () => {
      if (!link.dark) to.end();
    });
  }

  /** Closes every open connection both ways, as a server or router that hangs up. */
  cut(): void {
    this.faults++;
    for (const link of this.links) {
      link.client.end();
      link.server.end();
      link.client.destroySoon();
      link.server.destroySoon();
    }
  }

  /** Resets every open connection (RST), as a firewall or a crashed peer does. */
  reset(): void {
    this.faults++;
    for (const link of this.links) {
      link.client.resetAndDestroy();
      link.server.resetAndDestroy();
    }
  }

  /**
   * From now on the open connections carry nothing and say nothing, as after a pulled cable or a
   * lost NAT entry. With `newLinks`, connections made later are accepted and go dark too.
   */
  blackhole({ newLinks }: { newLinks: boolean }): void {
    this.faults++;
    for (const link of this.links) link.dark = true;
    this.newLinksDark = newLinks;
  }

  /**
   * New connections log in, then go silent at their first query, as behind a firewall that lets the
   * handshake through and drops the rest, or a link lost right after login.
   */
  darkAfterLogin(): void {
    this.newLinksDarkAtQuery = true;
  }

  /** New connections are reset at once, as a host whose server is down. */
  refuse(): void {
    this.faults++;
    this.refusing = true;
  }

  /** Every piece of data waits `delayMs` before it is passed on (0: full speed). */
  slow(delayMs: number): void {
    this.delayMs = delayMs;
  }

  /** New connections work again; the ones that went dark stay dead, as their lost bytes broke them. */
  heal(): void {
    this.newLinksDark = false;
    this.newLinksDarkAtQuery = false;
    this.refusing = false;
    this.delayMs = 0;
  }

  async close(): Promise<void> {
    for (const link of this.links) {
      link.client.destroy();
      link.server.destroy();
    }
    this.links.clear();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
