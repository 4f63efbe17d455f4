#!/usr/bin/env bash
# Fetches the real test videos from Debian packages without installing anything:
# apt-get download + dpkg -x into a cache folder, then copies the five clips the tests use.
#   usage: .ci/fetch-test-videos.sh [DEST]   (default: .cache/test-videos in the repository root)
# Idempotent: does nothing when every clip is already there.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
dest=${1:-$root/.cache/test-videos}
clips=(vtest.avi box.mp4 cup.mp4 realshort.mp4 cockatoo.mp4)
missing=0
for c in "${clips[@]}"; do [ -s "$dest/$c" ] || missing=1; done
if [ $missing = 0 ]; then
  echo "test videos: present in $dest"
  exit 0
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
if ! apt-get download opencv-doc python3-imageio >/dev/null 2>apt.err; then
  # A machine whose package lists were never fetched cannot resolve the names yet.
  apt-get update -qq
  apt-get download opencv-doc python3-imageio >/dev/null
fi
for deb in opencv-doc_*.deb python3-imageio_*.deb; do dpkg -x "$deb" x; done
mkdir -p "$dest"
cp x/usr/share/doc/opencv-doc/examples/data/vtest.avi "$dest/"
gunzip -c x/usr/share/doc/opencv-doc/opencv4/html/box.mp4.gz > "$dest/box.mp4"
gunzip -c x/usr/share/doc/opencv-doc/opencv4/html/cup.mp4.gz > "$dest/cup.mp4"
cp x/usr/lib/python3/dist-packages/imageio/resources/images/realshort.mp4 "$dest/"
cp x/usr/lib/python3/dist-packages/imageio/resources/images/cockatoo.mp4 "$dest/"
echo "test videos: fetched into $dest"
ls -l "$dest"
