"""Time the default `real-nb train` (the CPU demo) and check that REAL raises the sampled reward.

Usage: python bench/default_run.py [--seed N] [--threads 2]
Prints wall seconds, the mean sampled reward over the first 10% and the last 20% of RL steps, and their difference.
The bar: ≤ 180 s on a 2-core CPU and a difference ≥ 0.2.
"""
import argparse, json, os, subprocess, sys, tempfile, time
from pathlib import Path

p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
p.add_argument('--seed', type=int, default=0); p.add_argument('--threads', type=int, default=2)
p.add_argument('--output_dir', default=None)
a = p.parse_args()
out = Path(a.output_dir or tempfile.mkdtemp(prefix='real_nb_bench_')) / 'run'
cmd = [sys.executable, '-c', 'from real_nb.cli import main; main()', 'train', '--output_dir', str(out), '--seed', str(a.seed)]
t0 = time.perf_counter()
subprocess.run(cmd, check=True, env=os.environ | {'OMP_NUM_THREADS': str(a.threads)})
wall = time.perf_counter() - t0
r = [d['reward_mean'] for d in map(json.loads, (out / 'metrics.jsonl').read_text().splitlines()) if d.get('phase', 'rl') == 'rl']
r = [x if x is not None else 0.0 for x in r]
n1, n2 = max(1, len(r) // 10), max(1, len(r) // 5)
first, last = sum(r[:n1]) / n1, sum(r[-n2:]) / n2
print(json.dumps(dict(seed=a.seed, wall_seconds=round(wall, 1), rl_steps=len(r), reward_first10=round(first, 3),
                      reward_last20=round(last, 3), diff=round(last - first, 3),
                      passed=bool(wall <= 180 and last - first >= 0.2))))
