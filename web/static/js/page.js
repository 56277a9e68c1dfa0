// What every page does once loaded: typeset its math, and move focus to a panel that asks for
// it (a verdict just shown), so that keyboard and screen-reader users land on it.
import { typesetAll } from "./math.js";

typesetAll();
const wanted = document.querySelector("[data-focus]");
if (wanted) {
  wanted.focus();
}
