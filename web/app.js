// "Check a message": the draft box, inline highlights, the list of flags, rewrite cards,
// the safety notice. Nothing is stored: the draft lives in this page only.

import { api, byPosition, flagHeading, flagItem, h, problemText, fillSafety } from "./common.js";
import { markedFragment, suggestionCard } from "./render.js";
import { applyReplacement, codePointLength, flagsToUtf16, shiftFlags, strongest } from "./text.js";

const MAX_CHARS = 5000;
const CHECK_DELAY_MS = 500;
const REWRITE_DELAY_MS = 600;
const CARDS_AT_FIRST = 3;

const $ = (id) => document.getElementById(id);
const draft = $("draft");
const mirror = $("mirror");
const count = $("count");
const limitError = $("limit-error");
const checkButton = $("check");
const summary = $("summary");
const flagList = $("flag-list");
const detail = $("flag-detail");
const legend = $("legend");
const safetyBox = $("safety");
const undoBar = $("undo-bar");
const undoMsg = $("undo-msg");
const undoButton = $("undo");
const suggestions = $("suggestions");
const cards = $("cards");
const feeling = $("feeling");
const situation = $("situation");
const wholeMessage = $("whole-message");
const copyButton = $("copy");
const copyStatus = $("copy-status");
const moreButton = $("more");

const state = {
  text: "", // the text the mirror shows (always the textarea's value)
  flags: [], // flags with UTF-16 offsets into state.text
  checked: null, // the text of the last analysis shown
  analysisSafety: null,
  rewrite: null, // {text, data} for the suggestions shown
  undo: [], // earlier drafts, newest last
  hover: null, // index of the flag under the pointer
  caret: null, // index of the flag at the caret, or focused in the list
  showAll: false, // the person asked to see every suggestion
};

let checkTimer = 0;
let rewriteTimer = 0;
let analyzeController = null;
let rewriteController = null;
let rewriteAvailable = true;

// ---------- Rendering the draft's highlights ----------

function renderMirror() {
  const text = state.text;
  const fragment = markedFragment(text, state.flags);
  // A trailing newline needs something after it to give the last line its height.
  if (text.endsWith("\n")) fragment.append(" ");
  mirror.replaceChildren(fragment);
  mirror.scrollTop = draft.scrollTop;
  markActive();
}

function flagByIndex(index) {
  return state.flags.find((flag) => flag.index === index) || null;
}

function markActive() {
  const index = state.hover ?? state.caret;
  for (const mark of mirror.querySelectorAll("mark")) {
    const indices = mark.dataset.flags.split(" ").map(Number);
    mark.classList.toggle("is-active", index !== null && indices.includes(index));
  }
  for (const item of flagList.children) {
    item.classList.toggle("is-active", index !== null && Number(item.dataset.index) === index);
  }
  showDetail(index === null ? null : flagByIndex(index));
}

function showDetail(flag) {
  if (state.flags.length === 0) {
    detail.hidden = true;
    detail.replaceChildren();
    delete detail.dataset.key;
    return;
  }
  detail.hidden = false;
  const instead = flag ? rewriteFor(flag) : null;
  const key = flag ? `${flag.index}:${flag.start}:${flag.end}:${flag.rule}:${instead || ""}` : "hint";
  if (detail.dataset.key === key) return;
  detail.dataset.key = key;
  detail.className = flag ? `flag-detail sev-${flag.severity}` : "flag-detail";
  if (!flag) {
    detail.replaceChildren(
      h("p", {
        class: "hint",
        text: "Point at a highlighted phrase, tap it, or move the cursor into it to see why Mend noticed it.",
      }),
    );
    return;
  }
  detail.replaceChildren(
    flagHeading(flag),
    h("p", { text: flag.message }),
    h("p", { text: flag.why }),
    h("p", {}, h("span", { class: "try", text: "Try: " }), flag.suggestion),
    ...(instead ? [h("p", {}, h("span", { class: "try", text: "Or say: " }), instead)] : []),
  );
}

// The best I-statement from /v1/rewrite that stands for the sentence holding this flag.
function rewriteFor(flag) {
  const rewrite = state.rewrite;
  if (!rewrite || rewrite.text !== draft.value) return null;
  const list = Array.isArray(rewrite.data.suggestions) ? rewrite.data.suggestions : [];
  const covering = list.find((s) =>
    (s.replaces || []).some((r) => r.start <= flag.start && flag.end <= r.end),
  );
  return covering ? covering.text : null;
}

// ---------- Flags list and summary ----------

function renderFlagList() {
  const items = byPosition(state.flags).map(flagItem);
  flagList.replaceChildren(...items);
  legend.hidden = state.flags.length === 0;
}

function setSummary(text) {
  if (summary.textContent !== text) summary.textContent = text;
  $("results-empty").hidden = text !== "";
}

function renderSafety() {
  fillSafety(safetyBox, (state.rewrite && state.rewrite.data.safety) || state.analysisSafety);
}

function clearResults() {
  state.flags = [];
  state.checked = null;
  state.analysisSafety = null;
  state.caret = null;
  state.hover = null;
  $("results-clean").hidden = true;
  renderMirror();
  renderFlagList();
  renderSafety();
  hideSuggestions();
}

// ---------- Checking ----------

/** The flag list is busy from the first keystroke until the check of that text is shown. */
function setBusy(busy) {
  if (busy) flagList.setAttribute("aria-busy", "true");
  else flagList.removeAttribute("aria-busy");
}

function updateCount() {
  const n = codePointLength(draft.value);
  count.textContent = `${n.toLocaleString("en")} / ${MAX_CHARS.toLocaleString("en")} characters`;
  const over = n > MAX_CHARS;
  count.classList.toggle("is-over", over);
  if (over) {
    limitError.textContent = `Your message is over 5,000 characters (${n.toLocaleString("en")}). Shorten it by ${(n - MAX_CHARS).toLocaleString("en")} to check it.`;
    limitError.hidden = false;
    draft.setAttribute("aria-invalid", "true");
  } else {
    limitError.hidden = true;
    limitError.textContent = "";
    draft.removeAttribute("aria-invalid");
  }
  return n;
}

function scheduleCheck() {
  window.clearTimeout(checkTimer);
  checkTimer = window.setTimeout(check, CHECK_DELAY_MS);
}

async function check() {
  window.clearTimeout(checkTimer);
  const text = draft.value;
  const length = updateCount();
  if (text.trim() === "") {
    if (analyzeController) analyzeController.abort();
    clearResults();
    setSummary(text === "" ? "" : "Write or paste your draft, and Mend will check it.");
    setBusy(false);
    return;
  }
  if (length > MAX_CHARS) {
    if (analyzeController) analyzeController.abort();
    setSummary("Your message is over 5,000 characters. Shorten it to check it.");
    setBusy(false);
    return;
  }
  if (analyzeController) analyzeController.abort();
  const controller = new AbortController();
  analyzeController = controller;
  setBusy(true);
  let result;
  try {
    result = await api("/v1/analyze", { text }, controller.signal);
  } catch {
    return; // replaced by a newer check
  }
  if (analyzeController !== controller || draft.value !== text) return;
  analyzeController = null;
  if (!result.ok) {
    setSummary(problemText(result));
    setBusy(false);
    return;
  }
  const data = result.data;
  // Results never touch the textarea: the caret and selection stay where they are.
  state.flags = flagsToUtf16(text, data.flags);
  state.checked = text;
  state.analysisSafety = data.safety;
  state.hover = null;
  renderMirror();
  renderFlagList();
  caretChanged();
  const safetyNote = data.safety ? " Support is listed below." : "";
  setSummary(`${data.summary.headline}.${safetyNote}`.replace("..", "."));
  $("results-clean").hidden = data.flags.length > 0;
  if (data.summary.blaming) {
    requestRewrite(text);
  } else {
    hideSuggestions();
  }
  renderSafety();
  setBusy(false);
}

// ---------- Rewrites ----------

function hideSuggestions() {
  if (rewriteController) rewriteController.abort();
  rewriteController = null;
  state.rewrite = null;
  suggestions.removeAttribute("aria-busy");
  suggestions.hidden = true;
  cards.replaceChildren();
  wholeMessage.textContent = "";
  copyStatus.textContent = "";
}

function rewriteBody(text) {
  const body = { text };
  if (feeling.value) body.feeling = feeling.value;
  const what = situation.value.trim();
  if (what) body.situation = what.slice(0, 300);
  return body;
}

async function requestRewrite(text) {
  if (!rewriteAvailable) return;
  if (rewriteController) rewriteController.abort();
  const controller = new AbortController();
  rewriteController = controller;
  suggestions.setAttribute("aria-busy", "true");
  let result;
  try {
    result = await api("/v1/rewrite", rewriteBody(text), controller.signal);
  } catch {
    return;
  }
  if (rewriteController !== controller || draft.value !== text) return;
  rewriteController = null;
  suggestions.removeAttribute("aria-busy");
  if (result.status === 404 || result.status === 405) {
    rewriteAvailable = false; // this server has no rewrites; the flags still help
    hideSuggestions();
    return;
  }
  if (!result.ok) {
    hideSuggestions();
    setSummary(`${summary.textContent} ${problemText(result)}`.trim());
    return;
  }
  if (!state.rewrite || state.rewrite.text !== text) state.showAll = false;
  state.rewrite = { text, data: result.data };
  renderSuggestions();
  renderSafety();
  markActive(); // an open flag's detail gains its I-statement
}

function renderSuggestions() {
  const { data } = state.rewrite;
  const list = Array.isArray(data.suggestions) ? data.suggestions : [];
  if (list.length === 0 && !data.message) {
    hideSuggestions();
    return;
  }
  const shown = state.showAll ? list : list.slice(0, CARDS_AT_FIRST);
  const items = shown.map((suggestion, i) => {
    const textId = `suggestion-${i}`;
    const use = h("button", {
      type: "button",
      class: "primary use",
      "aria-describedby": textId,
      text: "Use this",
      onclick: () => useSuggestion(suggestion),
    });
    return suggestionCard(suggestion, textId, use);
  });
  cards.replaceChildren(...items);
  const hiddenCount = list.length - shown.length;
  moreButton.hidden = hiddenCount === 0;
  moreButton.textContent = `Show ${hiddenCount} more ${hiddenCount === 1 ? "idea" : "ideas"}`;
  wholeMessage.textContent = data.message || "";
  $("whole").hidden = !data.message;
  copyStatus.textContent = "";
  suggestions.classList.remove("is-stale");
  suggestions.hidden = false;
}

function showMore() {
  if (!state.rewrite) return;
  const before = cards.children.length;
  state.showAll = true;
  renderSuggestions();
  const next = cards.children[before];
  const button = next && next.querySelector("button");
  if (button) button.focus();
}

function setDraft(text, caret) {
  state.flags = shiftFlags(state.flags, state.text, text);
  draft.value = text;
  state.text = text;
  const at = Math.min(caret ?? text.length, text.length);
  draft.setSelectionRange(at, at);
  renderMirror();
  updateCount();
}

function useSuggestion(suggestion) {
  const rewrite = state.rewrite;
  if (!rewrite || draft.value !== rewrite.text) return; // stale: a new check is on its way
  const { text, caret } = applyReplacement(rewrite.text, suggestion.replaces || [], suggestion.text);
  if (text === rewrite.text) return;
  state.undo.push(rewrite.text);
  hideSuggestions();
  setDraft(text, caret);
  undoMsg.textContent = "Your draft now uses the suggestion.";
  undoBar.hidden = false;
  undoMsg.focus();
  check();
}

function undo() {
  const previous = state.undo.pop();
  if (previous === undefined) return;
  hideSuggestions();
  setDraft(previous, previous.length);
  if (state.undo.length === 0) {
    undoBar.hidden = true;
    draft.focus();
  } else {
    undoMsg.textContent = "The earlier version of your draft is back.";
    undoButton.focus();
  }
  check();
}

/** Select the whole message on the page, so it can be copied by hand if need be. */
function selectWholeMessage() {
  const range = document.createRange();
  range.selectNodeContents(wholeMessage);
  const selection = window.getSelection();
  selection.removeAllRanges();
  selection.addRange(range);
}

async function copyMessage() {
  const text = state.rewrite ? state.rewrite.data.message : "";
  if (!text) return;
  let copied = false;
  if (navigator.clipboard && window.isSecureContext) {
    try {
      await navigator.clipboard.writeText(text);
      copied = true;
    } catch {
      copied = false;
    }
  }
  if (!copied) {
    // Plain http on a workshop network has no clipboard API: fall back to a selection.
    selectWholeMessage();
    try {
      copied = document.execCommand("copy");
    } catch {
      copied = false;
    }
  }
  copyStatus.textContent = copied
    ? "Copied. You can paste it wherever you write to her."
    : "This browser would not copy it. The message is selected: press Ctrl+C (or ⌘+C) to copy it.";
}

// ---------- Which flag is shown: pointer, caret, list ----------

function flagAtPoint(x, y) {
  for (const element of document.elementsFromPoint(x, y)) {
    if (element.matches && element.matches("mark.hl") && mirror.contains(element)) {
      const indices = element.dataset.flags.split(" ").map(Number);
      const flags = indices.map(flagByIndex).filter(Boolean);
      return flags.length ? strongest(flags).index : null;
    }
  }
  return null;
}

function caretChanged() {
  if (document.activeElement !== draft) {
    markActive();
    return;
  }
  const position = draft.selectionStart;
  const flag = state.flags.find((f) => f.start <= position && position <= f.end);
  state.caret = flag ? flag.index : null;
  markActive();
}

let pointerFrame = 0;
function pointerMoved(event) {
  if (pointerFrame) return;
  const { clientX, clientY } = event;
  pointerFrame = window.requestAnimationFrame(() => {
    pointerFrame = 0;
    const index = flagAtPoint(clientX, clientY);
    if (index !== state.hover) {
      state.hover = index;
      markActive();
    }
  });
}

// ---------- Feeling picker ----------

async function loadFeelings() {
  const result = await api("/v1/lexicon");
  if (!result.ok || !result.data || !Array.isArray(result.data.families)) return;
  const groups = result.data.families.map((family) =>
    h(
      "optgroup",
      { label: family.label },
      family.words.map((word) => h("option", { value: word, text: word })),
    ),
  );
  feeling.append(...groups);
}

function answersChanged(delay) {
  window.clearTimeout(rewriteTimer);
  if (!state.rewrite && suggestions.hidden) return;
  suggestions.classList.add("is-stale");
  rewriteTimer = window.setTimeout(() => {
    if (state.checked !== null && state.checked === draft.value) requestRewrite(draft.value);
  }, delay);
}

// ---------- Wiring ----------

draft.addEventListener("input", () => {
  const text = draft.value;
  state.flags = shiftFlags(state.flags, state.text, text);
  state.text = text;
  state.hover = null;
  renderMirror();
  renderFlagList();
  updateCount();
  if (state.undo.length) {
    state.undo = [];
    undoBar.hidden = true;
  }
  if (state.rewrite && state.rewrite.text !== text) {
    // The suggestions were written for the earlier text; they return after the next check.
    suggestions.classList.add("is-stale");
    for (const button of cards.querySelectorAll("button.use")) button.disabled = true;
  }
  setBusy(true);
  scheduleCheck();
});
draft.addEventListener("scroll", () => {
  mirror.scrollTop = draft.scrollTop;
});
for (const type of ["keyup", "click", "focus", "select"]) {
  draft.addEventListener(type, caretChanged);
}
document.addEventListener("selectionchange", caretChanged);
draft.addEventListener("pointermove", pointerMoved);
draft.addEventListener("pointerdown", (event) => {
  const index = flagAtPoint(event.clientX, event.clientY);
  if (index !== null) {
    state.caret = index;
    markActive();
  }
});
draft.addEventListener("pointerleave", () => {
  state.hover = null;
  markActive();
});
draft.addEventListener("blur", () => {
  state.caret = null;
  markActive();
});

flagList.addEventListener("focusin", (event) => {
  const item = event.target.closest("li[data-index]");
  if (item) {
    state.caret = Number(item.dataset.index);
    markActive();
  }
});
flagList.addEventListener("pointerover", (event) => {
  const item = event.target.closest("li[data-index]");
  state.hover = item ? Number(item.dataset.index) : null;
  markActive();
});
flagList.addEventListener("pointerleave", () => {
  state.hover = null;
  markActive();
});

checkButton.addEventListener("click", check);
undoButton.addEventListener("click", undo);
copyButton.addEventListener("click", copyMessage);
moreButton.addEventListener("click", showMore);
feeling.addEventListener("change", () => answersChanged(0));
situation.addEventListener("input", () => answersChanged(REWRITE_DELAY_MS));
$("parts").addEventListener("submit", (event) => {
  event.preventDefault();
  answersChanged(0);
});

// Leaving the page forgets the draft, so "back" (or the browser's page cache) never shows it.
window.addEventListener("pagehide", () => {
  draft.value = "";
  situation.value = "";
  state.text = "";
  state.undo = [];
  clearResults();
  setSummary("");
  updateCount();
});
window.addEventListener("pageshow", (event) => {
  if (event.persisted) {
    draft.value = "";
    updateCount();
  }
});

// The browser may restore form fields on reload; Mend keeps nothing, so start empty.
draft.value = "";
situation.value = "";
updateCount();
loadFeelings();
