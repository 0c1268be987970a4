#!/usr/bin/env python3
"""Prints each failed test of the .trx files in a folder with the first lines of its message and output.

scripts/test.sh calls it at the end of a run: CI keeps only the tail of a run's output, so the reason a test
failed has to be there, not only its name.
"""
import glob
import sys
import xml.etree.ElementTree as ET

NS = "{http://microsoft.com/schemas/VisualStudio/TeamTest/2010}"
MESSAGE_LINES = 6
OUTPUT_LINES = 6


def tail(text, lines):
    kept = [line for line in (text or "").splitlines() if line.strip()]
    return kept[-lines:]


for trx in sorted(glob.glob(f"{sys.argv[1]}/*.trx")):
    for result in ET.parse(trx).getroot().iter(f"{NS}UnitTestResult"):
        if result.get("outcome") != "Failed":
            continue
        print(f"  {result.get('testName')}")
        output = result.find(f"{NS}Output")
        if output is None:
            continue
        message = output.findtext(f"{NS}ErrorInfo/{NS}Message")
        for line in (message or "").splitlines()[:MESSAGE_LINES]:
            print(f"      {line}")
        stack = output.findtext(f"{NS}ErrorInfo/{NS}StackTrace")
        for line in (stack or "").splitlines()[:2]:
            print(f"      {line.strip()}")
        # The test's own output (ITestOutputHelper) ends with what it printed before failing.
        for line in tail(output.findtext(f"{NS}StdOut"), OUTPUT_LINES):
            print(f"      | {line[:200]}")
