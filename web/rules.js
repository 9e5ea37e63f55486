// The teaching view: every rule, grouped by category, with why, what instead, and examples.

import { SEVERITY_LABEL, api, h, slug } from "./common.js";

const root = document.getElementById("rules-root");
const status = document.getElementById("rules-status");
const toc = document.getElementById("toc");

/** The example sentence with the flagged span marked (text nodes only). */
function exampleWithSpan(example) {
  const at = example.span ? example.text.indexOf(example.span) : -1;
  if (at < 0) return h("li", { text: example.text });
  return h(
    "li",
    {},
    example.text.slice(0, at),
    h("mark", { text: example.span }),
    example.text.slice(at + example.span.length),
  );
}

/** A group of labelled sets, named for people: ours are "our test messages". */
function groupName(group) {
  if (group === "tuning") return "our test messages";
  if (group === "blind") return "test messages written by someone who never saw the rules";
  return `the ${group} test messages`;
}

/** "9 of 10": counts, not percentages, so a small sample reads as small. */
function share(part, whole) {
  return `${part.toLocaleString("en")} of ${whole.toLocaleString("en")}`;
}

/** One group's figures in plain words, naming the data files they come from. */
function figuresText(figures, categoryLabel) {
  const where = `On ${groupName(figures.group)} (${figures.sets.join(", ")})`;
  const flags =
    figures.flags === 0
      ? `${where}, this rule flagged nothing.`
      : `${where}, ${share(figures.correct, figures.flags)} of this rule's flags were on blaming messages.`;
  if (figures.category_messages === 0) return flags;
  return (
    `${flags} Of the ${figures.category_messages.toLocaleString("en")} messages there that ` +
    `blame in the "${categoryLabel}" way, Mend caught ` +
    `${figures.category_caught.toLocaleString("en")}.`
  );
}

function figuresList(rule) {
  const figures = rule.figures || [];
  if (figures.length === 0) return [];
  return [
    h("dt", { text: "How it did on test messages" }),
    ...figures.map((group) =>
      h("dd", { class: "rule-figures", text: figuresText(group, rule.category_label || rule.category) }),
    ),
  ];
}

function ruleArticle(rule) {
  const headingId = `rule-${slug(rule.id)}`;
  const examples = rule.examples || { match: [], no_match: [] };
  return h(
    "article",
    { class: "rule panel", "aria-labelledby": headingId },
    h("h3", { id: headingId, text: rule.message }),
    h(
      "p",
      { class: "rule-meta" },
      h("span", { class: `sev sev--${rule.severity}`, text: SEVERITY_LABEL[rule.severity] || rule.severity }),
      "Rule ",
      h("code", { text: rule.id }),
      rule.active ? null : " ",
      rule.active ? null : h("span", { class: "badge", text: "Off with the current language model" }),
    ),
    h(
      "dl",
      {},
      h("dt", { text: "Why it can land badly" }),
      h("dd", { text: rule.why }),
      h("dt", { text: "What to try instead" }),
      h("dd", { text: rule.fix }),
      ...figuresList(rule),
    ),
    h(
      "div",
      { class: "examples" },
      h(
        "div",
        {},
        h("h4", { text: "Mend flags" }),
        h("ul", {}, examples.match.map(exampleWithSpan)),
      ),
      h(
        "div",
        {},
        h("h4", { text: "Mend leaves alone" }),
        h("ul", {}, examples.no_match.map((text) => h("li", { text }))),
      ),
    ),
  );
}

function profilesSection(profiles) {
  if (!profiles || profiles.length === 0) return null;
  return h(
    "section",
    { class: "category", "aria-labelledby": "profiles-heading" },
    h("h2", { id: "profiles-heading", text: "How strict Mend is" }),
    h(
      "dl",
      {},
      profiles.flatMap((profile) => [
        h("dt", {}, h("strong", { text: profile.name })),
        h("dd", { text: profile.description }),
      ]),
    ),
  );
}

async function load() {
  const result = await api("/v1/rules");
  root.removeAttribute("aria-busy");
  if (!result.ok || !result.data || !Array.isArray(result.data.rules)) {
    status.textContent = "The rules could not be loaded just now. Please try again in a moment.";
    return;
  }
  const groups = new Map();
  for (const rule of result.data.rules) {
    const key = rule.category;
    if (!groups.has(key)) groups.set(key, { label: rule.category_label || key, rules: [] });
    groups.get(key).rules.push(rule);
  }
  const sections = [];
  const links = [];
  for (const [category, group] of groups) {
    const id = `category-${slug(category)}`;
    links.push(h("li", {}, h("a", { href: `#${id}`, text: group.label })));
    sections.push(
      h(
        "section",
        { class: "category", "aria-labelledby": id },
        h("h2", { id, tabindex: "-1", text: group.label }),
        group.rules.map(ruleArticle),
      ),
    );
  }
  toc.replaceChildren(h("ul", {}, links));
  toc.hidden = false;
  const total = result.data.rules.length;
  status.textContent = `${total} rules in ${groups.size} groups.`;
  root.append(...sections);
  const profiles = profilesSection(result.data.profiles);
  if (profiles) root.append(profiles);
}

load();
