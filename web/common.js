// Shared by every Mend page: quick exit, calls to the API, and building DOM from data.
// Text from people and from the server is only ever placed with text nodes, never innerHTML.

/** The neutral page quick exit goes to. It never mentions Mend. */
export const EXIT_URL = "/recipe.html";

/** Leave at once: clear every field, then replace this history entry with a neutral page,
 *  so the back button cannot lead to the draft. */
export function quickExit() {
  for (const field of document.querySelectorAll("textarea, input")) {
    field.value = "";
  }
  for (const region of document.querySelectorAll("[data-clear-on-exit]")) {
    region.replaceChildren();
  }
  // The workshop board keeps its room key in this tab's sessionStorage; "back" must not reopen it.
  try {
    window.sessionStorage.clear();
  } catch {
    // Storage may be switched off; there is nothing to clear then.
  }
  window.location.replace(EXIT_URL);
}

function installQuickExit() {
  for (const button of document.querySelectorAll("[data-quick-exit]")) {
    button.addEventListener("click", quickExit);
  }
  // Capture phase, so nothing on the page can swallow Esc first.
  document.addEventListener(
    "keydown",
    (event) => {
      if (event.key === "Escape" && !event.isComposing) {
        event.preventDefault();
        quickExit();
      }
    },
    true,
  );
}

installQuickExit();

/**
 * POST or GET JSON on this origin (or `method`, with extra `headers`). Resolves to
 * {ok, status, data, response}; never throws for HTTP errors (problem+json bodies come back
 * as data), only for aborts.
 */
export async function api(path, body, signal, { method, headers } = {}) {
  const init = { method: "GET", headers: { accept: "application/json", ...headers }, signal };
  if (body !== undefined) {
    init.method = "POST";
    init.headers["content-type"] = "application/json";
    init.body = JSON.stringify(body);
  }
  if (method) init.method = method;
  let response;
  try {
    response = await fetch(path, init);
  } catch (error) {
    if (error && error.name === "AbortError") throw error;
    return { ok: false, status: 0, data: null };
  }
  let data = null;
  try {
    data = await response.json();
  } catch {
    data = null;
  }
  return { ok: response.ok, status: response.status, data, response };
}

/** A plain-words message for a failed call. */
export function problemText(result) {
  if (result.status === 0) {
    return "Mend could not reach its server. Check that it is still running, then try again.";
  }
  const detail = result.data && typeof result.data.detail === "string" ? result.data.detail : "";
  return detail ? `Mend could not check this: ${detail}` : "Mend could not check this just now.";
}

/**
 * Build an element. attrs: "class", "text" (text content), on<event> handlers, or plain
 * attributes. Children are nodes or strings (strings become text nodes).
 */
export function h(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === null || value === undefined || value === false) continue;
    if (key === "class") node.className = value;
    else if (key === "text") node.textContent = value;
    else if (key.startsWith("on") && typeof value === "function") {
      node.addEventListener(key.slice(2), value);
    } else node.setAttribute(key, value === true ? "" : String(value));
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child);
  }
  return node;
}

/** Only http(s) links from data become hrefs. */
export function safeUrl(url) {
  if (typeof url !== "string") return null;
  try {
    const parsed = new URL(url);
    return parsed.protocol === "https:" || parsed.protocol === "http:" ? parsed.href : null;
  } catch {
    return null;
  }
}

/** An id-safe slug from data. */
export function slug(text) {
  return (
    String(text)
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, "-")
      .replace(/^-|-$/g, "") || "x"
  );
}

export const SEVERITY_LABEL = {
  error: "Likely to hurt",
  warning: "May sound blaming",
  info: "Tip",
};

/** "May sound blaming" with the phrase it is about: the head of every flag, wherever shown. */
export function flagHeading(flag) {
  return h(
    "p",
    {},
    h("span", { class: `sev sev--${flag.severity}`, text: SEVERITY_LABEL[flag.severity] || flag.severity }),
    h("q", { class: "flag-phrase", text: flag.text }),
  );
}

/** One flag in a list: heading, message, and the why and fix behind a disclosure. */
export function flagItem(flag) {
  return h(
    "li",
    { class: `flag flag--${flag.severity}`, "data-index": flag.index },
    flagHeading(flag),
    h("p", { text: flag.message }),
    h(
      "details",
      {},
      h("summary", { text: "Why, and what to try instead" }),
      h("p", { text: flag.why }),
      h("p", {}, h("span", { class: "try", text: "Try: " }), flag.suggestion),
    ),
  );
}

/** Flags in reading order. */
export function byPosition(flags) {
  return [...flags].sort((a, b) => a.start - b.start || a.end - b.end);
}

const KIND_LABEL = {
  crisis: "Crisis line",
  emergency: "Emergency",
  "domestic-abuse": "Domestic abuse",
  child: "Children and young people",
  directory: "Directory of helplines",
};

function formatDate(iso) {
  const date = new Date(`${iso}T00:00:00Z`);
  if (Number.isNaN(date.getTime())) return iso;
  return new Intl.DateTimeFormat("en-GB", {
    day: "numeric",
    month: "long",
    year: "numeric",
    timeZone: "UTC",
  }).format(date);
}

function hostOf(url) {
  try {
    return new URL(url).host;
  } catch {
    return url;
  }
}

function externalLink(url, label) {
  const href = safeUrl(url);
  if (!href) return label;
  return h(
    "a",
    { href, rel: "noopener noreferrer", target: "_blank" },
    label,
    h("span", { class: "visually-hidden", text: " (opens in a new tab)" }),
  );
}

/** One helpline in a few words, for the safety notice: name (linked), contact, where, when. */
export function resourceLine(resource) {
  const meta = [resource.region, resource.hours].filter(Boolean).join(" · ");
  return h(
    "li",
    { class: "resource resource--line" },
    h("p", {}, h("strong", {}, resource.url ? externalLink(resource.url, resource.name) : resource.name)),
    h("p", { class: "contact", text: resource.contact }),
    meta ? h("p", { class: "meta", text: meta }) : null,
  );
}

/**
 * Fill a safety notice (a section holding [data-safety-message], [data-safety-question],
 * [data-safety-resources] and a [data-safety-exit] button) from the API's `safety`, or hide it.
 * Urgent (danger now) shows the emergency numbers first, as the server orders them, and its own
 * quick-exit button; check-in asks a gentle question. Neither blocks anything.
 */
export function fillSafety(section, safety) {
  const part = (name) => section.querySelector(`[data-safety-${name}]`);
  if (!safety) {
    section.hidden = true;
    for (const name of ["message", "question", "resources"]) part(name).replaceChildren();
    return;
  }
  section.dataset.level = safety.level;
  part("message").textContent = safety.message;
  part("question").textContent = safety.question || "";
  part("resources").replaceChildren(...(safety.resources || []).map(resourceLine));
  part("exit").hidden = safety.level !== "urgent";
  section.hidden = false;
}

/** One helpline as a list item: name, contact, hours and kind, website, source and date. */
export function resourceItem(resource, headingTag = "h3") {
  const meta = [resource.region, KIND_LABEL[resource.kind] || resource.kind, resource.hours]
    .filter(Boolean)
    .join(" · ");
  return h(
    "li",
    { class: "resource" },
    h(headingTag, { text: resource.name }),
    h("p", { class: "contact", text: resource.contact }),
    meta ? h("p", { class: "meta", text: meta }) : null,
    resource.url ? h("p", {}, externalLink(resource.url, hostOf(resource.url))) : null,
    h(
      "p",
      { class: "source" },
      "Source: ",
      externalLink(resource.source, hostOf(resource.source)),
      ", checked ",
      h("time", { datetime: resource.checked, text: formatDate(resource.checked) }),
    ),
  );
}
