"""Control for the demo: its warm start, then 1,000 REAL steps with the task's reward or with a random 0/1 reward (p = 0.3).

Usage: python bench/demo_control.py SEED real|random
Prints held-out greedy accuracy (the task's whole eval split) after the warm start and after RL, and records it in
bench/demo_control.json (one entry per seed and reward, replaced on a rerun), which the docs read. If the demo's held-out
gain came from anything but the reward (more steps, optimizer drift), the random reward would show it too.
"""
import sys, json, random, tempfile, time
from pathlib import Path
import torch
from real_nb.cli_core import DEMO
from real_nb.config import RLConfig
from real_nb.loop import train, sft, seed_everything
from real_nb.trainer import make_loss
from real_nb.data import arithmetic_task, distinct_problems, arithmetic_reward, TASK_CHARS
from real_nb.model import build_tiny_model
from real_nb.policy import load_policy
from real_nb.evaluate import evaluate_greedy
torch.set_num_threads(1)
seed, kind = int(sys.argv[1]), sys.argv[2]
kw = {k: v for k, v in DEMO.items() if k in RLConfig.__dataclass_fields__} | dict(seed=seed, eval_steps=0)
d = Path(tempfile.mkdtemp())
path = build_tiny_model(d/'model', chars=TASK_CHARS, hidden_size=DEMO['hidden_size'], num_layers=DEMO['num_layers'], seed=seed)
m, tok = load_policy(path, qlora=False, lora=False, gradient_checkpointing=False)
exs, ho = arithmetic_task(DEMO['n_examples'], seed=seed, difficulty=DEMO['difficulty']), distinct_problems(DEMO['difficulty'])
seed_everything(seed)
sft(m, tok, exs, RLConfig(**kw))
acc = lambda: round(evaluate_greedy(m, tok, ho, arithmetic_reward, 4, 256), 3)
a0 = acc()
rng = random.Random(seed)
rf = arithmetic_reward if kind == 'real' else (lambda p, c, a: float(rng.random() < 0.3))
t = time.perf_counter()
cfg = RLConfig(**kw | dict(sft_steps=0))
train(cfg, m, tok, exs, rf, make_loss('real', cfg), run_dir=d/'run', progress=False)
out = dict(seed=seed, reward=kind, heldout_after_warm_start=a0, heldout_after_rl=acc(),
           rl_seconds=round(time.perf_counter() - t, 1), date=time.strftime('%Y-%m-%d'))
print(json.dumps(out))
results = Path(__file__).parent/'demo_control.json'
runs = json.loads(results.read_text())['runs'] if results.exists() else []
runs = [r for r in runs if (r['seed'], r['reward']) != (seed, kind)] + [out]
results.write_text(json.dumps(dict(runs=sorted(runs, key=lambda r: (r['reward'], r['seed']))), indent=1) + '\n')
