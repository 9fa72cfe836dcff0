/** npm run restore -- <dir>: restores a verified backup into an empty DATA_DIR (and an empty DATABASE_URL). */
import { restoreBackup } from '../restore-backup';
import { installationFromEnv } from './installation-env';

const dir = process.argv[2];
if (!dir) {
  console.error('usage: npm run restore -- <dir>');
  process.exit(2);
}
restoreBackup(dir, installationFromEnv()).then(
  ({ ms }) => console.log(`restored ${dir} in ${(ms / 1000).toFixed(1)} s`),
  (e) => {
    console.error(`restore refused: ${(e as Error).message}`);
    process.exit(1);
  },
);
