/* plugfair dashboard: progressive enhancement over the JSON API.
 *
 * Loaded as a static file (the Content-Security-Policy forbids inline
 * script and eval).  Every plugin-supplied string goes into the page as
 * textContent or an attribute value, never as HTML.
 */
(function () {
  "use strict";

  var current = null;

  function readEmbedded() {
    var node = document.getElementById("quota-data");
    if (!node) {
      return null;
    }
    try {
      return JSON.parse(node.textContent);
    } catch (err) {
      return null;
    }
  }

  function csrfToken() {
    var meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.getAttribute("content") : "";
  }

  function byData(selector, attr, value, root) {
    var nodes = (root || document).querySelectorAll(selector);
    for (var i = 0; i < nodes.length; i++) {
      if (nodes[i].getAttribute(attr) === value) {
        return nodes[i];
      }
    }
    return null;
  }

  function showError(message) {
    var boxes = document.querySelectorAll(".api-error");
    for (var i = 0; i < boxes.length; i++) {
      boxes[i].textContent = message || "";
      boxes[i].hidden = !message;
    }
  }

  function setStatus(form, message) {
    var status = form.querySelector(".form-status");
    if (status) {
      status.textContent = message;
    }
  }

  function setTitle(node, text) {
    if (text) {
      node.title = text;
    } else {
      node.removeAttribute("title");
    }
  }

  function updateBar(bar, res) {
    bar.className = "bar bar-" + res.state;
    setTitle(bar, res.usage_reason ? "Usage unknown: " + res.usage_reason : "");
    var value = bar.querySelector(".bar-value");
    if (value) {
      value.textContent = res.label;
    }
    var meter = bar.querySelector("meter");
    if (meter) {
      meter.setAttribute("max", String(res.meter.max));
      meter.setAttribute("low", String(res.meter.low));
      meter.setAttribute("high", String(res.meter.high));
      meter.setAttribute("value", String(res.meter.value));
      meter.setAttribute("aria-label", res.key + ": " + res.label);
    }
  }

  function cellText(row, selector, text) {
    var cell = row.querySelector(selector);
    if (cell) {
      cell.textContent = text;
    }
  }

  function updateRow(row, res) {
    var input = row.querySelector("input.limit-input");
    if (input) {
      input.value = String(res.limit);
    } else {
      cellText(row, ".limit-text", res.limit === -1 ? "unlimited" : String(res.limit));
    }
    var limitCell = row.querySelector(".res-limit");
    var mark = row.querySelector(".overridden");
    if (res.overridden && !mark && limitCell) {
      mark = document.createElement("span");
      mark.className = "overridden";
      mark.title = "Set for this project";
      mark.textContent = "set";
      limitCell.appendChild(mark);
    } else if (!res.overridden && mark) {
      mark.parentNode.removeChild(mark);
    }
    cellText(row, ".res-in-use", res.in_use === null ? "unknown" : String(res.in_use));
    var inUse = row.querySelector(".res-in-use");
    if (inUse) {
      setTitle(inUse, res.usage_reason);
    }
    var remaining = res.remaining;
    if (remaining === null) {
      remaining = res.limit === -1 ? "unlimited" : "unknown";
    }
    cellText(row, ".res-remaining", String(remaining));
  }

  function apply(data) {
    current = data;
    for (var p = 0; p < data.plugins.length; p++) {
      var plugin = data.plugins[p];
      var panel = byData("section.panel", "data-plugin", plugin.name);
      if (!panel) {
        continue;
      }
      var status = panel.querySelector(".usage-status");
      if (status) {
        status.className = "usage-status usage-" + plugin.usage;
        status.textContent = plugin.usage === "unknown" ? "usage unknown" : "";
        setTitle(status, plugin.usage_reason);
      }
      var reason = panel.querySelector(".usage-reason");
      if (reason) {
        reason.textContent = plugin.usage_reason;
        reason.hidden = !plugin.usage_reason;
      }
      for (var r = 0; r < plugin.resources.length; r++) {
        var res = plugin.resources[r];
        var bar = byData("li.bar", "data-key", res.key, panel);
        if (bar) {
          updateBar(bar, res);
        }
        var row = byData("tr.resource-row", "data-key", res.key);
        if (row) {
          updateRow(row, res);
        }
      }
    }
  }

  function request(method, url, body) {
    var init = {
      method: method,
      credentials: "same-origin",
      headers: {"Accept": "application/json"}
    };
    if (body !== undefined) {
      init.headers["Content-Type"] = "application/json";
      init.headers["X-CSRF-Token"] = csrfToken();
      init.body = JSON.stringify(body);
    }
    return fetch(url, init).then(function (response) {
      return response.json().then(function (payload) {
        if (!response.ok) {
          var message = payload && payload.error ? payload.error.message : "";
          throw new Error(message || ("The dashboard answered " + response.status + "."));
        }
        return payload;
      }, function () {
        throw new Error("The dashboard answered " + response.status + ".");
      });
    });
  }

  function limitsOf(data) {
    var out = {};
    if (!data) {
      return out;
    }
    for (var p = 0; p < data.plugins.length; p++) {
      var resources = data.plugins[p].resources;
      for (var r = 0; r < resources.length; r++) {
        out[resources[r].key] = resources[r].limit;
      }
    }
    return out;
  }

  function onRefresh(event) {
    var button = event.currentTarget;
    var url = button.getAttribute("data-api");
    button.disabled = true;
    request("GET", url).then(function (data) {
      showError("");
      apply(data);
    }).catch(function (err) {
      showError(err.message);
    }).then(function () {
      button.disabled = false;
    });
  }

  function onSave(event) {
    var form = event.currentTarget;
    var url = form.getAttribute("data-api");
    if (!url || typeof fetch !== "function") {
      return; // plain form post
    }
    event.preventDefault();
    var known = limitsOf(current);
    var changed = {};
    var count = 0;
    var inputs = form.querySelectorAll("input.limit-input");
    for (var i = 0; i < inputs.length; i++) {
      var key = inputs[i].getAttribute("data-key");
      var text = inputs[i].value.trim();
      if (String(known[key]) !== text) {
        changed[key] = /^-?[0-9]+$/.test(text) ? Number(text) : text;
        count++;
      }
    }
    if (!count) {
      setStatus(form, "Nothing changed.");
      return;
    }
    var button = form.querySelector("button.save");
    if (button) {
      button.disabled = true;
    }
    setStatus(form, "Saving…");
    request("PATCH", url, {limits: changed}).then(function (data) {
      showError("");
      apply(data);
      setStatus(form, "Saved " + count + " limit(s).");
    }).catch(function (err) {
      showError(err.message);
      setStatus(form, "Not saved: nothing was changed.");
    }).then(function () {
      if (button) {
        button.disabled = false;
      }
    });
  }

  function start() {
    current = readEmbedded();
    var buttons = document.querySelectorAll("button.refresh");
    for (var i = 0; i < buttons.length; i++) {
      buttons[i].addEventListener("click", onRefresh);
    }
    var forms = document.querySelectorAll("form.edit-limits");
    for (var j = 0; j < forms.length; j++) {
      if (forms[j].querySelector("input.limit-input")) {
        forms[j].addEventListener("submit", onSave);
      }
    }
    document.documentElement.setAttribute("data-dashboard-ready", "1");
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
}());
