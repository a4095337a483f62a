#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Make the features deck's media with ffmpeg, deterministically: a background
# image and a four-second clip (WebM/VP9 with Opus, and MP4/H.264 with AAC).
# The outputs are committed; run this again only to change them.
set -eu
cd "$(dirname "$0")/../decks/features/media"
exact=(-fflags +bitexact -flags:v +bitexact -flags:a +bitexact -map_metadata -1 -threads 1)

ffmpeg -loglevel error -y -f lavfi \
	-i "gradients=s=1280x720:c0=0x0b1d3a:c1=0x1e6091:c2=0x52b69a:x0=0:y0=0:x1=1280:y1=720:nb_colors=3:seed=1,format=rgb24" \
	-frames:v 1 "${exact[@]}" background.png

ffmpeg -loglevel error -y -f lavfi -i "testsrc2=s=320x180:r=25:d=4" \
	-f lavfi -i "sine=frequency=440:sample_rate=48000:duration=4" \
	-c:v libvpx-vp9 -b:v 200k -deadline good -cpu-used 4 -row-mt 0 -c:a libopus -b:a 48k \
	"${exact[@]}" clip.webm

ffmpeg -loglevel error -y -f lavfi -i "testsrc2=s=320x180:r=25:d=4" \
	-f lavfi -i "sine=frequency=440:sample_rate=48000:duration=4" \
	-c:v libx264 -preset medium -crf 30 -pix_fmt yuv420p -c:a aac -b:a 48k \
	-movflags +faststart "${exact[@]}" clip.mp4

ls -l background.png clip.webm clip.mp4
