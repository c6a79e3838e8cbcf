#!/usr/bin/env bash
# Re-create offri_kg/web/static/vendor/yasgui/ from the npm registry (maintainers only).
#
# The built browser files are committed, so a fresh clone, the wheel and `offri serve` need no
# npm step and load nothing from another origin. To move to another YASGUI version: change the
# exact version in web-vendor/package.json, run `npm install --ignore-scripts` in web-vendor/ to
# update package-lock.json, then run this script and commit what changed.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
out="$here/../offri_kg/web/static/vendor/yasgui"
cd "$here"

npm ci --ignore-scripts --no-audit --no-fund
pkg="node_modules/@zazuko/yasgui"
version="$(node -p 'require("./node_modules/@zazuko/yasgui/package.json").version')"

rm -rf "$out"
mkdir -p "$out"
# The source maps (3.5 MB) stay out: strip the comment that points to them, so a browser with
# its developer tools open asks for nothing that is not there.
sed '/^\/\/# sourceMappingURL=/d' "$pkg/build/yasgui.min.js" > "$out/yasgui.min.js"
sed 's#/\*\# sourceMappingURL=[^*]*\*/##' "$pkg/build/yasgui.min.css" > "$out/yasgui.min.css"
if grep -q 'sourceMappingURL' "$out/yasgui.min.js" "$out/yasgui.min.css"; then
  echo "update.sh: a sourceMappingURL comment is left in the copied files" >&2
  exit 1
fi

# The npm package ships no LICENSE file; its package.json says MIT (author Triply, contributor
# Zazuko GmbH). The bundle also holds its dependencies: list them and their licence texts.
license="$(node -p 'require("./node_modules/@zazuko/yasgui/package.json").license')"
[ "$license" = "MIT" ] || { echo "update.sh: @zazuko/yasgui is now licensed '$license', not MIT" >&2; exit 1; }
cat > "$out/LICENSE" <<LICENSE
@zazuko/yasgui $version (https://github.com/rdfjs/Yasgui), "license": "MIT" in its package.json.
Author: Triply <info@triply.cc>; contributors: Zazuko GmbH.

The MIT License (MIT)

Copyright (c) Triply B.V. and Zazuko GmbH

Permission is hereby granted, free of charge, to any person obtaining a copy
of this software and associated documentation files (the "Software"), to deal
in the Software without restriction, including without limitation the rights
to use, copy, modify, merge, publish, distribute, sublicense, and/or sell
copies of the Software, and to permit persons to whom the Software is
furnished to do so, subject to the following conditions:

The above copyright notice and this permission notice shall be included in all
copies or substantial portions of the Software.

THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR
IMPLIED, INCLUDING BUT NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY,
FITNESS FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT. IN NO EVENT SHALL THE
AUTHORS OR COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM, DAMAGES OR OTHER
LIABILITY, WHETHER IN AN ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING FROM,
OUT OF OR IN CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS IN THE
SOFTWARE.

yasgui.min.js and yasgui.min.css bundle YASGUI's dependencies; their names, versions and
licences (as package-lock.json resolves them) are in THIRD-PARTY-LICENSES.
LICENSE
node - "$out/THIRD-PARTY-LICENSES" <<'NODE'
const fs = require("fs"), path = require("path");
const lock = require("./package-lock.json");
const out = [];
for (const [where, meta] of Object.entries(lock.packages).sort()) {
  if (!where.startsWith("node_modules/") || meta.dev) continue;
  const dir = where, pkg = JSON.parse(fs.readFileSync(path.join(dir, "package.json"), "utf8"));
  const license = pkg.license || (pkg.licenses || []).map((l) => l.type).join(" OR ") || "see below";
  out.push("=".repeat(78), `${pkg.name} ${pkg.version} — ${typeof license === "string" ? license : license.type}`, "");
  const file = fs.readdirSync(dir).find((f) => /^(licen[cs]e|copying)/i.test(f));
  out.push(file ? fs.readFileSync(path.join(dir, file), "utf8").trim() : "(the package ships no licence file)", "");
}
fs.writeFileSync(process.argv[2], out.join("\n") + "\n");
NODE
printf '%s\n' "$version" > "$out/VERSION"
du -ch "$out"/* | tail -1
