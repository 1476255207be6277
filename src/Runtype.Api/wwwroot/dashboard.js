// What every page of the dashboard shares, loaded before the page's own script (plain JavaScript, no build step): the
// header (one link per page, the API key form) and the error banner, built here once; the API key, kept in this tab's
// sessionStorage only and sent only in the Authorization header (never in an address); how a problem+json answer is
// told to the user; and the small DOM helpers.
"use strict";

window.Dashboard = (() => {
  const KEY_STORAGE = "runtype.apiKey";

  // The dashboard's pages: one link each in the header (a new page adds its line here).
  const PAGES = [
    { title: "Sessions", href: "index.html#/", file: "index.html" },
    { title: "Webhooks", href: "webhooks.html", file: "webhooks.html" },
  ];

  function el(tag, className, text) {
    const element = document.createElement(tag);
    if (className) element.className = className;
    if (text !== undefined && text !== null) element.textContent = text;
    return element;
  }

  const dateFormat = new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "short" });

  /** A <time> of an ISO timestamp (its exact value as the tooltip); a dash when there is none. */
  function time(value, format) {
    if (!value) return el("span", "muted", "—");
    const element = document.createElement("time");
    element.dateTime = value;
    element.title = value;
    element.textContent = (format || dateFormat).format(new Date(value));
    return element;
  }

  function currentPage() {
    const file = location.pathname.split("/").pop() || "index.html";
    return PAGES.find((page) => page.file === file) || PAGES[0];
  }

  function renderHeader(header) {
    const brand = el("a", "brand", "Runtype ");
    brand.href = PAGES[0].href;
    brand.append(el("span", "", "Sessions"));

    const nav = el("nav", "site-nav");
    nav.setAttribute("aria-label", "Dashboard");
    const current = currentPage();
    for (const page of PAGES) {
      const link = el("a", "", page.title);
      link.href = page.href;
      if (page === current) link.setAttribute("aria-current", "page");
      nav.append(link);
    }

    const form = el("form", "key-form");
    form.id = "key-form";
    form.autocomplete = "off";
    const label = el("label", "visually-hidden", "API key");
    label.htmlFor = "api-key";
    const input = el("input");
    Object.assign(input, { id: "api-key", name: "key", type: "password", placeholder: "Paste an API key (rt_…)", spellcheck: false, autocomplete: "off", required: true });
    const use = el("button", "", "Use key");
    use.type = "submit";
    form.append(label, input, use);

    const state = el("div", "key-state");
    state.id = "key-state";
    state.hidden = true;
    const keyLabel = el("span", "key-label");
    keyLabel.id = "key-label";
    const forget = el("button", "secondary", "Forget key");
    forget.id = "forget-key";
    forget.type = "button";
    state.append(keyLabel, forget);

    header.replaceChildren(brand, nav, form, state);
    return { form, input, state, keyLabel, forget };
  }

  function renderBanner(banner) {
    banner.className = "banner";
    banner.setAttribute("role", "alert");
    banner.hidden = true;
    const text = el("span");
    text.id = "banner-text";
    const close = el("button", "link", "×");
    close.id = "banner-close";
    close.type = "button";
    close.setAttribute("aria-label", "Dismiss");
    banner.replaceChildren(text, close);
    return { element: banner, text, close };
  }

  /**
   * Builds the header and the banner of the page and keeps its API key. `forbidden` is what a 403 tells the user (the
   * scope the page needs); `onKeyChange` runs when a key is given or forgotten.
   */
  function shell({ forbidden, onKeyChange }) {
    const header = renderHeader(document.getElementById("topbar"));
    const banner = renderBanner(document.getElementById("banner"));
    let apiKey = sessionStorage.getItem(KEY_STORAGE);

    function describe(status, problem) {
      if (status === 401) return "The API key was refused (401): " + (problem && problem.detail ? problem.detail : "check it") + " Paste a valid key.";
      if (status === 403) return forbidden;
      if (problem && problem.errors) return Object.entries(problem.errors).map(([field, messages]) => field + ": " + messages.join(" ")).join(" ");
      if (problem && problem.detail) return problem.detail + " (" + status + ")";
      return "The API answered " + status + ".";
    }

    /** An answer that is not 2xx, told as its problem details say. */
    class ApiError extends Error {
      constructor(status, problem) {
        super(describe(status, problem));
        this.status = status;
      }
    }

    /** An ApiError of a response that is not ok (its problem+json body read when there is one). */
    async function errorOf(response) {
      let problem = null;
      try { problem = await response.json(); } catch { /* a body that is not JSON: the status says enough */ }
      return new ApiError(response.status, problem);
    }

    function showError(message) {
      banner.text.textContent = message;
      banner.element.hidden = false;
    }

    function clearError() {
      banner.element.hidden = true;
      banner.text.textContent = "";
    }

    function renderKey() {
      const hasKey = Boolean(apiKey);
      header.form.hidden = hasKey;
      header.state.hidden = !hasKey;
      header.keyLabel.textContent = hasKey ? "key " + apiKey.slice(0, 10) + "…" : "";
    }

    function forgetKey() {
      apiKey = null;
      sessionStorage.removeItem(KEY_STORAGE);
      renderKey();
      onKeyChange();
    }

    /** Shows what went wrong; a key the API refuses (401) is of no further use: it is forgotten, and another asked for. */
    function report(error) {
      if (error.name === "AbortError") return;
      if (error.status === 401) {
        forgetKey();
        showError(error.message);
        return;
      }
      showError(error instanceof ApiError ? error.message : "Cannot reach the API: " + error.message + ". Retrying…");
    }

    header.form.addEventListener("submit", (event) => {
      event.preventDefault();
      const value = header.input.value.trim().replace(/^Bearer\s+/i, "");
      if (!value) return;
      apiKey = value;
      sessionStorage.setItem(KEY_STORAGE, value);
      header.input.value = "";
      clearError();
      renderKey();
      onKeyChange();
    });

    header.forget.addEventListener("click", () => {
      clearError();
      location.hash = "#/";
      forgetKey();
    });

    banner.close.addEventListener("click", clearError);
    renderKey();

    return {
      get apiKey() { return apiKey; },
      /** The headers of an API call with the key. */
      headers(extra) { return Object.assign({ Authorization: "Bearer " + apiKey, Accept: "application/json" }, extra || {}); },
      ApiError, errorOf, showError, clearError, report,
    };
  }

  return { el, time, shell };
})();
