#!/usr/bin/env bash
# Sampling speed on a CUDA GPU, for users with one (CI has none; no CUDA TorchSharp package is served to it).
# Builds the benchmarks against TorchSharp-cuda (-p:TorchBackend=cuda) and runs prior-sampling on the device, quiet
# and beside a busy process, at the README's shape and at reduced depths of the official shapes, with OpenAI's code
# side by side when a checkout of it is given. Results go to gpu-bench-RESULTS/ as JSON Lines and the log.
#
#   scripts/gpu-bench.sh [--reference DIR] [--out DIR]
#
# Needs: the .NET 10 SDK, an NVIDIA driver with CUDA 12, network access for the TorchSharp-cuda packages (or a
# local NuGet feed holding them), and for --reference: python3 with a CUDA PyTorch and numpy.
set -euo pipefail
cd "$(dirname "$0")/.."
REF=""; OUT="gpu-bench-$(date +%Y%m%d-%H%M%S)"
while [ $# -gt 0 ]; do
  case "$1" in
    --reference) REF="$2"; shift 2 ;;
    --out) OUT="$2"; shift 2 ;;
    *) echo "usage: scripts/gpu-bench.sh [--reference DIR] [--out DIR]" >&2; exit 2 ;;
  esac
done
mkdir -p "$OUT"
command -v nvidia-smi >/dev/null && nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv | tee "$OUT/gpu.csv"
dotnet build -c Release -p:TorchBackend=cuda benchmarks/JukeboxBridge.Benchmarks | tail -n 3

run() {  # name, then benchmark options
  local name=$1; shift
  echo "== prior-sampling $*" | tee -a "$OUT/log.txt"
  dotnet run -c Release -p:TorchBackend=cuda --no-build --project benchmarks/JukeboxBridge.Benchmarks -- \
    prior-sampling --device cuda "$@" ${REF:+--reference "$REF"} --json > "$OUT/$name.jsonl" 2>> "$OUT/log.txt"
  cat "$OUT/$name.jsonl"
}
run bench      --batch 1,4,8 --tokens 256 --load 0,1
run upsampler  --shape upsampler --layers 8 --batch 1,4 --tokens 128
run 1b_lyrics  --shape 1b_lyrics --layers 8 --batch 1,4 --tokens 128
echo "results in $OUT/"
