// A candidate schema tried before it goes live: a backtest over what the topics hold (one at a time, cancellable,
// progress polled) and a shadow that watches live traffic until stopped. Both show whose fate would change, by
// signature, with examples: an output record it would reject opens in the payload viewer with the candidate's own
// violations marked; a DLQ record it would let through links to the DLQ record page. Text only.
import {el, fill, pageLink} from './dom.js';
import {loadAudit} from './plans.js';
import {payload} from './views.js';

const $ = (id) => document.getElementById(id);
const POST = {method: 'POST', headers: {'Content-Type': 'application/json', 'X-Console-Request': '1'}};

/** A redrive plan for exactly the records of one newly accepted signature, once the candidate's version is live. */
async function planFor(api, group, version, status) {
  try {
    const plan = await api('/api/plans', {...POST, body: JSON.stringify({signature: group.id, schema_version: version,
      rate: '50', max: String(group.count), stop_loss_percent: '20', min_sample: '20'})});
    fill(status, 'created ' + plan.id + ': it starts once schema version ' + version + ' is live');
  } catch (error) {
    fill(status, 'plan not created: ' + error.message);
  }
}

/** An output record in the viewer, its violations under the candidate marked. */
async function showExample(api, version, e, viewer) {
  try {
    const r = await api('/api/examples/' + version + '/' + e.partition + '/' + e.offset);
    fill(viewer, el('h3', {}, 'Output record ' + r.partition + ':' + r.offset + ' under schema version ' + r.version
      + ': ' + (r.valid ? 'valid' : r.reason + ', ' + r.message)), payload(r.view));
  } catch (error) {
    fill(viewer, el('p', {class: 'error'}, error.message));
  }
}

/** The examples of one group: output records open in the viewer, DLQ records link to their page. */
function examples(api, g, version, output, viewer) {
  return el('td', {class: 'examples'}, ...g.examples.map((e) => {
    const name = e.partition + ':' + e.offset;
    if (!output) {
      return el('span', {}, pageLink({record: name}, name, 'example'), ' ');
    }
    const button = el('button', {type: 'button', class: 'example', title: e.failed.join(', ')}, name);
    button.addEventListener('click', () => showExample(api, version, e, viewer));
    return el('span', {}, button, ' ', e.failed.join(', '), ' ');
  }));
}

function groups(title, list, other, api, r, output, parts) {
  const rows = list.map((g) => {
    const cells = [el('td', {class: 'n'}, String(g.count)), el('td', {class: 'label'}, g.label),
      examples(api, g, r.version, output, parts.viewer)];
    if (!output && parts.plans) {
      const button = el('button', {type: 'button', class: 'plan-for'}, 'Redrive plan');
      button.addEventListener('click', () => planFor(api, g, r.version, parts.status));
      cells.push(el('td', {}, button));
    }
    return el('tr', {'data-signature': g.id}, ...cells);
  });
  if (other > 0) {
    rows.push(el('tr', {}, el('td', {class: 'n'}, String(other)), el('td', {}, 'of further signatures')));
  }
  return [el('h3', {}, title), el('table', {class: 'backtest'},
    el('tbody', {}, ...(rows.length ? rows : [el('tr', {}, el('td', {}, 'none'))])))];
}

/** Whose fate the candidate changes; {plans}: offer a redrive plan per newly accepted signature. */
function findings(r, api, parts) {
  return [
    ...groups('Newly rejected: output records it would send to the DLQ (of ' + r.output_read + ' read)',
      r.newly_rejected, r.newly_rejected_other, api, r, true, parts),
    ...groups('Newly accepted: DLQ records it would let through (of ' + r.dlq_read + ' read, '
      + r.dlq_truncated + ' truncated never count)' + (parts.plans ? ', each a redrive plan away once version '
      + r.version + ' is live' : ''), r.newly_accepted, r.newly_accepted_other, api, r, false, parts)];
}

function showBacktest(state, api) {
  document.body.dataset.backtest = state.state;
  const progress = state.state === 'running' ? 'running: ' + state.read + ' records read'
    : state.state === 'failed' ? 'failed: ' + state.error
    : state.state === 'cancelled' ? 'cancelled after ' + state.read + ' records'
    : state.state === 'done' ? state.result.verdict + (state.result.registry_line ? '; ' + state.result.registry_line : '')
    : '';
  fill($('backtest-state'), progress + (state.started_by && state.state !== 'idle' ? ' (by ' + state.started_by + ')' : ''));
  fill($('backtest-result'), ...(state.result ? findings(state.result, api,
    {plans: true, status: $('backtest-state'), viewer: $('backtest-example')}) : []));
}

function showShadow(state, api) {
  document.body.dataset.shadow = state.state;
  const r = state.result;
  const what = state.state === 'idle' ? '' : 'schema version ' + state.version + ', since ' + state.since
    + ' (by ' + state.started_by + '): ' + (state.state === 'watching' && !state.started ? 'finding the ends of the topics'
      : r.output_read + ' output and ' + r.dlq_read + ' DLQ records routed, ' + r.newly_rejected_count
      + ' it would reject, ' + r.newly_accepted_count + ' it would let through')
    + (state.state === 'watching' ? '' : ' [' + state.state + (state.error ? ': ' + state.error : '') + ']');
  fill($('shadow-state'), what);
  fill($('shadow-result'), ...(r && state.started !== false ? findings(r, api, {plans: false,
    viewer: $('backtest-example')}) : []));
}

async function poll(api, path, show) {
  const state = await api(path);
  show(state, api);
  if (state.state === 'running' || state.state === 'watching') {
    setTimeout(() => poll(api, path, show).catch((e) => fill($('backtest-state'), e.message)), 1000);
  }
}

async function start(api, path, show, status) {
  const form = new FormData($('backtest-form'));
  const fields = Object.fromEntries(form);
  if (path === '/api/shadow') {
    delete fields.output_records;
  }
  if (!fields.registry_version) {
    delete fields.registry_version;
  }
  try {
    show(await api(path, {...POST, body: JSON.stringify(fields)}), api);
    loadAudit(api).catch(() => {}); // the trail holds it now
    await poll(api, path, show);
  } catch (error) {
    fill(status, 'not started: ' + error.message);
  }
}

export function backtest(api) {
  $('backtest-form').addEventListener('submit', (event) => {
    event.preventDefault();
    start(api, '/api/backtest', showBacktest, $('backtest-state'));
  });
  $('backtest-cancel').addEventListener('click', async () => {
    showBacktest(await api('/api/backtest/cancel', {...POST, body: '{}'}), api);
  });
  $('shadow-start').addEventListener('click', () => {
    start(api, '/api/shadow', showShadow, $('shadow-state'));
  });
  $('shadow-stop').addEventListener('click', async () => {
    showShadow(await api('/api/shadow/stop', {...POST, body: '{}'}), api);
    loadAudit(api).catch(() => {});
  });
  poll(api, '/api/backtest', showBacktest).catch(() => {});
  poll(api, '/api/shadow', showShadow).catch(() => {});
}
