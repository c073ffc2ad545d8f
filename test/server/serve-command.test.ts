// `reportstream serve` as a user runs it: it prints a tokened loopback URL,
// serves the built app and the contract there, refuses a bad port, and stops
// cleanly on Ctrl+C.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, startCli } from '../support/cli.ts';

describe('reportstream serve', () => {
  let cacheDir: string;

  beforeAll(() => {
    cacheDir = mkdtempSync(join(tmpdir(), 'rs-serve-'));
  });
  afterAll(() => {
    rmSync(cacheDir, { recursive: true, force: true });
  });

  it('prints a tokened URL, serves the app and the contract there, and stops on Ctrl+C', async () => {
    const { child, done } = startCli(['serve', '--cache', cacheDir]);
    let stdout = '';
    const url = await new Promise<URL>((resolve, reject) => {
      child.stdout?.on('data', (chunk: Buffer) => {
        stdout += chunk.toString();
        const match = /running at (http:\/\/127\.0\.0\.1:\d+\/\?token=\S+)/.exec(stdout);
        if (match?.[1]) resolve(new URL(match[1]));
      });
      void done.then((result) => reject(new Error(`serve ended before printing its URL: ${result.stderr}`)));
    });
    try {
      const token = url.searchParams.get('token') ?? '';
      expect(token.length).toBeGreaterThanOrEqual(40);
      const page = await fetch(url);
      expect(page.status).toBe(200);
      expect(await page.text()).toMatch(/<div id="root">/);
      const info = await fetch(new URL('/api/getAppInfo', url), {
        method: 'POST',
        headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
        body: '{}',
      });
      expect(info.status).toBe(200);
      expect(await info.json()).toMatchObject({ ok: true, value: { host: 'browser' } });
      expect((await fetch(new URL('/api/getAppInfo', url), { method: 'POST', body: '{}' })).status).toBe(401);
    } finally {
      child.kill('SIGINT');
    }
    const result = await done;
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toMatch(/Stopping: running reports are kept/);
  }, 120_000);

  it('refuses a port that is not a TCP port, saying so', async () => {
    for (const port of ['abc', '0', '70000']) {
      const result = await runCli(['serve', '--port', port, '--cache', cacheDir]);
      expect(result.code, port).toBe(1);
      expect(result.stderr, port).toMatch(/error \[InvalidArgument\]: --port must be/);
    }
  });
});
