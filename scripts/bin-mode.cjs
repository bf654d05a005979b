// Makes the compiled CLI executable: tsc writes dist/cli/main.js without the x bit, and
// `npx shootdown` in this package runs the bin file directly.
const { chmodSync } = require('node:fs');
chmodSync(require('node:path').join(__dirname, '..', 'dist', 'cli', 'main.js'), 0o755);
