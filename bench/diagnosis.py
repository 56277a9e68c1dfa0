"""How often a wrong answer built from a key by a known mistake gets that mistake's diagnosis.

Run by hand:  .venv/bin/python bench/diagnosis.py [--seeds 4]

Keys: every family × difficulty × symbolic/explicit form × layout, seeds 0 .. ``--seeds`` - 1,
each distinct (given, key) pair once.  A key is *exact* when the grader evaluates it in rational
arithmetic, *float* when it needs ball arithmetic (σ, exp, log, tanh, softmax, trig, sqrt, norm).
From each key K four wrong answers are written as text, independently of the grader's own
rewrites:

* sign: ``-(K)``, expected note ``sign``;
* scalar: ``3 (K)``, expected note ``scalar_multiple`` and the feedback naming 3;
* transpose: ``(K)^T`` (keys that are not scalars and not symmetric), expected ``transpose``;
* missing term: K with one term of a sum left out (the first sum in reading order whose
  shortened form keeps the key's shape, its last term first), expected ``missing_term``, or
  ``missing_term_in_argument`` when the sum sits inside the argument of a function (σ(wᵀx + b)
  without b) or a denominator, counted apart as "term in argument".

Printed: per kind of key and mistake, how many answers got the expected note, and the median
time of a check of those answers.  The rates are the figures; nothing is timed as a target.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from generator.families import registry
from generator.family import GenerationError, build
from grader.checker import check
from grader.errors import ParseError
from grader.evaluation import is_exact
from grader.language import nodes as n
from grader.language.parser import parse, parse_declarations
from grader.language.printing import print_ascii

FORMS = ("symbolic", "explicit")
LAYOUTS = ("numerator", "denominator")
MISTAKES = ("sign", "scalar", "transpose", "missing term", "term in argument")


def keys(seeds: int) -> list[tuple[str, str, str]]:
    """Distinct (family, given, key) triples."""
    found: dict[tuple[str, str], str] = {}
    for family in registry().values():
        for difficulty in family.difficulties:
            for form in FORMS:
                if form not in family.forms:
                    continue
                for layout in LAYOUTS:
                    for seed in range(seeds):
                        try:
                            exercise = build(family, seed, difficulty, form,  # type: ignore[arg-type]
                                             layout, "q")  # type: ignore[arg-type]
                        except GenerationError:
                            continue
                        found.setdefault((exercise.given, exercise.answer), family.name)
    return [(family, given, key) for (given, key), family in found.items()]


#: Nodes whose argument a sum may sit in without being a term of the whole (σ(wᵀx + b));
#: the right side of a division too.
ARGUMENT_NODES = (n.Apply, n.Softmax, n.Norm, n.Det, n.Inverse, n.Pow, n.ElemPow, n.Max)
DIVISIONS = (n.Div, n.ElemDiv)


def _drops(node: n.Node, inside: bool = False) -> Iterator[tuple[n.Node, bool]]:
    """``node`` with one term of one sum left out (sums in reading order, last term first),
    and whether that sum sits inside the argument of a function."""
    if isinstance(node, n.Add):
        for index in reversed(range(len(node.terms))):
            rest = node.terms[:index] + node.terms[index + 1:]
            yield (rest[0] if len(rest) == 1 else node.with_field("terms", rest)), inside
    for field_name in node.child_fields:
        value = getattr(node, field_name)
        inner_inside = inside or isinstance(node, ARGUMENT_NODES) or (
            isinstance(node, DIVISIONS) and field_name == "right")
        if isinstance(value, n.Node):
            for inner, where in _drops(value, inner_inside):
                yield node.with_field(field_name, inner), where
        elif value and not isinstance(value[0], tuple):
            for index, child in enumerate(value):
                for inner, where in _drops(child, inner_inside):
                    yield node.with_field(field_name, (*value[:index], inner,
                                                       *value[index + 1:])), where


def wrong_answers(key_text: str, given: str) -> dict[str, tuple[str, set[str]]]:
    """Each mistake's answer text and the notes that name it."""
    declarations = parse_declarations(given)
    key = parse(key_text, declarations)
    answers = {"sign": (f"-({key_text})", {"sign"}),
               "scalar": (f"3 ({key_text})", {"scalar_multiple"})}
    shape = key.typed_shape
    if not shape.is_scalar:
        answers["transpose"] = (f"({key_text})^T", {"transpose"})
    for dropped, inside in _drops(key):
        text = print_ascii(dropped)
        try:
            if parse(text, declarations).typed_shape != shape:
                continue  # diag(1 - tanh(z) .^ 2) without tanh: not a slip anyone makes
        except ParseError:
            continue
        if inside:
            answers["term in argument"] = (text, {"missing_term_in_argument"})
        else:
            answers["missing term"] = (text, {"missing_term"})
        break
    return answers


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=4)
    arguments = parser.parse_args()
    load = ", ".join(f"{value:.2f}" for value in os.getloadavg())
    print(f"load average at the start (1, 5, 15 min): {load}")
    started = time.perf_counter()
    triples = keys(arguments.seeds)
    hits: dict[tuple[str, str], list[bool]] = defaultdict(list)
    times: dict[tuple[str, str], list[float]] = defaultdict(list)
    misses: dict[tuple[str, str], list[str]] = defaultdict(list)
    counts = {"exact": 0, "float": 0}
    for family, given, key_text in triples:
        kind = "exact" if is_exact(parse(key_text, parse_declarations(given))) else "float"
        counts[kind] += 1
        for mistake, (answer, expected) in wrong_answers(key_text, given).items():
            start = time.perf_counter()
            verdict = check(key_text, answer, given)
            elapsed = time.perf_counter() - start
            if mistake == "transpose" and verdict.status == "correct":
                continue  # a symmetric key: its transpose is right
            if mistake in ("missing term", "term in argument") and \
                    verdict.status == "correct":
                continue  # the dropped term was zero
            good = verdict.note in expected
            if mistake == "scalar":
                good = good and "3 times" in verdict.feedback
            hits[kind, mistake].append(good)
            times[kind, mistake].append(elapsed)
            if not good:
                misses[kind, mistake].append(f"[{family}] {key_text!r} vs {answer!r}: "
                                             f"{verdict.status} {verdict.note}")
    print(f"keys: {len(triples)} distinct ({counts['exact']} exact, {counts['float']} float), "
          f"families × difficulties × {'/'.join(FORMS)} × both layouts × "
          f"{arguments.seeds} seeds")
    print()
    print(f"  {'key':<6} {'mistake':<13} {'diagnosed':>14}   median check")
    for kind in ("exact", "float"):
        for mistake in MISTAKES:
            found = hits[kind, mistake]
            if not found:
                continue
            rate = f"{sum(found)}/{len(found)}"
            median = statistics.median(times[kind, mistake]) * 1000
            print(f"  {kind:<6} {mistake:<13} {rate:>9} {100 * sum(found) / len(found):3.0f}%"
                  f"   {median:7.1f} ms")
    print()
    for (kind, mistake), lines in sorted(misses.items()):
        print(f"not diagnosed ({kind}, {mistake}): {len(lines)}; first ones:")
        for line in lines[:3]:
            print(f"  {line}")
    load = ", ".join(f"{value:.2f}" for value in os.getloadavg())
    print(f"\ntotal run time {time.perf_counter() - started:.0f} s; load average at the end: "
          f"{load}")


if __name__ == "__main__":
    main()
