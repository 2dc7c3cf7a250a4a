// The inspector's pages offline: a filled form is kept in the browser (IndexedDB, the
// "outbox") and sent when there is a network, each with its own key so that the server
// records it once however often it is sent. The service worker (field-sw.js) keeps the
// pages and this script, so the pages open without a network too.
(() => {
  "use strict";
  const DB_NAME = "crosscheck-field";
  const STORE = "outbox";
  const queue = document.getElementById("queue");
  // The inspection form, or a follow-up's or re-check's form (data-queued).
  const form = document.getElementById("inspection") || document.querySelector("form[data-queued]");
  const sent = [];
  let flushing = false;
  let needsLogin = false;

  function open() {
    return new Promise((resolve, reject) => {
      const request = indexedDB.open(DB_NAME, 1);
      request.onupgradeneeded = () => request.result.createObjectStore(STORE, { keyPath: "key" });
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error);
    });
  }

  async function withStore(mode, act) {
    const db = await open();
    return new Promise((resolve, reject) => {
      const tx = db.transaction(STORE, mode);
      const request = act(tx.objectStore(STORE));
      tx.oncomplete = () => { db.close(); resolve(request ? request.result : undefined); };
      tx.onerror = () => { db.close(); reject(tx.error); };
    });
  }

  const waiting = () => withStore("readonly", (s) => s.getAll());
  const keep = (record) => withStore("readwrite", (s) => s.put(record));
  const forget = (key) => withStore("readwrite", (s) => s.delete(key));

  function newKey() {
    if (self.crypto && crypto.randomUUID) return crypto.randomUUID();
    return Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => b.toString(16).padStart(2, "0")).join("");
  }

  // A phone photo is several MB: sent as a JPEG of at most 1600 px, it is a few hundred KB.
  async function shrink(file) {
    try {
      const bitmap = await createImageBitmap(file);
      const scale = Math.min(1, 1600 / Math.max(bitmap.width, bitmap.height));
      if (scale === 1 && file.size < 1500000) return file;
      const canvas = document.createElement("canvas");
      canvas.width = Math.round(bitmap.width * scale);
      canvas.height = Math.round(bitmap.height * scale);
      canvas.getContext("2d").drawImage(bitmap, 0, 0, canvas.width, canvas.height);
      const blob = await new Promise((ok) => canvas.toBlob(ok, "image/jpeg", 0.85));
      return blob ? new File([blob], "photo.jpg", { type: "image/jpeg" }) : file;
    } catch (e) {
      return file; // a type the browser cannot draw (HEIC): sent as taken
    }
  }

  function text(name, count) {
    return (queue.dataset[name] || "").replace("{count}", String(count));
  }

  function link(href, label) {
    const a = document.createElement("a");
    a.href = href;
    a.textContent = label;
    return a;
  }

  function button(label, act) {
    const b = document.createElement("button");
    b.type = "button";
    b.className = "secondary small";
    b.textContent = label;
    b.addEventListener("click", act);
    return b;
  }

  async function show() {
    if (!queue) return;
    const records = await waiting();
    queue.replaceChildren();
    const pending = records.filter((r) => r.state === "waiting");
    if (pending.length) {
      const p = document.createElement("p");
      p.className = "waiting";
      p.textContent = text("waiting", pending.length);
      queue.append(p);
      const list = document.createElement("ul");
      for (const r of pending) {
        const li = document.createElement("li");
        li.textContent = r.title;
        list.append(li);
      }
      queue.append(list);
    }
    if (needsLogin) {
      const p = document.createElement("p");
      p.className = "bad";
      p.append(link("/login?next=" + encodeURIComponent(location.pathname), text("login")));
      queue.append(p);
    }
    for (const r of records.filter((r) => r.state === "failed")) {
      const p = document.createElement("p");
      p.className = "bad failed";
      p.textContent = text("failed") + r.title + " · " + r.error + " ";
      p.append(
        button(text("retry"), async () => { r.state = "waiting"; await keep(r); flush(); }),
        " ",
        button(text("discard"), async () => { await forget(r.key); offerAgain(r); show(); }),
      );
      queue.append(p);
    }
    for (const s of sent) {
      const p = document.createElement("p");
      p.className = "good sent";
      p.append(text("sent"), link(s.url, s.title));
      queue.append(p);
    }
    queue.hidden = queue.childElementCount === 0;
    // This page's form was refused: offered again, to be put right and sent anew.
    for (const r of records.filter((r) => r.state === "failed")) offerAgain(r);
    // This place's form is waiting or sent already: the form is not offered twice.
    if (form && !form.hidden && (pending.some((r) => r.url === form.action) || sent.some((s) => s.from === form.action))) {
      keptForm();
    }
  }

  function keptForm() {
    form.hidden = true;
    const saved = document.createElement("p");
    saved.className = "good saved";
    saved.textContent = form.dataset.saved + " ";
    saved.append(link(form.dataset.backUrl || "/field", form.dataset.back));
    form.after(saved);
  }

  // A refused record thrown away: its form is offered again, to be put right.
  function offerAgain(record) {
    if (!form || record.url !== form.action || !form.hidden) return;
    const saved = form.nextElementSibling;
    if (saved && saved.classList.contains("saved")) saved.remove();
    form.hidden = false;
  }

  function body(record) {
    const data = new FormData();
    for (const [name, value] of record.entries) {
      if (value instanceof Blob) data.append(name, value, value.name || "photo.jpg");
      else data.append(name, value);
    }
    return data;
  }

  async function flush() {
    if (flushing) return;
    flushing = true;
    try {
      for (const record of await waiting()) {
        if (record.state !== "waiting") continue;
        let answer;
        try {
          answer = await fetch(record.url, {
            method: "POST",
            body: body(record),
            headers: { Accept: "application/json" },
            credentials: "same-origin",
            redirect: "manual",
          });
        } catch (e) {
          break; // no network: try again when it is back
        }
        if (answer.type === "opaqueredirect" || answer.status === 401) {
          needsLogin = true;
          break;
        }
        needsLogin = false;
        if (answer.ok) {
          const done = await answer.json();
          await forget(record.key);
          sent.push({ title: record.title, url: done.url, from: record.url });
          continue;
        }
        if (answer.status >= 500 || answer.status === 429) break; // the service is busy: later
        const refused = await answer.json().catch(() => ({}));
        record.state = "failed";
        record.error = refused.error || Object.values(refused.errors || {}).join(";") || String(answer.status);
        await keep(record);
      }
    } finally {
      flushing = false;
      await show();
    }
  }

  // A photo's time (the file's own, as the camera wrote it) and the phone's position when
  // it was taken go with it; the position only if the person lets the page read it.
  const locating = new Map();

  function twoDigits(n) { return String(n).padStart(2, "0"); }

  function clock(at) {
    return at.getFullYear() + "-" + twoDigits(at.getMonth() + 1) + "-" + twoDigits(at.getDate()) +
      " " + twoDigits(at.getHours()) + ":" + twoDigits(at.getMinutes());
  }

  function position() {
    return new Promise((resolve) => {
      if (!navigator.geolocation) { resolve({ error: 2 }); return; }
      navigator.geolocation.getCurrentPosition(
        (p) => resolve({ lat: p.coords.latitude, lon: p.coords.longitude, metres: p.coords.accuracy }),
        (e) => resolve({ error: e.code }),
        { enableHighAccuracy: true, timeout: 10000, maximumAge: 60000 },
      );
    });
  }

  // The page carries no markup for these (it stays small on a phone's network): the
  // line under the photo and the hidden fields are made when a photo is chosen.
  function whereSlot(input, n) {
    let slot = document.getElementById("where-" + n);
    if (slot) return slot;
    slot = document.createElement("p");
    slot.id = "where-" + n;
    slot.setAttribute("aria-live", "polite");
    input.setAttribute("aria-describedby", slot.id);
    input.after(slot);
    for (const part of ["taken_at", "lat", "lon"]) {
      const hidden = document.createElement("input");
      hidden.type = "hidden";
      hidden.name = part + "_" + n;
      slot.after(hidden);
    }
    return slot;
  }

  function photoTaken(input) {
    // A checklist item's photos (photo_3), or a follow-up's or re-check's (photos).
    const n = input.name.startsWith("photo_") ? input.name.slice("photo_".length) : input.name;
    const slot = whereSlot(input, n);
    const set = (part, value) => { form.elements[part + "_" + n].value = value; };
    for (const part of ["taken_at", "lat", "lon"]) set(part, "");
    if (!input.files.length) { slot.hidden = true; locating.delete(n); return; }
    const file = input.files[0];
    const at = new Date(file.lastModified || Date.now());
    set("taken_at", at.toISOString());
    const taken = form.dataset.taken.replace("{time}", clock(at));
    slot.hidden = false;
    slot.className = "hint where";
    slot.textContent = taken + " · " + form.dataset.asking;
    const asked = position().then((p) => {
      if (locating.get(n) !== asked) return; // a newer photo replaced this one
      if (p.error) {
        slot.className = "hint where bad";
        slot.textContent = taken + " · " + (p.error === 1 ? form.dataset.denied : form.dataset.unknown);
        return;
      }
      set("lat", p.lat.toFixed(6));
      set("lon", p.lon.toFixed(6));
      slot.textContent = taken + " · " + form.dataset.position
        .replace("{lat}", p.lat.toFixed(5)).replace("{lon}", p.lon.toFixed(5))
        .replace("{metres}", String(Math.round(p.metres)));
    });
    locating.set(n, asked);
  }

  // 当场告知: the person told signs on the phone with a finger (or a mouse); the drawing
  // goes with the form as a PNG. Pointer events serve touch, pen and mouse alike.
  const pad = document.getElementById("signature-pad");
  let inked = false;

  function signaturePad() {
    const ink = pad.getContext("2d");
    const hint = document.getElementById("signature-hint");
    let drawing = false;
    const point = (e) => {
      const box = pad.getBoundingClientRect();
      return [(e.clientX - box.left) * pad.width / box.width, (e.clientY - box.top) * pad.height / box.height];
    };
    const clear = () => {
      ink.fillStyle = "#fff";
      ink.fillRect(0, 0, pad.width, pad.height);
      inked = false;
      pad.classList.remove("signed");
      hint.textContent = pad.dataset.empty;
      form.elements.signed_at.value = "";
    };
    pad.addEventListener("pointerdown", (e) => {
      e.preventDefault();
      drawing = true;
      pad.setPointerCapture(e.pointerId);
      const [x, y] = point(e);
      ink.lineWidth = 4;
      ink.lineCap = ink.lineJoin = "round";
      ink.strokeStyle = "#111";
      ink.beginPath();
      ink.moveTo(x, y);
    });
    pad.addEventListener("pointermove", (e) => {
      if (!drawing) return;
      const [x, y] = point(e);
      ink.lineTo(x, y);
      ink.stroke();
      inked = true;
    });
    const stop = () => {
      if (!drawing) return;
      drawing = false;
      if (!inked) return;
      pad.classList.add("signed");
      hint.textContent = pad.dataset.done;
      form.elements.signed_at.value = new Date().toISOString();
      form.elements.refused.checked = false;
      settled("signature");
    };
    pad.addEventListener("pointerup", stop);
    pad.addEventListener("pointercancel", stop);
    document.getElementById("signature-clear").addEventListener("click", clear);
    form.elements.refused.addEventListener("change", () => {
      if (!form.elements.refused.checked) return;
      clear();
      settled("signature");
    });
    clear();
  }

  // A problem put right (the person signed, or refused) is no longer shown.
  function settled(name) {
    const slot = document.getElementById("err-" + name);
    if (slot) slot.textContent = "";
    const summary = form.querySelector(".summary-errors");
    for (const a of summary.querySelectorAll('a[href="#f-' + name + '"]')) a.parentElement.remove();
    summary.hidden = summary.childElementCount === 0;
  }

  function drawn() {
    return new Promise((resolve) => pad.toBlob(
      (blob) => resolve(blob ? new File([blob], "signature.png", { type: "image/png" }) : null), "image/png"));
  }

  // A follow-up (a fix reported) or a re-check (passed with photos, or failed with why).
  function actProblems() {
    const found = {};
    const data = new FormData(form);
    const note = String(data.get("note") || "").trim();
    if (form.dataset.mode !== "verify") {
      if (!note) found.note = true;
      return found;
    }
    const outcome = data.get("outcome");
    const photos = data.getAll("photos").filter((f) => f instanceof File && f.size);
    if (outcome !== "pass" && outcome !== "fail") found.outcome = true;
    if (outcome === "fail" && !note) found.note = true;
    if (outcome === "pass" && form.dataset.major === "yes" && !photos.length) found.photos = true;
    return found;
  }

  // The browser checks what it can before anything is kept; the server checks it all again.
  function problems() {
    if (form.id !== "inspection") return actProblems();
    const found = {};
    const data = new FormData(form);
    if (!data.getAll("present").length) found.present = true;
    let failed = 0;
    for (let n = 0; data.has("item_" + n); n++) {
      const result = data.get("result_" + n);
      if (result !== "pass" && result !== "fail") found["result_" + n] = true;
      if (result === "fail") {
        failed++;
        if (!String(data.get("description_" + n) || "").trim()) found["description_" + n] = true;
        const deadline = String(data.get("deadline_" + n) || "");
        const min = form.querySelector("[name=deadline_" + n + "]").min;
        if (deadline && deadline < min) found["deadline_" + n] = true;
      }
    }
    if (failed) {
      for (const name of ["told_person", "responsible_person"]) {
        if (!String(data.get(name) || "").trim()) found[name] = true;
      }
      if (pad && !inked && data.get("refused") !== "yes") found.signature = true;
    }
    return found;
  }

  // Each problem's wording is in the page (data-message), in the user's language.
  function mark(found) {
    for (const p of form.querySelectorAll("p.error")) p.textContent = "";
    const summary = form.querySelector(".summary-errors");
    summary.replaceChildren();
    const names = Object.keys(found);
    for (const name of names) {
      const slot = document.getElementById("err-" + name);
      const message = (slot && slot.dataset.message) || "";
      if (slot) slot.textContent = message;
      const li = document.createElement("p");
      li.append(link("#f-" + name, message));
      summary.append(li);
    }
    summary.hidden = names.length === 0;
    if (names.length) document.getElementById("f-" + names[0]).scrollIntoView({ block: "center" });
  }

  async function submit(event) {
    event.preventDefault();
    const found = problems();
    if (Object.keys(found).length) {
      mark(found);
      return;
    }
    await Promise.all(locating.values()); // a position being read goes with its photo
    const key = newKey();
    form.elements.key.value = key;
    if (form.elements.inspected_at) form.elements.inspected_at.value = new Date().toISOString();
    const entries = [];
    for (const [name, value] of new FormData(form)) {
      if (value instanceof File) {
        if (value.size) entries.push([name, await shrink(value)]);
      } else {
        entries.push([name, value]);
      }
    }
    if (pad && inked && !form.elements.refused.checked) {
      const signature = await drawn();
      if (signature) entries.push(["signature", signature]);
    }
    // Sent anew: a refused copy of this form is not kept beside it (it would go twice).
    for (const r of await waiting()) if (r.url === form.action && r.state === "failed") await forget(r.key);
    await keep({ key, url: form.action, title: form.dataset.title, entries, state: "waiting", at: Date.now() });
    keptForm();
    await show();
    flush();
  }

  if (form) {
    if (pad) signaturePad();
    form.addEventListener("submit", submit);
    for (const input of form.querySelectorAll("input[type=file][name^=photo]")) {
      input.addEventListener("change", () => photoTaken(input));
    }
  }
  window.addEventListener("online", flush);
  setInterval(() => { if (navigator.onLine) flush(); }, 20000);

  if ("serviceWorker" in navigator) {
    // One worker per folder it keeps: /field, /followup or /verify.
    const scope = "/" + location.pathname.split("/")[1];
    navigator.serviceWorker.register(scope + "/sw.js", { scope }).then(async () => {
      const ready = await navigator.serviceWorker.ready;
      // Today's places open offline too: the worker fetches and keeps them now.
      const pages = Array.from(document.querySelectorAll("[data-prefetch] a"), (a) => a.pathname);
      if (ready.active) ready.active.postMessage({ keep: [location.pathname, ...pages] });
    }).catch(() => {});
  }
  show().then(flush);
})();
