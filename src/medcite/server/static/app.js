// medcite web page: ask a question, stream the answer, show citations and passages.
// Everything that comes from the server (answer text, titles, passages) is inserted with
// textContent / text nodes only — never innerHTML — so markup in a stored record shows as text.
"use strict";

(function () {
  const $ = (id) => document.getElementById(id);
  const form = $("ask-form");
  const question = $("question");
  const button = $("ask-button");
  const tokenRow = $("token-row");
  const tokenInput = $("token");
  const statusEl = $("status");
  const errorEl = $("error");
  const result = $("result");
  const answerEl = $("answer");
  const notAnswered = $("not-answered");
  const notesEl = $("notes");
  const refsEl = $("references");
  const refsHeading = $("refs-heading");
  const passage = $("passage");
  let references = new Map();
  const itemsEl = $("items");
  const upload = $("upload");
  const uploadRow = $("upload-row");
  let task = "ask";
  const TASKS = {
    ask: { label: "Question", button: "Ask", placeholder: "e.g. Is metformin associated with lactic acidosis in patients with normal kidney function?" },
    diagnose: { label: "Findings", button: "Diagnose", placeholder: "e.g. 45-year-old woman with fatigue, weight gain, cold intolerance and constipation" },
    treatments: { label: "Condition", button: "Find treatments", placeholder: "e.g. type 2 diabetes" },
    summarize: { label: "PMID, document id or pasted text", button: "Summarize", placeholder: "e.g. 21645374, or paste an abstract" },
    search: { label: "Search text", button: "Search", placeholder: "e.g. statins after myocardial infarction" },
  };
  let evidenceRows = new Map();
  let quoted = new Map();  // reference number → the answer's sentences citing it (markers removed)

  // -- small DOM helpers (text only) ------------------------------------------------------
  function el(tag, props, ...children) {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(props || {})) {
      if (k === "class") node.className = v;
      else if (k === "text") node.textContent = v;
      else if (k.startsWith("data-")) node.setAttribute(k, v);
      else node[k] = v;
    }
    for (const c of children) {
      if (c === null || c === undefined) continue;
      node.append(typeof c === "string" ? document.createTextNode(c) : c);
    }
    return node;
  }

  function safeUrl(url) {
    if (!url) return "";  // no link rather than a link to this page
    try {
      const u = new URL(String(url || ""), window.location.href);
      return u.protocol === "https:" || u.protocol === "http:" ? u.href : "";
    } catch (e) {
      return "";
    }
  }

  function setStatus(text) { statusEl.textContent = text || ""; }

  function showError(text) {
    errorEl.textContent = text;
    errorEl.hidden = !text;
  }

  // -- auth -------------------------------------------------------------------------------
  tokenInput.value = sessionStorage.getItem("medcite-token") || "";
  tokenInput.addEventListener("change", () => {
    sessionStorage.setItem("medcite-token", tokenInput.value.trim());
    loadIndexInfo();
  });
  function headers() {
    const h = { "Content-Type": "application/json", "Accept": "text/event-stream, application/json" };
    const t = tokenInput.value.trim();
    if (t) h["Authorization"] = "Bearer " + t;
    return h;
  }
  async function errorText(resp) {
    if (resp.status === 401) tokenRow.hidden = false;
    try {
      const body = await resp.json();
      if (body && body.detail) return String(body.detail);
    } catch (e) { /* not JSON */ }
    return "request failed (HTTP " + resp.status + ")";
  }

  // -- index info -------------------------------------------------------------------------
  async function loadIndexInfo() {
    try {
      const resp = await fetch("/v1/index", { headers: headers() });
      if (!resp.ok) { if (resp.status === 401) tokenRow.hidden = false; return; }
      const info = await resp.json();
      const c = info.counts || {};
      $("index-info").textContent =
        "Index " + info.name + " (version " + info.version + "): " + (c.documents || 0) + " papers, " +
        (c.chunks || 0) + " passages, embedder " + ((info.embedder || {}).name || "?") + ".";
    } catch (e) { /* the page still works; the ask will report the error */ }
  }

  // -- rendering --------------------------------------------------------------------------
  function citeButton(n) {
    const b = el("button", { type: "button", class: "cite", text: "[" + n + "]", "data-n": String(n) });
    b.title = "show the cited passage";
    b.setAttribute("aria-label", "citation " + n + ": show the cited passage");
    b.addEventListener("click", () => showPassage(n));
    return b;
  }

  // text with [n] markers → text nodes and citation buttons
  function withCitations(text) {
    const frag = document.createDocumentFragment();
    for (const part of String(text).split(/(\[\d+\])/)) {
      const m = /^\[(\d+)\]$/.exec(part);
      if (m && references.has(Number(m[1]))) frag.append(citeButton(Number(m[1])));
      else if (part) frag.append(document.createTextNode(part));
    }
    return frag;
  }

  function reset() {
    references = new Map();
    evidenceRows = new Map();
    quoted = new Map();
    $("evidence-table").tBodies[0].replaceChildren();
    $("evidence-block").hidden = true;
    answerEl.replaceChildren();
    itemsEl.replaceChildren();
    itemsEl.hidden = true;
    $("disclaimer").hidden = true;
    notesEl.replaceChildren();
    refsEl.replaceChildren();
    refsHeading.hidden = true;
    notAnswered.hidden = true;
    passage.hidden = true;
    answerEl.classList.remove("streaming");
    showError("");
  }

  function renderAnswer(ans) {
    reset();
    result.hidden = false;
    for (const r of ans.references || []) references.set(Number(r.n), r);
    if (ans.abstained) {
      notAnswered.hidden = false;
      $("not-answered-text").textContent = ans.answer || "The indexed literature does not answer this question.";
    } else {
      const sentences = ans.sentences && ans.sentences.length ? ans.sentences : [{ text: ans.answer, supported: true }];
      sentences.forEach((s, i) => {
        const span = el("span", { class: "sentence" + (s.supported === false ? " unsupported" : "") });
        span.append(withCitations(s.text));
        if (s.supported === false) span.append(el("span", { class: "flag", text: " (not supported by a cited source)" }));
        answerEl.append(span);
        if (i < sentences.length - 1) answerEl.append(document.createTextNode(" "));
      });
    }
    for (const s of ans.sentences || []) {
      const body = String(s.text || "").replace(/\s*(\[\d+\])+\s*$/, "");
      for (const n of s.citations || []) quoted.set(Number(n), (quoted.get(Number(n)) || []).concat([body]));
    }
    for (const note of ans.notes || []) notesEl.append(el("li", { text: note }));
    renderEvidence(ans.evidence_table || []);
    renderReferences(ans.references || []);
    const t = ans.timings && ans.timings.total;
    setStatus(t ? "Answered in " + t.toFixed(2) + " s (" + (ans.generator || "") + ")." : "");
  }

  function renderEvidence(rows) {
    const body = $("evidence-table").tBodies[0];
    for (const r of rows) {
      evidenceRows.set(Number(r.n), r);
      const key = el("td", { class: "key-result", text: String(r.key_result || "") });
      if (r.numbers && r.numbers.length) key.append(el("div", { class: "muted", text: r.numbers.map(String).join(", ") }));
      body.append(el("tr", {},
        el("td", {}, citeButton(Number(r.n))),
        el("td", { text: String(r.design || "unknown") }),
        el("td", { class: "num", text: r.participants === null || r.participants === undefined ? "" : Number(r.participants).toLocaleString("en") }),
        el("td", { text: String(r.population || "") }),
        el("td", { text: r.year ? String(r.year) : "" }),
        key));
    }
    $("evidence-block").hidden = rows.length === 0;
  }

  // the passage text with the answer's quotations of it marked (text nodes and <mark> only)
  function markedPassage(text, quotes) {
    const frag = document.createDocumentFragment();
    let rest = String(text || "");
    const spans = [];
    for (const q of quotes) {
      const at = q ? rest.indexOf(q) : -1;
      if (at >= 0) spans.push([at, at + q.length]);
    }
    spans.sort((a, b) => a[0] - b[0]);
    let pos = 0;
    for (const [a, b] of spans) {
      if (a < pos) continue;
      frag.append(document.createTextNode(rest.slice(pos, a)), el("mark", { text: rest.slice(a, b) }));
      pos = b;
    }
    frag.append(document.createTextNode(rest.slice(pos)));
    return frag;
  }

  function renderReferences(refs) {
    refsHeading.hidden = refs.length === 0;
    for (const r of refs) {
      const li = el("li", { id: "ref-" + r.n, class: "reference" });
      li.value = r.n;
      li.append(citeButton(r.n), " ");
      li.append(el("span", { class: "ref-title", text: String(r.title || "").replace(/\.$/, "") + ". " }));
      const bits = [];
      if (r.journal) bits.push(String(r.journal));
      if (r.year) bits.push(String(r.year));
      if (bits.length) li.append(el("span", { class: "muted", text: bits.join(", ") + ". " }));
      if (r.evidence_level) li.append(el("span", { class: "evidence", text: String(r.evidence_level) }), " ");
      const url = safeUrl(r.url);
      if (url) {
        li.append(el("a", { href: url, target: "_blank", rel: "noopener noreferrer", text: r.pmid ? "PMID " + r.pmid : "source" }));
      } else {
        li.append(el("span", { class: "muted", text: String(r.id || "") }));
      }
      refsEl.append(li);
    }
  }

  function showPassage(n) {
    const r = references.get(Number(n));
    if (!r) return;
    $("passage-n").textContent = "[" + r.n + "]";
    $("passage-title").textContent = r.title || "";
    const meta = [];
    if (r.section) meta.push(String(r.section));
    if (r.journal) meta.push(String(r.journal));
    if (r.year) meta.push(String(r.year));
    if (r.evidence_level) meta.push("evidence: " + r.evidence_level);
    $("passage-meta").textContent = meta.join(" · ");
    const quotes = quoted.get(Number(r.n)) || [];
    const row = evidenceRows.get(Number(r.n));
    const quoteEl = $("passage-quote");
    quoteEl.hidden = quotes.length === 0;
    quoteEl.textContent = quotes.length
      ? "Quoted" + (row && row.key_result_section ? " from " + row.key_result_section : "") + ": “" + quotes.join(" ") + "”"
      : "";
    $("passage-text").replaceChildren(markedPassage(r.passage, quotes));
    const link = $("passage-link");
    const url = safeUrl(r.url);
    link.hidden = !url;
    if (url) {
      link.href = url;
      link.textContent = r.pmid ? "Open PMID " + r.pmid + " in PubMed" : "Open the source";
    } else {
      link.removeAttribute("href");
    }
    passage.hidden = false;
    for (const li of refsEl.children) li.classList.toggle("active", li.id === "ref-" + r.n);
    passage.scrollIntoView({ block: "nearest" });
  }
  $("passage-close").addEventListener("click", () => { passage.hidden = true; });

  // -- server-sent events over fetch (POST) -----------------------------------------------
  async function readEvents(resp, onEvent) {
    const reader = resp.body.getReader();
    const decoder = new TextDecoder();
    let buf = "";
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      buf += decoder.decode(value, { stream: true }).replace(/\r\n/g, "\n");
      let cut;
      while ((cut = buf.indexOf("\n\n")) >= 0) {
        const block = buf.slice(0, cut);
        buf = buf.slice(cut + 2);
        let event = "message";
        const data = [];
        for (const line of block.split("\n")) {
          if (line.startsWith("event:")) event = line.slice(6).trim();
          else if (line.startsWith("data:")) data.push(line.slice(5).replace(/^ /, ""));
        }
        if (data.length) onEvent(event, JSON.parse(data.join("\n")));
      }
    }
  }

  // one request at a time: the button is off while it runs; a network failure is one line
  async function busy(status, work) {
    reset();
    result.hidden = true;
    button.disabled = true;
    setStatus(status);
    try {
      await work();
    } catch (e) {
      showError("could not reach the server: " + e.message);
      setStatus("");
    } finally {
      button.disabled = false;
    }
  }

  function ask(q) {
    return busy("Searching the literature…", async () => {
      const resp = await fetch("/v1/ask", { method: "POST", headers: headers(), body: JSON.stringify({ question: q, stream: true }) });
      if (!resp.ok) { showError(await errorText(resp)); setStatus(""); return; }
      if (!(resp.headers.get("content-type") || "").startsWith("text/event-stream")) {
        renderAnswer(await resp.json());
        return;
      }
      let streamed = "";
      let finished = false;
      await readEvents(resp, (event, data) => {
        if (event === "meta") {
          setStatus("Answering from " + data.index + " (version " + data.version + ")…");
        } else if (event === "delta") {
          streamed += data.text;
          result.hidden = false;
          answerEl.classList.add("streaming");
          answerEl.textContent = streamed;
        } else if (event === "answer") {
          finished = true;
          renderAnswer(data);
        } else if (event === "error") {
          finished = true;
          showError(String(data.detail || "the answer failed"));
          setStatus("");
        }
      });
      if (!finished) { showError("the connection closed before the answer was complete"); setStatus(""); }
    });
  }

  // -- the other tasks: one JSON call each, rendered with text nodes ------------------------
  function citeList(ns) {
    const frag = document.createDocumentFragment();
    for (const n of ns || []) if (references.has(Number(n))) frag.append(citeButton(Number(n)), " ");
    return frag;
  }

  function clinicalItem(kind, it) {
    const li = el("li", { class: "item" });
    if (kind === "diagnose") {
      li.append(el("strong", { text: String(it.condition || "") }), " ", citeList(it.citations));
      if (it.matched_findings && it.matched_findings.length) li.append(el("div", { class: "muted", text: "explains: " + it.matched_findings.join(", ") }));
      if (it.unexplained_findings && it.unexplained_findings.length) li.append(el("div", { class: "muted", text: "does not explain: " + it.unexplained_findings.join(", ") }));
      for (const s of it.support || []) if (s.quote) li.append(el("blockquote", { text: String(s.quote) + " [" + s.n + "]" }));
    } else if (kind === "treatments") {
      li.append(el("strong", { text: String(it.name || "") }), " ", citeList(it.citations));
      const aka = (it.names || []).filter((n) => String(n).toLowerCase() !== String(it.name || "").toLowerCase());
      if (aka.length) li.append(el("div", { class: "muted", text: "also named: " + aka.join(", ") }));
      li.append(el("div", { class: "muted", text: (it.best_level ? "strongest design: " + it.best_level + " · " : "")
        + (it.participants ? "N = " + Number(it.participants).toLocaleString("en") + " · " : "") + it.papers + " paper(s)" }));
      const shown = it.effect && it.effect.text ? [it.effect] : (it.quotes || []).slice(0, 2);
      for (const q of shown) li.append(el("blockquote", { text: String(q.text) + " [" + q.n + "]" }));
    } else if (kind === "summarize") {
      li.append(el("strong", { text: String(it.part || "") + ": " }), String(it.text || ""), " ", citeList(it.citations));
    } else {
      li.append(el("strong", { text: it.rank + ". " + String(it.doc_id || "") }), " ", el("span", { class: "muted", text: [it.section, it.year].filter(Boolean).join(" · ") }));
      if (it.title) li.append(el("div", { class: "ref-title", text: String(it.title) }));
      li.append(el("div", { text: String(it.text || "").slice(0, 600) }));
    }
    return li;
  }

  function renderTask(kind, data) {
    reset();
    result.hidden = false;
    const refs = data.references || [];
    for (const r of refs) references.set(Number(r.n), r);
    const items = kind === "search" ? (data.passages || []) : (data.items || []);
    itemsEl.hidden = false;
    for (const it of items) itemsEl.append(clinicalItem(kind, it));
    if (!items.length) notesEl.append(el("li", { text: kind === "search" ? "no passages found" : "nothing found" }));
    for (const note of data.notes || []) notesEl.append(el("li", { text: String(note) }));
    if (data.disclaimer) { $("disclaimer").textContent = String(data.disclaimer); $("disclaimer").hidden = false; }
    renderReferences(refs);
    setStatus(items.length + (kind === "search" ? " passage(s)" : " item(s)") + ".");
  }

  // summarize: an uploaded file, pasted text, or a PMID / document id (one word)
  function fileBase64(file) {
    return new Promise((resolve, reject) => {
      const reader = new FileReader();
      reader.onload = () => resolve(String(reader.result).replace(/^data:[^,]*,/, ""));
      reader.onerror = () => reject(reader.error);
      reader.readAsDataURL(file);
    });
  }

  async function summarizeBody(text) {
    const file = upload.files && upload.files[0];
    if (file) return { file: { name: file.name, content_base64: await fileBase64(file) } };
    return /\s/.test(text) ? { text: text } : { id: text };
  }

  function runTask(kind, text) {
    return busy("Working…", async () => {
      const body = kind === "diagnose" ? { findings: text } : kind === "treatments" ? { condition: text }
        : kind === "summarize" ? await summarizeBody(text) : { query: text };
      const resp = await fetch("/v1/" + kind, { method: "POST", headers: headers(), body: JSON.stringify(body) });
      if (!resp.ok) { showError(await errorText(resp)); setStatus(""); return; }
      renderTask(kind, await resp.json());
    });
  }

  function selectTask(name) {
    task = name;
    for (const b of $("tasks").querySelectorAll("button")) b.setAttribute("aria-selected", String(b.dataset.task === name));
    $("question-label").textContent = TASKS[name].label;
    button.textContent = TASKS[name].button;
    question.placeholder = TASKS[name].placeholder;
    uploadRow.hidden = name !== "summarize";
    question.required = name !== "summarize";  // a file alone is enough
    reset();
    result.hidden = true;
    setStatus("");
  }
  for (const b of $("tasks").querySelectorAll("button")) b.addEventListener("click", () => selectTask(b.dataset.task));

  form.addEventListener("submit", (ev) => {
    ev.preventDefault();
    const q = question.value.trim();
    if (!q && !(task === "summarize" && upload.files && upload.files.length)) return;
    if (task === "ask") ask(q);
    else runTask(task, q);
  });
  question.addEventListener("keydown", (ev) => {
    if (ev.key === "Enter" && !ev.shiftKey) { ev.preventDefault(); form.requestSubmit(); }
  });

  loadIndexInfo();
})();
