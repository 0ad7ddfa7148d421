/**
 * Child process: the backend stand-in for one run (options JSON in argv[2]). Prints its endpoint as one
 * JSON line, answers until SIGTERM; the stats are read over HTTP (STATS_PATH).
 */
import { type StandInOptions, startStandIn } from './standin/server.js';

const standIn = await startStandIn(JSON.parse(process.argv[2] ?? '') as StandInOptions);
process.stdout.write(`${JSON.stringify({ endpoint: standIn.endpoint })}\n`);
process.on('SIGTERM', () => {
  standIn.close().then(() => process.exit(0));
});
