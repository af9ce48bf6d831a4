"""Print the per-model results that the test suite recorded (tests/results.py) as markdown.

    make models            # runs the whole-model tests, then this script
    python tests/model_report.py [--readme README.md]

With ``--readme`` the table also replaces the block between the ``model-results`` markers.
"""

from __future__ import annotations

import argparse
import json
import re
from pathlib import Path

from results import RESULTS

ORDER = ("ONNX", "TensorFlow", "TFLite", "Caffe")


def table() -> str:
    rows: dict[tuple[str, str, str], dict] = {}
    for path in sorted(RESULTS.glob("*.jsonl")):
        for line in path.read_text().splitlines():
            row = json.loads(line)
            row.setdefault("runtime", "reference")
            rows[(row["frontend"], row["model"], row["runtime"])] = row
    if not rows:
        raise SystemExit(f"no results under {RESULTS}: run `make models` (or the test suite) first")
    keyed = sorted(rows.values(), key=lambda r: (ORDER.index(r["frontend"]) if r["frontend"] in ORDER
                                                 else len(ORDER), r["frontend"], r["model"],
                                                 r["runtime"] != "reference", r["runtime"]))
    lines = ["| frontend | model | runtime | reference | largest relative error | |",
             "|---|---|---|---|---:|---|"]
    lines += [f"| {r['frontend']} | {r['model']} | {r['runtime']} | {r['reference']} "
              f"| {r['error']:.1e} | {r['note']} |" for r in keyed]
    return "\n".join(lines) + "\n"


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--readme", type=Path, help="also write the table into this README")
    a = p.parse_args()
    text = table()
    print(text, end="")
    if a.readme:
        readme = a.readme.read_text()
        block = f"<!-- model-results -->\n{text}<!-- /model-results -->"
        new, n = re.subn(r"<!-- model-results -->.*?<!-- /model-results -->", lambda _: block, readme,
                         flags=re.S)
        if n != 1:
            raise SystemExit(f"{a.readme}: no <!-- model-results --> ... <!-- /model-results --> block")
        a.readme.write_text(new)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
