#!/usr/bin/env bash
# The one prepared run on the lent H200 (see README "Training the default model"):
#   1. corpus: carried TS/JS + stdlib tokens, plus the machine's site-packages Python, tokenized there;
#   2. training: the gpu preset in bf16 until TRAIN_END seconds after start;
#   3. export of the result to ONNX there, and the GPU inference check (runtime on WebGPU vs CPU).
# Results land in $OUT (at most 8 files): ckpt.pt.part*, train-log.jsonl, manifest-site.json,
# gpu-check.json, run.log. Prepare .carry/ first with training/prepare-carry.sh.
set -u
T0=$(date +%s)
TRAIN_END=${TRAIN_END:-420}
C=.carry
OUT=${OUT:-/tmp/out}
mkdir -p "$OUT" /tmp/corpus
exec > >(tee "$OUT/run.log") 2>&1
export PYTHONUNBUFFERED=1
since() { echo "[+$(( $(date +%s) - T0 ))s] $*"; }

since "machine"
nvidia-smi --query-gpu=name,memory.total,driver_version,clocks.sm,clocks.mem --format=csv
python3 -c "import torch; print('torch', torch.__version__, torch.cuda.get_device_name(0))"

since "corpus"
xz -dc $C/train.tsjs.bin.xz > /tmp/corpus/train.tsjs.bin
xz -dc $C/train.py.bin.xz > /tmp/corpus/train.py.bin
cp $C/val.tsjs.bin $C/val.py.bin $C/newline-tokens.json /tmp/corpus/
python3 training/corpus_python.py --tokenizer $C/tokenizer.json --exclude $C/heldout-hashes.txt --out /tmp/corpus
cp /tmp/corpus/manifest-site.json "$OUT/"
ls -la /tmp/corpus

LEFT=$(( TRAIN_END - ($(date +%s) - T0) ))
since "training for $LEFT s"
python3 training/train.py --preset gpu --data /tmp/corpus --out "$OUT" --minutes "$(python3 -c "print(max(0.5, $LEFT / 60))")" \
  --threads 8 --save-every-minutes 2 2>&1 | grep -v -i warning

since "export"
cat "$OUT"/ckpt.pt.part* > /tmp/ckpt.pt
python3 training/export_onnx.py --checkpoint /tmp/ckpt.pt --out /tmp/model --no-quantize --context 1024 \
  --tokenizer-json $C/tokenizer.json 2>&1 | grep -v -i warning | tail -5

since "copy bandwidth"
python3 - <<'EOF'
import torch
x = torch.empty(2 * 1024**3, dtype=torch.uint8, device="cuda"); y = torch.empty_like(x)
for _ in range(3): y.copy_(x)
s, e = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
s.record()
for _ in range(10): y.copy_(x)
e.record(); torch.cuda.synchronize()
print(f"device copy bandwidth (read+write): {2 * x.numel() * 10 / (s.elapsed_time(e) / 1e3) / 1e12:.2f} TB/s")
EOF

since "GPU inference check"
xz -dc $C/node.xz > /tmp/node && chmod +x /tmp/node
mkdir -p node_modules && tar -C node_modules -xJf $C/ort.tar.xz
for f in $C/gl/*.deb; do dpkg -x "$f" /; done; ldconfig
export VK_DRIVER_FILES=/usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json __EGL_VENDOR_LIBRARY_FILENAMES=/usr/local/nvidia/share/glvnd/egl_vendor.d/10_nvidia.json
ls /usr/local/nvidia/share/vulkan/icd.d/ 2>&1 | head -3
timeout 150 /tmp/node $C/gpu-check.js --model /tmp/model --onnx model.onnx --providers cpu,webgpu --json "$OUT/gpu-check.json" 2>&1 | grep -v '^{' | tail -25
since "end"
