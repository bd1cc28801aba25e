// krai: checks an entry's inclusion proof in the browser, with no server code trusted.
//
// 1. Fetch the entry's exact bytes; leaf = SHA-256(0x00 || bytes)        (RFC 9162 §2.1.1)
// 2. Walk the audit path from the leaf to a root                         (RFC 9162 §2.1.3.2)
// 3. Compare with the root hash and tree size in the checkpoint's note   (C2SP tlog-checkpoint)
// 4. Check the note's Ed25519 signature by the log's key when WebCrypto
//    offers Ed25519; otherwise say the server checked it                 (C2SP signed-note)
"use strict";

(function () {
  const subtle = window.crypto && window.crypto.subtle;

  function fromHex(hex) {
    const out = new Uint8Array(hex.length / 2);
    for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.substr(2 * i, 2), 16);
    return out;
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

  // RFC 9162 §2.1.3.2, with fn and sn as plain numbers (indexes stay below 2^53).
  async function rootFromPath(index, size, leaf, path) {
    if (index >= size) return null;
    let fn = index, sn = size - 1, r = leaf;
    for (const p of path) {
      if (sn === 0) return null;
      if (fn % 2 === 1 || fn === sn) {
        r = await nodeHash(p, r);
        if (fn % 2 === 0) {
          while (fn % 2 === 0 && fn !== 0) { fn = Math.floor(fn / 2); sn = Math.floor(sn / 2); }
        }
      } else {
        r = await nodeHash(r, p);
      }
      fn = Math.floor(fn / 2); sn = Math.floor(sn / 2);
    }
    return sn === 0 ? r : null;
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

  // true: verified, false: a signature of the log's key fails, null: WebCrypto lacks Ed25519.
  async function checkSignature(note, keyName, publicKey) {
    const keyType = new Uint8Array([1]);
    const name = new TextEncoder().encode(keyName + "\n");
    const keyId = (await sha256(concat(name, keyType, publicKey))).slice(0, 4);
    const mine = note.signatures.filter((s) => s.name === keyName && equal(s.raw.slice(0, 4), keyId));
    if (mine.length === 0) return false;
    let key;
    try {
      key = await subtle.importKey("raw", publicKey, { name: "Ed25519" }, false, ["verify"]);
    } catch (error) {
      return null;
    }
    const message = new TextEncoder().encode(note.text);
    for (const signature of mine) {
      if (!(await subtle.verify({ name: "Ed25519" }, key, signature.raw.slice(4), message))) return false;
    }
    return true;
  }

  async function verify(proof) {
    const response = await fetch(proof.raw_url, { cache: "no-store" });
    if (!response.ok) throw new Error("entry bytes: HTTP " + response.status);
    const entry = new Uint8Array(await response.arrayBuffer());
    const leaf = await leafHash(entry);
    const root = await rootFromPath(proof.index, proof.size, leaf, proof.proof.map(fromHex));
    const note = parseNote(proof.checkpoint_note);
    const signature = await checkSignature(note, proof.log_key_name, fromBase64(proof.log_public_key));
    const included = root !== null && note.size === proof.size && equal(root, note.root);
    return { included, signature, leaf, root, note };
  }

  function toHex(bytes) {
    return bytes ? Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("") : "—";
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

  async function run() {
    const box = document.getElementById("verdict");
    const source = document.getElementById("proof-data");
    if (!box || !source) return;
    const proof = JSON.parse(source.textContent);
    if (!proof) return;
    if (!subtle) { show(box, "unavailable", []); return; }
    try {
      const result = await verify(proof);
      const signature = result.signature === null ? "signatureByServer"
        : result.signature ? "signatureVerified" : "signatureFailed";
      const details = [
        ["leafLabel", toHex(result.leaf)],
        ["rootLabel", toHex(result.root)],
        ["noteRootLabel", toHex(result.note.root)],
        ["signatureLabel", box.dataset[signature]],
      ];
      const signed = result.signature === true
        || (result.signature === null && proof.signature_checked_by_server === true);
      show(box, result.included && signed ? "verified" : "failed", details);
    } catch (error) {
      show(box, "failed", [["errorLabel", String(error.message || error)]]);
    }
  }

  document.addEventListener("DOMContentLoaded", run);
})();
