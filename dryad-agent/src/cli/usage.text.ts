import { DEFAULT_CONFIG_PATH } from '../config/agent.config';
import { FAULT_HELP } from '../simulate/fault-command.interpreter';

export const MAIN_USAGE = `dryad-agent - Leshy's agent for MuxPi boards

usage:
  dryad-agent init     [--config FILE]   write a commented config with a fresh UUID
  dryad-agent run      [--config FILE]   run the agent on this board
  dryad-agent fleet    --count N --server URL --token TOKEN [options]
                                         run N simulated boards in one process
  dryad-agent simulate --stm PATH --console PATH
                                         a simulated MuxPi STM and DUT on pseudo-terminals
  dryad-agent help [COMMAND]             more about a command
  dryad-agent --version

FILE defaults to ${DEFAULT_CONFIG_PATH}.`;

export const COMMAND_USAGE: Record<string, string> = {
  init: `usage: dryad-agent init [--config FILE]

Writes a commented TOML config with a fresh board UUID to FILE (default
${DEFAULT_CONFIG_PATH}) and exits. It never overwrites an existing file: the file
holds the board's identity. Edit server.url and server.token, then start
"dryad-agent run".`,

  run: `usage: dryad-agent run [--config FILE]

Runs the agent: registers with the Leshy server, serves control commands and
tester sessions over SSH, watches the STM and the DUT console. With no config at
FILE (default ${DEFAULT_CONFIG_PATH}) it writes one and exits asking you to edit it.

exit status: 0 stopped by SIGTERM/SIGINT, 78 the config needs attention,
1 the agent could not start (the message says why).`,

  fleet: `usage: dryad-agent fleet --count N --server URL --token TOKEN [options]

Runs N simulated boards in this process, each with its own UUID, SSH port, host
key, in-memory STM and DUT. Prints one line per board when it has registered,
then a summary, and runs until SIGINT/SIGTERM.

options:
  --count N          number of boards (1..1000)
  --server URL       the Leshy server, e.g. http://127.0.0.1:8487
  --token TOKEN      the agent token
  --caps K=V,...     caps of every board (board=sim is the default; UUID is added)
  --base-port P      board i listens on P+i; 0 (default) = a free port the first
                     time, then the same one again (kept in the data dir)
  --host ADDR        listen and advertise address (default 127.0.0.1)
  --data-dir DIR     keeps UUIDs, host keys and ports, so a restarted fleet keeps
                     its identities and addresses (default: a new temporary folder)
  --heartbeat-ms MS  heartbeat interval (default 30000)
  --log-level L      debug, info, warn (default) or error`,

  simulate: `usage: dryad-agent simulate --stm PATH --console PATH [--boot-line-ms MS]

Creates two pseudo-terminal pairs with socat; PATHs are the agent's ends (put them
in the config's stm.path and console.path). Runs the STM simulator and the
simulated DUT on the other ends, prints "ready" once both exist, and reads fault
commands on stdin, one a line, each answered with "ok" or "error: ...":

${FAULT_HELP}

Stops (removing both PATHs) on end of stdin, SIGINT or SIGTERM.`,
};
