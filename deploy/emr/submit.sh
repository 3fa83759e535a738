#!/usr/bin/env bash
# EMR: upload the application jar and the recipe, optionally create a GPU cluster, and add the pre-train and probe
# steps (deploy/emr/steps.json) with your bucket filled in.
#   BUCKET=my-bucket deploy/emr/submit.sh --cluster-id j-XXXXXXXX
#   BUCKET=my-bucket SUBNET=subnet-123 deploy/emr/submit.sh --create
# Needs the AWS CLI with credentials from the usual provider chain (profile, SSO, instance role).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
HERE="$ROOT/deploy/emr"
: "${BUCKET:?set BUCKET to the S3 bucket for the jar, data, models and logs}"
JAR="$ROOT/target/essl-spark-0.1.0-SNAPSHOT-app.jar"
[ -f "$JAR" ] || (cd "$ROOT" && mvn -B -q -Pcuda -DskipTests package)

aws s3 cp "$JAR" "s3://$BUCKET/essl/essl-spark-app.jar"
aws s3 cp "$ROOT/conf/small-esimclr.conf" "s3://$BUCKET/essl/small-esimclr.conf"

case "${1:-}" in
  --cluster-id) CLUSTER_ID="$2" ;;
  --create)
    CLUSTER_ID="$(aws emr create-cluster --name essl-spark --release-label emr-7.2.0 \
      --applications Name=Spark --log-uri "s3://$BUCKET/emr-logs/" \
      --configurations "file://$HERE/configurations.json" \
      --ec2-attributes "SubnetId=${SUBNET:?set SUBNET}" --use-default-roles \
      --instance-groups InstanceGroupType=MASTER,InstanceCount=1,InstanceType=m5.2xlarge \
                        InstanceGroupType=CORE,InstanceCount="${NODES:-2}",InstanceType="${GPU_TYPE:-g4dn.2xlarge}" \
      --query ClusterId --output text)"
    echo "created cluster $CLUSTER_ID" ;;
  *) sed -n '2,7p' "$0" >&2; exit 2 ;;
esac

steps="$(mktemp)"
sed "s/your-bucket/$BUCKET/g" "$HERE/steps.json" > "$steps"
aws emr add-steps --cluster-id "$CLUSTER_ID" --steps "file://$steps"
rm -f "$steps"
