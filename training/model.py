"""A decoder-only transformer that reads in one sitting.

Two families, chosen by `arch`:
- "llama": RoPE, RMSNorm, SwiGLU, grouped-query attention, tied embeddings. The architecture most
  open models share (Llama, Qwen2, Mistral, Phi-3), so the runtime path the default model exercises
  is the one user models take too.
- "gpt2": learned positions, LayerNorm, GELU, for the gpt2 test fixture.

forward() serves both training (tokens in, logits out, no cache) and ONNX export (the transformers.js
decoder signature: input_ids, attention_mask, position_ids, past key/values in, logits and present
key/values out). Works on torch 1.13 (Debian, CPU) and torch 2.x (the GPU machine).
"""
from __future__ import annotations

import math
from dataclasses import dataclass, asdict
from typing import List, Optional, Tuple

import torch
import torch.nn as nn
import torch.nn.functional as F


@dataclass
class ModelConfig:
    arch: str = "llama"
    vocab_size: int = 50284
    d_model: int = 512
    n_layer: int = 8
    n_head: int = 8
    n_kv_head: int = 4
    d_ff: int = 1408
    max_positions: int = 1024
    rope_theta: float = 10000.0
    norm_eps: float = 1e-5

    @property
    def head_dim(self) -> int:
        return self.d_model // self.n_head

    def to_dict(self) -> dict:
        return asdict(self)


class RMSNorm(nn.Module):
    def __init__(self, d: int, eps: float):
        super().__init__()
        self.eps = eps
        self.weight = nn.Parameter(torch.ones(d))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x32 = x.float()
        y = x32 * torch.rsqrt(x32.pow(2).mean(-1, keepdim=True) + self.eps)
        return (y * self.weight.float()).type_as(x)


def rotate_half(x: torch.Tensor) -> torch.Tensor:
    # The Hugging Face Llama convention (halves, not interleaved pairs), so the weights match theirs.
    h = x.shape[-1] // 2
    return torch.cat((-x[..., h:], x[..., :h]), dim=-1)


class Attention(nn.Module):
    def __init__(self, cfg: ModelConfig):
        super().__init__()
        self.cfg = cfg
        bias = cfg.arch == "gpt2"
        hd = cfg.head_dim
        self.q = nn.Linear(cfg.d_model, cfg.n_head * hd, bias=bias)
        self.k = nn.Linear(cfg.d_model, cfg.n_kv_head * hd, bias=bias)
        self.v = nn.Linear(cfg.d_model, cfg.n_kv_head * hd, bias=bias)
        self.o = nn.Linear(cfg.n_head * hd, cfg.d_model, bias=bias)

    def forward(self, x, cos_sin, mask, past: Optional[Tuple[torch.Tensor, torch.Tensor]]):
        cfg = self.cfg
        B, S, _ = x.shape
        hd = cfg.head_dim
        q = self.q(x).view(B, S, cfg.n_head, hd).transpose(1, 2)
        k = self.k(x).view(B, S, cfg.n_kv_head, hd).transpose(1, 2)
        v = self.v(x).view(B, S, cfg.n_kv_head, hd).transpose(1, 2)
        if cos_sin is not None:
            cos, sin = cos_sin
            q = q * cos + rotate_half(q) * sin
            k = k * cos + rotate_half(k) * sin
        if past is not None:
            k = torch.cat([past[0], k], dim=2)
            v = torch.cat([past[1], v], dim=2)
        present = (k, v)
        rep = cfg.n_head // cfg.n_kv_head
        # expand + reshape rather than repeat_interleave: it exports to ONNX with dynamic lengths.
        kr = k[:, :, None].expand(-1, -1, rep, -1, -1).reshape(B, cfg.n_head, -1, hd) if rep > 1 else k
        vr = v[:, :, None].expand(-1, -1, rep, -1, -1).reshape(B, cfg.n_head, -1, hd) if rep > 1 else v
        if mask is None and hasattr(F, "scaled_dot_product_attention"):
            y = F.scaled_dot_product_attention(q, kr, vr, is_causal=True)
        else:
            att = (q @ kr.transpose(-2, -1)) * (1.0 / math.sqrt(hd))
            if mask is None:
                mask = torch.ones(S, S, dtype=torch.bool, device=x.device).tril()
            att = att.masked_fill(~mask, torch.finfo(att.dtype).min)
            y = torch.softmax(att.float(), dim=-1).type_as(q) @ vr
        y = y.transpose(1, 2).reshape(B, S, cfg.n_head * hd)
        return self.o(y), present


class MLP(nn.Module):
    def __init__(self, cfg: ModelConfig):
        super().__init__()
        self.arch = cfg.arch
        if cfg.arch == "llama":
            self.gate = nn.Linear(cfg.d_model, cfg.d_ff, bias=False)
            self.up = nn.Linear(cfg.d_model, cfg.d_ff, bias=False)
            self.down = nn.Linear(cfg.d_ff, cfg.d_model, bias=False)
        else:
            self.up = nn.Linear(cfg.d_model, cfg.d_ff)
            self.down = nn.Linear(cfg.d_ff, cfg.d_model)

    def forward(self, x):
        if self.arch == "llama":
            return self.down(F.silu(self.gate(x)) * self.up(x))
        return self.down(F.gelu(self.up(x), approximate="tanh"))


class Block(nn.Module):
    def __init__(self, cfg: ModelConfig):
        super().__init__()
        norm = (lambda: RMSNorm(cfg.d_model, cfg.norm_eps)) if cfg.arch == "llama" else (lambda: nn.LayerNorm(cfg.d_model, eps=cfg.norm_eps))
        self.norm1 = norm()
        self.attn = Attention(cfg)
        self.norm2 = norm()
        self.mlp = MLP(cfg)

    def forward(self, x, cos_sin, mask, past):
        a, present = self.attn(self.norm1(x), cos_sin, mask, past)
        x = x + a
        return x + self.mlp(self.norm2(x)), present


class Transformer(nn.Module):
    def __init__(self, cfg: ModelConfig):
        super().__init__()
        if cfg.arch not in ("llama", "gpt2"):
            raise ValueError(f"unknown arch {cfg.arch!r}")
        self.cfg = cfg
        self.embed = nn.Embedding(cfg.vocab_size, cfg.d_model)
        self.pos = nn.Embedding(cfg.max_positions, cfg.d_model) if cfg.arch == "gpt2" else None
        self.blocks = nn.ModuleList([Block(cfg) for _ in range(cfg.n_layer)])
        self.norm = RMSNorm(cfg.d_model, cfg.norm_eps) if cfg.arch == "llama" else nn.LayerNorm(cfg.d_model, eps=cfg.norm_eps)
        inv = 1.0 / (cfg.rope_theta ** (torch.arange(0, cfg.head_dim, 2).float() / cfg.head_dim))
        self.register_buffer("inv_freq", inv, persistent=False)
        self.apply(self._init)
        # Scaled init of the residual projections (GPT-2 / nanoGPT), so deep stacks start stable.
        for name, p in self.named_parameters():
            if name.endswith("o.weight") or name.endswith("down.weight"):
                nn.init.normal_(p, mean=0.0, std=0.02 / math.sqrt(2 * cfg.n_layer))

    @staticmethod
    def _init(m):
        if isinstance(m, nn.Linear):
            nn.init.normal_(m.weight, mean=0.0, std=0.02)
            if m.bias is not None:
                nn.init.zeros_(m.bias)
        elif isinstance(m, nn.Embedding):
            nn.init.normal_(m.weight, mean=0.0, std=0.02)

    def num_params(self) -> int:
        return sum(p.numel() for p in self.parameters())

    def rope(self, position_ids: torch.Tensor, dtype) -> Tuple[torch.Tensor, torch.Tensor]:
        freqs = position_ids[..., None].float() * self.inv_freq  # [B, S, hd/2]
        emb = torch.cat([freqs, freqs], dim=-1)[:, None, :, :]  # [B, 1, S, hd]
        return emb.cos().to(dtype), emb.sin().to(dtype)

    def forward(
        self,
        input_ids: torch.Tensor,
        attention_mask: Optional[torch.Tensor] = None,
        position_ids: Optional[torch.Tensor] = None,
        past: Optional[List[Tuple[torch.Tensor, torch.Tensor]]] = None,
        num_logits_to_keep: Optional[torch.Tensor] = None,
    ):
        """Training: forward(ids) -> logits. Export/inference: every argument -> (logits, presents)."""
        B, S = input_ids.shape
        x = self.embed(input_ids)
        past_len = 0 if past is None else past[0][0].shape[2]
        if position_ids is None:
            position_ids = torch.arange(past_len, past_len + S, device=input_ids.device)[None, :].expand(B, S)
        if self.pos is not None:
            x = x + self.pos(position_ids)
        cos_sin = self.rope(position_ids, x.dtype) if self.cfg.arch == "llama" else None
        mask = None
        if attention_mask is not None or past is not None:
            total = past_len + S
            # Query i (absolute position past_len + i) sees key j when j <= past_len + i and j is not padding.
            q_pos = torch.arange(S, device=x.device)[:, None] + past_len
            k_pos = torch.arange(total, device=x.device)[None, :]
            mask = (k_pos <= q_pos)[None, None, :, :]
            if attention_mask is not None:
                mask = mask & attention_mask[:, None, None, :].bool()
        presents = []
        for i, block in enumerate(self.blocks):
            x, present = block(x, cos_sin, mask, None if past is None else past[i])
            presents.append(present)
        x = self.norm(x)
        if num_logits_to_keep is not None:
            # Only the last positions' logits are needed to continue: skips most of the output layer on prefill.
            x = x[:, x.shape[1] - num_logits_to_keep:, :]
        logits = F.linear(x, self.embed.weight)
        if past is None and attention_mask is None and num_logits_to_keep is None:
            return logits
        return logits, presents
