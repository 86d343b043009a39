#!/usr/bin/env bash
# The images' HEALTHCHECK: liveness (/q/health/live) over bash's /dev/tcp, so the runtime image
# needs neither curl nor a second JVM start every interval. Exit 0 when the server answers 200.
# The port is the server's (QUARKUS_HTTP_PORT, 8080 by default); RuntimeImageIT runs this script.
set -uo pipefail
port="${QUARKUS_HTTP_PORT:-8080}"
exec 3<>"/dev/tcp/127.0.0.1/$port" || exit 1
printf 'GET /q/health/live HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n' >&3
read -r -t 5 status_line <&3 || exit 1
case "$status_line" in
    "HTTP/1.1 200"*) exit 0 ;;
    *) echo "unhealthy: $status_line" >&2; exit 1 ;;
esac
