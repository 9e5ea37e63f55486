// Get help: every helpline Mend knows, grouped by region, each with its source and date.

import { api, h, resourceItem, slug } from "./common.js";

const root = document.getElementById("help-root");
const status = document.getElementById("help-status");

async function load() {
  const result = await api("/v1/help");
  root.removeAttribute("aria-busy");
  if (!result.ok || !result.data || !Array.isArray(result.data.resources)) {
    status.textContent =
      "The list of helplines could not be loaded. If you are in danger, call your local emergency number.";
    return;
  }
  const regions = new Map();
  for (const resource of result.data.resources) {
    const region = resource.region || "Everywhere";
    if (!regions.has(region)) regions.set(region, []);
    regions.get(region).push(resource);
  }
  status.textContent = `${result.data.resources.length} places to turn, in ${regions.size} regions.`;
  for (const [region, resources] of regions) {
    const id = `region-${slug(region)}`;
    root.append(
      h(
        "section",
        { class: "category", "aria-labelledby": id },
        h("h2", { id, text: region }),
        h("ul", { class: "resources" }, resources.map((r) => resourceItem(r, "h3"))),
      ),
    );
  }
  if (result.data.version) {
    root.append(h("p", { class: "note", text: `Helpline list: ${result.data.version}.` }));
  }
}

load();
