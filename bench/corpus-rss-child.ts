// Runs `cli.ts embed` with the given arguments in this process and prints its
// peak resident set (the model worker thread included) for bench/corpus-job.ts.
import { runEmbedCommand } from '../src/cli/embed.ts';

const code = await runEmbedCommand(process.argv.slice(2));
process.stdout.write(`PEAK_RSS ${process.resourceUsage().maxRSS * 1024}\n`);
process.exitCode = code;
