// Every piece of DLQ data reaches the page through these helpers: as text (textContent), never as HTML. Control
// characters and bidirectional overrides are made visible, so what is shown is what is stored.

const INVISIBLE = /[\u0000-\u0008\u000B-\u001F\u007F-\u009F\u200B-\u200F\u2028-\u202E\u2060-\u2069\uFEFF]/g;

/** Text with control characters as their visible pictures (␀ ␛ …) and format characters as \u{…}. */
export function visible(text) {
  return String(text ?? '').replace(INVISIBLE, (c) => {
    const code = c.charCodeAt(0);
    if (code < 0x20) {
      return String.fromCharCode(0x2400 + code);
    }
    return code === 0x7f ? '\u2421' : '\\u{' + code.toString(16) + '}';
  });
}

/**
 * An element: attrs are set as attributes (class, href, title…; only values the page builds itself), children are
 * elements or strings; strings become text nodes.
 */
export function el(tag, attrs = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) {
      continue;
    }
    if (name === 'class') {
      element.className = value;
    } else if (name === 'hidden') {
      element.hidden = true;
    } else {
      element.setAttribute(name, String(value));
    }
  }
  for (const child of children) {
    if (child === undefined || child === null) {
      continue;
    }
    element.append(child instanceof Node ? child : document.createTextNode(visible(child)));
  }
  return element;
}

/** Replaces the content of an element. */
export function fill(element, ...children) {
  element.replaceChildren(...children.filter((c) => c !== undefined && c !== null)
    .map((c) => (c instanceof Node ? c : document.createTextNode(visible(c)))));
}

/** A link inside the page: "?" plus our own parameters, never a URL taken from data. */
export function pageLink(params, text, className) {
  const query = new URLSearchParams();
  for (const [name, value] of Object.entries(params)) {
    if (value !== undefined && value !== null && value !== '') {
      query.set(name, String(value));
    }
  }
  return el('a', {href: '?' + query.toString(), class: className, 'data-nav': '1'}, text);
}

export function when(iso) {
  return iso ? iso.replace('T', ' ').replace(/\.\d+Z$/, 'Z') : '';
}
