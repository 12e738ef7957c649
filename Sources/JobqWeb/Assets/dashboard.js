// The jobq dashboard: fetches /api every few seconds and redraws; no library, no network beyond
// this server. Every text from Redis goes through textContent, never through HTML.
"use strict";

const SVG = "http://www.w3.org/2000/svg";
const TITLES = { ok: "OK", lost: "LOST", crash_loop: "CRASH LOOP", stuck: "STUCK", stopped: "STOPPED", paused: "PAUSED", backlog: "BACKLOG" };
let server = { actions: false, refresh_seconds: 5 };

function el(tag, attributes, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes || {})) {
    if (value !== undefined && value !== null && value !== false) node.setAttribute(name, value);
  }
  for (const child of children.flat()) {
    if (child !== undefined && child !== null && child !== false) node.append(child instanceof Node ? child : String(child));
  }
  return node;
}

function svg(tag, attributes) {
  const node = document.createElementNS(SVG, tag);
  for (const [name, value] of Object.entries(attributes || {})) node.setAttribute(name, value);
  return node;
}

async function api(path, options) {
  const response = await fetch(path, Object.assign({ cache: "no-store" }, options));
  const body = await response.json().catch(() => ({}));
  if (!response.ok) throw new Error(body.error || `${response.status} ${response.statusText}`);
  return body;
}

function span(seconds) {
  if (seconds < 60) return `${seconds}s`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)}m`;
  if (seconds < 86400) return `${Math.floor(seconds / 3600)}h ${Math.floor((seconds % 3600) / 60)}m`;
  return `${Math.floor(seconds / 86400)}d`;
}

function ago(at, now) {
  if (!at) return "never";
  return `${span(Math.max(0, Math.round((now - at) / 1000)))} ago`;
}

// A time to come: "in 3m", or "due now" once it has passed.
function until(at, now) {
  const seconds = Math.round((at - now) / 1000);
  return seconds > 0 ? `in ${span(seconds)}` : "due now";
}

function clock(at) {
  return new Date(at).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit", second: "2-digit" });
}

function duration(ms) {
  if (ms < 1000) return `${ms}ms`;
  if (ms < 60000) return `${(ms / 1000).toFixed(1)}s`;
  return `${Math.floor(ms / 60000)}m ${Math.round((ms % 60000) / 1000)}s`;
}

// A handler's progress report: "3/10 files (30%)", "7 rows", or its message alone.
function progressText(progress) {
  const { done, total, message } = progress;
  let text = done === undefined ? "" : total === undefined ? String(done) : `${done}/${total}`;
  if (message) text = text ? `${text} ${message}` : message;
  if (done !== undefined && total) text += ` (${Math.min(100, Math.floor((done * 100) / total))}%)`;
  return text;
}

function progressCell(progress) {
  if (!progress) return "no progress reported";
  const bar = progress.done !== undefined && progress.total ? el("progress", { max: progress.total, value: Math.min(progress.done, progress.total) }) : null;
  return [bar, el("span", { class: "progress-text" }, progressText(progress))];
}

function jobLink(queue, id) {
  return el("a", { href: `/queues/${encodeURIComponent(queue)}/jobs/${encodeURIComponent(id)}` }, id);
}

function bytes(value) {
  if (value === undefined) return "unknown";
  const units = ["B", "KiB", "MiB", "GiB", "TiB"];
  let size = value, unit = 0;
  while (size >= 1024 && unit < units.length - 1) { size /= 1024; unit++; }
  return `${size.toFixed(unit ? 1 : 0)} ${units[unit]}`;
}

function setStatus(text, failed) {
  const status = document.getElementById("status");
  status.textContent = text;
  status.className = failed ? "error" : "";
}

function token() {
  return document.getElementById("token-input").value.trim();
}

// An action: a POST with the token in its header, then an immediate refresh.
function actionButton(label, path, options = {}) {
  const button = el("button", { type: "button", class: options.danger ? "danger" : null, "data-action": path }, label);
  button.addEventListener("click", async () => {
    if (options.confirm && !window.confirm(options.confirm)) return;
    const message = button.closest("section").querySelector(".message");
    button.disabled = true;
    try {
      const result = await api(path, { method: "POST", headers: { "X-Jobq-Token": token() } });
      message.textContent = result.done;
      message.className = "message";
      await refresh();
    } catch (error) {
      message.textContent = error.message;
      message.className = "message error";
    } finally {
      button.disabled = false;
    }
  });
  return button;
}

function chart(minutes) {
  const width = 600, height = 120, left = 30, bottom = 16, top = 8;
  const series = ["enqueued", "processed", "failed"];
  const count = minutes.enqueued.length;
  const highest = Math.max(1, ...series.flatMap((name) => minutes[name]));
  const x = (index) => left + (index * (width - left - 4)) / Math.max(1, count - 1);
  const y = (value) => top + (height - top - bottom) * (1 - value / highest);
  const root = svg("svg", { class: "chart", viewBox: `0 0 ${width} ${height}`, preserveAspectRatio: "none", role: "img",
    "aria-label": "jobs enqueued, processed and failed per minute over the last hour" });
  for (const value of [0, highest]) {
    root.append(svg("line", { class: "grid", x1: left, x2: width - 4, y1: y(value), y2: y(value) }));
    const label = svg("text", { x: 2, y: y(value) + 3 });
    label.textContent = String(value);
    root.append(label);
  }
  for (const [index, text] of [[0, "-60m"], [Math.floor((count - 1) / 2), "-30m"], [count - 1, "now"]]) {
    const label = svg("text", { x: Math.min(x(index), width - 22), y: height - 3 });
    label.textContent = text;
    root.append(label);
  }
  for (const name of series) {
    const points = minutes[name].map((value, index) => `${x(index).toFixed(1)},${y(value).toFixed(1)}`).join(" ");
    root.append(svg("polyline", { class: name, points }));
  }
  const legend = el("div", { class: "legend" },
    series.map((name) => el("span", {}, el("i", { class: name }), `${name} ${minutes[name].reduce((a, b) => a + b, 0)}/h`)));
  return [root, legend];
}

function figures(stats) {
  const jobs = stats.jobs;
  const items = [["waiting", jobs.waiting]];
  if (jobs.waiting_high || jobs.waiting_low) {
    items.push(["high priority", jobs.waiting_high || 0], ["normal priority", jobs.waiting - (jobs.waiting_high || 0) - (jobs.waiting_low || 0)], ["low priority", jobs.waiting_low || 0]);
  }
  items.push(["delayed", jobs.delayed], ["running", jobs.active], ["dead", jobs.dead]);
  if (jobs.parked) items.push(["parked", jobs.parked]);
  if (jobs.expired_leases) items.push(["expired leases", jobs.expired_leases]);
  const perMinute = (field) => (stats.counters.last_5m.counts[field] * 60000 / Math.max(1, stats.counters.last_5m.span_ms)).toFixed(1);
  items.push(["processed/min", perMinute("processed")], ["failed/min", perMinute("failed")]);
  return el("div", { class: "figures" }, items.map(([label, value]) => el("div", { class: "figure" }, el("b", {}, value), el("span", {}, label))));
}

// The jobs the live workers are running, with how long and how far.
function running(stats) {
  const busy = stats.workers.filter((worker) => worker.job);
  if (!busy.length) return null;
  const rows = busy.map((worker) => el("tr", { class: "running-job", "data-job": worker.job },
    el("td", {}, jobLink(stats.queue, worker.job)),
    el("td", {}, worker.id + (worker.host ? ` on ${worker.host}/${worker.pid}` : "")),
    el("td", {}, worker.job_running_ms !== undefined ? duration(worker.job_running_ms) : "unknown"),
    el("td", { class: "progress" }, progressCell(worker.progress),
      worker.progress_at ? el("span", { class: "note" }, ` saved ${ago(worker.progress_at, stats.at)}`) : null)));
  return [el("h3", {}, "Running"), el("table", {}, el("thead", {}, el("tr", {}, el("th", {}, "job"), el("th", {}, "worker"), el("th", {}, "for"), el("th", {}, "progress"))),
    el("tbody", {}, rows))];
}

// The queue's recurring schedules: when each fires next and what became of its last job.
function schedules(stats) {
  const unreadable = Object.entries(stats.unreadable_schedules || {});
  if (!stats.schedules.length && !unreadable.length) return null;
  const rows = stats.schedules.map((schedule) => el("tr", { class: schedule.paused ? "schedule paused" : "schedule", "data-schedule": schedule.name },
    el("td", {}, schedule.name),
    el("td", {}, schedule.rule),
    el("td", {}, schedule.paused ? "paused" : schedule.next_at ? [until(schedule.next_at, stats.at), el("span", { class: "note" }, ` ${clock(schedule.next_at)}`)] : "none"),
    el("td", {}, schedule.last_job_id
      ? [jobLink(stats.queue, schedule.last_job_id), el("span", { class: `job-state ${schedule.last_job_state || "gone"}` }, ` ${schedule.last_job_state || "finished, not kept"}`),
        schedule.last_enqueued_at ? el("span", { class: "note" }, ` ${ago(schedule.last_enqueued_at, stats.at)}`) : null]
      : "none yet"),
    el("td", {}, `${schedule.enqueued} enqueued, ${schedule.skipped} skipped, ${schedule.missed} missed`)));
  const broken = unreadable.map(([name, reason]) => el("tr", { class: "schedule unreadable", "data-schedule": name },
    el("td", {}, name), el("td", { class: "error", colspan: 4 }, `UNREADABLE, does not fire: ${reason}`)));
  return [el("h3", {}, "Schedules"),
    el("table", {}, el("thead", {}, el("tr", {}, el("th", {}, "schedule"), el("th", {}, "rule"), el("th", {}, "next run"), el("th", {}, "last job"), el("th", {}, "ticks"))),
      el("tbody", {}, rows, broken)),
    el("p", { class: "note" }, stats.scheduler ? `Fired by ${stats.scheduler}.` : "No scheduler is running: nothing fires until a supervisor or jobq schedule run does.")];
}

function facts(stats) {
  const rate = stats.rate_limit;
  const supervisor = stats.supervisor;
  const rows = [
    ["rate limit", rate ? `${rate.count} per ${duration(rate.period_ms)} (burst ${rate.burst}, ${rate.tokens.toFixed(1)} tokens now)` : "none"],
    ["concurrency", `${stats.concurrency.running} running` + (stats.concurrency.limit !== undefined ? ` of at most ${stats.concurrency.limit}` : ", no limit")],
    ["oldest waiting", stats.oldest_waiting && stats.oldest_waiting.age_ms !== undefined ? `waited ${duration(stats.oldest_waiting.age_ms)}` : stats.oldest_waiting ? "age unknown" : "nothing waits"],
    ["supervisor", supervisor.state + (supervisor.detail ? `: ${supervisor.detail}` : "") + (supervisor.host ? ` (${supervisor.host}/${supervisor.pid})` : "")],
    ["breaker", supervisor.breaker_tripped ? `TRIPPED ${ago(supervisor.breaker_at, stats.at)}: ${supervisor.breaker_reason || ""}` : "not tripped"],
    ["workers", stats.workers.length ? stats.workers.map((w) => `${w.id}${w.host ? ` on ${w.host}/${w.pid}` : ""}${w.job ? `, running ${w.job}` : ", idle"}${w.rss_bytes ? `, ${bytes(w.rss_bytes)}` : ""}, seen ${ago(w.seen_at, stats.at)}`).join("; ") : "none live"],
  ];
  if (stats.stop_request) rows.push(["stop request", `by ${stats.stop_request.by} ${ago(stats.stop_request.at, stats.at)}${stats.stop_request.reason ? `: ${stats.stop_request.reason}` : ""}`]);
  return el("dl", { class: "facts" }, rows.flatMap(([name, value]) => [el("dt", {}, name), el("dd", {}, value)]));
}

function timeline(entries) {
  if (!entries.length) return el("p", { class: "note" }, "Nothing in the last hour.");
  return el("ol", { class: "timeline" }, entries.slice(0, 40).map((entry) =>
    el("li", { class: entry.kind }, el("time", { datetime: new Date(entry.at).toISOString() }, clock(entry.at)),
      el("span", { class: "kind" }, entry.kind), entry.text)));
}

function deadLetters(stats, letters) {
  const queue = stats.queue;
  if (!letters.length) return el("p", { class: "note" }, "No dead letters.");
  const rows = letters.map((job) => el("tr", { class: "dead-letter" },
    el("td", {}, jobLink(queue, job.id)),
    el("td", {}, job.dead_reason || ""),
    el("td", { class: "error" }, (job.last_error || "").slice(-300)),
    el("td", {}, ago(job.dead_at, stats.at)),
    server.actions ? el("td", {}, actionButton("retry", `/api/queues/${encodeURIComponent(queue)}/dead/${encodeURIComponent(job.id)}/retry`)) : null));
  const more = stats.jobs.dead > letters.length ? el("p", { class: "note" }, `${letters.length} newest of ${stats.jobs.dead}.`) : null;
  return [el("table", {}, el("thead", {}, el("tr", {}, el("th", {}, "job"), el("th", {}, "reason"), el("th", {}, "last error"), el("th", {}, "dead"),
    server.actions ? el("th", {}, "") : null)), el("tbody", {}, rows)), more];
}

function actions(stats) {
  if (!server.actions) return null;
  const base = `/api/queues/${encodeURIComponent(stats.queue)}`;
  const held = stats.paused || stats.stop_request;
  return el("div", { class: "actions" },
    held ? actionButton("Resume", `${base}/resume`) : actionButton("Pause", `${base}/pause`),
    stats.supervisor.breaker_tripped ? actionButton("Reset breaker", `${base}/breaker/reset`) : null,
    stats.jobs.dead ? actionButton(`Retry all ${stats.jobs.dead} dead`, `${base}/dead/retry`, { confirm: `Send every dead letter of ${stats.queue} back to waiting?` }) : null,
    actionButton("Emergency stop", `${base}/emergency-stop`, { danger: true, confirm: `Pause ${stats.queue} and stop its supervisor's worker?` }));
}

function queueSection(stats, activity) {
  const verdict = stats.verdict;
  const first = stats.verdicts[0];
  return el("section", { class: `queue verdict-${verdict}`, "data-queue": stats.queue, "data-verdict": verdict },
    el("div", { class: "title" },
      el("span", { class: `verdict ${verdict}` }, TITLES[verdict] || verdict.toUpperCase()),
      el("h2", {}, el("a", { href: `/queues/${encodeURIComponent(stats.queue)}` }, stats.queue)),
      stats.verdicts.slice(1).map((other) => el("span", { class: `verdict small ${other.verdict}` }, TITLES[other.verdict] || other.verdict))),
    el("p", { class: "summary" }, first ? first.summary : "Nothing wrong."),
    first && first.evidence.length ? el("ul", { class: "evidence" }, first.evidence.map((line) => el("li", {}, line))) : null,
    figures(stats),
    el("div", { class: "details" },
      el("div", {}, el("h3", {}, "Last hour, per minute"), activity ? chart(activity.minutes) : el("p", { class: "note" }, "unavailable"),
        running(stats), schedules(stats),
        el("h3", {}, "Dead letters"), activity ? deadLetters(stats, activity.dead_letters) : null),
      el("div", {}, el("h3", {}, "Limits, workers, supervisor"), facts(stats),
        el("h3", {}, "Timeline"), activity ? timeline(activity.timeline) : null)),
    actions(stats),
    el("p", { class: "message", role: "status" }));
}

async function renderQueues(only) {
  const document_ = await api(only ? `/api/queues/${encodeURIComponent(only)}` : "/api/queues");
  const activities = await Promise.all(document_.queues.map((stats) =>
    api(`/api/queues/${encodeURIComponent(stats.queue)}/activity`).catch(() => null)));
  const redis = document_.redis || {};
  document.getElementById("redis").textContent = redis.maxmemory_policy
    ? `Redis ${redis.maxmemory_policy}, ${bytes(redis.used_memory_bytes)} used${redis.maxmemory_bytes ? ` of ${bytes(redis.maxmemory_bytes)}` : ""}, ${redis.evicted_keys} keys evicted`
    : "";
  const main = document.getElementById("main");
  const messages = new Map([...main.querySelectorAll("section[data-queue]")].map((s) => [s.dataset.queue, s.querySelector(".message")]));
  const sections = document_.queues.map((stats, index) => queueSection(stats, activities[index]));
  for (const section of sections) {
    const old = messages.get(section.dataset.queue);
    if (old && old.textContent) section.querySelector(".message").replaceWith(old);
  }
  main.replaceChildren(...(sections.length ? sections : [el("p", { class: "note" }, "No queues known yet: a queue appears once a jobq command writes to it or a job waits in it.")]));
}

async function renderJob(queue, id) {
  const job = await api(`/api/queues/${encodeURIComponent(queue)}/jobs/${encodeURIComponent(id)}`);
  const time = (at) => (at ? new Date(at).toLocaleString() : null);
  const rows = [["queue", job.queue], ["state", job.state], ["type", job.type], ["priority", job.priority !== "normal" ? job.priority : null],
    ["attempts", `${job.attempts} of ${job.max_attempts}`], ["crashes", job.crashes], ["enqueued", time(job.enqueued_at)], ["started", time(job.started_at)],
    ["due", time(job.due_at)], ["lease until", time(job.lease_until)], ["finished", time(job.finished_at)],
    ["duration", job.duration_ms !== undefined ? duration(job.duration_ms) : null], ["dead since", time(job.dead_at)], ["owner", job.owner],
    ["worker", job.host ? `${job.host}/${job.pid}` : null], ["progress", job.progress ? progressText(job.progress) : null],
    ["progress saved", time(job.progress_at)], ["dead reason", job.dead_reason],
    ["last crash", job.last_crash], ["unique key", job.unique_key]].filter(([, value]) => value !== null && value !== undefined);
  const base = `/api/queues/${encodeURIComponent(queue)}`;
  document.getElementById("main").replaceChildren(el("section", { class: "job", "data-job": job.id },
    el("p", {}, el("a", { href: `/queues/${encodeURIComponent(queue)}` }, `← ${queue}`)),
    el("h2", {}, `Job ${job.id}`),
    el("dl", { class: "facts" }, rows.flatMap(([name, value]) => [el("dt", {}, name), el("dd", {}, value)])),
    job.result !== undefined ? [el("h3", {}, "Result"), el("pre", { class: "result" }, job.result)] : null,
    job.last_error ? [el("h3", {}, "Last error"), el("pre", { class: "last-error" }, job.last_error)] : null,
    el("h3", {}, "Message"), el("pre", {}, job.body),
    server.actions && job.state === "dead" ? el("div", { class: "actions" }, actionButton("Retry", `${base}/dead/${encodeURIComponent(job.id)}/retry`)) : null,
    el("p", { class: "message", role: "status" })));
}

async function refresh() {
  const path = location.pathname.split("/").filter(Boolean).map(decodeURIComponent);
  try {
    if (path[0] === "queues" && path[2] === "jobs" && path.length === 4) await renderJob(path[1], path[3]);
    else await renderQueues(path[0] === "queues" ? path[1] : null);
    setStatus(`updated ${clock(Date.now())}, every ${server.refresh_seconds}s`, false);
  } catch (error) {
    setStatus(`${error.message} (retrying)`, true);
  }
}

async function start() {
  try {
    server = await api("/api/server");
  } catch (error) {
    setStatus(`${error.message} (retrying)`, true);
  }
  const input = document.getElementById("token-input");
  if (server.actions) {
    document.getElementById("token").hidden = false;
    input.value = sessionStorage.getItem("jobq-token") || "";
    input.addEventListener("input", () => sessionStorage.setItem("jobq-token", input.value));
  }
  await refresh();
  setInterval(refresh, Math.max(1, server.refresh_seconds) * 1000);
}

start();
