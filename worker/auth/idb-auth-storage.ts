// The profile's sessions on disk: one IndexedDB database, one string per key (auth-js stores its
// session as JSON under the scope's key), so a session survives a worker replacement and a browser
// restart. A stored value that is not a string (corrupt, or written by something else) is dropped
// and reads as no session: the user signs in again, and nothing half-read reaches auth-js.
import { openDB, type DBSchema, type IDBPDatabase } from 'idb';
import { AUTH_DATABASE } from '../../contract/names.js';
import type { AuthStorage } from './auth-storage.js';

interface AuthSchema extends DBSchema {
  items: { key: string; value: unknown };
}

export class IdbAuthStorage implements AuthStorage {
  private db: Promise<IDBPDatabase<AuthSchema>> | undefined;

  async getItem(key: string): Promise<string | null> {
    const db = await this.open();
    const value = await db.get('items', key);
    if (value === undefined || typeof value === 'string') return value ?? null;
    await db.delete('items', key);
    return null;
  }

  async setItem(key: string, value: string): Promise<void> {
    await (await this.open()).put('items', value, key);
  }

  async removeItem(key: string): Promise<void> {
    await (await this.open()).delete('items', key);
  }

  private open(): Promise<IDBPDatabase<AuthSchema>> {
    this.db ??= openDB<AuthSchema>(AUTH_DATABASE, 1, {
      upgrade: (database) => void database.createObjectStore('items'),
    });
    return this.db;
  }
}
