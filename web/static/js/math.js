// Typesetting with KaTeX (vendored; loaded by base.html as a classic script before the modules
// run).  HTML for the eye and MathML for screen readers.  LaTeX reaching here comes from
// matcalc's printers, and KaTeX runs with trust off, so no LaTeX can make links or HTML.

const OPTIONS = {
  output: "htmlAndMathml",
  throwOnError: false,
  trust: false,
  strict: "ignore",
  maxSize: 20,
  maxExpand: 200,
};

/** Typeset `latex` into `element`; without KaTeX the LaTeX stays as text. */
export function typeset(element, latex, display = false) {
  const katex = window.katex;
  if (!katex) {
    element.textContent = latex;
    return false;
  }
  try {
    katex.render(latex, element, { ...OPTIONS, displayMode: display });
    return true;
  } catch (problem) {
    element.textContent = latex;
    return false;
  }
}

/** Typeset every `[data-latex]` element under `root`. */
export function typesetAll(root = document) {
  for (const element of root.querySelectorAll("[data-latex]")) {
    typeset(element, element.dataset.latex, element.dataset.display === "block");
  }
}
