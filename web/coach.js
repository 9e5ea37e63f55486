// The coach page, in two modes:
//   "Coach"    a guided conversation, one turn at a time over POST /v1/coach. The server keeps
//              nothing: every turn sends back the state it was given, with the answer.
//   "Practise" lines before a call, straight away, over POST /v1/rehearse.
// Nothing is stored: the conversation lives in this page only, and leaving it clears it.
// Text from people and from the server is only ever placed with text nodes (common.js h()).

import { api, byPosition, flagItem, h, fillSafety } from "./common.js";
import { codePointLength, flagsToUtf16, segments, shiftFlags, strongest } from "./text.js";

const $ = (id) => document.getElementById(id);

const MAX_ANSWER = 2000; // the server's limit for one answer
const MAX_LINE = 1000; // and for one practice line
const MAX_HISTORY = 40;
const CHECK_DELAY_MS = 500;
const PARTNER_LABEL = "Practice reply — a program, not her";
const PRACTICE_WHO = "You, practising";

// How she tends to answer: filled from GET /v1/rehearse/styles (rules/coach/replies.yaml), so a
// facilitator's edit to the styles shows here too. Until it loads, the names stand alone.
let STYLES = ["warm", "worried", "defensive", "critical", "distant"].map((id) => ({
  id,
  label: id[0].toUpperCase() + id.slice(1),
  description: "",
}));
const INTENSITIES = [
  { value: 1, label: "1 — mild" },
  { value: 2, label: "2 — firmer" },
  { value: 3, label: "3 — the hardest it gets" },
];
// The reaction, named in plain words (never colour or an icon alone).
const REACTION = {
  opens: "She opens up and invites you to say more.",
  softens: "She softens a little.",
  defends: "She gets defensive.",
  attacks: "She hits back with blame of her own.",
  withdraws: "She pulls away from the subject.",
};
const REACTION_SHORT = {
  opens: "she opens up",
  softens: "she softens a little",
  defends: "she gets defensive",
  attacks: "she hits back",
  withdraws: "she pulls away",
};
// The six parts of the method, and the coach's steps inside each.
const STAGES = [
  { label: "Choose", steps: ["list", "weigh", "choose"] },
  { label: "Feelings", steps: ["feelings"] },
  { label: "Sources", steps: ["situation", "need", "her_side"] },
  { label: "Draft", steps: ["draft"] },
  { label: "Rehearse", steps: ["rehearse"] },
  { label: "Plan", steps: ["plan", "summary"] },
];

/** A plain-words message for a failed call (common.js's problemText speaks of checking). */
function failureText(result, what) {
  if (result.status === 0) {
    return "Mend could not reach its server. Check that it is still running, then try again.";
  }
  const detail = result.data && typeof result.data.detail === "string" ? result.data.detail : "";
  return detail ? `Mend could not ${what}: ${detail}` : `Mend could not ${what} just now. Please try again.`;
}

/** Put text in a status region so that it is announced even when it repeats. */
function announce(region, text) {
  region.textContent = "";
  if (!text) return;
  window.setTimeout(() => {
    region.textContent = text;
  }, 60);
}

function styleOptions(select, chosen) {
  select.replaceChildren(
    ...STYLES.map((style) =>
      h("option", { value: style.id, text: style.label, selected: style.id === chosen }),
    ),
  );
}

function intensityOptions(select, chosen) {
  select.replaceChildren(
    ...INTENSITIES.map((level) =>
      h("option", { value: String(level.value), text: level.label, selected: level.value === chosen }),
    ),
  );
}

function styleHint(select, hint) {
  const style = STYLES.find((s) => s.id === select.value);
  hint.textContent = style ? style.description : "";
}

// ---------- Lexicon: feeling words by family, and needs ----------

const lexicon = { families: [], needs: new Map() };
const lexiconLoaded = (async () => {
  const result = await api("/v1/lexicon");
  if (!result.ok || !result.data) return;
  if (Array.isArray(result.data.families)) lexicon.families = result.data.families;
  if (Array.isArray(result.data.needs)) {
    for (const need of result.data.needs) lexicon.needs.set(need.id, need.label);
  }
})();

function needLabel(id) {
  return lexicon.needs.get(id) || String(id).replace(/-/g, " ");
}

// ---------- Conversation log (shared by both modes) ----------

function youEntry(text, note, who = "You") {
  return h(
    "li",
    { class: "msg msg--you" },
    h("p", { class: "who", text: who }),
    h("p", { class: "said", text }),
    note ? h("p", { class: "msg-note", text: note }) : null,
  );
}

function coachEntry(text, first) {
  return h(
    "li",
    { class: first ? "msg msg--coach msg--first" : "msg msg--coach" },
    h("p", { class: "who", text: "Mend (a program)" }),
    h("p", { class: "said", text }),
  );
}

/** Her reply: labelled as a program, the reaction in words, and what a softer line would draw. */
function replyEntry(reply, onSofter, tag = "li") {
  let softer = null;
  if (reply.softer) {
    softer = h(
      "div",
      { class: "softer" },
      h(
        "p",
        {},
        h("strong", { text: "A softer line would have drawn: " }),
        h("q", { class: "softer-reply", text: reply.softer.reply }),
        ` — ${REACTION_SHORT[reply.softer.reaction] || reply.softer.reaction}.`,
      ),
      h("p", {}, "The softer line: ", h("q", { class: "softer-line", text: reply.softer.line })),
      onSofter
        ? h("button", {
            type: "button",
            class: "use-softer",
            text: "Try the softer line",
            onclick: () => onSofter(reply.softer.line),
          })
        : null,
    );
  }
  return h(
    tag,
    { class: "msg msg--her", "data-reaction": reply.reaction },
    h("p", { class: "who", text: PARTNER_LABEL }),
    h("p", { class: "said", text: reply.reply }),
    h("p", { class: "reaction", text: REACTION[reply.reaction] || reply.reaction }),
    softer,
  );
}

function blamingNote(flags) {
  const blaming = (flags || []).filter((flag) => flag.severity === "warning" || flag.severity === "error");
  if (blaming.length === 0) return null;
  const phrases = blaming.map((flag) => `“${flag.text}”`).join(", ");
  const noun = blaming.length === 1 ? "phrase that may sound" : "phrases that may sound";
  return `Mend noticed ${blaming.length} ${noun} blaming: ${phrases}.`;
}

function replyAnnouncement(reply) {
  let text = `${PARTNER_LABEL}: ${reply.reply} ${REACTION[reply.reaction] || ""}`;
  if (reply.softer) text += ` A softer line would have drawn: ${reply.softer.reply}`;
  return text;
}

// The safety notices, one per mode. Held here because they move into the log (and a log
// that is cleared takes them out of the document).
const safetyBoxes = Object.fromEntries(
  ["coach", "practise"].map((prefix) => [prefix, $(`${prefix}-safety`)]),
);

/** Show the notice calmly in the flow of the conversation, just after what prompted it: the
 *  person reads it, and the next question waits below it. Never a modal. */
function showSafety(prefix, safety, logList) {
  if (!safety) return;
  const box = safetyBoxes[prefix];
  const holder = box.closest("li.log-safety") || h("li", { class: "log-safety" });
  holder.append(box);
  logList.append(holder);
  fillSafety(box, safety);
}

function hideSafety(prefix) {
  fillSafety(safetyBoxes[prefix], null);
}

/** Copy text, or select it on the page so it can be copied by hand. Resolves to true if copied. */
async function copyText(text, element) {
  if (navigator.clipboard && window.isSecureContext) {
    try {
      await navigator.clipboard.writeText(text);
      return true;
    } catch {
      // fall through to a selection
    }
  }
  const range = document.createRange();
  range.selectNodeContents(element);
  const selection = window.getSelection();
  selection.removeAllRanges();
  selection.addRange(range);
  try {
    return document.execCommand("copy");
  } catch {
    return false;
  }
}

// =============================================================================================
// Mode 1: the coach
// =============================================================================================

const root = $("coach-root");
const log = $("log");
const status = $("coach-status");
const form = $("turn");
const progress = $("progress");
const promptText = $("prompt-text");
const promptHelp = $("prompt-help");
const answerArea = $("answer");
const turnError = $("turn-error");
const mainActions = $("main-actions");
const stepActions = $("step-actions");
const backButton = $("back");
const skipButton = $("skip");
const stopButton = $("stop");

const coach = {
  state: null, // exactly as the server sent it
  kind: null,
  busy: false,
  pendingStop: false,
  turns: 0,
  view: null, // the current prompt's controls: {collect(), afterStay(data, sent)}
};

let draftTimer = 0;
let draftController = null;

function setError(message, field) {
  for (const invalid of form.querySelectorAll("[aria-invalid='true']"))
    invalid.removeAttribute("aria-invalid");
  turnError.textContent = message || "";
  turnError.hidden = !message;
  if (message) {
    announce(status, message);
    if (field) {
      if (field.matches("input, select, textarea")) field.setAttribute("aria-invalid", "true");
      field.focus();
    }
  }
}

/** One turn: send the state as received (style and intensity may be changed) and the answer. */
async function send(answer, action, display = null, who = "You") {
  if (coach.busy) {
    if (action === "decline") coach.pendingStop = true; // "Stop" is never lost
    return;
  }
  coach.busy = true;
  form.setAttribute("aria-busy", "true");
  setError("");
  const state = coach.state ? { ...coach.state } : null;
  if (state && coach.kind === "rehearse" && action === "next") {
    const style = $("coach-style");
    const intensity = $("coach-intensity");
    if (style) state.style = style.value;
    if (intensity) state.intensity = Number(intensity.value);
  }
  const result = await api("/v1/coach", { state: action === "restart" ? null : state, answer, action });
  coach.busy = false;
  form.removeAttribute("aria-busy");
  if (!result.ok || !result.data) {
    setError(failureText(result, "take that step"));
    root.removeAttribute("aria-busy");
    if (!coach.view) {
      // Nothing to answer yet: offer to try the first step again.
      promptText.textContent = "Mend could not start just now";
      mainActions.replaceChildren();
      actionButton("Try again", startCoach, { class: "primary" });
    }
  } else {
    receive(result.data, { answer, action, display, who });
  }
  if (coach.pendingStop) {
    coach.pendingStop = false;
    if (coach.state && coach.state.step !== "declined") send(null, "decline");
  }
}

function receive(data, sent) {
  const fresh = sent.action === "restart" || coach.state === null;
  const before = coach.state ? coach.state.step : null;
  if (fresh) {
    log.replaceChildren();
    hideSafety("coach");
  }
  const lastBefore = log.lastElementChild;
  if (sent.display) log.append(youEntry(sent.display, null, sent.who));
  const messages = Array.isArray(data.messages) ? data.messages : [];
  messages.forEach((message, i) => log.append(coachEntry(message, fresh && i === 0)));
  if (data.reply) log.append(replyEntry(data.reply, useSofterLine));
  if (data.safety) showSafety("coach", data.safety, log);

  coach.state = data.state;
  coach.turns += 1;
  form.dataset.turn = String(coach.turns);
  const changed = fresh || data.state.step !== before || data.prompt.kind !== coach.kind;

  const spoken = [...messages];
  if (data.reply) spoken.push(replyAnnouncement(data.reply));
  if (data.safety) spoken.push("Places to turn for support are listed just above the question.");

  // What this turn added to the log, apart from the person's own words.
  const added = [];
  for (
    let node = lastBefore ? lastBefore.nextElementSibling : log.firstElementChild;
    node;
    node = node.nextElementSibling
  ) {
    if (!node.classList.contains("msg--you")) added.push(node);
  }

  if (changed) {
    renderPrompt(data);
    root.removeAttribute("aria-busy");
    // A new question: show the turn from what Mend just said, and move focus to the question
    // (but never on first arrival at the page).
    if (!(fresh && sent.action !== "restart" && coach.turns === 1)) {
      (added[0] || form).scrollIntoView({ block: "start" });
      promptText.focus({ preventScroll: true });
    }
  } else {
    // The same question waits. What Mend said goes next to it too, so the person need not
    // leave the field they are in to read it; focus stays where it is.
    // (After a pause for safety, the message and the notice stay together in the log.)
    showNote(data.safety ? [] : messages);
    if (coach.view && coach.view.afterStay) coach.view.afterStay(data, sent);
    const moved = messages.length > 0 || data.reply || data.safety;
    if (!moved && sent.action === "next" && coach.kind !== "draft") {
      setError("Mend could not use that answer. Try it in a few plain words, or skip this step.");
    }
    const active = document.activeElement;
    if (data.safety) {
      safetyBoxes.coach.scrollIntoView({ block: "start" });
    } else if (active && form.contains(active)) {
      // Keep what they were doing, and what Mend just said about it, on screen.
      const note = $("turn-note");
      if (!note.hidden) note.scrollIntoView({ block: "nearest" });
      active.scrollIntoView({ block: "nearest" });
    }
    if (!active || active === document.body) promptText.focus();
  }
  announce(status, spoken.join(" "));
}

/** What Mend said this turn, shown in the question's panel as well as in the log. */
function showNote(messages) {
  const note = $("turn-note");
  note.replaceChildren(
    h("p", { class: "who", text: "Mend (a program)" }),
    ...messages.map((message) => h("p", { text: message })),
  );
  note.hidden = messages.length === 0;
}

function renderProgress(step) {
  const index = STAGES.findIndex((stage) => stage.steps.includes(step));
  progress.hidden = index < 0;
  progress.replaceChildren(
    ...STAGES.map((stage, i) =>
      h(
        "li",
        { "aria-current": i === index ? "step" : null, class: i < index ? "done" : null },
        i < index ? h("span", { class: "visually-hidden", text: "Done: " }) : null,
        `${i + 1}. ${stage.label}`,
      ),
    ),
  );
}

const RENDERERS = {
  start: renderStart,
  text: renderText,
  weights: renderWeights,
  choice: renderChoice,
  feelings: renderFeelings,
  needs: renderNeeds,
  struggles: renderStruggles,
  draft: renderDraft,
  rehearse: renderRehearse,
  plan: renderPlan,
  summary: renderSummary,
  none: renderNone,
};

function renderPrompt(data) {
  const { prompt, state } = data;
  window.clearTimeout(draftTimer);
  if (draftController) draftController.abort();
  coach.kind = prompt.kind;
  form.dataset.step = state.step;
  form.dataset.kind = prompt.kind;
  renderProgress(state.step);
  promptText.textContent = prompt.text || (prompt.kind === "none" ? "We've stopped here" : "");
  promptHelp.textContent = prompt.help || "";
  promptHelp.hidden = !prompt.help;
  setError("");
  showNote([]);
  answerArea.replaceChildren();
  mainActions.replaceChildren();
  if (prompt.kind !== "rehearse") {
    for (const button of log.querySelectorAll(".use-softer")) button.remove(); // rehearsal is over
  }
  const renderer = RENDERERS[prompt.kind] || renderNone;
  coach.view = renderer(data) || null;
  const asking = !["start", "none"].includes(prompt.kind);
  stepActions.hidden = !asking;
  backButton.hidden = !asking;
  skipButton.hidden = !asking || prompt.kind === "summary";
}

function submitButton(text) {
  const button = h("button", { type: "submit", class: "primary", text });
  mainActions.append(button);
  return button;
}

function actionButton(text, onclick, attrs = {}) {
  const button = h("button", { type: "button", text, onclick, ...attrs });
  mainActions.append(button);
  return button;
}

/** A visible label and a text field (input or textarea) described by the prompt's help. */
function field(id, label, { multiline = false, rows = 3, max = MAX_ANSWER, hint = null, value = "" } = {}) {
  const hintId = hint ? `${id}-hint` : null;
  const describedBy = [hintId, "turn-error"].filter(Boolean).join(" ");
  const control = multiline
    ? h("textarea", {
        id,
        name: id,
        rows,
        maxlength: max,
        autocomplete: "off",
        autocapitalize: "sentences",
        class: "field",
        "aria-describedby": describedBy,
      })
    : h("input", {
        type: "text",
        id,
        name: id,
        maxlength: max,
        autocomplete: "off",
        "aria-describedby": describedBy,
      });
  control.value = value;
  const wrap = h(
    "div",
    { class: "field-wrap" },
    h("label", { for: id, text: label }),
    hint ? h("p", { id: hintId, class: "hint", text: hint }) : null,
    control,
  );
  return { wrap, control };
}

function tooLong(text, max) {
  return codePointLength(text) > max;
}

/** Check a free-text answer's length in plain words; returns an error or null. */
function lengthError(text, max, control) {
  if (!tooLong(text, max)) return null;
  return {
    message: `Your answer is over ${max.toLocaleString("en")} characters. Please shorten it a little.`,
    field: control,
  };
}

// ---------- start ----------

function renderStart() {
  submitButton("Let's begin");
  actionButton("Not now", () => send(null, "decline"));
  return { collect: () => ({ answer: null }) };
}

// ---------- text: the list of grievances, and what happened ----------

function renderText({ state }) {
  const list = state.step === "list";
  const { wrap, control } = field("text-answer", list ? "What's been bothering you" : "What happened", {
    multiline: true,
    rows: list ? 5 : 3,
    hint: list ? "One thing on each line." : "One particular time, in a few plain words.",
    // Back here from a later step: what they said before is still theirs to change.
    value: list ? state.conflicts.map((conflict) => conflict.text).join("\n") : state.situation || "",
  });
  answerArea.append(wrap);
  submitButton("Continue");
  return {
    control,
    collect() {
      const text = control.value.trim();
      if (!text) {
        const message = list
          ? "Write at least one thing, or choose Skip this step."
          : "Write a few words about what happened, or choose Skip this step.";
        return { error: { message, field: control } };
      }
      const long = lengthError(text, MAX_ANSWER, control);
      if (long) return { error: long };
      return { answer: text, display: text };
    },
    afterStay(data, sent) {
      // After a pause for safety the same question waits; what they wrote is in the log.
      if (data.safety && sent.answer && control.value.trim() === sent.answer) control.value = "";
    },
  };
}

// ---------- weights: how heavy each one feels ----------

function renderWeights({ prompt, state }) {
  const selects = prompt.options.map((option, i) => {
    const id = `weight-${i + 1}`;
    const earlier = state.conflicts[i] ? state.conflicts[i].weight : null;
    const select = h(
      "select",
      { id, name: id, "aria-describedby": "weights-hint turn-error" },
      h("option", { value: "", text: "Choose a number" }),
      ["1 — fairly light", "2", "3", "4", "5 — very heavy"].map((text, n) =>
        h("option", { value: String(n + 1), text, selected: earlier === n + 1 }),
      ),
    );
    answerArea.append(h("div", { class: "weight-row" }, h("label", { for: id, text: option }), select));
    return select;
  });
  answerArea.prepend(
    h("p", { id: "weights-hint", class: "hint", text: "For each one: 1 is fairly light, 5 is very heavy." }),
  );
  submitButton("Continue");
  return {
    collect() {
      const missing = selects.find((select) => !select.value);
      if (missing) return { error: { message: "Choose a number from 1 to 5 for each one.", field: missing } };
      const display = prompt.options.map((option, i) => `${option} — ${selects[i].value} of 5`).join("\n");
      return { answer: selects.map((select) => select.value).join(" "), display };
    },
  };
}

// ---------- choice: which one to start with ----------

function renderChoice({ prompt, state }) {
  const suggested = Number.isInteger(prompt.suggested) ? prompt.suggested : 0;
  const items = prompt.options.map((option, i) => {
    const weight = state.conflicts[i] && state.conflicts[i].weight;
    return h(
      "label",
      { class: "option" },
      h("input", { type: "radio", name: "choice", value: String(i + 1), checked: i === suggested }),
      h(
        "span",
        {},
        option,
        weight ? h("span", { class: "option-meta", text: ` (feels like ${weight} of 5)` }) : null,
        i === suggested
          ? h("span", { class: "tag", text: "Mend's suggestion: a lighter one to start with" })
          : null,
      ),
    );
  });
  answerArea.append(
    h(
      "fieldset",
      { class: "options" },
      h("legend", { text: "Which one would you like to start with?" }),
      items,
    ),
    h("p", { class: "hint", text: "The suggestion is only a suggestion: choose another if it feels right." }),
  );
  submitButton("Start with this one");
  return {
    collect() {
      const checked = answerArea.querySelector("input[name='choice']:checked");
      const index = checked ? Number(checked.value) - 1 : suggested;
      return { answer: String(index + 1), display: prompt.options[index] };
    },
  };
}

// ---------- feelings: genuine feeling words, grouped by family ----------

function renderFeelings({ prompt, state }) {
  const earlier = new Set(state.feelings);
  const families = lexicon.families.length
    ? lexicon.families
    : prompt.options.map((label) => ({ id: label.toLowerCase(), label, words: [label.toLowerCase()] }));
  const groups = families.map((family) => {
    const count = h("span", { class: "chosen-count" });
    const chips = family.words.map((word) =>
      h(
        "label",
        { class: "option chip" },
        h("input", { type: "checkbox", name: "feeling", value: word, checked: earlier.delete(word) }),
        h("span", { text: word }),
      ),
    );
    return h(
      "details",
      { class: "family", "data-family": family.id },
      h("summary", {}, family.label, count),
      h("div", { class: "chips", role: "group", "aria-label": `${family.label} feelings` }, chips),
    );
  });
  const chosen = h("p", { id: "feelings-chosen", class: "hint", text: "Chosen: none yet." });
  const own = field("feelings-own", "Or in your own words", {
    max: 300,
    hint: "For example: tired and a bit sad.",
    value: [...earlier].join(", "),
  });
  const picker = h(
    "fieldset",
    { class: "options" },
    h("legend", { text: "Feeling words, grouped by family" }),
    h("p", { class: "hint", text: "Open a family to see its words, and tick as many as fit." }),
    h("div", { class: "families" }, groups),
  );
  answerArea.append(picker, chosen, own.wrap);
  const picked = () => [...picker.querySelectorAll("input[name='feeling']:checked")].map((box) => box.value);
  const showPicked = () => {
    const words = picked();
    chosen.textContent = words.length ? `Chosen: ${words.join(", ")}.` : "Chosen: none yet.";
    for (const details of picker.querySelectorAll("details.family")) {
      const n = details.querySelectorAll("input:checked").length;
      details.querySelector(".chosen-count").textContent = n ? ` (${n} chosen)` : "";
    }
  };
  picker.addEventListener("change", showPicked);
  showPicked();
  submitButton("Continue");
  return {
    collect() {
      const words = picked();
      const typed = own.control.value.trim();
      if (words.length === 0 && !typed) {
        const first = answerArea.querySelector("details.family summary");
        return {
          error: {
            message: "Pick at least one word, write your own, or choose Skip this step.",
            field: first,
          },
        };
      }
      const long = lengthError(typed, 300, own.control);
      if (long) return { error: long };
      const answer = [...words, typed].filter(Boolean).join(", ");
      return { answer, display: answer };
    },
  };
}

// ---------- needs ----------

function renderNeeds({ prompt, state }) {
  const known = state.need && lexicon.needs.has(state.need);
  const radio = (id) =>
    h(
      "label",
      { class: "option" },
      h("input", { type: "radio", name: "need", value: id, checked: known && state.need === id }),
      h("span", { text: needLabel(id) }),
    );
  const others = [...lexicon.needs.keys()].filter((id) => !prompt.options.includes(id));
  answerArea.append(
    h(
      "fieldset",
      { class: "options" },
      h("legend", { text: "Needs many people have" }),
      h("div", { class: "option-grid" }, prompt.options.map(radio)),
      others.length
        ? h(
            "details",
            { class: "more-options" },
            h("summary", { text: "More needs" }),
            h("div", { class: "option-grid" }, others.map(radio)),
          )
        : null,
    ),
  );
  const own = field("need-own", "Or in your own words", {
    max: 200,
    value: state.need && !known ? state.need : "",
  });
  answerArea.append(own.wrap);
  submitButton("Continue");
  return {
    collect() {
      const typed = own.control.value.trim();
      const checked = answerArea.querySelector("input[name='need']:checked");
      if (typed) {
        const long = lengthError(typed, 200, own.control);
        if (long) return { error: long };
        return { answer: typed, display: typed };
      }
      if (!checked) {
        const first = answerArea.querySelector("input[name='need']");
        return { error: { message: "Choose one, write your own, or choose Skip this step.", field: first } };
      }
      return { answer: checked.value, display: needLabel(checked.value) };
    },
  };
}

// ---------- struggles: what she may have been carrying (optional) ----------

function checkboxGroup(legend, name, items, earlier) {
  // items: [{value, text, note}]; a ticked box is one the person picked before (going Back).
  return h(
    "fieldset",
    { class: "options" },
    h("legend", { text: legend }),
    h(
      "div",
      { class: "option-grid" },
      items.map((item) =>
        h(
          "label",
          { class: "option" },
          h("input", { type: "checkbox", name, value: item.value, checked: earlier.delete(item.value) }),
          h(
            "span",
            {},
            h("span", { text: item.text }),
            item.note ? h("span", { class: "option-note", text: item.note }) : null,
          ),
        ),
      ),
    ),
  );
}

function renderStruggles({ prompt, state }) {
  const earlier = new Set(state.her_side);
  const earlierMyths = new Set(state.myths || []);
  const earlierRespect = new Set(state.respect || []);
  answerArea.append(
    checkboxGroup(
      "What she may have been carrying (optional)",
      "struggle",
      prompt.options.map((option) => ({ value: option, text: option })),
      earlier,
    ),
  );
  const own = field("struggle-own", "Anything else she was carrying, in your own words", {
    max: 200,
    value: [...earlier].join(", "),
  });
  answerArea.append(own.wrap);
  if (prompt.myths && prompt.myths.length) {
    answerArea.append(
      checkboxGroup(
        "Myths about mothers that you may have held her to (optional)",
        "myth",
        prompt.myths.map((m) => ({ value: m.myth, text: `Myth: ${m.myth}`, note: `Closer to the truth: ${m.truth}` })),
        earlierMyths,
      ),
    );
  }
  if (prompt.qualities && prompt.qualities.length) {
    answerArea.append(
      checkboxGroup(
        "Qualities you respect in her (optional)",
        "quality",
        prompt.qualities.map((q) => ({ value: q, text: q })),
        earlierRespect,
      ),
    );
  }
  const ownRespect = field("respect-own", "Something else you respect in her", {
    max: 200,
    value: [...earlierRespect].join(", "),
  });
  answerArea.append(ownRespect.wrap);
  submitButton("Continue");
  return {
    collect() {
      const ticked = (name) =>
        [...answerArea.querySelectorAll(`input[name='${name}']:checked`)].map((box) => box.value);
      const typed = own.control.value.trim();
      const typedRespect = ownRespect.control.value.trim();
      const long =
        lengthError(typed, 200, own.control) || lengthError(typedRespect, 200, ownRespect.control);
      if (long) return { error: long };
      const respected = typedRespect
        .split(/[,;\n]/)
        .map((part) => part.trim())
        .filter(Boolean);
      const lines = [
        ...ticked("struggle"),
        typed,
        ...ticked("myth"),
        ...ticked("quality"),
        ...respected.map((part) => `respect: ${part}`),
      ].filter(Boolean);
      const shown = [...ticked("struggle"), typed, ...ticked("myth"), ...ticked("quality"), ...respected]
        .filter(Boolean)
        .join("; ");
      return { answer: lines.join("\n"), display: shown || "Nothing picked." };
    },
  };
}

// ---------- draft: the I-statement, with the detector's flags ----------

function renderDraft({ prompt, state, flags }) {
  const text = prompt.options[0] || state.draft || "";
  const mirror = h("div", {
    class: "mirror",
    id: "draft-mirror",
    "aria-hidden": "true",
    "data-clear-on-exit": true,
  });
  const textarea = h("textarea", {
    id: "draft-edit",
    name: "draft",
    rows: 4,
    maxlength: MAX_ANSWER,
    autocomplete: "off",
    autocapitalize: "sentences",
    "aria-describedby": "draft-hint draft-summary turn-error",
  });
  textarea.value = text;
  const summary = h("p", { id: "draft-summary", class: "summary" });
  const legend = h(
    "ul",
    { class: "legend", hidden: true },
    h("li", {}, h("mark", { class: "hl hl--warning swatch", text: "wavy line" }), " may sound blaming"),
    h("li", {}, h("mark", { class: "hl hl--error swatch", text: "solid line" }), " likely to hurt"),
    h("li", {}, h("mark", { class: "hl hl--info swatch", text: "dotted line" }), " a tip"),
  );
  const list = h("ol", {
    id: "draft-flags",
    class: "flag-list",
    "aria-label": "Flagged phrases",
    "data-clear-on-exit": true,
  });
  answerArea.append(
    h("label", { for: "draft-edit", text: "Your message" }),
    h("p", {
      id: "draft-hint",
      class: "hint",
      text: "Edit it freely. Mend checks it again when you pause typing, and when you continue.",
    }),
    h("div", { class: "editor" }, mirror, textarea),
    legend,
    summary,
    list,
  );
  const view = { text, flags: [] };

  function render() {
    const fragment = document.createDocumentFragment();
    for (const run of segments(view.text, view.flags)) {
      const piece = view.text.slice(run.start, run.end);
      if (run.flags.length === 0) {
        fragment.append(piece);
        continue;
      }
      fragment.append(h("mark", { class: `hl hl--${strongest(run.flags).severity}` }, piece));
    }
    if (view.text.endsWith("\n")) fragment.append(" ");
    mirror.replaceChildren(fragment);
    list.replaceChildren(...byPosition(view.flags).map(flagItem));
    legend.hidden = view.flags.length === 0;
  }

  function setFlags(checkedText, serverFlags) {
    if (textarea.value !== checkedText) return; // typed on since: the next check will catch up
    view.text = checkedText;
    view.flags = flagsToUtf16(checkedText, serverFlags || []);
    const blaming = view.flags.filter(
      (flag) => flag.severity === "warning" || flag.severity === "error",
    ).length;
    const tips = view.flags.length - blaming;
    let line;
    if (blaming) {
      line = `${blaming} ${blaming === 1 ? "phrase" : "phrases"} may sound blaming. They're marked, with ideas below; you can reword them, or carry on as it is.`;
    } else if (tips) {
      line = `Nothing blaming found; ${tips} ${tips === 1 ? "tip" : "tips"} to consider.`;
    } else {
      line = "Nothing blaming found. It speaks from your side.";
    }
    const changed = summary.textContent !== line;
    summary.textContent = line;
    render();
    return changed ? line : null;
  }

  async function liveCheck() {
    window.clearTimeout(draftTimer);
    const current = textarea.value;
    if (!current.trim() || tooLong(current, MAX_ANSWER)) return;
    if (draftController) draftController.abort();
    const controller = new AbortController();
    draftController = controller;
    let result;
    try {
      result = await api("/v1/analyze", { text: current }, controller.signal);
    } catch {
      return; // replaced by a newer check
    }
    if (draftController !== controller) return;
    draftController = null;
    if (!result.ok || !result.data) return;
    const line = setFlags(current, result.data.flags);
    if (line) announce(status, line);
    if (result.data.safety) showSafety("coach", result.data.safety, log);
  }

  textarea.addEventListener("input", () => {
    view.flags = shiftFlags(view.flags, view.text, textarea.value);
    view.text = textarea.value;
    render();
    window.clearTimeout(draftTimer);
    draftTimer = window.setTimeout(liveCheck, CHECK_DELAY_MS);
  });
  textarea.addEventListener("scroll", () => {
    mirror.scrollTop = textarea.scrollTop;
  });

  setFlags(text, flags);
  submitButton("Continue with this message");
  return {
    collect() {
      const value = textarea.value.trim();
      if (!value)
        return {
          error: {
            message: "Your message is empty. Write a sentence, or choose Skip this step.",
            field: textarea,
          },
        };
      const long = lengthError(value, MAX_ANSWER, textarea);
      if (long) return { error: long };
      if (value === (coach.state.draft || "").trim()) return { answer: "", display: null };
      return { answer: value, display: value };
    },
    afterStay(data) {
      // The edit still sounds blaming (the coach says so kindly): show the marks, or check
      // again if the text has moved on since it was sent.
      window.clearTimeout(draftTimer);
      if (textarea.value === data.state.draft) setFlags(textarea.value, data.flags);
      else liveCheck();
    },
  };
}

// ---------- rehearse: say a line, see a practice reply ----------

function useSofterLine(line) {
  const target = coach.kind === "rehearse" ? $("coach-line") : null;
  if (!target) return;
  target.value = line;
  target.focus();
}

function lastCoachLine() {
  const lines = coach.state ? coach.state.rehearsal : [];
  return lines.length ? lines[lines.length - 1].line : null;
}

function renderRehearse({ state }) {
  const style = h("select", { id: "coach-style", name: "style", "aria-describedby": "coach-style-hint" });
  styleOptions(style, state.style);
  const styleHintText = h("p", { id: "coach-style-hint", class: "hint" });
  styleHint(style, styleHintText);
  style.addEventListener("change", () => styleHint(style, styleHintText));
  const intensity = h("select", {
    id: "coach-intensity",
    name: "intensity",
    "aria-describedby": "coach-intensity-hint",
  });
  intensityOptions(intensity, state.intensity);
  const first = state.rehearsal.length === 0;
  const line = field("coach-line", "What you would say", {
    multiline: true,
    rows: 3,
    max: MAX_LINE,
    hint: first
      ? "Your message is here to start with; change it, or write another line."
      : "Write your next line.",
    value: first ? state.draft || "" : "",
  });
  const latest = h("div", {
    id: "latest-reply",
    class: "latest-reply",
    hidden: true,
    "data-clear-on-exit": true,
  });
  answerArea.append(
    h(
      "div",
      { class: "pickers" },
      h("div", {}, h("label", { for: "coach-style", text: "How she tends to answer" }), style, styleHintText),
      h(
        "div",
        {},
        h("label", { for: "coach-intensity", text: "How hard the replies can get" }),
        intensity,
        h("p", {
          id: "coach-intensity-hint",
          class: "hint",
          text: "Her replies never get harsher than this.",
        }),
      ),
    ),
    latest,
    line.wrap,
  );
  submitButton("Say it");
  const again = actionButton(
    "Try again",
    () => {
      const last = lastCoachLine();
      if (last) send(last, "next", last, PRACTICE_WHO);
    },
    { id: "coach-again", "aria-describedby": "coach-again-hint" },
  );
  const againHint = h("p", { id: "coach-again-hint", class: "hint" });
  answerArea.append(againHint);
  actionButton("Done practising", () => send("", "next"), { id: "coach-done" });
  const refresh = () => {
    const last = lastCoachLine();
    again.hidden = !last;
    againHint.hidden = !last;
    againHint.textContent = last ? `Try again says “${last}” once more.` : "";
  };
  refresh();
  return {
    collect() {
      const text = line.control.value.trim();
      if (!text)
        return {
          error: { message: "Write a line to practise, or choose Done practising.", field: line.control },
        };
      const long = lengthError(text, MAX_LINE, line.control);
      if (long) return { error: long };
      return { answer: text, display: text };
    },
    afterStay(data, sent) {
      refresh();
      if (sent.answer && line.control.value.trim() === sent.answer) line.control.value = "";
      if (data.reply) {
        const note = blamingNote(data.reply.flags);
        const entries = log.querySelectorAll(".msg--you");
        const mine = entries[entries.length - 1];
        if (note && mine && !mine.querySelector(".msg-note"))
          mine.append(h("p", { class: "msg-note", text: note }));
        // Her latest reply also sits right above the box for the next line.
        const card = replyEntry(data.reply, useSofterLine, "div");
        card.prepend(h("p", { class: "latest-line", text: `You said: “${sent.answer}”` }));
        latest.replaceChildren(card);
        latest.hidden = false;
      }
    },
  };
}

// ---------- plan: when to talk, and one small step ----------

function renderPlan({ prompt, state }) {
  const when = field("plan-when", "When could you talk?", {
    max: 200,
    hint: "For example: Sunday afternoon, when we're both rested.",
    value: state.plan && state.plan.time ? state.plan.time : "",
  });
  answerArea.append(
    when.wrap,
    h(
      "fieldset",
      { class: "options" },
      h("legend", { text: "One small step" }),
      h(
        "div",
        { class: "option-grid" },
        prompt.options.map((option) =>
          h(
            "label",
            { class: "option" },
            h("input", { type: "radio", name: "small-step", value: option }),
            h("span", { text: option }),
          ),
        ),
      ),
    ),
  );
  const own = field("plan-own", "Or your own small step", { max: 200 });
  answerArea.append(own.wrap);
  submitButton("Continue");
  return {
    collect() {
      const time = when.control.value.trim().replace(/\s*\n\s*/g, " ");
      const typed = own.control.value.trim();
      const checked = answerArea.querySelector("input[name='small-step']:checked");
      const small = typed || (checked ? checked.value : "");
      for (const [text, control] of [
        [time, when.control],
        [typed, own.control],
      ]) {
        const long = lengthError(text, 200, control);
        if (long) return { error: long };
      }
      const display = [time ? `When: ${time}` : "", small ? `A small step: ${small}` : ""]
        .filter(Boolean)
        .join("\n");
      return { answer: `${time}\n${small}`, display: display || "No plan yet." };
    },
  };
}

// ---------- summary ----------

function renderSummary({ summary }) {
  const text = h("div", {
    id: "summary-text",
    class: "summary-text",
    "data-clear-on-exit": true,
    text: summary || "",
  });
  const copyStatus = h("p", {
    id: "summary-copy-status",
    class: "copy-status",
    role: "status",
    "aria-live": "polite",
  });
  answerArea.append(text, copyStatus);
  actionButton(
    "Copy",
    async () => {
      const copied = await copyText(summary || "", text);
      copyStatus.textContent = copied
        ? "Copied. Paste it somewhere private if you want to keep it."
        : "This browser would not copy it. The text is selected: press Ctrl+C (or ⌘+C) to copy it.";
    },
    { id: "summary-copy", class: "primary" },
  );
  actionButton("Print", () => window.print(), { id: "summary-print" });
  actionButton("Start again", () => send(null, "restart"), { id: "summary-restart" });
  return { collect: () => ({ answer: null }) };
}

// ---------- none: they stopped (a valid ending) ----------

function renderNone() {
  answerArea.append(
    h("p", {
      text: "Mend won't ask you anything more. You can start again whenever you like, practise a single line, or simply close this page.",
    }),
    h(
      "p",
      {},
      h("a", { href: "/coach.html#practise", "data-mode-link": "practise", text: "Practise a line instead" }),
    ),
  );
  actionButton("Start again", () => send(null, "restart"), { class: "primary" });
  return { collect: () => null };
}

// ---------- wiring the coach ----------

form.addEventListener("submit", (event) => {
  event.preventDefault();
  if (coach.busy || !coach.view) return;
  const collected = coach.view.collect();
  if (!collected) return;
  if (collected.error) {
    setError(collected.error.message, collected.error.field);
    return;
  }
  send(collected.answer, "next", collected.display || null, coach.kind === "rehearse" ? PRACTICE_WHO : "You");
});
backButton.addEventListener("click", () => send(null, "back"));
skipButton.addEventListener("click", () => send(null, "skip"));
stopButton.addEventListener("click", () => send(null, "decline"));

function startCoach() {
  coach.state = null;
  coach.kind = null;
  coach.turns = 0;
  send(null, "next");
}

// =============================================================================================
// Mode 2: practise before a call
// =============================================================================================

const practiseForm = $("practise-form");
const practiseStyle = $("practise-style");
const practiseIntensity = $("practise-intensity");
const practiseStyleHint = $("practise-style-hint");
const practiseLine = $("practise-line");
const practiseError = $("practise-error");
const practiseAgain = $("practise-again");
const practiseAgainHint = $("practise-again-hint");
const practiseStatus = $("practise-status");
const transcript = $("transcript");
const transcriptEmpty = $("transcript-empty");
const practiseLatest = $("practise-latest");

const practice = { turns: [], last: null, busy: false };

function practiseSetError(message) {
  practiseError.textContent = message || "";
  practiseError.hidden = !message;
  if (message) {
    practiseLine.setAttribute("aria-invalid", "true");
    announce(practiseStatus, message);
  } else {
    practiseLine.removeAttribute("aria-invalid");
  }
}

function refreshAgain() {
  practiseAgain.hidden = !practice.last;
  practiseAgainHint.hidden = !practice.last;
  practiseAgainHint.textContent = practice.last ? `Try again says “${practice.last}” once more.` : "";
  transcriptEmpty.hidden = transcript.children.length > 0;
}

async function practiseSay(line) {
  if (practice.busy) return;
  practice.busy = true;
  practiseForm.setAttribute("aria-busy", "true");
  practiseSetError("");
  const body = {
    line,
    style: practiseStyle.value,
    intensity: Number(practiseIntensity.value),
    history: practice.turns.slice(-MAX_HISTORY),
  };
  const result = await api("/v1/rehearse", body);
  practice.busy = false;
  practiseForm.removeAttribute("aria-busy");
  if (!result.ok || !result.data) {
    practiseSetError(failureText(result, "answer that line"));
    return;
  }
  const reply = result.data;
  const trySofter = (softer) => {
    practiseLine.value = softer;
    practiseLine.focus();
  };
  transcript.append(youEntry(line, blamingNote(reply.flags), PRACTICE_WHO), replyEntry(reply, trySofter));
  // Her latest reply also sits right above the box for the next line.
  const card = replyEntry(reply, trySofter, "div");
  card.prepend(h("p", { class: "latest-line", text: `You said: “${line}”` }));
  practiseLatest.replaceChildren(card);
  practiseLatest.hidden = false;
  practice.turns.push(
    { speaker: "you", text: line },
    { speaker: "her", text: reply.reply.slice(0, MAX_LINE) },
  );
  practice.turns = practice.turns.slice(-MAX_HISTORY);
  practice.last = line;
  if (practiseLine.value.trim() === line) practiseLine.value = "";
  if (reply.safety) showSafety("practise", reply.safety, transcript);
  refreshAgain();
  let spoken = replyAnnouncement(reply);
  if (reply.safety) spoken += " Places to turn for support are listed just above your line.";
  announce(practiseStatus, spoken);
}

practiseForm.addEventListener("submit", (event) => {
  event.preventDefault();
  const line = practiseLine.value.trim();
  if (!line) {
    practiseSetError("Write a line to practise first.");
    practiseLine.focus();
    return;
  }
  if (tooLong(line, MAX_LINE)) {
    practiseSetError("Your line is over 1,000 characters. Please shorten it a little.");
    practiseLine.focus();
    return;
  }
  practiseSay(line);
});
practiseAgain.addEventListener("click", () => {
  if (practice.last) practiseSay(practice.last);
});
$("practise-stop").addEventListener("click", () => {
  practice.turns = [];
  practice.last = null;
  transcript.replaceChildren();
  practiseLatest.replaceChildren();
  practiseLatest.hidden = true;
  practiseLine.value = "";
  practiseSetError("");
  hideSafety("practise");
  refreshAgain();
  const stopped =
    "You stopped the practice, and nothing from it was kept. Start again whenever you like, or leave it here.";
  transcriptEmpty.textContent = stopped;
  announce(practiseStatus, stopped);
});
practiseStyle.addEventListener("change", () => styleHint(practiseStyle, practiseStyleHint));
practiseLine.addEventListener("input", () => {
  if (!practiseError.hidden) practiseSetError("");
});

styleOptions(practiseStyle, "warm");
intensityOptions(practiseIntensity, 1);
styleHint(practiseStyle, practiseStyleHint);
api("/v1/rehearse/styles").then((result) => {
  if (!result.ok || !Array.isArray(result.data?.styles) || !result.data.styles.length) return;
  STYLES = result.data.styles;
  for (const select of [practiseStyle, $("coach-style")]) {
    if (!select) continue;
    const hint = $(select.getAttribute("aria-describedby"));
    styleOptions(select, select.value);
    if (hint) styleHint(select, hint);
  }
});

// =============================================================================================
// Modes, and forgetting
// =============================================================================================

function currentMode() {
  return window.location.hash === "#practise" ? "practise" : "coach";
}

function applyMode(moveFocus) {
  const mode = currentMode();
  $("coach-mode").hidden = mode !== "coach";
  $("practise-mode").hidden = mode !== "practise";
  for (const link of document.querySelectorAll(".mainnav a[data-mode-link]")) {
    if (link.dataset.modeLink === mode) link.setAttribute("aria-current", "page");
    else link.removeAttribute("aria-current");
  }
  document.title = mode === "practise" ? "Practise before a call · Mend" : "Coach · Mend";
  if (moveFocus) $(mode === "practise" ? "practise-heading" : "coach-heading").focus();
}

document.addEventListener("click", (event) => {
  const link = event.target.closest && event.target.closest("a[data-mode-link]");
  if (!link || event.defaultPrevented || event.button !== 0) return;
  if (event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
  event.preventDefault();
  const href = link.getAttribute("href");
  if (href !== window.location.pathname + window.location.hash) window.history.pushState(null, "", href);
  applyMode(true);
});
window.addEventListener("popstate", () => applyMode(true));
window.addEventListener("hashchange", () => applyMode(true));

function forget() {
  window.clearTimeout(draftTimer);
  coach.state = null;
  coach.kind = null;
  coach.view = null;
  log.replaceChildren();
  answerArea.replaceChildren();
  mainActions.replaceChildren();
  hideSafety("coach");
  hideSafety("practise");
  practice.turns = [];
  practice.last = null;
  transcript.replaceChildren();
  practiseLatest.replaceChildren();
  practiseLatest.hidden = true;
  practiseLine.value = "";
  refreshAgain();
}

// Leaving the page forgets the conversation, so "back" (or the page cache) never shows it.
window.addEventListener("pagehide", forget);
window.addEventListener("pageshow", (event) => {
  if (event.persisted) {
    forget();
    startCoach();
  }
});

// The browser may restore form fields on reload; Mend keeps nothing, so start empty.
practiseLine.value = "";
applyMode(false);
refreshAgain();
lexiconLoaded.finally(startCoach);
