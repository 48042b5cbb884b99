"""One REAL step with QLoRA on a randomly initialised model of a real model's shape: peak memory and seconds.

Usage:
  python bench/qlora_step.py --shape qwen2.5-1.5b      # on a CUDA machine: NF4 + LoRA, G = 8, 512-token completions
  python bench/qlora_step.py --shape small --max_completion_length 16   # the same code path on CPU, in seconds

Prints a JSON line: device, shape, parameters, peak memory (GPU: torch.cuda.max_memory_allocated; CPU: max RSS),
seconds per RL step split into generation / old log-probs / update, and generation tokens/s (steps after the first,
which warms up kernels). Random weights rarely emit EOS, so every completion runs to max_completion_length: the worst case.
"""
import argparse, json, resource, tempfile, time
from pathlib import Path
import torch

SHAPES = {  # Qwen2.5-1.5B: hidden 1536, 28 layers, FFN 8960, 12 q-heads, 2 kv-heads, vocab 151,936, tied embeddings
    'qwen2.5-1.5b': dict(hidden_size=1536, intermediate_size=8960, num_hidden_layers=28, num_attention_heads=12,
                         num_key_value_heads=2, vocab_size=151936, tie_word_embeddings=True, max_position_embeddings=4096),
    'small': dict(hidden_size=64, intermediate_size=128, num_hidden_layers=2, num_attention_heads=4,
                  num_key_value_heads=2, vocab_size=151936, tie_word_embeddings=True, max_position_embeddings=1024)}

def build(shape:str, path:Path):
    "Save a randomly initialised Qwen2 model of `shape` (bf16) and the char tokenizer to `path`."
    from transformers import Qwen2Config, Qwen2ForCausalLM
    from real_nb.model import char_tokenizer
    tok = char_tokenizer()
    cfg = Qwen2Config(**SHAPES[shape], pad_token_id=tok.pad_token_id, bos_token_id=tok.bos_token_id, eos_token_id=tok.eos_token_id)
    torch.manual_seed(0)
    with torch.device('cuda' if torch.cuda.is_available() else 'cpu'): model = Qwen2ForCausalLM(cfg).to(torch.bfloat16)
    model.save_pretrained(path); tok.save_pretrained(path)
    return sum(p.numel() for p in model.parameters())

def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--shape', default='qwen2.5-1.5b', choices=list(SHAPES))
    p.add_argument('--num_prompts', type=int, default=4); p.add_argument('--num_generations', type=int, default=8)
    p.add_argument('--max_completion_length', type=int, default=512); p.add_argument('--steps', type=int, default=2)
    p.add_argument('--per_device_train_batch_size', type=int, default=8)
    a = p.parse_args()
    from real_nb.policy import load_policy
    from real_nb.vllm_backend import make_backend
    from real_nb.data import arithmetic_task, PromptSampler
    from real_nb.rewards import exact_match_reward
    from real_nb.config import RLConfig
    from real_nb.trainer import make_optimizer, real, rl_step
    cuda = torch.cuda.is_available()
    path = Path(tempfile.mkdtemp()) / a.shape
    n_params = build(a.shape, path)
    if cuda: torch.cuda.empty_cache(); torch.cuda.reset_peak_memory_stats()
    model, tok = load_policy(path, qlora=True, lora=True, gradient_checkpointing=True)
    cfg = RLConfig(num_prompts=a.num_prompts, num_generations=a.num_generations, num_mini_batches=4,
                   per_device_train_batch_size=a.per_device_train_batch_size, max_completion_length=a.max_completion_length,
                   max_steps=a.steps, learning_rate=1e-5)
    opt, _ = make_optimizer(model, cfg)
    sampler = iter(PromptSampler(arithmetic_task(64), cfg.num_prompts))
    backend, loss_fn, rows = make_backend(model, tok, use_vllm=False), real(cfg.real_tau), []
    for step in range(1, a.steps + 1):
        t0 = time.perf_counter()
        m, _ = rl_step(step, model, backend, sampler, exact_match_reward, loss_fn, opt, cfg)
        rows.append(dict(step=step, total=time.perf_counter() - t0, gen=m['gen_seconds'], logp=m['logp_seconds'],
                         update=m['update_seconds'], tokens=m['n_tokens'], tokens_per_s=m['tokens_per_s']))
    peak = torch.cuda.max_memory_allocated() / 2**30 if cuda else resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20
    last = rows[-1]
    print(json.dumps(dict(device=torch.cuda.get_device_name() if cuda else 'cpu', shape=a.shape, params=n_params,
                          trainable=sum(p.numel() for p in model.parameters() if p.requires_grad),
                          G=cfg.num_generations, P=cfg.num_prompts, max_completion_length=cfg.max_completion_length,
                          peak_gib=round(peak, 2), peak_kind='cuda max_memory_allocated' if cuda else 'max RSS',
                          step_seconds=round(last['total'], 2), gen_seconds=round(last['gen'], 2),
                          old_logp_seconds=round(last['logp'], 2), update_seconds=round(last['update'], 2),
                          gen_tokens=last['tokens'], gen_tokens_per_s=round(last['tokens_per_s'], 1), steps=rows)))

if __name__ == '__main__': main()
