// Prints one invoke's result from the example function (examples/index.mjs) for a person.
const [invoke, body] = process.argv.slice(2);
let got;
try {
  got = JSON.parse(body);
} catch {
  console.log(`  invoke ${invoke}: unexpected answer: ${body}`);
  process.exit(1);
}
if (got.errorMessage) {
  console.log(`  invoke ${invoke}: the function failed: ${got.errorType}: ${got.errorMessage}`);
  process.exit(1);
}
const ms = (value) => `${value.toFixed(2)} ms`.padStart(10);
const how = (first) => (first ? 'miss: fetched from AWS' : 'cached hit');
const first = invoke === '1';
console.log(`\n  invoke ${invoke}`);
if (first) {
  console.log(
    `    String parameter (read at INIT)  "${got.parameter}"  ${ms(got.timingsMs.parameterDuringInit)}  (${how(true)})`,
  );
}
if (got.secureParameterLength !== undefined) {
  console.log(
    `    SecureString, decrypted          ${String(got.secureParameterLength).padStart(2)} characters     ${ms(got.timingsMs.secureParameter)}  (${how(first)})`,
  );
}
console.log(
  `    secret                           ${String(got.secretLength).padStart(2)} characters     ${ms(got.timingsMs.secret)}  (${how(first)})`,
);
