// The DLQ console page. Its state lives in the URL (signature, filters, cursor, record), so a link can go into a
// ticket; live arrivals come as server-sent events and refresh the signatures and the first page of records.
import {fill} from './dom.js';
import * as views from './views.js';
import {onPlansEvent, plans, showHistory} from './plans.js';
import {backtest} from './backtest.js';

const SELECTION = ['signature', 'reason', 'from', 'until', 'header', 'text'];
const $ = (id) => document.getElementById(id);
let summary = {max_replays: 3};
let generation = 0; // a newer render makes older answers stale: they are dropped, not shown over the new ones

function state() {
  return Object.fromEntries(new URLSearchParams(location.search));
}

function selectionOf(s) {
  return Object.fromEntries(SELECTION.filter((name) => s[name]).map((name) => [name, s[name]]));
}

async function api(path, options = {}) {
  const response = await fetch(path, {credentials: 'same-origin', ...options});
  if (response.status === 401) {
    location.href = '/login';
    throw new Error('login required');
  }
  const body = await response.json();
  if (!response.ok) {
    throw new Error(body.error || 'HTTP ' + response.status);
  }
  return body;
}

function showError(error) {
  const banner = $('error');
  banner.textContent = error ? String(error.message || error) : '';
  banner.hidden = !error;
}

function navigate(params) {
  const query = new URLSearchParams(Object.entries(params).filter(([, v]) => v));
  history.pushState(null, '', '?' + query.toString());
  render().catch(showError);
}

async function loadSummary() {
  summary = await api('/api/summary');
  fill($('index-note'), summary.index_note || '');
  $('index-note').hidden = !summary.index_note; // the cap leaves the oldest records out: say so
  fill($('topic'), summary.topic);
  fill($('total'), summary.total + ' records' + (summary.ready ? '' : ' (indexing…)'));
  fill($('masked'), summary.masked ? 'IP addresses and ids masked' : 'values shown in the clear');
  fill($('user'), summary.user.name + ' · ' + summary.user.role);
  $('logout').hidden = summary.user.name === 'local'; // a console without accounts has nobody to sign out
  document.body.dataset.role = summary.user.role;
  document.body.dataset.mayOperate = String(summary.user.may_operate);
}

async function loadSignatures() {
  const list = await api('/api/signatures');
  views.signatures($('signatures').tBodies[0], list, summary.max_replays, dryRun);
  document.body.dataset.signatures = String(list.length);
}

async function loadRecords(s, mine = generation) {
  const selection = selectionOf(s);
  const section = $('records-section');
  section.hidden = Object.keys(selection).length === 0;
  if (section.hidden) {
    return;
  }
  for (const name of SELECTION) {
    $('filters').elements[name].value = s[name] || '';
  }
  fill($('selection-label'), Object.entries(selection).map(([k, v]) => k + '=' + v).join(' '));
  const query = new URLSearchParams({...selection, ...(s.before ? {before: s.before} : {})});
  const page = await api('/api/records?' + query);
  if (mine !== generation) {
    return;
  }
  views.records($('records').tBodies[0], page, {...selection, before: s.before});
  fill($('records-info'), page.matched !== null
    ? page.matched + ' records match' + (s.before ? ' (older than the cursor)' : '')
    : 'looked at ' + page.scanned + ' records for the header/text filter');
  $('older').hidden = !page.next;
  $('older').href = '?' + new URLSearchParams({...selection, before: page.next || ''});
  $('newest').hidden = !s.before;
  $('newest').href = '?' + new URLSearchParams(selection);
}

async function loadRecord(s, mine) {
  const section = $('record-section');
  section.hidden = !s.record;
  if (!s.record) {
    return;
  }
  const match = /^(\d{1,9}):(\d{1,18})$/.exec(s.record);
  if (!match) {
    throw new Error('record: expected partition:offset');
  }
  const record = await api('/api/records/' + match[1] + '/' + match[2]);
  if (mine !== generation) {
    return;
  }
  fill($('record-id'), s.record);
  views.record($('record'), record);
  await showHistory($('record-history'), api, match[1], match[2]);
  section.scrollIntoView();
}

async function dryRun(selection, label) {
  const section = $('dry-run-section');
  section.hidden = false;
  fill($('dry-run'), 'Reading and validating ' + label + '…');
  try {
    const result = await api('/api/dry-run', {
      method: 'POST',
      headers: {'Content-Type': 'application/json', 'X-Console-Request': '1'},
      body: JSON.stringify(selection),
    });
    views.dryRun($('dry-run'), result, label);
  } catch (error) {
    fill($('dry-run'), 'Dry run failed: ' + error.message);
  }
}

async function render() {
  showError(null);
  const s = state();
  const mine = ++generation;
  await loadSummary();
  await Promise.all([loadSignatures(), loadRecords(s, mine), loadRecord(s, mine)]);
}

function live() {
  const indicator = $('live');
  const events = new EventSource('/api/events');
  let total = null;
  let added = null; // at the cap the total stays put while records arrive
  events.addEventListener('open', () => {
    indicator.textContent = 'live';
    indicator.className = 'live on';
  });
  events.addEventListener('error', () => {
    indicator.textContent = 'reconnecting…';
    indicator.className = 'live off';
  });
  events.addEventListener('plans', (event) => onPlansEvent(event.data, api));
  events.addEventListener('index', async (event) => {
    const now = JSON.parse(event.data);
    if (total !== null && now.total === total && now.added === added && summary.ready === now.ready) {
      return;
    }
    total = now.total;
    added = now.added;
    try {
      await loadSummary();
      await loadSignatures();
      const s = state();
      if (!s.before) {
        await loadRecords(s);
      }
      document.body.dataset.liveTotal = String(now.total); // what the page shows is up to date with this total
    } catch (error) {
      showError(error);
    }
  });
}

document.addEventListener('click', (event) => {
  const link = event.target.closest('a[data-nav]');
  if (link && !event.ctrlKey && !event.metaKey && !event.shiftKey) {
    event.preventDefault();
    navigate(Object.fromEntries(new URLSearchParams(link.search)));
  }
});
$('older').addEventListener('click', (event) => {
  event.preventDefault();
  navigate(Object.fromEntries(new URLSearchParams($('older').search)));
});
$('newest').addEventListener('click', (event) => {
  event.preventDefault();
  navigate(Object.fromEntries(new URLSearchParams($('newest').search)));
});
$('filters').addEventListener('submit', (event) => {
  event.preventDefault();
  navigate(Object.fromEntries(new FormData($('filters'))));
});
$('dry-run-selection').addEventListener('click', () => {
  const selection = selectionOf(state());
  dryRun(selection, 'this selection');
});
window.addEventListener('popstate', () => render().catch(showError));

$('logout').addEventListener('click', async () => {
  await fetch('/api/logout', {method: 'POST', headers: {'Content-Type': 'application/json', 'X-Console-Request': '1'}});
  location.href = '/login';
});

loadSummary().then(() => plans(api, summary.user)).catch(showError);
backtest(api);
render().catch(showError).finally(() => {
  document.body.dataset.loaded = 'true';
  live();
});
