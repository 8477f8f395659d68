#!/usr/bin/env bash
# The release, proven: goreleaser (pinned, from the Go module proxy; the binary stays in GOPATH/bin
# between runs on the same machine, so only the first run builds it) checks the configuration and makes
# a snapshot release; the .deb is installed and run, the .rpm's metadata and files inspected, and the
# checksums verified.
set -euo pipefail
cd "$(dirname "$0")/.."

GORELEASER_VERSION=2.15.4
GOBIN="$(go env GOPATH)/bin"
if ! "$GOBIN/goreleaser" --version 2>/dev/null | grep -q "GitVersion: *v$GORELEASER_VERSION\$"; then
  echo "installing goreleaser v$GORELEASER_VERSION (a few minutes, once per machine)"
  go install "github.com/goreleaser/goreleaser/v2@v$GORELEASER_VERSION"
fi
export PATH="$GOBIN:$PATH"

echo "== goreleaser check"
goreleaser check

echo "== snapshot release"
goreleaser release --snapshot --clean --parallelism 2 > dist.log 2>&1 || { tail -n 40 dist.log; exit 1; }
ls dist/*.tar.gz dist/*.zip dist/*.deb dist/*.rpm dist/checksums.txt
for target in linux_amd64 linux_arm64 darwin_amd64 darwin_arm64; do ls dist/arccheck_*_"$target".tar.gz >/dev/null; done
for target in windows_amd64 windows_arm64; do ls dist/arccheck_*_"$target".zip >/dev/null; done
(cd dist && sha256sum --check --quiet checksums.txt)

echo "== the .deb, installed and run"
deb=$(ls dist/arccheck_*_linux_amd64.deb)
dpkg -i "$deb" >/dev/null
trap 'dpkg -r arccheck >/dev/null 2>&1 || true' EXIT
/usr/bin/arccheck --version
/usr/bin/arccheck list -l westeurope --agent off > /dev/null
test -s /usr/share/bash-completion/completions/arccheck
test -s /usr/share/doc/arccheck/README.md
test -s /usr/share/doc/arccheck/docs/check.md
test -s /usr/share/man/man1/arccheck-check.1
echo "installed and ran $(/usr/bin/arccheck --version)"

echo "== the .rpm's metadata and files"
rpmfile=$(ls dist/arccheck_*_linux_amd64.rpm)
rpm -qip "$rpmfile" 2>/dev/null | grep -E '^(Name|Version|Architecture|Summary)'
rpm -qip "$rpmfile" 2>/dev/null | grep -q '^Name *: arccheck$'
files=$(rpm -qlp "$rpmfile" 2>/dev/null)
echo "$files"
for f in /usr/bin/arccheck /usr/share/doc/arccheck/README.md /usr/share/doc/arccheck/docs/check.md \
         /usr/share/man/man1/arccheck.1 /usr/share/bash-completion/completions/arccheck \
         /usr/share/zsh/vendor-completions/_arccheck /usr/share/fish/vendor_completions.d/arccheck.fish; do
  grep -qx "$f" <<<"$files" || { echo "the .rpm lacks $f"; exit 1; }
done
