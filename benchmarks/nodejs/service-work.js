// service-work.js: what one request to http-nodejs-service's /work does -- byte for byte
// what http-c-service's work.c does (same PRNG, same document, same key order, integers
// only), so both services give the same answers and digests for the same requests.
// Generate a document from (seed, items), serialize it, parse it back, aggregate the
// records (score sum, name bytes, tag counts, the five best scores after a sort), hash the
// text with SHA-256, answer a compact JSON object. Digest of an answer: the first 8 bytes
// of SHA-256(body) as 16 hex digits (the X-Agentbench-Digest header); a service's checksum
// is the sum of its /work answers' digests mod 2^64.
'use strict';
const crypto = require('node:crypto');

const ITEMS_DEFAULT = 64;
const ITEMS_MAX = 1000;
const SYLLABLES = ['ka', 'lo', 'mi', 'ne', 'ru', 'ta', 'vo', 'zi', 'be', 'du', 'fa', 'go', 'hi', 'ju', 'pe', 'so'];
const TAGS = ['alpha', 'bravo', 'charlie', 'delta', 'echo', 'foxtrot', 'golf', 'hotel', 'india', 'juliet',
  'kilo', 'lima', 'mike', 'november', 'oscar', 'papa'];

class BadRequest extends Error {}

// strict decimal, at most 10 digits, <= max (as work.c's parse_uint)
function parseUint(s, max) {
  if (!/^[0-9]{1,10}$/.test(s)) return -1;
  const v = Number(s);
  return v > max ? -1 : v;
}

function paramsFromQuery(query) {
  const p = { seed: 0, items: ITEMS_DEFAULT };
  for (const part of query.split('&')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    const key = part.slice(0, eq);
    const value = part.slice(eq + 1);
    if (key === 'seed') {
      const v = parseUint(value, 4294967295);
      if (v < 0) throw new BadRequest('seed must be an integer in [0, 4294967295]');
      p.seed = v;
    } else if (key === 'items') {
      const v = parseUint(value, ITEMS_MAX);
      if (v < 1) throw new BadRequest(`items must be an integer in [1, ${ITEMS_MAX}]`);
      p.items = v;
    }
  }
  return p;
}

function paramsFromJson(body) {
  let o;
  try {
    o = JSON.parse(body);
  } catch (e) {
    throw new BadRequest(`the body must be a JSON object: ${e.message}`);
  }
  if (o === null || typeof o !== 'object' || Array.isArray(o)) {
    throw new BadRequest('the body must be a JSON object: not an object');
  }
  const p = { seed: 0, items: ITEMS_DEFAULT };
  if (o.seed !== undefined) {
    if (!Number.isInteger(o.seed) || o.seed < 0 || o.seed > 4294967295) {
      throw new BadRequest('seed must be an integer in [0, 4294967295]');
    }
    p.seed = o.seed;
  }
  if (o.items !== undefined) {
    if (!Number.isInteger(o.items) || o.items < 1 || o.items > ITEMS_MAX) {
      throw new BadRequest(`items must be an integer in [1, ${ITEMS_MAX}]`);
    }
    p.items = o.items;
  }
  return p;
}

function sha256(text) {
  return crypto.createHash('sha256').update(text).digest('hex');
}

// The document: records {id, name, score, tags} in work.c's PRNG order (xorshift32).
function generate(seed, items) {
  let x = (Math.imul(seed >>> 0, 0x9E3779B1) ^ 0xA5A5A5A5) >>> 0;
  if (x === 0) x = 1;
  const next = () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x;
  };
  const doc = [];
  for (let i = 0; i < items; i++) {
    const nsyl = 2 + (next() % 3);
    let name = '';
    for (let s = 0; s < nsyl; s++) name += SYLLABLES[next() % 16];
    const score = next() % 100000;
    const ntags = 1 + (next() % 3);
    const tags = [];
    for (let k = 0; k < ntags; k++) tags.push(TAGS[next() % 16]);
    doc.push({ id: i, name, score, tags });
  }
  return doc;
}

// Returns { body, digest } (digest: 16 hex digits).
function work({ seed, items }) {
  const text = JSON.stringify(generate(seed, items));
  const parsed = JSON.parse(text);
  let scoreSum = 0;
  let nameBytes = 0;
  const counts = new Array(TAGS.length).fill(0);
  const rank = [];
  for (const rec of parsed) {
    rank.push({ score: rec.score, id: rec.id });
    scoreSum += rec.score;
    nameBytes += Buffer.byteLength(rec.name);
    for (const t of rec.tags) {
      const ti = TAGS.indexOf(t);
      if (ti >= 0) counts[ti]++;
    }
  }
  rank.sort((a, b) => (b.score - a.score) || (a.id - b.id));
  const tags = {};
  TAGS.forEach((t, i) => { tags[t] = counts[i]; });
  const body = JSON.stringify({
    seed,
    items,
    bytes: Buffer.byteLength(text),
    sha256: sha256(text),
    score_sum: scoreSum,
    name_bytes: nameBytes,
    top: rank.slice(0, 5).map((r) => r.id),
    tags,
  });
  return { body, digest: sha256(body).slice(0, 16) };
}

module.exports = { work, paramsFromQuery, paramsFromJson, BadRequest };
