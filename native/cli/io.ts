import type { CommandIO } from './command.js';

export function createIO(json: boolean, stdout: NodeJS.WriteStream = process.stdout, stderr: NodeJS.WriteStream = process.stderr): CommandIO {
  let lastDraw = 0;
  let drawn = false;
  const startedAt = Date.now();
  return {
    json,
    result(value, human) {
      if (drawn) {
        stderr.write('\n');
        drawn = false;
      }
      stdout.write(json ? `${JSON.stringify(value)}\n` : `${human()}\n`);
    },
    info(line) {
      if (!json) stderr.write(`${line}\n`);
    },
    progress(done, total, label) {
      if (json || !stderr.isTTY) return;
      const now = Date.now();
      if (done < total && now - lastDraw < 100) return;
      lastDraw = now;
      const width = 30;
      const fraction = total > 0 ? Math.min(1, done / total) : 0;
      const filled = Math.round(fraction * width);
      const seconds = (now - startedAt) / 1000;
      const rate = seconds > 0 ? done / seconds : 0;
      stderr.write(`\r${label} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${total} ${rate.toFixed(0)}/s `);
      drawn = true;
      if (done >= total) {
        stderr.write('\n');
        drawn = false;
      }
    },
  };
}
