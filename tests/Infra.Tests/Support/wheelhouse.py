"""Writes wheels of an installed distribution and everything it requires, rebuilt from this Python's site-packages.

The install test runs scripts/install-prereqs.sh in a fresh Debian root where pip cannot reach a package index; these
wheels, offered with PIP_FIND_LINKS and PIP_NO_INDEX, stand in for the index with exactly what this machine runs.
Usage: python3 wheelhouse.py DIST OUTDIR
"""
import base64, csv, hashlib, importlib.metadata as md, io, os, sys, zipfile
from pip._vendor.packaging.requirements import Requirement
from pip._vendor.packaging.utils import canonicalize_name


def closure(name):
    seen, todo = {}, [name]
    while todo:
        dist = md.distribution(todo.pop())
        key = canonicalize_name(dist.metadata["Name"])
        if key in seen:
            continue
        seen[key] = dist
        for text in dist.requires or []:
            req = Requirement(text)
            if req.marker is None or req.marker.evaluate({"extra": ""}):
                todo.append(req.name)
    return seen.values()


def wheel(dist, outdir):
    info = next(p for p in dist.files if p.parts[0].endswith(".dist-info"))
    infodir = info.parts[0]
    base = dist.locate_file("")
    tags = [l.split(":", 1)[1].strip() for l in (dist.read_text("WHEEL") or "").splitlines() if l.startswith("Tag:")] or ["py3-none-any"]
    name = dist.metadata["Name"].replace("-", "_")
    # A wheel for several tags names each part once: py2.py3-none-any.
    parts = [".".join(dict.fromkeys(t.split("-")[i] for t in tags)) for i in range(3)]
    path = os.path.join(outdir, f"{name}-{dist.version}-{'-'.join(parts)}.whl")
    records = []
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for f in dist.files:
            rel = str(f)
            if rel.startswith("..") or "__pycache__" in rel or rel.endswith("/RECORD") or rel.endswith("INSTALLER") or rel.endswith("direct_url.json"):
                continue
            full = os.path.join(base, rel)
            if not os.path.isfile(full):
                continue
            data = open(full, "rb").read()
            z.writestr(rel, data)
            digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
            records.append((rel, f"sha256={digest}", str(len(data))))
        buf = io.StringIO()
        writer = csv.writer(buf, lineterminator="\n")
        writer.writerows(records + [(f"{infodir}/RECORD", "", "")])
        z.writestr(f"{infodir}/RECORD", buf.getvalue())


if __name__ == "__main__":
    os.makedirs(sys.argv[2], exist_ok=True)
    for d in closure(sys.argv[1]):
        wheel(d, sys.argv[2])
