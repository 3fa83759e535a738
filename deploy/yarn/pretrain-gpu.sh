#!/usr/bin/env bash
# YARN with GPU scheduling: pre-train on GPU executors (one training task per GPU), then probe the saved model.
#   HDFS_DIR=hdfs:///user/$USER/essl deploy/yarn/pretrain-gpu.sh
# YARN must schedule yarn.io/gpu (resource plugin and DominantResourceCalculator: see deploy/emr/configurations.json
# for the settings) and the jar must be built with the CUDA backend (mvn -Pcuda -DskipTests package).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
: "${HDFS_DIR:?set HDFS_DIR, e.g. hdfs:///user/$USER/essl}"
GPU_CONF=(
  --conf spark.executor.resource.gpu.amount=1
  --conf spark.task.resource.gpu.amount=1
  --conf spark.executor.resource.gpu.discoveryScript=./get-gpus.sh
  --files "$ROOT/deploy/get-gpus.sh,$ROOT/conf/small-esimclr.conf"
)
COMMON=(--master yarn --deploy-mode cluster --num-executors "${EXECUTORS:-4}" --executor-cores 8
  --executor-memory 16g --conf spark.executor.memoryOverhead=24g --conf spark.executorEnv.OMP_NUM_THREADS=8
  --conf spark.dynamicAllocation.enabled=false)

OMP_NUM_THREADS=8 "$ROOT/deploy/spark-submit.sh" "${COMMON[@]}" "${GPU_CONF[@]}" -- \
  pretrain --config small-esimclr.conf --set "data.dir=\"$HDFS_DIR/fashion-mnist\"" \
  --set "train.checkpoint.dir=\"$HDFS_DIR/checkpoints/esimclr\"" --set train.resume=auto \
  --model "$HDFS_DIR/models/esimclr.zip" --report pretrain-report.json

OMP_NUM_THREADS=8 "$ROOT/deploy/spark-submit.sh" "${COMMON[@]}" "${GPU_CONF[@]}" -- \
  probe --config small-esimclr.conf --set "data.dir=\"$HDFS_DIR/fashion-mnist\"" \
  --model "$HDFS_DIR/models/esimclr.zip" --report probe-report.json
