#!/usr/bin/env python3
"""OpenAI's reference prior, KV-cached ancestral sampling speed on CPU: the `prior-sampling` benchmark's
side-by-side run (benchmarks/JukeboxBridge.Benchmarks, --reference DIR). Builds the reference's
ConditionalAutoregressive2D with random weights in the asked shape and times `sample()` (fp32, no labels).

  python3 prior_sampling.py --jukebox DIR --batch 1 --tokens 128 --width 1024 --depth 12 --heads 4 \
      --ctx 4096 --blocks 64 --attn-order 2 --threads 2

DIR: a checkout of github.com/openai/jukebox (the folder holding the `jukebox` package). Needs PyTorch
(Debian: python3-torch) and numpy. Prints one JSON object. The reference's CUDA calls are redirected to the
CPU (--device cpu), its progress bar (tqdm) is a no-op and it runs as rank 0 of 1; nothing else is changed.
"""
import argparse, json, sys, time, types

p = argparse.ArgumentParser()
p.add_argument("--jukebox", required=True)
p.add_argument("--batch", type=int, default=1)
p.add_argument("--tokens", type=int, default=128)
p.add_argument("--width", type=int, default=1024)
p.add_argument("--depth", type=int, default=12)
p.add_argument("--heads", type=int, default=4)
p.add_argument("--ctx", type=int, default=4096)
p.add_argument("--blocks", type=int, default=64)
p.add_argument("--attn-order", type=int, default=2)
p.add_argument("--bins", type=int, default=2048)
p.add_argument("--threads", type=int, default=0)
p.add_argument("--device", default="cpu", choices=["cpu", "cuda"])
a = p.parse_args()

sys.path.insert(0, a.jukebox)
tq = types.ModuleType("tqdm")                       # the reference logs through tqdm; not installed here
tq.tqdm = lambda x, **k: x
sys.modules.setdefault("tqdm", tq)
import torch as t
if a.device == "cpu":
    t.Tensor.cuda = lambda self, *args, **kw: self   # the reference allocates its zero x_cond with .cuda()
    t.cuda.LongTensor, t.cuda.FloatTensor = t.LongTensor, t.FloatTensor   # its type asserts name the CUDA types
import torch.distributed
torch.distributed.is_available = lambda: False       # a single process: rank 0 (no process group)
if a.threads > 0:
    t.set_num_threads(a.threads)
from jukebox.prior.autoregressive import ConditionalAutoregressive2D

t.manual_seed(0)
prior = ConditionalAutoregressive2D(input_shape=(a.ctx,), bins=a.bins, width=a.width, depth=a.depth, heads=a.heads,
                                    attn_order=a.attn_order, blocks=a.blocks, init_scale=1.0).eval()
if a.device == "cuda":
    prior = prior.cuda()
params = sum(p.numel() * p.element_size() for p in prior.parameters())
with t.no_grad():
    prior.sample(a.batch, sample_tokens=8)          # warm-up
    t0 = time.perf_counter()
    z = prior.sample(a.batch, sample_tokens=a.tokens)
    if a.device == "cuda":
        t.cuda.synchronize()
    s = time.perf_counter() - t0
print(json.dumps({"batch": a.batch, "tokens": a.tokens, "seconds": s, "tokens_per_s": a.batch * a.tokens / s,
                  "ms_per_step": 1e3 * s / a.tokens, "param_bytes": params, "threads": t.get_num_threads(),
                  "torch": t.__version__, "shape": list(z.shape)}))
