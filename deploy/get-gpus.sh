#!/usr/bin/env bash
# Spark GPU discovery script (spark.{driver,executor,worker}.resource.gpu.discoveryScript): prints the GPUs this
# container or node may use as Spark's resource JSON, e.g. {"name":"gpu","addresses":["0","1"]}.
# The addresses are CUDA device indices as the JVM sees them (after CUDA_VISIBLE_DEVICES): essl pins each task's
# ND4J thread to the first address Spark assigns it.
set -euo pipefail
addresses="$(nvidia-smi --query-gpu=index --format=csv,noheader 2>/dev/null | sed 's/ //g' | paste -sd, - \
  | sed 's/\([0-9][0-9]*\)/"\1"/g')"
echo "{\"name\":\"gpu\",\"addresses\":[${addresses}]}"
