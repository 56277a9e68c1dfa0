// The assignment page: typesets its math, keeps what the student types, and, while an answer
// waits for its verdict, asks the server how grading goes and brings the graded attempts into
// the page in place.  Nothing typed is lost: the box being typed in keeps its text and focus
// when a verdict arrives, and text typed in other boxes survives submitting one of them (a
// page load) as a draft in sessionStorage.  Without scripts the page still works: forms post.
import { typeset } from "./math.js";

const POLL_FIRST_MS = 1000;
const POLL_MAX_MS = 8000;
const DRAFTS_KEY = `matcalc-drafts:${window.location.pathname}`;

// --- math ------------------------------------------------------------------------------

/** Prose with $...$ math in it (prompts): text nodes for the prose, KaTeX for the math. */
function typesetText(element) {
  const parts = element.dataset.latexText.split(/(\$[^$]+\$)/);
  const nodes = parts.filter((part) => part !== "").map((part) => {
    if (part.length > 2 && part.startsWith("$") && part.endsWith("$")) {
      const span = document.createElement("span");
      typeset(span, part.slice(1, -1));
      return span;
    }
    return document.createTextNode(part);
  });
  element.replaceChildren(...nodes);
}

function renderMath(root) {
  if (!window.katex) return; // the LaTeX stays as text
  for (const element of root.querySelectorAll("[data-latex-text]:not([data-typeset])")) {
    typesetText(element);
    element.dataset.typeset = "";
  }
  for (const element of root.querySelectorAll(".math[data-latex]:not([data-typeset])")) {
    typeset(element, element.dataset.latex, element.dataset.display === "block");
    element.dataset.typeset = "";
  }
}

// --- drafts ----------------------------------------------------------------------------
// sessionStorage can be refused (a private window, an LMS frame without storage access):
// then drafts are simply not kept.

function loadDrafts() {
  try {
    const drafts = JSON.parse(window.sessionStorage.getItem(DRAFTS_KEY) || "{}");
    return drafts && typeof drafts === "object" ? drafts : {};
  } catch (problem) {
    return {};
  }
}

function saveDrafts(drafts) {
  try {
    window.sessionStorage.setItem(DRAFTS_KEY, JSON.stringify(drafts));
  } catch (problem) {
    // not kept; the page works as before
  }
}

function answerForms(root) {
  return root.querySelectorAll("form.answer-form");
}

function questionOf(form) {
  const field = form.querySelector('input[name="question"]');
  return field ? field.value : "";
}

/** Put back what was typed and not submitted, into empty boxes only (a refused answer the
 * server shows again wins), before the answer boxes start and read them. */
function restoreDrafts() {
  const drafts = loadDrafts();
  for (const form of answerForms(document)) {
    const input = form.querySelector("textarea");
    const draft = drafts[questionOf(form)];
    if (input && typeof draft === "string" && !input.value.trim()) {
      input.value = draft;
    }
  }
}

function keepDrafts() {
  for (const form of answerForms(document)) {
    const question = questionOf(form);
    const input = form.querySelector("textarea");
    if (!input) continue;
    input.addEventListener("input", () => {
      const drafts = loadDrafts();
      if (input.value.trim()) drafts[question] = input.value;
      else delete drafts[question];
      saveDrafts(drafts);
    });
    form.addEventListener("submit", () => {
      const drafts = loadDrafts();
      delete drafts[question]; // submitted: it shows among the attempts
      saveDrafts(drafts);
    });
  }
}

// --- verdicts arriving -----------------------------------------------------------------

/** Bring a freshly fetched question section into the page.  Its form, if both have one, is
 * the one already here: the student may be typing in it. */
function mergeQuestion(old, fresh) {
  const form = old.querySelector(":scope > form.answer-form");
  const freshForm = fresh.querySelector(":scope > form.answer-form");
  if (!form || !freshForm) {
    old.replaceWith(document.adoptNode(fresh));
    return;
  }
  for (const child of [...old.children]) {
    if (child !== form) child.remove();
  }
  let cursor = null; // the last node placed after the form
  for (const child of [...fresh.children]) {
    if (child === freshForm) {
      cursor = form;
      continue;
    }
    const node = document.adoptNode(child);
    if (cursor === null) form.before(node);
    else {
      cursor.after(node);
      cursor = node;
    }
  }
  const button = form.querySelector('button[type="submit"]');
  const described = button && button.getAttribute("aria-describedby");
  if (described && !document.getElementById(described)) {
    button.removeAttribute("aria-describedby"); // "grading…" is gone
  }
}

function replaceTotal(fresh) {
  const old = document.querySelector("p.total");
  const next = fresh.querySelector("p.total");
  if (old && next) old.replaceWith(document.adoptNode(next));
  else if (old) old.remove();
  else if (next) {
    const rules = document.querySelector("section.rules");
    if (rules) rules.after(document.adoptNode(next));
  }
}

/** What a screen reader hears of a question just graded: "Question 1: Wrong shape." */
function news(section) {
  const heading = section.querySelector("h2");
  const last = section.querySelector(".attempts li:last-child");
  const verdict = last && last.querySelector(".verdict strong, .state");
  return `${heading ? heading.textContent.trim() : ""}: ${verdict ? verdict.textContent.trim() : "graded"}.`;
}

/** Fetch the page again and bring every question whose attempts changed into this one. */
async function refresh() {
  const response = await fetch(window.location.pathname + window.location.search, {
    cache: "no-store",
  });
  if (!response.ok) throw new Error(`HTTP ${response.status}`);
  const fresh = new DOMParser().parseFromString(await response.text(), "text/html");
  const graded = [];
  for (const section of fresh.querySelectorAll("section.question")) {
    const old = document.getElementById(section.id);
    if (!old) continue;
    if (old.querySelector("[data-pending]") && !section.querySelector("[data-pending]")) {
      graded.push(news(section)); // before its nodes move into the page
    }
    mergeQuestion(old, section);
  }
  replaceTotal(fresh);
  renderMath(document);
  const region = document.getElementById("assignment-news");
  if (region && graded.length) region.textContent = graded.join(" ");
  return document.querySelector("[data-pending]") !== null;
}

async function poll(url, wait) {
  let next = Math.min(wait * 1.5, POLL_MAX_MS);
  try {
    const response = await fetch(url, { headers: { Accept: "application/json" }, cache: "no-store" });
    if (response.ok) {
      const state = await response.json();
      if (state.pending === 0) {
        if (!(await refresh())) return; // nothing more to wait for
        next = POLL_FIRST_MS;
      }
    }
  } catch (problem) {
    // the server is restarting or the network blinked: keep asking, more slowly
  }
  window.setTimeout(() => poll(url, next), wait);
}

function start() {
  renderMath(document);
  restoreDrafts();
  keepDrafts();
  const status = document.getElementById("assignment-status");
  if (status && document.querySelector("[data-pending]")) {
    window.setTimeout(() => poll(status.dataset.statusUrl, POLL_FIRST_MS), POLL_FIRST_MS);
  }
}

start();
