"""REAL's labels under two common TRL reward setups (a benchmark, not a test): does REALTrainer learn, from what?

Usage:
  python bench/trl_labels.py              # CPU: tiny Qwen2, 3 optimizer steps per setup

Setups (prompts `a+b=`, 8 prompts × 4 completions per step):
  (a) length  : one reward, the completion's length in characters (a continuous score, like a reward model's);
  (b) correct+format : `correct` (1.0 when the completion's first character is the last digit of a+b, else 0.0)
      and `fmt` (1.0 when the completion starts with a digit: a format bonus TRL users add next to correctness).
Prints per setup: the mean of `real/frac_valid_groups` over the steps, the mean logged loss, the relative
parameter change ‖Δθ‖/‖θ‖ after the run (plain SGD, so a step without signal moves nothing), and for (b) how many
positives were wrong answers (labels read from the batches).
Runs on whatever `real_nb` is importable, so the same script measures the code before and after a change: on
code without `real_label_reward` the two-function setup is run as it was (labels from the summed rewards).
"""
import dataclasses, tempfile, warnings
from pathlib import Path
import torch

def correct(prompts, completions, **_):
    def last_digit(p): return str(sum(map(int, p[:-1].split('+'))) % 10)
    return [float(c[:1] == last_digit(p)) for p, c in zip(prompts, completions)]
def fmt(completions, **_): return [float(c[:1].isdigit()) for c in completions]
def length(completions, **_): return [float(len(c)) for c in completions]

def run(path, reward_funcs, steps=3, **kw):
    "Train `steps` steps; (frac_valid per step, loss per step, ‖Δθ‖/‖θ‖, wrong positives, positives)."
    from datasets import Dataset
    from transformers import AutoModelForCausalLM
    from transformers.trainer_callback import PrinterCallback
    from real_nb.model import char_tokenizer
    from real_nb.trl import REALConfig
    from real_nb.trl import REALTrainer
    class Rec(REALTrainer):
        def _compute_loss(self, model, inputs):
            self.seen.append({k: inputs[k].clone() for k in ('real_labels', 'completion_ids', 'prompt_ids')})
            return super()._compute_loss(model, inputs)
    ds = Dataset.from_dict({'prompt': [f'{a}+{b}=' for a in range(10) for b in range(10)]})
    if 'real_label_reward' not in {f.name for f in dataclasses.fields(REALConfig)}:
        kw.pop('real_label_reward', None)
    args = REALConfig(output_dir=str(path/'out'), per_device_train_batch_size=8, gradient_accumulation_steps=4,
                      num_generations=4, max_completion_length=8, learning_rate=0.1, optim='sgd', max_steps=steps,
                      logging_steps=1, report_to='none', save_strategy='no', use_cpu=True, bf16=False, seed=0,
                      disable_tqdm=True, log_level='error', **kw)
    torch.manual_seed(0)
    model = AutoModelForCausalLM.from_pretrained(path/'tiny', dtype=torch.float32)
    tr = Rec(model=model, reward_funcs=reward_funcs, args=args, train_dataset=ds, processing_class=char_tokenizer())
    tr.remove_callback(PrinterCallback)
    tr.seen = []
    p0 = torch.cat([p.detach().flatten().clone() for p in tr.model.parameters()])
    tr.train()
    p1 = torch.cat([p.detach().flatten() for p in tr.model.parameters()])
    logs = [h for h in tr.state.log_history if 'real/frac_valid_groups' in h]
    tok = tr.processing_class
    wrong_pos = pos = 0
    for b in tr.seen:
        for y, pi, ci in zip(b['real_labels'], b['prompt_ids'], b['completion_ids']):
            if y != 1: continue
            p, c = tok.decode(pi, skip_special_tokens=True), tok.decode(ci, skip_special_tokens=True)
            pos += 1
            wrong_pos += correct([p], [c])[0] == 0
    fv, loss = [h['real/frac_valid_groups'] for h in logs], [h['loss'] for h in logs]
    return fv, loss, ((p1 - p0).norm() / p0.norm()).item(), wrong_pos, pos

def main():
    from real_nb.model import build_tiny_model
    warnings.filterwarnings('ignore')
    tmp = Path(tempfile.mkdtemp())
    build_tiny_model(tmp/'tiny', arch='qwen2', hidden_size=64, num_layers=2)
    setups = (('(a) length', length, {}),
              ('(b) correct+format', [correct, fmt], dict(real_label_reward=['correct'])))
    for name, fns, kw in setups:
        fv, loss, dp, wp, pos = run(tmp, fns, **kw)
        wrong = f"  wrong answers among positives {wp}/{pos}" if kw else ''
        print(f"{name:20s} frac_valid_groups {sum(fv) / len(fv):.3f} (per step {[round(x, 3) for x in fv]})  "
              f"loss {sum(loss) / len(loss):.4f}  |Δθ|/|θ| {dp:.2e}" + wrong)

if __name__ == '__main__': main()
