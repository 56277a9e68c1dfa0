"""LaTeX templates (jinja2 with ``\\VAR{}``/``\\BLOCK{}`` delimiters), shipped inside the wheel."""
