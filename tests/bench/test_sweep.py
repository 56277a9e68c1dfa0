"""A sampled run of bench/sweep.py: over a random sample of family × difficulty × form ×
layout × seed cases, no zero key, no tiny entry, no number past 1000, no all-zeros answer
inside the exported tolerances, and no sheet with a repeat."""

from __future__ import annotations

import importlib.util
import random
import sys
from collections import Counter
from fractions import Fraction
from pathlib import Path
from types import ModuleType

from generator.families import registry


def _sweep() -> ModuleType:
    path = Path(__file__).resolve().parents[2] / "bench" / "sweep.py"
    spec = importlib.util.spec_from_file_location("matcalc_bench_sweep", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def test_a_sample_of_the_sweep_finds_nothing() -> None:
    sweep = _sweep()
    cases = sweep.cases(list(registry()), 50, 3)
    total: Counter[str] = Counter()
    for case in random.Random(12).sample(cases, 60):
        total.update(sweep.run(case))
    assert total["keys"] > 100
    for problem in ("zero keys", "tiny entries", "big numbers", "zeros accepted", "repeats",
                    "failed", "no instance"):
        assert total[problem] == 0, (problem, total)


def test_the_sweep_counts_what_it_is_meant_to() -> None:
    sweep = _sweep()
    assert sweep.zeros_accepted(Fraction(0))
    # the exported tolerance is relative, with no floor: even a tiny entry needs its digits
    assert not sweep.zeros_accepted(Fraction(1, 10**7))
    assert not sweep.zeros_accepted(Fraction(1, 100)) and not sweep.zeros_accepted(Fraction(3))
