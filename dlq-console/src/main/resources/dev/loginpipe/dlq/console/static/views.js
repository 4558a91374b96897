// How each answer of the API becomes part of the page. Data only ever goes in as text (see dom.js).
import {el, fill, pageLink, visible, when} from './dom.js';

/** The signatures table; each row links to its records and can start a dry run. */
export function signatures(tbody, list, maxReplays, onDryRun) {
  fill(tbody, ...list.map((s) => {
    const dry = el('button', {type: 'button', class: 'dry operate'}, 'Dry run');
    dry.addEventListener('click', () => onDryRun({signature: s.id}, s.label));
    return el('tr', {'data-signature': s.id},
      el('td', {class: 'label'}, pageLink({signature: s.id}, s.label, 'signature')),
      el('td', {}, s.source_topic),
      el('td', {class: 'n count'}, String(s.count)),
      el('td', {}, when(s.first_at)),
      el('td', {}, when(s.last_at)),
      el('td', {}, trend(s.trend)),
      el('td', {class: 'n'}, String(s.replayed)),
      el('td', {}, histogram(s.replay_counts, maxReplays)),
      el('td', {class: 'n'}, String(s.truncated)),
      el('td', {}, dry));
  }));
}

/** Records per hour as bars, scaled to the busiest hour. */
function trend(hours) {
  const max = Math.max(1, ...hours);
  return el('span', {class: 'trend', title: hours.join(' ')}, ...hours.map((n) => {
    const bar = el('span', {class: 'bar'});
    bar.style.height = Math.round((n / max) * 100) + '%'; // CSSOM: allowed by the CSP, unlike style attributes
    return bar;
  }));
}

/** replay.count 0, 1, … and the last bucket, MAX_REPLAYS or more (what replay skips). */
function histogram(counts, maxReplays) {
  return el('span', {class: 'histogram'}, counts.map((n, i) =>
    (i === counts.length - 1 ? maxReplays + '+' : String(i)) + ':' + n).join(' '));
}

/** A page of records. */
export function records(tbody, page, state) {
  fill(tbody, ...page.records.map((r) => el('tr', {class: r.truncated ? 'truncated' : undefined},
    el('td', {}, when(r.at)),
    el('td', {}, pageLink({...state, record: r.partition + ':' + r.offset}, r.partition + ':' + r.offset, 'record')),
    el('td', {class: 'label'}, r.label),
    el('td', {}, r.source ?? ''),
    el('td', {class: 'n'}, String(r.replay_count) + (r.replayed ? ' (replayed)' : '')),
    el('td', {class: 'message'}, r.gone ? '(deleted by retention)' : r.message ?? ''),
    el('td', {class: 'preview'}, (r.truncated ? '[truncated] ' : '') + (r.preview ?? '')))));
}

/** One record: what the contract says, the payload with the error where it is, the headers. */
export function record(container, r) {
  const facts = [
    ['record', r.partition + ':' + r.offset], ['error.at', when(r.at)], ['reason', r.reason],
    ['signature', r.label], ['source', r.source], ['replay.count', String(r.replay_count)],
    ['already replayed', r.replayed ? 'yes' : 'no'], ['error.message', r.message], ['error.exception', r.exception],
    ['key', r.key === null ? '(none)' : r.key], ['value size', r.size + ' bytes'],
  ];
  if (r.truncated) {
    facts.push(['truncated', 'kept ' + r.size + ' of ' + (r.original_size ?? '?') + ' bytes']);
  }
  facts.push(['redrive', r.redrive.available ? 'available' : 'unavailable: ' + r.redrive.why]);
  const dl = el('dl', {class: 'facts'});
  for (const [name, value] of facts) {
    if (value !== null && value !== undefined) {
      dl.append(el('dt', {}, name), el('dd', {class: name === 'redrive' && !r.redrive.available ? 'unavailable' : undefined}, value));
    }
  }
  const headers = el('table', {class: 'headers'}, el('thead', {}, el('tr', {}, el('th', {}, 'header'), el('th', {}, 'value'))),
    el('tbody', {}, ...r.headers.map((h) => el('tr', {}, el('td', {}, h.name), el('td', {}, h.value ?? '(null)')))));
  fill(container, dl, el('h3', {}, 'Value'), payload(r.view), el('h3', {}, 'Headers'), headers,
    r.headers_cut ? el('p', {}, 'More headers not shown.') : null);
}

export function payload(view) {
  if (view.kind === 'empty') {
    return el('p', {class: 'payload-empty'}, '(empty value)');
  }
  if (view.kind === 'hex') {
    return hex(view);
  }
  const pre = el('pre', {class: 'payload ' + view.kind});
  const badged = new Set();
  for (const segment of view.segments) {
    if (segment.note < 0) {
      pre.append(document.createTextNode(visible(segment.text)));
      continue;
    }
    const mark = el('mark', {class: view.kind === 'text' ? 'caret' : 'error', 'data-note': segment.note},
      segment.text === '' ? ' ' : segment.text);
    if (!badged.has(segment.note)) {
      badged.add(segment.note);
      mark.prepend(el('sup', {class: 'badge'}, String(segment.note + 1)));
    }
    pre.append(mark);
  }
  if (view.kind === 'text' && !badged.has(0)) { // parsing failed at the end of the input
    pre.append(el('mark', {class: 'caret', 'data-note': 0}, el('sup', {class: 'badge'}, '1'), '(end of input)'));
  }
  if (view.cut_chars > 0) {
    pre.append(el('span', {class: 'cut'}, '\n… ' + view.cut_chars + ' more characters not shown'));
  }
  const notes = el('ol', {class: 'notes'}, ...view.notes.map((n) => el('li', {class: n.found ? 'found' : 'missing'},
    el('code', {}, n.path || '/'), ' ', el('strong', {}, n.keyword), ': ', n.message,
    n.found ? null : el('em', {}, view.kind === 'text' ? ' (at the end)' : ' (not in the value: marked where its object starts)'))));
  const source = view.kind === 'text' ? el('p', {class: 'position'}, 'Parsing failed at character ' + view.position
    + (view.position_source === 'error.position' ? ' (error.position)' : ' (found by the console)')) : null;
  return el('div', {class: 'payload-view'}, el('div', {class: 'payload-text'}, source, pre), notes);
}

/** 16 bytes a row: offset, hex, and the bytes as ASCII; ill-formed UTF-8 marked, masked bytes as *. */
function hex(view) {
  const bad = new Set(view.bad);
  const masked = new Set(view.masked);
  const bytes = [];
  for (let i = 0; i < view.bytes.length; i += 2) {
    bytes.push(parseInt(view.bytes.substr(i, 2), 16));
  }
  const rows = [];
  for (let row = 0; row < bytes.length; row += 16) {
    const offset = view.start + row;
    const cells = [];
    let ascii = '';
    for (let i = row; i < Math.min(row + 16, bytes.length); i++) {
      const at = view.start + i;
      const text = bytes[i].toString(16).padStart(2, '0');
      cells.push(el('span', {class: bad.has(at) ? 'byte bad' : masked.has(at) ? 'byte masked' : 'byte', title: 'byte ' + at}, text), ' ');
      ascii += bytes[i] >= 0x20 && bytes[i] < 0x7f ? String.fromCharCode(bytes[i]) : '.';
    }
    rows.push(el('div', {class: 'hexrow'}, el('span', {class: 'offset'}, offset.toString(16).padStart(8, '0')),
      el('span', {class: 'hexbytes'}, ...cells), el('span', {class: 'ascii'}, ascii)));
  }
  const more = view.start + bytes.length < view.size;
  return el('div', {class: 'payload-view'}, el('div', {class: 'hex'},
    el('p', {}, 'Not UTF-8: ' + view.size + ' bytes; ill-formed sequences start at the marked bytes (' +
      view.bad.join(', ') + ').' + (view.start > 0 ? ' Showing from byte ' + view.start + '.' : '') + (more ? ' Cut.' : '')),
    ...rows));
}

/** What a dry run predicts. */
export function dryRun(container, result, label) {
  fill(container,
    el('p', {class: 'dry-summary'}, label + ': of ' + result.selected + ' records, ' + result.would_pass +
      ' would pass the current schema and ' + result.would_fail + ' would fail again' +
      (result.truncated ? '; ' + result.truncated + ' are truncated and cannot be redriven' : '') + '.'),
    el('p', {}, 'Schema: ' + result.schema),
    result.remaining.length === 0 ? el('p', {}, 'No signature would remain.') :
      el('table', {class: 'remaining'}, el('thead', {}, el('tr', {}, el('th', {}, 'would remain'),
        el('th', {}, 'source topic'), el('th', {class: 'n'}, 'records'))),
      el('tbody', {}, ...result.remaining.map((s) => el('tr', {}, el('td', {}, s.label), el('td', {}, s.source_topic),
        el('td', {class: 'n'}, String(s.count)))))));
}
