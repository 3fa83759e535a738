#!/usr/bin/env bash
# Dataproc: create a cluster with GPU workers (optional), then submit the pre-train and probe jobs.
#   BUCKET=my-bucket REGION=europe-west4 deploy/dataproc/submit.sh --create essl-gpu
#   BUCKET=my-bucket REGION=europe-west4 deploy/dataproc/submit.sh essl-gpu
# Needs gcloud with credentials from the usual chain (gcloud auth, service account); the jobs read and write
# gs:// through the cluster's built-in GCS connector.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
: "${BUCKET:?set BUCKET to the GCS bucket for the jar, data, models and logs}"
: "${REGION:?set REGION, e.g. europe-west4}"
JAR="$ROOT/target/essl-spark-0.1.0-SNAPSHOT-app.jar"
[ -f "$JAR" ] || (cd "$ROOT" && mvn -B -q -Pcuda -DskipTests package)

if [ "${1:-}" = "--create" ]; then
  shift
  # Image versions 2.2/2.3 run Spark 3.5. The jar needs a Java 17 runtime: check the JDK of the image version you
  # pick (its release notes list it) and point Spark at a JDK 17 if the default is older, e.g. with
  # IMAGE_PROPS="spark-env:JAVA_HOME=/path/to/jdk-17". GPU drivers come from Google's initialization action.
  gcloud dataproc clusters create "${1:?cluster name}" --region "$REGION" --image-version "${IMAGE_VERSION:-2.3-ubuntu22}" \
    --master-machine-type n1-standard-8 \
    --num-workers "${NODES:-2}" --worker-machine-type n1-standard-16 \
    --worker-accelerator "type=${GPU_TYPE:-nvidia-tesla-t4},count=1" \
    --initialization-actions "gs://goog-dataproc-initialization-actions-$REGION/gpu/install_gpu_driver.sh" \
    --metadata gpu-driver-provider=NVIDIA,cuda-version=11.8 \
    --properties "yarn:yarn.resource-types=yarn.io/gpu${IMAGE_PROPS:+,$IMAGE_PROPS}" \
    --bucket "$BUCKET"
fi
CLUSTER="${1:?cluster name}"

gsutil cp "$JAR" "gs://$BUCKET/essl/essl-spark-app.jar"
gsutil cp "$ROOT/conf/small-esimclr.conf" "gs://$BUCKET/essl/small-esimclr.conf"
gsutil cp "$ROOT/deploy/get-gpus.sh" "gs://$BUCKET/essl/get-gpus.sh"

FLAGS="$(tr '\n' ' ' < "$ROOT/bin/jvm-flags")"
# '^#^' makes '#' the list separator, so values may contain commas and spaces.
PROPS="^#^spark.driver.extraJavaOptions=$FLAGS -Dorg.bytedeco.javacpp.maxbytes=4G"
PROPS+="#spark.executor.extraJavaOptions=$FLAGS -Dorg.bytedeco.javacpp.maxbytes=20G"
PROPS+="#spark.executorEnv.OMP_NUM_THREADS=8#spark.executor.cores=8#spark.executor.memoryOverhead=24g"
PROPS+="#spark.executor.resource.gpu.amount=1#spark.task.resource.gpu.amount=1"
PROPS+="#spark.executor.resource.gpu.discoveryScript=./get-gpus.sh#spark.dynamicAllocation.enabled=false"

submit() {
  gcloud dataproc jobs submit spark --cluster "$CLUSTER" --region "$REGION" \
    --class io.essl.cli.Main --jars "gs://$BUCKET/essl/essl-spark-app.jar" \
    --files "gs://$BUCKET/essl/small-esimclr.conf,gs://$BUCKET/essl/get-gpus.sh" \
    --properties "$PROPS" -- "$@"
}
submit pretrain --config small-esimclr.conf --set "data.dir=\"gs://$BUCKET/datasets/fashion-mnist\"" \
  --set "train.checkpoint.dir=\"gs://$BUCKET/essl/checkpoints/esimclr\"" --set train.resume=auto \
  --model "gs://$BUCKET/essl/models/esimclr.zip" --report pretrain-report.json
submit probe --config small-esimclr.conf --set "data.dir=\"gs://$BUCKET/datasets/fashion-mnist\"" \
  --model "gs://$BUCKET/essl/models/esimclr.zip" --report probe-report.json
