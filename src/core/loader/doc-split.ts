/**
 * Where each YAML document of a file starts and ends, found by a line scan, so that positions can
 * be computed for one document without parsing the others.
 *
 * A `---` at the start of a line always begins a document in YAML 1.2 (no scalar may contain it
 * there), so the scan needs no parser. Documents are counted the way js-yaml's loadAll (which
 * gives the loader its document indices) and the `yaml` library count them: a `---` before any
 * content begins the first document; a `---` after content, or after another `---`, begins the
 * next. Files this scan cannot split with certainty (directives, `...` document ends, content on
 * the `---` line itself) return undefined: the caller parses the whole file instead.
 */

export interface DocumentSpan {
  /** Offset of the document's first line (after its `---` line, if any). */
  readonly start: number;
  /** Offset just past its last line. */
  readonly end: number;
}

export function splitDocuments(text: string): DocumentSpan[] | undefined {
  const spans: DocumentSpan[] = [];
  let start = 0;
  let explicit = false;
  let content = false;
  let ls = 0;
  while (ls < text.length) {
    let le = text.indexOf('\n', ls);
    if (le < 0) le = text.length;
    const c = text.charCodeAt(ls);
    if (c === 0x25 /* % */) return undefined; // a directive
    if ((c === 0x2d /* - */ || c === 0x2e) /* . */ && isMarker(text, ls, le, c)) {
      if (c === 0x2e) return undefined; // `...`: a document end, rare enough to leave to the parser
      if (!onlyComment(text, ls + 3, le)) return undefined; // `--- value` on the marker line
      if (content || explicit) spans.push({ start, end: ls });
      start = le + 1;
      explicit = true;
      content = false;
    } else if (!content && !onlyComment(text, ls, le)) {
      content = true;
    }
    ls = le + 1;
  }
  if (content || explicit) spans.push({ start: Math.min(start, text.length), end: text.length });
  return spans;
}

/** `---` or `...` followed by a space, a tab or the end of the line. */
function isMarker(text: string, ls: number, le: number, c: number): boolean {
  if (text.charCodeAt(ls + 1) !== c || text.charCodeAt(ls + 2) !== c) return false;
  if (ls + 3 >= le) return true;
  const after = text.charCodeAt(ls + 3);
  return after === 0x20 || after === 0x09 || after === 0x0d;
}

/** True when [from, to) holds only spaces, tabs, a carriage return and perhaps a comment. */
function onlyComment(text: string, from: number, to: number): boolean {
  for (let i = from; i < to; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x20 || c === 0x09 || c === 0x0d) continue;
    return c === 0x23; /* # */
  }
  return true;
}
