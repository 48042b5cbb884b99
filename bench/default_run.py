"""Time the default `real-nb train` (the CPU demo) and check that RL raises greedy accuracy on held-out problems.

Usage: python bench/default_run.py [--seeds 0 1 2] [--threads 2]
Runs the demo once per seed and prints, per seed: wall seconds (model build and warm start included), greedy accuracy on
the held-out problems (the task's eval split, never trained on) before the warm start (the freshly built model in
<run>/model), after it (the first eval row, step 0) and after RL (the last eval row), the gain RL adds, the sampled
reward over the first 10% / last 20% of RL steps, and pass/fail; then the means over the seeds.
The bar per seed: wall ≤ 180 s on a 2-core CPU and a held-out gain (last eval row − first) ≥ 0.20.
Writes the figures to bench/demo.json (`--results`), which the docs read.
Time it alone: `flock -x /work/coord/cpu.lock python bench/default_run.py`.
"""
import argparse, json, os, platform, subprocess, sys, tempfile, time
from pathlib import Path

p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
p.add_argument('--seeds', type=int, nargs='+', default=[0, 1, 2])
p.add_argument('--threads', type=int, default=2)
p.add_argument('--output_dir', default=None)
p.add_argument('--results', default=str(Path(__file__).parent/'demo.json'), help="the results file ('' for none)")
a = p.parse_args()
root = Path(a.output_dir or tempfile.mkdtemp(prefix='real_nb_bench_'))

def before_warm_start(run:Path)->float:
    "Greedy held-out accuracy of the untrained model the run built (`<run>/model`), on the run's held-out set."
    import torch
    from real_nb.cli_core import DEMO
    from real_nb.data import distinct_problems, arithmetic_reward
    from real_nb.policy import load_policy
    from real_nb.evaluate import evaluate_greedy
    torch.set_num_threads(1)
    m, tok = load_policy(run/'model', qlora=False, lora=False, gradient_checkpointing=False)
    return evaluate_greedy(m, tok, distinct_problems(DEMO['difficulty']), arithmetic_reward, DEMO['max_completion_length'], DEMO['per_device_train_batch_size'])

res = []
for seed in a.seeds:
    out = root/f'seed{seed}'
    cmd = [sys.executable, '-c', 'from real_nb.cli import main; main()', 'train', '--output_dir', str(out), '--seed', str(seed)]
    t0 = time.perf_counter()
    subprocess.run(cmd, check=True, env=os.environ | {'OMP_NUM_THREADS': str(a.threads)}, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wall = time.perf_counter() - t0
    rows = [json.loads(l) for l in (out/'metrics.jsonl').read_text().splitlines()]
    ev = [(d['step'], d['greedy_acc_heldout']) for d in rows if d.get('greedy_acc_heldout') is not None]
    r = [d['reward_mean'] or 0.0 for d in rows if d.get('phase', 'rl') == 'rl']
    n1, n2 = max(1, len(r) // 10), max(1, len(r) // 5)
    gain = ev[-1][1] - ev[0][1]
    d = dict(seed=seed, wall_seconds=round(wall, 1), rl_steps=len(r), heldout_problems=json.loads((out/'config.json').read_text())['run']['data']['heldout']['problems'],
             heldout_before_warm_start=round(before_warm_start(out), 3), heldout_after_warm_start=round(ev[0][1], 3),
             heldout_end=round(ev[-1][1], 3), heldout_gain=round(gain, 3), eval_steps=[s for s, _ in ev],
             reward_first10=round(sum(r[:n1]) / n1, 3), reward_last20=round(sum(r[-n2:]) / n2, 3), passed=bool(wall <= 180 and gain >= 0.2))
    print(json.dumps(d), flush=True)
    res.append(d)
keys = ['wall_seconds', 'heldout_before_warm_start', 'heldout_after_warm_start', 'heldout_end', 'heldout_gain',
        'reward_first10', 'reward_last20']
mean = dict(mean_over_seeds=a.seeds, **{k: round(sum(d[k] for d in res) / len(res), 3) for k in keys},
            min_gain=min(d['heldout_gain'] for d in res), min_wall=min(d['wall_seconds'] for d in res),
            max_wall=max(d['wall_seconds'] for d in res), all_passed=all(d['passed'] for d in res))
print(json.dumps(mean))
if a.results:
    import torch
    source = (f"python bench/default_run.py --seeds {' '.join(map(str, a.seeds))} --threads {a.threads}, "
              f"{time.strftime('%Y-%m-%d')}, torch {torch.__version__}, {os.cpu_count()} CPUs ({platform.machine()})")
    Path(a.results).write_text(json.dumps(dict(source=source, seeds=res, mean=mean), indent=1) + '\n')
