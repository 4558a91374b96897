// Redrive plans: a form to dry-run and create one, the plans with their progress and outcomes (pushed by the event
// stream), their actions, and the audit trail with its verification. Data goes in as text only (see dom.js).
import {el, fill, when} from './dom.js';

const $ = (id) => document.getElementById(id);
const ACTIONS = {created: ['start', 'cancel'], running: ['pause', 'cancel'], paused: ['resume', 'cancel']};
const POST = {method: 'POST', headers: {'Content-Type': 'application/json', 'X-Console-Request': '1'}};

/** The plan fields of the form, without the empty ones. */
function fields() {
  return Object.fromEntries([...new FormData($('plan-form'))].filter(([, v]) => v !== ''));
}

function selection(spec) {
  return ['reason', 'signature', 'since', 'until'].filter((k) => spec[k] !== null && spec[k] !== undefined)
    .map((k) => k + '=' + spec[k]).join(' ') || 'all';
}

function show(answer) {
  fill($('plan-result'), answer);
}

/** Who is signed in and what they may do (from /api/summary); nobody may act until it is known. */
let user = {name: '', may_operate: false, may_act_on_any_plan: false};

/** An operator acts on the plans they created (the trail's who starts with their name), an admin on any. */
function mayAct(plan) {
  return user.may_operate && (user.may_act_on_any_plan || (plan.created_by ?? '').startsWith(user.name + ' ('));
}

/** Set while redrive is unavailable (its audit trail not read yet): the reason stands where answers go. */
let waiting = false;

function showUnavailable(message) {
  waiting = true;
  show(message);
}

/**
 * The plans table; each row's buttons are the actions its state allows, if the user may act on it, none while
 * redrive is read-only.
 */
export function showPlans(list, api) {
  if (list.read_only) {
    showUnavailable(list.read_only);
  }
  document.body.dataset.readOnly = list.read_only ? 'true' : 'false';
  fill($('plans').tBodies[0], ...list.plans.map((p) => {
    const buttons = (list.read_only || !mayAct(p) ? [] : ACTIONS[p.state] || []).map((action) => {
      const button = el('button', {type: 'button', 'data-action': action}, action);
      button.addEventListener('click', () => act(api, p.id, action));
      return button;
    });
    return el('tr', {'data-plan': p.id, 'data-state': p.state},
      el('td', {class: 'label', title: 'created by ' + p.created_by}, p.id),
      el('td', {class: 'state'}, p.state + (p.note ? ' (' + p.note + ')' : '')),
      el('td', {class: 'label'}, selection(p.spec) + ' → ' + p.spec.to + ' at ' + p.spec.rate + '/s'),
      el('td', {class: 'n published'}, String(p.published)),
      el('td', {class: 'n'}, String(p.spec.max)),
      el('td', {class: 'n reached'}, String(p.reached_output)),
      el('td', {class: 'n back'}, String(p.came_back)),
      el('td', {class: 'n'}, String(p.pending)),
      el('td', {class: 'label cli', title: p.cli}, p.cli),
      el('td', {}, ...buttons));
  }));
  document.body.dataset.plans = String(list.plans.length);
}

async function act(api, id, action) {
  try {
    await api('/api/plans/' + id + '/' + action, {...POST, body: '{}'});
    await refresh(api);
  } catch (error) {
    show(action + ' failed: ' + error.message);
  }
}

/** The trail, newest first, and whether its hash chain holds (a backtest's entry asks for it too). */
export async function loadAudit(api) {
  const audit = await api('/api/audit');
  const v = audit.verification;
  fill($('audit-verification'), v.valid ? 'signatures and chain verified: ' + v.entries + ' entries'
    : 'NOT VALID from entry ' + v.broken_at + ' of ' + v.entries + ': ' + v.problem);
  $('audit-verification').className = v.valid ? 'verified' : 'tampered';
  fill($('audit').tBodies[0], ...audit.entries.slice().reverse().map((e) => el('tr', {},
    el('td', {class: 'n'}, String(e.seq ?? '?')),
    el('td', {}, when(e.at)),
    el('td', {}, e.who ?? ''),
    el('td', {class: 'action'}, e.action ?? ''),
    el('td', {class: 'label'}, e.plan ?? ''),
    el('td', {class: 'label', title: e.cli ?? ''}, e.cli ?? ''))));
}

async function refresh(api) {
  showPlans(await api('/api/plans'), api);
  await loadAudit(api);
}

/** Wires the panel; {@code api} is the page's fetch helper (it sends to /login when not signed in). */
export function plans(api, signedIn) {
  user = signedIn;
  $('plan-form').addEventListener('submit', async (event) => {
    event.preventDefault();
    try {
      const plan = await api('/api/plans', {...POST, body: JSON.stringify(fields())});
      show('created ' + plan.id + ': ' + plan.cli);
      await refresh(api);
    } catch (error) {
      show('not created: ' + error.message);
    }
  });
  $('plan-dry-run').addEventListener('click', async () => {
    try {
      const r = await api('/api/plans/dry-run', {...POST, body: JSON.stringify(fields())});
      show('dry run: would publish ' + r.would_publish + ' of ' + r.read + ' read (already replayed '
        + r.skipped_already_replayed + ', truncated ' + r.skipped_truncated + ') · ' + r.cli);
      await loadAudit(api);
    } catch (error) {
      show('dry run failed: ' + error.message);
    }
  });
  refresh(api).catch((error) => showUnavailable(error.message));
}

/** A plans event from the stream: the plans as they stand, and the trail, which changed with them. */
export function onPlansEvent(data, api) {
  const list = JSON.parse(data);
  if (list.error) {
    showUnavailable(list.error);
    return;
  }
  if (waiting && !list.read_only) {
    waiting = false;
    show('');
  }
  showPlans(list, api);
  loadAudit(api).catch(() => {});
}

/** A DLQ record's history: whether replay published it (its ledger entry) and the trail of the plan that did. */
export async function showHistory(container, api, partition, offset) {
  const history = await api('/api/records/' + partition + '/' + offset + '/history');
  const ledger = history.ledger;
  fill(container, el('h3', {}, 'History'),
    el('p', {class: 'ledger'}, ledger ? 'published by ' + (ledger.replay_id ?? '?') + ' at ' + when(ledger.at)
      + ' to ' + (ledger.to ?? '?') : 'never published by replay'),
    el('ol', {class: 'history'}, ...history.audit.map((e) => el('li', {},
      when(e.at) + ' ' + (e.action ?? '') + ' by ' + (e.who ?? '')))));
}
