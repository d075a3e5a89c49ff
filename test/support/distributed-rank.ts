// One rank of the loopback process group used by test/distributed.test.ts; reads the
// torchrun-style variables from its environment and prints the check's result as JSON.
import { distributedCheck, distributedConfigFromEnv } from '../../lib/distributed';

const config = distributedConfigFromEnv();
if (!config) throw new Error('WORLD_SIZE is not set');
distributedCheck(config)
  .then((result) => process.stdout.write(JSON.stringify(result)))
  .catch((error: Error & { code?: string }) => {
    process.stderr.write(`${error.code}: ${error.message}\n`);
    process.exit(1);
  });
