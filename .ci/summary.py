"""The closing line of a CI run: the tests that ran, added up from pytest's JUnit XML files and
the PASS/FAIL lines of the reliability scripts' logs.

    python .ci/summary.py FOLDER     # reads FOLDER/*.xml and FOLDER/*.log
"""

from __future__ import annotations

import sys
import xml.etree.ElementTree as ET  # our own pytest's files
from pathlib import Path


def main() -> int:
    folder = Path(sys.argv[1])
    passed = failed = skipped = 0
    for report in sorted(folder.glob("*.xml")):
        suite = ET.parse(report).getroot()  # noqa: S314  # written by this run's pytest
        suites = [suite] if suite.tag == "testsuite" else list(suite.iter("testsuite"))
        for one in suites:
            total = int(one.get("tests", 0))
            bad = int(one.get("failures", 0)) + int(one.get("errors", 0))
            skip = int(one.get("skipped", 0))
            print(f"{report.stem:>24}  tests {total}, failing {bad}, skipped {skip}")
            passed += total - bad - skip
            failed += bad
            skipped += skip
    for log in sorted(folder.glob("*.log")):
        lines = log.read_text(errors="replace").splitlines()
        good = sum(line.startswith("PASS ") for line in lines)
        bad = sum(line.startswith("FAIL ") for line in lines)
        print(f"{log.stem:>24}  checks {good + bad}, failing {bad}")
        passed += good
        failed += bad
    # the plain closing line CI reads: nothing may print after it
    print(f"{passed} passed, {failed} failed, {skipped} skipped", flush=True)
    return 1 if failed or not passed else 0


if __name__ == "__main__":
    sys.exit(main())
