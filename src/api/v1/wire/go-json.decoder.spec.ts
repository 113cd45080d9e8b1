import { ReqInfoType, RequestsListSpecType, GroupsType, WorkerStatePackType } from './boruta.types';
import { decodeGoJson, GoJsonError } from './go-json.decoder';

/**
 * What Go 1.19's json.NewDecoder(body).Decode(&v) returns for these bodies (checked against a
 * go1.19.8 build, the one upstream was recorded with, with upstream's type definitions).
 */
function error(type: Parameters<typeof decodeGoJson>[0], body: string): string {
  try {
    decodeGoJson(type, Buffer.from(body, 'utf8'));
  } catch (caught) {
    if (caught instanceof GoJsonError) return caught.isEof ? 'EOF' : caught.message;
    throw caught;
  }
  return 'no error';
}

describe('Go-compatible JSON decoding', () => {
  it('reports EOF for no value and unexpected EOF for a cut one', () => {
    expect(error(ReqInfoType, '')).toBe('EOF');
    expect(error(ReqInfoType, ' \n\t')).toBe('EOF');
    expect(error(ReqInfoType, '{"Priority":')).toBe('unexpected EOF');
    expect(error(ReqInfoType, '{"Caps":{"a":"b')).toBe('unexpected EOF');
    expect(error(ReqInfoType, 'tru')).toBe('unexpected EOF');
  });

  it("names the offending character and the scanner's state as Go does", () => {
    expect(error(ReqInfoType, 'x')).toBe("invalid character 'x' looking for beginning of value");
    expect(error(ReqInfoType, '{x')).toBe(
      "invalid character 'x' looking for beginning of object key string",
    );
    expect(error(ReqInfoType, '{"a" 1}')).toBe("invalid character '1' after object key");
    expect(error(ReqInfoType, '{"a":1 "b":2}')).toBe(
      `invalid character '"' after object key:value pair`,
    );
    expect(error(GroupsType, '["a" "b"]')).toBe(`invalid character '"' after array element`);
    expect(error(ReqInfoType, '{"a":01}')).toBe(
      "invalid character '1' after object key:value pair",
    );
    expect(error(ReqInfoType, '{"a":-x}')).toBe("invalid character 'x' in numeric literal");
    expect(error(ReqInfoType, '{"a":1.}')).toBe(
      "invalid character '}' after decimal point in numeric literal",
    );
    expect(error(ReqInfoType, '{"a":1e}')).toBe(
      "invalid character '}' in exponent of numeric literal",
    );
    expect(error(ReqInfoType, '{"a":nul}')).toBe(
      "invalid character '}' in literal null (expecting 'l')",
    );
    expect(error(ReqInfoType, '{"a":"\\x"}')).toBe("invalid character 'x' in string escape code");
    expect(error(ReqInfoType, '{"a":"\n"}')).toBe("invalid character '\\n' in string literal");
    expect(error(ReqInfoType, "{'a':1}")).toBe(
      "invalid character '\\'' looking for beginning of object key string",
    );
    expect(error(ReqInfoType, '{"a":"\\u12x4"}')).toBe(
      "invalid character 'x' in \\u hexadecimal character escape",
    );
  });

  it('reads only the first value of the body, as json.Decoder does', () => {
    expect(error(ReqInfoType, '{"Priority":8} trailing garbage')).toBe('no error');
    expect(error(ReqInfoType, '12x')).toBe(
      'json: cannot unmarshal number into Go value of type boruta.ReqInfo',
    );
    expect(error(ReqInfoType, '"x" y')).toBe(
      'json: cannot unmarshal string into Go value of type boruta.ReqInfo',
    );
  });

  it('gives the type errors of upstream, first one wins', () => {
    expect(error(ReqInfoType, '{"Priority":"high"}')).toBe(
      'json: cannot unmarshal string into Go struct field ReqInfo.Priority of type boruta.Priority',
    );
    expect(error(ReqInfoType, '{"Priority":300}')).toBe(
      'json: cannot unmarshal number 300 into Go struct field ReqInfo.Priority of type boruta.Priority',
    );
    expect(error(ReqInfoType, '{"Priority":-1,"ID":"x"}')).toBe(
      'json: cannot unmarshal number -1 into Go struct field ReqInfo.Priority of type boruta.Priority',
    );
    expect(error(ReqInfoType, '{"Priority":8.5}')).toBe(
      'json: cannot unmarshal number 8.5 into Go struct field ReqInfo.Priority of type boruta.Priority',
    );
    expect(error(ReqInfoType, '{"Caps":{"a":1}}')).toBe(
      'json: cannot unmarshal number into Go struct field ReqInfo.Caps of type string',
    );
    expect(error(ReqInfoType, '{"Owner":{"Groups":"g"}}')).toBe(
      'json: cannot unmarshal string into Go struct field UserInfo.Owner.Groups of type boruta.Groups',
    );
    expect(error(ReqInfoType, '{"Job":5}')).toBe(
      'json: cannot unmarshal number into Go struct field ReqInfo.Job of type boruta.JobInfo',
    );
    expect(error(ReqInfoType, '[1]')).toBe(
      'json: cannot unmarshal array into Go value of type boruta.ReqInfo',
    );
    expect(error(GroupsType, '{"a":1}')).toBe(
      'json: cannot unmarshal object into Go value of type boruta.Groups',
    );
    expect(error(GroupsType, '["a",1]')).toBe(
      'json: cannot unmarshal number into Go value of type boruta.Group',
    );
    expect(error(RequestsListSpecType, '{"Filter":{"IDs":["a"]}}')).toBe(
      'json: cannot unmarshal string into Go struct field Requests.Filter.IDs of type boruta.ReqID',
    );
    expect(error(RequestsListSpecType, '{"Paginator":{"Limit":70000}}')).toBe(
      'json: cannot unmarshal number 70000 into Go struct field RequestsPaginator.Paginator.Limit of type uint16',
    );
    expect(error(WorkerStatePackType, '{"WorkerState":1}')).toBe(
      'json: cannot unmarshal number into Go struct field WorkerStatePack.WorkerState of type boruta.WorkerState',
    );
  });

  it('stops at the first error of a TextUnmarshaler or time.Time', () => {
    expect(error(RequestsListSpecType, '{"Sorter":{"Order":"sideways"},"Filter":5}')).toBe(
      'unknown sort order (valid: ascending or descending)',
    );
    expect(error(RequestsListSpecType, '{"Paginator":{"Direction":"up"}}')).toBe(
      'unknown direction (valid: forward or backward)',
    );
    expect(error(RequestsListSpecType, '{"Sorter":{"Order":1}}')).toBe(
      'json: cannot unmarshal number into Go struct field SortInfo.Sorter.Order of type boruta.SortOrder',
    );
    expect(error(ReqInfoType, '{"Deadline":"tomorrow"}')).toBe(
      'parsing time "\\"tomorrow\\"" as "\\"2006-01-02T15:04:05Z07:00\\"": cannot parse "tomorrow\\"" as "2006"',
    );
    expect(error(ReqInfoType, '{"Deadline":"2099-13-01T00:00:00Z"}')).toBe(
      'parsing time "\\"2099-13-01T00:00:00Z\\"": month out of range',
    );
    expect(error(ReqInfoType, '{"Deadline":"2099-02-30T00:00:00Z"}')).toBe(
      'parsing time "\\"2099-02-30T00:00:00Z\\"": day out of range',
    );
    expect(error(ReqInfoType, '{"Deadline":"2099-01-01 00:00:00Z"}')).toBe(
      'parsing time "\\"2099-01-01 00:00:00Z\\"" as "\\"2006-01-02T15:04:05Z07:00\\"": cannot parse " 00:00:00Z\\"" as "T"',
    );
    expect(error(ReqInfoType, '{"Deadline":"99-01-01T00:00:00Z"}')).toBe(
      'parsing time "\\"99-01-01T00:00:00Z\\"" as "\\"2006-01-02T15:04:05Z07:00\\"": cannot parse "1-01T00:00:00Z\\"" as "2006"',
    );
    expect(error(ReqInfoType, '{"Deadline":5}')).toBe(
      'parsing time "5" as "\\"2006-01-02T15:04:05Z07:00\\"": cannot parse "5" as "\\""',
    );
    expect(error(ReqInfoType, '{"Deadline":"2099-01-01T00:00:00Zx"}')).toBe(
      'parsing time "\\"2099-01-01T00:00:00Zx\\"" as "\\"2006-01-02T15:04:05Z07:00\\"": cannot parse "x\\"" as "\\""',
    );
  });

  it('decodes what upstream accepts: case-insensitive names, base64 []uint8, zones, fractions', () => {
    const info = decodeGoJson<{
      Priority: number;
      Deadline: { epochMs: number };
      Caps: Map<string, string>;
    }>(
      ReqInfoType,
      Buffer.from(
        '{"priority":4,"DEADLINE":"2099-01-01T01:00:00.123456789+01:00","caps":{"b":"1"},"x":[1]}',
      ),
    );
    expect(info.Priority).toBe(4);
    expect(new Date(info.Deadline.epochMs).toISOString()).toBe('2099-01-01T00:00:00.123Z');
    expect([...info.Caps]).toEqual([['b', '1']]);
    const list = decodeGoJson<{ Filter: { Priorities: number[] } }>(
      RequestsListSpecType,
      Buffer.from('{"Filter":{"Priorities":"AwQ="}}'),
    );
    expect(list.Filter.Priorities).toEqual([3, 4]);
    expect(error(RequestsListSpecType, '{"Filter":{"Priorities":"A"}}')).toBe(
      'illegal base64 data at input byte 0',
    );
    expect(error(RequestsListSpecType, '{"Filter":{"Priorities":"A*=="}}')).toBe(
      'illegal base64 data at input byte 1',
    );
  });

  it("treats Go's zero time as unset and null as no change", () => {
    const info = decodeGoJson<{ ValidAfter: { isZero: boolean }; Deadline: null; Job: null }>(
      ReqInfoType,
      Buffer.from('{"ValidAfter":"0001-01-01T00:00:00Z","Deadline":null,"Job":null}'),
    );
    expect(info.ValidAfter.isZero).toBe(true);
    expect(info.Deadline).toBeNull();
    expect(info.Job).toBeNull();
  });
});
