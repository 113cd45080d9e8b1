import { readFileSync } from 'node:fs';

/** One `curl -i` exchange recorded against upstream's server (test/fixtures/api-v1-wire.md). */
export interface Transcript {
  /** The `### ` heading, unique within the file. */
  title: string;
  section: string;
  method: string;
  /** Path and query, without scheme and host. */
  path: string;
  requestHeaders: Record<string, string>;
  /** undefined = curl sent no body. */
  requestBody?: string;
  status: number;
  statusText: string;
  /** Response headers in recorded order; repeated names kept. */
  headers: Array<[string, string]>;
  /** Response body with the trailing newlines curl's output adds removed. */
  body: string;
}

/** Splits a shell command line the way the recordings quote it (single quotes only). */
function shellWords(line: string): string[] {
  const words: string[] = [];
  const pattern = /'([^']*)'|(\S+)/g;
  let match: RegExpExecArray | null;
  while ((match = pattern.exec(line))) words.push(match[1] ?? match[2]);
  return words;
}

function parseCurl(
  line: string,
): Pick<Transcript, 'method' | 'path' | 'requestHeaders' | 'requestBody'> {
  const words = shellWords(line.replace(/^\$ /, ''));
  if (words[0] !== 'curl') throw new Error(`not a curl command: ${line}`);
  let method = 'GET';
  let url = '';
  const requestHeaders: Record<string, string> = {};
  let requestBody: string | undefined;
  for (let i = 1; i < words.length; i++) {
    const word = words[i];
    if (word === '-i') continue;
    else if (word === '-I') method = 'HEAD';
    else if (word === '-X') method = words[++i];
    else if (word === '-H') {
      const [name, ...value] = words[++i].split(':');
      requestHeaders[name.trim()] = value.join(':').trim();
    } else if (word === '--data-raw') requestBody = words[++i];
    else if (/^https?:\/\//.test(word)) url = word;
    else throw new Error(`unexpected curl argument ${word} in: ${line}`);
  }
  const parsed = /^https?:\/\/[^/]+(\/.*)$/.exec(url);
  if (!parsed) throw new Error(`no URL in: ${line}`);
  return { method, path: parsed[1], requestHeaders, requestBody };
}

/** Every transcript of the file, in document order. */
export function loadTranscripts(file: string): Transcript[] {
  const lines = readFileSync(file, 'utf8').split('\n');
  const transcripts: Transcript[] = [];
  let section = '';
  for (let i = 0; i < lines.length; i++) {
    if (lines[i].startsWith('## ')) section = lines[i].slice(3).trim();
    if (!lines[i].startsWith('### ')) continue;
    const title = lines[i].slice(4).trim();
    let j = i + 1;
    while (j < lines.length && lines[j].trim() !== '```') j++;
    const block: string[] = [];
    for (j++; j < lines.length && lines[j] !== '```'; j++) block.push(lines[j]);
    if (!block[0]?.startsWith('$ curl')) continue;
    const statusLine = /^HTTP\/1\.1 (\d{3}) (.*)$/.exec(block[1] ?? '');
    if (!statusLine) throw new Error(`no status line in transcript "${title}"`);
    const headers: Array<[string, string]> = [];
    let k = 2;
    for (; k < block.length && block[k] !== ''; k++) {
      const colon = block[k].indexOf(':');
      headers.push([block[k].slice(0, colon), block[k].slice(colon + 1).trim()]);
    }
    const body = block
      .slice(k + 1)
      .join('\n')
      .replace(/\n+$/, '');
    transcripts.push({
      title,
      section,
      ...parseCurl(block[0]),
      status: Number(statusLine[1]),
      statusText: statusLine[2],
      headers,
      body,
    });
  }
  return transcripts;
}
