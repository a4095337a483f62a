/* SPDX-License-Identifier: MIT */
/* pcap files: see platform/hosted/pcapw.h. The format is written in the host's
 * byte order with the nanosecond magic, which readers detect. */
#include "platform/hosted/pcapw.h"

static void put32(FILE *f, uint32_t v)
{
	fwrite(&v, sizeof v, 1, f);
}

static void put16(FILE *f, uint16_t v)
{
	fwrite(&v, sizeof v, 1, f);
}

FILE *pcapw_open(const char *path)
{
	FILE *f = fopen(path, "wb");

	if (!f)
		return NULL;
	put32(f, 0xa1b23c4du); /* nanosecond resolution */
	put16(f, 2);           /* version 2.4 */
	put16(f, 4);
	put32(f, 0);      /* this zone */
	put32(f, 0);      /* sigfigs */
	put32(f, 262144); /* snap length: whole frames, segmentation offload included */
	put32(f, 1);      /* LINKTYPE_ETHERNET */
	return f;
}

void pcapw_frame(FILE *f, uint64_t t_ns, const struct plat_iov *iov, size_t n)
{
	size_t i, len = 0;

	for (i = 0; i < n; i++)
		len += iov[i].len;
	put32(f, (uint32_t)(t_ns / 1000000000ull));
	put32(f, (uint32_t)(t_ns % 1000000000ull));
	put32(f, (uint32_t)len);
	put32(f, (uint32_t)len);
	for (i = 0; i < n; i++)
		fwrite(iov[i].p, 1, iov[i].len, f);
}
