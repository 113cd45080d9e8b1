import { SseParser } from './event-stream';

describe('SseParser', () => {
  it('reads events split anywhere across chunks, skipping comments', () => {
    const events: Array<{ id: string | null; event: string; data: string }> = [];
    const parser = new SseParser((e) => events.push(e));
    const text =
      ': keep-alive\n\nid: 7\nevent: job.started\ndata: {"a":\ndata: 1}\n\nid: 8\r\nevent: request.created\r\ndata: {}\r\n\r\n';
    for (const chunk of text.match(/.{1,5}/gs)!) parser.push(chunk);
    expect(events).toEqual([
      { id: '7', event: 'job.started', data: '{"a":\n1}' },
      { id: '8', event: 'request.created', data: '{}' },
    ]);
  });

  it('keeps the last id for events without one and names untyped events "message"', () => {
    const events: Array<{ id: string | null; event: string }> = [];
    const parser = new SseParser((e) => events.push(e));
    parser.push('id: 3\ndata: x\n\ndata: y\n\n');
    expect(events.map((e) => [e.id, e.event])).toEqual([
      ['3', 'message'],
      ['3', 'message'],
    ]);
  });
});
