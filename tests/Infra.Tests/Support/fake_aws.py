#!/usr/bin/env python3
"""A stand-in for the AWS CLI on PATH (AWS cannot be reached from the tests), for scripts/deploy.sh and destroy.sh.

It refuses what the real CLI refuses: an unknown command, a missing required parameter, an option the command
does not have (the tables below follow the AWS CLI reference; exit 252 as the CLI's own parser does), and answers
from a small account kept as files under $AWS_STATE (buckets/, repos/, secrets/, stacks/, roles/), failing with
the service's error (exit 254) where AWS does: a bucket or repository that is already there, a secret that exists,
a bucket created with the wrong location constraint. Every call is appended to $CALLS as one line
("aws" and the arguments joined by spaces); a refused one also goes to $CALLS.refused with the reason.
"""
import json, os, re, sys

# (service, command) -> (required options, optional options taking values, options taking lists, flags, positionals)
COMMANDS = {
    ("configure", "get"): (set(), set(), set(), set(), 1),
    ("sts", "get-caller-identity"): (set(), set(), set(), set(), 0),
    ("s3api", "head-bucket"): ({"bucket"}, {"expected-bucket-owner"}, set(), set(), 0),
    ("s3api", "create-bucket"): ({"bucket"}, {"acl", "create-bucket-configuration", "grant-full-control", "grant-read", "grant-read-acp",
                                 "grant-write", "grant-write-acp", "object-ownership"}, set(),
                                {"object-lock-enabled-for-bucket", "no-object-lock-enabled-for-bucket"}, 0),
    ("s3api", "put-public-access-block"): ({"bucket", "public-access-block-configuration"},
                                           {"content-md5", "checksum-algorithm", "expected-bucket-owner"}, set(), set(), 0),
    ("s3", "cp"): (set(), {"content-type", "acl", "sse"}, set(), {"recursive", "quiet", "only-show-errors", "no-progress"}, 2),
    ("s3", "rb"): (set(), set(), set(), {"force"}, 1),
    ("ecr", "describe-repositories"): (set(), {"registry-id", "next-token", "max-results", "page-size", "max-items", "starting-token"},
                                       {"repository-names"}, set(), 0),
    ("ecr", "create-repository"): ({"repository-name"}, {"registry-id", "image-tag-mutability", "image-scanning-configuration",
                                   "encryption-configuration"}, {"tags", "image-tag-mutability-exclusion-filters"}, set(), 0),
    ("ecr", "get-login-password"): (set(), set(), set(), set(), 0),
    ("ecr", "delete-repository"): ({"repository-name"}, {"registry-id"}, set(), {"force", "no-force"}, 0),
    ("secretsmanager", "describe-secret"): ({"secret-id"}, set(), set(), set(), 0),
    ("secretsmanager", "create-secret"): ({"name"}, {"client-request-token", "description", "kms-key-id", "secret-binary", "secret-string"},
                                         {"tags", "add-replica-regions"}, {"force-overwrite-replica-secret", "no-force-overwrite-replica-secret"}, 0),
    ("secretsmanager", "restore-secret"): ({"secret-id"}, set(), set(), set(), 0),
    ("secretsmanager", "delete-secret"): ({"secret-id"}, {"recovery-window-in-days"}, set(),
                                         {"force-delete-without-recovery", "no-force-delete-without-recovery"}, 0),
    ("iam", "get-role"): ({"role-name"}, set(), set(), set(), 0),
    ("iam", "create-service-linked-role"): ({"aws-service-name"}, {"description", "custom-suffix"}, set(), set(), 0),
    ("cloudformation", "deploy"): ({"template-file", "stack-name"}, {"s3-bucket", "s3-prefix", "kms-key-id", "role-arn"},
                                   {"parameter-overrides", "capabilities", "notification-arns", "tags"},
                                   {"force-upload", "no-execute-changeset", "disable-rollback", "no-disable-rollback",
                                    "fail-on-empty-changeset", "no-fail-on-empty-changeset"}, 0),
    ("cloudformation", "describe-stacks"): (set(), {"stack-name", "next-token"}, set(), set(), 0),
    ("cloudformation", "delete-stack"): ({"stack-name"}, {"role-arn", "client-request-token", "deletion-mode"}, {"retain-resources"}, set(), 0),
    ("cloudformation", "wait stack-delete-complete"): (set(), {"stack-name", "next-token"}, set(), set(), 0),
}
GLOBAL_VALUES = {"region", "output", "query", "profile", "endpoint-url", "cli-read-timeout", "cli-connect-timeout", "color"}
GLOBAL_FLAGS = {"no-cli-pager", "debug", "no-paginate", "no-verify-ssl", "no-sign-request"}
ACCOUNT = "123456789012"
STATE = os.environ["AWS_STATE"]


def record(path, line):
    with open(path, "a") as f:
        f.write(line + "\n")


def usage(message):
    record(os.environ["CALLS"] + ".refused", " ".join(["aws"] + sys.argv[1:]) + "  <- " + message)
    print("aws: error: " + message, file=sys.stderr)
    sys.exit(252)


def service_error(code, operation, message):
    print(f"An error occurred ({code}) when calling the {operation} operation: {message}", file=sys.stderr)
    sys.exit(254)


def parse(argv):
    positionals, options = [], {}
    i = 0
    while i < len(argv):
        a = argv[i]
        if a.startswith("--"):
            name = a[2:]
            values = []
            while i + 1 < len(argv) and not argv[i + 1].startswith("--"):
                values.append(argv[i + 1])
                i += 1
            if name in options:
                usage(f"--{name} given twice")
            options[name] = values
        else:
            positionals.append(a)
        i += 1
    return positionals, options


def path(kind, name):
    d = os.path.join(STATE, kind)
    os.makedirs(d, exist_ok=True)
    return os.path.join(d, name.replace("/", "%2F"))


def main():
    record(os.environ["CALLS"], " ".join(["aws"] + sys.argv[1:]))
    positionals, options = parse(sys.argv[1:])
    glob = {k: options.pop(k) for k in list(options) if k in GLOBAL_VALUES | GLOBAL_FLAGS}
    for k, v in glob.items():
        if k in GLOBAL_VALUES and len(v) != 1:
            usage(f"--{k} takes one value")
        if k in GLOBAL_FLAGS and v:
            usage(f"--{k} takes no value")
    if len(positionals) < 2:
        usage("the following arguments are required: command, operation")
    service, command = positionals[0], positionals[1]
    rest = positionals[2:]
    if (service, command) == ("cloudformation", "wait") and rest:
        command, rest = "wait " + rest[0], rest[1:]
    spec = COMMANDS.get((service, command))
    if spec is None:
        usage(f"argument operation: Invalid choice: {service} {command}")
    required, values, lists, flags, npos = spec
    values = values | (required - lists)  # a required option takes a value, or a list when it is a list option
    # Values after a flag or an option's value are positionals to the CLI.
    for k, v in options.items():
        if k in flags:
            if v:
                rest.extend(v)
                options[k] = []
        elif k in values:
            if len(v) == 0:
                usage(f"argument --{k}: expected one argument")
            rest.extend(v[1:])
            options[k] = v[:1]
        elif k in lists:
            if len(v) == 0:
                usage(f"argument --{k}: expected at least one argument")
        else:
            usage(f"Unknown options: --{k}")
    missing = sorted(required - options.keys())
    if missing:
        usage("the following arguments are required: " + ", ".join("--" + m for m in missing))
    if len(rest) != npos:
        usage(f"{service} {command} takes {npos} positional arguments, not {rest}")
    one = lambda k: options[k][0] if k in options else None
    region = (glob.get("region") or [None])[0] or os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION")
    answer(service, command, rest, options, one, region, glob)


def out(value, glob):
    query = (glob.get("query") or [None])[0]
    if query is not None:
        value = evaluate(query, value)
    if (glob.get("output") or ["json"])[0] == "text":
        if isinstance(value, list):
            print("\t".join("None" if v is None else str(v) for v in value))
        else:
            print("None" if value is None else value)
    else:
        print(json.dumps(value, indent=2))


def evaluate(query, value):
    """The few JMESPath forms the scripts use; anything else is refused, so a new query gets a look."""
    if re.fullmatch(r"[A-Za-z]+", query):
        return value.get(query)
    m = re.fullmatch(r"\[([A-Za-z]+(?:,[A-Za-z]+)*)\]", query)
    if m:
        return [value.get(k) for k in m.group(1).split(",")]
    m = re.fullmatch(r"Stacks\[0\]\.Outputs\[\?OutputKey=='([A-Za-z]+)'\]\.OutputValue", query)
    if m:
        return [o["OutputValue"] for o in value["Stacks"][0]["Outputs"] if o["OutputKey"] == m.group(1)] or None
    print(f"fake aws: unsupported --query {query}", file=sys.stderr)
    sys.exit(255)


def answer(service, command, rest, options, one, region, glob):
    key = (service, command)
    if key == ("configure", "get"):
        if rest[0] == "region" and os.environ.get("FAKE_AWS_CONFIGURED_REGION"):
            print(os.environ["FAKE_AWS_CONFIGURED_REGION"])
            return
        sys.exit(1)
    if key == ("sts", "get-caller-identity"):
        return out({"UserId": "AIDAEXAMPLE", "Account": ACCOUNT, "Arn": f"arn:aws:iam::{ACCOUNT}:user/deployer"}, glob)

    if key == ("s3api", "head-bucket"):
        if not os.path.exists(path("buckets", one("bucket"))):
            service_error("404", "HeadBucket", "Not Found")
        return
    if key == ("s3api", "create-bucket"):
        config = one("create-bucket-configuration")
        if region == "us-east-1" and config is not None:
            service_error("InvalidLocationConstraint", "CreateBucket", "The specified location-constraint is not valid")
        if region != "us-east-1" and config != f"LocationConstraint={region}":
            service_error("IllegalLocationConstraintException", "CreateBucket",
                          f"The unspecified location constraint is incompatible for the region specific endpoint this request was sent to.")
        if os.path.exists(path("buckets", one("bucket"))):
            service_error("BucketAlreadyOwnedByYou", "CreateBucket", "Your previous request to create the named bucket succeeded and you already own it.")
        open(path("buckets", one("bucket")), "w").close()
        return out({"Location": f"http://{one('bucket')}.s3.amazonaws.com/"}, glob)
    if key == ("s3api", "put-public-access-block"):
        if not os.path.exists(path("buckets", one("bucket"))):
            service_error("NoSuchBucket", "PutPublicAccessBlock", "The specified bucket does not exist")
        fields = dict(p.split("=", 1) for p in one("public-access-block-configuration").split(","))
        if not set(fields) <= {"BlockPublicAcls", "IgnorePublicAcls", "BlockPublicPolicy", "RestrictPublicBuckets"} \
                or not all(v in ("true", "false") for v in fields.values()):
            usage("Error parsing parameter '--public-access-block-configuration'")
        return
    if key == ("s3", "cp"):
        m = re.fullmatch(r"s3://([^/]+)/(.+)", rest[1])
        if not os.path.isfile(rest[0]) or not m:
            usage(f"cp: expected a local file and an s3:// key, not {rest}")
        if not os.path.exists(path("buckets", m.group(1))):
            service_error("NoSuchBucket", "PutObject", "The specified bucket does not exist")
        print(f"upload: {rest[0]} to {rest[1]}")
        return
    if key == ("s3", "rb"):
        m = re.fullmatch(r"s3://([^/]+)/?", rest[0])
        if not m or not os.path.exists(path("buckets", m.group(1))):
            service_error("NoSuchBucket", "DeleteBucket", "The specified bucket does not exist")
        os.remove(path("buckets", m.group(1)))
        print(f"remove_bucket: {m.group(1)}")
        return

    if key == ("ecr", "describe-repositories"):
        names = options.get("repository-names", [])
        for n in names:
            if not os.path.exists(path("repos", n)):
                service_error("RepositoryNotFoundException", "DescribeRepositories",
                              f"The repository with name '{n}' does not exist in the registry with id '{ACCOUNT}'")
        return out({"repositories": [{"repositoryName": n, "repositoryUri": f"{ACCOUNT}.dkr.ecr.{region}.amazonaws.com/{n}"} for n in names]}, glob)
    if key == ("ecr", "create-repository"):
        n = one("repository-name")
        if os.path.exists(path("repos", n)):
            service_error("RepositoryAlreadyExistsException", "CreateRepository", f"The repository with name '{n}' already exists")
        if one("image-scanning-configuration") not in (None, "scanOnPush=true", "scanOnPush=false"):
            usage("Error parsing parameter '--image-scanning-configuration'")
        open(path("repos", n), "w").close()
        return out({"repository": {"repositoryName": n, "repositoryUri": f"{ACCOUNT}.dkr.ecr.{region}.amazonaws.com/{n}"}}, glob)
    if key == ("ecr", "get-login-password"):
        print("ecr-token-1")
        return
    if key == ("ecr", "delete-repository"):
        if not os.path.exists(path("repos", one("repository-name"))):
            service_error("RepositoryNotFoundException", "DeleteRepository", "The repository does not exist")
        os.remove(path("repos", one("repository-name")))
        return out({"repository": {"repositoryName": one("repository-name")}}, glob)

    if service == "secretsmanager":
        return secrets(command, one, options, region, glob)

    if key == ("iam", "get-role"):
        if not os.path.exists(path("roles", one("role-name"))):
            service_error("NoSuchEntity", "GetRole", f"The role with name {one('role-name')} cannot be found.")
        return out({"Role": {"RoleName": one("role-name")}}, glob)
    if key == ("iam", "create-service-linked-role"):
        if one("aws-service-name") != "ecs.amazonaws.com":
            service_error("InvalidInput", "CreateServiceLinkedRole", "unexpected service")
        if os.path.exists(path("roles", "AWSServiceRoleForECS")):
            service_error("InvalidInput", "CreateServiceLinkedRole", "Service role name AWSServiceRoleForECS has been taken in this account")
        open(path("roles", "AWSServiceRoleForECS"), "w").close()
        return out({"Role": {"RoleName": "AWSServiceRoleForECS"}}, glob)

    if service == "cloudformation":
        return stacks(command, one, options, region, glob)


def secrets(command, one, options, region, glob):
    def arn(name):
        return f"arn:aws:secretsmanager:{region}:{ACCOUNT}:secret:{name}-AbCdEf"

    def load(secret_id):
        name = re.sub(r"^arn:aws:secretsmanager:[^:]+:\d+:secret:(.+)-[A-Za-z0-9]{6}$", r"\1", secret_id)
        p = path("secrets", name)
        if not os.path.exists(p):
            service_error("ResourceNotFoundException", command.title().replace("-", ""), "Secrets Manager can't find the specified secret.")
        with open(p) as f:
            return name, p, json.load(f)

    if command == "describe-secret":
        name, _, s = load(one("secret-id"))
        return out({"ARN": arn(name), "Name": name, "DeletedDate": s.get("DeletedDate")}, glob)
    if command == "create-secret":
        name = one("name")
        if os.path.exists(path("secrets", name)):
            service_error("ResourceExistsException", "CreateSecret", f"The operation failed because the secret {name} already exists.")
        value = one("secret-string")
        if value is not None and value.startswith("file://"):
            # The CLI reads a file:// parameter's content itself.
            with open(value[len("file://"):]) as f:
                value = f.read()
        with open(path("secrets", name), "w") as f:
            json.dump({"SecretString": value, "Description": one("description")}, f)
        return out({"ARN": arn(name), "Name": name}, glob)
    if command == "restore-secret":
        name, p, s = load(one("secret-id"))
        s.pop("DeletedDate", None)
        with open(p, "w") as f:
            json.dump(s, f)
        return out({"ARN": arn(name), "Name": name}, glob)
    if command == "delete-secret":
        name, p, s = load(one("secret-id"))
        window = one("recovery-window-in-days")
        if window is not None and "force-delete-without-recovery" in options:
            service_error("InvalidParameterException", "DeleteSecret",
                          "You can't use ForceDeleteWithoutRecovery in conjunction with RecoveryWindowInDays.")
        if window is not None and not (window.isdigit() and 7 <= int(window) <= 30):
            service_error("InvalidParameterException", "DeleteSecret", "RecoveryWindowInDays must be between 7 and 30")
        if "force-delete-without-recovery" in options:
            os.remove(p)
        else:
            s["DeletedDate"] = "2026-12-06T12:00:00+00:00"
            with open(p, "w") as f:
                json.dump(s, f)
        return out({"ARN": arn(name), "Name": name}, glob)


OUTPUTS = {
    "signaling": {"RoomsWebSocketUrl": "wss://abc123.execute-api.{r}.amazonaws.com/prod",
                  "RoomsConnectionsEndpoint": "https://abc123.execute-api.{r}.amazonaws.com/prod",
                  "PixelStreamingWebSocketUrl": "wss://def456.execute-api.{r}.amazonaws.com/prod",
                  "HttpApiUrl": "https://ghi789.execute-api.{r}.amazonaws.com"},
    "munits": {"HlsBaseUrl": "http://mobz-hls-1.{r}.elb.amazonaws.com/hls"},
    "network": {},
}


def stacks(command, one, options, region, glob):
    name = one("stack-name")
    if command == "deploy":
        if not os.path.isfile(one("template-file")):
            usage(f"Invalid template path {one('template-file')}")
        for p in options.get("parameter-overrides", []):
            if "=" not in p:
                usage(f"--parameter-overrides: {p} is not Key=Value")
        kind = name.rsplit("-", 1)[-1]
        outputs = [{"OutputKey": k, "OutputValue": v.replace("{r}", region)} for k, v in OUTPUTS.get(kind, {}).items()]
        with open(path("stacks", name), "w") as f:
            json.dump(outputs, f)
        print(f"Successfully created/updated stack - {name}")
        return
    if command in ("describe-stacks", "wait stack-delete-complete"):
        exists = name is not None and os.path.exists(path("stacks", name))
        if command == "wait stack-delete-complete":
            return
        if not exists:
            print(f"An error occurred (ValidationError) when calling the DescribeStacks operation: Stack with id {name} does not exist", file=sys.stderr)
            sys.exit(254)
        with open(path("stacks", name)) as f:
            return out({"Stacks": [{"StackName": name, "StackStatus": "CREATE_COMPLETE", "Outputs": json.load(f)}]}, glob)
    if command == "delete-stack":
        # DeleteStack succeeds for a stack that is not there, as AWS's does.
        if os.path.exists(path("stacks", name)):
            os.remove(path("stacks", name))
        return


main()
