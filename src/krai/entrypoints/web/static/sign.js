// krai: signs an upload's transactions in the browser; the private key never leaves it.
//
// The preview page gives, per transaction, the exact bytes to sign (base64). Before anything
// is signed this script checks that those bytes say what the page shows:
// 1. they are "krai/tx/v1\n" followed by the RFC 8785 form of one JSON envelope
//    (RFC 8785 is JSON.stringify with keys sorted by UTF-16 code units, for krai's
//    integers, strings, booleans and null);
// 2. the envelope names the network, signer and key the page names;
// 3. its body says what the page shows, by the transaction's type:
//    - payments.reconcile_statement: its part number and count, the statement id shown, and
//      its lines exactly the table's rows, in order, each row's visible cells (line, date,
//      amount, reference) saying the same as the row's data;
//    - notary.anchor: the file's SHA-256 the page shows;
//    - energy.submit_readings: the market and day shown, and its readings exactly the
//      table's rows, in order: each participant's link, each hour's local clock, the kWh
//      consumed and generated, and the estimate mark as shown;
//    - parks.report_actuals: the park shown, and exactly the resident's row of its table:
//      the resident's link is the signer, the quarter, the roubles and kopecks, the jobs
//      and the source as shown;
//    - parks.state_park_facts: the park, date and source shown, and its facts exactly the
//      table's rows, in order: each row's fact name, its text or amount as shown.
// Then the key file (a `krai keys generate` file, read here and nowhere else) is imported
// into WebCrypto as Ed25519, its key id recomputed from the public key and compared with the
// page's, each transaction signed and POSTed to /v1/transactions in order, stopping at the
// first refusal; each receipt links to its entry in the explorer, and the page's
// data-back link (where the upload shows once recorded) follows the last one.
"use strict";

(function () {
  const section = document.getElementById("signing");
  if (!section) return;
  const subtle = window.crypto && window.crypto.subtle;
  const words = JSON.parse(document.getElementById("sign-words").textContent);
  const toSign = JSON.parse(document.getElementById("to-sign").textContent);
  const status = document.getElementById("sign-status");
  const button = document.getElementById("sign-button");
  const keyInput = document.getElementById("key-file");
  const receipts = document.getElementById("receipts");
  const PREFIX = "krai/tx/v1\n";
  const KEY_ID_PREFIX = "krai/key-id\ned25519\n";
  // PKCS #8 wrapping of a 32-byte Ed25519 seed (RFC 8410 §7).
  const PKCS8_PREFIX = [0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70,
    0x04, 0x22, 0x04, 0x20];
  let signingKey = null;
  let checked = [];

  class Refusal extends Error {}

  function say(text, bad) {
    status.textContent = text;
    status.classList.toggle("bad", Boolean(bad));
  }

  function fill(text, values) {
    return text.replace(/\{(\w+)\}/g, (whole, name) => (name in values ? values[name] : whole));
  }

  function fromBase64(text) {
    const binary = atob(text.replace(/-/g, "+").replace(/_/g, "/"));
    return Uint8Array.from(binary, (c) => c.charCodeAt(0));
  }

  function toBase64(bytes) {
    return btoa(Array.from(bytes, (b) => String.fromCharCode(b)).join(""));
  }

  function toHex(bytes) {
    return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
  }

  function concat(...parts) {
    const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
    let at = 0;
    for (const part of parts) { out.set(part, at); at += part.length; }
    return out;
  }

  function canonical(value) {
    if (Array.isArray(value)) return "[" + value.map(canonical).join(",") + "]";
    if (value !== null && typeof value === "object") {
      const keys = Object.keys(value).sort();
      return "{" + keys.map((k) => JSON.stringify(k) + ":" + canonical(value[k])).join(",") + "}";
    }
    if (typeof value === "number" && !Number.isSafeInteger(value)) throw new Refusal(words.mismatch);
    return JSON.stringify(value);
  }

  // The lines of part `number` as the page shows them.
  function shownLines(number) {
    const table = document.querySelector(`table.upload-part[data-part="${number}"]`);
    if (!table) throw new Refusal(words.mismatch);
    return Array.from(table.querySelectorAll("tbody tr"), (row) => {
      const line = JSON.parse(row.dataset.line);
      const cell = (name) => row.querySelector(`[data-shows="${name}"]`);
      const agrees = cell("line_id").textContent.trim() === line.line_id
        && cell("reference").textContent.trim() === line.reference
        && cell("booked_on").getAttribute("datetime") === line.booked_on
        && cell("amount_kopecks").textContent.replace(/\D/g, "").replace(/^0+(?=\d)/, "") === String(line.amount_kopecks);
      if (!agrees) throw new Refusal(words.mismatch);
      return line;
    });
  }

  // The digits of a shown figure ("100 000 кВт·ч" → "100000").
  function digits(element) {
    return element ? element.textContent.replace(/\D/g, "").replace(/^0+(?=\d)/, "") : null;
  }

  function clock(minute) {
    if (minute >= 24 * 60) return "24:00";
    const pad = (n) => String(n).padStart(2, "0");
    return `${pad(Math.floor(minute / 60))}:${pad(minute % 60)}`;
  }

  // The readings of transaction `number` as the page shows them: per participant's group,
  // its link to the organisation, and per row the hour, kWh and estimate mark.
  function shownReadings(number) {
    const table = document.querySelector(`table.upload-part[data-part="${number}"]`);
    if (!table) throw new Refusal(words.mismatch);
    const minutes = Number(section.dataset.periodMinutes);
    return Array.from(table.querySelectorAll("tbody")).flatMap((group) => {
      const link = group.querySelector('[data-shows="participant"]');
      const inn = link && (link.getAttribute("href") || "").split("?")[0].replace(/^\/organisations\//, "");
      return Array.from(group.querySelectorAll("tr[data-period]"), (row) => {
        const period = Number(row.dataset.period);
        const cell = (name) => row.querySelector(`[data-shows="${name}"]`);
        const hour = cell("period") && cell("period").textContent.trim();
        if (!inn || hour !== `${clock((period - 1) * minutes)}–${clock(period * minutes)}`) {
          throw new Refusal(words.mismatch);
        }
        return {
          participant_inn: inn,
          period,
          consumption_kwh: digits(cell("consumption_kwh")),
          generation_kwh: digits(cell("generation_kwh")),
          estimated: Boolean(cell("estimated")),
        };
      });
    });
  }

  const READING_KEYS = ["consumption_kwh", "estimated", "generation_kwh", "participant_inn", "period"];

  function sameReadings(recorded, shown) {
    return Array.isArray(recorded) && recorded.length === shown.length
      && recorded.every((reading, at) => {
        const row = shown[at];
        return Object.keys(reading).every((key) => READING_KEYS.includes(key))
          && reading.participant_inn === row.participant_inn
          && reading.period === row.period
          && String(reading.consumption_kwh) === row.consumption_kwh
          && String(reading.generation_kwh) === row.generation_kwh
          && (reading.estimated === undefined || typeof reading.estimated === "boolean")
          && Boolean(reading.estimated) === row.estimated;
      });
  }

  function sameKeys(body, keys) {
    return canonical(Object.keys(body).sort()) === canonical([...keys].sort());
  }

  function partTable(number) {
    const table = document.querySelector(`table.upload-part[data-part="${number}"]`);
    if (!table) throw new Refusal(words.mismatch);
    return table;
  }

  // A resident's report as its table shows it: one row, its resident's link the signer.
  function sameActuals(body, number) {
    const table = partTable(number);
    const card = table.closest("[data-resident]");
    const link = card && card.querySelector('[data-shows="resident"]');
    const inn = link && (link.getAttribute("href") || "").split("?")[0].replace(/^\/organisations\//, "");
    const cell = (name) => table.querySelector(`[data-shows="${name}"]`);
    return table.querySelectorAll("tbody tr").length === 1
      && inn === section.dataset.signer
      && sameKeys(body, ["park_id", "quarter", "investment_kopecks", "jobs", "source"])
      && body.park_id === section.dataset.parkId
      && cell("quarter").value === body.quarter
      && digits(cell("investment_kopecks")) === String(body.investment_kopecks)
      && digits(cell("jobs")) === String(body.jobs)
      && cell("source").textContent.trim() === body.source;
  }

  // Park facts as the table shows them: per row, its fact's name and its text or amount.
  function sameFacts(body, number) {
    const rows = Array.from(partTable(number).querySelectorAll("tbody tr"));
    const shown = (name) => document.querySelector(`[data-shows="${name}"]`);
    return sameKeys(body, ["park_id", "as_of", "source", "facts"])
      && body.park_id === section.dataset.parkId
      && shown("as_of").getAttribute("datetime") === body.as_of
      && shown("source").textContent.trim() === body.source
      && Array.isArray(body.facts) && body.facts.length === rows.length
      && body.facts.every((fact, at) => {
        const row = rows[at];
        const cell = (name) => row.querySelector(`[data-shows="${name}"]`);
        const value = fact.unknown ? !cell("text") && !cell("amount")
          : "text" in fact ? cell("text") && cell("text").textContent.trim() === fact.text
          : cell("amount") && cell("amount").value === String(fact.amount);
        return canonical(JSON.parse(row.dataset.fact)) === canonical(fact)
          && cell("name").value === fact.name
          && Boolean(value);
      });
  }

  // Whether a transaction's body says what the page shows, by its type.
  const BODY_CHECKS = {
    "payments.reconcile_statement": (body, index) => body.statement_id === section.dataset.statementId
      && body.part === index + 1
      && body.parts === toSign.length
      && canonical(body.lines) === canonical(shownLines(index + 1)),
    "notary.anchor": (body) => body.sha256 === section.dataset.sha256
      && document.querySelector('[data-shows="sha256"]').textContent.trim() === body.sha256,
    "energy.submit_readings": (body, index) => body.market_id === section.dataset.marketId
      && body.delivery_date === section.dataset.day
      && sameReadings(body.readings, shownReadings(index + 1)),
    "parks.report_actuals": (body, index) => sameActuals(body, index + 1),
    "parks.state_park_facts": (body, index) => sameFacts(body, index + 1),
  };

  // The envelope the bytes of transaction `index` hold, if they say what the page shows.
  function envelopeOf(item, index) {
    const bytes = fromBase64(item.signing_bytes);
    const text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
    if (!text.startsWith(PREFIX)) throw new Refusal(words.mismatch);
    const json = text.slice(PREFIX.length);
    const envelope = JSON.parse(json);
    const check = Object.hasOwn(BODY_CHECKS, envelope.type) ? BODY_CHECKS[envelope.type] : null;
    const expected = [
      canonical(envelope) === json,
      envelope.v === 1,
      envelope.network === section.dataset.network,
      envelope.signer === section.dataset.signer,
      envelope.key_id === section.dataset.keyId,
      check !== null && check(envelope.body || {}, index),
    ];
    if (!expected.every(Boolean)) throw new Refusal(words.mismatch);
    return { bytes, envelope };
  }

  // Every table of what is recorded is one of the transactions to sign.
  function everyTableSigned() {
    const numbers = Array.from(document.querySelectorAll("table.upload-part"), (t) => Number(t.dataset.part));
    return numbers.every((number) => number >= 1 && number <= toSign.length);
  }

  async function sha256(bytes) {
    return new Uint8Array(await subtle.digest("SHA-256", bytes));
  }

  // The Ed25519 key in a `krai keys generate` file, if it is the key the page names.
  async function keyFrom(file) {
    let stored;
    try {
      stored = JSON.parse(await file.text());
    } catch (error) {
      throw new Refusal(words.bad_key);
    }
    if ((stored.type || "ed25519") !== "ed25519") throw new Refusal(words.gost);
    const seed = fromBase64(String(stored.seed || ""));
    if (seed.length !== 32) throw new Refusal(words.bad_key);
    const pkcs8 = concat(Uint8Array.from(PKCS8_PREFIX), seed);
    const algorithm = { name: "Ed25519" };
    let exportable;
    try {
      exportable = await subtle.importKey("pkcs8", pkcs8, algorithm, true, ["sign"]);
    } catch (error) {
      throw new Refusal(words.no_ed25519);
    }
    const publicKey = fromBase64((await subtle.exportKey("jwk", exportable)).x);
    const material = concat(new TextEncoder().encode(KEY_ID_PREFIX), publicKey);
    const keyId = toHex((await sha256(material)).slice(0, 8));
    if (keyId !== section.dataset.keyId) throw new Refusal(fill(words.wrong_key, { key_id: keyId }));
    return subtle.importKey("pkcs8", pkcs8, algorithm, false, ["sign"]);
  }

  function addReceipt(number, answer) {
    const item = document.createElement("li");
    item.className = "receipt";
    const link = document.createElement("a");
    link.href = `/explorer/entries/${answer.index}`;
    link.textContent = fill(words.entry, { index: answer.index });
    item.append(fill(words.part, { part: number }) + ": ", link);
    receipts.append(item);
  }

  async function signAndSubmit() {
    button.disabled = true;
    for (const [index, { bytes, envelope }] of checked.entries()) {
      say(fill(words.signing, { part: index + 1, parts: checked.length }));
      const signature = new Uint8Array(await subtle.sign({ name: "Ed25519" }, signingKey, bytes));
      const response = await fetch("/v1/transactions", {
        method: "POST",
        headers: { "Content-Type": "application/json", Accept: "application/json" },
        body: JSON.stringify({ ...envelope, sig: toBase64(signature) }),
      });
      const answer = await response.json();
      if (response.status !== 201) {
        const why = answer.detail || answer.title || response.status;
        say(fill(words.refused, { part: index + 1, detail: why }), true);
        return;
      }
      addReceipt(index + 1, answer);
    }
    say(words.done);
    const back = document.createElement("a");
    back.href = section.dataset.back;
    back.id = section.dataset.backId;
    back.textContent = words.back;
    status.append(" ", back);
  }

  async function chooseKey() {
    signingKey = null;
    button.disabled = true;
    const [file] = keyInput.files;
    if (!file) return;
    say(words.reading);
    try {
      signingKey = await keyFrom(file);
      button.disabled = false;
      say(words.ready);
    } catch (error) {
      say(error instanceof Refusal ? error.message : String(error), true);
    }
  }

  if (!subtle) {
    say(words.no_ed25519, true);
    keyInput.disabled = true;
    return;
  }
  try {
    checked = toSign.map(envelopeOf);
    if (!everyTableSigned()) throw new Refusal(words.mismatch);
  } catch (error) {
    say(error instanceof Refusal ? error.message : words.mismatch, true);
    keyInput.disabled = true;
    return;
  }
  keyInput.addEventListener("change", chooseKey);
  // A key file chosen before this deferred script ran fired its change unheard: read it now.
  if (keyInput.files.length) chooseKey();
  button.addEventListener("click", () => {
    signAndSubmit().catch((error) => {
      say(String(error), true);
      button.disabled = false;
    });
  });
})();
