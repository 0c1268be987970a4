#!/usr/bin/env bash
# `make deploy`: builds the Lambda bootstrap and the Munit image, uploads them, and deploys the three
# CloudFormation stacks (network + Redis, Munits on ECS Fargate, signaling on Lambda + API Gateway).
# Needs: AWS credentials, a Docker engine, a committed work tree (the image tag and the zip key are the commit),
# and these variables (scripts/install-prereqs.sh deploy brings the AWS CLI, zip and cfn-lint; see docs/deploy.md):
#   MOBZ_CODE_BUCKET        S3 bucket for the Lambda zip
#   MOBZ_MUNIT_REPOSITORY   ECR repository URI for the Munit image
#   MOBZ_TOKEN_SECRET_ARN   Secrets Manager ARN of the token key (Pixel Streaming players; the Munits check LL-HLS playback tokens with it)
#   MOBZ_API_KEY_SECRET_ARN Secrets Manager ARN of the REST API key
# Optional: MOBZ_PREFIX (default mobz), MOBZ_STAGE (default prod), MOBZ_MUNIT_COUNT (default 2),
#           MOBZ_STREAMER_IMAGE (Unreal streamer image for the ECS instance provider),
#           MOBZ_HLS_CERTIFICATE_ARN + MOBZ_HLS_DOMAIN (HTTPS for LL-HLS playback on the Munits' load balancer).
set -euo pipefail
cd "$(dirname "$0")/.."

: "${MOBZ_CODE_BUCKET:?set MOBZ_CODE_BUCKET}" "${MOBZ_MUNIT_REPOSITORY:?set MOBZ_MUNIT_REPOSITORY}"
: "${MOBZ_TOKEN_SECRET_ARN:?set MOBZ_TOKEN_SECRET_ARN}" "${MOBZ_API_KEY_SECRET_ARN:?set MOBZ_API_KEY_SECRET_ARN}"
prefix=${MOBZ_PREFIX:-mobz}
stage=${MOBZ_STAGE:-prod}

# The image tag and the zip key name what is deployed: a tree with uncommitted changes would ship under the
# commit's name while being something else. MOBZ_DEPLOY_DIRTY=1 deploys it anyway, tagged with a hash of the
# work tree's content, so a redeploy of other changes never reuses the name.
version=$(git rev-parse --short HEAD)
if [[ -n "$(git status --porcelain)" ]]; then
  if [[ "${MOBZ_DEPLOY_DIRTY:-0}" != 1 ]]; then
    echo "deploy.sh: the work tree has uncommitted changes (git status); commit them, or set MOBZ_DEPLOY_DIRTY=1" >&2
    exit 1
  fi
  index=$(mktemp); trap 'rm -f "$index"' EXIT
  cp "$(git rev-parse --git-dir)/index" "$index" 2>/dev/null || true
  tree=$(GIT_INDEX_FILE=$index git add -A >/dev/null && GIT_INDEX_FILE=$index git write-tree)
  version="$version-dirty-${tree:0:12}"
  echo "deploying uncommitted changes as $version"
fi

scripts/install-prereqs.sh deploy
command -v docker >/dev/null || { echo "deploy.sh: docker is not installed (the Munit image is built and pushed with it)" >&2; exit 1; }
cfn-lint resources/*.yml

echo "== Lambda bootstrap (provided.al2023)"
out=artifacts/lambda
rm -rf "$out"; mkdir -p "$out"
dotnet publish src/Signaling.Lambda -c Release -r linux-x64 --self-contained -o "$out/publish" -nologo -v q
(cd "$out/publish" && zip -qr "../bootstrap-$version.zip" .)
aws s3 cp "$out/bootstrap-$version.zip" "s3://$MOBZ_CODE_BUCKET/$prefix/bootstrap-$version.zip"

echo "== Munit image"
image="$MOBZ_MUNIT_REPOSITORY:$version"
docker build -f docker/Dockerfile.munit -t "$image" .
# ECR takes a push only from a client logged in to the repository's registry (a token valid for 12 hours).
registry=${MOBZ_MUNIT_REPOSITORY%%/*}
registry_region=$(cut -d. -f4 <<<"$registry")
aws ecr get-login-password --region "$registry_region" | docker login --username AWS --password-stdin "$registry"
docker push "$image"

echo "== stacks"
aws cloudformation deploy --stack-name "$prefix-network" --template-file resources/network.yml \
  --parameter-overrides Prefix="$prefix" --no-fail-on-empty-changeset
deploy_munits() {
  aws cloudformation deploy --stack-name "$prefix-munits" --template-file resources/ecs-fargate.yml \
    --capabilities CAPABILITY_IAM --no-fail-on-empty-changeset \
    --parameter-overrides Prefix="$prefix" MunitImage="$image" MunitCount="${MOBZ_MUNIT_COUNT:-2}" \
      StreamerImage="${MOBZ_STREAMER_IMAGE:-}" HlsCertificateArn="${MOBZ_HLS_CERTIFICATE_ARN:-}" \
      HlsDomainName="${MOBZ_HLS_DOMAIN:-}" AccessTokenSecretArn="$MOBZ_TOKEN_SECRET_ARN" RoomsConnectionsEndpoint="$1"
}
# The Munit tasks tell clients whose station moved through the rooms API's @connections endpoint, which exists
# once the signaling stack does: a new account deploys the Munits twice (without, then with it).
rooms_connections=$(aws cloudformation describe-stacks --stack-name "$prefix-signaling" \
  --query "Stacks[0].Outputs[?OutputKey=='RoomsConnectionsEndpoint'].OutputValue" --output text 2>/dev/null || true)
[[ "$rooms_connections" == "None" ]] && rooms_connections=""
deploy_munits "$rooms_connections"
aws cloudformation deploy --stack-name "$prefix-signaling" --template-file resources/signaling.yml \
  --capabilities CAPABILITY_IAM --no-fail-on-empty-changeset \
  --parameter-overrides Prefix="$prefix" StageName="$stage" CodeBucket="$MOBZ_CODE_BUCKET" \
    CodeKey="$prefix/bootstrap-$version.zip" PlayerTokenSecretArn="$MOBZ_TOKEN_SECRET_ARN" \
    ApiKeySecretArn="$MOBZ_API_KEY_SECRET_ARN"
if [[ -z "$rooms_connections" ]]; then
  rooms_connections=$(aws cloudformation describe-stacks --stack-name "$prefix-signaling" \
    --query "Stacks[0].Outputs[?OutputKey=='RoomsConnectionsEndpoint'].OutputValue" --output text)
  deploy_munits "$rooms_connections"
fi

aws cloudformation describe-stacks --stack-name "$prefix-signaling" \
  --query "Stacks[0].Outputs[].[OutputKey,OutputValue]" --output table
