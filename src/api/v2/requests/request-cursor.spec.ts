import { decodeCursor, encodeCursor } from './request-cursor';

describe('request list cursors', () => {
  it('round-trips the border id for its sort', () => {
    expect(decodeCursor(encodeCursor(42, '-deadline'), '-deadline')).toBe(42);
  });

  it('refuses a cursor of another sort and anything it did not make, naming the cursor', () => {
    expect(() => decodeCursor(encodeCursor(42, 'id'), 'priority')).toThrow(
      /cursor was made for sort=id/,
    );
    for (const junk of ['', '!!!', Buffer.from('{"b":"1","s":"id"}').toString('base64url')])
      expect(() => decodeCursor(junk, 'id')).toThrow(/^cursor is not a cursor this server made/);
  });
});
