import type { AuthorizedKeysWriter, FileOwner } from '../access/authorized-keys.file';

/** Records authorized_keys writes instead of touching any home directory. */
export class FakeKeysWriter implements AuthorizedKeysWriter {
  readonly writes: { home: string; owner: FileOwner; content: string }[] = [];

  async write(home: string, owner: FileOwner, content: string): Promise<void> {
    this.writes.push({ home, owner, content });
  }
}
