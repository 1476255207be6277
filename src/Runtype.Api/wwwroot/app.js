// Runtype Sessions dashboard, the Sessions page: plain JavaScript, no build step, over dashboard.js (the header, the
// API key and the error banner every page shares). The live event stream is read with
// fetch + ReadableStream, because EventSource cannot send an Authorization header. The list moves with the stream of
// all of the key's sessions (GET /sessions/stream): each change re-reads the page shown, nothing polls.
"use strict";

(() => {
  const API = "/v1/products/generation/sessions";
  const PAGE_SIZE = 10;
  const LIST_RELOAD_DELAY_MS = 200; // changes that come together re-read the page once
  const DETAIL_REFRESH_MS = 2000;

  const $ = (id) => document.getElementById(id);
  const view = {
    welcome: $("welcome"), list: $("list-view"), detail: $("detail-view"),
    statusFilter: $("status-filter"), refresh: $("refresh"), sessionList: $("session-list"), listEmpty: $("list-empty"),
    prev: $("prev-page"), next: $("next-page"), pageInfo: $("page-info"),
    streamState: $("stream-state"), events: $("d-events"), eventsEmpty: $("events-empty"),
  };

  let timer = null;
  let listStream = null; // AbortController of the all-sessions stream while the list is shown
  let detail = null; // { id, etag, stream: AbortController, lastEventId, seen: Set }

  const { el, time } = Dashboard;
  const shell = Dashboard.shell({ forbidden: "This key lacks the sessions:read scope (403).", onKeyChange: () => route() });
  const { ApiError, errorOf, showError, clearError, report } = shell;

  // ---------- HTTP ----------

  async function getJson(path, extraHeaders) {
    const response = await fetch(path, { headers: shell.headers(extraHeaders), cache: "no-store" });
    if (response.status === 304) return { notModified: true };
    if (!response.ok) throw await errorOf(response);
    return { body: await response.json(), etag: response.headers.get("ETag") };
  }

  // ---------- formatting ----------

  const timeFormat = new Intl.DateTimeFormat(undefined, { hour: "2-digit", minute: "2-digit", second: "2-digit" });

  function pretty(value) {
    return value === null || value === undefined ? "null" : JSON.stringify(value, null, 2);
  }

  function titleOf(session) {
    const prd = session.prd;
    if (prd && typeof prd === "object") {
      for (const name of ["title", "name", "productName"]) {
        if (typeof prd[name] === "string" && prd[name].trim()) return prd[name].trim();
      }
    }
    return "Untitled session";
  }

  function progressOf(session) {
    const state = session.assemblyState;
    const value = state && typeof state === "object" ? state.progress : undefined;
    return typeof value === "number" && isFinite(value) ? Math.max(0, Math.min(100, value)) : null;
  }

  function badge(status) {
    return el("span", "badge " + status, status);
  }

  function setProgress(bar, value) {
    bar.classList.toggle("unknown", value === null);
    bar.firstElementChild.style.width = (value === null ? 0 : value) + "%";
    if (value === null) {
      bar.removeAttribute("aria-valuenow");
      bar.setAttribute("aria-valuetext", "no progress reported");
    } else {
      bar.setAttribute("aria-valuenow", String(value));
      bar.setAttribute("aria-valuetext", value + "%");
    }
  }

  function progressBar(value) {
    const bar = el("div", "progress");
    bar.setAttribute("role", "progressbar");
    bar.setAttribute("aria-valuemin", "0");
    bar.setAttribute("aria-valuemax", "100");
    bar.appendChild(el("div", "bar"));
    setProgress(bar, value);
    return bar;
  }

  // ---------- routing ----------

  function parseHash() {
    const hash = location.hash.replace(/^#/, "") || "/";
    const [path, query] = hash.split("?");
    const params = new URLSearchParams(query || "");
    const match = /^\/sessions\/([0-9a-fA-F-]{36})$/.exec(path);
    return match ? { name: "detail", id: match[1].toLowerCase() } : { name: "list", params };
  }

  function stopAll() {
    if (timer) clearTimeout(timer);
    timer = null;
    if (listStream) listStream.abort();
    listStream = null;
    if (detail && detail.stream) detail.stream.abort();
    detail = null;
  }

  function route() {
    stopAll();
    const target = parseHash();
    view.welcome.hidden = Boolean(shell.apiKey);
    view.list.hidden = !shell.apiKey || target.name !== "list";
    view.detail.hidden = !shell.apiKey || target.name !== "detail";
    if (!shell.apiKey) return;
    if (target.name === "list") showList(target.params);
    else showDetail(target.id);
  }

  window.addEventListener("hashchange", route);

  // ---------- list ----------

  function listState(params) {
    const offset = Math.max(0, parseInt(params.get("offset") || "0", 10) || 0);
    return { status: params.get("status") || "", offset };
  }

  function listHash(state) {
    const params = new URLSearchParams();
    if (state.status) params.set("status", state.status);
    if (state.offset) params.set("offset", String(state.offset));
    const query = params.toString();
    return "#/" + (query ? "?" + query : "");
  }

  function showList(params) {
    const state = listState(params);
    // Nothing of another page or filter stays on screen, and the pager waits for this page.
    view.sessionList.replaceChildren();
    view.listEmpty.hidden = true;
    view.pageInfo.textContent = "Loading…";
    view.prev.disabled = true;
    view.next.disabled = true;
    view.statusFilter.value = state.status;
    view.statusFilter.onchange = () => { location.hash = listHash({ status: view.statusFilter.value, offset: 0 }); };
    view.refresh.onclick = () => loadList(state);
    view.prev.onclick = () => { location.hash = listHash({ status: state.status, offset: Math.max(0, state.offset - PAGE_SIZE) }); };
    view.next.onclick = () => { location.hash = listHash({ status: state.status, offset: state.offset + PAGE_SIZE }); };
    loadList(state);
    followList(state);
  }

  // The stream of all sessions: on each (re)connection and each change, the page shown is read again.
  async function followList(state) {
    const controller = new AbortController();
    listStream = controller;
    let failures = 0;
    while (listStream === controller) {
      try {
        const response = await fetch(API + "/stream", { headers: shell.headers({ Accept: "text/event-stream" }), signal: controller.signal, cache: "no-store" });
        if (response.status === 429) {
          await sleep((parseInt(response.headers.get("Retry-After") || "5", 10) || 5) * 1000, controller.signal);
          continue;
        }
        if (!response.ok) {
          const error = await errorOf(response);
          if ([400, 401, 403].includes(response.status)) { report(error); return; }
          throw error;
        }
        failures = 0;
        scheduleListReload(state); // what changed before this connection started: the stream begins after it opens
        await readMessages(response.body, (message) => {
          if (message.type === "session" || message.type === "deleted") scheduleListReload(state);
        }, () => {});
      } catch (error) {
        if (listStream !== controller || error.name === "AbortError") return;
      }
      failures += 1;
      await sleep(Math.min(10000, 1000 * failures), controller.signal);
    }
  }

  function scheduleListReload(state) {
    if (timer) return;
    timer = setTimeout(() => { timer = null; loadList(state); }, LIST_RELOAD_DELAY_MS);
  }

  async function loadList(state) {
    if (timer) clearTimeout(timer);
    timer = null;
    const query = new URLSearchParams({ limit: String(PAGE_SIZE), offset: String(state.offset) });
    if (state.status) query.set("status", state.status);
    try {
      const { body } = await getJson(API + "?" + query.toString());
      clearError();
      renderList(body, state);
    } catch (error) {
      report(error);
    }
  }

  function renderList(page, state) {
    const items = page.data.map((session) => {
      const link = el("a");
      link.href = "#/sessions/" + session.id;
      const main = el("div", "session-main");
      main.append(el("div", "session-title", titleOf(session)), el("div", "session-id", session.id));
      const progress = progressOf(session);
      const row = el("div", "row-progress");
      row.append(progressBar(progress), el("span", "", progress === null ? "–" : Math.round(progress) + "%"));
      const times = el("div", "session-times");
      times.append("Created ", time(session.createdAt), el("br"), "Expires ", time(session.expiresAt));
      link.append(main, badge(session.status), row, times);
      const item = el("li", "session-row");
      item.dataset.id = session.id;
      item.dataset.status = session.status;
      item.appendChild(link);
      return item;
    });
    view.sessionList.replaceChildren(...items);
    view.listEmpty.hidden = items.length > 0;
    const total = page.pagination.total;
    const first = total === 0 ? 0 : state.offset + 1;
    const last = state.offset + page.data.length;
    view.pageInfo.textContent = total === 0 ? "0 sessions" : first + "–" + last + " of " + total;
    view.prev.disabled = state.offset === 0;
    view.next.disabled = last >= total;
  }

  // ---------- details ----------

  function showDetail(id) {
    detail = { id, etag: null, stream: null, lastEventId: null, seen: new Set(), ended: false, connectedAt: 0 };
    clearDetail("Loading…");
    loadDetail(detail);
    openStream(detail);
  }

  /** Empties every field of the detail view, so that nothing of the session shown before stays on screen. */
  function clearDetail(title) {
    $("d-title").textContent = title;
    const status = $("d-status");
    status.className = "badge";
    status.textContent = "";
    setProgress($("d-progress"), null);
    $("d-progress-label").textContent = "";
    for (const id of ["d-id", "d-versions", "d-prd", "d-plan", "d-product", "d-hash", "d-assembly"]) $(id).textContent = "";
    for (const id of ["d-created", "d-updated", "d-expires"]) $(id).replaceChildren();
    view.events.replaceChildren();
    view.eventsEmpty.hidden = false;
    setStreamState("", "");
  }

  async function loadDetail(current) {
    if (timer) clearTimeout(timer);
    try {
      const result = await getJson(API + "/" + current.id, current.etag ? { "If-None-Match": current.etag } : undefined);
      if (detail !== current) return;
      clearError();
      if (!result.notModified) {
        current.etag = result.etag;
        renderDetail(result.body);
      }
    } catch (error) {
      if (detail !== current) return;
      if (error.status === 404) clearDetail("Session not found");
      report(error);
      if (error.status === 401 || error.status === 404) return;
    }
    if (detail === current) timer = setTimeout(() => loadDetail(current), DETAIL_REFRESH_MS);
  }

  function renderDetail(session) {
    $("d-title").textContent = titleOf(session);
    const status = $("d-status");
    status.className = "badge " + session.status;
    status.textContent = session.status;
    const progress = progressOf(session);
    setProgress($("d-progress"), progress);
    $("d-progress-label").textContent = progress === null ? "no progress" : Math.round(progress * 10) / 10 + "%";
    $("d-id").textContent = session.id;
    $("d-created").replaceChildren(time(session.createdAt));
    $("d-updated").replaceChildren(time(session.updatedAt));
    $("d-expires").replaceChildren(time(session.expiresAt));
    $("d-versions").textContent = (session.catalogVersion || "–") + " / " + (session.schemaVersion || "–");
    $("d-prd").textContent = pretty(session.prd);
    $("d-plan").textContent = pretty(session.plan);
    $("d-product").textContent = pretty(session.productObject);
    $("d-hash").textContent = session.productObjectHash || "none (no product object)";
    $("d-assembly").textContent = pretty(session.assemblyState);
  }

  function renderEvent(event, fresh) {
    const item = el("li", "event" + (fresh ? " fresh" : ""));
    item.dataset.id = event.id;
    item.dataset.type = event.type;
    const head = el("div", "event-head");
    head.append(el("span", "event-type", event.type));
    if (event.stage) head.append(el("span", "event-stage", event.stage));
    item.append(el("div", "event-time"), head);
    item.firstChild.appendChild(time(event.createdAt, timeFormat));
    if (event.message) item.append(el("div", "event-message", event.message));
    if (event.payload && Object.keys(event.payload).length > 0) item.append(el("pre", "", pretty(event.payload)));
    // Newest first: a new event shows at the top, without scrolling.
    view.events.prepend(item);
    view.eventsEmpty.hidden = true;
  }

  function setStreamState(name, text) {
    view.streamState.className = "stream-state " + name;
    view.streamState.textContent = text;
  }

  // ---------- live stream (fetch + ReadableStream, Server-Sent Events) ----------

  function sleep(ms, signal) {
    return new Promise((resolve) => {
      const handle = setTimeout(resolve, ms);
      signal.addEventListener("abort", () => { clearTimeout(handle); resolve(); }, { once: true });
    });
  }

  async function openStream(current) {
    let failures = 0;
    while (detail === current && !current.ended) {
      const controller = new AbortController();
      current.stream = controller;
      try {
        const extra = { Accept: "text/event-stream" };
        if (current.lastEventId) extra["Last-Event-ID"] = current.lastEventId;
        setStreamState("retrying", failures ? "reconnecting…" : "connecting…");
        const response = await fetch(API + "/" + current.id + "/events/stream", { headers: shell.headers(extra), signal: controller.signal, cache: "no-store" });
        if (response.status === 204) {
          current.ended = true;
          setStreamState("ended", "session finished");
          return;
        }
        if (response.status === 429) {
          const wait = (parseInt(response.headers.get("Retry-After") || "5", 10) || 5) * 1000;
          setStreamState("retrying", "too many open streams; retrying");
          showError((await errorOf(response)).message || "Too many live streams are open for this key.");
          await sleep(wait, controller.signal);
          continue;
        }
        if (!response.ok) {
          const error = await errorOf(response);
          report(error);
          setStreamState("error", "stopped");
          if ([400, 401, 403, 404].includes(response.status)) {
            if (response.status === 404 && detail === current) clearDetail("Session not found");
            return;
          }
          throw error;
        }
        setStreamState("live", "live");
        current.connectedAt = Date.now();
        failures = 0;
        current.reconnect = false;
        await readEvents(response.body, current);
        if (current.ended) {
          setStreamState("ended", "session finished");
          return;
        }
        if (current.reconnect) continue; // the server closed this connection on purpose: reconnect at once
      } catch (error) {
        if (detail !== current || error.name === "AbortError") return;
        if (!(error instanceof ApiError)) report(error);
      }
      failures += 1;
      setStreamState("retrying", "connection lost; reconnecting…");
      await sleep(Math.min(10000, 1000 * failures), controller.signal);
    }
  }

  function readEvents(body, current) {
    return readMessages(body, (message) => dispatch(message, current), (comment) => {
      if (comment.startsWith(": end")) current.ended = true;
      else if (comment.startsWith(": reconnect")) current.reconnect = true;
    });
  }

  // Server-Sent Events framing: each message (id, event type, data lines) to onMessage, each comment line to onComment.
  async function readMessages(body, onMessage, onComment) {
    const reader = body.pipeThrough(new TextDecoderStream()).getReader();
    let buffer = "";
    let message = { id: null, type: "message", data: [] };
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      buffer += value;
      const lines = buffer.split(/\r\n|\r|\n/);
      buffer = lines.pop();
      for (const line of lines) {
        if (line === "") {
          if (message.data.length) onMessage(message);
          message = { id: null, type: "message", data: [] };
        } else if (line.startsWith(":")) {
          onComment(line);
        } else {
          const colon = line.indexOf(":");
          const field = colon < 0 ? line : line.slice(0, colon);
          let text = colon < 0 ? "" : line.slice(colon + 1);
          if (text.startsWith(" ")) text = text.slice(1);
          if (field === "id") message.id = text;
          else if (field === "event") message.type = text;
          else if (field === "data") message.data.push(text);
        }
      }
    }
  }

  function dispatch(message, current) {
    if (detail !== current) return;
    const event = JSON.parse(message.data.join("\n"));
    if (message.id) current.lastEventId = message.id;
    if (current.seen.has(event.id)) return;
    current.seen.add(event.id);
    // The replay right after connecting is history; what comes later is news, and is marked for a moment.
    renderEvent(event, Date.now() - current.connectedAt > 1000);
    // A new event often comes with a change of the session (status, progress): read it now rather than at the next refresh.
    loadDetail(current);
  }

  route();
})();
