'use strict';
// A graphql-inspector diff rule (`--rule ci/acknowledge-breaking.cjs`):
// a breaking change listed in ci/breaking-changes.txt is downgraded to
// dangerous, with its reason, so `graphql-inspector diff` reports it and
// passes; any other breaking change stays breaking, and the diff fails.
//
// The file has one acknowledgement a line: the change's path as this rule
// prints it (`Type`, `Type.field`, `Type.field.argument`, `Enum.VALUE`),
// whitespace, then why the break is intended. A path also covers the paths
// under it (`Customer` covers `Customer.name`). Blank lines and lines
// starting with `#` are ignored. An acknowledgement that matches no
// breaking change, a line without a reason, or the same path twice fails
// the check: the file lists exactly the breaks since the baseline.

const fs = require('node:fs');
const path = require('node:path');

const ackFile = process.env.SCHEMA_ACK_FILE || path.join(__dirname, 'breaking-changes.txt');
const shown = path.relative(process.cwd(), ackFile) || ackFile;

function fail(msg) {
  console.error(`✖  ${shown}: ${msg}`);
  process.exitCode = 1;
}

function readAcks() {
  const acks = new Map();
  if (!fs.existsSync(ackFile)) return acks;
  fs.readFileSync(ackFile, 'utf8')
    .split('\n')
    .forEach((raw, i) => {
      const line = raw.trim();
      if (line === '' || line.startsWith('#')) return;
      const m = /^(\S+)\s+(\S.*)$/.exec(line);
      if (!m) {
        fail(`line ${i + 1}: "${line}" needs a path and a reason`);
        return;
      }
      if (acks.has(m[1])) {
        fail(`line ${i + 1}: ${m[1]} is listed twice`);
        return;
      }
      acks.set(m[1], m[2]);
    });
  return acks;
}

// The acknowledgement covering key, if any: key itself or a parent path.
function coveringAck(acks, key) {
  for (let k = key; k; k = k.includes('.') ? k.slice(0, k.lastIndexOf('.')) : '') {
    if (acks.has(k)) return k;
  }
  return undefined;
}

function acknowledgeBreakingChanges({ changes }) {
  const acks = readAcks();
  const used = new Set();
  const open = [];
  const out = changes.map((change) => {
    if (change.criticality.level !== 'BREAKING') return change;
    // Changes without a path (the schema's root types) go by their type.
    const key = change.path || change.type;
    const ack = coveringAck(acks, key);
    if (!ack) {
      open.push(key);
      return change;
    }
    used.add(ack);
    const reason = acks.get(ack);
    return {
      ...change,
      message: `${change.message} (acknowledged breaking change: ${reason})`,
      criticality: { ...change.criticality, level: 'DANGEROUS', reason: `acknowledged in ${shown}: ${reason}` },
    };
  });
  for (const ack of acks.keys()) {
    if (!used.has(ack)) {
      fail(`${ack} matches no breaking change against the baseline: remove the line`);
    }
  }
  if (open.length > 0) {
    console.error(`\nBreaking changes not acknowledged. If intended, add to ${shown} one line each:`);
    for (const key of [...new Set(open)].sort()) console.error(`  ${key}  <why this break is intended>`);
    console.error('');
  }
  return out;
}

module.exports = acknowledgeBreakingChanges;
