"""Trains the default model: one script for the CPU (Debian torch 1.13, 2 cores) and the GPU (bf16).

The schedule runs on wall-clock time, not steps, because the budget is time (about 2 hours on the
CPU, a few minutes on the lent H200): linear warm-up, then cosine decay to 10% at the deadline.

Checkpoints hold weights as int8 with one scale per row (what comes back from the GPU machine must fit
in a few 16 MiB files) and are split into parts of at most 15 MB: ckpt.pt.part0, part1, ...
Join them with `cat ckpt.pt.part* > ckpt.pt`; export_onnx.py dequantizes. Per-row int8 is also the
grouping quantize.py uses for the shipped ONNX model, so the second quantization is lossless.

usage: python3 train.py --preset gpu --data CORPUS_DIR --out OUT_DIR --minutes 6
"""
from __future__ import annotations

import argparse
import io
import json
import math
import os
import sys
import time
from dataclasses import replace
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from model import ModelConfig, Transformer  # noqa: E402
from data import get_batch, load_newline_table, load_tokens  # noqa: E402

PRESETS = {
    # Smoke tests and CI: seconds.
    "tiny": dict(cfg=ModelConfig(d_model=64, n_layer=2, n_head=4, n_kv_head=2, d_ff=192, max_positions=128), batch=4, ctx=128, lr=3e-3, save_min=1.5),
    # 2 CPU cores, about 2 hours: ~825 tokens/s (jemalloc keeping freed pages), 5.7 M tokens in 116 min, val loss
    # 3.78; the 50 k vocabulary's embedding is 12.9 M of the 17.3 M params and its output layer most of the compute.
    "cpu": dict(cfg=ModelConfig(d_model=256, n_layer=6, n_head=4, n_kv_head=2, d_ff=704, max_positions=512), batch=8, ctx=512, lr=2e-3,
                save_min=10.0),
    # One H200, minutes: ~55 M params, hundreds of millions of tokens in bf16.
    "gpu": dict(cfg=ModelConfig(d_model=512, n_layer=10, n_head=8, n_kv_head=4, d_ff=1408, max_positions=1024), batch=96, ctx=1024, lr=1.5e-3, save_min=1.5),
}


def quantize_state(model: Transformer) -> dict:
    """int8 per-row for matrices, fp16 for vectors."""
    state, scales = {}, {}
    for k, v in model.state_dict().items():
        v = v.detach().float().cpu()
        if v.dim() == 2:
            s = v.abs().amax(dim=1).clamp(min=1e-12) / 127.0
            state[k] = torch.round(v / s[:, None]).clamp(-127, 127).to(torch.int8)
            scales[k] = s
        else:
            state[k] = v.half()
    return {"model": state, "quantized": scales}


def save_checkpoint(model: Transformer, out: Path, meta: dict, part_bytes: int = 15_000_000) -> None:
    buf = io.BytesIO()
    torch.save({"config": model.cfg.to_dict(), **quantize_state(model), "meta": meta}, buf)
    data = buf.getvalue()
    for old in out.glob("ckpt.pt.part*"):
        old.unlink()
    for i in range(0, len(data), part_bytes):
        (out / f"ckpt.pt.part{i // part_bytes}").write_bytes(data[i: i + part_bytes])


@torch.no_grad()
def evaluate(model, data, batch, ctx, device, amp, batches=20):
    model.eval()
    rng = np.random.default_rng(0)  # the same windows every time, so values compare across the run
    losses = []
    for _ in range(batches):
        x, y = get_batch(data, batch, ctx, rng, fim_rate=0.0)
        x, y = torch.from_numpy(x).to(device), torch.from_numpy(y).to(device)
        with amp():
            logits = model(x)
        losses.append(F.cross_entropy(logits.float().view(-1, logits.size(-1)), y.reshape(-1)).item())
    model.train()
    return float(np.mean(losses))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--preset", choices=PRESETS, default="cpu")
    ap.add_argument("--data", required=True, help="folder with train.*.bin and val.*.bin")
    ap.add_argument("--out", required=True)
    ap.add_argument("--minutes", type=float, default=120.0)
    ap.add_argument("--batch", type=int, default=None)
    ap.add_argument("--lr", type=float, default=None)
    ap.add_argument("--warmup-frac", type=float, default=0.03)
    # A validation pass costs ~7 training steps on 2 cores: every 1.5 min it took a quarter of a CPU run.
    ap.add_argument("--save-every-minutes", type=float, default=None, help="checkpoint + validation interval (preset default)")
    ap.add_argument("--threads", type=int, default=os.cpu_count())
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--init", default=None,
                    help="start from this checkpoint (its config replaces the preset's), e.g. onnx_to_checkpoint.py's output")
    ap.add_argument("--ctx", type=int, default=None, help="training context (default: the preset's)")
    ap.add_argument("--fim-rate", type=float, default=0.5, help="share of rows packed with FIM samples")
    ap.add_argument("--fim-line-rate", type=float, default=0.5,
                    help="share of FIM rows whose middle ends at a line end (needs newline-tokens.json in --data)")
    ap.add_argument("--mix", default="tsjs=0.35,py=0.05,site=0.6",
                    help="share of batch rows per train.NAME.bin; the site-packages Python would otherwise drown the TS/JS")
    a = ap.parse_args()

    start = time.time()
    preset = PRESETS[a.preset]
    cfg: ModelConfig = replace(preset["cfg"])
    batch, ctx = a.batch or preset["batch"], a.ctx or preset["ctx"]
    init = torch.load(a.init, map_location="cpu") if a.init else None
    if init:
        cfg = ModelConfig(**init["config"])
    lr_max = a.lr or preset["lr"]
    save_every_s = 60.0 * (a.save_every_minutes or preset["save_min"])
    device = "cuda" if torch.cuda.is_available() else "cpu"
    torch.manual_seed(a.seed)
    torch.set_num_threads(a.threads)
    if device == "cuda":
        torch.backends.cuda.matmul.allow_tf32 = True
        torch.backends.cudnn.allow_tf32 = True

    data_dir, out = Path(a.data), Path(a.out)
    out.mkdir(parents=True, exist_ok=True)
    sources = {p.name.split(".")[1]: load_tokens([p]) for p in sorted(data_dir.glob("train.*.bin")) if p.stat().st_size > 0}
    wanted = {k: float(v) for k, v in (kv.split("=") for kv in a.mix.split(",") if kv)}
    names = list(sources)
    weights = np.array([wanted.get(n, 0.0) for n in names]) if any(n in wanted for n in names) else np.ones(len(names))
    if weights.sum() == 0:
        weights = np.ones(len(names))
    weights = weights / weights.sum()
    val = load_tokens(sorted(data_dir.glob("val.*.bin")))
    nl_path = data_dir / "newline-tokens.json"
    newline = load_newline_table(nl_path, cfg.vocab_size) if nl_path.exists() else None
    model = Transformer(cfg)
    if init:
        model.load_state_dict({k: v.float() for k, v in init["model"].items()})
    model = model.to(device)
    n_params = model.num_params()
    decay = [p for n, p in model.named_parameters() if p.dim() >= 2]
    no_decay = [p for n, p in model.named_parameters() if p.dim() < 2]
    opt_kwargs = dict(lr=lr_max, betas=(0.9, 0.95), eps=1e-8)
    if device == "cuda":
        opt_kwargs["fused"] = True
    opt = torch.optim.AdamW([{"params": decay, "weight_decay": 0.1}, {"params": no_decay, "weight_decay": 0.0}], **opt_kwargs)
    amp = (lambda: torch.autocast("cuda", dtype=torch.bfloat16)) if device == "cuda" else (lambda: torch.autocast("cpu", enabled=False))
    log = open(out / "train-log.jsonl", "a")

    def emit(rec):
        rec["elapsed_s"] = round(time.time() - start, 1)
        print(json.dumps(rec), flush=True)
        log.write(json.dumps(rec) + "\n")
        log.flush()

    emit({"event": "start", "preset": a.preset, "params": n_params, "config": cfg.to_dict(), "batch": batch, "ctx": ctx,
          "train_tokens": {n: int(len(t)) for n, t in sources.items()}, "mix": dict(zip(names, weights.round(3).tolist())),
          "val_tokens": int(len(val)), "init": a.init, "fim_rate": a.fim_rate, "fim_line_rate": a.fim_line_rate if newline is not None else 0.0, "device": device, "torch": torch.__version__,
          "gpu": torch.cuda.get_device_name(0) if device == "cuda" else None})

    budget = a.minutes * 60.0
    t0 = time.time()
    rng = np.random.default_rng(a.seed)
    step, tokens, last_save, last_log = 0, 0, t0, t0
    best_val = math.inf
    model.train()
    while True:
        frac = (time.time() - t0) / budget
        if frac >= 1.0:
            break
        lr = lr_max * (frac / a.warmup_frac if frac < a.warmup_frac else 0.1 + 0.9 * 0.5 * (1 + math.cos(math.pi * (frac - a.warmup_frac) / (1 - a.warmup_frac))))
        for g in opt.param_groups:
            g["lr"] = lr
        counts = rng.multinomial(batch, weights)
        parts = [get_batch(sources[n], int(c), ctx, rng, fim_rate=a.fim_rate, newline=newline, line_rate=a.fim_line_rate) for n, c in zip(names, counts) if c > 0]
        x = np.concatenate([p[0] for p in parts])
        y = np.concatenate([p[1] for p in parts])
        x, y = torch.from_numpy(x).to(device, non_blocking=True), torch.from_numpy(y).to(device, non_blocking=True)
        with amp():
            logits = model(x)
            loss = F.cross_entropy(logits.float().view(-1, logits.size(-1)), y.reshape(-1))
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        step += 1
        tokens += batch * ctx
        now = time.time()
        if now - last_log > 15 or step == 1:
            emit({"event": "step", "step": step, "loss": round(loss.item(), 4), "lr": round(lr, 6), "tokens": tokens,
                  "tok_per_s": round(tokens / (now - t0))})
            last_log = now
        if now - last_save > save_every_s:
            v = evaluate(model, val, batch, ctx, device, amp)
            best_val = min(best_val, v)
            emit({"event": "eval", "step": step, "val_loss": round(v, 4), "tokens": tokens})
            save_checkpoint(model, out, {"step": step, "tokens": tokens, "val_loss": v})
            last_save = time.time()

    v = evaluate(model, val, batch, ctx, device, amp)
    meta = {"step": step, "tokens": tokens, "val_loss": v, "train_seconds": round(time.time() - t0, 1), "params": n_params,
            "preset": a.preset, "tok_per_s": round(tokens / (time.time() - t0))}
    save_checkpoint(model, out, meta)
    emit({"event": "done", **meta})


if __name__ == "__main__":
    main()
