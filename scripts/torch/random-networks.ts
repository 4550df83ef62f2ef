/**
 * Writes test/fixtures/torch/networks/random-NN.cnn: networks nobody chose, drawn by the property test's
 * generator (test/networks.ts: every kind and option, branches, merges, both losses, batch 1–4) from a fixed
 * seed, so the PyTorch oracle (networks-input.ts, then networks.py) holds the engine to PyTorch on them too.
 *
 *     node --import tsx scripts/torch/random-networks.ts     # from the repository root; then the two steps above
 *
 * Deterministic: the same seed and count give the same files. Networks of fewer than four layers are skipped,
 * and batch 1 with a batchnorm (PyTorch raises "Expected more than 1 value per channel when training").
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { sampleNetworks } from '../../test/networks';

const ROOT = join(__dirname, '..', '..');
const SEED = 20261203;
const COUNT = 16;

const chosen = sampleNetworks(SEED, 400)
  .filter((n) => n.source.split('\n').filter((l) => /^l\d+:/.test(l)).length >= 4)
  // torch refuses batchnorm in training on one value per channel; the engine gives β alone there.
  .filter((n) => n.batch > 1 || !n.source.includes('batchnorm'))
  .slice(-COUNT);
chosen.forEach((n, i) => {
  const file = join(ROOT, 'test', 'fixtures', 'torch', 'networks', `random-${String(i + 1).padStart(2, '0')}.cnn`);
  writeFileSync(
    file,
    `# drawn by scripts/torch/random-networks.ts (seed ${SEED}, #${i + 1})\nsample batch=${n.batch} seed=${n.seed}\n${n.source}\n`,
  );
});
console.log(`wrote ${chosen.length} networks`);
