/**
 * Preloaded (`node --require`) into the `serverless package` the package tests run: packaging must
 * need no network, so every DNS lookup and every TCP connection is refused, and recorded in the
 * file RUNWAY_NETWORK_LOG names, in case the caller swallows the error and carries on.
 */
"use strict";

const { appendFileSync } = require("node:fs");
const dns = require("node:dns");
const net = require("node:net");

function refuse(what) {
  const message = `network access while packaging: ${what}`;
  if (process.env.RUNWAY_NETWORK_LOG) appendFileSync(process.env.RUNWAY_NETWORK_LOG, `${message}\n`);
  throw new Error(message);
}

const connect = net.Socket.prototype.connect;
net.Socket.prototype.connect = function guardedConnect(...args) {
  const target = Array.isArray(args[0]) ? args[0][0] : args[0];
  // A Unix socket or a named pipe (`path`) is local by definition; everything else is the network.
  if (target && typeof target === "object" && typeof target.path === "string") return connect.apply(this, args);
  return refuse(`connect ${JSON.stringify(typeof target === "object" ? { host: target?.host, port: target?.port } : args.slice(0, 2))}`);
};

for (const name of ["lookup", "resolve", "resolve4", "resolve6", "resolveAny"]) {
  dns[name] = (host) => refuse(`dns.${name} ${host}`);
  dns.promises[name] = async (host) => refuse(`dns.promises.${name} ${host}`);
}
