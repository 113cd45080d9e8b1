import { DEMO_ADMIN, DEMO_TESTER } from './demo-lab';

/** What the demo prints once the lab is up: the tokens (shown this once) and what to try. */
export function nextSteps(o: {
  baseUrl: string;
  adminToken: string;
  testerToken: string;
  boards: number;
  flakyUuid: string;
  serverPid: number;
  logFile: string;
}): string {
  const S = o.baseUrl;
  return `
Tokens (shown this once; they end with the demo):
  admin  ${DEMO_ADMIN}:  ${o.adminToken}
  tester ${DEMO_TESTER.name}: ${o.testerToken}   (groups: ${DEMO_TESTER.groups.join(', ')})

Try next:
  Dashboard   ${S}/   (log in with a token above)
  CLI         leshy login --server ${S} --token <tester token>
              leshy workers
              leshy request --caps board=rpi4 --wait
              (leshy is "npm run leshy --" in this checkout, or on your PATH after "npm link")
  API v1      curl -s -X POST ${S}/api/v1/workers/list -d '{}'
              curl -s -X POST ${S}/api/v1/reqs/ -H 'Content-Type: application/json' \\
                -H "Authorization: Bearer <tester token>" -d '{"Priority":8,"Caps":{"board":"odroid-xu4"}}'
              curl -s -X POST ${S}/api/v1/reqs/list -d '{}'
  API v2      curl -s ${S}/api/v2/whoami -H "Authorization: Bearer <tester token>"
  Health      curl -s ${S}/health/ready
  Metrics     curl -s ${S}/metrics

The lab: ${o.boards} simulated boards (rpi4 for everyone, odroid-xu4 for the kernel group, nuc
for the graphics group: only admins see those). Board ${o.flakyUuid} (rpi4) fails now and then.
Server pid ${o.serverPid}, its log: ${o.logFile}
Ctrl-C stops the boards and the server and removes the demo's data.`;
}
