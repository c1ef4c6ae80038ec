// The auditor's page. The key is entered once and kept in sessionStorage: this tab only,
// gone when the tab closes, never in a cookie or a URL. Everything shown comes from the audit
// API (GET /v1/audit, /v1/audit/subjects) with that key; text goes into the page as text.
//
// Two features appear only where the server offers them (checked in its OpenAPI document, and
// hidden again when the endpoint answers 404): the history as of a chosen moment (`asOf` on
// GET /v1/audit) and verifying the stored history (GET /v1/audit/verify?subjectId=...).
(function () {
  'use strict';

  var KEY = 'client-portal.audit-key';
  var PAGE_SIZE = 50;
  var m;
  // `opened` counts the subjects opened: an answer for an earlier one is dropped when it arrives late.
  var state = { key: null, subject: null, opened: 0, cursor: null, asOf: null, features: { asOf: false, verify: false }, labels: {} };

  function $(id) {
    return document.getElementById(id);
  }

  function element(tag, attributes, children) {
    var node = document.createElement(tag);
    Object.keys(attributes || {}).forEach(function (name) {
      if (name === 'text') node.textContent = attributes.text;
      else node.setAttribute(name, attributes[name]);
    });
    (children || []).forEach(function (child) {
      if (child) node.appendChild(typeof child === 'string' ? document.createTextNode(child) : child);
    });
    return node;
  }

  function call(path) {
    return fetch(path, {
      headers: { authorization: 'Bearer ' + state.key, accept: 'application/json' },
      cache: 'no-store',
      credentials: 'omit',
      referrerPolicy: 'no-referrer',
    }).then(function (response) {
      return response
        .json()
        .catch(function () {
          return null;
        })
        .then(function (body) {
          return { status: response.status, ok: response.ok, body: body };
        });
    });
  }

  function failure(answer) {
    if (answer.status === 401) return m.keyRefused;
    if (answer.status === 403) return m.keyForbidden;
    return m.failed + ' ' + ((answer.body && (answer.body.detail || answer.body.title)) || answer.status);
  }

  // ---- the key --------------------------------------------------------------------------

  function showKeyForm(error) {
    $('key-section').hidden = false;
    $('search-section').hidden = true;
    $('subject-section').hidden = true;
    $('audit-key-error').textContent = error || '';
    if (error) $('audit-key').setAttribute('aria-invalid', 'true');
    else $('audit-key').removeAttribute('aria-invalid');
    $('audit-key').value = '';
  }

  function useKey(key, fromForm) {
    state.key = key;
    return call('/v1/audit?limit=1').then(function (answer) {
      if (!answer.ok) {
        sessionStorage.removeItem(KEY);
        state.key = null;
        showKeyForm(failure(answer));
        if (fromForm) $('audit-key').focus();
        return;
      }
      sessionStorage.setItem(KEY, key);
      $('key-section').hidden = true;
      $('search-section').hidden = false;
      if (fromForm) $('audit-query').focus();
      detectFeatures();
      var fromHash = /^#subject=([0-9a-fA-F-]{36})$/.exec(window.location.hash);
      if (fromHash) openSubject(fromHash[1].toLowerCase(), false);
    });
  }

  function forgetKey() {
    sessionStorage.removeItem(KEY);
    state.key = null;
    state.subject = null;
    history.replaceState(null, '', window.location.pathname);
    showKeyForm();
    $('audit-key').focus();
  }

  // ---- optional features ----------------------------------------------------------------

  function detectFeatures() {
    fetch('/docs/openapi.json', { cache: 'no-store', credentials: 'omit' })
      .then(function (response) {
        return response.ok ? response.json() : null;
      })
      .catch(function () {
        return null;
      })
      .then(function (document) {
        var paths = (document && document.paths) || {};
        var audit = paths['/v1/audit'] && paths['/v1/audit'].get;
        state.features.verify = !!(paths['/v1/audit/verify'] && paths['/v1/audit/verify'].get);
        state.features.asOf = !!(audit && (audit.parameters || []).some(function (p) { return p.name === 'asOf'; }));
        showFeatures();
      });
  }

  function showFeatures() {
    var open = !!state.subject;
    $('as-of-form').hidden = !(open && state.features.asOf);
    $('verify').hidden = !(open && state.features.verify);
  }

  function verify() {
    var result = $('verify-result');
    result.textContent = m.verifying;
    call('/v1/audit/verify?subjectId=' + encodeURIComponent(state.subject.id)).then(function (answer) {
      if (answer.status === 404 && !(answer.body && answer.body.type === '/problems/subject-not-found')) {
        state.features.verify = false;
        showFeatures();
        result.textContent = m.unavailable;
        return;
      }
      if (!answer.ok) {
        result.textContent = failure(answer);
        return;
      }
      var body = answer.body || {};
      var valid = [body.valid, body.ok, body.verified].find(function (v) { return typeof v === 'boolean'; });
      result.textContent = valid === false ? m.notVerified + ' ' + JSON.stringify(body) : m.verified;
    });
  }

  // ---- searching ------------------------------------------------------------------------

  function kindLabel(kind) {
    return m.kinds[kind] || kind;
  }

  function subjectButton(subject) {
    var button = element('button', { type: 'button', class: 'button-link', 'data-subject': subject.id }, [
      kindLabel(subject.kind) + ': ' + subject.label + (subject.detail ? ' (' + subject.detail + ')' : ''),
    ]);
    button.addEventListener('click', function () {
      openSubject(subject.id, true);
    });
    return button;
  }

  function search(query) {
    var status = $('search-status');
    var results = $('results');
    status.textContent = m.searching;
    results.replaceChildren();
    call('/v1/audit/subjects?q=' + encodeURIComponent(query)).then(function (answer) {
      if (!answer.ok) {
        status.textContent = failure(answer);
        return;
      }
      var items = answer.body.items;
      status.textContent = items.length ? m.results + ': ' + items.length : m.noResults;
      items.forEach(function (subject) {
        results.appendChild(element('li', { class: 'item' }, [subjectButton(subject)]));
      });
    });
  }

  // ---- one subject's history --------------------------------------------------------------

  function openSubject(id, moveFocus) {
    var opening = ++state.opened;
    call('/v1/audit/subjects/' + encodeURIComponent(id)).then(function (answer) {
      if (opening !== state.opened) return;
      if (!answer.ok) {
        $('search-status').textContent = failure(answer);
        return;
      }
      var subject = answer.body;
      state.subject = subject;
      state.labels[subject.id] = subject.label;
      history.replaceState(null, '', '#subject=' + subject.id);
      $('subject-section').hidden = false;
      $('subject-title').textContent = kindLabel(subject.kind) + ': ' + subject.label;
      $('subject-detail').textContent = (subject.detail ? subject.detail + ' · ' : '') + subject.id;
      var related = $('related');
      related.replaceChildren();
      if (subject.related.length) {
        related.appendChild(element('h3', { text: m.related }));
        var list = element('ul', { class: 'related-list' });
        subject.related.forEach(function (other) {
          state.labels[other.id] = other.label;
          list.appendChild(element('li', {}, [subjectButton(other)]));
        });
        related.appendChild(list);
      }
      $('verify-result').textContent = '';
      showFeatures();
      loadHistory(true);
      if (moveFocus) $('subject-title').focus();
    });
  }

  function loadHistory(fresh) {
    var timeline = $('timeline');
    var status = $('history-status');
    if (fresh) {
      timeline.replaceChildren();
      state.cursor = null;
    }
    status.textContent = m.loading;
    var path = '/v1/audit?subjectId=' + encodeURIComponent(state.subject.id) + '&limit=' + PAGE_SIZE;
    if (state.cursor) path += '&cursor=' + encodeURIComponent(state.cursor);
    if (state.asOf && state.features.asOf) path += '&asOf=' + encodeURIComponent(state.asOf);
    var loading = state.opened;
    call(path).then(function (answer) {
      if (loading !== state.opened) return;
      if (!answer.ok) {
        status.textContent = failure(answer);
        return;
      }
      var items = answer.body.items;
      items.forEach(function (item) {
        timeline.appendChild(renderEvent(item));
      });
      state.cursor = answer.body.nextCursor;
      $('more').hidden = !state.cursor;
      status.textContent = timeline.children.length ? '' : m.noHistory;
      resolveLabels(items);
    });
  }

  var dateFormat = new Intl.DateTimeFormat(document.documentElement.lang || undefined, { dateStyle: 'medium', timeStyle: 'medium' });

  function who(person) {
    if (!person || typeof person !== 'object') return '';
    var name = state.labels[person.id];
    return (m.actors[person.kind] || person.kind) + ' ' + (name ? name + ' (' + person.id + ')' : person.id);
  }

  function renderEvent(item) {
    var at = new Date(item.occurredAt);
    var time = element('time', { datetime: item.occurredAt, text: isNaN(at.getTime()) ? item.occurredAt : dateFormat.format(at) });
    var actor = element('span', { class: 'actor', 'data-person': (item.actor && item.actor.id) || '', text: who(item.actor) });
    var meta = element('p', { class: 'event-meta' }, [time, ' · ', actor]);
    if (item.onBehalfOf) {
      meta.appendChild(document.createTextNode(' · ' + m.onBehalfOf + ' '));
      meta.appendChild(element('span', { class: 'actor', 'data-person': item.onBehalfOf.id || '', text: who(item.onBehalfOf) }));
    }
    meta.appendChild(document.createTextNode(' · ' + m.channel + ': ' + item.channel));
    var changes = element('dl', { 'aria-label': m.changes });
    Object.keys(item.data || {}).forEach(function (field) {
      var value = item.data[field];
      var text = typeof value === 'string' ? value : JSON.stringify(value);
      changes.appendChild(element('div', {}, [element('dt', { text: field }), element('dd', { text: text.length > 300 ? text.slice(0, 300) + '…' : text })]));
    });
    return element('li', { 'data-event-type': item.type }, [element('span', { class: 'event-type', text: item.type }), meta, changes]);
  }

  /** Portal users act under their access id: name them by its email, once per id. */
  function resolveLabels(items) {
    var unknown = {};
    items.forEach(function (item) {
      [item.actor, item.onBehalfOf].forEach(function (person) {
        if (person && person.kind === 'portal-user' && person.id && !(person.id in state.labels)) unknown[person.id] = true;
      });
    });
    Object.keys(unknown).forEach(function (id) {
      state.labels[id] = null;
      call('/v1/audit/subjects/' + encodeURIComponent(id)).then(function (answer) {
        if (!answer.ok) return;
        state.labels[id] = answer.body.label;
        Array.prototype.forEach.call(document.querySelectorAll('.actor[data-person="' + id + '"]'), function (node) {
          node.textContent = who({ kind: 'portal-user', id: id });
        });
      });
    });
  }

  // ---- wiring ---------------------------------------------------------------------------

  document.addEventListener('DOMContentLoaded', function () {
    m = JSON.parse($('audit-messages').textContent);
    $('key-form').addEventListener('submit', function (event) {
      event.preventDefault();
      var key = $('audit-key').value.trim();
      if (key) useKey(key, true);
    });
    $('search-form').addEventListener('submit', function (event) {
      event.preventDefault();
      var query = $('audit-query').value.trim();
      if (query) search(query);
    });
    $('forget-key').addEventListener('click', forgetKey);
    $('more').addEventListener('click', function () {
      loadHistory(false);
    });
    $('verify-button').addEventListener('click', verify);
    $('as-of-form').addEventListener('submit', function (event) {
      event.preventDefault();
      var value = $('as-of').value;
      var at = value ? new Date(value) : null;
      state.asOf = at && !isNaN(at.getTime()) ? at.toISOString() : null;
      loadHistory(true);
    });
    var kept = sessionStorage.getItem(KEY);
    if (kept) useKey(kept, false);
    else showKeyForm();
  });
})();
