#!/bin/bash
# The baseline a user would write instead of rolloutctl: every INTERVAL_MS, one curl per URL (in
# parallel), ROUNDS times, on a fixed schedule; rounds that could not start in time are skipped.
# usage: curl-loop.sh URL_FILE INTERVAL_MS ROUNDS
mapfile -t urls < "$1"
interval_ns=$(( $2 * 1000000 ))
rounds=$3
start=$(date +%s%N)
k=0
while [ "$k" -lt "$rounds" ]; do
  for url in "${urls[@]}"; do
    /usr/bin/curl -s -o /dev/null --max-time 2 "$url" &
  done
  wait
  now=$(date +%s%N)
  k=$(( (now - start) / interval_ns + 1 ))
  [ "$k" -lt "$rounds" ] || break
  delay=$(( start + k * interval_ns - now ))
  sleep "$(( delay / 1000000000 )).$(printf '%09d' $(( delay % 1000000000 )))"
done
