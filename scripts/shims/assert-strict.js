// `node:assert/strict` for browser test bundles: the npm `assert` package's strict mode (it has no subpath).
module.exports = require('assert').strict;
