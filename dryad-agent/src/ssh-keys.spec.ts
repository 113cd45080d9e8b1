import { utils } from 'ssh2';
import { generateEd25519KeyPair } from './ssh-keys';

describe('generateEd25519KeyPair', () => {
  it('only returns pairs that parse (ssh2 alone gets about 1 in 200 wrong)', () => {
    for (let i = 0; i < 1000; i++) {
      const pair = generateEd25519KeyPair();
      expect(utils.parseKey(pair.private)).not.toBeInstanceOf(Error);
      expect(utils.parseKey(pair.public)).not.toBeInstanceOf(Error);
    }
  });
});
