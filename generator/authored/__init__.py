"""Exercises instructors write in TOML: reading, parameters, keys, distractors and checking.

An authored exercise becomes a :class:`~generator.family.Family` of its own (named by its id), so
it is generated, verified, rendered, graded and exported exactly as the built-in families are.
"""
