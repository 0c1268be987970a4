# MobZ — the two commands a fresh machine needs are `make run` and `make test` (see README.md).
.PHONY: run test format test-fast test-images test-aot test-players fuzz bench load images deploy destroy lint-templates build clean token

REDIS ?= $(MOBZ_REDIS)
MUNIT ?= $(MOBZ_MUNIT)
PORT ?= 8080

## Run the whole stack locally (in-process backend; `make run REDIS=host:port` uses Redis).
run:
	scripts/install-prereqs.sh run
	dotnet build src/LocalStack/MobZ.LocalStack.csproj -c Release -nologo -v q -clp:NoSummary
	MOBZ_REDIS="$(REDIS)" MOBZ_MUNIT="$(MUNIT)" dotnet run --project src/LocalStack -c Release --no-build -- --urls http://127.0.0.1:$(PORT)

## Every test: unit, conformance (in-process and a throwaway redis-server), interop (Chromium, aiortc, hls.js).
test:
	scripts/test.sh

## Lay out every C# file as CSharpier does at 120 columns (make test fails on a file that is not; docs/layout.md "House style").
format:
	scripts/check-format.sh --fix

## The same without the browser/peer interop suites.
test-fast:
	scripts/test.sh --filter "Category!=Interop"

## The container image tests alone, the whole-stack image's too (longer than `make test` affords; docker/README.md).
test-images:
	scripts/install-prereqs.sh
	dotnet build tests/Infra.Tests -c Release -nologo -v q -clp:NoSummary
	dotnet test tests/Infra.Tests -c Release --no-build -nologo --filter "FullyQualifiedName~ImageTests" --logger "console;verbosity=normal"

## The LL-HLS player matrix (docs/hls.md): five players on one live stream, about 4 minutes; `make test` leaves it out
## while its browser players still stall on a busy 2-core machine.
test-players:
	scripts/test.sh --filter "FullyQualifiedName~PlayerMatrix"

## The Native AOT Lambda bootstrap published as make deploy ships it and run against the Runtime API double (an AOT
## publish takes minutes on two cores, longer than `make test` affords; docs/deploy-lambda.md).
test-aot:
	scripts/install-prereqs.sh
	dotnet build tests/Aws.Tests -c Release -nologo -v q -clp:NoSummary
	dotnet test tests/Aws.Tests -c Release --no-build -nologo --filter "FullyQualifiedName~NativeAotBootstrapTests" --logger "console;verbosity=normal"

## Coverage-guided fuzzing of every parser under AFL++ (docs/fuzzing.md): FUZZ_SECONDS per harness, default 60.
fuzz:
	scripts/install-prereqs.sh fuzz
	FUZZ_SECONDS=$(or $(FUZZ_SECONDS),60) scripts/fuzz.sh $(HARNESS)

build:
	dotnet build MobZ.sln -c Release -nologo

## BenchmarkDotNet suites (pass a filter: make bench FILTER='*Srtp*').
bench:
	dotnet run --project bench/Bench -c Release -- --filter '$(or $(FILTER),*)'

## Loopback load test of a Munit; ARGS=--webrtc for real WebRTC clients (options: docs/munit.md, bench/RESULTS.md).
load:
	dotnet run --project bench/LoadTool -c Release -- $(ARGS)

## Mint an access token (docs/securing-rooms.md): make token ROOM=team-a GRANTS=join,publish [USER=ada] [TTL=2h] [SECRET_FILE=path].
## The key: MOBZ_ACCESS_HMAC_SECRET or MobZ__Access__HmacSecret, or SECRET_FILE. The token alone goes to stdout.
token:
	@out=$$(dotnet build src/TokenCli/MobZ.TokenCli.csproj -c Release -nologo -v q 2>&1) || { echo "$$out" >&2; exit 1; }
	@dotnet run --project src/TokenCli -c Release --no-build -- \
		$(if $(ROOM),--room '$(ROOM)') $(if $(GRANTS),--grants '$(GRANTS)') \
		$(if $(filter command line,$(origin USER)),--user '$(USER)') $(if $(TTL),--ttl '$(TTL)') \
		$(if $(SECRET_FILE),--secret-file '$(SECRET_FILE)')

## Container images (docker/README.md): mobz-munit and mobz-local, with docker, podman or buildah (whichever
## works; MOBZ_ENGINE chooses). `make images IMAGES=munit` builds one.
images:
	scripts/install-prereqs.sh images
	scripts/images.sh $(IMAGES)

## Deploy to AWS (docs/deploy.md): creates the bucket, image repository and secrets when absent, then Lambda
## signaling, API Gateway WebSockets, Munits on ECS Fargate, ElastiCache Redis; prints the URLs.
deploy:
	scripts/deploy.sh

## Delete the deployed stacks (MOBZ_DESTROY_RETAINED=1 also deletes the bucket, repository and secrets).
destroy:
	scripts/destroy.sh

lint-templates:
	scripts/install-prereqs.sh lint
	cfn-lint resources/*.yml

clean:
	dotnet clean MobZ.sln -nologo -v q
	rm -rf artifacts
