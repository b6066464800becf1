// Progressive enhancement of the upload form: drop zone, size check, upload progress.
// Without JavaScript the form posts to /rapport as plain multipart and still works.
(function () {
  "use strict";

  var form = document.getElementById("upload-form");
  if (!form || !window.FormData || !window.XMLHttpRequest) { return; }

  var input = document.getElementById("file");
  var drop = document.getElementById("dropzone");
  var choose = document.getElementById("choose");
  var list = document.getElementById("file-list");
  var submit = document.getElementById("submit");
  var progressBox = document.getElementById("progress-box");
  var progress = document.getElementById("progress");
  var progressLabel = document.getElementById("progress-label");
  var message = document.getElementById("message");
  var maxMb = parseInt(form.getAttribute("data-max-mb") || "50", 10);
  var maxFiles = parseInt(form.getAttribute("data-max-files") || "10", 10);

  // The drop zone replaces the bare file input; the input stays in the form (visually hidden).
  drop.hidden = false;
  input.parentNode.classList.add("nt-visually-hidden");
  input.required = false;

  // First line as the message itself, further lines (one per file) as a list under it.
  function showMessage(lines) {
    if (typeof lines === "string") { lines = [lines]; }
    message.textContent = "";
    var p = document.createElement("p");
    p.className = "nt-message-title";
    p.textContent = lines[0];
    message.appendChild(p);
    if (lines.length > 1) {
      var ul = document.createElement("ul");
      lines.slice(1).forEach(function (l) {
        var li = document.createElement("li");
        li.textContent = l;
        ul.appendChild(li);
      });
      message.appendChild(ul);
    }
    message.hidden = false;
  }

  function clearMessage() { message.hidden = true; message.textContent = ""; }

  function sizeText(bytes) {
    if (bytes >= 1024 * 1024) { return (bytes / (1024 * 1024)).toFixed(1).replace(".", ",") + " MB"; }
    return Math.max(1, Math.round(bytes / 1024)) + " kB";
  }

  function problems(files) {
    var out = [];
    if (files.length > maxFiles) {
      out.push("U kunt maximaal " + maxFiles + " bestanden tegelijk uploaden.");
    }
    for (var i = 0; i < files.length; i++) {
      if (files[i].size > maxMb * 1024 * 1024) {
        out.push("Bestand " + files[i].name + " is groter dan " + maxMb + " MB.");
      }
    }
    return out;
  }

  function render() {
    list.textContent = "";
    var files = input.files;
    for (var i = 0; i < files.length; i++) {
      var li = document.createElement("li");
      li.textContent = files[i].name + " (" + sizeText(files[i].size) + ")";
      if (files[i].size > maxMb * 1024 * 1024) { li.className = "nt-bad"; }
      list.appendChild(li);
    }
    clearMessage();
  }

  choose.addEventListener("click", function () { input.click(); });
  input.addEventListener("change", render);

  ["dragenter", "dragover"].forEach(function (ev) {
    drop.addEventListener(ev, function (e) {
      e.preventDefault();
      drop.classList.add("nt-over");
    });
  });
  ["dragleave", "drop"].forEach(function (ev) {
    drop.addEventListener(ev, function (e) {
      e.preventDefault();
      drop.classList.remove("nt-over");
    });
  });
  drop.addEventListener("drop", function (e) {
    if (e.dataTransfer && e.dataTransfer.files && e.dataTransfer.files.length) {
      try {
        input.files = e.dataTransfer.files;
      } catch (err) {
        showMessage("Uw browser ondersteunt slepen niet; kies de bestanden met de knop.");
        return;
      }
      render();
    }
  });

  function busy(on) {
    submit.disabled = on;
    progressBox.hidden = !on;
  }

  // Coming back with the browser's back button must not leave the form disabled.
  window.addEventListener("pageshow", function () { busy(false); });

  form.addEventListener("submit", function (e) {
    e.preventDefault();
    clearMessage();
    if (!input.files || input.files.length === 0) {
      showMessage("Kies eerst een of meer documenten.");
      return;
    }
    var bad = problems(input.files);
    if (bad.length) { showMessage(bad); return; }

    var xhr = new XMLHttpRequest();
    xhr.open("POST", form.getAttribute("action"));
    xhr.setRequestHeader("Accept", "application/json");
    xhr.upload.addEventListener("progress", function (ev) {
      if (ev.lengthComputable) {
        var pct = Math.round((ev.loaded / ev.total) * 100);
        progress.value = pct;
        progressLabel.textContent = "Bezig met uploaden… " + pct + "%";
      }
    });
    xhr.upload.addEventListener("load", function () {
      // Upload done; the server now reads and checks the documents.
      progress.removeAttribute("value");
      progressLabel.textContent = "Documenten worden gecontroleerd…";
    });
    xhr.addEventListener("load", function () {
      var data = null;
      try { data = JSON.parse(xhr.responseText); } catch (err) { data = null; }
      if (xhr.status === 200 && data && data.url) {
        progressLabel.textContent = "Rapport wordt geopend…";
        window.location.assign(data.url);
        return;
      }
      busy(false);
      var lines = [];
      if (data && data.detail) { lines.push(data.detail); }
      if (data && data.errors) { lines = lines.concat(data.errors); }
      if (!lines.length) {
        lines.push(xhr.status === 413 ? "Het bestand is te groot." :
          "De controle is niet gelukt (foutcode " + xhr.status + "). Probeer het opnieuw.");
      }
      showMessage(lines);
    });
    xhr.addEventListener("error", function () {
      busy(false);
      showMessage("De verbinding met de server is verbroken. Controleer de bestandsgrootte en probeer het opnieuw.");
    });
    progress.value = 0;
    progressLabel.textContent = "Bezig met uploaden…";
    busy(true);
    xhr.send(new FormData(form));
  });
}());
