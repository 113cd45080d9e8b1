import { prettyLogs } from './create-logger';

describe('prettyLogs', () => {
  const terminal = { isTerminal: true, colors: true };
  const pipe = { isTerminal: false, colors: false };
  it('is pretty on a terminal and JSON elsewhere by default', () => {
    expect(prettyLogs({ level: 'info', format: 'auto' }, terminal)).toBe(true);
    expect(prettyLogs({ level: 'info', format: 'auto' }, pipe)).toBe(false);
  });
  it('does what LESHY_LOG_FORMAT says when it is set', () => {
    expect(prettyLogs({ level: 'info', format: 'json' }, terminal)).toBe(false);
    expect(prettyLogs({ level: 'info', format: 'pretty' }, pipe)).toBe(true);
  });
});
