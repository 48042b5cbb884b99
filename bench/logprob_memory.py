"""Peak memory of naive (full fp32 logits) vs chunked `token_logprobs`, forward + backward.

Large-vocabulary toy config (Qwen-size vocab V=151936, hidden 256, one layer). Each measurement runs in a
fresh subprocess; on CPU the figure is the increase of ru_maxrss over a baseline process that builds the
same model and inputs but computes nothing; on CUDA it is torch.cuda.max_memory_allocated minus the memory
allocated before the pass.

    OMP_NUM_THREADS=1 python bench/logprob_memory.py                 # CPU: B=4, T=512 (< 2 min)
    python bench/logprob_memory.py --chunks 256,1024                 # `chunked` is the default chunk (2**24 // V)
    python bench/logprob_memory.py --batch 8 --tokens 512            # the 8x512 config (CPU: ~10 GB for naive)
"""
import argparse, json, os, resource, subprocess, sys, time

def build(args, device):
    import torch
    from transformers import LlamaConfig, AutoModelForCausalLM
    cfg = LlamaConfig(vocab_size=args.vocab, hidden_size=args.hidden, intermediate_size=2*args.hidden, num_hidden_layers=1,
                      num_attention_heads=4, num_key_value_heads=4, max_position_embeddings=args.tokens+args.prompt,
                      tie_word_embeddings=False)
    torch.manual_seed(0)
    dtype = torch.bfloat16 if device == 'cuda' else torch.float32
    model = AutoModelForCausalLM.from_config(cfg, dtype=dtype).to(device).train()
    ids = torch.randint(0, args.vocab, (args.batch, args.prompt + args.tokens), device=device)
    return model, ids, torch.ones_like(ids)

def naive(model, ids, mask, P):
    z = model(input_ids=ids, attention_mask=mask).logits[:, P-1:-1].float()
    return z.log_softmax(-1).gather(-1, ids[:, P:, None]).squeeze(-1)

def worker(args):
    import torch
    from real_nb.logprobs import token_logprobs
    device = 'cuda' if torch.cuda.is_available() and not args.cpu else 'cpu'
    model, ids, mask = build(args, device)
    if device == 'cuda': torch.cuda.synchronize(); base = torch.cuda.memory_allocated(); torch.cuda.reset_peak_memory_stats()
    t0 = time.perf_counter()
    if args.mode == 'naive': naive(model, ids, mask, args.prompt).sum().backward()
    elif args.mode.startswith('chunked'):
        c = args.mode.partition(':')[2]
        token_logprobs(model, ids, mask, args.prompt, chunk_size=int(c) if c else None)[0].sum().backward()
    if device == 'cuda': torch.cuda.synchronize(); peak = torch.cuda.max_memory_allocated() - base
    else: peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024   # Linux: KiB
    print(json.dumps(dict(mode=args.mode, device=device, peak_bytes=peak, seconds=time.perf_counter() - t0)))

def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--batch', type=int, default=None); p.add_argument('--tokens', type=int, default=512)
    p.add_argument('--prompt', type=int, default=16); p.add_argument('--vocab', type=int, default=151936)
    p.add_argument('--hidden', type=int, default=256)
    p.add_argument('--chunks', default='1024', help='comma-separated explicit chunk sizes to compare with the default (None)')
    p.add_argument('--cpu', action='store_true'); p.add_argument('--mode', default=None)
    args = p.parse_args()
    if args.mode: return worker(args)
    import torch
    from real_nb.logprobs import logprob_chunk_size
    cuda = torch.cuda.is_available() and not args.cpu
    args.batch = args.batch or (8 if cuda else 4)
    cmd = [sys.executable, __file__] + [f'--{k}={v}' for k, v in vars(args).items() if k not in ('cpu', 'mode')] + (['--cpu'] if args.cpu else [])
    res = {m: json.loads(subprocess.run(cmd + [f'--mode={m}'], capture_output=True, text=True, check=True).stdout.strip().splitlines()[-1])
           for m in (['baseline'] if not cuda else []) + ['naive', 'chunked'] + [f'chunked:{c}' for c in args.chunks.split(',') if c]}
    base = res.pop('baseline', {'peak_bytes': 0})['peak_bytes']
    logits_gb = args.batch * args.tokens * args.vocab * 4 / 2**30
    print(f"device={'cuda:' + torch.cuda.get_device_name() if cuda else 'cpu'}  B={args.batch} T={args.tokens} V={args.vocab} "
          f"H={args.hidden}  default chunk={logprob_chunk_size(args.vocab)} positions  (one fp32 (B,T,V) logits tensor = {logits_gb:.2f} GiB)")
    for m, r in res.items():
        print(f"{m:13s} peak memory of forward+backward: {(r['peak_bytes'] - base) / 2**30:6.2f} GiB   time {r['seconds']:6.1f} s")

if __name__ == '__main__': main()
