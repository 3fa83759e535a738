#!/usr/bin/env bash
# Run on a GPU node to see what ND4J's CUDA backend (an essl-spark -Pcuda build) will do there, before any job:
#   deploy/gpu-check.sh [path/to/essl-spark-app.jar]     (default: target/essl-spark-0.1.0-SNAPSHOT-app.jar)
# Prints the GPUs (nvidia-smi), the CUDA 11 libraries ND4J loads (cuBLAS 11, cuSOLVER 11; the CUDA runtime is
# linked into ND4J), then `essl gpu-check`: exit 0 when every GPU can run the build, 2 with one line when one cannot
# (e.g. H100/H200, compute capability 9.0: the build has machine code up to 8.6 and no PTX; docs/gpu.md).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
JAR="${1:-$ROOT/target/essl-spark-0.1.0-SNAPSHOT-app.jar}"
if command -v nvidia-smi >/dev/null; then
  nvidia-smi --query-gpu=index,name,compute_cap,driver_version,memory.total --format=csv || true
else
  echo "nvidia-smi: not found (no NVIDIA driver on this node)"
fi
IFS=: read -r -a LIBDIRS <<< "${LD_LIBRARY_PATH:-}:/usr/local/cuda-11.6/lib64"
for lib in libcublas.so.11 libcusolver.so.11; do
  found=""
  ldconfig -p 2>/dev/null | grep -q "$lib" && found="ldconfig"
  for d in "${LIBDIRS[@]}"; do [ -n "$d" ] && [ -e "$d/$lib" ] && found="$d"; done
  if [ -n "$found" ]; then echo "$lib: found ($found)"; else
    echo "$lib: NOT found (install CUDA 11.x, or put its lib64 on LD_LIBRARY_PATH)"
  fi
done
if [ ! -f "$JAR" ]; then
  echo "gpu-check: no application jar at $JAR (build it with: mvn -Pcuda -DskipTests package)" >&2
  exit 2
fi
# Spark's jars (on a Spark node: $SPARK_HOME/jars) give the command its logging and JSON libraries.
exec java -cp "$JAR${SPARK_HOME:+:$SPARK_HOME/jars/*}" io.essl.cli.Main gpu-check
