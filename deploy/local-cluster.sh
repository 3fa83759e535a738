#!/usr/bin/env bash
# A real Spark standalone cluster on 127.0.0.1, started from spark-core's own classes: one master and N workers,
# each a separate JVM, with executors in JVMs of their own. It runs the shaded application jar the way a cluster
# does (serialisation, service files, native libraries loaded on executors, Aeron between JVMs).
#
#   deploy/local-cluster.sh up [WORKERS [CORES [MEMORY]]]   start (default 2 workers x 1 core x 3g)
#   deploy/local-cluster.sh submit <essl command and options>  spark-submit in client mode; exit code of the job
#   deploy/local-cluster.sh kill-worker K                      SIGKILL worker K (1..N) and its executors
#   deploy/local-cluster.sh start-worker K [CORES [MEMORY]]    start worker K again (a replacement for a killed one)
#   deploy/local-cluster.sh status | down
#
# Spark itself comes from Maven Central (deploy/local-cluster/pom.xml), copied once into
# $ESSL_CLUSTER_DIR/spark-home/jars; state, pids and logs live in $ESSL_CLUSTER_DIR (default target/local-cluster).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DIR="${ESSL_CLUSTER_DIR:-$ROOT/target/local-cluster}"
SPARK_HOME_DIR="$DIR/spark-home"
PORT="${ESSL_CLUSTER_PORT:-7177}"
MASTER="spark://127.0.0.1:$PORT"
JAR="$ROOT/target/essl-spark-0.1.0-SNAPSHOT-app.jar"
mapfile -t FLAGS < "$ROOT/bin/jvm-flags"
export SPARK_LOCAL_IP=127.0.0.1 SPARK_HOME="$SPARK_HOME_DIR" SPARK_SCALA_VERSION=2.12

spark_jars() {
  if [ ! -f "$SPARK_HOME_DIR/jars/.complete" ]; then
    local version
    version="$(sed -n 's:.*<spark.version>\(.*\)</spark.version>.*:\1:p' "$ROOT/pom.xml" | head -1)"
    echo "local-cluster: fetching Spark $version jars into $SPARK_HOME_DIR/jars ..." >&2
    mvn -B -q -f "$ROOT/deploy/local-cluster/pom.xml" dependency:copy-dependencies \
      -Dspark.version="$version" -DoutputDirectory="$SPARK_HOME_DIR/jars" >&2
    touch "$SPARK_HOME_DIR/jars/.complete"
  fi
}

# Starts a Spark daemon class in the background; its pid goes to $DIR/$1.pid.
daemon() {
  local name="$1"; shift
  nohup java "${FLAGS[@]}" -Xmx512m -cp "$SPARK_HOME_DIR/jars/*" "$@" >"$DIR/$name.log" 2>&1 &
  echo $! >"$DIR/$name.pid"
}

wait_for() { # file, pattern, seconds
  for _ in $(seq "$3"); do
    grep -q "$2" "$1" 2>/dev/null && return 0
    sleep 1
  done
  echo "local-cluster: timed out waiting for '$2' in $1" >&2
  tail -20 "$1" >&2 || true
  return 1
}

worker() { # k, cores, memory
  mkdir -p "$DIR/work-$1"
  daemon "worker-$1" org.apache.spark.deploy.worker.Worker --host 127.0.0.1 --cores "$2" --memory "$3" \
    --work-dir "$DIR/work-$1" --webui-port 0 "$MASTER"
}

start_worker() {
  local k="$1"
  if [ -f "$DIR/worker-$k.pid" ] && kill -0 "$(cat "$DIR/worker-$k.pid")" 2>/dev/null; then
    echo "local-cluster: worker $k already running"; return 0
  fi
  worker "$k" "${2:-1}" "${3:-3g}"
  wait_for "$DIR/worker-$k.log" "Successfully registered with master" 60
  echo "local-cluster: started worker $k"
}

up() {
  local workers="${1:-2}" cores="${2:-1}" memory="${3:-3g}"
  mkdir -p "$DIR"
  spark_jars
  [ -f "$DIR/master.pid" ] && kill -0 "$(cat "$DIR/master.pid")" 2>/dev/null && { echo "local-cluster: already up" >&2; return 0; }
  # a fresh cluster runs no application: the earlier ones' folders (each executor's copy of the ~290 MB jar) go,
  # or every start adds gigabytes (a full disk then makes the worker relaunch executors that cannot start)
  rm -rf "$DIR"/work-*
  daemon master org.apache.spark.deploy.master.Master --host 127.0.0.1 --port "$PORT" --webui-port 0
  wait_for "$DIR/master.log" "I have been elected leader" 60
  for k in $(seq "$workers"); do worker "$k" "$cores" "$memory"; done
  for k in $(seq "$workers"); do wait_for "$DIR/worker-$k.log" "Successfully registered with master" 60; done
  echo "local-cluster: $MASTER with $workers worker(s) x $cores core(s) x $memory"
}

submit() {
  [ -f "$JAR" ] || (cd "$ROOT" && mvn -B -q -DskipTests package)
  local opts
  opts="$(tr '\n' ' ' < "$ROOT/bin/jvm-flags") -Dorg.bytedeco.javacpp.maxbytes=2G -Dorg.bytedeco.javacpp.maxphysicalbytes=4G"
  # exec: the driver (client mode) is this process, so killing it kills the driver.
  exec java "${FLAGS[@]}" -Xmx"${ESSL_DRIVER_HEAP:-2g}" -cp "$SPARK_HOME_DIR/jars/*" org.apache.spark.deploy.SparkSubmit \
    --master "$MASTER" --deploy-mode client --class io.essl.cli.Main \
    --conf spark.driver.host=127.0.0.1 \
    --conf "spark.executor.extraJavaOptions=$opts" \
    --conf spark.executorEnv.OMP_NUM_THREADS=1 \
    --conf spark.executor.memory="${ESSL_EXECUTOR_MEMORY:-1g}" \
    --conf spark.task.maxFailures=4 \
    "$JAR" "$@"
}

# SIGKILL to the child processes of $1 (a worker's executors), from /proc: no procps needed.
kill_children() {
  local kids=()
  read -r -a kids <<< "$(cat /proc/"$1"/task/*/children 2>/dev/null || true)"
  if [ "${#kids[@]}" -gt 0 ]; then kill -9 "${kids[@]}" 2>/dev/null || true; fi
}

kill_worker() {
  local pid
  pid="$(cat "$DIR/worker-$1.pid")"
  kill_children "$pid"
  kill -9 "$pid"
  echo "local-cluster: killed worker $1 (pid $pid) and its executors"
}

down() {
  for f in "$DIR"/worker-*.pid "$DIR"/master.pid; do
    [ -f "$f" ] || continue
    kill_children "$(cat "$f")"
    kill "$(cat "$f")" 2>/dev/null || true
    rm -f "$f"
  done
  echo "local-cluster: down"
}

status() {
  for f in "$DIR"/master.pid "$DIR"/worker-*.pid; do
    [ -f "$f" ] || continue
    if kill -0 "$(cat "$f")" 2>/dev/null; then echo "$(basename "$f" .pid): running"; else echo "$(basename "$f" .pid): dead"; fi
  done
}

cmd="${1:-}"; shift || true
case "$cmd" in
  up) up "$@" ;;
  submit) submit "$@" ;;
  kill-worker) kill_worker "$1" ;;
  start-worker) start_worker "$@" ;;
  down) down ;;
  status) status ;;
  *) sed -n '2,13p' "$0" >&2; exit 2 ;;
esac
