// Saved PostgreSQL passwords, encrypted with Electron's safeStorage (the OS
// keychain, DPAPI, or libsecret/kwallet) into one small JSON file of
// ciphertexts. When encryption is unavailable, or on Linux only the plain-text
// backend exists, status() says why and save() refuses: a password is never
// written in clear. safeStorage is passed in, so this runs under Node in the
// tests.
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { ReportError } from './engine/errors.ts';
import type { SecretStore } from './engine/secrets.ts';
import type { SecretChange, SecretsStatus } from './engine-relay.ts';

/** The part of Electron's `safeStorage` used here. */
export interface SafeStorageLike {
  isEncryptionAvailable(): boolean;
  encryptString(plainText: string): Buffer;
  decryptString(encrypted: Buffer): string;
  /** Linux only. */
  getSelectedStorageBackend?(): string;
}

type VaultFile = { version: 1; passwords: Record<string, string> };

export class SafeStorageSecretStore implements SecretStore {
  constructor(
    private readonly file: string,
    private readonly safeStorage: SafeStorageLike,
    private readonly platform: NodeJS.Platform = process.platform,
  ) {}

  status(): SecretsStatus {
    if (!this.safeStorage.isEncryptionAvailable()) {
      return { available: false, reason: 'this system offers no encryption for saved passwords (Electron safeStorage is unavailable)' };
    }
    if (this.platform === 'linux' && this.safeStorage.getSelectedStorageBackend?.() === 'basic_text') {
      return { available: false, reason: 'no system keyring (GNOME Keyring or KWallet) was found, and passwords are never kept in plain text' };
    }
    return { available: true };
  }

  save(profileId: string, password: string): void {
    const status = this.status();
    if (!status.available) throw new ReportError('Unsupported', `The password cannot be saved safely: ${status.reason}.`);
    const vault = this.read();
    vault.passwords[profileId] = this.safeStorage.encryptString(password).toString('base64');
    this.write(vault);
  }

  load(profileId: string): string | undefined {
    const encrypted = this.read().passwords[profileId];
    if (encrypted === undefined || !this.status().available) return undefined;
    try {
      return this.safeStorage.decryptString(Buffer.from(encrypted, 'base64'));
    } catch {
      // Encrypted under another user or keyring: as if never saved.
      return undefined;
    }
  }

  remove(profileId: string): void {
    const vault = this.read();
    if (!(profileId in vault.passwords)) return;
    delete vault.passwords[profileId];
    this.write(vault);
  }

  /** Every password that can be decrypted, for the engine process at start. */
  loadAll(): Record<string, string> {
    const passwords: Record<string, string> = {};
    for (const profileId of Object.keys(this.read().passwords)) {
      const password = this.load(profileId);
      if (password !== undefined) passwords[profileId] = password;
    }
    return passwords;
  }

  apply(change: SecretChange): void {
    if (change.op === 'save') this.save(change.profileId, change.password);
    else this.remove(change.profileId);
  }

  private read(): VaultFile {
    if (!existsSync(this.file)) return { version: 1, passwords: {} };
    try {
      const parsed = JSON.parse(readFileSync(this.file, 'utf8')) as Partial<VaultFile>;
      return { version: 1, passwords: { ...(parsed.passwords ?? {}) } };
    } catch {
      return { version: 1, passwords: {} };
    }
  }

  private write(vault: VaultFile): void {
    mkdirSync(dirname(this.file), { recursive: true });
    const temporary = `${this.file}.tmp`;
    writeFileSync(temporary, JSON.stringify(vault), { mode: 0o600 });
    try {
      renameSync(temporary, this.file);
    } catch (err) {
      rmSync(temporary, { force: true });
      throw err;
    }
  }
}
