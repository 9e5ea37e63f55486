// Pure text helpers for the draft box. No DOM here.
//
// The server counts offsets in Unicode code points (Python str indices); JavaScript strings
// count UTF-16 code units, where an emoji takes two. Every offset from the server goes
// through these helpers before it touches a JS string.

/** Number of code points in text (what the server's 5,000 limit counts). */
export function codePointLength(text) {
  let n = 0;
  for (const _ of text) n += 1;
  return n;
}

/** map[i] = UTF-16 offset of code point i; map has codePointLength(text) + 1 entries. */
export function codePointMap(text) {
  const map = [0];
  let offset = 0;
  for (const ch of text) {
    offset += ch.length;
    map.push(offset);
  }
  return map;
}

/** Convert server flags to UTF-16 offsets; drop any whose span does not match its text. */
export function flagsToUtf16(text, flags) {
  const map = codePointMap(text);
  const out = [];
  flags.forEach((flag, index) => {
    const { start, end } = flag;
    if (!(Number.isInteger(start) && Number.isInteger(end))) return;
    if (start < 0 || end > map.length - 1 || start >= end) return;
    const u16Start = map[start];
    const u16End = map[end];
    if (text.slice(u16Start, u16End) !== flag.text) return;
    out.push({ ...flag, index, start: u16Start, end: u16End });
  });
  return out;
}

const RANK = { info: 0, warning: 1, error: 2 };

/** The highest-severity flag of a list (first wins on ties). */
export function strongest(flags) {
  return flags.reduce((best, flag) =>
    (RANK[flag.severity] ?? 0) > (RANK[best.severity] ?? 0) ? flag : best,
  );
}

/** Split text into runs; each run lists the flags covering it (overlaps allowed). */
export function segments(text, flags) {
  const cuts = new Set([0, text.length]);
  for (const flag of flags) {
    cuts.add(flag.start);
    cuts.add(flag.end);
  }
  const points = [...cuts].filter((p) => p >= 0 && p <= text.length).sort((a, b) => a - b);
  const runs = [];
  for (let k = 0; k < points.length - 1; k += 1) {
    const start = points[k];
    const end = points[k + 1];
    const covering = flags.filter((flag) => flag.start <= start && flag.end >= end);
    runs.push({ start, end, flags: covering });
  }
  return runs;
}

/**
 * Keep highlights in place while the person types: flags before the edit stay, flags after
 * it move by the change in length, flags the edit touches are dropped until the next check.
 */
export function shiftFlags(flags, before, after) {
  if (before === after || flags.length === 0) return flags;
  const limit = Math.min(before.length, after.length);
  let prefix = 0;
  while (prefix < limit && before.charCodeAt(prefix) === after.charCodeAt(prefix)) prefix += 1;
  let suffix = 0;
  while (
    suffix < limit - prefix &&
    before.charCodeAt(before.length - 1 - suffix) === after.charCodeAt(after.length - 1 - suffix)
  ) {
    suffix += 1;
  }
  const editEnd = before.length - suffix;
  const delta = after.length - before.length;
  return flags
    .filter((flag) => flag.end <= prefix || flag.start >= editEnd)
    .map((flag) =>
      flag.start >= editEnd ? { ...flag, start: flag.start + delta, end: flag.end + delta } : flag,
    );
}

/**
 * Put `insert` in place of the first range of `replaces` (code-point offsets into text) and
 * remove the other ranges. Returns {text, caret} with caret just after the inserted text.
 */
export function applyReplacement(text, replaces, insert) {
  const map = codePointMap(text);
  const last = map.length - 1;
  const ranges = replaces
    .filter((r) => Number.isInteger(r.start) && Number.isInteger(r.end))
    .map((r) => [map[Math.max(0, Math.min(r.start, last))], map[Math.max(0, Math.min(r.end, last))]])
    .filter(([a, b]) => a < b)
    .sort((x, y) => x[0] - y[0]);
  if (ranges.length === 0) return { text, caret: null };
  let out = "";
  let pos = 0;
  let caret = null;
  for (const [a, b] of ranges) {
    if (a < pos) continue; // overlaps the previous range
    out += text.slice(pos, a);
    pos = b;
    if (caret === null) {
      out += insert;
      caret = out.length;
    } else if (out.endsWith(" ") && (pos >= text.length || /\s/.test(text[pos]))) {
      out = out.slice(0, -1); // a removed sentence leaves no double space behind
    } else if (text[pos] === " ") {
      pos += 1;
    }
  }
  out += text.slice(pos);
  return { text: out, caret };
}
