"""Builds the Python part of the training corpus from an installed site-packages (the GPU machine's).

The counterpart of build-corpus.mjs for a machine where Node is not at hand: same filters, same
content hash, and the same tokenizer, read from the model's tokenizer.json with the `tokenizers`
library (its ids equal gpt-tokenizer's p50k_edit). Each top-level package is one source; its license is
read from the distribution's metadata and only permissive ones are kept. Files whose hash is in the
held-out list (val/test files of the main corpus) are dropped, so nothing leaks into evaluation.

usage: python3 corpus_python.py --tokenizer tokenizer.json --exclude heldout-hashes.txt --out DIR
       [--roots SITE_PACKAGES ...] [--max-package-mb 12] [--max-total-mb 900]
writes DIR/train.site.bin (uint16) and DIR/manifest-site.json
"""
from __future__ import annotations

import argparse
import email
import hashlib
import json
import os
import re
import site
import sys
from pathlib import Path

import numpy as np

EOT = 50256
PERMISSIVE = re.compile(r"\b(MIT|BSD|Apache|ISC|PSF|Python Software Foundation|Unlicense|0BSD|CC0|zlib|HPND)\b", re.I)
SKIP_DIRS = {"__pycache__", "tests", "test", "testing", "_vendor", "vendor", "node_modules", "site-packages"}


def content_hash(text: str) -> str:
    return hashlib.sha1(re.sub(r"\s+", " ", text).strip().encode("utf-8")).hexdigest()


def looks_generated(text: str) -> bool:
    lines = text.split("\n")
    long_lines = sum(1 for line in lines if len(line) > 300)
    return long_lines > 3 or len(text) / max(len(lines), 1) > 120


def licenses(root: Path) -> dict:
    """top-level import name -> license text, from *.dist-info metadata."""
    out = {}
    for info in root.glob("*.dist-info"):
        try:
            meta = email.message_from_string((info / "METADATA").read_text(errors="replace"))
        except OSError:
            continue
        lic = meta.get("License-Expression") or ""
        if not lic or len(lic) > 80:
            lic = meta.get("License") or ""
        if not lic or len(lic) > 80:
            classifiers = [c for c in meta.get_all("Classifier") or [] if c.startswith("License ::")]
            lic = classifiers[0].split("::")[-1].strip() if classifiers else "UNKNOWN"
        tops = []
        if (info / "top_level.txt").exists():
            tops = (info / "top_level.txt").read_text().split()
        elif (info / "RECORD").exists():
            tops = {line.split("/")[0].split(",")[0].removesuffix(".py") for line in (info / "RECORD").read_text().splitlines()}
        for t in tops:
            out[t] = lic.strip()
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--tokenizer", required=True)
    ap.add_argument("--exclude", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--roots", nargs="*", default=None)
    ap.add_argument("--max-package-mb", type=float, default=12)
    ap.add_argument("--max-total-mb", type=float, default=900)
    ap.add_argument("--max-file-kb", type=float, default=400)
    a = ap.parse_args()
    from tokenizers import Tokenizer

    tok = Tokenizer.from_file(a.tokenizer)
    heldout = set(Path(a.exclude).read_text().split())
    roots = [Path(r) for r in (a.roots or site.getsitepackages())]
    out = Path(a.out)
    out.mkdir(parents=True, exist_ok=True)
    seen, texts, sources, skipped = set(), [], [], []
    total = 0
    for root in roots:
        if not root.is_dir():
            continue
        lic_of = licenses(root)
        for top in sorted(root.iterdir()):
            name = top.name.removesuffix(".py")
            if top.name.endswith((".dist-info", ".egg-info", ".pth")) or name.startswith(("_", ".")) and name != "__future__":
                continue
            lic = lic_of.get(name, "UNKNOWN")
            if not PERMISSIVE.search(lic):
                skipped.append({"name": name, "license": lic})
                continue
            files = [top] if top.suffix == ".py" else sorted(p for p in top.rglob("*.py") if not (SKIP_DIRS & set(p.relative_to(top).parts[:-1])))
            nbytes, nfiles = 0, 0
            for f in files:
                if nbytes > a.max_package_mb * 1e6 or total > a.max_total_mb * 1e6:
                    break
                try:
                    if f.stat().st_size > a.max_file_kb * 1e3:
                        continue
                    text = f.read_text(encoding="utf-8")
                except (OSError, UnicodeDecodeError):
                    continue
                if len(text) < 64 or looks_generated(text) or "<|endoftext|>" in text or "<|fim_" in text:
                    continue
                h = content_hash(text)
                if h in seen or h in heldout:
                    continue
                seen.add(h)
                texts.append(text)
                nbytes += len(text.encode("utf-8"))
                nfiles += 1
            total += nbytes
            if nfiles:
                sources.append({"name": name, "kind": "python-site-packages", "license": lic, "split": "train", "files": nfiles, "bytes": nbytes})
    n_tokens = 0
    with open(out / "train.site.bin", "wb") as fh:
        for i in range(0, len(texts), 2000):
            for enc in tok.encode_batch(texts[i: i + 2000], add_special_tokens=False):
                ids = np.asarray(enc.ids + [EOT], dtype=np.uint16)
                fh.write(ids.tobytes())
                n_tokens += len(ids)
    (out / "manifest-site.json").write_text(json.dumps({"sources": sources, "skipped": skipped, "files": len(texts), "bytes": total,
                                                        "tokens": n_tokens}, indent=1))
    print(json.dumps({"files": len(texts), "bytes": total, "tokens": n_tokens, "sources": len(sources), "skipped": len(skipped)}), flush=True)


if __name__ == "__main__":
    sys.exit(main())
