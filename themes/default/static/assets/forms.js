/* Progressive enhancement of the éclaireurs forms. Without this script the forms post as
   plain HTML and the function answers with a page; with it, they are sent as JSON with an
   idempotency key made here, errors appear next to their fields, focus moves to the first
   one, the outcome is announced through the form's live region, and a second click while
   sending does nothing. The key stays while the answers stay the same (a retry after a lost
   answer is recognised, never stored twice) and a new one is made as soon as they change (a
   corrected form is a new submission: the function refuses a key reused with other
   answers). No framework, no dependency. */
(function () {
  "use strict";

  if (!window.fetch || !window.JSON) return;

  function newKey() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    return "k" + Date.now().toString(36) + Math.random().toString(36).slice(2, 12);
  }

  /* The form's fields as JSON: repeated checkboxes (roles) become a list, a single
     checkbox (consent) a boolean, everything else text. */
  function collect(form) {
    var data = {};
    var counts = {};
    Array.prototype.forEach.call(form.elements, function (el) {
      if (el.name && el.type === "checkbox") counts[el.name] = (counts[el.name] || 0) + 1;
    });
    Array.prototype.forEach.call(form.elements, function (el) {
      if (!el.name || el.disabled || el.type === "submit") return;
      if (el.type === "checkbox") {
        if (counts[el.name] > 1) {
          data[el.name] = data[el.name] || [];
          if (el.checked) data[el.name].push(el.value);
        } else {
          data[el.name] = el.checked;
        }
      } else {
        data[el.name] = el.value;
      }
    });
    return data;
  }

  function say(form, text) {
    var status = form.querySelector("[data-form-status]");
    if (status) status.textContent = text || "";
  }

  function describedBy(el, id, add) {
    var ids = (el.getAttribute("aria-describedby") || "").split(/\s+/).filter(function (x) {
      return x && x !== id;
    });
    if (add) ids.unshift(id);
    if (ids.length) el.setAttribute("aria-describedby", ids.join(" "));
    else el.removeAttribute("aria-describedby");
  }

  /* The errors of the page, whether this script showed them or the function's page came
     with them (a post sent before the script arrived): the same markup either way. */
  function clearErrors(form) {
    Array.prototype.forEach.call(form.querySelectorAll("[data-error-summary]"), function (s) {
      s.parentNode.removeChild(s);
    });
    Array.prototype.forEach.call(form.querySelectorAll(".field-error"), function (p) {
      var target = document.getElementById(p.getAttribute("data-for"));
      if (target) {
        target.removeAttribute("aria-invalid");
        describedBy(target, p.id, false);
      }
      p.parentNode.removeChild(p);
    });
  }

  /* The element a field's error belongs to: its input, or the fieldset of a list of
     checkboxes. */
  function fieldElement(form, name) {
    return document.getElementById(form.getAttribute("data-form") + "-" + name);
  }

  /* A short name for the summary: the label, or the legend of a list of checkboxes or of
     the consent box's fieldset, without the "(required)" marker. */
  function labelOf(el) {
    var group = el.tagName === "FIELDSET" ? el : el.type === "checkbox" && el.closest("fieldset");
    var source = group
      ? group.querySelector("legend")
      : el.id && document.querySelector('label[for="' + el.id + '"]');
    var text = source ? source.textContent : el.name || el.id;
    return text.replace(/\s*\([^)]*\)\s*$/, "").replace(/[.\s]+$/, "").trim();
  }

  function showErrors(form, errors) {
    clearErrors(form);
    var first = null;
    var labels = [];
    errors.forEach(function (error) {
      var el = error.field && fieldElement(form, error.field);
      if (!el) {
        labels.push(error.message);
        return;
      }
      var p = document.createElement("p");
      p.className = "field-error";
      p.id = el.id + "-error";
      p.setAttribute("data-for", el.id);
      var prefix = document.createElement("span");
      prefix.className = "visually-hidden";
      prefix.textContent = form.getAttribute("data-msg-error-prefix") + " ";
      p.appendChild(prefix);
      p.appendChild(document.createTextNode(error.message));
      if (el.tagName === "FIELDSET") {
        var legend = el.querySelector("legend");
        legend.parentNode.insertBefore(p, legend.nextSibling);
      } else if (el.type === "checkbox") {
        /* Above the box and its label, which sit side by side. */
        var row = el.closest(".check") || el;
        row.parentNode.insertBefore(p, row);
      } else {
        el.parentNode.insertBefore(p, el);
      }
      el.setAttribute("aria-invalid", "true");
      describedBy(el, p.id, true);
      labels.push(labelOf(el));
      if (!first) first = el;
    });
    say(
      form,
      (form.getAttribute("data-msg-errors") || "")
        .replace("{count}", String(errors.length))
        .replace("{fields}", labels.join(", "))
    );
    if (first) {
      var focusable =
        first.tagName === "FIELDSET" ? first.querySelector("input, select, textarea") : first;
      if (focusable) focusable.focus();
    }
  }

  function enhance(form) {
    var button = form.querySelector('button[type="submit"]');
    /* The idempotency key, and the answers (the body) it was made for. */
    var key = null;
    var keyBody = null;
    var sending = false;
    /* Set once stored, while the thank-you page loads: the form stays locked until then, so a
       click meanwhile sends nothing more. */
    var leaving = false;
    /* The server's checks, worded in the page's language, are the reference. */
    form.noValidate = true;
    /* Back from the thank-you page (restored from the back/forward cache): a new submission. */
    window.addEventListener("pageshow", function (event) {
      if (!event.persisted || !leaving) return;
      leaving = false;
      sending = false;
      keyBody = null;
      if (button) button.removeAttribute("aria-disabled");
      say(form, "");
    });
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      if (sending) return;
      sending = true;
      if (button) button.setAttribute("aria-disabled", "true");
      say(form, form.getAttribute("data-msg-sending"));
      var body = JSON.stringify(collect(form));
      if (body !== keyBody) {
        key = newKey();
        keyBody = body;
      }
      fetch(form.action, {
        method: "POST",
        headers: {
          "Content-Type": "application/json",
          Accept: "application/json",
          "Idempotency-Key": key
        },
        body: body
      })
        .then(function (response) {
          return response
            .json()
            .catch(function () {
              return {};
            })
            .then(function (body) {
              return { status: response.status, body: body };
            });
        })
        .then(function (reply) {
          if (reply.status === 201) {
            clearErrors(form);
            var thanks = form.getAttribute("data-thanks");
            if (thanks) {
              leaving = true;
              window.location.assign(thanks);
              return;
            }
            keyBody = null;
            return;
          }
          var reused = (reply.body.errors || []).some(function (error) {
            return error.code === "idempotency_key_reused";
          });
          if (reused) {
            /* The key went with other answers: the next click sends these with a new one. */
            keyBody = null;
          } else if (reply.status === 422 && reply.body.errors) {
            showErrors(form, reply.body.errors);
            return;
          }
          var errors = reply.body.errors || [];
          say(form, (errors[0] && errors[0].message) || form.getAttribute("data-msg-failed"));
        })
        .catch(function () {
          say(form, form.getAttribute("data-msg-failed"));
        })
        .then(function () {
          if (leaving) return;
          sending = false;
          if (button) button.removeAttribute("aria-disabled");
        });
    });
  }

  Array.prototype.forEach.call(document.querySelectorAll("form[data-form]"), enhance);
})();
