// krai: checks the log in the browser, trusting no server code.
//
// An entry page:
// 1. Fetch the entry's exact bytes; leaf = SHA-256(0x00 || bytes)        (RFC 9162 §2.1.1)
// 2. Walk the audit path from the leaf to a root                         (RFC 9162 §2.1.3.2)
// 3. Compare with the root hash and tree size in the checkpoint's note   (C2SP tlog-checkpoint)
// 4. Check the note's Ed25519 signature by the log's key                 (C2SP signed-note)
// The explorer page: check that an older signed checkpoint's tree is a prefix of a newer
// one's with the server's consistency proof                              (RFC 9162 §2.1.4.2)
//
// The log's key is, first, a verifier key given in the address (?key=name+id+base64), then
// one this browser pinned (localStorage, per log origin), and only then the key the page
// itself serves — which proves nothing against the server that sent it; the verdict says
// which one was used.
"use strict";

(function () {
  const subtle = window.crypto && window.crypto.subtle;
  const PIN_PREFIX = "krai.log-key:";

  function fromHex(hex) {
    const out = new Uint8Array(hex.length / 2);
    for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.substr(2 * i, 2), 16);
    return out;
  }

  function toHex(bytes) {
    return bytes ? Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("") : "—";
  }

  function fromBase64(text) {
    const binary = atob(text);
    const out = new Uint8Array(binary.length);
    for (let i = 0; i < binary.length; i++) out[i] = binary.charCodeAt(i);
    return out;
  }

  function concat(...parts) {
    const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
    let at = 0;
    for (const part of parts) { out.set(part, at); at += part.length; }
    return out;
  }

  function equal(a, b) {
    return a.length === b.length && a.every((byte, i) => byte === b[i]);
  }

  async function sha256(bytes) {
    return new Uint8Array(await subtle.digest("SHA-256", bytes));
  }

  const leafHash = (entry) => sha256(concat(new Uint8Array([0]), entry));
  const nodeHash = (left, right) => sha256(concat(new Uint8Array([1]), left, right));

  // Shift fn and sn right together while fn's lowest bit is clear (and fn is not 0).
  function shiftWhileEven(fn, sn) {
    while (fn % 2 === 0 && fn !== 0) { fn = Math.floor(fn / 2); sn = Math.floor(sn / 2); }
    return [fn, sn];
  }

  // RFC 9162 §2.1.3.2, with fn and sn as plain numbers (indexes stay below 2^53).
  async function rootFromPath(index, size, leaf, path) {
    if (index >= size) return null;
    let fn = index, sn = size - 1, r = leaf;
    for (const p of path) {
      if (sn === 0) return null;
      if (fn % 2 === 1 || fn === sn) {
        r = await nodeHash(p, r);
        if (fn % 2 === 0) [fn, sn] = shiftWhileEven(fn, sn);
      } else {
        r = await nodeHash(r, p);
      }
      fn = Math.floor(fn / 2); sn = Math.floor(sn / 2);
    }
    return sn === 0 ? r : null;
  }

  function powerOfTwo(n) {
    while (n > 1 && n % 2 === 0) n /= 2;
    return n === 1;
  }

  // RFC 9162 §2.1.4.2: whether path proves the tree of `first` (root firstRoot) a prefix of
  // the tree of `second` (root secondRoot).
  async function consistent(first, second, firstRoot, secondRoot, path) {
    if (first === second) return path.length === 0 && equal(firstRoot, secondRoot);
    if (first === 0 || first > second || path.length === 0) return false;
    const hashes = powerOfTwo(first) ? [firstRoot, ...path] : path.slice();
    let fn = first - 1, sn = second - 1;
    while (fn % 2 === 1) { fn = Math.floor(fn / 2); sn = Math.floor(sn / 2); }
    let fr = hashes[0], sr = hashes[0];
    for (const c of hashes.slice(1)) {
      if (sn === 0) return false;
      if (fn % 2 === 1 || fn === sn) {
        fr = await nodeHash(c, fr);
        sr = await nodeHash(c, sr);
        if (fn % 2 === 0) [fn, sn] = shiftWhileEven(fn, sn);
      } else {
        sr = await nodeHash(sr, c);
      }
      fn = Math.floor(fn / 2); sn = Math.floor(sn / 2);
    }
    return sn === 0 && equal(fr, firstRoot) && equal(sr, secondRoot);
  }

  // A signed note: text, a blank line, then "— <name> <base64(key id || signature)>" lines.
  function parseNote(note) {
    const split = note.lastIndexOf("\n\n");
    const text = note.slice(0, split + 1);
    const lines = text.slice(0, -1).split("\n");
    const signatures = note.slice(split + 2, -1).split("\n").map((line) => {
      const [name, encoded] = line.replace(/^\u2014 /, "").split(" ");
      return { name, raw: fromBase64(encoded) };
    });
    return { text, origin: lines[0], size: Number(lines[1]), root: fromBase64(lines[2]), signatures };
  }

  async function keyId(name, publicKey) {
    const encoded = new TextEncoder().encode(name + "\n");
    return (await sha256(concat(encoded, new Uint8Array([1]), publicKey))).slice(0, 4);
  }

  // A C2SP verifier key "name+hex(key id)+base64(0x01 || Ed25519 key)", its id checked.
  // In an address, "+" may arrive decoded as a space; a vkey has no spaces of its own. The
  // spaces are restored before trimming: a key whose base64 ends in "+" (1 in 64) lost it.
  async function parseVkey(vkey) {
    const text = String(vkey).replace(/ /g, "+").trim();
    const [name, id, ...rest] = text.split("+");
    const parts = [name, id, rest.join("+")];
    if (!name || !id || rest.length === 0) throw new Error("a verifier key is name+id+key");
    const material = fromBase64(parts[2]);
    if (material.length !== 33 || material[0] !== 1) throw new Error("not an Ed25519 verifier key");
    const publicKey = material.slice(1);
    if (toHex(await keyId(parts[0], publicKey)) !== parts[1].toLowerCase()) {
      throw new Error("the key id does not match the key");
    }
    return { vkey: text, name: parts[0], publicKey };
  }

  // The key to check the log with, and where it came from: "url", "pinned" or "served".
  async function chooseKey(origin, servedVkey) {
    const given = new URLSearchParams(window.location.search).get("key");
    if (given) return { ...(await parseVkey(given)), source: "url" };
    const pinned = window.localStorage.getItem(PIN_PREFIX + origin);
    if (pinned) return { ...(await parseVkey(pinned)), source: "pinned" };
    return { ...(await parseVkey(servedVkey)), source: "served" };
  }

  // true: verified, false: no valid signature by the key, null: WebCrypto lacks Ed25519.
  async function checkSignature(note, key) {
    const id = await keyId(key.name, key.publicKey);
    const mine = note.signatures.filter((s) => s.name === key.name && equal(s.raw.slice(0, 4), id));
    if (mine.length === 0) return false;
    let imported;
    try {
      imported = await subtle.importKey("raw", key.publicKey, { name: "Ed25519" }, false, ["verify"]);
    } catch (error) {
      return null;
    }
    const message = new TextEncoder().encode(note.text);
    for (const signature of mine) {
      if (!(await subtle.verify({ name: "Ed25519" }, imported, signature.raw.slice(4), message))) return false;
    }
    return true;
  }

  // Whether the note is signed by the key: in the browser, or — lacking Ed25519 — by the
  // server's word only when the key is the one the server itself checked with.
  function signed(signature, key, servedVkey, serverChecked) {
    return signature === true || (signature === null && key.vkey === servedVkey && serverChecked === true);
  }

  function signatureWord(box, signature) {
    return box.dataset[signature === null ? "signatureByServer"
      : signature ? "signatureVerified" : "signatureFailed"];
  }

  function keyWord(box, key) {
    const source = { url: "keyUrl", pinned: "keyPinned", served: "keyServed" }[key.source];
    return box.dataset[source] + " (" + key.name + ")";
  }

  function show(box, state, details) {
    box.dataset.state = state;
    box.querySelector(".verdict-text").textContent = box.dataset[state];
    const list = box.querySelector(".verdict-details");
    list.replaceChildren(...details.map(([label, value]) => {
      const item = document.createElement("li");
      item.textContent = box.dataset[label] + ": " + value;
      return item;
    }));
  }

  async function verifyEntry(proof) {
    const response = await fetch(proof.raw_url, { cache: "no-store" });
    if (!response.ok) throw new Error("entry bytes: HTTP " + response.status);
    const entry = new Uint8Array(await response.arrayBuffer());
    const leaf = await leafHash(entry);
    const root = await rootFromPath(proof.index, proof.size, leaf, proof.proof.map(fromHex));
    const note = parseNote(proof.checkpoint_note);
    const key = await chooseKey(note.origin, proof.log_vkey);
    const signature = await checkSignature(note, key);
    const included = root !== null && note.size === proof.size && equal(root, note.root);
    return { included, signature, key, leaf, root, note };
  }

  async function runEntry(box, proof) {
    try {
      const result = await verifyEntry(proof);
      const details = [
        ["leafLabel", toHex(result.leaf)],
        ["rootLabel", toHex(result.root)],
        ["noteRootLabel", toHex(result.note.root)],
        ["keyLabel", keyWord(box, result.key)],
        ["signatureLabel", signatureWord(box, result.signature)],
      ];
      const ok = signed(result.signature, result.key, proof.log_vkey, proof.signature_checked_by_server);
      show(box, result.included && ok ? "verified" : "failed", details);
    } catch (error) {
      show(box, "failed", [["errorLabel", String(error.message || error)]]);
    }
  }

  async function runConsistency(box, data, first, second) {
    show(box, "pending", []);
    try {
      const older = parseNote(data.notes[first]);
      const newer = parseNote(data.notes[second]);
      const key = await chooseKey(older.origin, data.log_vkey);
      const url = "/v1/proofs/consistency?first=" + first + "&second=" + second;
      const response = await fetch(url, { cache: "no-store" });
      if (!response.ok) throw new Error("consistency proof: HTTP " + response.status);
      const proof = await response.json();
      const ok = older.size === Number(first) && newer.size === Number(second)
        && await consistent(older.size, newer.size, older.root, newer.root, proof.proof.map(fromHex));
      const signatures = [await checkSignature(older, key), await checkSignature(newer, key)];
      const bothSigned = signatures.every((s) => signed(s, key, data.log_vkey, data.signature_checked_by_server));
      show(box, ok && bothSigned ? "verified" : "failed", [
        ["rangeLabel", older.size + " → " + newer.size + " (" + proof.proof.length + ")"],
        ["keyLabel", keyWord(box, key)],
        ["signatureLabel", signatures.map((s) => signatureWord(box, s)).join("; ")],
      ]);
    } catch (error) {
      show(box, "failed", [["errorLabel", String(error.message || error)]]);
    }
  }

  function setUpPinning(origin, servedVkey) {
    const pin = document.getElementById("pin-key");
    const forget = document.getElementById("forget-key");
    const state = document.getElementById("pin-state");
    if (!pin || !forget || !state) return;
    const refresh = () => {
      const pinned = window.localStorage.getItem(PIN_PREFIX + origin);
      state.textContent = pinned ? state.dataset.pinned + " " + pinned : state.dataset.none;
      forget.hidden = !pinned;
    };
    pin.addEventListener("click", () => { window.localStorage.setItem(PIN_PREFIX + origin, servedVkey); refresh(); });
    forget.addEventListener("click", () => { window.localStorage.removeItem(PIN_PREFIX + origin); refresh(); });
    refresh();
  }

  function run() {
    const box = document.getElementById("verdict");
    const source = document.getElementById("proof-data");
    if (box && source) {
      const proof = JSON.parse(source.textContent);
      if (proof) {
        setUpPinning(parseNote(proof.checkpoint_note).origin, proof.log_vkey);
        if (!subtle) show(box, "unavailable", []); else runEntry(box, proof);
      }
    }
    const form = document.getElementById("consistency");
    const checkpoints = document.getElementById("checkpoint-data");
    if (form && checkpoints) {
      const data = JSON.parse(checkpoints.textContent);
      setUpPinning(data.origin, data.log_vkey);
      const result = document.getElementById("consistency-verdict");
      form.addEventListener("submit", (event) => {
        event.preventDefault();
        if (!subtle) { show(result, "unavailable", []); return; }
        const [first, second] = [form.elements.first.value, form.elements.second.value]
          .map(Number).sort((a, b) => a - b);
        runConsistency(result, data, first, second);
      });
    }
  }

  document.addEventListener("DOMContentLoaded", run);
})();
