"""Test harness: REALTrainer under FSDP1, FSDP2, DeepSpeed ZeRO-2 and ZeRO-3 on 2 CPU processes (gloo).

Used by nbs/15_trl_sharded.ipynb, kept out of the package and the docs. Three parts:
- `engine_env`: the shipped accelerate config (examples/*.yaml) turned into the environment
  `accelerate launch` would give its workers (by accelerate's own launcher code), after a CPU/fp32
  derivation made in code;
- `PATCHES`: the accelerate patches that let a CPU torchrun process shard, each with its reason, and
  `patches_needed`, which checks on the installed accelerate that each is still needed;
- the worker (`python -m torch.distributed.run --nproc_per_node 2 tests/sharded.py ENGINE TINY OUT`):
  every case of one engine in one launch; each rank writes what it saw to OUT/rank{i}.pt.
"""
import json, os, sys, tempfile, time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CONFIGS = ROOT/'examples'
# engine: (shipped config, CPU derivation on top of it)
ENGINES = {'fsdp1': ('fsdp2.yaml', {'fsdp_version': 1, 'fsdp_reshard_after_forward': 'FULL_SHARD',
                                    'fsdp_use_orig_params': True, 'fsdp_sync_module_states': False}),
           'fsdp2': ('fsdp2.yaml', {}),
           'zero2': ('deepspeed_zero2.yaml', {}),
           'zero3': ('deepspeed_zero3.yaml', {})}

def cpu_config(name:str)->dict:
    "The shipped accelerate config of engine `name`, derived for 2 CPU processes in fp32."
    import yaml
    file, extra = ENGINES[name]
    cfg = yaml.safe_load((CONFIGS/file).read_text())
    cfg |= dict(mixed_precision='no', num_processes=2)   # DeepSpeed refuses bf16 on CPU; fp32 for a 1e-5 test
    if 'fsdp_config' in cfg:
        # every rank loads the model itself (no rank-0 load + broadcast) and FSDP1 then needs no state sync
        cfg['fsdp_config'] = cfg['fsdp_config'] | {'fsdp_cpu_ram_efficient_loading': False} | extra
    return cfg

def engine_env(name:str)->dict:
    "Environment `accelerate launch --config_file <derived config>` gives its workers (accelerate's code)."
    import yaml
    from accelerate.commands.launch import launch_command_parser, _validate_launch_command
    from accelerate.utils.launch import prepare_deepspeed_cmd_env, prepare_multi_gpu_env
    with tempfile.NamedTemporaryFile('w', suffix='.yaml', delete=False) as f:
        yaml.safe_dump(cpu_config(name), f)
    args = launch_command_parser().parse_args(['--config_file', f.name, 'worker.py'])
    args, defaults, mp_from_config = _validate_launch_command(args)
    os.unlink(f.name)
    if args.use_deepspeed:      # as accelerate's launch_command does before deepspeed_launcher
        fields = list(defaults.deepspeed_config) + (['mixed_precision'] if mp_from_config else [])
        args.deepspeed_fields_from_accelerate_config = ','.join(fields)
        env = prepare_deepspeed_cmd_env(args)[1]
    else: env = prepare_multi_gpu_env(args)
    keep = ('ACCELERATE_', 'FSDP_')
    cpu = {'DS_ACCELERATOR': 'cpu', 'ACCELERATE_TORCH_DEVICE': 'cpu'}     # DeepSpeed on CPU; device `cpu`
    return {k: v for k, v in env.items() if k.startswith(keep)} | cpu

# ---- accelerate patches (test harness only) ----

def _gloo_for_cpu_torchrun(orig):
    "accelerate gives a CPU torchrun process no backend unless cpu=True, and cpu=True turns off DeepSpeed."
    from accelerate.utils import DistributedType
    def _prepare_backend(self, cpu=False, sagemaker_dp=False, backend=None):
        b, t = orig(self, cpu, sagemaker_dp, backend)
        if t == DistributedType.NO and int(os.environ.get('LOCAL_RANK', -1)) != -1:
            return backend or 'gloo', DistributedType.MULTI_CPU
        return b, t
    return _prepare_backend

def _fsdp_on_multi_cpu(orig):
    "accelerate promotes only GPU-like process types to FSDP: on MULTI_CPU the plugin is dropped (DDP runs)."
    from accelerate.state import PartialState
    from accelerate.utils import DistributedType
    def __init__(self, *a, fsdp_plugin=None, **kw):
        orig(self, *a, fsdp_plugin=fsdp_plugin, **kw)
        if fsdp_plugin is not None and self.distributed_type == DistributedType.MULTI_CPU:
            self.distributed_type = PartialState._shared_state['distributed_type'] = DistributedType.FSDP
            self.fsdp_plugin = fsdp_plugin
    return __init__

def _targets():
    from accelerate.state import AcceleratorState, PartialState
    return {'gloo_for_cpu_torchrun': (PartialState, '_prepare_backend', _gloo_for_cpu_torchrun),
            'fsdp_on_multi_cpu': (AcceleratorState, '__init__', _fsdp_on_multi_cpu)}
PATCHES = ('gloo_for_cpu_torchrun', 'fsdp_on_multi_cpu')

def apply_patches():
    "Apply every patch of `PATCHES` to the installed accelerate."
    for cls, attr, make in _targets().values(): setattr(cls, attr, make(getattr(cls, attr)))

def patches_needed()->dict:
    "For each patch: does the unpatched accelerate still refuse what it fixes? (fresh process, world size 1)"
    import socket, torch
    from accelerate import Accelerator
    from accelerate.state import PartialState
    from accelerate.utils import DistributedType, FullyShardedDataParallelPlugin
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        port = s.getsockname()[1]
    os.environ |= dict(LOCAL_RANK='0', RANK='0', WORLD_SIZE='1', MASTER_ADDR='127.0.0.1',
                       MASTER_PORT=str(port))
    no_backend = PartialState._prepare_backend(None, cpu=False) == (None, DistributedType.NO)
    acc = Accelerator(cpu=True, fsdp_plugin=FullyShardedDataParallelPlugin(fsdp_version=2))
    dropped = acc.distributed_type == DistributedType.MULTI_CPU
    torch.distributed.destroy_process_group()
    return {'gloo_for_cpu_torchrun': no_backend, 'fsdp_on_multi_cpu': dropped}

# ---- the worker ----

# (engine, case) pairs not run, with their error on CPU (accelerate 1.16, peft 0.21, bitsandbytes 0.50)
SKIPS = {('fsdp1', 'qlora'):
         "peft's lora_A gets bf16 activations under FSDP1: 'expected m1 and m2 to have the same dtype'"}

def local_numel(model)->int:
    "Parameter elements this rank holds (FSDP2 DTensor shards, ZeRO-3 partitions, FSDP1 shards, else all)."
    def n(p):
        if hasattr(p, 'to_local'): return p.to_local().numel()
        if hasattr(p, 'ds_tensor'): return p.ds_tensor.numel()
        return p.numel()
    return sum(n(p) for p in model.parameters())

def full_state_dict(tr)->dict:
    "The model's full state dict on rank 0, as accelerate gathers it to save a model (FSDP: torch's own)."
    if tr.is_fsdp_enabled:      # accelerate's FSDP1 path (FULL_STATE_DICT, offload_to_cpu) segfaults on CPU
        from torch.distributed.checkpoint.state_dict import StateDictOptions, get_model_state_dict
        return get_model_state_dict(tr.model_wrapped, options=StateDictOptions(full_state_dict=True))
    return tr.accelerator.get_state_dict(tr.model_wrapped)

def worker(engine, tiny, out):
    "Train every case of `engine` on this rank; save what it saw, the full parameters after each step, logs."
    apply_patches()
    import torch
    from datasets import Dataset
    from peft import LoraConfig
    from transformers import BitsAndBytesConfig, TrainerCallback
    from real_nb.model import char_tokenizer
    from real_nb.trl import REALConfig
    from real_nb.trl import REALTrainer
    rank = int(os.environ['RANK'])

    def straddle(completions, **kw):
        "Global rows 0..5 (3 per rank, groups of 2): labels 1 0 | 1 0 | 1 1; group 1 straddles the ranks."
        return [float(rank * 3 + i in (0, 2, 4, 5)) for i in range(len(completions))]

    class Rec(REALTrainer):
        def _compute_loss(self, model, inputs):
            self.seen.append((self.state.global_step, {k: v.detach().clone() for k, v in inputs.items()
                                                       if isinstance(v, torch.Tensor) and v.ndim}))
            return super()._compute_loss(model, inputs)

    class Snap(TrainerCallback):
        "Full parameters (gathered as for saving a model) before training and after every optimizer step."
        def __init__(self): self.params, self.tr = {}, None
        def _take(self, state):
            sd = full_state_dict(self.tr)
            if rank == 0:
                self.params[state.global_step] = {k: v.detach().clone().cpu() for k, v in sd.items()}
        def on_train_begin(self, args, state, control, **kw): self._take(state)
        def on_step_end(self, args, state, control, **kw): self._take(state)

    ds = Dataset.from_dict({'prompt': [f'{a}+{b}=' for a in range(4) for b in range(4)]})
    base = dict(per_device_train_batch_size=3, gradient_accumulation_steps=1, num_generations=2,
                max_completion_length=6, num_iterations=2, learning_rate=1.0, optim='sgd', max_grad_norm=0.,
                lr_scheduler_type='constant', max_steps=2, logging_steps=1, report_to='none',
                save_strategy='no', bf16=False, seed=0, disable_tqdm=True, log_level='error',
                model_init_kwargs={'dtype': torch.float32})
    adamw = dict(optim='adamw_torch', learning_rate=1e-2, max_steps=4, save_strategy='steps', save_steps=2)
    lora = LoraConfig(r=4, lora_alpha=8, target_modules='all-linear', lora_dropout=0.)
    nf4 = dict(load_in_4bit=True, bnb_4bit_quant_type='nf4', bnb_4bit_compute_dtype=torch.float32,
               bnb_4bit_quant_storage=torch.float32)     # storage = compute dtype: FSDP flattens one dtype
    q4 = dict(model_init_kwargs={'dtype': torch.float32, 'device_map': {'': 'cpu'},
                                 'quantization_config': BitsAndBytesConfig(**nf4)})
    cases = {'real': ({}, None, None), 'real_bce': (dict(real_variant='real_bce'), None, None),
             'full': (adamw, None, None), 'resumed': (adamw, 'full/checkpoint-2', None),
             'lora': ({}, None, lora), 'qlora': (q4, None, lora)}
    only = os.environ.get('SHARDED_CASES')
    skip = {c for (e, c) in SKIPS if e == engine}
    res = dict(engine=engine, cases={})
    for name, (kw, resume, peft) in cases.items():
        if (only and name not in only.split(',')) or name in skip: continue
        t0, snap = time.time(), Snap()
        args = REALConfig(output_dir=f'{out}/{name}', **(base | kw))
        tr = Rec(model=str(tiny), reward_funcs=straddle, args=args, train_dataset=ds,
                 processing_class=char_tokenizer(), callbacks=[snap], peft_config=peft)
        tr.seen, snap.tr = [], tr
        tr.train(resume_from_checkpoint=f'{out}/{resume}' if resume else None)
        acc = tr.accelerator
        ds_plugin = getattr(acc.state, 'deepspeed_plugin', None)
        fsdp_plugin = getattr(acc.state, 'fsdp_plugin', None)
        res['cases'][name] = dict(seen=tr.seen, params=snap.params, logs=tr.state.log_history,
                                  seconds=time.time() - t0, world=acc.num_processes,
                                  type=str(acc.distributed_type),
                                  zero_stage=getattr(ds_plugin, 'zero_stage', None),
                                  fsdp_version=getattr(fsdp_plugin, 'fsdp_version', None),
                                  local_numel=local_numel(tr.model_wrapped))
        del tr
    torch.save(res, f'{out}/rank{rank}.pt')
    torch.distributed.barrier()
    torch.distributed.destroy_process_group()

if __name__ == '__main__':
    if sys.argv[1] == '--check': print(json.dumps(patches_needed()))
    elif sys.argv[1] == '--env': print(json.dumps(engine_env(sys.argv[2]), indent=1))
    else: worker(*sys.argv[1:4])
