/* Drive scorm-again's SCORM 2004 sequencing engine (the same build the player serves) outside a
 * browser, for tests of the settings learnpass builds from a manifest.
 *
 *   node sequencing_engine.cjs <settings.json> <steps.json>
 *
 * steps: [{"nav": "start"}, {"cmi": {"cmi.completion_status": "completed"}, "request": "continue"}]
 * A step with "cmi" plays the delivered SCO: Initialize, the SetValue calls, adl.nav.request, then
 * Terminate, as content does. Prints JSON: the delivered activity ids, the last navigation
 * validity, the root's rollup and the session end reason.
 */
"use strict";
const fs = require("fs");
const path = require("path");

globalThis.window = globalThis;
// The library logs deliveries to the console; stdout carries only the JSON answer.
for (const level of ["log", "info", "debug", "warn"]) console[level] = () => {};
globalThis.document = { addEventListener() {} };
const runtime = path.join(__dirname, "..", "..", "node_modules", "scorm-again", "dist", "scorm2004.js");
(0, eval)(fs.readFileSync(runtime, "utf8"));

const settings = JSON.parse(fs.readFileSync(process.argv[2], "utf8"));
const steps = JSON.parse(fs.readFileSync(process.argv[3], "utf8"));
const out = { delivered: [], validity: null, ended: null, results: [] };
const api = new window.Scorm2004API({
  autocommit: false,
  lmsCommitUrl: false,
  logLevel: 5,
  sequencing: Object.assign({}, settings, {
    eventListeners: {
      onActivityDelivery: (activity) => out.delivered.push(activity.id),
      onNavigationValidityUpdate: (validity) => { out.validity = validity; },
      onSequencingSessionEnd: (data) => { out.ended = data.reason; },
    },
  }),
});
let delivered = 0;
for (const step of steps) {
  if (step.nav) {
    out.results.push(api.processNavigationRequest(step.nav, step.target));
    continue;
  }
  if (delivered > 0) api.reset(undefined, { preserveListeners: true });
  delivered += 1;
  api.Initialize("");
  for (const [element, value] of Object.entries(step.cmi || {})) api.SetValue(element, value);
  if (step.request) api.SetValue("adl.nav.request", step.request);
  out.results.push(api.Terminate(""));
}
out.root = api.getActivityTrackingData(settings.activityTree.id);
out.state = api.serializeSequencingState().length;
process.stdout.write(JSON.stringify(out));
