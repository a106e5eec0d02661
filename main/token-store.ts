/**
 * Remote servers' tokens, kept by main. Remembered ones are encrypted with Electron's safeStorage (the OS keychain:
 * macOS Keychain, Windows DPAPI, libsecret/kwallet on Linux) and written as base64 blobs to one JSON file in the
 * user-data folder; the plain token exists only in main's memory. Where safeStorage has no real key (no keyring on
 * Linux: the 'basic_text' backend, a fixed password) nothing is written and the token lasts this session only.
 * The page never reads a token back: it asks main to connect to a URL "with the saved token".
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { SavedRemote } from '../native/api/client.js';

/** The parts of Electron's safeStorage this module uses (a fake in tests: there is no Electron binary under Node). */
export interface SafeStorageLike {
  isEncryptionAvailable(): boolean;
  encryptString(plain: string): Buffer;
  decryptString(encrypted: Buffer): string;
  /** Linux only: 'basic_text' means no keyring, the key is a constant. */
  getSelectedStorageBackend?(): string;
}

interface TokenFile {
  version: 1;
  remotes: Array<{ url: string; token: string }>;
}

export const MAX_SAVED_REMOTES = 20;

export class TokenStore {
  private readonly keychain = new Map<string, Buffer>();
  private readonly session = new Map<string, string>();

  constructor(
    private readonly file: string,
    private readonly safeStorage: SafeStorageLike,
  ) {
    try {
      const parsed = JSON.parse(readFileSync(file, 'utf8')) as Partial<TokenFile>;
      if (parsed.version === 1 && Array.isArray(parsed.remotes)) {
        for (const entry of parsed.remotes.slice(0, MAX_SAVED_REMOTES)) {
          if (typeof entry?.url === 'string' && typeof entry.token === 'string') this.keychain.set(entry.url, Buffer.from(entry.token, 'base64'));
        }
      }
    } catch {
      // none saved yet, or unreadable: start empty
    }
  }

  /** True when a remembered token can be encrypted by the OS. */
  canRemember(): boolean {
    if (!this.safeStorage.isEncryptionAvailable()) return false;
    return this.safeStorage.getSelectedStorageBackend?.() !== 'basic_text';
  }

  /**
   * Keeps `token` for `url`: in the keychain file when `remember` and the OS can encrypt, else in memory only.
   * Returns where it went.
   */
  put(url: string, token: string, remember: boolean): SavedRemote['storage'] {
    this.session.set(url, token);
    if (remember && this.canRemember()) {
      this.keychain.delete(url);
      this.keychain.set(url, this.safeStorage.encryptString(token));
      while (this.keychain.size > MAX_SAVED_REMOTES) this.keychain.delete(this.keychain.keys().next().value!);
      this.write();
      return 'keychain';
    }
    if (this.keychain.delete(url)) this.write();
    return 'session';
  }

  /** The token for `url`, or null; a blob the keychain can no longer decrypt (another user, a new key) is dropped. */
  get(url: string): string | null {
    const plain = this.session.get(url);
    if (plain !== undefined) return plain;
    const blob = this.keychain.get(url);
    if (!blob || !this.safeStorage.isEncryptionAvailable()) return null;
    try {
      const token = this.safeStorage.decryptString(blob);
      this.session.set(url, token);
      return token;
    } catch {
      this.keychain.delete(url);
      this.write();
      return null;
    }
  }

  list(): SavedRemote[] {
    const out: SavedRemote[] = [...this.keychain.keys()].map((url) => ({ url, storage: 'keychain' }));
    for (const url of this.session.keys()) if (!this.keychain.has(url)) out.push({ url, storage: 'session' });
    return out;
  }

  forget(url: string): void {
    this.session.delete(url);
    if (this.keychain.delete(url)) this.write();
  }

  private write(): void {
    const content: TokenFile = { version: 1, remotes: [...this.keychain].map(([url, blob]) => ({ url, token: blob.toString('base64') })) };
    mkdirSync(dirname(this.file), { recursive: true });
    const temporary = `${this.file}.tmp`;
    writeFileSync(temporary, `${JSON.stringify(content, null, 2)}\n`, { mode: 0o600 });
    renameSync(temporary, this.file);
  }
}
