// @ts-check
// Parse the A1111 "parameters" layout the server normalises every generator into
// (docs/formats.md, "The A1111 text"): prompt lines, "Negative prompt:" lines, then one line of
// `Key: value` pairs (values may be quoted and hold commas).
const PAIR = /\s*([\w][\w \-/+().]*?):\s*("(?:\\.|[^\\"])*"|[^,]*)(?:,|$)/g;

export function parseParams(line) {
  const out = [];
  PAIR.lastIndex = 0;
  let m;
  while ((m = PAIR.exec(line)) !== null) {
    if (m.index === PAIR.lastIndex) PAIR.lastIndex++;
    if (!m[1]) continue;
    let value = m[2].trim();
    if (value.length >= 2 && value.startsWith('"') && value.endsWith('"')) {
      try {
        value = JSON.parse(value);
      } catch (e) {
        value = value.slice(1, -1);
      }
    }
    out.push([m[1].trim(), value]);
  }
  return out;
}

/** → {positive, negative, params: [[key, value]], paramsLine, raw} or null for "" */
export function parseGeninfo(raw) {
  if (typeof raw !== 'string' || !raw.trim()) return null;
  const lines = raw.replace(/\r\n?/g, '\n').split('\n');
  while (lines.length && !lines[lines.length - 1].trim()) lines.pop();
  let params = [];
  let paramsLine = '';
  const last = lines[lines.length - 1] || '';
  const parsed = parseParams(last);
  if (parsed.length >= 3 || /^\s*Steps:/.test(last)) {
    params = parsed;
    paramsLine = last;
    lines.pop();
  }
  const pos = [];
  const neg = [];
  let inNeg = false;
  for (const line of lines) {
    if (!inNeg && line.startsWith('Negative prompt:')) {
      inNeg = true;
      neg.push(line.slice('Negative prompt:'.length).trimStart());
    } else if (inNeg) {
      neg.push(line);
    } else {
      pos.push(line);
    }
  }
  return { positive: pos.join('\n').trim(), negative: neg.join('\n').trim(), params, paramsLine, raw };
}
