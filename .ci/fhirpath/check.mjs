// Evaluates every score item's calculatedExpression of the crate's catalog Questionnaires with
// a real FHIRPath engine (npm's fhirpath, version pinned in package.json and package-lock.json)
// on QuestionnaireResponses holding item answers alone (no score group), and compares each
// result with the crate's score.
//
//   node check.mjs DIR
//
// DIR holds the cases written by `FHIRPATH_CASES=DIR cargo test --test fhirpath_cases --
// --ignored`: one JSON file per instrument and release, {instrument, release, questionnaire,
// responses: [{case, response, expected: {linkId: number | null}}]}. A null is a score the crate
// leaves unscored: the expression must evaluate to the empty collection. A number must come
// back as one number within 1e-9 (relative to max(1, |score|)): the crate computes exactly and
// rounds once, the engine in IEEE doubles (its default) or its decimal mode (preciseMath), and
// both are checked. Exit status 0 when every expression agrees, 1 otherwise.

import fs from "node:fs";
import path from "node:path";
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
const fhirpath = require("fhirpath");
const models = {
  r4: require("fhirpath/fhir-context/r4"),
  r5: require("fhirpath/fhir-context/r5"),
};
const CALCULATED =
  "http://hl7.org/fhir/uv/sdc/StructureDefinition/sdc-questionnaire-calculatedExpression";
const TOLERANCE = 1e-9;

const dir = process.argv[2];
if (!dir) {
  console.error("usage: node check.mjs DIR");
  process.exit(2);
}

// Every item of the questionnaire with a calculatedExpression: [linkId, expression].
function expressions(items, out = []) {
  for (const item of items ?? []) {
    for (const ext of item.extension ?? []) {
      if (ext.url === CALCULATED && ext.valueExpression?.expression) {
        out.push([item.linkId, ext.valueExpression.expression]);
      }
    }
    expressions(item.item, out);
  }
  return out;
}

const files = fs.readdirSync(dir).filter((f) => f.endsWith(".json")).sort();
if (files.length === 0) {
  console.error(`no cases in ${dir}`);
  process.exit(1);
}
let evaluated = 0;
let failures = 0;
let largest = 0; // the largest relative difference among the agreeing numbers
const seen = { complete: 0, prorated: 0, unscored: 0 };
for (const file of files) {
  const { instrument, release, questionnaire, responses } = JSON.parse(
    fs.readFileSync(path.join(dir, file), "utf8"),
  );
  const model = models[release];
  const scored = expressions(questionnaire.item);
  if (scored.length === 0) {
    console.error(`${file}: no calculatedExpression`);
    failures++;
    continue;
  }
  for (const { case: name, response, expected } of responses) {
    seen[name.replace(/-\d+$/, "")]++;
    for (const [linkId, expression] of scored) {
      const want = expected[linkId];
      if (want === undefined) {
        console.error(`${file} ${name}: no expected score for ${linkId}`);
        failures++;
        continue;
      }
      for (const preciseMath of [false, true]) {
        let got;
        try {
          got = fhirpath.evaluate(
            response,
            expression,
            { resource: response, questionnaire },
            model,
            { preciseMath },
          );
        } catch (e) {
          got = `error: ${e.message}`;
        }
        evaluated++;
        const ok =
          Array.isArray(got) &&
          (want === null
            ? got.length === 0
            : got.length === 1 &&
              typeof got[0] === "number" &&
              Math.abs(got[0] - want) <= TOLERANCE * Math.max(1, Math.abs(want)));
        if (ok && want !== null) {
          largest = Math.max(largest, Math.abs(got[0] - want) / Math.max(1, Math.abs(want)));
        }
        if (!ok) {
          failures++;
          if (failures <= 20) {
            console.error(
              `${instrument} ${release} ${name} ${linkId} (preciseMath ${preciseMath}): ` +
                `fhirpath gives ${JSON.stringify(got)}, the crate ${JSON.stringify(want)}`,
            );
          }
        }
      }
    }
  }
}
const version = require("fhirpath/package.json").version;
console.log(
  `fhirpath ${version}: ${evaluated} evaluations over ${files.length} questionnaires ` +
    `(${seen.complete} complete, ${seen.prorated} prorated, ${seen.unscored} unscored responses), ` +
    `${failures} disagreements (largest relative difference ${largest.toExponential(1)})`,
);
process.exit(failures === 0 ? 0 : 1);
