"""How varied each family's exercises are: per family × difficulty, over many seeds,

* ``structures``: distinct exercises once digits *and* names are masked
  (:func:`generator.distinct.structure`: renaming alone does not count), and
* ``texts``: distinct exercises as text (``given | wrt | function``).

Each family is drawn in its first form that is not numeric (numeric instances differ in their
numbers only), in numerator layout.  Targets: ≥ 4 structures and ≥ 20 texts over 200 seeds.

Run by hand:  python bench/diversity.py [--seeds 200] [--family NAME ...]
"""

from __future__ import annotations

import argparse

from generator.distinct import structure
from generator.families import registry
from generator.family import build

STRUCTURES_TARGET = 4
TEXTS_TARGET = 20


def counts(name: str, difficulty: int, seeds: int) -> tuple[str, int, int]:
    """(form, distinct structures, distinct texts) of one family × difficulty."""
    family = registry()[name]
    form = next((f for f in family.forms if f != "numeric"), family.forms[0])
    structures: set[str] = set()
    texts: set[str] = set()
    for seed in range(seeds):
        exercise = build(family, seed, difficulty, form, "numerator", "q1")
        structures.add(structure(exercise))
        texts.add(f"{exercise.given} | {exercise.wrt} | {exercise.function}")
    return form, len(structures), len(texts)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=200)
    parser.add_argument("--family", action="append", default=[])
    args = parser.parse_args()
    names = args.family or list(registry())
    print(f"{'family':<20} {'d':>2} {'form':<9} {'structures':>10} {'texts':>6}  "
          f"(over {args.seeds} seeds; targets ≥ {STRUCTURES_TARGET}, ≥ {TEXTS_TARGET})")
    below = 0
    rows = 0
    for name in names:
        for difficulty in registry()[name].difficulties:
            form, shapes, texts = counts(name, difficulty, args.seeds)
            short = shapes < STRUCTURES_TARGET or texts < TEXTS_TARGET
            below += short
            rows += 1
            print(f"{name:<20} {difficulty:>2} {form:<9} {shapes:>10} {texts:>6}"
                  f"{'  below target' if short else ''}")
    print(f"{below} of {rows} family × difficulty rows below a target")


if __name__ == "__main__":
    main()
