'use strict';
// Writes dist/index.mjs: an ES module that re-exports the CommonJS build, so
// `import { getFeatures } from 'nic-offload'` works without a second compile.
const fs = require('fs');
const path = require('path');
const dist = path.join(__dirname, '..', 'dist');
const names = Object.keys(require(path.join(dist, 'index.js'))).filter((n) => n !== 'default' && n !== '__esModule');
const src = `import cjs from './index.js';\nexport default cjs;\nexport const { ${names.join(', ')} } = cjs;\n`;
fs.writeFileSync(path.join(dist, 'index.mjs'), src);
// The default export (the whole API, as `import nic from 'nic-offload'` gives it) is typed too.
fs.writeFileSync(path.join(dist, 'index.d.mts'), "import * as nic from './index.js';\nexport * from './index.js';\nexport default nic;\n");
