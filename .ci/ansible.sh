#!/usr/bin/env bash
# The Ansible example, run as an admin would against localhost (connection: local): the binary of the
# snapshot release (.ci/release.sh) is copied and run with a proxy whose password must appear nowhere,
# the report fetched, and the fleet view merged on the controller.
set -euo pipefail
cd "$(dirname "$0")/.."
work=$(mktemp -d)
server=""
trap '[ -n "$server" ] && kill "$server" 2>/dev/null; rm -rf "$work"' EXIT

# A plain-HTTP endpoint on loopback for the check to reach, the way the tests' own servers do; named,
# since loopback addresses never go through a proxy (Go's rules, which arccheck follows as the agent does).
mkdir -p "$work/www" && echo ok > "$work/www/index.html"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
python3 -m http.server --bind 127.0.0.1 --directory "$work/www" "$port" >/dev/null 2>&1 &
server=$!
for _ in $(seq 50); do (exec 3<>/dev/tcp/127.0.0.1/"$port") 2>/dev/null && break; sleep 0.1; done

secret='Ansibl3-S3cret'
export ANSIBLE_LOG_PATH="$work/ansible.log" ANSIBLE_NOCOLOR=1 ANSIBLE_HOST_KEY_CHECKING=False
ansible-playbook -i localhost, -c local examples/ansible/arccheck.yml \
  -e arccheck_reports="$work/reports" \
  -e "{\"arccheck_args\": [\"--catalog\", \"none\", \"--endpoint\", \"http://ansible-lab.example:$port\", \"--resolve\", \"ansible-lab.example:$port:127.0.0.1\", \"--timeout\", \"5s\"]}" \
  -e "arccheck_proxy=http://bob:$secret@127.0.0.1:1" > "$work/ansible.out" 2>&1 || { cat "$work/ansible.out"; exit 1; }

test -s "$work/reports/localhost.json"
grep -q '"schema": "arccheck.check/v1"' "$work/reports/localhost.json"
# The check went through the (unreachable) proxy, so the endpoint failed on the one server.
grep -q '| 1 of 1 | proxy\\_unreachable ×1 |' "$work/reports/fleet.md" || { cat "$work/reports/fleet.md"; exit 1; }
cat "$work/reports/fleet.md"
if grep -rl "$secret" "$work/ansible.out" "$work/ansible.log" "$work/reports"; then
  echo "the proxy password leaked into the files above"; exit 1
fi
echo "ansible example ran against localhost; the password appears in no output, log or report"
