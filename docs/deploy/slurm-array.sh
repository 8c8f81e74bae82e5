#!/bin/bash
# capgen batch split over a Slurm job array: task K captions shard K/8 of
# the collection (a hash of each path; docs/distributed.md) into its own
# journal. Submit with `sbatch docs/deploy/slurm-array.sh /shared/photos`,
# then merge:
#   capgen journal merge --out captions.jsonl /shared/photos/.capgen/shard-*.jsonl
#SBATCH --job-name=capgen
#SBATCH --array=0-7
#SBATCH --gres=gpu:1
#SBATCH --cpus-per-task=8
#SBATCH --time=24:00:00
#SBATCH --output=capgen-%A_%a.log
set -euo pipefail

photos=${1:?usage: sbatch slurm-array.sh PHOTOS_DIR}
shards=8 # the number of tasks of --array above
mkdir -p "$photos/.capgen"
# Run from the same directory in every task: the shard of an image is a
# hash of its path as given.
cd "$photos"
exec capgen batch --model "$HOME/models/model.gguf" --mmproj "$HOME/models/mmproj.gguf" \
  --lang en,de,fr --xmp --progress plain \
  --shard "${SLURM_ARRAY_TASK_ID}/${shards}" \
  --out ".capgen/shard-${SLURM_ARRAY_TASK_ID}.jsonl" \
  .
