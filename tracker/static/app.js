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
    clone.classList.remove("has-error");
    clone.querySelectorAll(".error, .hint").forEach((el) => el.remove());
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
