/**
 * Text from outside (inputs, child output, provider messages, runbook text) on its way to a
 * terminal: escape sequences and control characters are neutralised so that nothing shown can
 * move the cursor, rewrite earlier lines (`\r`), change colours or the window title, write the
 * clipboard (OSC 52), make a link (OSC 8) or reorder what is shown (bidi overrides). One
 * function, used by the scripted text reporter and by the TUI's text rendering.
 */

// CSI, OSC, DCS/SOS/PM/APC strings, other ESC sequences — 7-bit and 8-bit (C1) forms
// eslint-disable-next-line no-control-regex
const SEQUENCES = /\u001b\[[0-?]*[ -/]*[@-~]?|\u001b\][^\u0007\u001b\u009c]*(?:\u0007|\u001b\\|\u009c)?|\u001b[PX^_][^\u001b\u009c]*(?:\u001b\\|\u009c)?|\u001b[ -/]*[0-~]?|\u009b[0-?]*[ -/]*[@-~]?|\u009d[^\u0007\u001b\u009c]*(?:\u0007|\u001b\\|\u009c)?|[\u0090\u0098\u009e\u009f][^\u001b\u009c]*(?:\u001b\\|\u009c)?/g;
// what is left: C0 controls but tab and newline, DEL, C1 controls, bidi embeddings/overrides/isolates
// eslint-disable-next-line no-control-regex
const CONTROLS = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;
// eslint-disable-next-line no-control-regex
const ANY = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;

/** `text` without escape sequences and control characters (tab and newline are kept). */
export function neutralise(text: string): string {
  if (!ANY.test(text)) return text;
  return text.replace(SEQUENCES, '').replace(CONTROLS, '');
}

// characters JSON.stringify leaves raw that a terminal may still act on
const JSON_RAW = /[\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

/** A JSON text with DEL, C1 controls and bidi controls written as \u escapes (the same JSON value). */
export function jsonForTerminal(json: string): string {
  return json.replace(JSON_RAW, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/**
 * `text` with each control character shown instead of acted on or dropped, one column each (a
 * code frame's caret stays under its column): C0 controls as their control pictures (ESC is
 * `␛`), DEL as `␡`, C1 controls and bidi controls as `�`. Tab and newline are kept. For showing
 * a file's own line to the person who must fix it — neutralise() would hide why it is wrong.
 */
export function visibleControls(text: string): string {
  if (!ANY.test(text)) return text;
  return text.replace(CONTROLS, (c) => {
    const code = c.charCodeAt(0);
    return code < 0x20 ? String.fromCharCode(0x2400 + code) : code === 0x7f ? '\u2421' : '\ufffd';
  });
}
