#!/usr/bin/env bash
# Submit an essl-spark command to a cluster with spark-submit (YARN, Kubernetes, standalone).
#   deploy/spark-submit.sh [spark-submit options --] <essl command and options>
# e.g.
#   deploy/spark-submit.sh --master yarn --deploy-mode cluster --num-executors 8 --executor-cores 4 \
#       --executor-memory 16g --files conf/small-esimclr.conf -- \
#       pretrain --config small-esimclr.conf --set train.epochs=200 --model hdfs:///models/esimclr.zip
# (in cluster mode the driver runs on a cluster node: ship the recipe with --files and name it bare)
# Builds the application jar (Spark provided) when it is missing. Java 17, ND4J and Aeron flags (bin/jvm-flags)
# go to driver and executors, with ND4J's off-heap limit (ESSL_DRIVER_OFFHEAP, ESSL_EXECUTOR_OFFHEAP; keep the
# executor's below spark.executor.memoryOverhead). Recipes and --set overrides are essl's own options.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
JAR="$ROOT/target/essl-spark-0.1.0-SNAPSHOT-app.jar"
if [ ! -f "$JAR" ]; then
  (cd "$ROOT" && mvn -B -q -DskipTests package)
fi
SUBMIT_ARGS=()
while [ $# -gt 0 ] && [ "$1" != "--" ]; do SUBMIT_ARGS+=("$1"); shift; done
[ "${1:-}" = "--" ] && shift
FLAGS="$(tr '\n' ' ' < "$ROOT/bin/jvm-flags") -Dessl.git.commit=$(git -C "$ROOT" rev-parse HEAD 2>/dev/null || echo unknown)"
exec "${SPARK_HOME:+$SPARK_HOME/bin/}spark-submit" \
  --class io.essl.cli.Main \
  --driver-java-options "$FLAGS -Dorg.bytedeco.javacpp.maxbytes=${ESSL_DRIVER_OFFHEAP:-4G}" \
  --conf "spark.executor.extraJavaOptions=$FLAGS -Dorg.bytedeco.javacpp.maxbytes=${ESSL_EXECUTOR_OFFHEAP:-16G}" \
  --conf "spark.executorEnv.OMP_NUM_THREADS=${OMP_NUM_THREADS:-1}" \
  "${SUBMIT_ARGS[@]}" "$JAR" "$@"
