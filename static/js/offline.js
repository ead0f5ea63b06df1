/* Visits where there is no signal: drafts kept in the browser, encrypted, and sent once back
   online (visits.offline). Loaded on every page by {% offline_script %} (data attributes: the
   addresses, the texts, and the session's tag); on the offline shell it runs the forms.

   The key. The server hands the signed-in session random key material (visits.offline.
   session_key, never cached); it is imported here as a non-extractable AES-GCM CryptoKey and
   kept in IndexedDB with the session's tag, so that a draft survives a reload while offline and
   can still be read and sent afterwards. No script can read the key out again. The key lives
   as long as the session: a page of another session (someone else signed in, or the same
   person after the session ended), the sign-in page, signing out (after saying how many
   unsent drafts will be lost) and the idle end (the time static/js/session.js keeps in
   localStorage) delete the key, every draft and the cached shell — the drafts cannot be read
   without the key, and are gone with it.

   A draft holds, encrypted, the case, the version of the case it was written against, its
   own save-once token and the fields; in clear only its id, its state (waiting, conflict,
   invalid) and when it was written. Sending it is the same save as online: the server's
   save-once token check (a draft sent twice is saved once) and version check (a case changed
   or closed meanwhile comes back as a conflict, shown with both sides, never merged). */
(function () {
  "use strict";

  var script = document.currentScript;
  if (!script) { return; }
  var config = script.dataset;
  var T = JSON.parse(config.texts);
  var DB_NAME = "caseworks-offline";
  var SEEN = "caseworks-session-seen";  // static/js/session.js: when a page was last loaded
  var WARN_BEFORE = 2 * 60 * 1000;
  var RETRY = 5000;
  var idle = parseInt(config.idle, 10) * 1000;
  var isShell = config.state === "shell";
  var db = null;
  var key = null;
  var tag = config.tag || null;
  var csrf = null;
  var syncing = false;
  // Whether the last request reached the server (null: none tried yet). navigator.onLine
  // alone may say "online" on a phone with a signal bar and no data.
  var reachable = null;
  var statusBox = null;

  function say(template, values) {
    return template.replace(/%\((\w+)\)s/g, function (all, name) {
      return values && name in values ? String(values[name]) : all;
    });
  }

  // --- IndexedDB ----------------------------------------------------------------------------

  function openDb() {
    return new Promise(function (resolve, reject) {
      var request = window.indexedDB.open(DB_NAME, 1);
      request.onupgradeneeded = function () {
        var created = request.result;
        created.createObjectStore("keys", {keyPath: "id"});
        created.createObjectStore("drafts", {keyPath: "id"});
        created.createObjectStore("meta", {keyPath: "id"});
      };
      request.onsuccess = function () {
        var opened = request.result;
        opened.onversionchange = function () { opened.close(); db = null; };
        resolve(opened);
      };
      request.onerror = function () { reject(request.error); };
    });
  }

  function store(name, mode, action) {
    return new Promise(function (resolve, reject) {
      var transaction = db.transaction(name, mode);
      var request = action(transaction.objectStore(name));
      transaction.oncomplete = function () { resolve(request ? request.result : undefined); };
      transaction.onerror = function () { reject(transaction.error); };
      transaction.onabort = function () { reject(transaction.error); };
    });
  }

  function getOne(name, id) { return store(name, "readonly", function (s) { return s.get(id); }); }
  function getAll(name) { return store(name, "readonly", function (s) { return s.getAll(); }); }
  function putOne(name, value) { return store(name, "readwrite", function (s) { return s.put(value); }); }
  function deleteOne(name, id) { return store(name, "readwrite", function (s) { return s.delete(id); }); }

  function countDrafts() {
    if (!db) { return Promise.resolve(0); }
    return store("drafts", "readonly", function (s) { return s.count(); });
  }

  // --- wiping: nothing readable left behind --------------------------------------------------

  function wipe() {
    if (db) { db.close(); db = null; }
    key = null;
    var jobs = [new Promise(function (resolve) {
      var request = window.indexedDB.deleteDatabase(DB_NAME);
      request.onsuccess = request.onerror = request.onblocked = function () { resolve(); };
    })];
    if (window.caches) {
      jobs.push(window.caches.keys().then(function (names) {
        return Promise.all(names.filter(function (name) {
          return name.indexOf("caseworks-offline-") === 0;
        }).map(function (name) { return window.caches.delete(name); }));
      }));
    }
    try { window.sessionStorage.clear(); } catch (e) { /* none */ }
    return Promise.all(jobs);
  }

  function wipeSaying(text) {
    return countDrafts().then(function (count) {
      return wipe().then(function () {
        if (count > 0) { notice(say(text, {n: count}), "warning"); }
        return count;
      });
    });
  }

  // --- encryption --------------------------------------------------------------------------

  function bytes(text) { return new TextEncoder().encode(text); }

  function importKey(material) {
    var raw = Uint8Array.from(window.atob(material), function (c) { return c.charCodeAt(0); });
    return window.crypto.subtle.importKey("raw", raw, {name: "AES-GCM"}, false, ["encrypt", "decrypt"]);
  }

  function seal(id, payload) {
    var iv = window.crypto.getRandomValues(new Uint8Array(12));
    return window.crypto.subtle.encrypt(
      {name: "AES-GCM", iv: iv, additionalData: bytes(tag + "\u0000" + id)},
      key,
      bytes(JSON.stringify(payload))
    ).then(function (box) { return {iv: iv, box: box}; });
  }

  function open(record) {
    return window.crypto.subtle.decrypt(
      {name: "AES-GCM", iv: record.iv, additionalData: bytes(record.tag + "\u0000" + record.id)},
      key,
      record.box
    ).then(function (plain) { return JSON.parse(new TextDecoder().decode(plain)); });
  }

  function saveDraft(id, state, payload) {
    return seal(id, payload).then(function (sealed) {
      return putOne("drafts", {
        id: id, tag: tag, state: state, written: payload.written, iv: sealed.iv, box: sealed.box
      });
    });
  }

  function randomToken() {
    var random = window.crypto.getRandomValues(new Uint8Array(18));
    return Array.prototype.map.call(random, function (b) {
      return ("0" + b.toString(16)).slice(-2);
    }).join("");
  }

  // --- the session --------------------------------------------------------------------------

  function seenNow() {
    try { window.localStorage.setItem(SEEN, String(Date.now())); } catch (e) { /* none */ }
  }

  function lastSeen() {
    try { return parseInt(window.localStorage.getItem(SEEN), 10) || 0; } catch (e) { return 0; }
  }

  /* "ok" (with the tag, key material and CSRF token), "ended" (the way to the sign-in page)
     or "offline". Any request extends the session, like a page. */
  function askSession() {
    return window.fetch(config.session, {
      credentials: "same-origin", redirect: "manual", cache: "no-store",
      headers: {Accept: "application/json"}
    }).then(function (response) {
      reachable = true;
      if (response.status === 200) {
        seenNow();
        return response.json().then(function (data) { data.result = "ok"; return data; });
      }
      return {result: response.type === "opaqueredirect" || response.status === 403 ||
        response.status === 404 ? "ended" : "offline"};
    }).catch(function () { reachable = false; return {result: "offline"}; });
  }

  /* Online on the shell or before sending: the session's key into IndexedDB (a new session:
     the old key and drafts are deleted first, after saying how many). */
  function adoptSession(found) {
    return getOne("keys", "current").then(function (stored) {
      csrf = found.csrf;
      if (stored && stored.tag === found.tag) {
        tag = stored.tag;
        key = stored.key;
        return true;
      }
      var wiping = stored ? wipeSaying(T.wiped).then(openDb).then(function (o) { db = o; }) :
        Promise.resolve();
      return wiping.then(function () { return importKey(found.key); }).then(function (imported) {
        key = imported;
        tag = found.tag;
        return putOne("keys", {id: "current", tag: tag, key: key});
      }).then(function () { return true; });
    });
  }

  function sessionEnded() {
    return wipeSaying(T.noSession).then(function () { render(); });
  }

  // --- sending ------------------------------------------------------------------------------

  function sendOne(record, payload) {
    var body = new URLSearchParams();
    body.append("draft_kind", payload.kind);
    body.append("case", payload.case);
    body.append("case_version", String(payload.caseVersion));
    body.append("submission", payload.token);
    payload.fields.forEach(function (pair) { body.append(pair[0], pair[1]); });
    return window.fetch(config.send, {
      method: "POST", body: body, credentials: "same-origin", redirect: "manual",
      headers: {"X-CSRFToken": csrf, Accept: "application/json"}
    }).then(function (response) {
      if (response.type === "opaqueredirect" || response.status === 403) { return "ended"; }
      if (response.status === 404) {
        payload.answer = {status: "conflict", reason: "gone", message: ""};
        return saveDraft(record.id, "conflict", payload).then(function () { return "next"; });
      }
      if ([200, 400, 409].indexOf(response.status) === -1) { return "stop"; }
      return response.json().then(function (answer) {
        if (answer.status === "saved") {
          return deleteOne("drafts", record.id).then(function () {
            return putOne("meta", {id: "lastSent", at: Date.now()});
          }).then(function () { return "next"; });
        }
        payload.answer = answer;
        return saveDraft(record.id, answer.status === "conflict" ? "conflict" : "invalid", payload)
          .then(function () { return "next"; });
      });
    }).catch(function () { reachable = false; return "stop"; });
  }

  function online() { return navigator.onLine && reachable !== false; }

  function sync() {
    if (syncing || !db || !navigator.onLine) { return Promise.resolve(); }
    syncing = true;
    return getAll("drafts").then(function (records) {
      var waiting = records.filter(function (r) { return r.state === "waiting"; });
      if (!waiting.length) { return null; }
      status(T.sending);
      return askSession().then(function (found) {
        if (found.result === "ended") { return sessionEnded(); }
        if (found.result !== "ok") { return null; }
        return adoptSession(found).then(function () {
          var chain = Promise.resolve("next");
          waiting.forEach(function (record) {
            chain = chain.then(function (last) {
              if (last !== "next" || record.tag !== tag) { return last; }
              return open(record).then(function (payload) { return sendOne(record, payload); });
            });
          });
          return chain.then(function (last) { if (last === "ended") { return sessionEnded(); } });
        });
      });
    }).catch(function () { /* tried again at the next page or signal */ })
      .then(function () { syncing = false; render(); });
  }

  // --- what the page shows ------------------------------------------------------------------

  function notice(text, level) {
    var box = document.createElement("p");
    box.className = "alert alert-" + (level || "info") + " offline-notice";
    box.setAttribute("role", "status");
    box.textContent = text;
    var main = document.getElementById("main") || document.body;
    main.insertBefore(box, main.firstChild);
  }

  function status(extra) {
    if (!statusBox) { return; }
    Promise.all([countDrafts(), db ? getOne("meta", "lastSent") : null]).then(function (found) {
      var lines = [online() ? T.online : T.offline];
      lines.push(found[0] ? say(T.waiting, {n: found[0]}) : T.none);
      if (found[1]) {
        lines.push(say(T.lastSent, {time: new Date(found[1].at).toLocaleString()}));
      }
      if (extra) { lines.push(extra); }
      statusBox.dataset.offline = online() ? "no" : "yes";
      statusBox.dataset.waiting = String(found[0]);
      statusBox.replaceChildren.apply(statusBox, lines.map(function (line) {
        var p = document.createElement("p");
        p.textContent = line;
        return p;
      }));
    });
  }

  function labelOf(kind, name, value) {
    var form = document.getElementById("offline-form");
    if (!form) { return [name, value]; }
    var inputs = form.querySelectorAll('[name="' + kind + "-" + name + '"]');
    var first = inputs[0];
    if (!first) { return [name, value]; }
    var fieldLabel = first.closest("fieldset.field, .field");
    var title = fieldLabel ? (fieldLabel.querySelector("legend, label") || {}).textContent : name;
    var shown = value;
    if (first.type === "checkbox" || first.type === "radio") {
      inputs.forEach(function (input) {
        if (input.value === value && input.labels && input.labels[0]) {
          shown = input.labels[0].textContent.trim();
        }
      });
    } else if (first.tagName === "SELECT") {
      var option = Array.prototype.find.call(first.options, function (o) { return o.value === value; });
      if (option) { shown = option.textContent.trim(); }
    }
    return [(title || name).trim(), shown];
  }

  function fieldList(payload) {
    var list = document.createElement("dl");
    list.className = "offline-fields";
    // One line per field; the values of a multiple choice (topics) together.
    var order = [];
    var values = {};
    payload.fields.forEach(function (pair) {
      if (!pair[1]) { return; }
      var labelled = labelOf(payload.kind, pair[0], pair[1]);
      if (!(labelled[0] in values)) { order.push(labelled[0]); values[labelled[0]] = []; }
      values[labelled[0]].push(labelled[1]);
    });
    order.forEach(function (title) {
      var dt = document.createElement("dt");
      dt.textContent = title.replace(/\s*\*$/, "");
      var dd = document.createElement("dd");
      dd.textContent = values[title].join(", ");
      list.append(dt, dd);
    });
    return list;
  }

  function serverSide(answer) {
    var side = document.createElement("div");
    side.className = "offline-server";
    var heading = document.createElement("h4");
    heading.textContent = T.server;
    var message = document.createElement("p");
    message.textContent = answer.message || "";
    side.append(heading, message);
    var now = answer.current || {};
    var lines = [];
    if (answer.reason === "gone") { lines.push(T.gone); }
    if (now.closed_on) { lines.push(say(T.closedOn, {date: now.closed_on})); }
    if (answer.changed_fields && answer.changed_fields.length) {
      lines.push(say(T.changed, {fields: answer.changed_fields.join(", ")}));
    }
    if (now.next_visit_due) { lines.push(say(T.nextDue, {date: now.next_visit_due})); }
    if (now.last_visit) {
      lines.push(say(T.lastVisit, {
        date: now.last_visit.date, kind: now.last_visit.kind,
        topics: (now.last_visit.topics || []).join(", ")
      }));
    }
    if (answer.errors) {
      Object.keys(answer.errors).forEach(function (name) {
        answer.errors[name].forEach(function (error) { lines.push(error.message); });
      });
    }
    lines.forEach(function (line) {
      var p = document.createElement("p");
      p.textContent = line;
      side.append(p);
    });
    return side;
  }

  function button(text, action, className) {
    var b = document.createElement("button");
    b.type = "button";
    b.className = className || "button";
    b.textContent = text;
    b.addEventListener("click", action);
    return b;
  }

  function draftItem(record, payload) {
    var item = document.createElement("li");
    item.className = "offline-draft";
    item.dataset.state = record.state;
    item.dataset.id = record.id;
    var heading = document.createElement("h3");
    var kinds = T.kinds || {};
    heading.textContent = (kinds[payload.kind] || payload.kind) + " · " + payload.reference;
    item.append(heading);
    var state = document.createElement("p");
    state.className = "offline-state";
    state.textContent = record.state === "conflict" ? T.conflict :
      record.state === "invalid" ? T.invalid : T.saved;
    item.append(state);
    var mine = document.createElement("div");
    mine.className = "offline-mine";
    var mineHeading = document.createElement("h4");
    mineHeading.textContent = T.yours;
    mine.append(mineHeading, fieldList(payload));
    var sides = document.createElement("div");
    sides.className = "offline-sides";
    sides.append(mine);
    if (payload.answer) { sides.append(serverSide(payload.answer)); }
    item.append(sides);
    var actions = document.createElement("div");
    actions.className = "actions";
    var reason = payload.answer && payload.answer.reason;
    if (record.state === "conflict" && reason === "changed") {
      actions.append(button(T.sendAnyway, function () {
        // Sent against the case as it is now, as a record of its own: nothing is merged.
        payload.caseVersion = payload.answer.current.version;
        delete payload.answer;
        saveDraft(record.id, "waiting", payload).then(sync);
      }, "button primary"));
    }
    if (record.state !== "waiting" && isShell && reason !== "closed" && reason !== "gone") {
      actions.append(button(T.edit, function () { edit(record, payload); }));
    }
    actions.append(button(T.delete, function () {
      if (window.confirm(T.confirmDelete)) {
        deleteOne("drafts", record.id).then(render);
      }
    }, "button danger"));
    item.append(actions);
    return item;
  }

  function render() {
    status();
    var list = document.getElementById("offline-drafts");
    if (!list) { return Promise.resolve(); }
    if (!db || !key) { list.replaceChildren(); return Promise.resolve(); }
    return getAll("drafts").then(function (records) {
      records.sort(function (a, b) { return a.written - b.written; });
      return Promise.all(records.map(function (record) {
        return open(record).then(function (payload) { return draftItem(record, payload); })
          .catch(function () { return null; });
      }));
    }).then(function (items) {
      list.replaceChildren.apply(list, items.filter(Boolean));
    });
  }

  // --- the shell's forms --------------------------------------------------------------------

  function isoDay(offsetDays) {
    var day = new Date(Date.now() + (offsetDays || 0) * 86400000);
    day.setMinutes(day.getMinutes() - day.getTimezoneOffset());
    return day.toISOString().slice(0, 10);
  }

  function defaults(form) {
    ["visit-date", "contact-date"].forEach(function (name) {
      var input = form.elements[name];
      if (input && !input.value) { input.value = isoDay(0); }
    });
    var due = form.elements["task-due_on"];
    if (due && !due.value) { due.value = isoDay(7); }
  }

  function chosenKind(form) {
    var checked = form.querySelector('input[name="draft_kind"]:checked');
    return checked ? checked.value : "visit";
  }

  function showKind(form) {
    var kind = chosenKind(form);
    form.querySelectorAll("fieldset[data-kind]").forEach(function (set) {
      var active = set.dataset.kind === kind;
      set.hidden = !active;
      set.disabled = !active;
    });
  }

  function fillDay() {
    var list = document.getElementById("offline-day");
    var select = document.getElementById("offline-case");
    if (!list || !select) { return Promise.resolve(); }
    return window.fetch(config.day, {credentials: "same-origin", redirect: "manual"})
      .then(function (response) { return response.status === 200 ? response.json() : null; })
      .catch(function () { return null; })
      .then(function (data) {
        var items = data ? data.items : [];
        var empty = document.getElementById("offline-day-empty");
        if (empty) { empty.hidden = items.length > 0; }
        var kinds = T.kinds || {};
        list.replaceChildren.apply(list, items.map(function (item) {
          var li = document.createElement("li");
          li.textContent = [item.time, item.reference, kinds[item.kind] || item.kind]
            .filter(Boolean).join(" · ");
          return li;
        }));
        var seen = {};
        items.forEach(function (item) {
          if (seen[item.case]) { return; }
          seen[item.case] = true;
          var option = document.createElement("option");
          option.value = item.case;
          option.dataset.version = String(item.version);
          option.dataset.reference = item.reference;
          option.textContent = item.reference + (item.time ? " · " + item.time : "");
          select.append(option);
        });
      });
  }

  function edit(record, payload) {
    var form = document.getElementById("offline-form");
    form.reset();
    form.dataset.editing = record.id;
    var kindInput = form.querySelector('input[name="draft_kind"][value="' + payload.kind + '"]');
    if (kindInput) { kindInput.checked = true; }
    showKind(form);
    var select = form.elements["case"];
    if (!Array.prototype.some.call(select.options, function (o) { return o.value === payload.case; })) {
      var option = document.createElement("option");
      option.value = payload.case;
      option.dataset.version = String(payload.caseVersion);
      option.dataset.reference = payload.reference;
      option.textContent = payload.reference;
      select.append(option);
    }
    select.value = payload.case;
    payload.fields.forEach(function (pair) {
      var inputs = form.querySelectorAll('[name="' + payload.kind + "-" + pair[0] + '"]');
      inputs.forEach(function (input) {
        if (input.type === "checkbox" || input.type === "radio") {
          if (input.value === pair[1]) { input.checked = true; }
        } else {
          input.value = pair[1];
        }
      });
    });
    form.scrollIntoView();
    form.elements["case"].focus();
  }

  function onSubmit(event) {
    event.preventDefault();
    var form = event.target;
    var select = form.elements["case"];
    var option = select.options[select.selectedIndex];
    var error = document.getElementById("offline-case-error");
    if (!option || !option.value) {
      if (error) { error.textContent = T.chooseCase; error.hidden = false; }
      select.focus();
      return;
    }
    if (error) { error.hidden = true; }
    var kind = chosenKind(form);
    var prefix = kind + "-";
    var fields = [];
    new FormData(form).forEach(function (value, name) {
      if (name.indexOf(prefix) === 0 && typeof value === "string") {
        fields.push([name.slice(prefix.length), value]);
      }
    });
    var editing = form.dataset.editing;
    var id = editing || randomToken();
    var keepToken = editing ? getOne("drafts", editing).then(function (r) {
      return r ? open(r).then(function (p) { return p.token; }) : randomToken();
    }) : Promise.resolve(randomToken());
    keepToken.then(function (token) {
      return saveDraft(id, "waiting", {
        kind: kind,
        case: option.value,
        caseVersion: parseInt(option.dataset.version, 10),
        reference: option.dataset.reference,
        token: token,
        fields: fields,
        written: Date.now()
      });
    }).then(function () {
      delete form.dataset.editing;
      form.reset();
      defaults(form);
      showKind(form);
      return render();
    }).then(function () {
      status(T.saved);
      return sync();
    });
  }

  function setUpShell() {
    statusBox = document.getElementById("offline-status");
    var form = document.getElementById("offline-form");
    if (!form) { return Promise.resolve(); }
    defaults(form);
    showKind(form);
    form.addEventListener("change", function (event) {
      if (event.target.name === "draft_kind") { showKind(form); }
    });
    form.addEventListener("submit", onSubmit);
    return fillDay();
  }

  // --- signing out --------------------------------------------------------------------------

  function guardLogout() {
    document.querySelectorAll("form").forEach(function (form) {
      if (new URL(form.action, window.location.href).pathname !== config.logout) { return; }
      form.addEventListener("submit", function (event) {
        event.preventDefault();
        countDrafts().then(function (count) {
          if (count === 0) { return wipe().then(function () { form.submit(); }); }
          warnLogout(form, count);
        });
      });
    });
  }

  function warnLogout(form, count) {
    var old = document.getElementById("offline-logout-warning");
    if (old) { old.remove(); }
    var box = document.createElement("section");
    box.id = "offline-logout-warning";
    box.className = "alert alert-warning offline-warning";
    box.setAttribute("role", "alertdialog");
    box.setAttribute("aria-labelledby", "offline-logout-text");
    var text = document.createElement("p");
    text.id = "offline-logout-text";
    text.textContent = say(T.logoutWarning, {n: count});
    var go = button(T.logoutConfirm, function () {
      go.disabled = true;
      wipe().then(function () { form.submit(); });
    }, "button danger");
    var stay = button(T.stay, function () { box.remove(); });
    box.append(text, go, stay);
    var main = document.getElementById("main") || document.body;
    main.insertBefore(box, main.firstChild);
    go.focus();
  }

  // --- the idle end -------------------------------------------------------------------------

  function watchIdle() {
    if (!idle) { return; }
    window.setInterval(function () {
      var seen = lastSeen();
      if (!seen || !db) { return; }
      var left = seen + idle - Date.now();
      if (left <= 0) {
        wipeSaying(T.wiped).then(function () { render(); });
      } else if (left <= WARN_BEFORE) {
        countDrafts().then(function (count) {
          if (count && !document.getElementById("offline-idle-warning")) {
            notice(say(T.idleWarning, {n: count}), "warning");
            document.querySelector(".offline-notice").id = "offline-idle-warning";
          }
        });
      }
    }, 5000);
  }

  // --- start --------------------------------------------------------------------------------

  function registerWorker() {
    if (!config.worker || !("serviceWorker" in navigator)) { return; }
    navigator.serviceWorker.register(config.worker, {scope: config.scope})
      .catch(function () { /* no worker: the shell is simply not offline */ });
  }

  function start() {
    var usable = window.crypto && window.crypto.subtle && window.indexedDB && window.TextEncoder;
    if (config.state === "signed-out") {
      if (!window.indexedDB) { return; }
      openDb().then(function (o) { db = o; return wipeSaying(T.wiped); });
      return;
    }
    if (!usable) {
      if (isShell) { notice(T.noCrypto, "error"); }
      return;
    }
    var ready = openDb().then(function (opened) {
      db = opened;
      return getOne("keys", "current");
    }).then(function (stored) {
      var expired = lastSeen() && idle && lastSeen() + idle < Date.now();
      // A signed-in page names its session's tag ("" before the shell first asked for the
      // key): a key of any other tag is another session's.
      var other = config.state === "signed-in" && stored && stored.tag !== (config.tag || "");
      if (stored && (other || expired)) {
        // Another session's key and drafts (or the session ended): never readable here.
        return wipeSaying(T.wiped).then(openDb).then(function (o) { db = o; return null; });
      }
      return stored;
    }).then(function (stored) {
      if (stored) { key = stored.key; tag = stored.tag; }
    });
    if (!isShell) {
      seenNow();
      registerWorker();
      guardLogout();
      ready.then(function () {
        return countDrafts().then(function (count) {
          if (!count) { return; }
          // The visible state on every page while drafts wait: how many, and where they are.
          var bar = document.createElement("p");
          bar.className = "alert alert-warning offline-bar";
          bar.setAttribute("role", "status");
          var link = document.createElement("a");
          link.href = config.scope;
          link.textContent = T.open;
          bar.append(say(T.waiting, {n: count}) + " ", link);
          var main = document.getElementById("main") || document.body;
          main.insertBefore(bar, main.firstChild);
          sync();
        });
      });
      window.addEventListener("online", sync);
      watchIdle();
      return;
    }
    registerWorker();
    ready.then(function () {
      if (!navigator.onLine) { return null; }
      return askSession().then(function (found) {
        if (found.result === "ended") { return sessionEnded(); }
        if (found.result === "ok") { return adoptSession(found); }
        return null;
      });
    }).then(setUpShell).then(render).then(sync);
    window.addEventListener("online", function () { status(); sync(); });
    window.addEventListener("offline", function () { status(); });
    // Drafts waiting and the server out of reach: try again now and then (the "online" event
    // does not come when the signal returns without the browser having noticed it gone).
    window.setInterval(function () {
      if (reachable !== false || !navigator.onLine || syncing) { return; }
      askSession().then(function (found) {
        if (found.result === "ended") { return sessionEnded(); }
        status();
        return found.result === "ok" ? sync() : null;
      });
    }, RETRY);
    watchIdle();
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
}());
