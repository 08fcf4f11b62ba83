// Small progressive enhancements; every page works without them.
"use strict";
document.addEventListener("DOMContentLoaded", () => {
  // Prevent double submission: disable submit buttons once a form is sent.
  document.querySelectorAll("form[method=post]").forEach((form) => {
    form.addEventListener("submit", () => {
      form.querySelectorAll("button[type=submit]").forEach((b) => {
        setTimeout(() => { b.disabled = true; }, 0);
      });
    });
  });
});

// Registration: add a task row by copying the last one with the next index.
document.addEventListener("DOMContentLoaded", () => {
  const button = document.getElementById("add-task");
  const body = document.getElementById("task-rows");
  if (!button || !body) return;
  button.addEventListener("click", () => {
    const rows = body.querySelectorAll("tr.task-row");
    const last = rows[rows.length - 1];
    if (!last) return;
    const index = rows.length;
    const clone = last.cloneNode(true);
    clone.dataset.index = String(index);
    clone.classList.remove("has-error", "is-current");
    delete clone.dataset.source;
    clone.querySelectorAll(".error, .hint, .source-link").forEach((el) => el.remove());
    clone.querySelectorAll("input, select, textarea").forEach((el) => {
      ["name", "id"].forEach((attr) => {
        const value = el.getAttribute(attr);
        if (value) el.setAttribute(attr, value.replace(/tasks-\d+-/, `tasks-${index}-`));
      });
      const label = el.getAttribute("aria-label");
      if (label) el.setAttribute("aria-label", label.replace(/\d+$/, String(index + 1)));
      if (el.type === "checkbox") el.checked = false;
      else if (el.tagName === "SELECT") el.selectedIndex = 0;
      else el.value = "";
    });
    clone.querySelector("td.num").textContent = String(index + 1);
    body.appendChild(clone);
    const first = clone.querySelector("input[list]");
    if (first) first.focus();
  });
});

// Irreversible one-button POSTs (revoking an API token) ask first: data-confirm on the form holds the question.
// Capture phase on the document, so a cancelled submit never reaches the double-submission guard above
// (which would otherwise leave the button disabled). Without script the form submits as before.
document.addEventListener("submit", (event) => {
  const question = event.target.dataset ? event.target.dataset.confirm : undefined;
  if (question && !window.confirm(question)) {
    event.preventDefault();
    event.stopPropagation();
  }
}, true);

// Registration: the task row the clerk is on shows the passage of the letter it was read from. The server marks
// every passage (<mark data-rows="...">, rows by position) and puts a source row under a row whose passage is not
// in the text; here the current row's passage is coloured and scrolled into view inside the text panel.
document.addEventListener("DOMContentLoaded", () => {
  const body = document.getElementById("task-rows");
  const panel = document.getElementById("letter-text");
  if (!body) return;
  const text = panel ? panel.querySelector(".fulltext") : null;
  const status = panel ? panel.querySelector(".source-status") : null;
  let current = null;
  const show = (row, force) => {
    if (!row || (row === current && !force)) return;
    current = row;
    document.querySelectorAll(".is-current").forEach((el) => el.classList.remove("is-current"));
    row.classList.add("is-current");
    const index = row.dataset.index;
    const number = Number(index) + 1;
    const below = body.querySelector(`tr.source-row[data-for="${index}"]`);
    if (below) below.classList.add("is-current");
    if (!text) return;
    const marks = Array.from(text.querySelectorAll("mark[data-rows]"))
      .filter((mark) => mark.dataset.rows.split(" ").includes(index));
    marks.forEach((mark) => mark.classList.add("is-current"));
    if (status) {
      status.textContent = marks.length ? `Dòng ${number}: đoạn nguồn được tô màu.`
        : below ? `Dòng ${number}: đoạn nguồn hiện ngay dưới dòng.` : `Dòng ${number} không có đoạn nguồn.`;
    }
    if (!marks.length) return;
    // scroll the text panel, not the page, so the row being edited stays where it is
    const top = marks[0].getBoundingClientRect().top - text.getBoundingClientRect().top;
    text.scrollTop += top - 24;
    const box = panel.getBoundingClientRect();
    if (box.bottom < 0 || box.top > window.innerHeight) panel.scrollIntoView({ block: "nearest" });
  };
  body.addEventListener("focusin", (event) => show(event.target.closest("tr.task-row")));
  body.addEventListener("click", (event) => {
    const row = event.target.closest("tr.task-row");
    const link = event.target.closest("a.source-link");
    if (link && text) event.preventDefault();  // without script the link jumps to the passage instead
    show(row, true);  // a click shows the passage again, even on the row already chosen
  });
});

// Scan read by OCR in the background: the progress page asks the server every second how far the job is and
// moves its bar; when the job is done (or failed) it goes where the server says. Without script the page
// refreshes itself (a meta refresh inside <noscript>).
document.addEventListener("DOMContentLoaded", () => {
  const box = document.getElementById("scan-progress");
  if (!box || !["queued", "running"].includes(box.dataset.status)) return;
  const status = document.getElementById("scan-status");
  const bar = document.getElementById("scan-bar");
  const ask = () => {
    fetch(box.dataset.statusUrl, { headers: { Accept: "application/json" }, credentials: "same-origin", cache: "no-store" })
      .then((response) => {
        if (!response.ok) { window.location.reload(); return null; }  // the job is gone: the page says so
        return response.json();
      })
      .then((job) => {
        if (!job) return;
        if (job.status === "done" || job.status === "failed") { window.location.replace(job.next); return; }
        if (status && status.textContent !== job.text) status.textContent = job.text;
        if (bar) {
          if (job.pages_total) {
            bar.max = job.pages_total;
            bar.value = job.pages_done;
            bar.textContent = `${job.pages_done}/${job.pages_total}`;
          } else {
            bar.removeAttribute("value");
          }
        }
        setTimeout(ask, 1000);
      })
      .catch(() => setTimeout(ask, 2000));  // the network hiccuped: ask again a little later
  };
  setTimeout(ask, 1000);
});
