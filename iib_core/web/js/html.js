// @ts-check
// htm bound to Preact's createElement: templates escape text children, so any string
// placed as a child (a file name, a prompt) is shown as text, never parsed as HTML.
import { h } from 'preact';
import htm from 'htm';

export const html = htm.bind(h);
