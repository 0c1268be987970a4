"""Fails on a C# line wider than .editorconfig's max_line_length that CSharpier could not have wrapped for us
and that is not a string literal: comments, and identifiers (a test name is a sentence, but a short one). Lines
of a string literal, raw or not, may run long: breaking a URL, a CSS rule or an expected payload helps nobody."""
import pathlib, re, sys

root = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else ".")
width = 120
skip = {"bin", "obj", "node_modules", "BenchmarkDotNet.Artifacts"}
bad = 0
for path in sorted(root.rglob("*.cs")):
    if skip.intersection(path.relative_to(root).parts):
        continue
    in_raw = False
    for number, line in enumerate(path.read_text(encoding="utf-8").split("\n"), 1):
        raw_marks = line.count('"""')
        literal = in_raw or raw_marks > 0 or '"' in line
        if len(line) > width and not literal or len(line) > width and re.match(r"\s*//", line):
            print(f"{path}({number},{width + 1}): line is {len(line)} characters, over {width}")
            bad += 1
        if raw_marks % 2 == 1:
            in_raw = not in_raw
print(f"{bad} line(s) over {width} characters" if bad else "", end="" if not bad else "\n")
sys.exit(1 if bad else 0)
