#!/usr/bin/env bash
# `make destroy`: deletes the three stacks `make deploy` made (signaling, then the Munits, then the network they
# both sit in), each waited for before the next, and skips a stack that is not there, so it can run again after
# a failure. What deploy.sh made outside the stacks is kept: the code bucket, the Munit image repository and the
# two secrets (a redeploy reuses them, and the secrets' values are what issued tokens and API clients use).
# MOBZ_DESTROY_RETAINED=1 deletes those too: the bucket with its objects, the repository with its images, the
# secrets after Secrets Manager's 7-day recovery window (a `make deploy` within it restores them).
# Same variables as deploy.sh (MOBZ_PREFIX, MOBZ_CODE_BUCKET, ...; scripts/aws-names.sh).
set -euo pipefail
shopt -s inherit_errexit
cd "$(dirname "$0")/.."
command -v aws >/dev/null || { echo "destroy.sh: the AWS CLI is not installed (scripts/install-prereqs.sh deploy)" >&2; exit 1; }
retained=${MOBZ_DESTROY_RETAINED:-0}
# The account is needed only to name the default bucket and repository, which only the opt-in deletes.
if [[ "$retained" != 1 ]]; then MOBZ_CODE_BUCKET=${MOBZ_CODE_BUCKET:-unused} MOBZ_MUNIT_REPOSITORY=${MOBZ_MUNIT_REPOSITORY:-unused/unused}; fi
source scripts/aws-names.sh

for stack in "$prefix-signaling" "$prefix-munits" "$prefix-network"; do
  if ! aws cloudformation describe-stacks --stack-name "$stack" >/dev/null 2>&1; then
    echo "stack $stack: absent"
    continue
  fi
  echo "stack $stack: deleting"
  aws cloudformation delete-stack --stack-name "$stack"
  aws cloudformation wait stack-delete-complete --stack-name "$stack"
  echo "stack $stack: deleted"
done

if [[ "$retained" != 1 ]]; then
  echo "kept: the bucket, the image repository and the secrets (MOBZ_DESTROY_RETAINED=1 deletes them)"
  exit 0
fi
if aws s3api head-bucket --bucket "$bucket" >/dev/null 2>&1; then
  aws s3 rb "s3://$bucket" --force
  echo "bucket $bucket: deleted"
fi
if aws ecr describe-repositories --repository-names "$repository_name" --region "$registry_region" >/dev/null 2>&1; then
  aws ecr delete-repository --repository-name "$repository_name" --force --region "$registry_region" >/dev/null
  echo "repository $repository: deleted"
fi
for secret in "$token_secret" "$api_key_secret"; do
  if [[ "$(aws secretsmanager describe-secret --secret-id "$secret" --query DeletedDate --output text 2>/dev/null || echo absent)" == None ]]; then
    aws secretsmanager delete-secret --secret-id "$secret" --recovery-window-in-days 7 >/dev/null
    echo "secret $secret: scheduled for deletion in 7 days"
  fi
done
