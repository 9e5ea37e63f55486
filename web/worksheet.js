// The printable worksheet: the feeling families and the needs come from /v1/lexicon, so the
// sheet lists exactly the words Mend itself uses. Nothing typed here is stored.

import { api, h } from "./common.js";

const $ = (id) => document.getElementById(id);

async function load() {
  const families = $("families");
  const needs = $("needs-box");
  const result = await api("/v1/lexicon");
  families.removeAttribute("aria-busy");
  needs.removeAttribute("aria-busy");
  const data = result.ok && result.data ? result.data : null;
  if (!data || !Array.isArray(data.families) || !Array.isArray(data.needs)) {
    $("families-status").textContent = "The list of feelings could not be loaded. Write your own words below.";
    $("needs-status").textContent = "The list of needs could not be loaded. Write your own words below.";
    return;
  }
  families.replaceChildren(
    h(
      "dl",
      { class: "family-list" },
      data.families.map((family) =>
        h("div", { class: "family" }, h("dt", { text: family.label }), h("dd", { text: family.words.join(", ") })),
      ),
    ),
  );
  needs.replaceChildren(
    h(
      "ul",
      { class: "need-list", "aria-label": "Needs" },
      data.needs.map((need) => h("li", { text: need.label })),
    ),
  );
}

$("print").addEventListener("click", () => window.print());

// Whatever was written here is not kept: leaving the page empties the boxes.
window.addEventListener("pagehide", () => {
  for (const box of document.querySelectorAll("textarea")) box.value = "";
});
for (const box of document.querySelectorAll("textarea")) box.value = "";

load();
