import { sampleNetworks } from './test/networks';
for (const n of sampleNetworks(7, 8)) console.log(`--- batch ${n.batch} seed ${n.seed}\n${n.source}`);
