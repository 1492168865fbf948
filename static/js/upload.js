/* Upload with a progress bar (XHR), then go to the session page where processing progress shows. */
(function () {
  "use strict";
  const form = document.getElementById("upload-form");
  if (!form) return;
  const box = document.getElementById("upload-progress"), bar = box.querySelector(".bar"), label = box.querySelector(".label");
  const error = document.getElementById("upload-error"), button = document.getElementById("upload-button");
  const maxBytes = Number(form.dataset.maxBytes);

  function fail(message) {
    error.textContent = message; error.hidden = false; button.disabled = false; box.hidden = true;
  }

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    error.hidden = true;
    form.querySelectorAll("[data-error-for]").forEach((e) => e.remove());
    const file = form.querySelector("input[type=file]").files[0];
    if (!file) return fail("Choose a video file first.");
    if (file.size > maxBytes) return fail(`The file is larger than the ${(maxBytes / 1024 ** 3).toFixed(1)} GB limit.`);
    const xhr = new XMLHttpRequest();
    xhr.open("POST", form.action || window.location.href);
    xhr.setRequestHeader("Accept", "application/json");
    xhr.upload.onprogress = (e) => {
      if (!e.lengthComputable) return;
      const pct = Math.round((e.loaded / e.total) * 100);
      bar.style.width = pct + "%"; label.textContent = pct < 100 ? `Uploading… ${pct}%` : "Checking the video…";
    };
    xhr.onload = () => {
      let body = {};
      try { body = JSON.parse(xhr.responseText); } catch (e) { /* not JSON */ }
      // 202: saved and queued while the analysis queue is unreachable; the session page says so
      if ((xhr.status === 201 || xhr.status === 202) && body.url) { window.location.href = body.url; return; }
      const errors = body.errors ? Object.values(body.errors).flat().join(" ") : `Upload failed (HTTP ${xhr.status}).`;
      fail(errors);
    };
    xhr.onerror = () => fail("The connection broke during the upload. Nothing was saved; please try again.");
    box.hidden = false; button.disabled = true;
    xhr.send(new FormData(form));
  });
})();
