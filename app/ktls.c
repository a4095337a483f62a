/* SPDX-License-Identifier: MIT */
/* HTTPS in the VM image: see app/ktls.h. */
#include "app/ktls.h"

#include <bearssl.h>

#include "lib/mem.h"
#include "lib/sha256.h"
#include "platform/platform.h"

static void say(char *err, size_t errlen, const char *a, const char *b)
{
	size_t n = 0, k;

	if (!errlen)
		return;
	for (k = 0; a[k] && n < errlen - 1; k++)
		err[n++] = a[k];
	for (k = 0; b && b[k] && n < errlen - 1; k++)
		err[n++] = b[k];
	err[n] = 0;
}

static uint32_t le32(const uint8_t *p)
{
	return p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

enum ktls_result ktls_module_parse(const uint8_t *p, size_t len, struct ktls_module *out)
{
	size_t head = 16, total;
	uint32_t cl, kl;

	memset(out, 0, sizeof *out);
	if (len < head || memcmp(p, KTLS_MAGIC, 8) != 0)
		return KTLS_EMODULE;
	cl = le32(p + 8);
	kl = le32(p + 12);
	if (!cl || !kl || cl > KTLS_CERT_MAX || kl > KTLS_KEY_MAX ||
	    __builtin_add_overflow(head, (size_t)cl, &total) ||
	    __builtin_add_overflow(total, (size_t)kl, &total) || total != len)
		return KTLS_EMODULE;
	out->cert = p + head;
	out->cert_len = cl;
	out->key = p + head + cl;
	out->key_len = kl;
	return KTLS_OK;
}

/* ---- the generator: HMAC-SHA-256 over a counter, the key ratcheted ---- */

static void drbg_mix(struct ktls *k, const uint8_t *in, size_t len)
{
	uint8_t msg[8 + 64];
	size_t n = len < 64 ? len : 64;

	memcpy(msg, &k->drbg_ctr, 8);
	memcpy(msg + 8, in, n);
	hmac_sha256(k->drbg_key, sizeof k->drbg_key, msg, 8 + n, k->drbg_key);
	tls_wipe(msg, sizeof msg);
}

static void drbg_random(void *ctx, void *buf, size_t len)
{
	struct ktls *k = ctx;
	uint8_t *p = buf, block[SHA256_LEN], fresh[32], msg[9];

	if (++k->drbg_since_reseed >= KTLS_RESEED) {
		k->drbg_since_reseed = 0;
		if (plat_entropy(fresh, sizeof fresh)) {
			drbg_mix(k, fresh, sizeof fresh);
			k->reseeds++;
		} else {
			k->reseed_failed++; /* the ratchet goes on from what it had */
		}
		tls_wipe(fresh, sizeof fresh);
	}
	while (len > 0) {
		size_t n = len < sizeof block ? len : sizeof block;
		k->drbg_ctr++;
		memcpy(msg, &k->drbg_ctr, 8);
		msg[8] = 1; /* output */
		hmac_sha256(k->drbg_key, sizeof k->drbg_key, msg, sizeof msg, block);
		memcpy(p, block, n);
		p += n;
		len -= n;
	}
	/* The key moves on: these outputs cannot be recomputed from a later key. */
	memcpy(msg, &k->drbg_ctr, 8);
	msg[8] = 2; /* ratchet */
	hmac_sha256(k->drbg_key, sizeof k->drbg_key, msg, sizeof msg, k->drbg_key);
	tls_wipe(block, sizeof block);
}

/* ---- set-up ---- */

size_t ktls_per_conn(void)
{
	return tls_server_size(2) - tls_server_size(1);
}

enum ktls_result ktls_setup(struct ktls *k, void *mem, size_t len, uint32_t max_conns,
                            uint32_t max_handshakes, uint64_t handshake_timeout_ns,
                            uint64_t drain_timeout_ns, size_t *used, char *err, size_t errlen)
{
	struct tls_config cfg;
	struct ktls_module m;
	uint8_t *mod, seed[48];
	size_t mod_len, base = tls_server_size(0), per = ktls_per_conn();
	enum ktls_result r;

	memset(k, 0, sizeof *k);
	if (!plat_boot_module(&mod, &mod_len))
		return KTLS_NONE;
	if ((r = ktls_module_parse(mod, mod_len, &m)) != KTLS_OK) {
		say(err, errlen,
		    "the boot module is not a certificate and key from `unideck run "
		    "--cert FILE --key FILE`",
		    NULL);
		goto out;
	}
	if (!plat_entropy(seed, sizeof seed)) {
		say(err, errlen,
		    "no entropy source for TLS keys: give the VM a virtio-rng device "
		    "(QEMU: -device virtio-rng-device on microvm, virtio-rng-pci on q35) "
		    "or a CPU with RDRAND (QEMU TCG: -cpu max); entropy source: ",
		    plat_entropy_source());
		r = KTLS_ENOENTROPY;
		goto out;
	}
	drbg_mix(k, seed, sizeof seed);
	tls_wipe(seed, sizeof seed);
	if (!max_conns) {
		uint64_t fit =
		        len / KTLS_HEAP_SHARE > base ? (len / KTLS_HEAP_SHARE - base) / per : 0;
		max_conns = (uint32_t)(fit > KTLS_CONNS_MAX ? KTLS_CONNS_MAX : fit);
		if (max_conns < KTLS_CONNS_MIN)
			max_conns = KTLS_CONNS_MIN;
	}
	if (tls_server_size(max_conns) > len) {
		say(err, errlen,
		    "the TLS connections asked for do not fit in memory: give the VM "
		    "more (--mem) or ask for fewer (tls_conns=)",
		    NULL);
		r = KTLS_ENOMEM;
		goto out;
	}
	memset(&cfg, 0, sizeof cfg);
	cfg.max_conns = max_conns;
	cfg.max_handshakes = max_handshakes ? max_handshakes : KTLS_HS_DEFAULT;
	if (cfg.max_handshakes > max_conns)
		cfg.max_handshakes = max_conns;
	cfg.handshake_timeout_ns = handshake_timeout_ns;
	cfg.drain_timeout_ns = drain_timeout_ns;
	cfg.random = drbg_random;
	cfg.random_ctx = k;
	k->ts = tls_server_init(mem, len, &cfg);
	if (!k->ts) {
		say(err, errlen, "the TLS server did not start", NULL);
		r = KTLS_ENOMEM;
		goto out;
	}
	if (tls_server_set_cert(k->ts, m.cert, m.cert_len, m.key, m.key_len, err, errlen) != 0) {
		k->ts = NULL;
		r = KTLS_ECERT;
		goto out;
	}
	k->max_conns = max_conns;
	k->max_handshakes = cfg.max_handshakes;
	*used = tls_server_size(max_conns);
	r = KTLS_OK;
out:
	tls_wipe(mod, mod_len);
	return r;
}

/* BearSSL's "system" seeder (its sysrng.o reads /dev/urandom, which an image
 * has not): defined here, so the link takes ours and not that member. The
 * engine calls it only when no entropy was injected, which tls.c always does;
 * it still gets the real thing. */
static int seeder_plat(const br_prng_class **ctx)
{
	uint8_t buf[32];
	bool ok = plat_entropy(buf, sizeof buf);

	if (ok)
		(*ctx)->update(ctx, buf, sizeof buf);
	tls_wipe(buf, sizeof buf);
	return ok;
}

br_prng_seeder br_prng_seeder_system(const char **name)
{
	if (name)
		*name = "plat_entropy";
	return seeder_plat;
}
