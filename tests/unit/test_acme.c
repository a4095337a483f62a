/* SPDX-License-Identifier: MIT */
/* Unit tests of acme/: base64url, P-256 keys, the JWK thumbprint, ES256 JWS
 * (verified by BearSSL's verifier), the CSR (verified by `openssl req -verify`),
 * PEM chain checks against certificates made by openssl, the state format
 * (every flipped byte and every truncation refused), and the client's state
 * machine driven through a whole order with scripted server answers. */
#include <bearssl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "acme/abuf.h"
#include "acme/acme.h"
#include "acme/jws.h"
#include "acme/state.h"
#include "lib/sha256.h"
#include "tests/unit/check.h"

static char tmp[64];

static void b64(const char *in, const char *want)
{
	char out[64];
	uint8_t back[64];
	struct abuf b;
	long n;

	abuf_init(&b, out, sizeof out);
	abuf_b64url(&b, in, strlen(in));
	n = b64url_decode(out, b.len, back, sizeof back);
	CHECK(strcmp(out, want) == 0 && n == (long)strlen(in) && memcmp(back, in, (size_t)n) == 0,
	      "base64url of \"%s\" is %s and back", in, want);
}

static void test_b64(void)
{
	uint8_t o[8];

	/* RFC 4648 10, without padding; 0xfb 0xff shows the URL alphabet. */
	b64("", "");
	b64("f", "Zg");
	b64("fo", "Zm8");
	b64("foo", "Zm9v");
	b64("foob", "Zm9vYg");
	b64("fooba", "Zm9vYmE");
	b64("foobar", "Zm9vYmFy");
	b64("\xfb\xff", "-_8");
	CHECK(b64url_decode("Zm9v=", 5, o, sizeof o) < 0, "padding is refused");
	CHECK(b64url_decode("Zm+v", 4, o, sizeof o) < 0, "the standard alphabet's + is refused");
	CHECK(b64url_decode("Z", 1, o, sizeof o) < 0, "one leftover character is refused");
	CHECK(b64url_decode("Zh", 2, o, sizeof o) < 0, "non-zero leftover bits are refused");
	CHECK(b64url_decode("Zm9vYmFy", 8, o, 5) < 0, "output past the cap is refused");
}

static struct acme_rng rng;

/* A SEC1 ECPrivateKey (RFC 5915) for openssl, from our key. */
static void write_key_pem(const struct acme_key *k, const char *path)
{
	uint8_t der[121] = {0x30, 0x77, 0x02, 0x01, 0x01, 0x04, 0x20};
	static const uint8_t tail[] = {0xa0, 0x0a, 0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d,
	                               0x03, 0x01, 0x07, 0xa1, 0x44, 0x03, 0x42, 0x00};
	char cmd[256];
	FILE *f;

	memcpy(der + 7, k->d, 32);
	memcpy(der + 39, tail, sizeof tail);
	memcpy(der + 56, k->pub, 65);
	snprintf(cmd, sizeof cmd, "openssl ec -inform DER -out %s 2>/dev/null", path);
	f = popen(cmd, "w");
	fwrite(der, 1, sizeof der, f);
	pclose(f);
}

static void test_keys(void)
{
	struct acme_key k, k2, z;
	struct acme_rng r2;
	uint8_t seed[32] = {1, 2, 3};
	uint8_t order[32] = {0xff, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00, 0x00, 0xff, 0xff, 0xff,
	                     0xff, 0xff, 0xff, 0xff, 0xff, 0xbc, 0xe6, 0xfa, 0xad, 0xa7, 0x17,
	                     0x9e, 0x84, 0xf3, 0xb9, 0xca, 0xc2, 0xfc, 0x63, 0x25, 0x51};
	char jwk[200], th[ACME_THUMBPRINT_LEN + 1], want[64];
	uint8_t d[32];
	struct abuf b;

	memset(&r2, 0, sizeof r2);
	CHECK(!acme_rng_init(&r2, seed, 16), "a seed under ACME_SEED_MIN bytes is refused");
	CHECK(acme_rng_init(&rng, seed, sizeof seed) && acme_key_gen(&k, &rng), "a key is made");
	CHECK(k.pub[0] == 4, "the public point is uncompressed");
	CHECK(acme_key_from_scalar(&k2, k.d) && memcmp(k2.pub, k.pub, 65) == 0,
	      "the public point is recomputed from the scalar alone");
	memset(&z, 0, sizeof z);
	CHECK(!acme_key_from_scalar(&k2, z.d), "a zero scalar is refused");
	CHECK(!acme_key_from_scalar(&k2, order), "the group order as a scalar is refused");
	acme_key_gen(&k2, &rng);
	CHECK(memcmp(k2.d, k.d, 32) != 0, "two keys from one generator differ");

	/* RFC 7638 3: SHA-256 over the JWK in lexicographic member order, no
	 * spaces; computed here with lib/sha256, independent of BearSSL's. */
	abuf_init(&b, jwk, sizeof jwk);
	jws_jwk(&b, &k);
	CHECK(strncmp(jwk, "{\"crv\":\"P-256\",\"kty\":\"EC\",\"x\":\"", 31) == 0 &&
	              strlen(jwk) == 31 + 43 + 7 + 43 + 2,
	      "the JWK has crv, kty, x, y in order, 43 characters each coordinate");
	sha256(jwk, strlen(jwk), d);
	abuf_init(&b, want, sizeof want);
	abuf_b64url(&b, d, 32);
	jws_thumbprint(&k, th);
	CHECK(strcmp(th, want) == 0 && strlen(th) == 43, "the thumbprint is b64u(sha256(jwk))");
}

static void test_jws(void)
{
	static char out[4096];
	struct acme_key k;
	struct abuf b;
	struct json_tok tok[32];
	struct json_doc d;
	char prot[1024], pay[256], sigb[128], hdr[1024];
	uint8_t sig[80], digest[32];
	long n;
	br_ec_public_key pk;
	br_sha256_context h;
	const char *payload = "{\"termsOfServiceAgreed\":true}";

	acme_key_gen(&k, &rng);
	abuf_init(&b, out, sizeof out);
	CHECK(jws_sign(&b, &k, NULL, "nonce-1", "https://ca.example/new-acct", payload,
	               strlen(payload)),
	      "a JWS with the JWK is signed");
	CHECK(json_parse(out, b.len, tok, 32, &d) == JSON_OK && d.tok[0].count == 3,
	      "the JWS is a JSON object of three members");
	json_get_str(&d, 0, "protected", prot, sizeof prot);
	json_get_str(&d, 0, "payload", pay, sizeof pay);
	json_get_str(&d, 0, "signature", sigb, sizeof sigb);
	n = b64url_decode(prot, strlen(prot), (uint8_t *)hdr, sizeof hdr - 1);
	hdr[n > 0 ? n : 0] = '\0';
	CHECK(strstr(hdr, "\"alg\":\"ES256\"") && strstr(hdr, "\"nonce\":\"nonce-1\"") &&
	              strstr(hdr, "\"url\":\"https://ca.example/new-acct\"") &&
	              strstr(hdr, "\"jwk\":{\"crv\":\"P-256\"") && !strstr(hdr, "kid"),
	      "the protected header has alg, jwk, nonce and url (RFC 8555 6.2)");
	n = b64url_decode(pay, strlen(pay), (uint8_t *)hdr, sizeof hdr - 1);
	CHECK(n == (long)strlen(payload) && memcmp(hdr, payload, (size_t)n) == 0,
	      "the payload decodes to what was signed");
	n = b64url_decode(sigb, strlen(sigb), sig, sizeof sig);
	CHECK(n == 64, "the signature is 64 bytes, R || S (RFC 7518 3.4)");
	br_sha256_init(&h);
	br_sha256_update(&h, prot, strlen(prot));
	br_sha256_update(&h, ".", 1);
	br_sha256_update(&h, pay, strlen(pay));
	br_sha256_out(&h, digest);
	pk.curve = BR_EC_secp256r1;
	pk.q = k.pub;
	pk.qlen = 65;
	CHECK(br_ecdsa_i31_vrfy_raw(&br_ec_p256_m31, digest, 32, &pk, sig, 64) == 1,
	      "the signature verifies over header.payload");
	sig[10] ^= 1;
	CHECK(br_ecdsa_i31_vrfy_raw(&br_ec_p256_m31, digest, 32, &pk, sig, 64) == 0,
	      "a flipped bit in the signature does not verify");

	abuf_init(&b, out, sizeof out);
	CHECK(jws_sign(&b, &k, "https://ca.example/acct/1", "n\"2", "https://ca.example/order", "",
	               0),
	      "a POST-as-GET with a kid is signed");
	json_parse(out, b.len, tok, 32, &d);
	json_get_str(&d, 0, "protected", prot, sizeof prot);
	n = b64url_decode(prot, strlen(prot), (uint8_t *)hdr, sizeof hdr - 1);
	hdr[n > 0 ? n : 0] = '\0';
	CHECK(strstr(hdr, "\"kid\":\"https://ca.example/acct/1\"") && !strstr(hdr, "jwk") &&
	              strstr(hdr, "\"nonce\":\"n\\\"2\""),
	      "the header has the kid, no JWK, and a quote in the nonce is escaped");
	CHECK(json_get_str(&d, 0, "payload", pay, sizeof pay) == 0,
	      "POST-as-GET has an empty payload (RFC 8555 6.3)");
	abuf_init(&b, out, 100);
	CHECK(!jws_sign(&b, &k, NULL, "n", "https://x/", payload, strlen(payload)),
	      "a JWS that does not fit the buffer fails");
}

static int run(const char *cmd, char *out, size_t cap)
{
	FILE *f = popen(cmd, "r");
	size_t n;

	if (!f)
		return -1;
	n = fread(out, 1, cap - 1, f);
	out[n] = '\0';
	return pclose(f);
}

static void test_csr(void)
{
	static uint8_t der[2048];
	static char out[16384];
	struct acme_key k;
	char path[96], cmd[256];
	const char *names[] = {"deck.example", "www.deck.example", "*.talks.example"};
	char longname[200];
	const char *long1[] = {longname, "b.example"};
	size_t n;
	FILE *f;

	acme_key_gen(&k, &rng);
	n = acme_csr(der, sizeof der, &k, names, 3);
	CHECK(n > 0, "a CSR for three names is written (%zu bytes)", n);
	snprintf(path, sizeof path, "%s/csr.der", tmp);
	f = fopen(path, "wb");
	fwrite(der, 1, n, f);
	fclose(f);
	snprintf(cmd, sizeof cmd, "openssl req -inform DER -in %s -verify -noout -text 2>&1", path);
	CHECK(run(cmd, out, sizeof out) == 0 && strstr(out, "verify OK"),
	      "openssl req -verify accepts the CSR's signature");
	CHECK(strstr(out, "CN = deck.example") != NULL, "the subject's CN is the first name");
	CHECK(strstr(out, "DNS:deck.example, DNS:www.deck.example, DNS:*.talks.example") != NULL,
	      "the subjectAltName lists every name");
	CHECK(strstr(out, "prime256v1") && strstr(out, "ecdsa-with-SHA256"),
	      "a P-256 key, signed ecdsa-with-SHA256");
	CHECK(acme_csr(der, 100, &k, names, 3) == 0, "a CSR that does not fit fails");
	CHECK(acme_csr(der, sizeof der, &k, names, 0) == 0, "a CSR without names fails");

	memset(longname, 'a', 70);
	strcpy(longname + 70, ".example");
	n = acme_csr(der, sizeof der, &k, long1, 2);
	f = fopen(path, "wb");
	fwrite(der, 1, n, f);
	fclose(f);
	CHECK(n > 0 && run(cmd, out, sizeof out) == 0 && strstr(out, "verify OK") &&
	              strstr(out, "DNS:aaaa") && !strstr(out, "CN ="),
	      "a first name over 64 bytes goes in the SAN only, with an empty subject");
}

static size_t read_file(const char *path, char *buf, size_t cap)
{
	FILE *f = fopen(path, "rb");
	size_t n;

	if (!f)
		return 0;
	n = fread(buf, 1, cap, f);
	fclose(f);
	return n;
}

static void test_key_pem(void)
{
	struct acme_key k;
	char pem[1024], path[96], cmd[256], out[4096], want[200];
	struct abuf b;
	FILE *f;
	size_t i;

	abuf_init(&b, pem, sizeof pem);
	abuf_b64(&b, "foobar", 6);
	abuf_b64(&b, "fooba", 5);
	abuf_b64(&b, "f", 1);
	CHECK(strcmp(pem, "Zm9vYmFyZm9vYmE=Zg==") == 0, "standard base64 pads (RFC 4648 10)");
	acme_key_gen(&k, &rng);
	abuf_init(&b, pem, sizeof pem);
	CHECK(acme_key_pem(&b, &k), "the key is written as PEM");
	snprintf(path, sizeof path, "%s/key.pem", tmp);
	f = fopen(path, "w");
	fputs(pem, f);
	fclose(f);
	snprintf(cmd, sizeof cmd, "openssl ec -in %s -check -noout -text 2>&1", path);
	CHECK(run(cmd, out, sizeof out) == 0 && strstr(out, "EC Key valid") &&
	              strstr(out, "prime256v1"),
	      "openssl ec -check accepts it as a P-256 key");
	/* openssl prints the scalar as "priv:" then hex bytes split by ':'. */
	for (i = 0; i < 4; i++)
		snprintf(want + 3 * i, 4, "%02x:", k.d[i]);
	CHECK(strstr(out, want) != NULL || (k.d[0] == 0), "with our scalar (%s...)", want);
	abuf_init(&b, pem, 100);
	CHECK(!acme_key_pem(&b, &k), "a PEM that does not fit fails");
}

static void test_chain(void)
{
	static char pem[16384];
	struct acme_key k, other;
	struct acme_chain_info info;
	char cmd[512], out[4096], keyp[96], crt[96];
	size_t n;
	time_t now = time(NULL);

	acme_key_gen(&k, &rng);
	acme_key_gen(&other, &rng);
	snprintf(keyp, sizeof keyp, "%s/leaf.key", tmp);
	snprintf(crt, sizeof crt, "%s/chain.pem", tmp);
	write_key_pem(&k, keyp);
	snprintf(cmd, sizeof cmd,
	         "openssl req -x509 -new -key %s -subj /CN=a.example -days 90 -out %s 2>&1 && "
	         "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes "
	         "-keyout /dev/null -subj /CN=ca -days 900 >> %s 2>/dev/null",
	         keyp, crt, crt);
	CHECK(run(cmd, out, sizeof out) == 0, "openssl makes a leaf for our key and a second cert");
	n = read_file(crt, pem, sizeof pem);
	CHECK(acme_chain_check(pem, n, &k, &info) && info.n_certs == 2,
	      "a PEM chain of two certificates decodes");
	CHECK(info.key_matches, "the leaf's key is recognised as ours");
	CHECK(info.not_after - info.not_before == 90u * 86400u &&
	              info.not_before <= (uint64_t)now + 5 && info.not_before + 60 >= (uint64_t)now,
	      "the leaf's lifetime is read (90 days from now)");
	CHECK(acme_chain_check(pem, n, &other, &info) && !info.key_matches,
	      "another key does not match the leaf");
	{
		char c = pem[100];
		pem[100] = '!';
		CHECK(!acme_chain_check(pem, n, &k, &info),
		      "a chain with a bad base64 byte is refused");
		pem[100] = c;
	}
	CHECK(!acme_chain_check(pem, 60, &k, &info), "a cut chain is refused");
	CHECK(!acme_chain_check("hello", 5, &k, &info), "text without certificates is refused");
	CHECK(!acme_chain_check(
	              "-----BEGIN EC PRIVATE KEY-----\nAAAA\n-----END EC PRIVATE KEY-----\n", 64,
	              &k, &info),
	      "a PEM object that is not a certificate is refused");
}

static struct acme_state st, st2;

static void test_state(void)
{
	static uint8_t enc[ACME_STATE_MAX], bad[ACME_STATE_MAX];
	size_t n, i, flips_ok = 0, cuts_ok = 0;

	memset(&st, 0, sizeof st);
	strcpy(st.directory, "https://ca.example/dir");
	strcpy(st.names, "a.example,b.example");
	memset(st.account_d, 7, 32);
	n = acme_state_encode(&st, enc, sizeof enc);
	CHECK(n > 0 && acme_state_decode(enc, n, &st2) == ACME_STATE_OK && !st2.have_cert &&
	              strcmp(st2.names, st.names) == 0 &&
	              memcmp(st2.account_d, st.account_d, 32) == 0,
	      "an account-only state round-trips");
	st.have_cert = true;
	memset(st.cert_d, 9, 32);
	strcpy(st.chain, "-----BEGIN CERTIFICATE-----\n...\n");
	st.chain_len = strlen(st.chain);
	st.not_before = 1700000000;
	st.not_after = 1700000000 + 90 * 86400;
	n = acme_state_encode(&st, enc, sizeof enc);
	CHECK(n > 0 && acme_state_decode(enc, n, &st2) == ACME_STATE_OK && st2.have_cert &&
	              st2.not_after == st.not_after && st2.not_before == st.not_before &&
	              st2.chain_len == st.chain_len && memcmp(st2.cert_d, st.cert_d, 32) == 0 &&
	              strcmp(st2.directory, st.directory) == 0,
	      "a state with a certificate round-trips");
	for (i = 0; i < n; i++) {
		memcpy(bad, enc, n);
		bad[i] ^= 0x20;
		flips_ok += acme_state_decode(guard_place(bad, n), n, &st2) != ACME_STATE_OK;
	}
	CHECK(flips_ok == n, "a flipped bit anywhere is refused (%zu of %zu)", flips_ok, n);
	for (i = 0; i < n; i++)
		cuts_ok += acme_state_decode(guard_place(enc, i), i, &st2) != ACME_STATE_OK;
	CHECK(cuts_ok == n, "every truncation is refused (%zu of %zu)", cuts_ok, n);
	memcpy(bad, enc, n);
	bad[n] = 0;
	CHECK(acme_state_decode(bad, n + 1, &st2) == ACME_STATE_BAD_RECORD,
	      "a byte after the checksum is refused");
	CHECK(acme_state_decode((const uint8_t *)"-----BEGIN", 10, &st2) == ACME_STATE_FOREIGN,
	      "a foreign file is named foreign");
	memcpy(bad, enc, n);
	bad[8] = 2;
	CHECK(acme_state_decode(bad, n, &st2) == ACME_STATE_VERSION_UNKNOWN,
	      "another format version is named as such");
	memcpy(bad, enc, n);
	bad[n - 1] ^= 1;
	CHECK(acme_state_decode(bad, n, &st2) == ACME_STATE_CHECKSUM,
	      "a damaged checksum is named damaged");
	CHECK(acme_state_encode(&st, enc, 50) == 0, "encoding into too small a buffer fails");
}

/* ---- the state machine against a scripted server ---- */

static char logbuf[8192];

static void tlog(void *ctx, const char *m)
{
	(void)ctx;
	strncat(logbuf, m, sizeof logbuf - strlen(logbuf) - 2);
	strcat(logbuf, "\n");
}

static struct acme cl;

static void answer(uint64_t now, int status, const char *loc, const char *nonce, const char *body,
                   uint64_t retry)
{
	struct acme_response r = {status,
	                          loc,
	                          nonce,
	                          "application/json",
	                          retry,
	                          (const uint8_t *)body,
	                          body ? strlen(body) : 0};

	acme_input(&cl, now, &r);
}

static enum acme_step step(uint64_t now, struct acme_request *q, uint64_t *wake)
{
	return acme_poll(&cl, now, q, wake);
}

static const char dir[] = "{\"newNonce\":\"https://ca/nonce\",\"newAccount\":\"https://ca/acct\","
                          "\"newOrder\":\"https://ca/order\",\"meta\":{}}";

static void test_flow(void)
{
	static char pem[16384];
	struct acme_config cfg = {0};
	const char *names[] = {"a.example"};
	const char *bad_names[] = {"a..example"};
	struct acme_request q;
	uint64_t wake, now = 1000000;
	const char *ka;
	size_t kal, n;
	char keyp[96], cmd[512], out[2048], authz[512], token[] = "tok_EN-1";
	char want_ka[256];

	cfg.directory = "https://ca/dir";
	cfg.names = bad_names;
	cfg.n_names = 1;
	CHECK(!acme_init(&cl, &cfg, &rng), "a malformed name is refused at init");
	cfg.names = names;
	cfg.log = tlog;
	CHECK(acme_init(&cl, &cfg, &rng), "the client starts for one name");

	CHECK(step(now, &q, &wake) == ACME_STEP_SEND && q.method == ACME_GET &&
	              strcmp(q.url, "https://ca/dir") == 0,
	      "first the directory");
	CHECK(step(now, &q, &wake) == ACME_STEP_WAIT, "nothing more while a request is out");
	answer(now, 200, NULL, NULL, dir, 0);
	CHECK(step(now, &q, &wake) == ACME_STEP_SEND && q.method == ACME_HEAD &&
	              strcmp(q.url, "https://ca/nonce") == 0,
	      "then a nonce");
	answer(now, 200, NULL, "N1", NULL, 0);
	CHECK(step(now, &q, &wake) == ACME_STEP_SEND && q.method == ACME_POST &&
	              strcmp(q.url, "https://ca/acct") == 0 && q.body_len > 0,
	      "then newAccount, signed");
	answer(now, 400, NULL, "N2",
	       "{\"type\":\"urn:ietf:params:acme:error:badNonce\",\"detail\":\"stale\"}", 0);
	CHECK(step(now, &q, &wake) == ACME_STEP_SEND && strcmp(q.url, "https://ca/acct") == 0,
	      "badNonce: the same request goes again at once");
	CHECK(cl.stats.bad_nonces == 1 && strstr(q.body, "protected"), "with the fresh nonce");
	answer(now, 201, "https://ca/acct/1", "N3", "{\"status\":\"valid\"}", 0);
	CHECK(step(now, &q, &wake) == ACME_STEP_SEND && strcmp(q.url, "https://ca/order") == 0,
	      "then newOrder");
	answer(now, 201, "https://ca/o/1", "N4",
	       "{\"status\":\"pending\",\"authorizations\":[\"https://ca/authz/1\"],"
	       "\"finalize\":\"https://ca/o/1/fin\"}",
	       0);
	CHECK(cl.stats.orders == 1, "one order counted");
	CHECK(step(now, &q, &wake) == ACME_STEP_SEND && strcmp(q.url, "https://ca/authz/1") == 0,
	      "then the authorization");
	snprintf(
	        authz, sizeof authz,
	        "{\"status\":\"pending\",\"identifier\":{\"type\":\"dns\",\"value\":\"a.example\"},"
	        "\"challenges\":[{\"type\":\"tls-alpn-01\",\"url\":\"https://ca/c/"
	        "0\",\"token\":\"x\"},"
	        "{\"type\":\"http-01\",\"url\":\"https://ca/c/1\",\"token\":\"%s\"}]}",
	        token);
	CHECK(!acme_challenge_lookup(&cl, token, strlen(token), &ka, &kal),
	      "no key authorization before the challenge is known");
	answer(now, 200, NULL, "N5", authz, 0);
	snprintf(want_ka, sizeof want_ka, "%s.%s", token, cl.thumb);
	CHECK(acme_challenge_lookup(&cl, token, strlen(token), &ka, &kal) &&
	              kal == strlen(want_ka) && memcmp(ka, want_ka, kal) == 0,
	      "the http-01 key authorization is token.thumbprint (RFC 8555 8.1)");
	CHECK(!acme_challenge_lookup(&cl, "x", 1, &ka, &kal), "another token has none");
	CHECK(step(now, &q, &wake) == ACME_STEP_SEND && strcmp(q.url, "https://ca/c/1") == 0,
	      "then the http-01 challenge is answered");
	answer(now, 200, NULL, "N6", "{\"status\":\"processing\"}", 30);
	CHECK(step(now, &q, &wake) == ACME_STEP_WAIT && wake == now + 30,
	      "the authorization is polled after Retry-After");
	CHECK(step(now + 30, &q, &wake) == ACME_STEP_SEND &&
	              strcmp(q.url, "https://ca/authz/1") == 0,
	      "and then polled");
	answer(now + 30, 200, NULL, "N7", authz, 100000);
	CHECK(step(now + 30, &q, &wake) == ACME_STEP_WAIT &&
	              wake == now + 30 + ACME_RETRY_AFTER_MAX_S,
	      "a huge Retry-After is capped at ACME_RETRY_AFTER_MAX_S");
	now += 30 + ACME_RETRY_AFTER_MAX_S;
	CHECK(step(now, &q, &wake) == ACME_STEP_SEND, "polled again");
	answer(now, 200, NULL, "N8",
	       "{\"status\":\"valid\",\"identifier\":{\"value\":\"a.example\"}}", 0);
	CHECK(!acme_challenge_lookup(&cl, token, strlen(token), &ka, &kal),
	      "the key authorization is withdrawn once valid");
	CHECK(step(now, &q, &wake) == ACME_STEP_SEND && strcmp(q.url, "https://ca/o/1/fin") == 0 &&
	              strstr(q.body, "payload"),
	      "then finalize with a CSR");
	answer(now, 200, NULL, "N9", "{\"status\":\"processing\"}", 0);
	CHECK(step(now, &q, &wake) == ACME_STEP_WAIT && wake == now + ACME_POLL_DEFAULT_S,
	      "without Retry-After the order is polled after ACME_POLL_DEFAULT_S");
	now += ACME_POLL_DEFAULT_S;
	CHECK(step(now, &q, &wake) == ACME_STEP_SEND && strcmp(q.url, "https://ca/o/1") == 0,
	      "the order is polled");
	answer(now, 200, NULL, "N10",
	       "{\"status\":\"valid\",\"certificate\":\"https://ca/cert/1\"}", 0);
	CHECK(step(now, &q, &wake) == ACME_STEP_SEND && strcmp(q.url, "https://ca/cert/1") == 0 &&
	              q.want_pem,
	      "then the chain, asked for as PEM");

	/* A certificate for some other key is refused and the flow backs off. */
	snprintf(keyp, sizeof keyp, "%s/flow.key", tmp);
	{
		struct acme_key other;
		acme_key_gen(&other, &rng);
		write_key_pem(&other, keyp);
	}
	snprintf(cmd, sizeof cmd,
	         "openssl req -x509 -new -key %s -subj /CN=a.example -days 30 -out %s/flow.pem "
	         "2>&1",
	         keyp, tmp);
	run(cmd, out, sizeof out);
	snprintf(keyp, sizeof keyp, "%s/flow.pem", tmp);
	n = read_file(keyp, pem, sizeof pem);
	pem[n] = '\0';
	{
		struct acme saved;
		memcpy(&saved, &cl, sizeof saved);
		answer(now, 200, NULL, "N11", pem, 0);
		CHECK(step(now, &q, &wake) == ACME_STEP_WAIT && cl.phase == ACME_PH_BACKOFF &&
		              strstr(logbuf, "the leaf is not for our key"),
		      "a chain whose leaf is not for our key is refused, by name");
		memcpy(&cl, &saved, sizeof saved);
	}
	snprintf(keyp, sizeof keyp, "%s/flow.key", tmp);
	write_key_pem(&cl.new_key, keyp);
	run(cmd, out, sizeof out);
	snprintf(keyp, sizeof keyp, "%s/flow.pem", tmp);
	n = read_file(keyp, pem, sizeof pem);
	pem[n] = '\0';
	answer(now, 200, NULL, "N12", pem, 0);
	CHECK(step(now, &q, &wake) == ACME_STEP_CERT && cl.chain_len == n && cl.stats.certs == 1,
	      "the chain for our key is taken");
	CHECK(cl.renew_at == cl.not_before + (30u * 86400u) / 3 * 2,
	      "renewal is set at two thirds of the lifetime");
	CHECK(step(now, &q, &wake) == ACME_STEP_WAIT && wake == cl.renew_at,
	      "then nothing until renewal");
	CHECK(step(cl.renew_at, &q, &wake) == ACME_STEP_SEND &&
	              strcmp(q.url, "https://ca/dir") == 0,
	      "at renewal the flow starts again");
	CHECK(strstr(logbuf, "renewing") != NULL, "and says so");
	CHECK(!strstr(logbuf, cl.thumb) && !strstr(logbuf, "protected"),
	      "nothing logged carries a key authorization or a JWS");

	/* Errors: logged by problem type, backoff doubling. */
	logbuf[0] = '\0';
	now = cl.renew_at;
	answer(now, 500, NULL, NULL,
	       "{\"type\":\"urn:ietf:params:acme:error:serverInternal\",\"detail\":\"db down\"}",
	       0);
	CHECK(strstr(logbuf, "urn:ietf:params:acme:error:serverInternal") &&
	              strstr(logbuf, "db down") && strstr(logbuf, "retrying in 5 s"),
	      "a problem is logged by its type and detail, with the backoff");
	CHECK(step(now + 4, &q, &wake) == ACME_STEP_WAIT && wake == now + 5,
	      "nothing during backoff");
	CHECK(step(now + 5, &q, &wake) == ACME_STEP_SEND, "the flow restarts after the backoff");
	answer(now + 5, 0, NULL, NULL, NULL, 0);
	CHECK(strstr(logbuf, "transport failed") && strstr(logbuf, "retrying in 10 s"),
	      "a transport failure backs off twice as long");
	CHECK(step(now + 15, &q, &wake) == ACME_STEP_SEND, "and restarts");
	answer(now + 15, 200, NULL, NULL, "{\"newNonce\":\"http://ca/nonce\"}", 0);
	CHECK(strstr(logbuf, "not an ACME directory") != NULL,
	      "a directory without https URLs is refused");

	/* An authorization that fails says why: the challenge's error type. */
	logbuf[0] = '\0';
	now += 100000;
	step(now, &q, &wake);
	answer(now, 200, NULL, "M1", dir, 0);
	step(now, &q, &wake);
	answer(now, 201, "https://ca/acct/1", "M2", "{\"status\":\"valid\"}", 0);
	step(now, &q, &wake);
	answer(now, 201, "https://ca/o/2", "M3",
	       "{\"status\":\"pending\",\"authorizations\":[\"https://ca/authz/2\"],"
	       "\"finalize\":\"https://ca/o/2/fin\"}",
	       0);
	CHECK(step(now, &q, &wake) == ACME_STEP_SEND && strcmp(q.url, "https://ca/authz/2") == 0,
	      "a second order's authorization");
	answer(now, 200, NULL, "M4",
	       "{\"status\":\"invalid\",\"identifier\":{\"value\":\"a.example\"},"
	       "\"challenges\":[{\"type\":\"http-01\",\"url\":\"https://ca/c/9\",\"token\":\"t\","
	       "\"status\":\"invalid\",\"error\":{\"type\":"
	       "\"urn:ietf:params:acme:error:unauthorized\",\"detail\":\"wrong key "
	       "authorization\"}}]}",
	       0);
	CHECK(strstr(logbuf, "urn:ietf:params:acme:error:unauthorized") &&
	              strstr(logbuf, "wrong key authorization") && strstr(logbuf, "a.example") &&
	              cl.phase == ACME_PH_BACKOFF,
	      "an invalid authorization is logged with its challenge's error and backs off");
	CHECK(step(now, &q, &wake) == ACME_STEP_WAIT && wake > now, "then waits");

	/* A token that is not base64url is refused before it reaches a URL path. */
	now = wake;
	step(now, &q, &wake);
	answer(now, 200, NULL, "P1", dir, 0);
	step(now, &q, &wake);
	answer(now, 201, "https://ca/acct/1", "P2", "{\"status\":\"valid\"}", 0);
	step(now, &q, &wake);
	answer(now, 201, "https://ca/o/3", "P3",
	       "{\"status\":\"pending\",\"authorizations\":[\"https://ca/authz/3\"],"
	       "\"finalize\":\"https://ca/o/3/fin\"}",
	       0);
	step(now, &q, &wake);
	answer(now, 200, NULL, "P4",
	       "{\"status\":\"pending\",\"identifier\":{\"value\":\"a.example\"},"
	       "\"challenges\":[{\"type\":\"http-01\",\"url\":\"https://ca/c/3\","
	       "\"token\":\"../../etc\"}]}",
	       0);
	CHECK(cl.phase == ACME_PH_BACKOFF && !acme_challenge_lookup(&cl, "../../etc", 9, &ka, &kal),
	      "a token with '/' or '.' is refused, never published");

	/* Over the name cap. */
	{
		const char *many[ACME_MAX_NAMES + 1];
		size_t i;
		for (i = 0; i <= ACME_MAX_NAMES; i++)
			many[i] = "a.example";
		cfg.names = many;
		cfg.n_names = ACME_MAX_NAMES + 1;
		CHECK(!acme_init(&cl, &cfg, &rng), "more than ACME_MAX_NAMES names are refused");
	}
}

int main(void)
{
	snprintf(tmp, sizeof tmp, "/tmp/test_acme.%d", (int)getpid());
	if (mkdir(tmp, 0700) != 0)
		return 1;
	test_b64();
	test_keys();
	test_jws();
	test_csr();
	test_key_pem();
	test_chain();
	test_state();
	test_flow();
	{
		char cmd[96];
		snprintf(cmd, sizeof cmd, "rm -rf %s", tmp);
		if (system(cmd) != 0)
			fprintf(stderr, "could not remove %s\n", tmp);
	}
	return check_done();
}
