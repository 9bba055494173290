#!/usr/bin/env node
// Readiness probe for the local Kafka broker, with no npm dependencies (so kafka.sh works from a
// fresh clone before `npm ci`). It speaks just enough of the Kafka wire protocol:
//   1. ApiVersions v0  -> the broker's request handlers are up and which Metadata versions it takes
//   2. Metadata v4     -> the broker is registered and unfenced (it lists itself) and the KRaft
//                         controller is known (controller_id >= 0)
// Usage: node ready.js HOST:PORT TIMEOUT_SECONDS [PID]
//   exit 0 when ready; 1 on timeout; 2 at once if PID is given and that process has exited.
'use strict';
const net = require('node:net');

const [address = '127.0.0.1:19092', timeoutArg = '60', pidArg] = process.argv.slice(2);
const [host, portText] = address.split(':');
const port = Number(portText);
const deadline = Date.now() + Number(timeoutArg) * 1000;
const CLIENT_ID = 'switchboard-ready';

function request(apiKey, apiVersion, correlationId, body) {
  const client = Buffer.from(CLIENT_ID, 'utf8');
  const header = Buffer.alloc(2 + 2 + 4 + 2);
  header.writeInt16BE(apiKey, 0);
  header.writeInt16BE(apiVersion, 2);
  header.writeInt32BE(correlationId, 4);
  header.writeInt16BE(client.length, 8);
  const payload = Buffer.concat([header, client, body]);
  const size = Buffer.alloc(4);
  size.writeInt32BE(payload.length, 0);
  return Buffer.concat([size, payload]);
}

// Sends one request on a fresh connection and resolves with the response body (after the
// correlation id). Rejects on connection errors, a short read or a per-attempt timeout.
function roundTrip(frame, correlationId) {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host, port });
    let buffered = Buffer.alloc(0);
    const timer = setTimeout(() => socket.destroy(new Error('timed out waiting for a response')), 3000);
    socket.on('connect', () => socket.write(frame));
    socket.on('data', (chunk) => {
      buffered = Buffer.concat([buffered, chunk]);
      if (buffered.length < 4) return;
      const size = buffered.readInt32BE(0);
      if (buffered.length < 4 + size) return;
      clearTimeout(timer);
      socket.end();
      if (buffered.readInt32BE(4) !== correlationId) return reject(new Error('correlation id mismatch'));
      resolve(buffered.subarray(8, 4 + size));
    });
    socket.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    socket.on('close', () => {
      clearTimeout(timer);
      reject(new Error('connection closed before a full response'));
    });
  });
}

async function apiVersions() {
  const body = await roundTrip(request(18, 0, 1, Buffer.alloc(0)), 1);
  const errorCode = body.readInt16BE(0);
  if (errorCode !== 0) throw new Error(`ApiVersions error code ${errorCode}`);
  const count = body.readInt32BE(2);
  const versions = new Map();
  for (let i = 0, at = 6; i < count; i += 1, at += 6) {
    versions.set(body.readInt16BE(at), [body.readInt16BE(at + 2), body.readInt16BE(at + 4)]);
  }
  return versions;
}

function readString(body, at) {
  const len = body.readInt16BE(at);
  if (len < 0) return [null, at + 2];
  return [body.toString('utf8', at + 2, at + 2 + len), at + 2 + len];
}

async function metadataV4() {
  const reqBody = Buffer.alloc(5);
  reqBody.writeInt32BE(-1, 0); // all topics
  reqBody.writeInt8(0, 4); // allow_auto_topic_creation = false
  const body = await roundTrip(request(3, 4, 2, reqBody), 2);
  let at = 4; // throttle_time_ms
  const brokerCount = body.readInt32BE(at);
  at += 4;
  const brokers = [];
  for (let i = 0; i < brokerCount; i += 1) {
    const nodeId = body.readInt32BE(at);
    let brokerHost;
    [brokerHost, at] = readString(body, at + 4);
    const brokerPort = body.readInt32BE(at);
    [, at] = readString(body, at + 4); // rack
    brokers.push(`${nodeId}@${brokerHost}:${brokerPort}`);
  }
  let clusterId;
  [clusterId, at] = readString(body, at);
  const controllerId = body.readInt32BE(at);
  return { brokers, clusterId, controllerId };
}

async function probe() {
  const versions = await apiVersions();
  const range = versions.get(3);
  if (!range || range[0] > 4 || range[1] < 4) {
    throw new Error(`broker does not accept Metadata v4 (range ${JSON.stringify(range)})`);
  }
  const meta = await metadataV4();
  if (meta.brokers.length === 0) throw new Error('broker lists no brokers yet (still fenced)');
  if (meta.controllerId < 0) throw new Error('no active controller yet');
  return meta;
}

function alive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return err.code === 'EPERM';
  }
}

async function main() {
  let lastError;
  for (;;) {
    if (pidArg && !alive(Number(pidArg))) {
      process.stderr.write(`kafka process ${pidArg} exited before it served ${address}\n`);
      return 2;
    }
    try {
      const meta = await probe();
      process.stderr.write(`kafka ready at ${address}: cluster ${meta.clusterId}, brokers ${meta.brokers.join(',')}, controller ${meta.controllerId}\n`);
      return 0;
    } catch (err) {
      lastError = err;
    }
    if (Date.now() >= deadline) {
      process.stderr.write(`kafka not ready at ${address} after ${timeoutArg}s: ${lastError && lastError.message}\n`);
      return 1;
    }
    await new Promise((r) => setTimeout(r, 200));
  }
}

main().then((code) => process.exit(code));
