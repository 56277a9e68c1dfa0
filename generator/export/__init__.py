"""Exercise sets for learning platforms: Gradescope autograders, Moodle XML quizzes, Canvas QTI."""
