// The backtest panel: a pasted candidate schema run over the newest output records and the whole DLQ by the
// console (one at a time, cancellable); the panel polls its progress and shows whose fate would change. Text only.
import {el, fill} from './dom.js';
import {loadAudit} from './plans.js';

const $ = (id) => document.getElementById(id);
const POST = {method: 'POST', headers: {'Content-Type': 'application/json', 'X-Console-Request': '1'}};

/** A redrive plan for exactly the records of one newly accepted signature, once the candidate's version is live. */
async function planFor(api, group, version) {
  try {
    const plan = await api('/api/plans', {...POST, body: JSON.stringify({signature: group.id, schema_version: version,
      rate: '50', max: String(group.count), stop_loss_percent: '20', min_sample: '20'})});
    fill($('backtest-state'), 'created ' + plan.id + ': it starts once schema version ' + version + ' is live');
  } catch (error) {
    fill($('backtest-state'), 'plan not created: ' + error.message);
  }
}

function groups(title, list, api, version) {
  return [el('h3', {}, title),
    el('table', {class: 'backtest'}, el('tbody', {}, ...(list.length ? list.map((g) => {
      let last = el('td', {class: 'label'}, g.examples.map((e) => e.partition + ':' + e.offset + ' '
        + e.failed.join(', ')).join(' · '));
      if (version) {
        const button = el('button', {type: 'button', class: 'plan-for'}, 'Redrive plan');
        button.addEventListener('click', () => planFor(api, g, version));
        last = el('td', {}, button);
      }
      return el('tr', {'data-signature': g.id}, el('td', {class: 'n'}, String(g.count)),
        el('td', {class: 'label'}, g.label), last);
    }) : [el('tr', {}, el('td', {}, 'none'))])))];
}

function show(state, api) {
  document.body.dataset.backtest = state.state;
  const progress = state.state === 'running' ? 'running: ' + state.read + ' records read'
    : state.state === 'failed' ? 'failed: ' + state.error
    : state.state === 'cancelled' ? 'cancelled after ' + state.read + ' records'
    : state.state === 'done' ? state.result.verdict : '';
  fill($('backtest-state'), progress + (state.started_by && state.state !== 'idle' ? ' (by ' + state.started_by + ')' : ''));
  const r = state.result;
  fill($('backtest-result'), ...(r ? [
    ...groups('Newly rejected: output records it would send to the DLQ (of ' + r.output_read + ' read)',
      r.newly_rejected, api, null),
    ...groups('Newly accepted: DLQ records it would let through (of ' + r.dlq_read + ' read, '
      + r.dlq_truncated + ' truncated never count), each a redrive plan away once version ' + r.version
      + ' is live', r.newly_accepted, api, r.version)] : []));
}

async function poll(api) {
  const state = await api('/api/backtest');
  show(state, api);
  if (state.state === 'running') {
    setTimeout(() => poll(api).catch((e) => fill($('backtest-state'), e.message)), 1000);
  }
}

export function backtest(api) {
  $('backtest-form').addEventListener('submit', async (event) => {
    event.preventDefault();
    const form = new FormData($('backtest-form'));
    try {
      show(await api('/api/backtest', {...POST, body: JSON.stringify(Object.fromEntries(form))}), api);
      loadAudit(api).catch(() => {}); // the trail holds the backtest now
      await poll(api);
    } catch (error) {
      fill($('backtest-state'), 'not started: ' + error.message);
    }
  });
  $('backtest-cancel').addEventListener('click', async () => {
    show(await api('/api/backtest/cancel', {...POST, body: '{}'}), api);
  });
  poll(api).catch(() => {});
}
