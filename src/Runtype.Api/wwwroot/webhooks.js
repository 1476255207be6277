// Runtype Sessions dashboard, the Webhooks page: plain JavaScript, no build step. The API key is the one the sessions
// page keeps in this tab's sessionStorage, sent only in the Authorization header. Endpoints and the open delivery log
// are read again every few seconds, so deliveries show up as they happen.
"use strict";

(() => {
  const API = "/v1/webhooks/endpoints";
  const KEY_STORAGE = "runtype.apiKey";
  const REFRESH_MS = 2000;
  const EVENT_TYPES = [
    "session.created", "session.status_changed", "session.completed", "session.failed", "session.cancelled",
    "session.expired", "session.event_appended", "session.deleted", "webhook.test",
  ];

  const $ = (id) => document.getElementById(id);
  const view = {
    keyForm: $("key-form"), keyInput: $("api-key"), keyState: $("key-state"), keyLabel: $("key-label"), forget: $("forget-key"),
    banner: $("banner"), bannerText: $("banner-text"), bannerClose: $("banner-close"),
    welcome: $("welcome"), endpoints: $("endpoints-view"), deliveries: $("deliveries-view"),
    refresh: $("refresh"), createForm: $("create-form"), createUrl: $("create-url"), createDescription: $("create-description"),
    createTypes: $("create-types"), secretBox: $("secret-box"), secretTitle: $("secret-title"), secretValue: $("secret-value"),
    secretClose: $("secret-close"), endpointList: $("endpoint-list"), endpointsEmpty: $("endpoints-empty"),
    deliveriesUrl: $("deliveries-url"), deliveryFilter: $("delivery-filter"), deliveryRows: $("delivery-rows"),
    deliveriesEmpty: $("deliveries-empty"),
  };

  let apiKey = sessionStorage.getItem(KEY_STORAGE);
  let timer = null;

  // ---------- errors and HTTP ----------

  class ApiError extends Error {
    constructor(status, problem) {
      super(describe(status, problem));
      this.status = status;
    }
  }

  function describe(status, problem) {
    if (status === 401) return "The API key was refused (401): " + (problem && problem.detail ? problem.detail : "check it and paste it again.");
    if (status === 403) return "This key lacks a webhooks scope (403): create one with --scopes including webhooks:read,webhooks:write.";
    if (problem && problem.errors) return Object.entries(problem.errors).map(([field, messages]) => field + ": " + messages.join(" ")).join(" ");
    if (problem && problem.detail) return problem.detail + " (" + status + ")";
    return "The API answered " + status + ".";
  }

  function showError(message) {
    view.bannerText.textContent = message;
    view.banner.hidden = false;
  }

  function clearError() {
    view.banner.hidden = true;
    view.bannerText.textContent = "";
  }

  function report(error) {
    showError(error instanceof ApiError ? error.message : "Cannot reach the API: " + error.message + ". Retrying…");
  }

  async function call(method, path, body) {
    const init = { method, headers: { Authorization: "Bearer " + apiKey, Accept: "application/json" }, cache: "no-store" };
    if (body !== undefined) {
      init.headers["Content-Type"] = "application/json";
      init.body = JSON.stringify(body);
    }

    const response = await fetch(path, init);
    if (!response.ok) {
      let problem = null;
      try { problem = await response.json(); } catch { /* a body that is not JSON: the status says enough */ }
      throw new ApiError(response.status, problem);
    }

    return response.status === 204 ? null : response.json();
  }

  // ---------- formatting ----------

  const dateFormat = new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "medium" });

  function el(tag, className, text) {
    const element = document.createElement(tag);
    if (className) element.className = className;
    if (text !== undefined && text !== null) element.textContent = text;
    return element;
  }

  function time(value) {
    if (!value) return el("span", "muted", "—");
    const element = document.createElement("time");
    element.dateTime = value;
    element.title = value;
    element.textContent = dateFormat.format(new Date(value));
    return element;
  }

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

  // ---------- key ----------

  function renderKey() {
    const hasKey = Boolean(apiKey);
    view.keyForm.hidden = hasKey;
    view.keyState.hidden = !hasKey;
    view.keyLabel.textContent = hasKey ? "key " + apiKey.slice(0, 10) + "…" : "";
  }

  view.keyForm.addEventListener("submit", (event) => {
    event.preventDefault();
    const value = view.keyInput.value.trim().replace(/^Bearer\s+/i, "");
    if (!value) return;
    apiKey = value;
    sessionStorage.setItem(KEY_STORAGE, value);
    view.keyInput.value = "";
    clearError();
    renderKey();
    route();
  });

  view.forget.addEventListener("click", () => {
    apiKey = null;
    sessionStorage.removeItem(KEY_STORAGE);
    renderKey();
    location.hash = "#/";
    route();
  });

  view.bannerClose.addEventListener("click", clearError);
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
      cell(time(delivery.createdAt)),
      cell(el("span", "mono", delivery.eventType)),
      cell(el("span", "badge " + delivery.status, delivery.status)),
      cell(String(delivery.attempts)),
      cell(delivery.lastResponseStatus === null ? (delivery.attempts > 0 ? "no answer" : "—") : String(delivery.lastResponseStatus)),
      cell(time(delivery.nextAttemptAt)),
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
    renderKey();
    view.welcome.hidden = Boolean(apiKey);
    const match = location.hash.match(/^#\/endpoints\/([0-9a-f-]{36})$/);
    view.endpoints.hidden = !apiKey || Boolean(match);
    view.deliveries.hidden = !apiKey || !match;
    if (!apiKey) return;

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
