"""``matcalc serve``: the answer pages students use, practice, graded assignments, the
instructor's dashboard and LTI 1.3.  It uses :mod:`generator` and :mod:`grader`; neither knows
it exists."""
