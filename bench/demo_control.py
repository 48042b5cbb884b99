"""Control for the demo: its warm start, then 1,000 REAL steps with the task's reward or with a random 0/1 reward (p = 0.3).

Usage: python bench/demo_control.py SEED real|random
Prints held-out greedy accuracy (the task's whole eval split) after the warm start and after RL. If the demo's held-out gain
came from anything but the reward (more steps, optimizer drift), the random reward would show it too.
"""
import sys, json, random, tempfile, time; from pathlib import Path
import torch
from real_nb.cli import DEMO
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
d = Path(tempfile.mkdtemp()); path = build_tiny_model(d/'model', chars=TASK_CHARS, hidden_size=64, num_layers=2, seed=seed)
m, tok = load_policy(path, qlora=False, lora=False, gradient_checkpointing=False)
exs, ho = arithmetic_task(DEMO['n_examples'], seed=seed, difficulty=4), distinct_problems(4)
seed_everything(seed); sft(m, tok, exs, RLConfig(**kw))
acc = lambda: round(evaluate_greedy(m, tok, ho, arithmetic_reward, 4, 256), 3)
a0 = acc(); rng = random.Random(seed)
rf = arithmetic_reward if kind == 'real' else (lambda p, c, a: float(rng.random() < 0.3))
t = time.perf_counter(); cfg = RLConfig(**kw | dict(sft_steps=0))
train(cfg, m, tok, exs, rf, make_loss('real', cfg), run_dir=d/'run', progress=False)
print(json.dumps(dict(seed=seed, reward=kind, heldout_after_warm_start=a0, heldout_after_rl=acc(), rl_seconds=round(time.perf_counter() - t, 1))))
