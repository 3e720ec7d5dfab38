// @ts-check
// Keyboard shortcuts: a key event as a name ("f", "Delete", "Ctrl+d") and matching.
import { useState, useRef, useEffect } from 'preact/hooks';
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

/**
 * A "press a key" recorder for shortcut editors: [recording, record]. record() listens from
 * the click on (not from an effect, which runs after paint: a fast key would be lost); the
 * next key calls onKey(name), Escape cancels, a lone modifier waits for the key.
 */
export function useKeyRecorder(onKey) {
  const [recording, setRecording] = useState(false);
  const stop = useRef(null);
  useEffect(() => () => stop.current && stop.current(), []);
  const record = () => {
    if (stop.current) stop.current();
    const listener = (e) => {
      e.preventDefault();
      e.stopPropagation();
      const name = e.key === 'Escape' ? null : keyName(e);
      if (name === '') return;
      if (name) onKey(name);
      stop.current();
    };
    window.addEventListener('keydown', listener, true);
    stop.current = () => {
      window.removeEventListener('keydown', listener, true);
      stop.current = null;
      setRecording(false);
    };
    setRecording(true);
  };
  return [recording, record];
}
