#!/bin/bash
# The image's HEALTHCHECK: exit 0 when nova-host answers 200 on /actuator/health/readiness.
# The JRE base image has no curl or wget, and starting a JVM every few seconds would cost more than the
# check; bash's /dev/tcp is enough for one HTTP/1.0 GET on loopback. Readiness is down (503) until the
# journal is replayed and again during shutdown, so the container reads healthy only while it serves.
set -u
exec 3<>"/dev/tcp/127.0.0.1/${PORT:-8080}" || exit 1
printf 'GET /actuator/health/readiness HTTP/1.0\r\nHost: localhost\r\nConnection: close\r\n\r\n' >&3
read -r -t 2 _protocol status _reason <&3 || exit 1
[ "$status" = "200" ]
