# Sourced by scripts/deploy.sh and scripts/destroy.sh: the region and the names of what the stacks need but do not
# hold (the code bucket, the Munit image repository, the two secrets), the same for both scripts.
#   region      AWS_REGION, else AWS_DEFAULT_REGION, else `aws configure get region`; exported as AWS_DEFAULT_REGION
#               so every aws call of the run goes to the same region
#   prefix      MOBZ_PREFIX (default mobz)
#   account     the caller's account id (aws sts get-caller-identity), when a default name needs it
#   bucket      MOBZ_CODE_BUCKET, default {prefix}-code-{account}-{region} (bucket names are global)
#   repository  MOBZ_MUNIT_REPOSITORY, default {account}.dkr.ecr.{region}.amazonaws.com/{prefix}-munit
#   token_secret, api_key_secret   MOBZ_TOKEN_SECRET_ARN / MOBZ_API_KEY_SECRET_ARN, default the secrets named
#               {prefix}/player-token-key and {prefix}/api-key
prefix=${MOBZ_PREFIX:-mobz}
region=${AWS_REGION:-${AWS_DEFAULT_REGION:-$(aws configure get region 2>/dev/null || true)}}
[[ -n "$region" ]] || { echo "$(basename "$0"): no AWS region (set AWS_REGION, or run aws configure)" >&2; exit 1; }
export AWS_DEFAULT_REGION=$region
account=""
if [[ -z "${MOBZ_CODE_BUCKET:-}" || -z "${MOBZ_MUNIT_REPOSITORY:-}" ]]; then
  account=$(aws sts get-caller-identity --query Account --output text)
fi
bucket=${MOBZ_CODE_BUCKET:-$prefix-code-$account-$region}
repository=${MOBZ_MUNIT_REPOSITORY:-$account.dkr.ecr.$region.amazonaws.com/$prefix-munit}
repository_name=${repository#*/}
registry=${repository%%/*}
# {account}.dkr.ecr.{region}.amazonaws.com: the repository may live in another region than the stacks.
registry_region=$(cut -d. -f4 <<<"$registry")
token_secret=${MOBZ_TOKEN_SECRET_ARN:-$prefix/player-token-key}
api_key_secret=${MOBZ_API_KEY_SECRET_ARN:-$prefix/api-key}
