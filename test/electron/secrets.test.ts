// Saved passwords: encrypted through safeStorage into the vault file, never
// written in clear, and refused when the system has no real encryption.
// safeStorage is Electron's; this one encrypts with AES so the file can be read back.
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ReportService } from '../../src-main/engine/service.ts';
import { SafeStorageSecretStore, type SafeStorageLike } from '../../src-main/secrets-electron.ts';

function keyringStorage(options: { available?: boolean; backend?: string } = {}): SafeStorageLike {
  const key = randomBytes(32);
  return {
    isEncryptionAvailable: () => options.available ?? true,
    getSelectedStorageBackend: () => options.backend ?? 'gnome_libsecret',
    encryptString: (text) => {
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', key, iv);
      const body = Buffer.concat([cipher.update(text, 'utf8'), cipher.final()]);
      return Buffer.concat([iv, cipher.getAuthTag(), body]);
    },
    decryptString: (data) => {
      const decipher = createDecipheriv('aes-256-gcm', key, data.subarray(0, 12));
      decipher.setAuthTag(data.subarray(12, 28));
      return Buffer.concat([decipher.update(data.subarray(28)), decipher.final()]).toString('utf8');
    },
  };
}

describe('passwords through safeStorage', () => {
  const dirs: string[] = [];
  const vaultFile = () => {
    const dir = mkdtempSync(join(tmpdir(), 'rs-vault-'));
    dirs.push(dir);
    return join(dir, 'passwords.json');
  };
  afterEach(() => dirs.splice(0).forEach((dir) => rmSync(dir, { recursive: true, force: true })));

  it('stores only ciphertext and reads it back', () => {
    const file = vaultFile();
    const storage = keyringStorage();
    const store = new SafeStorageSecretStore(file, storage, 'linux');
    expect(store.status()).toEqual({ available: true });
    store.save('p1', 'correct horse battery staple');
    store.save('p2', 'second');
    expect(readFileSync(file, 'utf8')).not.toContain('correct horse');
    expect(new SafeStorageSecretStore(file, storage, 'linux').load('p1')).toBe('correct horse battery staple');
    expect(store.loadAll()).toEqual({ p1: 'correct horse battery staple', p2: 'second' });
    store.remove('p1');
    expect(store.load('p1')).toBeUndefined();
    expect(store.loadAll()).toEqual({ p2: 'second' });
  });

  it('refuses to save when encryption is unavailable, and writes nothing', () => {
    const file = vaultFile();
    const store = new SafeStorageSecretStore(file, keyringStorage({ available: false }), 'win32');
    expect(store.status()).toMatchObject({ available: false, reason: expect.stringMatching(/encryption/) });
    expect(() => store.save('p1', 'hunter2')).toThrow(expect.objectContaining({ kind: 'Unsupported' }));
    expect(existsSync(file)).toBe(false);
  });

  it('treats Linux’s plain-text backend as unavailable', () => {
    const file = vaultFile();
    const store = new SafeStorageSecretStore(file, keyringStorage({ backend: 'basic_text' }), 'linux');
    expect(store.status()).toMatchObject({ available: false, reason: expect.stringMatching(/keyring/) });
    expect(() => store.save('p1', 'hunter2')).toThrow();
    expect(existsSync(file)).toBe(false);
    // The same backend name means nothing on other systems.
    expect(new SafeStorageSecretStore(file, keyringStorage({ backend: 'basic_text' }), 'darwin').status()).toEqual({ available: true });
  });

  it('forgets a password that another keyring encrypted instead of failing', () => {
    const file = vaultFile();
    new SafeStorageSecretStore(file, keyringStorage(), 'linux').save('p1', 'old machine');
    const elsewhere = new SafeStorageSecretStore(file, keyringStorage(), 'linux');
    expect(elsewhere.load('p1')).toBeUndefined();
    expect(elsewhere.loadAll()).toEqual({});
  });

  it('survives a damaged vault file', () => {
    const file = vaultFile();
    writeFileSync(file, '{ not json');
    const store = new SafeStorageSecretStore(file, keyringStorage(), 'linux');
    expect(store.load('p1')).toBeUndefined();
    store.save('p1', 'fresh');
    expect(store.load('p1')).toBe('fresh');
  });

  it('a service whose store cannot encrypt refuses a password with Unsupported and saves nothing; without a password the source is saved', async () => {
    const file = vaultFile();
    const service = await ReportService.open({ cacheDir: dirname(file), secrets: new SafeStorageSecretStore(file, keyringStorage({ backend: 'basic_text' }), 'linux') });
    try {
      const input = { name: 'sales', host: '127.0.0.1', port: 5432, database: 'sales', user: 'analyst', sslMode: 'disable' as const };
      await expect(service.saveSource({ ...input, password: 'hunter2' })).rejects.toMatchObject({
        kind: 'Unsupported',
        message: expect.stringMatching(/cannot be saved safely on this machine: no system keyring .* Nothing was stored in clear/),
      });
      expect((await service.listSources()).filter((s) => s.ref.type === 'postgres')).toEqual([]);
      expect(existsSync(file)).toBe(false);
      const saved = await service.saveSource(input);
      expect(saved).toMatchObject({ name: 'sales', hasPassword: false });
      expect(JSON.stringify(await service.listSources())).not.toContain('hunter2');
    } finally {
      await service.close();
    }
  });
});
