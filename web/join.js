// A participant's page: join a room with its code, then check drafts there. Each draft is
// counted on the facilitator's board; its words go there only when "share" is ticked.
// Nothing is stored in the browser: the seat lives in this page, the draft in the box.

import { api, byPosition, flagItem, h, fillSafety } from "./common.js";
import { markedFragment, suggestionCard } from "./render.js";
import { applyReplacement, codePointLength, flagsToUtf16 } from "./text.js";

const MAX_CHARS = 5000;
const CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTVWXYZ";
const CODE_LENGTH = 8;
const CARDS_SHOWN = 3; // as on the main page at first: enough choice on a phone

const $ = (id) => document.getElementById(id);
const joinPanel = $("join-panel");
const codeInput = $("code");
const joinButton = $("join");
const joinStatus = $("join-status");
const roomPanel = $("room-panel");
const draft = $("draft");
const share = $("share");
const sendButton = $("send");
const sendStatus = $("send-status");
const summary = $("summary");
const flagList = $("flag-list");
const suggestions = $("suggestions");
const cards = $("cards");

/** The room joined: {code, title, participant}, or null. */
let room = null;
let sending = false;
let rewriteController = null;

/** The code as the server stores it, or null if it cannot be a room code. */
function canonical(typed) {
  const code = typed.replace(/[\s-]+/g, "").toUpperCase();
  if (code.length !== CODE_LENGTH || [...code].some((c) => !CODE_ALPHABET.includes(c))) return null;
  return code;
}

const roomPath = (code) => `/v1/rooms/${encodeURIComponent(code)}`;

function retryText(result) {
  const seconds = Number(result.response && result.response.headers.get("retry-after"));
  if (Number.isFinite(seconds) && seconds > 0) {
    return seconds >= 90
      ? `about ${Math.round(seconds / 60)} minutes`
      : seconds > 45
        ? "about a minute"
        : `${seconds} seconds`;
  }
  return "a minute";
}

function unreachable() {
  return "Mend could not reach its server. Check your connection to the workshop network, then try again.";
}

// ---------- Joining ----------

function joinError(result) {
  switch (result.status) {
    case 0:
      return unreachable();
    case 404:
      return "There is no open room with that code. Check it with the facilitator: the room may have closed or expired.";
    case 409:
      return "This room is full, so no more devices can join it. Let the facilitator know.";
    case 429:
      return `There have been too many tries with room codes from this device or network. Wait ${retryText(result)}, then try again.`;
    default:
      return "Mend could not open this room just now. Try again in a moment.";
  }
}

function showJoinError(text) {
  joinStatus.textContent = text;
  joinStatus.classList.add("is-error");
  codeInput.setAttribute("aria-invalid", "true");
}

async function join(event) {
  event.preventDefault();
  const code = canonical(codeInput.value);
  if (!code) {
    showJoinError("A room code has eight letters and numbers, such as K7QM-3XHD. Check it and try again.");
    codeInput.focus();
    return;
  }
  joinButton.disabled = true;
  joinStatus.classList.remove("is-error");
  joinStatus.textContent = "Joining…";
  const result = await api(`${roomPath(code)}/join`, undefined, undefined, { method: "POST" });
  joinButton.disabled = false;
  if (!result.ok || !result.data) {
    showJoinError(joinError(result));
    codeInput.focus();
    return;
  }
  codeInput.removeAttribute("aria-invalid");
  joinStatus.textContent = "";
  const data = result.data;
  room = {
    code: typeof data.code === "string" ? data.code : code,
    title: typeof data.title === "string" ? data.title : "",
    participant: typeof data.participant === "string" ? data.participant : null,
  };
  // A reload then offers the same code again (the code is not secret: it is on the screen).
  const url = new URL(window.location.href);
  url.searchParams.set("code", room.code);
  window.history.replaceState(null, "", url);
  $("room-heading").textContent = room.title ? `You're in: ${room.title}` : "You're in the room";
  joinPanel.hidden = true;
  roomPanel.hidden = false;
  $("room-heading").focus();
}

// ---------- Checking a draft ----------

function updateCount() {
  const n = codePointLength(draft.value);
  const count = $("count");
  const limitError = $("limit-error");
  count.textContent = `${n.toLocaleString("en")} / ${MAX_CHARS.toLocaleString("en")} characters`;
  const over = n > MAX_CHARS;
  count.classList.toggle("is-over", over);
  limitError.hidden = !over;
  limitError.textContent = over
    ? `Your message is over 5,000 characters (${n.toLocaleString("en")}). Shorten it by ${(n - MAX_CHARS).toLocaleString("en")} to check it.`
    : "";
  if (over) draft.setAttribute("aria-invalid", "true");
  else draft.removeAttribute("aria-invalid");
  return n;
}

function sendError(result) {
  const detail = result.data && typeof result.data.detail === "string" ? result.data.detail : "";
  switch (result.status) {
    case 0:
      return unreachable();
    case 404:
      return "This room has closed, so it can't take drafts any more. Thank you for taking part. You can still check messages on your own on the main page.";
    case 409:
      return "This room has taken all the drafts it can. You can still check messages on your own on the main page.";
    case 422:
      return detail ? `Mend could not check this: ${detail}` : "Mend could not check this draft.";
    case 429:
      return `Too many tries in a short time. Wait ${retryText(result)}, then send it again.`;
    default:
      return "Mend could not check this just now. Try again in a moment.";
  }
}

function setSendStatus(text, isError) {
  sendStatus.replaceChildren(text);
  sendStatus.classList.toggle("is-error", isError);
}

function clearResults() {
  summary.textContent = "";
  $("results-empty").hidden = false;
  $("checked").hidden = true;
  $("checked-text").replaceChildren();
  flagList.replaceChildren();
  $("safety").hidden = true;
  hideSuggestions();
}

function hideSuggestions() {
  if (rewriteController) rewriteController.abort();
  rewriteController = null;
  suggestions.hidden = true;
  suggestions.removeAttribute("aria-busy");
  cards.replaceChildren();
}

function renderSafety(safety) {
  fillSafety($("safety"), safety);
}

function renderCheck(text, data) {
  const flags = flagsToUtf16(text, Array.isArray(data.flags) ? data.flags : []);
  const headline = data.summary && data.summary.headline ? `${data.summary.headline}.` : "";
  const safetyNote = data.safety ? " Support is listed below." : "";
  summary.textContent = `${headline}${safetyNote}`.replace("..", ".");
  $("results-empty").hidden = true;
  $("checked-text").replaceChildren(markedFragment(text, flags));
  $("checked").hidden = flags.length === 0;
  flagList.replaceChildren(...byPosition(flags).map(flagItem));
  renderSafety(data.safety);
}

async function send(event) {
  event.preventDefault();
  if (!room || sending) return;
  const text = draft.value;
  if (text.trim() === "") {
    setSendStatus("Write a draft first, then check it.", true);
    draft.focus();
    return;
  }
  if (updateCount() > MAX_CHARS) {
    setSendStatus("Your message is over 5,000 characters. Shorten it to check it.", true);
    draft.focus();
    return;
  }
  const shared = share.checked;
  const headers = room.participant ? { "x-mend-participant": room.participant } : {};
  sending = true;
  sendButton.disabled = true;
  setSendStatus("Checking…", false);
  const result = await api(`${roomPath(room.code)}/drafts`, { text, share: shared }, undefined, {
    headers,
  });
  sending = false;
  sendButton.disabled = false;
  if (!result.ok || !result.data) {
    setSendStatus(sendError(result), true);
    if (result.status === 404 || result.status === 409) {
      sendStatus.append(" ", h("a", { href: "/", text: "Go to the main page" }));
      sendButton.disabled = true;
    }
    return;
  }
  // Sharing is a choice made for one draft at a time.
  share.checked = false;
  setSendStatus(
    shared
      ? "Checked, and shared with the facilitator without your name."
      : "Checked. The board counted it; your words were not shared.",
    false,
  );
  renderCheck(text, result.data);
  if (result.data.summary && result.data.summary.blaming) requestRewrite(text);
  else hideSuggestions();
}

// ---------- I-statements ----------

async function requestRewrite(text) {
  if (rewriteController) rewriteController.abort();
  const controller = new AbortController();
  rewriteController = controller;
  suggestions.setAttribute("aria-busy", "true");
  let result;
  try {
    result = await api("/v1/rewrite", { text }, controller.signal);
  } catch {
    return; // replaced by a newer request
  }
  if (rewriteController !== controller) return;
  rewriteController = null;
  suggestions.removeAttribute("aria-busy");
  const list = result.ok && result.data && Array.isArray(result.data.suggestions) ? result.data.suggestions : [];
  if (list.length === 0) {
    hideSuggestions();
    return;
  }
  if (result.data.safety) renderSafety(result.data.safety);
  cards.replaceChildren(
    ...list.slice(0, CARDS_SHOWN).map((suggestion, i) => {
      const textId = `suggestion-${i}`;
      const use = h("button", {
        type: "button",
        class: "primary use",
        "aria-describedby": textId,
        text: "Use this",
        onclick: () => useSuggestion(text, suggestion),
      });
      return suggestionCard(suggestion, textId, use);
    }),
  );
  suggestions.hidden = false;
}

function useSuggestion(checkedText, suggestion) {
  const base = draft.value === checkedText ? checkedText : null;
  if (base === null) {
    setSendStatus("Your draft has changed since it was checked. Check it again for fresh suggestions.", true);
    return;
  }
  const { text, caret } = applyReplacement(base, suggestion.replaces || [], suggestion.text);
  draft.value = text;
  updateCount();
  hideSuggestions();
  draft.focus();
  if (caret !== null) draft.setSelectionRange(caret, caret);
  setSendStatus("Your draft now uses the suggestion. Check it again when you are ready; it counts as a new draft.", false);
}

// ---------- Wiring ----------

$("join-form").addEventListener("submit", join);
$("draft-form").addEventListener("submit", send);
draft.addEventListener("input", updateCount);
codeInput.addEventListener("input", () => {
  codeInput.removeAttribute("aria-invalid");
  joinStatus.classList.remove("is-error");
});

// Leaving the page forgets the draft, so "back" (or the browser's page cache) never shows it.
window.addEventListener("pagehide", () => {
  draft.value = "";
  share.checked = false;
  clearResults();
  updateCount();
});
window.addEventListener("pageshow", (event) => {
  if (event.persisted) {
    draft.value = "";
    updateCount();
  }
});

draft.value = "";
share.checked = false;
updateCount();
const given = new URLSearchParams(window.location.search).get("code");
codeInput.value = given ? given.slice(0, 24) : "";
if (given) joinButton.focus();
