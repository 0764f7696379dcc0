/**
 * `npm start`: the local stack on 127.0.0.1:$PORT (default 3000) until Ctrl-C.
 */

const major = Number(process.versions.node.split(".")[0]);
if (major < 24) {
  console.error(`Runway needs Node.js 24 (this is ${process.version}): run it through npm (npm start), which uses the Node 24 in node_modules.`);
  process.exit(1);
}

// The terminal gets one readable line per event; the JSON lines Lambda would log are there with
// POWERTOOLS_LOG_LEVEL=INFO. Set before the handlers (and their logger) are imported.
process.env.POWERTOOLS_LOG_LEVEL ??= "WARN";
const { startLocalStack } = await import("./stack.ts");
const { banner } = await import("./banner.ts");

const stack = await startLocalStack({ port: Number(process.env.PORT ?? 3000) });
console.log(banner(stack, process.env));

const stop = async () => {
  await stack.stop();
  process.exit(0);
};
process.once("SIGINT", stop);
process.once("SIGTERM", stop);
