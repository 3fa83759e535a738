#!/usr/bin/env bash
# Submit an essl-spark command to a cluster with spark-submit (YARN, Kubernetes, standalone).
#   deploy/spark-submit.sh [spark-submit options --] <essl command and options>
# e.g.
#   deploy/spark-submit.sh --master yarn --deploy-mode cluster --num-executors 8 --executor-cores 4 \
#       --executor-memory 16g -- pretrain --config conf/small-esimclr.conf --model hdfs:///models/esimclr.zip
# Builds the application jar (Spark provided) when it is missing. Java 17 flags go to driver and executors.
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
  --driver-java-options "$FLAGS" \
  --conf "spark.executor.extraJavaOptions=$FLAGS" \
  --conf "spark.executorEnv.OMP_NUM_THREADS=${OMP_NUM_THREADS:-1}" \
  "${SUBMIT_ARGS[@]}" "$JAR" "$@"
