// Runtype Sessions dashboard, the Webhooks page: plain JavaScript, no build step, over dashboard.js (the header, the
// API key and the error banner every page shares). Endpoints and the open delivery log
// are read again every few seconds, so deliveries show up as they happen.
"use strict";

(() => {
  const API = "/v1/webhooks/endpoints";
  const REFRESH_MS = 2000;
  const EVENT_TYPES = [
    "session.created", "session.status_changed", "session.completed", "session.failed", "session.cancelled",
    "session.expired", "session.event_appended", "session.deleted", "webhook.test",
  ];

  const $ = (id) => document.getElementById(id);
  const view = {
    welcome: $("welcome"), endpoints: $("endpoints-view"), deliveries: $("deliveries-view"),
    refresh: $("refresh"), createForm: $("create-form"), createUrl: $("create-url"), createDescription: $("create-description"),
    createTypes: $("create-types"), secretBox: $("secret-box"), secretTitle: $("secret-title"), secretValue: $("secret-value"),
    secretClose: $("secret-close"), endpointList: $("endpoint-list"), endpointsEmpty: $("endpoints-empty"),
    deliveriesUrl: $("deliveries-url"), deliveryFilter: $("delivery-filter"), deliveryRows: $("delivery-rows"),
    deliveriesEmpty: $("deliveries-empty"),
  };

  let timer = null;

  const { el, time } = Dashboard;
  const shell = Dashboard.shell({
    forbidden: "This key lacks a webhooks scope (403): create one with --scopes including webhooks:read,webhooks:write.",
    onKeyChange: () => route(),
  });
  const { errorOf, clearError, report } = shell;

  // ---------- HTTP ----------

  async function call(method, path, body) {
    const init = { method, headers: shell.headers(), cache: "no-store" };
    if (body !== undefined) {
      init.headers["Content-Type"] = "application/json";
      init.body = JSON.stringify(body);
    }

    const response = await fetch(path, init);
    if (!response.ok) throw await errorOf(response);
    return response.status === 204 ? null : response.json();
  }

  // ---------- formatting ----------

  const dateFormat = new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "medium" });

  function button(text, onClick, secondary) {
    const element = el("button", secondary ? "secondary" : null, text);
    element.type = "button";
    element.addEventListener("click", async () => {
      element.disabled = true;
      try {
        await onClick();
        clearError();
      } catch (error) {
        report(error);
      } finally {
        element.disabled = false;
      }
    });
    return element;
  }

  function showSecret(title, secret) {
    view.secretTitle.textContent = title;
    view.secretValue.textContent = secret;
    view.secretBox.hidden = false;
  }

  view.secretClose.addEventListener("click", () => {
    view.secretBox.hidden = true;
    view.secretValue.textContent = "";
  });

  // ---------- endpoints ----------

  for (const type of EVENT_TYPES) {
    const label = el("label");
    const box = el("input");
    box.type = "checkbox";
    box.value = type;
    label.append(box, document.createTextNode(type));
    view.createTypes.append(label);
  }

  view.createForm.addEventListener("submit", async (event) => {
    event.preventDefault();
    const eventTypes = [...view.createTypes.querySelectorAll("input:checked")].map((box) => box.value);
    const description = view.createDescription.value.trim();
    try {
      const created = await call("POST", API, { url: view.createUrl.value.trim(), eventTypes, description: description || null });
      view.createForm.reset();
      showSecret("Signing secret of " + created.url, created.secret);
      clearError();
      await loadEndpoints();
    } catch (error) {
      report(error);
    }
  });

  async function loadEndpoints() {
    const page = await call("GET", API + "?limit=100");
    view.endpointList.replaceChildren(...page.data.map(renderEndpoint));
    view.endpointsEmpty.hidden = page.data.length > 0;
  }

  function renderEndpoint(endpoint) {
    const item = el("li", "endpoint");
    item.dataset.id = endpoint.id;
    const head = el("div", "endpoint-head");
    head.append(
      el("span", "badge " + (endpoint.enabled ? "enabled" : "disabled"), endpoint.enabled ? "enabled" : "disabled"),
      el("span", "endpoint-url mono", endpoint.url));
    item.append(head);
    const types = endpoint.eventTypes.length === 0 ? "all event types" : endpoint.eventTypes.join(", ");
    item.append(el("div", "endpoint-meta", (endpoint.description ? endpoint.description + " · " : "") + types));
    if (endpoint.disabledReason) item.append(el("div", "endpoint-reason", endpoint.disabledReason));

    const actions = el("div", "endpoint-actions");
    const log = el("a", null, "Deliveries");
    log.href = "#/endpoints/" + endpoint.id;
    actions.append(
      log,
      button("Send test", async () => {
        await call("POST", API + "/" + endpoint.id + "/test");
        location.hash = "#/endpoints/" + endpoint.id;
      }, true),
      button(endpoint.enabled ? "Disable" : "Enable", async () => {
        await call("PATCH", API + "/" + endpoint.id, { enabled: !endpoint.enabled });
        await loadEndpoints();
      }, true),
      button("Rotate secret", async () => {
        if (!confirm("Rotate the signing secret? The current one keeps signing beside the new one for 24 hours.")) return;
        const rotated = await call("POST", API + "/" + endpoint.id + "/rotate-secret");
        showSecret("New signing secret of " + endpoint.url, rotated.secret);
      }, true),
      button("Delete", async () => {
        if (!confirm("Delete the endpoint " + endpoint.url + "? Its pending deliveries are dropped.")) return;
        await call("DELETE", API + "/" + endpoint.id);
        await loadEndpoints();
      }, true));
    item.append(actions);
    return item;
  }

  // ---------- deliveries ----------

  async function loadDeliveries(id) {
    const status = view.deliveryFilter.value;
    const [endpoint, page] = await Promise.all([
      call("GET", API + "/" + id),
      call("GET", API + "/" + id + "/deliveries?limit=50" + (status ? "&status=" + status : "")),
    ]);
    view.deliveriesUrl.textContent = endpoint.url;
    view.deliveryRows.replaceChildren(...page.data.map((delivery) => renderDelivery(id, delivery)));
    view.deliveriesEmpty.hidden = page.data.length > 0;
  }

  function renderDelivery(endpointId, delivery) {
    const row = el("tr");
    row.dataset.id = delivery.id;
    const cell = (content) => {
      const td = el("td");
      td.append(content);
      return td;
    };
    row.append(
      cell(time(delivery.createdAt, dateFormat)),
      cell(el("span", "mono", delivery.eventType)),
      cell(el("span", "badge " + delivery.status, delivery.status)),
      cell(String(delivery.attempts)),
      cell(delivery.lastResponseStatus === null ? (delivery.attempts > 0 ? "no answer" : "—") : String(delivery.lastResponseStatus)),
      cell(time(delivery.nextAttemptAt, dateFormat)),
      cell(button("Retry", async () => {
        await call("POST", API + "/" + endpointId + "/deliveries/" + delivery.id + "/retry");
        await loadDeliveries(endpointId);
      }, true)));
    return row;
  }

  view.deliveryFilter.addEventListener("change", () => route());
  view.refresh.addEventListener("click", () => route());

  // ---------- routing ----------

  function route() {
    clearTimeout(timer);
    view.welcome.hidden = Boolean(shell.apiKey);
    const match = location.hash.match(/^#\/endpoints\/([0-9a-f-]{36})$/);
    view.endpoints.hidden = !shell.apiKey || Boolean(match);
    view.deliveries.hidden = !shell.apiKey || !match;
    if (!shell.apiKey) return;

    const load = match ? () => loadDeliveries(match[1]) : loadEndpoints;
    const tick = async () => {
      try {
        await load();
      } catch (error) {
        report(error);
      }

      timer = setTimeout(tick, REFRESH_MS);
    };
    tick();
  }

  window.addEventListener("hashchange", route);
  route();
})();
