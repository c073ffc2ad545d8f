// Where saved PostgreSQL passwords live. The engine only asks this interface;
// the desktop host backs it with Electron's safeStorage, the CLI and the
// browser host keep passwords in memory for the life of the process.

export interface SecretStore {
  /** Whether passwords can be kept safely, and if not, why. */
  status(): { available: boolean; reason?: string };
  save(profileId: string, password: string): void;
  load(profileId: string): string | undefined;
  remove(profileId: string): void;
}

export class MemorySecretStore implements SecretStore {
  private readonly passwords = new Map<string, string>();

  status(): { available: boolean; reason?: string } {
    return { available: true, reason: 'Passwords are kept in memory until the process exits.' };
  }
  save(profileId: string, password: string): void {
    this.passwords.set(profileId, password);
  }
  load(profileId: string): string | undefined {
    return this.passwords.get(profileId);
  }
  remove(profileId: string): void {
    this.passwords.delete(profileId);
  }
}
