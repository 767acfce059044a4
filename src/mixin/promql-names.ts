// The metric names a PromQL expression reads, found with a small tokenizer rather than a full
// parser: strings, label matchers, ranges and grouping label lists are skipped, and an
// identifier followed by `(` is a function or aggregation. Enough for lint, which only has to
// tell "metric the program exports" from "metric nobody exports".

const KEYWORDS = new Set([
  'by',
  'without',
  'on',
  'ignoring',
  'group_left',
  'group_right',
  'bool',
  'and',
  'or',
  'unless',
  'offset',
  'atan2',
  'inf',
  'nan',
]);
const LABEL_LISTS = new Set(['by', 'without', 'on', 'ignoring', 'group_left', 'group_right']);

/** Drops string literals and `{...}` matchers, keeping everything else in place. */
function stripStringsAndMatchers(expr: string): string {
  let out = '';
  let depth = 0;
  for (let i = 0; i < expr.length; i++) {
    const c = expr[i] as string;
    if (c === '"' || c === "'" || c === '`') {
      const end = expr.indexOf(c, i + 1);
      // Skip escaped quotes inside double- and single-quoted strings.
      let j = end;
      while (j > 0 && c !== '`' && expr[j - 1] === '\\') j = expr.indexOf(c, j + 1);
      i = j < 0 ? expr.length : j;
      out += ' ';
      continue;
    }
    if (c === '{') depth++;
    else if (c === '}') depth = Math.max(0, depth - 1);
    else if (depth === 0) out += c;
    if (depth > 0 || c === '}') out += ' ';
  }
  return out;
}

/** Metric names (and recording-rule names) the expression selects, sorted, without duplicates. */
export function metricNames(expr: string): string[] {
  const text = stripStringsAndMatchers(expr).replace(/\[[^\]]*\]/g, ' ');
  // Numbers and durations (1.8e9, 5m) are one token so their letters never look like names.
  const tokens = [...text.matchAll(/\d[A-Za-z0-9_.]*|[A-Za-z_:][A-Za-z0-9_:]*|\S/g)].map((m) => m[0]);
  const names = new Set<string>();
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i] as string;
    const next = tokens[i + 1];
    if (LABEL_LISTS.has(t.toLowerCase())) {
      if (next === '(') i = tokens.indexOf(')', i);
      continue;
    }
    // `sum (`, `rate(` and `sum by (...) (` are calls, not selectors.
    const call = next === '(' || next === 'by' || next === 'without';
    if (!/^[A-Za-z_:]/.test(t) || KEYWORDS.has(t.toLowerCase()) || call) continue;
    names.add(t);
  }
  return [...names].sort();
}
