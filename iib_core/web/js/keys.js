// Keyboard shortcuts: a key event as a name ("f", "Delete", "Ctrl+d") and matching.
export function keyName(e) {
  let k = e.key;
  if (!k || k === 'Unidentified') return '';
  if (k === ' ') k = 'Space';
  if (k.length === 1) k = k.toLowerCase();
  const mods = [];
  if (e.ctrlKey) mods.push('Ctrl');
  if (e.metaKey) mods.push('Meta');
  if (e.altKey) mods.push('Alt');
  if (e.shiftKey && k.length > 1) mods.push('Shift');
  if (['Control', 'Meta', 'Alt', 'Shift'].includes(k)) return '';
  return [...mods, k].join('+');
}

export function matches(e, spec) {
  if (!spec) return false;
  return keyName(e).toLowerCase() === String(spec).toLowerCase();
}

/** The culling action a key stands for, or null. */
export function shortcutAction(e, shortcuts) {
  for (const [action, spec] of Object.entries(shortcuts)) {
    if (matches(e, spec)) return action;
  }
  return null;
}

export function isTyping(e) {
  const el = e.target;
  if (!el || !el.tagName) return false;
  const tag = el.tagName;
  return tag === 'INPUT' || tag === 'TEXTAREA' || tag === 'SELECT' || el.isContentEditable;
}
