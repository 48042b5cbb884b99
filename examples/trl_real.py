"""REAL in TRL on a maths dataset: REALTrainer with the paper's batch geometry, LoRA / QLoRA / full fine-tuning, vLLM.

One GPU, LoRA on a bf16 base, vLLM colocated:
  accelerate launch --num_processes 1 examples/trl_real.py --lora --vllm colocate
One GPU, QLoRA (4-bit base; vLLM cannot take the merged 4-bit weights, trl #4973, so generation uses transformers):
  accelerate launch --num_processes 1 examples/trl_real.py --qlora
Eight GPUs, full fine-tuning, DeepSpeed ZeRO-2, vLLM colocated (the paper's setting):
  accelerate launch --config_file examples/deepspeed_zero2.yaml --num_processes 8 examples/trl_real.py --vllm colocate
A 7B model on eight GPUs: examples/deepspeed_zero3.yaml or examples/fsdp2.yaml (the tutorial's memory estimate says why).

The optimizer-step and rollout sizes follow the paper whatever the number of GPUs: `--prompts_per_rollout` (128) prompts
× `--num_generations` (8) completions are generated at once, and `--updates_per_rollout` (4) optimizer steps consume
them, each on 1/4 of the rollout (32 prompts × 8 = 256 completions). Gradient accumulation is derived from
--per_device_train_batch_size and the number of processes.
"""
import argparse, math

def accuracy(completions, answer, **kw):
    "1.0 if math-verify finds the completion's final answer equal to the reference, 0.0 if not, None if the reference does not parse."
    from math_verify import parse, verify
    out = []
    for c, a in zip(completions, answer):
        gold = parse(f'${a}$')
        text = c[-1]['content'] if isinstance(c, list) else c
        out.append(None if not gold else float(verify(gold, parse(text))))
    return out

def prompt(example):
    "The problem as a chat turn asking for a boxed final answer."
    return {'prompt': [{'role': 'user', 'content': example['problem'] +
                        " Let's think step by step and output the final answer within \\boxed{}."}]}

def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--model', default='Qwen/Qwen2.5-1.5B-Instruct')   # or deepseek-ai/DeepSeek-R1-Distill-Qwen-1.5B
    p.add_argument('--dataset', default='agentica-org/DeepScaleR-Preview-Dataset')  # columns problem, answer
    p.add_argument('--output_dir', default='runs/trl-real')
    p.add_argument('--lora', action='store_true'); p.add_argument('--qlora', action='store_true')
    p.add_argument('--vllm', choices=['none', 'colocate', 'server'], default='none')
    p.add_argument('--real_tau', type=float, default=0.5)
    p.add_argument('--num_generations', type=int, default=8)
    p.add_argument('--prompts_per_rollout', type=int, default=128)
    p.add_argument('--updates_per_rollout', type=int, default=4)
    p.add_argument('--per_device_train_batch_size', type=int, default=4)
    p.add_argument('--learning_rate', type=float, default=None)   # paper (full fine-tuning): 2e-6; LoRA default here 1e-5
    p.add_argument('--max_completion_length', type=int, default=8192)
    p.add_argument('--max_steps', type=int, default=-1)
    p.add_argument('--num_train_epochs', type=float, default=1.)
    a = p.parse_args()
    if a.qlora and a.vllm != 'none': p.error("--qlora with vLLM: syncing merged 4-bit weights into vLLM fails (trl #4973); use --lora with vLLM, or --qlora without it")

    import torch
    from accelerate import PartialState
    from datasets import load_dataset
    from peft import LoraConfig
    from transformers import BitsAndBytesConfig
    from real_nb.trl import REALConfig
    from real_nb.trl import REALTrainer
    world = PartialState().num_processes
    rollout = a.prompts_per_rollout * a.num_generations
    per_step = rollout // a.updates_per_rollout
    ga, rem = divmod(per_step, a.per_device_train_batch_size * world)
    if rem or rollout % a.updates_per_rollout: p.error(f"{per_step} completions per optimizer step must split evenly into "
                                                       f"{world} processes × {a.per_device_train_batch_size} rows")
    args = REALConfig(
        output_dir=a.output_dir, real_tau=a.real_tau, num_generations=a.num_generations,
        per_device_train_batch_size=a.per_device_train_batch_size, gradient_accumulation_steps=ga,
        steps_per_generation=ga * a.updates_per_rollout, num_iterations=1, beta=0.0,
        learning_rate=a.learning_rate or (2e-6 if not (a.lora or a.qlora) else 1e-5),
        max_completion_length=a.max_completion_length, max_steps=a.max_steps, num_train_epochs=a.num_train_epochs,
        bf16=True, gradient_checkpointing=True, model_init_kwargs={'dtype': torch.bfloat16},
        use_vllm=a.vllm != 'none', vllm_mode=a.vllm if a.vllm != 'none' else 'colocate',
        logging_steps=1, save_steps=50, report_to='none')
    ds = load_dataset(a.dataset, split='train').map(prompt)
    quant = BitsAndBytesConfig(load_in_4bit=True, bnb_4bit_quant_type='nf4', bnb_4bit_use_double_quant=True,
                               bnb_4bit_compute_dtype=torch.bfloat16,
                               bnb_4bit_quant_storage=torch.bfloat16) if a.qlora else None   # = compute dtype: FSDP-shardable
    peft = LoraConfig(r=64, lora_alpha=128, target_modules='all-linear', lora_dropout=0.) if a.lora or a.qlora else None
    trainer = REALTrainer(model=a.model, reward_funcs=accuracy, args=args, train_dataset=ds, peft_config=peft,
                          quantization_config=quant)
    trainer.train()
    trainer.save_model(a.output_dir)

if __name__ == '__main__': main()
