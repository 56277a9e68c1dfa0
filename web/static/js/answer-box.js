// The answer box: the server reads the answer as the student types and the box echoes the
// reading — typeset, with its shape, what was stripped or flagged, and the caret message of an
// answer that can't be read.  It never says whether an answer is right and never simplifies:
// it shows what /api/parse (the grader's own parser) returns.
//
// Markup: templates/web/answer_box.html.  No build step; the Content-Security-Policy forbids
// inline scripts, so everything is wired here from classes and data attributes.
import { typeset } from "./math.js";

/** Milliseconds of quiet after a keystroke before the answer is read. */
const DELAY = 300;
const PARSE_URL = new URL("/api/parse", window.location.href);
const MATHLIVE = new URL("../vendor/mathlive/mathlive.min.mjs", import.meta.url);
const MATHLIVE_FONTS = new URL("../vendor/mathlive/fonts/", import.meta.url);

/** What each keypad key inserts in the visual editor (in the text box: its ASCII). */
const EDITOR_INSERTS = {
  "^T": "^{\\top}",
  "^-1": "^{-1}",
  ".*": "\\odot",
  "kron(": "\\otimes",
  "diag(": "\\operatorname{diag}(",
  "tr(": "\\operatorname{tr}(",
  "det(": "\\det(",
  "sigma(": "\\sigma(",
};

function csrfToken() {
  const meta = document.querySelector('meta[name="csrf-token"]');
  return meta ? meta.content : "";
}

function show(element, visible) {
  element.hidden = !visible;
}

class AnswerBox {
  constructor(root) {
    this.root = root;
    this.input = root.querySelector(".mc-input");
    this.given = root.dataset.given || "";
    this.expected = root.dataset.expected || null;
    this.echo = {
      empty: root.querySelector(".mc-echo-empty"),
      reading: root.querySelector(".mc-echo-reading"),
      math: root.querySelector(".mc-echo-math"),
      shape: root.querySelector(".mc-echo-shape"),
      shapeValue: root.querySelector(".mc-shape-value"),
      notes: root.querySelector(".mc-echo-notes"),
      problem: root.querySelector(".mc-echo-problem"),
      message: root.querySelector(".mc-echo-message"),
      caret: root.querySelector(".mc-echo-caret"),
    };
    this.editorHost = root.querySelector(".mc-editor");
    this.toggle = root.querySelector(".mc-editor-toggle");
    this.timer = 0;
    this.controller = null;
    this.lastLatex = null;
    this.mathfield = null;

    this.input.addEventListener("input", () => this.schedule());
    for (const key of root.querySelectorAll(".mc-key")) {
      key.addEventListener("click", () => this.insert(key.dataset.insert));
    }
    this.toggle.addEventListener("click", () => this.toggleEditor());
    if (this.input.value.trim()) {
      this.read();
    }
  }

  schedule() {
    window.clearTimeout(this.timer);
    this.timer = window.setTimeout(() => this.read(), DELAY);
  }

  async read() {
    window.clearTimeout(this.timer);
    if (this.controller) {
      this.controller.abort(); // a newer text: the older reading no longer matters
      this.controller = null;
    }
    const text = this.input.value;
    if (!text.trim()) {
      this.showEmpty();
      return;
    }
    const controller = new AbortController();
    this.controller = controller;
    const body = { given: this.given, text };
    if (this.expected) {
      body.expected = this.expected;
    }
    let record;
    try {
      const response = await fetch(PARSE_URL, {
        method: "POST",
        headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken() },
        body: JSON.stringify(body),
        credentials: "same-origin",
        signal: controller.signal,
      });
      record = await response.json();
      if (!response.ok) {
        record = { valid: false, message: record.error || `the server answered ${response.status}` };
      }
    } catch (problem) {
      if (problem.name === "AbortError") {
        return;
      }
      record = {
        valid: false,
        message: "The reading is unavailable right now; you can still submit your answer.",
      };
    }
    if (controller !== this.controller) {
      return; // superseded while the answer was on its way
    }
    this.controller = null;
    this.showReading(record);
  }

  showEmpty() {
    this.lastLatex = null;
    show(this.echo.empty, true);
    for (const part of ["reading", "shape", "notes", "problem"]) {
      show(this.echo[part], false);
    }
    this.root.dataset.state = "empty";
  }

  showReading(record) {
    show(this.echo.empty, false);
    const notes = this.echo.notes;
    notes.replaceChildren();
    for (const note of record.stripped || []) {
      notes.append(this.note("Ignored", note.message));
    }
    for (const note of record.flagged || []) {
      notes.append(this.note("Note", note.message));
    }
    show(notes, notes.childElementCount > 0);
    if (record.valid) {
      this.lastLatex = record.latex;
      const grid = record.latex.startsWith("\\begin{bmatrix}");
      this.echo.math.classList.toggle("mc-grid", grid);
      typeset(this.echo.math, record.latex, grid);
      this.echo.shapeValue.textContent = record.shape_described;
      show(this.echo.reading, true);
      show(this.echo.shape, true);
      show(this.echo.problem, false);
      this.root.dataset.state = "read";
    } else {
      this.echo.message.textContent = record.message || "This can't be read.";
      this.echo.caret.textContent = record.caret || "";
      show(this.echo.caret, Boolean(record.caret));
      show(this.echo.reading, false);
      show(this.echo.shape, false);
      show(this.echo.problem, true);
      this.root.dataset.state = "unreadable";
    }
  }

  note(kind, message) {
    const item = document.createElement("li");
    const label = document.createElement("span");
    label.className = "mc-echo-label";
    label.textContent = kind;
    item.append(label, " ", message);
    return item;
  }

  /** A keypad key: its ASCII at the caret of the text box, or its LaTeX in the editor. */
  insert(text) {
    if (this.mathfield) {
      this.mathfield.executeCommand(["insert", EDITOR_INSERTS[text] || text]);
      this.mathfield.focus();
      return;
    }
    const input = this.input;
    const start = input.selectionStart ?? input.value.length;
    const end = input.selectionEnd ?? start;
    input.focus();
    input.setRangeText(text, start, end, "end");
    this.schedule();
  }

  /** The optional MathLive editor: its LaTeX goes into the text box and is read the same way. */
  async toggleEditor() {
    if (this.mathfield) {
      this.mathfield.remove();
      this.mathfield = null;
      show(this.editorHost, false);
      show(this.input, true);
      this.toggle.setAttribute("aria-pressed", "false");
      this.input.focus();
      return;
    }
    let MathfieldElement;
    try {
      ({ MathfieldElement } = await import(MATHLIVE.href));
    } catch (problem) {
      this.showReading({ valid: false, message: "The visual editor could not be loaded." });
      return;
    }
    MathfieldElement.fontsDirectory = MATHLIVE_FONTS.href;
    MathfieldElement.soundsDirectory = null;
    const field = new MathfieldElement();
    field.className = "mc-mathfield";
    const label = this.root.querySelector(".mc-label");
    field.setAttribute("aria-label", `${label ? label.textContent : "Answer"} (visual editor)`);
    field.value = this.lastLatex || "";
    field.addEventListener("input", () => {
      this.input.value = field.value;
      this.schedule();
    });
    this.editorHost.replaceChildren(field);
    this.mathfield = field;
    show(this.editorHost, true);
    show(this.input, false);
    this.toggle.setAttribute("aria-pressed", "true");
    field.focus();
    if (this.lastLatex) {
      this.input.value = this.lastLatex;
    }
  }
}

for (const root of document.querySelectorAll(".mc-answer-box")) {
  new AnswerBox(root);
}
