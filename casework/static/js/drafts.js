// Nothing typed is lost (issue 16, decision 0110). A progressive script: without it every
// form works as before. It
//  * saves what is typed into a form marked `data-draft` to the server as a draft (encrypted
//    there, its author's alone), a moment after the typing stops;
//  * fills the form in again from that draft when the person comes back to it;
//  * before sending the form, saves the draft once more: if the network is gone, nothing is
//    sent, the form stays as it is on the page and "Try again" sends it when it can;
//  * warns before the idle timeout ("Stay signed in"), and counts typing as activity (a
//    keep-alive at most once a minute while the person types).
// Values live in the page and on the server only: never in localStorage or sessionStorage.
(function () {
  "use strict";
  var SAVE_DELAY = 1200;        // ms after the last keystroke
  var PING_EVERY = 60 * 1000;   // keep-alive at most once a minute
  var SKIPPED = { csrf_token: true, submission: true };
  var settings = document.getElementById("cw-drafts");
  var warning = document.getElementById("cw-session");
  if (!settings || !window.fetch) { return; }

  function text(name, moment) {
    var value = settings.getAttribute("data-text-" + name) || "";
    return moment === undefined ? value : value.replace("%(moment)s", moment);
  }

  function csrfToken(form) {
    var field = (form || document).querySelector("input[name=csrf_token]");
    return field ? field.value : "";
  }

  // ---- the session: last contact with the server, the warning, the keep-alive -------------
  var lastContact = Date.now();
  var lastPing = Date.now();
  var ended = false;
  var idleMs = warning ? parseInt(warning.getAttribute("data-idle-seconds"), 10) * 1000 : 0;
  var warnMs = warning ? parseInt(warning.getAttribute("data-warning-seconds"), 10) * 1000 : 0;
  warnMs = Math.min(warnMs, idleMs / 2);
  var focusBefore = null;

  function contacted() { lastContact = Date.now(); if (!ended) { hideWarning(); } }

  function signedOutAnswer(response) {
    return response.redirected && new URL(response.url).pathname.indexOf("/sign-in") === 0;
  }

  function post(url, body, form) {
    var headers = { "X-CSRFToken": csrfToken(form), "Accept": "application/json" };
    if (body !== undefined) { headers["Content-Type"] = "application/json"; }
    return fetch(url, {
      method: "POST", credentials: "same-origin", headers: headers,
      body: body === undefined ? undefined : JSON.stringify(body)
    }).then(function (response) {
      if (signedOutAnswer(response)) { showEnded(); return { signedOut: true }; }
      contacted();
      return { ok: response.ok, response: response };
    });
  }

  function ping() {
    if (!warning || ended) { return Promise.resolve(); }
    lastPing = Date.now();
    return post(warning.getAttribute("data-alive-url")).catch(function () {});
  }

  function showWarning() {
    if (!warning.hidden) { return; }
    focusBefore = document.activeElement;
    warning.querySelector("[data-warning]").hidden = false;
    warning.querySelector("[data-ended]").hidden = true;
    warning.querySelector("[data-stay]").hidden = false;
    warning.querySelector("[data-sign-in]").hidden = true;
    warning.hidden = false;
    warning.querySelector("[data-stay]").focus();
  }

  function hideWarning() {
    if (!warning || warning.hidden) { return; }
    warning.hidden = true;
    if (focusBefore && document.contains(focusBefore)) { focusBefore.focus(); }
  }

  function showEnded() {
    ended = true;
    if (!warning) { return; }
    if (warning.hidden) { focusBefore = document.activeElement; }
    warning.querySelector("[data-warning]").hidden = true;
    warning.querySelector("[data-ended]").hidden = false;
    warning.querySelector("[data-stay]").hidden = true;
    warning.querySelector("[data-sign-in]").hidden = false;
    warning.hidden = false;
    warning.querySelector("[data-sign-in]").focus();
  }

  if (warning && idleMs > 0) {
    warning.querySelector("[data-stay]").addEventListener("click", function () { ping(); });
    warning.addEventListener("keydown", function (event) {
      if (event.key === "Escape" && !ended) { ping(); }
    });
    // Before warning (or saying the session ended), ask the server how much time is left,
    // without renewing it: another tab may have kept the session alive.
    var asked = 0;
    function askServer(then) {
      asked = Date.now();
      fetch(warning.getAttribute("data-alive-url"), {
        credentials: "same-origin", headers: { "Accept": "application/json" }
      }).then(function (response) {
        if (signedOutAnswer(response)) { showEnded(); return null; }
        return response.ok ? response.json() : null;
      }).then(function (data) {
        if (!data || ended) { return; }
        lastContact = Date.now() - (idleMs - data.seconds_left * 1000);
        then(idleMs - (Date.now() - lastContact));
      }).catch(function () { then(idleMs - (Date.now() - lastContact)); });
    }
    setInterval(function () {
      if (ended) { return; }
      var left = idleMs - (Date.now() - lastContact);
      if (left > warnMs) { return; }
      if (Date.now() - asked < 5000) { return; }
      askServer(function (serverLeft) {
        if (serverLeft <= 0) { showEnded(); } else if (serverLeft <= warnMs) { showWarning(); } else { hideWarning(); }
      });
    }, 1000);
    document.addEventListener("input", function () {
      if (Date.now() - lastPing >= PING_EVERY) { ping(); }
    }, true);
  }

  // ---- drafts -------------------------------------------------------------------------------
  function pathOf(url) { return new URL(url, window.location.href).pathname; }

  function collect(form) {
    var values = {};
    Array.prototype.forEach.call(form.elements, function (el) {
      var name = el.name;
      if (!name || el.disabled || SKIPPED[name]) { return; }
      var type = (el.type || "").toLowerCase();
      if (type === "file" || type === "submit" || type === "button" || type === "reset" ||
          type === "password" || type === "image") { return; }
      if ((type === "checkbox" || type === "radio") && !el.checked) { return; }
      var list = values[name] || (values[name] = []);
      if (type === "select-multiple") {
        Array.prototype.forEach.call(el.options, function (o) { if (o.selected) { list.push(o.value); } });
      } else {
        list.push(el.value);
      }
    });
    return values;
  }

  function fill(form, values) {
    var seen = {};
    if (window.cwRows) { window.cwRows.ensure(form, values); }  // the rows the draft holds
    Array.prototype.forEach.call(form.elements, function (el) {
      var name = el.name;
      if (!name || SKIPPED[name]) { return; }
      var type = (el.type || "").toLowerCase();
      if (type === "file" || type === "submit" || type === "button" || type === "reset" ||
          type === "password" || type === "image") { return; }
      var kept = values[name] || [];
      if (type === "checkbox" || type === "radio") {
        el.checked = kept.indexOf(el.value) !== -1;
      } else if (type === "select-multiple") {
        Array.prototype.forEach.call(el.options, function (o) { o.selected = kept.indexOf(o.value) !== -1; });
      } else if (Object.prototype.hasOwnProperty.call(values, name)) {
        var index = seen[name] || 0;
        seen[name] = index + 1;
        if (index < kept.length) { el.value = kept[index]; }
      }
    });
  }

  function Draft(form) {
    this.form = form;
    this.formKey = pathOf(form.getAttribute("action") || window.location.href);
    this.page = window.location.pathname;
    this.timer = null;
    this.saving = null;
    this.sending = false;
    this.status = document.createElement("p");
    this.status.className = "form-text cw-draft-status";
    form.appendChild(this.status);
    this.alert = document.createElement("div");
    this.alert.setAttribute("role", "alert");
    this.alert.className = "cw-draft-alert";
    form.insertBefore(this.alert, form.firstChild);
    var self = this;
    form.addEventListener("input", function () { self.later(); });
    form.addEventListener("change", function () { self.later(); });
    form.addEventListener("submit", function (event) { self.submit(event); });
    this.restore();
  }

  Draft.prototype.later = function () {
    var self = this;
    if (this.sending) { return; }
    clearTimeout(this.timer);
    this.timer = setTimeout(function () { self.save(); }, SAVE_DELAY);
  };

  // Resolves to "saved", "signed-out", "offline" or "refused".
  Draft.prototype.save = function () {
    var self = this;
    clearTimeout(this.timer);
    var body = { form: this.formKey, page: this.page, values: collect(this.form) };
    var previous = this.saving || Promise.resolve();
    this.saving = previous.then(function () {
      return post(settings.getAttribute("data-save-url"), body, self.form);
    }).then(function (result) {
      if (result.signedOut) { return "signed-out"; }
      // 400 is the CSRF refusal: the session is gone (its store forgot it after the idle
      // time). Refusals of a draft itself are 422.
      if (!result.ok && result.response.status === 400) { showEnded(); return "signed-out"; }
      if (!result.ok) { return "refused"; }
      return result.response.json().then(function (data) {
        self.draftId = data.id;
        self.status.textContent = text("saved", data.saved);
        return "saved";
      });
    }, function () { return "offline"; });
    return this.saving;
  };

  Draft.prototype.restore = function () {
    var self = this;
    var url = settings.getAttribute("data-find-url") + "?form=" + encodeURIComponent(this.formKey);
    fetch(url, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (data) {
        if (!data || !data.values) { return; }
        self.draftId = data.id;
        fill(self.form, data.values);
        self.notice(text("restored", data.saved), text("discard"), function () { self.discard(); });
      })
      .catch(function () {});
  };

  Draft.prototype.discard = function () {
    if (!this.draftId) { return; }
    var url = settings.getAttribute("data-save-url") + "/" + this.draftId + "/discard";
    post(url, undefined, this.form).then(function () { window.location.reload(); });
  };

  Draft.prototype.notice = function (message, buttonText, action, role) {
    var box = this.alert;
    box.textContent = "";
    box.className = "cw-draft-alert alert " + (role === "danger" ? "alert-danger" : "alert-info");
    var words = document.createElement("p");
    words.className = "mb-2";
    words.textContent = message;
    box.appendChild(words);
    if (buttonText) {
      var button = document.createElement("button");
      button.type = "button";
      button.className = "btn btn-sm " + (role === "danger" ? "btn-primary" : "btn-outline-dark");
      button.textContent = buttonText;
      button.addEventListener("click", action);
      box.appendChild(button);
      return button;
    }
    return null;
  };

  Draft.prototype.submit = function (event) {
    if (this.sending) { return; }  // the second pass: the browser sends the form
    event.preventDefault();
    var self = this;
    var submitter = event.submitter || null;
    if (ended) {  // the idle time passed on this page: the server would refuse the form
      this.notice(text("signed-out"), text("sign-in"), function () {
        window.location.assign(settings.getAttribute("data-sign-in-url"));
      }, "danger");
      return;
    }
    this.save().then(function (outcome) {
      if (outcome === "offline") {
        var again = self.notice(text("offline"), text("try-again"), function () {
          self.resend(submitter);
        }, "danger");
        if (again) { again.focus(); }
        return;
      }
      if (outcome === "signed-out") {
        self.notice(text("signed-out"), text("sign-in"), function () {
          window.location.assign(settings.getAttribute("data-sign-in-url"));
        }, "danger");
        return;
      }
      self.send(submitter);  // saved (or refused: the draft is a help, never a gate)
    });
  };

  Draft.prototype.resend = function (submitter) {
    var self = this;
    this.save().then(function (outcome) {
      if (outcome === "offline") {
        self.alert.querySelector("button").focus();
        return;
      }
      self.alert.textContent = "";
      self.alert.className = "cw-draft-alert";
      self.send(submitter);
    });
  };

  Draft.prototype.send = function (submitter) {
    this.sending = true;
    clearTimeout(this.timer);
    if (this.form.requestSubmit) {
      this.form.requestSubmit(submitter && submitter.form === this.form ? submitter : undefined);
    } else {
      this.form.submit();
    }
    var self = this;
    // If the browser could not send it after all (the page is still here), allow another go.
    setTimeout(function () { self.sending = false; }, 5000);
  };

  function start() {
    Array.prototype.forEach.call(document.querySelectorAll("form[data-draft]"), function (form) {
      new Draft(form);  // eslint-disable-line no-new
    });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
}());
