import type { Caps } from 'dryad-agent/protocol';
import type { CapsQuery } from '../../common/caps-query';

/**
 * A request's caps as API v1 shows them: upstream's clients decode Caps as map[string]string,
 * so a rule filed on API v2 (any of, a range, a negation) is shown as the JSON text of its
 * canonical v2 form, e.g. `"arch":"[\"arm64\",\"armv7\"]"` or `"ram_gb":"{\"min\":8}"`. The
 * whole ask stays visible, and a v1 client that files the shown caps again gets a request for
 * that literal value (no board has it: its note says so), never a silently wider ask.
 * Exact caps are shown as they are, so every request filed on API v1 looks as upstream's.
 */
export function capsForV1(caps: CapsQuery): Caps {
  const shown: Record<string, string> = {};
  for (const key in caps) {
    const want = caps[key];
    shown[key] = typeof want === 'string' ? want : JSON.stringify(want);
  }
  return shown;
}
