#!/usr/bin/env bash
# `make deploy`: creates what the stacks need when it is absent (the code bucket, the Munit image repository, the
# two secrets with generated values, the ECS service-linked role), builds and uploads the Lambda bootstrap and the
# Munit image, deploys the three CloudFormation stacks (network + Redis, Munits on ECS Fargate, signaling on
# Lambda + API Gateway), and prints the URLs. Running it again changes only what changed: it is idempotent.
# Needs: AWS credentials and a region, a container engine (docker, podman or buildah: scripts/container-engine.sh),
# a committed work tree (the image tag and the zip key are the commit); scripts/install-prereqs.sh deploy brings
# the AWS CLI, zip and cfn-lint (docs/deploy.md walks a first deploy).
# Optional (scripts/aws-names.sh has the defaults):
#   MOBZ_CODE_BUCKET        S3 bucket for the Lambda zip
#   MOBZ_MUNIT_REPOSITORY   ECR repository URI for the Munit image
#   MOBZ_TOKEN_SECRET_ARN   Secrets Manager secret (ARN or name) of the token key (Pixel Streaming players; the Munits check LL-HLS playback tokens with it)
#   MOBZ_API_KEY_SECRET_ARN Secrets Manager secret (ARN or name) of the REST API key
#   MOBZ_PREFIX (default mobz), MOBZ_STAGE (default prod), MOBZ_MUNIT_COUNT (default 2),
#   MOBZ_STREAMER_IMAGE (Unreal streamer image for the ECS instance provider),
#   MOBZ_HLS_CERTIFICATE_ARN + MOBZ_HLS_DOMAIN (HTTPS for LL-HLS playback on the Munits' load balancer).
set -euo pipefail
shopt -s inherit_errexit # a failing aws call inside $(...) fails the deploy too
cd "$(dirname "$0")/.."
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
source scripts/container-engine.sh
cfn-lint resources/*.yml
source scripts/aws-names.sh

echo "== account resources (region $region)"
if aws s3api head-bucket --bucket "$bucket" >/dev/null 2>&1; then
  echo "bucket $bucket: exists"
else
  # us-east-1 is the one region whose buckets are created without a location constraint (it refuses one).
  location=(); [[ "$region" != us-east-1 ]] && location=(--create-bucket-configuration "LocationConstraint=$region")
  aws s3api create-bucket --bucket "$bucket" "${location[@]}" >/dev/null
  aws s3api put-public-access-block --bucket "$bucket" \
    --public-access-block-configuration BlockPublicAcls=true,IgnorePublicAcls=true,BlockPublicPolicy=true,RestrictPublicBuckets=true
  echo "bucket $bucket: created"
fi
if aws ecr describe-repositories --repository-names "$repository_name" --region "$registry_region" >/dev/null 2>&1; then
  echo "repository $repository: exists"
else
  aws ecr create-repository --repository-name "$repository_name" --image-scanning-configuration scanOnPush=true \
    --region "$registry_region" >/dev/null
  echo "repository $repository: created"
fi
# A secret is created with a generated value (64 hex digits: the 256-bit key HS256 needs), read by the CLI from a
# file only this user can read, so the value is never on a command line. A secret scheduled for deletion (by
# `make destroy` with MOBZ_DESTROY_RETAINED=1) is restored rather than replaced. Prints the secret's ARN.
ensure_secret() {
  local id=$1 what=$2 state value
  if state=$(aws secretsmanager describe-secret --secret-id "$id" --query '[ARN,DeletedDate]' --output text 2>/dev/null); then
    if [[ "$(cut -f2 <<<"$state")" != None ]]; then
      aws secretsmanager restore-secret --secret-id "$id" >/dev/null
      echo "secret $id: restored" >&2
    else
      echo "secret $id: exists" >&2
    fi
    cut -f1 <<<"$state"
    return
  fi
  [[ "$id" != arn:* ]] || { echo "deploy.sh: the secret $id does not exist" >&2; return 1; }
  value=$(umask 077; mktemp)
  od -An -tx1 -N32 /dev/urandom | tr -d ' \n' >"$value"
  aws secretsmanager create-secret --name "$id" --description "MobZ $what ($prefix)" --secret-string "file://$value" \
    --query ARN --output text || { rm -f "$value"; return 1; }
  rm -f "$value"
  echo "secret $id: created with a generated value" >&2
}
token_secret_arn=$(ensure_secret "$token_secret" "player and playback token key")
api_key_secret_arn=$(ensure_secret "$api_key_secret" "REST API key")
# ECS makes its service-linked role on first use, but not always in time for a brand-new account's first stack.
if aws iam get-role --role-name AWSServiceRoleForECS >/dev/null 2>&1; then
  echo "role AWSServiceRoleForECS: exists"
else
  aws iam create-service-linked-role --aws-service-name ecs.amazonaws.com >/dev/null
  echo "role AWSServiceRoleForECS: created"
fi

echo "== Lambda bootstrap (provided.al2023, Native AOT)"
# One native executable (docs/deploy-lambda.md): a trim or AOT warning fails this publish. The zip holds bootstrap
# alone; its symbols (bootstrap.dbg) stay in artifacts/ for reading crash stacks.
out=artifacts/lambda
rm -rf "$out"; mkdir -p "$out"
dotnet publish src/Signaling.Lambda -c Release -r linux-x64 -o "$out/publish" -nologo -v q
(cd "$out/publish" && zip -q "../bootstrap-$version.zip" bootstrap)
aws s3 cp "$out/bootstrap-$version.zip" "s3://$bucket/$prefix/bootstrap-$version.zip"

echo "== Munit image"
image="$repository:$version"
MOBZ_MUNIT_IMAGE="$image" scripts/images.sh munit
# ECR takes a push only from a client logged in to the repository's registry (a token valid for 12 hours).
aws ecr get-login-password --region "$registry_region" | engine login --username AWS --password-stdin "$registry"
engine push "$image"

echo "== stacks"
aws cloudformation deploy --stack-name "$prefix-network" --template-file resources/network.yml \
  --parameter-overrides Prefix="$prefix" --no-fail-on-empty-changeset
deploy_munits() {
  aws cloudformation deploy --stack-name "$prefix-munits" --template-file resources/ecs-fargate.yml \
    --capabilities CAPABILITY_IAM --no-fail-on-empty-changeset \
    --parameter-overrides Prefix="$prefix" MunitImage="$image" MunitCount="${MOBZ_MUNIT_COUNT:-2}" \
      StreamerImage="${MOBZ_STREAMER_IMAGE:-}" HlsCertificateArn="${MOBZ_HLS_CERTIFICATE_ARN:-}" \
      HlsDomainName="${MOBZ_HLS_DOMAIN:-}" AccessTokenSecretArn="$token_secret_arn" RoomsConnectionsEndpoint="$1"
}
# The Munit tasks tell clients whose station moved through the rooms API's @connections endpoint, which exists
# once the signaling stack does: a new account deploys the Munits twice (without, then with it).
rooms_connections=$(aws cloudformation describe-stacks --stack-name "$prefix-signaling" \
  --query "Stacks[0].Outputs[?OutputKey=='RoomsConnectionsEndpoint'].OutputValue" --output text 2>/dev/null || true)
[[ "$rooms_connections" == "None" ]] && rooms_connections=""
deploy_munits "$rooms_connections"
aws cloudformation deploy --stack-name "$prefix-signaling" --template-file resources/signaling.yml \
  --capabilities CAPABILITY_IAM --no-fail-on-empty-changeset \
  --parameter-overrides Prefix="$prefix" StageName="$stage" CodeBucket="$bucket" \
    CodeKey="$prefix/bootstrap-$version.zip" PlayerTokenSecretArn="$token_secret_arn" \
    ApiKeySecretArn="$api_key_secret_arn"
if [[ -z "$rooms_connections" ]]; then
  rooms_connections=$(aws cloudformation describe-stacks --stack-name "$prefix-signaling" \
    --query "Stacks[0].Outputs[?OutputKey=='RoomsConnectionsEndpoint'].OutputValue" --output text)
  deploy_munits "$rooms_connections"
fi

output() {
  aws cloudformation describe-stacks --stack-name "$1" --query "Stacks[0].Outputs[?OutputKey=='$2'].OutputValue" --output text
}
cat <<URLS
== URLs
rooms WebSocket:           $(output "$prefix-signaling" RoomsWebSocketUrl)
Pixel Streaming WebSocket: $(output "$prefix-signaling" PixelStreamingWebSocketUrl)
HTTP API:                  $(output "$prefix-signaling" HttpApiUrl) (Swagger UI at /docs; the key: aws secretsmanager get-secret-value --secret-id $api_key_secret --query SecretString --output text)
WHIP ingest (p2m):         $(output "$prefix-signaling" WhipUrl){room} (OBS: Service WHIP, with a p2m-publish token; docs/whip.md)
LL-HLS playback:           $(output "$prefix-munits" HlsBaseUrl)/{room}/index.m3u8
URLS
