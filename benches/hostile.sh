#!/usr/bin/env bash
# The figures of the hardening issue, measured on the release binary: time and peak memory of
# hostile inputs, site size for one huge package, stale staging after a killed build, and the
# preview server's answers to foreign hosts, a huge header and kept-alive requests.
#
#   cargo build --release && benches/hostile.sh [path/to/tssa]
#
# Every input is generated into a temp folder; nothing is fetched. Needs GNU time (/usr/bin/time)
# and python3 (the HTTP client for the preview figures).
set -uo pipefail
cd "$(dirname "$0")/.."
tssa="$(realpath "${1:-target/release/tssa}")"
work="$(mktemp -d)"
trap 'rm -rf "$work"; [ -n "${serve_pid:-}" ] && kill "$serve_pid" 2>/dev/null' EXIT
projects=community/assessments/projects

# A small valid tree under $1.
tree() {
  mkdir -p "$1/$projects/demo"
  printf '# Demo\n\nA demo package.\n' >"$1/$projects/demo/self-assessment.md"
}

# Runs tssa under GNU time; prints "exit E, S s, M MiB" for the run.
measure() {
  local log="$work/time.log"
  /usr/bin/time -f '%x %e %M' -o "$log" timeout 60 "$tssa" "$@" >/dev/null 2>"$work/stderr"
  # GNU time puts "Command exited with non-zero status N" before the figures.
  read -r code secs kib < <(tail -n 1 "$log")
  [ "$code" = 124 ] && code="124 (killed after 60 s)"
  printf 'exit %s, %s s, %d MiB' "$code" "$secs" $((kib / 1024))
}

row() { printf '| %s | %s |\n' "$1" "$2"; }

echo "| input | result |"
echo "|---|---|"

t="$work/outside"; tree "$t"
printf '[source]\nprojects = "../../../../../../etc"\n' >"$t/book.toml"
row "projects = ../../../../../../etc" "$(measure build --root "$t" --out "$work/o1")"

t="$work/devzero"; tree "$t"
printf '[coverage]\nreleases = "/dev/zero"\n' >"$t/book.toml"
row "releases = /dev/zero" "$(measure build --root "$t" --out "$work/o2")"

t="$work/bigdoc"; tree "$t"
python3 - "$t/$projects/demo/big.md" <<'EOF'
import sys
line = b"Lorem ipsum dolor sit amet, with [a link](#x) and `code` and *emphasis*.\n\n"
with open(sys.argv[1], "wb") as f:
    f.write(b"# Big\n\n")
    f.write(line * (100 * 1024 * 1024 // len(line)))
EOF
row "100 MB document" "$(measure build --root "$t" --out "$work/o3")"
printf '[limits]\nfile_bytes = 209715200\n' >"$t/book.toml"
row "100 MB document, file_bytes raised to 200 MiB" "$(measure build --root "$t" --out "$work/o3")"
rm "$t/book.toml"

t="$work/sparse"; tree "$t"
truncate -s 1G "$t/$projects/demo/sparse.md"
row "1 GB sparse document" "$(measure build --root "$t" --out "$work/o4")"

t="$work/anchors"; tree "$t"
python3 -c "import sys; open(sys.argv[1],'w').write('# A\n\n' + '<a ' * 120000)" "$t/$projects/demo/anchors.md"
row "120,000 \`<a \`" "$(measure build --root "$t" --out "$work/o5")"

for n in 4000 8000; do
  t="$work/many$n"; tree "$t"
  python3 - "$t/$projects/demo" "$n" <<'EOF'
import sys, os
for i in range(int(sys.argv[2])):
    open(os.path.join(sys.argv[1], f"note-{i:05}.md"), "w").write(f"# Note {i}\n")
EOF
  result="$(measure build --root "$t" --out "$work/o-many$n")"
  row "$n documents in one package" "$result, site $(du -sm "$work/o-many$n" | cut -f1) MB"
done

t="$work/names"; tree "$t"
: >"$t/$projects/demo/$(printf 'n%.0s' $(seq 252)).md"
printf '# Odd\n' >"$t/$projects/demo/q?x#y.md"
row "255-byte and \`q?x#y.md\` names" "$(measure build --root "$t" --out "$work/o6")"

t="$work/killed"; cp -r "$work/many4000" "$t"
"$tssa" build --root "$t" --out "$work/o7" >/dev/null 2>&1
leftovers() { find "$work" -mindepth 1 -maxdepth 1 -name '.o7*tssa*' | wc -l; }
"$tssa" build --root "$t" --out "$work/o7" >/dev/null 2>&1 &
pid=$!
# Kill it once it has begun writing: when its staging folder appears.
for _ in $(seq 600); do [ "$(leftovers)" -gt 0 ] && break; sleep 0.05; done
kill -9 "$pid" 2>/dev/null; wait "$pid" 2>/dev/null
before="$(leftovers)"
"$tssa" build --root "$t" --out "$work/o7" >/dev/null 2>&1
after="$(leftovers)"
row "killed build, then a build" "leftovers $before after the kill, $after after the next build"

t="$work/serve"; tree "$t"
port=$((20000 + RANDOM % 20000))
"$tssa" serve --root "$t" --port "$port" >/dev/null 2>&1 &
serve_pid=$!
python3 - "$port" "$serve_pid" <<'EOF'
import socket, sys, time, statistics
port, pid = int(sys.argv[1]), sys.argv[2]
for _ in range(100):
    try:
        socket.create_connection(("127.0.0.1", port), 0.2).close(); break
    except OSError:
        time.sleep(0.1)
def status(head):
    s = socket.create_connection(("127.0.0.1", port), 5)
    s.sendall(head)
    data = s.recv(200); s.close()
    return data.split(b"\r\n", 1)[0].decode(errors="replace")
def rss():
    for line in open(f"/proc/{pid}/status"):
        if line.startswith("VmRSS"): return int(line.split()[1]) // 1024
for host in [b"evil.example", b"127.0.0.1.nip.io:%d" % port]:
    answer = status(b"GET / HTTP/1.1\r\nHost: " + host + b"\r\n\r\n")
    print(f"| Host: {host.decode()} | {answer} |")
answer = status(b"GET / HTTP/1.0\r\n\r\n")
print(f"| no Host | {answer} |")
before = rss()
s = socket.create_connection(("127.0.0.1", port), 10)
answer = "(closed)"
try:
    s.sendall(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: ")
    chunk = b"a" * (1 << 20)
    for _ in range(64):
        s.sendall(chunk)
    s.sendall(b"\r\n\r\n")
    answer = s.recv(200).split(b"\r\n", 1)[0].decode(errors="replace") or "(closed)"
except OSError as e:
    answer = f"(connection closed: {e.__class__.__name__})"
s.close()
time.sleep(0.3)
print(f"| 64 MiB header | {answer}; RSS {before} → {rss()} MiB |")
s = socket.create_connection(("127.0.0.1", port), 5)
s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
times = []
req = f"GET / HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n\r\n".encode()
for _ in range(200):
    t0 = time.perf_counter(); s.sendall(req)
    buf = b""
    while b"\r\n\r\n" not in buf: buf += s.recv(65536)
    head, body = buf.split(b"\r\n\r\n", 1)
    length = int([l.split(b":")[1] for l in head.split(b"\r\n") if l.lower().startswith(b"content-length")][0])
    while len(body) < length: body += s.recv(65536)
    times.append((time.perf_counter() - t0) * 1000)
print(f"| keep-alive, 200 requests | p50 {statistics.median(times):.2f} ms, max {max(times):.1f} ms |")
EOF
