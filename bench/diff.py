"""Benchmark of the calculus engine; run by hand: ``python bench/diff.py``.

For every built-in exercise (all families, symbolic and explicit forms, both layouts, one seed)
it times, with ``time.perf_counter_ns`` in one process after a warm-up:

* a derivative alone (differentials, identification, simplification, read back as a tree);
* a derivative with its verification, as ``matcalc diff`` does it: finite differences of the
  function at two sets of sizes, in 50-digit arithmetic;
* as a baseline measured in the same run, ``generator.verify.finite_differences`` on the
  exercise's hand-written key (the check every built-in exercise already gets), and the ratio.

Target: a median of at most 50 ms per derivative with its verification.
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from generator.calculus.checking import check_derivative
from generator.calculus.derivative import differentiate
from generator.families import registry
from generator.family import build
from generator.layout import LAYOUTS
from generator.verify import finite_differences
from grader.language.parser import parse, parse_declarations


def main() -> None:
    cases = []
    for family in registry().values():
        for difficulty in family.difficulties:
            for form in family.forms:
                if form != "numeric":
                    for layout in LAYOUTS:
                        cases.append(build(family, 0, difficulty, form, layout, "bench"))
    alone, checked, baseline = [], [], []
    for round_ in range(2):  # the first round warms caches up and is not counted
        for e in cases:
            declarations = parse_declarations(e.given)
            function = parse(e.function, declarations)
            hessian = e.kind == "hessian"
            start = time.perf_counter_ns()
            derivation = differentiate(function, e.wrt, declarations, e.layout,  # type: ignore[arg-type]
                                       hessian=hessian)
            middle = time.perf_counter_ns()
            check_derivative(function, e.wrt, declarations, e.layout,  # type: ignore[arg-type]
                             derivation.result, hessian=hessian)
            end = time.perf_counter_ns()
            key = parse(e.answer, declarations)
            finite_differences(e, declarations, function, key, 0)
            after = time.perf_counter_ns()
            if round_:
                alone.append((middle - start) / 1e6)
                checked.append((end - start) / 1e6)
                baseline.append((after - end) / 1e6)
    print(f"{len(cases)} derivatives (all families, symbolic and explicit, both layouts)")
    print(f"derivative alone:                 median {statistics.median(alone):7.2f} ms")
    print(f"derivative with verification:     median {statistics.median(checked):7.2f} ms, "
          f"95th percentile {statistics.quantiles(checked, n=20)[-1]:7.2f} ms "
          f"(target ≤ 50 ms median)")
    print(f"baseline, FD check of the key:    median {statistics.median(baseline):7.2f} ms")
    print(f"ratio (with verification / baseline): "
          f"{statistics.median(checked) / statistics.median(baseline):.2f}")


if __name__ == "__main__":
    main()
