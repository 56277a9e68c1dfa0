// The assignment page: typesets its math with KaTeX (when loaded) and, while an answer waits
// for its verdict, asks the server how grading goes, reloading the page once it is done.

const POLL_FIRST_MS = 1000;
const POLL_MAX_MS = 8000;

function typeset(element, latex, display) {
  const katex = window.katex;
  if (!katex) return;
  katex.render(latex, element, { displayMode: display, throwOnError: false, output: "htmlAndMathml" });
}

// Text with $...$ math in it (prompts): text nodes for the prose, KaTeX for the math.
function typesetText(element) {
  const katex = window.katex;
  if (!katex) return;
  const source = element.dataset.latexText;
  const parts = source.split(/(\$[^$]+\$)/);
  const nodes = parts.filter((part) => part !== "").map((part) => {
    if (part.length > 2 && part.startsWith("$") && part.endsWith("$")) {
      const span = document.createElement("span");
      typeset(span, part.slice(1, -1), false);
      return span;
    }
    return document.createTextNode(part);
  });
  element.replaceChildren(...nodes);
}

function renderMath(root) {
  for (const element of root.querySelectorAll("[data-latex-text]:not([data-typeset])")) {
    typesetText(element);
    element.dataset.typeset = "";
  }
  for (const element of root.querySelectorAll(".math[data-latex]:not([data-typeset])")) {
    typeset(element, element.dataset.latex, false);
    element.dataset.typeset = "";
  }
}

async function poll(url, wait) {
  try {
    const response = await fetch(url, { headers: { Accept: "application/json" }, cache: "no-store" });
    if (response.ok) {
      const state = await response.json();
      if (state.pending === 0) {
        window.location.reload();
        return;
      }
    }
  } catch (error) {
    // the server is restarting or the network blinked: keep asking, more slowly
  }
  const next = Math.min(wait * 1.5, POLL_MAX_MS);
  window.setTimeout(() => poll(url, next), wait);
}

function start() {
  renderMath(document);
  const status = document.getElementById("assignment-status");
  if (status && document.querySelector("[data-pending]")) {
    window.setTimeout(() => poll(status.dataset.statusUrl, POLL_FIRST_MS), POLL_FIRST_MS);
  }
}

start();
