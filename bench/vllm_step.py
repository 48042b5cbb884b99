"""Per-step time with vLLM rollouts on CPU: real-nb + transformers, real-nb + vLLM, TRL + transformers, TRL + vLLM colocate
(a benchmark, not a test).

Usage (in the venv of `vllm_setup.sh`; timed, so run nothing else):
  python bench/vllm_step.py                       # SmolLM2 shape, 1 rep, 3 timed steps per side (≈ 6 min on 2 CPU cores)
  python bench/vllm_step.py --reps 2 --threads 2

The shape and everything matched are `bench/vs_trl.py`'s `smollm2` shape (SmolLM2-135M-Instruct dequantised to an fp32
folder, LoRA r=16 on all linear layers, 8 prompts × 4 completions × 32 new tokens, temperature 1, one optimizer step per
rollout batch), whose children this reuses. The vLLM sides build their engine with `enforce_eager=True`, fp32,
`VLLM_CPU_KVCACHE_SPACE=1`; the engine's start-up is timed on its own and is not part of any step. TRL + vLLM runs
colocated with the two test-only shims of `14b_trl_vllm` (vLLM's CPU weight prepacking kept off, so TRL's weight sync
reaches the weights the engine computes with). Sides alternate in child processes (real, real+vLLM, TRL, TRL+vLLM, ...).
Torch threads are `--threads` on every side and the engine's process gets `OMP_NUM_THREADS` set to the same number
(vLLM binds its own OpenMP threads; on a machine shared with other jobs its rate moves more than the others').

Generation rate: completion tokens per second of the sampler (real-nb: `rl_step`'s gen phase, scoring included;
TRL: its `_generate`). Compute bound: 2·N FLOP per generated token (N: base parameters, tied embedding once) at the
fp32 `F.linear` rate this machine reaches on the model's own linear shapes with one row per sequence (B = 32 rows per
decode step), as `bench/vs_trl.py` measures it. Results go to `bench/vllm_step.json` (the figures' one place).
"""
import argparse, functools, json, os, statistics, subprocess, sys, time
from pathlib import Path
sys.path.insert(0, str(Path(__file__).parent))
import vs_trl   # the matched shape, its model folder, and the two transformers-side children

SIDES = ('real', 'real_vllm', 'trl', 'trl_vllm')

def _capture_rows(tr, rows:list):
    "Make `real_nb.loop.train` keep its returned metrics rows in `rows` (for the completion-token counts)."
    train = tr.train
    tr.train = lambda *a, **kw: rows.extend(train(*a, **kw)) or rows

def child_real_side(a, path:Path, vllm:bool)->dict:
    import real_nb.loop as tr
    from real_nb import vllm_backend
    rows, start = [], []
    if vllm:
        def make(model, tok, use_vllm=False, **kw):
            t = time.perf_counter(); b = vllm_backend.make_backend(model, tok, use_vllm=True, enforce_eager=True, dtype='float32')
            start.append(time.perf_counter() - t); return b
        tr.make_backend = make
    _capture_rows(tr, rows)
    out = vs_trl.child_real(a, path)
    return out | dict(tokens=[r['n_tokens'] for r in rows], start=start)

def keep_vllm_cpu_linear_weights(self, layer):
    "Compute with `F.linear` on the live weight (no CPU prepacking), so that weight syncs reach what the engine computes with."
    import torch
    layer.cpu_linear = torch.nn.functional.linear

def child_trl_side(a, path:Path, vllm:bool)->dict:
    start = []
    if vllm:
        import trl, vllm.model_executor.layers.linear as vl, vllm.model_executor.layers.vocab_parallel_embedding as vv
        import trl.generation.vllm_generation as tv
        vl.UnquantizedLinearMethod.process_weights_after_loading = keep_vllm_cpu_linear_weights   # (see 14b_trl_vllm)
        vv.UnquantizedEmbeddingMethod.process_weights_after_loading = keep_vllm_cpu_linear_weights
        LLM = tv.LLM
        def llm(*args, **kw):
            t = time.perf_counter(); e = LLM(*args, **kw | dict(enforce_eager=True, dtype='float32')); start.append(time.perf_counter() - t); return e
        tv.LLM = llm
        trl.GRPOConfig = functools.partial(trl.GRPOConfig, use_vllm=True, vllm_mode='colocate')
    return vs_trl.child_trl(a, path) | dict(start=start)

def run_child(side:str, a, path:Path)->dict:
    cmd = [sys.executable, __file__, '--child', side, '--path', str(path), '--steps', str(a.steps), '--warmup', str(a.warmup),
           '--threads', str(a.threads)]
    env = os.environ | dict(VLLM_CPU_KVCACHE_SPACE='1', OMP_NUM_THREADS=str(a.threads), TOKENIZERS_PARALLELISM='false')
    r = subprocess.run(cmd, capture_output=True, text=True, env=env)
    if r.returncode: sys.exit(f"{side} child failed:\n{r.stderr[-4000:]}")
    return json.loads(r.stdout.strip().splitlines()[-1])

def compute_bound(path:Path, B:int)->dict:
    "Decode compute bound: the fp32 F.linear rate on the model's linear shapes at B rows, over 2·N FLOP per token."
    maps, N = vs_trl.linear_maps(path)
    shapes = {}
    for i, o, _, trainable in maps:
        if not trainable: shapes[(i, o, B)] = shapes.get((i, o, B), 0) + 1
    rate = vs_trl.matmul_rate(shapes)
    return dict(N=N, matmul_flops=rate, bound_tok_s=rate / (2 * N))

def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--reps', type=int, default=1); p.add_argument('--steps', type=int, default=3); p.add_argument('--warmup', type=int, default=1)
    p.add_argument('--threads', type=int, default=None); p.add_argument('--child', choices=SIDES); p.add_argument('--path')
    p.add_argument('--out', default=str(Path(__file__).with_name('vllm_step.json')))
    a = p.parse_args()
    a.shape, a.loss, a.profile = 'smollm2', 'real', False
    import warnings; warnings.filterwarnings('ignore')
    import torch
    a.threads = a.threads or torch.get_num_threads(); torch.set_num_threads(a.threads)
    if a.child:
        import logging, transformers; transformers.logging.set_verbosity_error(); logging.disable(logging.WARNING)
        f = child_real_side if a.child.startswith('real') else child_trl_side
        print(json.dumps(f(a, Path(a.path), a.child.endswith('vllm')))); return
    import tempfile, transformers, trl, vllm
    env = f"torch {torch.__version__}, transformers {transformers.__version__}, trl {trl.__version__}, vllm {vllm.__version__}; {os.cpu_count()} CPUs, threads {a.threads}"
    print(env)
    with tempfile.TemporaryDirectory() as d:
        path = vs_trl.prepare('smollm2', Path(d))
        res = {s: [] for s in SIDES}
        for rep in range(a.reps):
            for s in SIDES: res[s].append(run_child(s, a, path)); print(f"rep {rep} {s} done", flush=True)
        bound = compute_bound(path, 32)
    med = lambda xs: statistics.median(xs) if xs else None
    table = {}
    for s, outs in res.items():
        step = [x for o in outs for x in o['step'][a.warmup:]]
        gen = [x for o in outs for x in o['gen'][a.warmup:]]
        row = dict(step_s=med(step), gen_s=med(gen), start_s=med([x for o in outs for x in o.get('start', [])]))
        if s.startswith('real'):
            toks = [x for o in outs for x in o['tokens'][a.warmup:]]
            row['gen_tok_s'] = sum(toks) / sum(gen) if gen else None
        else: row['gen_tok_s'] = None   # TRL's step does not report its token count here
        table[s] = row
    out = dict(env=env, shape='SmolLM2-135M-Instruct fp32, LoRA r=16, 8 prompts x 4 x 32 tokens', reps=a.reps, steps=a.steps,
               warmup=a.warmup, sides=table, compute_bound=bound,
               ratios=dict(vllm_gen_speedup=table['real']['gen_s'] / table['real_vllm']['gen_s'],
                           real_vllm_over_trl_vllm=table['real_vllm']['step_s'] / table['trl_vllm']['step_s']))
    Path(a.out).write_text(json.dumps(out, indent=1))
    print(f"{'side':10} {'step':>9} {'gen':>9} {'gen tok/s':>10} {'engine start':>13}")
    for s, r in table.items():
        f = lambda v, u='s': f"{v:8.2f}{u}" if v is not None else '        -'
        print(f"{s:10} {f(r['step_s'])} {f(r['gen_s'])} {f(r['gen_tok_s'], ''):>10} {f(r['start_s']):>13}")
    print(f"compute bound: {bound['bound_tok_s']:.0f} tok/s (2·N FLOP/token, N={bound['N']/1e6:.1f}M, F.linear {bound['matmul_flops']/1e9:.1f} GFLOP/s at B=32)")
    print(json.dumps(out['ratios'])); print(f"written: {a.out}")

if __name__ == '__main__': main()
