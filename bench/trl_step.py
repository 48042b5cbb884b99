"""Step time of REALTrainer next to TRL's GRPOTrainer on the same tiny settings (a benchmark, not a test).

Usage:
  python bench/trl_step.py                      # CPU: tiny Qwen2, 20 optimizer steps per trainer and layout
  python bench/trl_step.py --steps 40 --hidden 128

Both trainers get identical configs (REALConfig only adds REAL's fields), the same model weights, data and
seed. Two layouts: on-policy (steps_per_generation = GA: REAL needs no extra forward) and off-policy
(num_iterations = 2: REAL adds a no-grad forward over the step's rows, like TRL's old log-probs). Prints, per
trainer and layout, the median over steps (after the first, which warms up) of TRL's own `step_time` metric
(seconds per optimizer step, generation included) and REAL / GRPO ratios.
"""
import argparse, statistics, tempfile, warnings
from pathlib import Path
import torch

def run(cls_cfg, path, steps, **kw):
    "Train `steps` optimizer steps; return TRL's logged step_time of each step."
    from datasets import Dataset
    from transformers import AutoModelForCausalLM
    from transformers.trainer_callback import PrinterCallback
    from real_nb.model import char_tokenizer
    trainer_cls, cfg_cls = cls_cfg
    ds = Dataset.from_dict({'prompt': [f'{a}+{b}=' for a in range(10) for b in range(10)]})
    def parity(completions, **_): return [float(sum(map(ord, c)) % 2) for c in completions]
    args = cfg_cls(output_dir=str(path/'out'), per_device_train_batch_size=8, gradient_accumulation_steps=2,
                   num_generations=4, max_completion_length=16, learning_rate=1e-3, max_steps=steps,
                   logging_steps=1, report_to='none', save_strategy='no', use_cpu=not torch.cuda.is_available(),
                   bf16=False, seed=0, disable_tqdm=True, log_level='error', **kw)
    torch.manual_seed(0)
    model = AutoModelForCausalLM.from_pretrained(path/'tiny', dtype=torch.float32)
    tr = trainer_cls(model=model, reward_funcs=parity, args=args, train_dataset=ds,
                     processing_class=char_tokenizer())
    tr.remove_callback(PrinterCallback)
    tr.train()
    return [h['step_time'] for h in tr.state.log_history if 'step_time' in h]

def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--steps', type=int, default=20)
    p.add_argument('--hidden', type=int, default=64)
    p.add_argument('--layers', type=int, default=2)
    a = p.parse_args()
    warnings.filterwarnings('ignore')
    from trl import GRPOConfig, GRPOTrainer
    from real_nb.trl import REALConfig
    from real_nb.trl import REALTrainer
    from real_nb.model import build_tiny_model
    path = Path(tempfile.mkdtemp())
    build_tiny_model(path/'tiny', arch='qwen2', hidden_size=a.hidden, num_layers=a.layers, num_heads=4)
    device = 'cuda' if torch.cuda.is_available() else 'cpu'
    print(f"tiny Qwen2 hidden {a.hidden}, {a.layers} layers; 8 rows/micro-batch, GA 2, G 4, "
          f"16-token completions; {a.steps} steps; {device}, {torch.get_num_threads()} threads")
    for name, kw in (('on-policy', {}), ('off-policy (num_iterations=2)', dict(num_iterations=2))):
        med = {}
        for label, cc in (('GRPOTrainer', (GRPOTrainer, GRPOConfig)),
                          ('REALTrainer', (REALTrainer, REALConfig))):
            t = run(cc, path, a.steps, **kw)[1:]
            med[label] = statistics.median(t)
            print(f"{name:30s} {label:12s} median step {med[label] * 1e3:8.1f} ms  "
                  f"(min {min(t) * 1e3:.1f}, max {max(t) * 1e3:.1f}, n={len(t)})")
        print(f"{name:30s} REAL / GRPO   {med['REALTrainer'] / med['GRPOTrainer']:.2f}")

if __name__ == '__main__': main()
