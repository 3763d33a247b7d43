// Status page of one collector node: polls the node's REST API every 2 s and renders what an operator checks first.
// Plain DOM, no framework, no build step; every value from the API goes through textContent (never innerHTML).
"use strict";

const POLL_MS = 2000;
const previous = {};          // key -> {count, at}: counters of the last poll, for rates computed here
let inFlight = false;
let openDocument = null;      // the document whose drill-down is shown

function el(tag, attrs, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (k === "class") e.className = v;
    else if (k === "onclick") e.addEventListener("click", v);
    else e.setAttribute(k, v);
  }
  for (const c of children) {
    if (c === null || c === undefined) continue;
    e.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return e;
}

const td = (value, cls) => el("td", cls ? {class: cls} : {}, value);
const num = (n) => (typeof n === "number" && n >= 0) ? n.toLocaleString("en-US") : "–";
const badge = (text) => el("span", {class: "badge " + String(text)}, text);

function time(t) {
  if (t === null || t === undefined || t === "") return "–";
  // the API writes every time as ISO-8601 text (2024-05-01T10:00:00.123Z); shown to the second, UTC
  const d = new Date(t);
  return isNaN(d) ? String(t) : d.toISOString().replace("T", " ").substring(0, 19);
}

function shortId(id) {
  return id ? String(id).substring(0, 8) + "…" : "–";
}

/** Records/s of a counter since the last poll (null on the first sight or after a restart of the counter). */
function rate(key, count, now) {
  const p = previous[key];
  previous[key] = {count, at: now};
  if (!p || count < p.count || now <= p.at) return null;
  return (count - p.count) * 1000 / (now - p.at);
}

const fmtRate = (r) => r === null ? "–" : Math.round(r).toLocaleString("en-US");

/** GET a path as JSON: {ok, data} or {ok: false, why}. Never throws. */
async function get(path) {
  try {
    // against the origin, not the page's URL: a page opened as http://user:password@host/ would give fetch a URL
    // with credentials, which browsers refuse; the browser answers the API's 401 with the login it already has
    const r = await fetch(location.origin + path, {headers: {Accept: "application/json"}, cache: "no-store"});
    if (!r.ok) {
      let why = "HTTP " + r.status;
      if (r.status === 403) return {ok: false, why: "your login lacks the role this needs (docs/operations.md)"};
      try { const b = await r.json(); if (b && b.message) why += ": " + b.message; } catch (e) { /* not JSON */ }
      return {ok: false, why};
    }
    return {ok: true, data: await r.json()};
  } catch (e) {
    return {ok: false, why: "unreachable (" + e.message + ")"};
  }
}

function setStatus(id, text, error) {
  const p = document.getElementById(id);
  p.textContent = text;
  p.className = error ? "status error" : "status";
}

function fill(tbodyId, rows) {
  document.getElementById(tbodyId).replaceChildren(...rows);
}

// ------------------------------------------------------------------------------------------------------ members

function renderCluster(res) {
  if (!res.ok) {
    setStatus("members-status", "not available (" + res.why + ")", true);
    fill("members-body", []);
    document.getElementById("leaders").textContent = "";
    return;
  }
  const c = res.data;
  const inView = new Set((c.members || []).map(m => m.nodeId));
  const rows = (c.members || []).map(m => memberRow(m, true));
  // registered in ZooKeeper but missing from this node's Hazelcast view: alive yet cut off (split brain)
  for (const m of (c.registered || [])) {
    if (!inView.has(m.nodeId)) rows.push(memberRow(m, false));
  }
  fill("members-body", rows);
  setStatus("members-status", rows.length + " member(s) in this node's view; ZooKeeper "
      + (c.zooKeeperConnected ? "connected" : "DISCONNECTED"), !c.zooKeeperConnected);
  const leaders = Object.entries(c.leaders || {}).map(([cmts, l]) => cmts + " → " + (l.nodeId || "none"));
  document.getElementById("leaders").textContent = leaders.length ? "Leader per CMTS (document finalization): "
      + leaders.join(", ") : "";
}

function memberRow(m, hazelcast) {
  const host = m.host || (m.address || "").split(":")[0] || location.hostname;
  const api = m.apiPort > 0 ? el("a", {href: location.protocol + "//" + host + ":" + m.apiPort + "/status/"},
      host + ":" + m.apiPort) : "–";
  const name = el("span", {}, m.nodeId, m.self ? " (this node)" : "");
  return el("tr", {"data-node": m.nodeId}, td(name), td(m.site || "–"), td(m.address || "–", "mono"), td(api),
      td(m.ipdrPort > 0 ? m.ipdrPort : "–"), td(badge(m.zooKeeper ? "yes" : "no")),
      td(badge(hazelcast && m.hazelcast !== false ? "yes" : "no")));
}

// ------------------------------------------------------------------------------------------------------ CMTSes

function renderExporters(res, now) {
  if (!res.ok) {
    setStatus("cmtses-status", "not available (" + res.why + ")", true);
    fill("cmtses-body", []);
    document.getElementById("rate-local").textContent = "–";
    document.getElementById("rate-cluster").textContent = "–";
    return;
  }
  const x = res.data;
  document.getElementById("node-id").textContent = x.node || "";
  document.getElementById("node-site").textContent = x.site || "–";
  document.title = "IPDR collector " + (x.node || "");
  const local = {};            // "cmts/session" -> {exporter view, session view}
  let localReceived = 0;
  for (const e of (x.exporters || [])) {
    localReceived += e.received || 0;
    for (const s of (e.sessions || [])) local[e.name + "/" + s.sessionId] = {e, s};
    if (!(e.sessions || []).length) local[e.name + "/-"] = {e, s: null};
  }
  const cluster = {};
  let clusterReceived = 0;
  for (const s of (x.sessions || [])) {
    cluster[s.exporter + "/" + s.sessionId] = s;
    clusterReceived += s.received || 0;
  }
  const keys = [...new Set([...Object.keys(cluster), ...Object.keys(local)])]
      .filter(k => !(k.endsWith("/-") && Object.keys(cluster).some(c => c.startsWith(k.slice(0, -1)))))
      .sort();
  const rows = keys.map(k => cmtsRow(k, local[k], cluster[k], now));
  fill("cmtses-body", rows);
  setStatus("cmtses-status", (x.exporters || []).length + " CMTS(es) configured on this node, "
      + (x.sessions || []).length + " session(s) known to the cluster", false);
  document.getElementById("rate-local").textContent = fmtRate(rate("local", localReceived, now));
  document.getElementById("rate-cluster").textContent = fmtRate(rate("cluster", clusterReceived, now));
}

function cmtsRow(key, loc, cs, now) {
  const slash = key.lastIndexOf("/");
  const name = key.substring(0, slash);
  const session = key.substring(slash + 1);
  const e = loc ? loc.e : null;
  const s = loc ? loc.s : null;
  const connection = e ? el("span", {}, badge(e.connection), " ", e.direction,
      e.remote ? el("span", {class: "mono"}, " " + e.remote) : null) : "not configured here";
  const role = s ? s.role : (e ? e.role : null);
  const received = cs ? cs.received : (s ? s.received : (e ? e.received : 0));
  const r = rate("cmts:" + key, received, now);
  const stored = cs && cs.storedCount >= 0 ? cs.storedCount : (s ? s.stored : -1);
  const duplicates = cs ? cs.duplicates : (s ? s.duplicates : -1);
  const lastAck = cs && cs.lastAckedDsn >= 0 ? cs.lastAckedDsn : (s ? s.lastAckDsn : -1);
  const documentId = (cs && cs.documentId) || (s && s.documentId) || "";
  const roles = cs ? (cs.nodes || []).map(n => n.nodeId + " " + n.role).join(", ") : "";
  return el("tr", {"data-cmts": name, "data-session": session, title: roles ? "roles: " + roles : ""},
      td(name), td(session), td(connection), td(role ? badge(role) : "–", "role"),
      td(cs && cs.primaryNodeId ? cs.primaryNodeId : "–"), td(cs ? (cs.backupNodeIds || []).join(", ") || "–" : "–"),
      td(documentId ? el("span", {class: "mono", title: documentId}, shortId(documentId)) : "–"),
      td(num(received), "num received"), td(fmtRate(r), "num"), td(num(stored), "num"), td(num(duplicates), "num"),
      td(num(lastAck), "num"));
}

// --------------------------------------------------------------------------------------------------- documents

function renderAudit(res) {
  document.getElementById("documents-source").textContent = "(GET /api/audit)";
  const docs = [];
  for (const e of (res.data.exporters || [])) docs.push(...(e.documentList || []));
  docs.sort((a, b) => String(b.startedAt).localeCompare(String(a.startedAt)) || a.exporter.localeCompare(b.exporter));
  const shown = docs.slice(0, 50);
  fill("documents-body", shown.map(d => el("tr", {
        class: "clickable", "data-document": d.documentId, "data-verdict": d.verdict,
        onclick: () => showDocument(d.exporter, d.sessionId, d.documentId, d.bootTime)},
      td(d.exporter), td(d.sessionId), td(el("span", {class: "mono", title: d.documentId}, shortId(d.documentId))),
      td(time(d.startedAt)), td(d.state), td(badge(d.verdict)), td(num(d.recordsHeld), "num"),
      td(num(d.missingCount), "num"), td(num(d.unexplainedCount), "num"), td(num(d.declaredDrops), "num"),
      td(num(d.duplicates), "num"), td(num(d.failovers), "num"))));
  const counts = {};
  docs.forEach(d => counts[d.verdict] = (counts[d.verdict] || 0) + 1);
  setStatus("documents-status", docs.length + " document(s) started in the window"
      + (docs.length > shown.length ? " (newest " + shown.length + " shown)" : "") + ": "
      + (Object.entries(counts).map(([v, n]) => v + " " + n).join(", ") || "none"),
      (counts.INCOMPLETE || 0) > 0);
}

/** Without the audit API: the documents this node has seen (no verdicts, no drill-down). */
function renderLocalDocuments(res, auditWhy) {
  document.getElementById("documents-source").textContent = "(GET /api/documents: the audit is not available)";
  if (!res.ok) {
    setStatus("documents-status", "not available (audit: " + auditWhy + "; documents: " + res.why + ")", true);
    fill("documents-body", []);
    return;
  }
  const docs = [...res.data].sort((a, b) => String(b.firstSeen).localeCompare(String(a.firstSeen))).slice(0, 50);
  fill("documents-body", docs.map(d => el("tr", {"data-document": d.documentId, "data-verdict": "n/a"},
      td(d.exporter), td(d.sessionId), td(el("span", {class: "mono", title: d.documentId}, shortId(d.documentId))),
      td(time(d.firstSeen)), td(d.status || "–"),
      td("not available"), td(num(d.stored), "num"), td("–", "num"), td("–", "num"),
      td(num(d.droppedRecordCount), "num"), td(num(d.duplicates), "num"), td("–", "num"))));
  setStatus("documents-status", "audit not available (" + auditWhy + "); " + docs.length
      + " document(s) this node has seen, without verdicts", true);
}

async function showDocument(exporter, session, documentId, bootTime) {
  openDocument = {exporter, session, documentId, bootTime};
  await refreshDocument();
}

async function refreshDocument() {
  if (!openDocument) return;
  const d = openDocument;
  const path = "/api/audit/documents/" + [d.exporter, d.session, d.documentId, d.bootTime]
      .map(encodeURIComponent).join("/");
  const res = await get(path);
  if (openDocument !== d) return;
  const box = document.getElementById("detail");
  box.hidden = false;
  document.getElementById("detail-title").textContent = d.exporter + " / " + d.session + " / " + d.documentId;
  const body = document.getElementById("detail-body");
  if (!res.ok) {
    body.replaceChildren(el("p", {class: "status error"}, "not available (" + res.why + ")"));
    return;
  }
  const a = res.data;
  const live = a.live || {};
  const rec = a.recorded;
  const parts = [];
  parts.push(el("p", {}, "verdict ", badge(rec ? rec.verdict : live.verdict), rec
      ? " (recorded " + time(rec.finalizedAt) + " by " + (rec.finalizedBy || "–") + ", " + (rec.trigger || "") + ")"
      : " (not finalized yet)", " — expected DSNs " + live.expectedFirst + ".." + live.expectedLast + ", held "
      + num(live.recordsHeld) + ", missing " + num(live.missingCount) + ", declared drops " + num(live.declaredDrops)
      + ", duplicates removed " + num(live.duplicates)));
  parts.push(el("h3", {}, "Gaps ", el("small", {}, "(missing sequence numbers)")));
  parts.push((a.gaps || []).length ? table(["first DSN", "last DSN", "count", "explained"], a.gaps.map(g =>
      [g.first, g.last, num(g.count), badge(g.declared ? "declared drop" : "INCOMPLETE")]))
      : el("p", {class: "status"}, "none: every expected record is stored"));
  parts.push(el("h3", {}, "Segments ", el("small", {}, "(who received what)")));
  parts.push(table(["node", "primary", "started", "stopped", "first DSN", "dropped", "stop reason"],
      (a.segments || []).map(s => [s.node, s.primary ? "yes" : "no", time(s.startedAt), time(s.stoppedAt),
        s.firstRecordSequenceNumber, num(s.droppedRecordCount),
        s.stopReasonCode === null || s.stopReasonCode === undefined ? "–"
            : s.stopReasonCode + " " + (s.stopReasonInfo || "")])));
  if ((a.duplicates || []).length) {
    parts.push(el("h3", {}, "Duplicates removed"));
    parts.push(table(["node", "with D flag", "without D flag"], a.duplicates.map(x => [x.node, num(x.flagged),
      num(x.unflagged)])));
  }
  if ((a.integrityConflicts || []).length) {
    parts.push(el("h3", {}, "Integrity conflicts"));
    parts.push(table(["DSN", "detected", "by", "note"], a.integrityConflicts.map(c => [c.seq, time(c.detectedAt),
      c.detectedBy, c.note])));
  }
  parts.push(el("h3", {}, "History"));
  parts.push(table(["at", "node", "event", "verdict", "detail"], (a.history || []).map(h => [time(h.at), h.node,
    h.event, h.verdict || "", h.detail || ""])));
  body.replaceChildren(...parts);
}

function table(headers, rows) {
  return el("table", {}, el("thead", {}, el("tr", {}, ...headers.map(h => el("th", {}, h)))),
      el("tbody", {}, ...rows.map(r => el("tr", {}, ...r.map(c => el("td", {}, c))))));
}

// ------------------------------------------------------------------------------------------------------- poll

async function poll() {
  if (inFlight) return;      // a slow node must not pile requests up
  inFlight = true;
  try {
    const windowFrom = document.getElementById("window").value;
    const [cluster, exporters, audit] = await Promise.all([get("/api/cluster"), get("/api/exporters"),
      get("/api/audit?from=" + encodeURIComponent(windowFrom))]);
    const now = Date.now();
    renderCluster(cluster);
    renderExporters(exporters, now);
    if (audit.ok) renderAudit(audit);
    else renderLocalDocuments(await get("/api/documents"), audit.why);
    await refreshDocument();
    const reachable = cluster.ok || exporters.ok || audit.ok;
    document.getElementById("updated").textContent = (reachable ? "updated " : "node not answering, last try ")
        + new Date(now).toLocaleTimeString();
  } finally {
    inFlight = false;
  }
}

document.getElementById("detail-close").addEventListener("click", () => {
  openDocument = null;
  document.getElementById("detail").hidden = true;
});
document.getElementById("window").addEventListener("change", poll);
poll();
setInterval(poll, POLL_MS);
