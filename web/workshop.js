// The facilitator's page: open a room, show its code, follow the board live, run the quiz,
// close the room. The board never says who wrote what; the server never tells us.
//
// The facilitator key is kept in this tab's sessionStorage (with the room code and title,
// nothing else). Why not memory only: a reload, or a click on "Get help", would then lose the
// key, and the room could be neither watched nor closed until it expired, with its shared
// drafts still in it. sessionStorage stays in this one tab, ends when the tab closes, and
// Quick exit clears it (common.js). No draft, count or quiz answer is ever stored.

import { api, byPosition, flagHeading, h } from "./common.js";
import { markedFragment } from "./render.js";
import { flagsToUtf16 } from "./text.js";

const STORE_KEY = "mend.workshop.room";
const RECONNECT_MS = [1000, 2000, 5000, 10000];
const QUIZ_QUESTIONS = 5;

const $ = (id) => document.getElementById(id);
const pageStatus = $("page-status");
const openPanel = $("open-panel");
const openForm = $("open-form");
const roomName = $("room-name");
const roomNameError = $("room-name-error");
const openButton = $("open-room");
const roomPanel = $("room-panel");
const liveState = $("live-state");
const boardSummary = $("board-summary");
const kinds = $("kinds");
const shared = $("shared");
const closeAsk = $("close-ask");
const closeConfirm = $("close-confirm");
const closeStatus = $("close-status");

/** The open room: {code, key, title, expires_at}, or null. */
let room = null;
let stream = null; // AbortController of the live connection
let reconnectTimer = 0;
let attempt = 0;
let categoryLabels = {};
const quiz = { questions: [], at: 0, revealed: false };

// ---------- Keeping the room across a reload of this tab ----------

function remember(value) {
  try {
    if (value) window.sessionStorage.setItem(STORE_KEY, JSON.stringify(value));
    else window.sessionStorage.removeItem(STORE_KEY);
  } catch {
    // Storage switched off: the board then lasts as long as the page.
  }
}

function recalled() {
  try {
    const value = JSON.parse(window.sessionStorage.getItem(STORE_KEY) || "null");
    if (value && typeof value.code === "string" && typeof value.key === "string") return value;
  } catch {
    // Nothing usable was stored.
  }
  return null;
}

const authorization = () => ({ authorization: `Bearer ${room.key}` });
const roomPath = (code) => `/v1/rooms/${encodeURIComponent(code)}`;

// ---------- Opening a room ----------

function formatTime(iso) {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return "";
  return new Intl.DateTimeFormat(undefined, { hour: "2-digit", minute: "2-digit" }).format(date);
}

function showRoom() {
  const joinUrl = `${window.location.origin}/join.html?code=${encodeURIComponent(room.code)}`;
  $("room-heading").textContent = room.title;
  const link = $("join-link");
  link.href = joinUrl;
  link.textContent = `${window.location.host}/join.html`;
  $("room-code").textContent = room.code;
  const until = formatTime(room.expires_at);
  $("room-expiry").textContent = until
    ? `The room closes by itself at ${until}. Anyone with the link above can also join directly: ${joinUrl}`
    : `Anyone with this link can also join directly: ${joinUrl}`;
  openPanel.hidden = true;
  roomPanel.hidden = false;
  closeConfirm.hidden = true;
  closeAsk.setAttribute("aria-expanded", "false");
  closeStatus.textContent = "";
  renderBoard({ drafts: 0, participants: 0, categories: {}, shared: [] });
}

async function openRoom(event) {
  event.preventDefault();
  const title = roomName.value.trim();
  if (!title) {
    roomNameError.textContent = "Give the session a name, so participants know they are in the right room.";
    roomNameError.hidden = false;
    roomName.setAttribute("aria-invalid", "true");
    roomName.focus();
    return;
  }
  roomNameError.hidden = true;
  roomName.removeAttribute("aria-invalid");
  openButton.disabled = true;
  const result = await api("/v1/rooms", { title });
  openButton.disabled = false;
  if (!result.ok || !result.data || !result.data.facilitator_key) {
    pageStatus.textContent = failure(result, "The room could not be opened.");
    return;
  }
  const data = result.data;
  room = { code: data.code, key: data.facilitator_key, title, expires_at: data.expires_at };
  remember(room);
  roomName.value = "";
  pageStatus.textContent = "";
  showRoom();
  $("room-heading").focus();
  follow();
}

function failure(result, lead) {
  if (result.status === 0) return `${lead} Mend could not reach its server; check that it is running.`;
  const detail = result.data && typeof result.data.detail === "string" ? result.data.detail : "";
  return detail ? `${lead} ${detail}` : lead;
}

// ---------- The board ----------

function setLive(text) {
  if (liveState.textContent !== text) liveState.textContent = text;
}

function plural(n, one, many) {
  return `${n.toLocaleString("en")} ${n === 1 ? one : many}`;
}

function sharedItem(draft) {
  const text = typeof draft.text === "string" ? draft.text : "";
  const flags = byPosition(flagsToUtf16(text, Array.isArray(draft.flags) ? draft.flags : []));
  return h(
    "li",
    { class: "shared-draft" },
    h("p", { class: "shared-text marked" }, markedFragment(text, flags)),
    flags.length
      ? h(
          "ul",
          { class: "shared-flags", "aria-label": "Flagged phrases" },
          flags.map((flag) =>
            h("li", { class: `flag flag--${flag.severity}` }, flagHeading(flag), h("p", { text: flag.message })),
          ),
        )
      : h("p", { class: "hint", text: "Mend noticed nothing blaming in this one." }),
  );
}

function renderBoard(board) {
  const drafts = Number(board.drafts) || 0;
  const participants = Number(board.participants) || 0;
  const list = Array.isArray(board.shared) ? board.shared : [];
  $("draft-count").textContent = drafts.toLocaleString("en");
  $("participant-count").textContent = participants.toLocaleString("en");
  $("shared-count").textContent = list.length.toLocaleString("en");

  const counts = Object.entries(board.categories || {})
    .filter(([, n]) => Number(n) > 0)
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
  kinds.replaceChildren(
    ...counts.map(([category, n]) =>
      h(
        "li",
        { class: "kind", "data-category": category },
        h("span", { class: "kind-label", text: categoryLabels[category] || category }),
        h("span", { class: "kind-count", text: Number(n).toLocaleString("en") }),
      ),
    ),
  );
  $("kinds-empty").hidden = counts.length > 0;
  shared.replaceChildren(...list.map(sharedItem));
  $("shared-empty").hidden = list.length > 0;

  const flagged = counts.reduce((sum, [, n]) => sum + Number(n), 0);
  const line =
    drafts === 0
      ? `No drafts yet. ${plural(participants, "person has", "people have")} joined.`
      : `${plural(drafts, "draft", "drafts")} so far, ${plural(flagged, "blaming phrase", "blaming phrases")}, ${list.length.toLocaleString("en")} shared.`;
  if (boardSummary.textContent !== line) boardSummary.textContent = line;
}

/** Parse a text/event-stream body into {event, data} and hand each to onEvent. */
async function readEvents(body, onEvent) {
  const reader = body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = "";
  let name = "message";
  let data = [];
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    buffer += value;
    const lines = buffer.split("\n");
    buffer = lines.pop(); // an unfinished line waits for the next chunk
    for (const raw of lines) {
      const line = raw.endsWith("\r") ? raw.slice(0, -1) : raw;
      if (line === "") {
        if (data.length) onEvent(name, data.join("\n"));
        name = "message";
        data = [];
      } else if (line.startsWith(":")) {
        continue; // a keep-alive comment
      } else {
        const colon = line.indexOf(":");
        const field = colon < 0 ? line : line.slice(0, colon);
        let value = colon < 0 ? "" : line.slice(colon + 1);
        if (value.startsWith(" ")) value = value.slice(1);
        if (field === "event") name = value;
        else if (field === "data") data.push(value);
      }
    }
  }
}

/** Follow the room's events; reconnect after a dropped connection, stop when it closes. */
async function follow() {
  window.clearTimeout(reconnectTimer);
  if (stream) stream.abort();
  if (!room) return;
  const current = room;
  const controller = new AbortController();
  stream = controller;
  let closed = false;
  try {
    const response = await fetch(`${roomPath(current.code)}/events`, {
      headers: { accept: "text/event-stream", ...authorization() },
      signal: controller.signal,
      cache: "no-store",
    });
    if (response.status === 404) {
      roomEnded("This room has closed or expired. Everything in it has been deleted.");
      return;
    }
    if (response.status === 401 || response.status === 403) {
      roomEnded("This tab no longer holds the key to that room, so its board can't be shown.");
      return;
    }
    if (!response.ok || !response.body) throw new Error("no stream");
    setLive("Live: the board updates by itself.");
    await readEvents(response.body, (name, data) => {
      if (name === "board") {
        attempt = 0;
        try {
          renderBoard(JSON.parse(data));
        } catch {
          // A malformed event is skipped; the next one carries the whole board again.
        }
      } else if (name === "closed") {
        closed = true;
      }
    });
  } catch {
    if (controller.signal.aborted) return; // closed on purpose, or replaced
  }
  if (stream !== controller || room !== current) return;
  if (closed) {
    roomEnded("The room has closed. Everything in it has been deleted.");
    return;
  }
  const delay = RECONNECT_MS[Math.min(attempt, RECONNECT_MS.length - 1)];
  attempt += 1;
  setLive("Connection lost. Trying again…");
  reconnectTimer = window.setTimeout(follow, delay);
}

function roomEnded(message) {
  window.clearTimeout(reconnectTimer);
  if (stream) stream.abort();
  stream = null;
  room = null;
  remember(null);
  roomPanel.hidden = true;
  openPanel.hidden = false;
  kinds.replaceChildren();
  shared.replaceChildren();
  boardSummary.textContent = "";
  resetQuiz();
  pageStatus.textContent = message;
  pageStatus.focus();
}

async function loadCategoryLabels() {
  const result = await api("/v1/rules");
  if (!result.ok || !result.data || !Array.isArray(result.data.rules)) return;
  const labels = {};
  for (const rule of result.data.rules) labels[rule.category] = rule.category_label;
  categoryLabels = labels;
  for (const item of kinds.querySelectorAll("li[data-category]")) {
    item.querySelector(".kind-label").textContent = labels[item.dataset.category] || item.dataset.category;
  }
}

// ---------- Closing the room (a second button confirms; no browser dialog) ----------

function askToClose() {
  closeConfirm.hidden = false;
  closeAsk.setAttribute("aria-expanded", "true");
  closeStatus.textContent = "";
  $("close-question").focus();
}

function keepOpen() {
  closeConfirm.hidden = true;
  closeAsk.setAttribute("aria-expanded", "false");
  closeAsk.focus();
}

async function closeRoom() {
  if (!room) return;
  const yes = $("close-yes");
  yes.disabled = true;
  const result = await api(roomPath(room.code), undefined, undefined, {
    method: "DELETE",
    headers: authorization(),
  });
  yes.disabled = false;
  if (result.status === 204 || result.status === 404) {
    roomEnded("The room is closed, and everything in it has been deleted.");
    return;
  }
  closeStatus.textContent = failure(result, "The room could not be closed.");
}

// ---------- Quiz ----------

function resetQuiz() {
  quiz.questions = [];
  quiz.at = 0;
  quiz.revealed = false;
  $("quiz-body").hidden = true;
  $("quiz-options").replaceChildren();
  $("quiz-answer").replaceChildren();
  $("quiz-start").textContent = "Start the quiz";
}

async function startQuiz() {
  const start = $("quiz-start");
  start.disabled = true;
  const result = await api(`/v1/quiz?questions=${QUIZ_QUESTIONS}`);
  start.disabled = false;
  const questions = result.ok && result.data && Array.isArray(result.data.questions) ? result.data.questions : [];
  if (questions.length === 0) {
    $("quiz-answer").replaceChildren(h("p", { text: failure(result, "The quiz could not be loaded.") }));
    return;
  }
  quiz.questions = questions;
  quiz.at = 0;
  showQuestion();
}

const LETTERS = ["A", "B", "C", "D"];

function showQuestion() {
  const question = quiz.questions[quiz.at];
  quiz.revealed = false;
  $("quiz-body").hidden = false;
  $("quiz-progress").textContent = `Question ${quiz.at + 1} of ${quiz.questions.length}`;
  $("quiz-options").replaceChildren(
    ...question.options.map((option, i) =>
      h(
        "li",
        { class: "quiz-option" },
        h("span", { class: "quiz-letter", text: `${LETTERS[i]}.` }),
        h("span", { class: "quiz-text", text: option }),
      ),
    ),
  );
  $("quiz-answer").replaceChildren();
  $("quiz-reveal").hidden = false;
  $("quiz-next").hidden = true;
  $("quiz-start").textContent = "Start a new quiz";
  $("quiz-question").focus();
}

function revealAnswer() {
  const question = quiz.questions[quiz.at];
  if (!question || quiz.revealed) return;
  quiz.revealed = true;
  const options = $("quiz-options").children;
  const chosen = options[question.answer];
  if (chosen) {
    chosen.classList.add("is-answer");
    chosen.append(h("span", { class: "quiz-verdict", text: "Sounds like blame" }));
  }
  const rule = question.rule || {};
  $("quiz-answer").replaceChildren(
    h("p", { class: "quiz-result" }, h("strong", { text: `Answer: ${LETTERS[question.answer] || "?"}. ` }), rule.message || ""),
    rule.category_label ? h("p", { class: "hint", text: `Kind of blame: ${rule.category_label}` }) : null,
    h("p", {}, h("span", { class: "try", text: "Why: " }), question.why || ""),
    h("p", {}, h("span", { class: "try", text: "Try instead: " }), question.fix || ""),
  );
  $("quiz-reveal").hidden = true;
  const last = quiz.at >= quiz.questions.length - 1;
  const next = $("quiz-next");
  next.hidden = last;
  if (last) {
    $("quiz-answer").append(h("p", { class: "hint", text: "That was the last question. Start a new quiz for another set." }));
    $("quiz-start").focus();
  } else {
    next.focus();
  }
}

function nextQuestion() {
  if (quiz.at < quiz.questions.length - 1) {
    quiz.at += 1;
    showQuestion();
  }
}

// ---------- Wiring ----------

openForm.addEventListener("submit", openRoom);
closeAsk.addEventListener("click", askToClose);
$("close-no").addEventListener("click", keepOpen);
$("close-yes").addEventListener("click", closeRoom);
$("quiz-start").addEventListener("click", startQuiz);
$("quiz-reveal").addEventListener("click", revealAnswer);
$("quiz-next").addEventListener("click", nextQuestion);
roomName.addEventListener("input", () => {
  if (roomName.value.trim()) {
    roomNameError.hidden = true;
    roomName.removeAttribute("aria-invalid");
  }
});

loadCategoryLabels();
room = recalled();
if (room) {
  showRoom();
  follow();
}
