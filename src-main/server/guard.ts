// Who may talk to the browser host: only requests addressed to the loopback
// address it serves (a rebound DNS name is refused), and only with its token.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

export const newToken = (): string => randomBytes(32).toString('base64url');

/** Exactly `127.0.0.1:PORT` or `localhost:PORT`: anything else is another site's name pointing here. */
export function isAllowedHost(hostHeader: string | undefined, port: number): boolean {
  return hostHeader === `127.0.0.1:${port}` || hostHeader === `localhost:${port}`;
}

/** Constant-time comparison; hashing first makes the lengths equal. */
export function tokenMatches(candidate: string | null | undefined, token: string): boolean {
  if (!candidate) return false;
  const digest = (value: string): Buffer => createHash('sha256').update(value).digest();
  return timingSafeEqual(digest(candidate), digest(token));
}

export function bearerToken(request: IncomingMessage): string | null {
  const header = request.headers.authorization;
  const match = header ? /^Bearer\s+(\S+)$/i.exec(header) : null;
  return match?.[1] ?? null;
}

/** The page's own cookie, per port, so two hosts on one machine do not mix. */
export const cookieName = (port: number): string => `reportstream_${port}`;

export function cookieToken(request: IncomingMessage, port: number): string | null {
  const name = cookieName(port);
  for (const part of (request.headers.cookie ?? '').split(';')) {
    const [key, ...value] = part.trim().split('=');
    if (key === name) return value.join('=');
  }
  return null;
}

/** HttpOnly and SameSite=Strict: the page's scripts never read it and no other site sends it. */
export const sessionCookie = (port: number, token: string): string => `${cookieName(port)}=${token}; HttpOnly; SameSite=Strict; Path=/`;
