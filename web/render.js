// Rendering shared by the main page and the workshop pages: a draft with its flagged phrases
// marked, and an I-statement card. Text from people and the server goes in as text nodes only.

import { h } from "./common.js";
import { segments, strongest } from "./text.js";

const PART_LABEL = {
  feeling: "Feeling",
  situation: "What happened",
  need: "What you need",
  request: "What you'd like",
};

/**
 * The text as a fragment: unflagged runs as text, flagged runs in <mark class="hl hl--…">
 * whose data-flags lists the covering flags' indices. Flags carry UTF-16 offsets and an
 * index (see flagsToUtf16 in text.js).
 */
export function markedFragment(text, flags) {
  const fragment = document.createDocumentFragment();
  for (const run of segments(text, flags)) {
    const piece = text.slice(run.start, run.end);
    if (run.flags.length === 0) {
      fragment.append(piece);
      continue;
    }
    const top = strongest(run.flags);
    const mark = h("mark", {
      class: `hl hl--${top.severity}`,
      "data-flags": run.flags.map((flag) => flag.index).join(" "),
    });
    mark.append(piece);
    fragment.append(mark);
  }
  return fragment;
}

function partValue(suggestion, part) {
  const value = suggestion[part];
  return typeof value === "string" && value.trim() ? value : null;
}

/**
 * One I-statement from /v1/rewrite as a card: the sentence (its element gets textId, so an
 * action can point at it with aria-describedby), its parts with Mend's guesses marked, why,
 * and the given action (a button, or nothing).
 */
export function suggestionCard(suggestion, textId, action) {
  const guessed = new Set(suggestion.guessed || []);
  const parts = Object.keys(PART_LABEL)
    .filter((part) => partValue(suggestion, part))
    .map((part) =>
      h(
        "div",
        {},
        h("dt", { text: PART_LABEL[part] }),
        h(
          "dd",
          {},
          partValue(suggestion, part),
          guessed.has(part) ? h("span", { class: "guess", text: "Mend's guess" }) : null,
        ),
      ),
    );
  return h(
    "li",
    { class: "card" },
    h("p", { class: "card-text", id: textId, text: suggestion.text }),
    parts.length ? h("dl", { class: "card-parts" }, parts) : null,
    suggestion.why ? h("p", { class: "card-why", text: suggestion.why }) : null,
    action ? h("div", { class: "actions" }, action) : null,
  );
}
