// training/data.py, the batches the default model trains on: the fill-in-the-middle transform and how FIM
// samples are packed into rows. Runs Debian's python3 with numpy (.ci/run installs it); skipped elsewhere.
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';

function findPython(): string | undefined {
  for (const py of [process.env.PYTHON, '/usr/bin/python3', 'python3'].filter(Boolean) as string[]) {
    if (spawnSync(py, ['-c', 'import numpy'], { stdio: 'ignore' }).status === 0) return py;
  }
  return undefined;
}

const python = findPython();
const skip = python ? false : process.env.CI ? false : 'needs python3 with numpy (apt-get install python3-numpy)';

function runPython(code: string): void {
  const r = spawnSync(python!, ['-c', code], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout.trim(), 'ok');
}

test('data.py: FIM rows keep every token once, in PSM or SPM order, ending in <|endoftext|>', { skip }, () => {
  runPython(`
import sys, numpy as np
sys.path.insert(0, 'training')
from data import fim_row, get_batch, EOT, FIM_PREFIX, FIM_MIDDLE, FIM_SUFFIX
rng = np.random.default_rng(0)
w = np.arange(1, 101, dtype=np.uint16)
for spm in (0.0, 1.0):
    for _ in range(50):
        r = fim_row(w, rng, spm)
        assert len(r) == len(w), len(r)
        assert r[-1] == EOT and r[0] == FIM_PREFIX
        body = [t for t in r.tolist() if t not in (EOT, FIM_PREFIX, FIM_MIDDLE, FIM_SUFFIX)]
        assert sorted(body) == list(range(1, 97)), 'every token of the window but the last 4, once'
        s, m = r.tolist().index(FIM_SUFFIX), r.tolist().index(FIM_MIDDLE)
        assert spm == 0.0 or s == 1, 'SPM puts the suffix sentinel right after the prefix sentinel'
        assert s < m
# Line-shaped middles: the middle ends where a newline token starts the suffix.
newline = np.zeros(50284, dtype=bool); newline[198] = True
w = np.array(([11, 12, 13, 14, 198] * 20)[:100], dtype=np.uint16)
for _ in range(50):
    r = fim_row(w, rng, 0.0, newline, line_rate=1.0).tolist()
    s, m = r.index(FIM_SUFFIX), r.index(FIM_MIDDLE)
    assert r[s + 1] == 198, 'the suffix starts with the newline'
    assert 198 not in r[m + 1:-1] or r[m + 1:-1].count(198) <= 3, 'at most a few whole lines in the middle'
    assert len(r) == len(w) and r[-1] == EOT
x, y = get_batch(np.arange(1000, dtype=np.uint16) % 500, 8, 16, rng, fim_rate=0.0)
assert x.shape == (8, 16) and (x[:, 1:] == y[:, :-1]).all()
print('ok')
`);
});

test('data.py: FIM samples are packed per chunk, so each end token follows its middle, anywhere in the context', { skip }, () => {
  // The flaw this guards against: FIM rows built from whole windows put <|endoftext|> at the last slot every
  // time, and the model learned to stop when the context is full instead of where the suffix begins.
  runPython(`
import sys, numpy as np
sys.path.insert(0, 'training')
from data import get_batch, EOT, FIM_PREFIX, FIM_MIDDLE, FIM_SUFFIX
rng = np.random.default_rng(1)
# Documents of 50..600 tokens (ids 1..999), separated by the end token, as the corpus stores them.
docs = [np.append(rng.integers(1, 1000, size=int(rng.integers(50, 600))), EOT) for _ in range(400)]
data = np.concatenate(docs).astype(np.uint16)
newline = np.zeros(50284, dtype=bool); newline[1:100] = True
ctx, ends, samples, starts, rows = 256, [], 0, 0, 0
for line_rate in (0.0, 1.0):
    x, y = get_batch(data, 400, ctx, rng, fim_rate=1.0, newline=newline, line_rate=line_rate)
    for row in np.concatenate([x[:, :1], y], axis=1).tolist():
        starts += row[0] == FIM_PREFIX; rows += 1
        at = 0
        while FIM_PREFIX in row[at:]:
            p = row.index(FIM_PREFIX, at)
            m = row.index(FIM_MIDDLE, p)
            assert FIM_SUFFIX in row[p:m], 'prefix and suffix come before the middle'
            assert EOT in row[m:], 'every middle is followed by its end token'
            e = row.index(EOT, m)
            assert EOT not in row[p:m], 'a sample never spans two documents'
            ends.append(e)
            samples += 1
            at = e + 1
ends = np.array(ends)
assert samples > 800 and starts > 0.9 * rows, (samples, starts, rows)
last = ctx  # index of the last target in a row of ctx + 1 tokens
assert (ends == last).mean() < 0.02, f'end token pinned to the last slot in {(ends == last).mean():.0%} of samples'
q10, q50, q90 = np.quantile(ends, [0.1, 0.5, 0.9])
assert q10 < ctx * 0.3 and q90 > ctx * 0.7 and ctx * 0.2 < q50 < ctx * 0.8, (q10, q50, q90)
print('ok')
`);
});
