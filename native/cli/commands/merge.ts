import { mergeParts } from '../../compute/matrix-shard.js';
import { defineCommand } from '../command.js';
import { describeMatrix } from './matrix.js';

const USAGE = 'svcca-studio merge PART.json... [--json]';

export const mergeCommand = defineCommand({
  name: 'merge',
  usage: USAGE,
  summary: 'the whole matrix from the parts of `matrix --shard K/N --out PART.json`: exactly what the unsharded matrix prints (a missing, duplicated or mismatched part is refused, naming it)',
  options: {},
  async run({ positionals }, io) {
    const result = mergeParts(positionals);
    io.result(result, () => describeMatrix(result));
    return 0;
  },
});
