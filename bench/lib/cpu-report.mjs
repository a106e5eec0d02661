// Preloaded into a benchmarked process (node --import): at exit, writes the CPU seconds it used (user + system, all
// of its threads) to $BENCH_CPU_REPORT, a figure the machine's other load does not inflate as it does wall time.
import { writeFileSync } from 'node:fs';

const target = process.env.BENCH_CPU_REPORT;
if (target) {
  process.on('exit', () => {
    const { user, system } = process.cpuUsage();
    writeFileSync(target, JSON.stringify({ cpu_seconds: (user + system) / 1e6 }));
  });
}
