/* SPDX-License-Identifier: MIT */
/* The ACME client's state machine (RFC 8555 7): requests out, responses in. */
#include "acme/acme.h"

#include "acme/abuf.h"
#include "lib/mem.h"

#define PROBLEM_PREFIX "urn:ietf:params:acme:error:"

static void logs(struct acme *a, const char *s1, const char *s2, const char *s3)
{
	char m[ACME_LOG_MAX];
	struct abuf b;

	if (!a->cfg.log)
		return;
	abuf_init(&b, m, sizeof m);
	abuf_puts(&b, "acme: ");
	abuf_puts(&b, s1);
	if (s2)
		abuf_puts(&b, s2);
	if (s3)
		abuf_puts(&b, s3);
	if (b.over) {
		/* Truncated, but said. */
		b.over = false;
		b.len = sizeof m - 4;
		abuf_puts(&b, "...");
	}
	a->cfg.log(a->cfg.ctx, m);
}

static bool streq(const char *x, const char *y)
{
	size_t n = strlen(y);

	return strlen(x) == n && memcmp(x, y, n) == 0;
}

static bool copy_str(char *dst, size_t cap, const char *src)
{
	size_t n = strlen(src);

	if (n >= cap)
		return false;
	memcpy(dst, src, n + 1);
	return true;
}

/* A DNS name as ACME orders it (RFC 8555 7.1.4, RFC 1123 2.1): labels of
 * letters, digits and '-', not starting or ending with '-', 1 to 63 bytes, and
 * a wildcard only as the whole first label. */
static bool dns_name_ok(const char *s)
{
	size_t n = strlen(s), i, lab = 0;

	if (n == 0 || n > ACME_NAME_MAX)
		return false;
	if (s[0] == '*') {
		if (s[1] != '.')
			return false;
		s += 2;
		n -= 2;
	}
	if (n == 0 || s[n - 1] == '.' || s[0] == '.')
		return false;
	for (i = 0; i <= n; i++) {
		char c = s[i];
		if (c == '.' || c == '\0') {
			if (lab == 0 || lab > 63 || s[i - 1] == '-')
				return false;
			lab = 0;
			continue;
		}
		if (lab == 0 && c == '-')
			return false;
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '-'))
			return false;
		lab++;
	}
	return true;
}

bool acme_init(struct acme *a, const struct acme_config *cfg, struct acme_rng *rng)
{
	size_t i;

	memset(a, 0, sizeof *a);
	if (cfg->n_names == 0 || cfg->n_names > ACME_MAX_NAMES || !cfg->directory ||
	    strlen(cfg->directory) >= ACME_URL_MAX)
		return false;
	for (i = 0; i < cfg->n_names; i++) {
		if (!dns_name_ok(cfg->names[i]))
			return false;
		copy_str(a->names[i], sizeof a->names[i], cfg->names[i]);
	}
	a->cfg = *cfg;
	a->rng = rng;
	a->phase = ACME_PH_START;
	a->backoff_s = ACME_BACKOFF_MIN_S;
	return true;
}

void acme_set_account_key(struct acme *a, const struct acme_key *k)
{
	a->account = *k;
	a->have_account_key = true;
	jws_thumbprint(&a->account, a->thumb);
}

static void schedule_renewal(struct acme *a)
{
	uint64_t life = a->not_after > a->not_before ? a->not_after - a->not_before : 0;

	/* Two thirds of the lifetime, as Let's Encrypt and Caddy advise. */
	a->renew_at = a->not_before + life / 3 * 2;
	a->phase = ACME_PH_HAVE_CERT;
}

void acme_set_cert(struct acme *a, const struct acme_key *k, const char *chain, size_t len,
                   uint64_t not_before, uint64_t not_after)
{
	if (len >= sizeof a->chain)
		return;
	a->cert_key = *k;
	memcpy(a->chain, chain, len);
	a->chain[len] = '\0';
	a->chain_len = len;
	a->not_before = not_before;
	a->not_after = not_after;
	schedule_renewal(a);
}

const char *acme_phase_str(enum acme_phase p)
{
	switch (p) {
	case ACME_PH_START:
		return "start";
	case ACME_PH_DIRECTORY:
		return "directory";
	case ACME_PH_ACCOUNT:
		return "account";
	case ACME_PH_ORDER:
		return "order";
	case ACME_PH_AUTHZ:
		return "authorization";
	case ACME_PH_CHALLENGE:
		return "challenge";
	case ACME_PH_FINALIZE:
		return "finalize";
	case ACME_PH_ORDER_POLL:
		return "order status";
	case ACME_PH_CERT:
		return "certificate download";
	case ACME_PH_HAVE_CERT:
		return "have certificate";
	case ACME_PH_BACKOFF:
		return "backoff";
	}
	return "?";
}

/* ---- building requests ---- */

static void clear_challenges(struct acme *a)
{
	size_t i;

	for (i = 0; i < ACME_MAX_NAMES; i++)
		memset(&a->chall[i], 0, sizeof a->chall[i]);
}

/* A signed POST of (payload) to (url); kid NULL signs with the JWK. */
static bool sign_post(struct acme *a, const char *url, const char *payload, bool use_jwk)
{
	struct abuf b;

	abuf_init(&b, a->body, sizeof a->body);
	if (!jws_sign(&b, &a->account, use_jwk ? NULL : a->kid, a->nonce, url, payload,
	              strlen(payload)))
		return false;
	a->body_len = b.len;
	/* A nonce is good once (RFC 8555 6.5). */
	a->nonce[0] = '\0';
	return true;
}

static bool build_order(struct acme *a, char *out, size_t cap)
{
	struct abuf b;
	size_t i;

	abuf_init(&b, out, cap);
	abuf_puts(&b, "{\"identifiers\":[");
	for (i = 0; i < a->cfg.n_names; i++) {
		abuf_puts(&b, i ? ",{\"type\":\"dns\",\"value\":" : "{\"type\":\"dns\",\"value\":");
		abuf_json_str(&b, a->names[i]);
		abuf_puts(&b, "}");
	}
	abuf_puts(&b, "]}");
	return !b.over;
}

static bool build_finalize(struct acme *a, char *out, size_t cap)
{
	uint8_t csr[2048];
	const char *names[ACME_MAX_NAMES];
	size_t i, n;
	struct abuf b;

	for (i = 0; i < a->cfg.n_names; i++)
		names[i] = a->names[i];
	n = acme_csr(csr, sizeof csr, &a->new_key, names, a->cfg.n_names);
	if (n == 0)
		return false;
	abuf_init(&b, out, cap);
	abuf_puts(&b, "{\"csr\":\"");
	abuf_b64url(&b, csr, n);
	abuf_puts(&b, "\"}");
	return !b.over;
}

static void backoff(struct acme *a, uint64_t now, const char *what, const char *why,
                    const char *detail)
{
	char secs[24];
	struct abuf b;

	a->stats.errors++;
	abuf_init(&b, secs, sizeof secs);
	abuf_u64(&b, a->backoff_s);
	logs(a, what, ": ", why);
	if (detail && *detail)
		logs(a, "  detail: ", detail, NULL);
	logs(a, "retrying in ", secs, " s");
	a->phase = ACME_PH_BACKOFF;
	a->wake_s = now + a->backoff_s;
	a->backoff_s =
	        a->backoff_s * 2 > ACME_BACKOFF_MAX_S ? ACME_BACKOFF_MAX_S : a->backoff_s * 2;
	clear_challenges(a);
}

enum acme_step acme_poll(struct acme *a, uint64_t now, struct acme_request *req, uint64_t *wake_at)
{
	static const char empty[] = "";
	const char *url = NULL, *payload = empty;
	char pl[ACME_BODY_MAX / 2];
	bool use_jwk = false;

	memset(req, 0, sizeof *req);
	*wake_at = UINT64_MAX;
	if (a->waiting)
		return ACME_STEP_WAIT; /* the caller still owes acme_input() */
	if (a->fresh_cert) {
		a->fresh_cert = false;
		*wake_at = a->renew_at;
		return ACME_STEP_CERT;
	}
	switch (a->phase) {
	case ACME_PH_HAVE_CERT:
		if (now < a->renew_at) {
			*wake_at = a->renew_at;
			return ACME_STEP_WAIT;
		}
		logs(a, "renewing the certificate for ", a->names[0],
		     a->cfg.n_names > 1 ? " and more" : NULL);
		a->phase = ACME_PH_START;
		/* fall through */
	case ACME_PH_START:
		if (!a->have_account_key) {
			if (!acme_key_gen(&a->account, a->rng)) {
				backoff(a, now, "account key", "generation failed", NULL);
				*wake_at = a->wake_s;
				return ACME_STEP_WAIT;
			}
			a->have_account_key = true;
			jws_thumbprint(&a->account, a->thumb);
		}
		a->phase = ACME_PH_DIRECTORY;
		a->nonce[0] = '\0';
		a->nonce_retries = 0;
		/* fall through */
	case ACME_PH_DIRECTORY:
		req->method = ACME_GET;
		req->url = a->cfg.directory;
		a->waiting = true;
		a->stats.requests++;
		return ACME_STEP_SEND;
	case ACME_PH_BACKOFF:
		if (now < a->wake_s) {
			*wake_at = a->wake_s;
			return ACME_STEP_WAIT;
		}
		a->phase = ACME_PH_START;
		return acme_poll(a, now, req, wake_at);
	case ACME_PH_ACCOUNT:
		url = a->url_account;
		payload = "{\"termsOfServiceAgreed\":true}";
		use_jwk = true;
		break;
	case ACME_PH_ORDER:
		url = a->url_order;
		if (!build_order(a, pl, sizeof pl)) {
			backoff(a, now, "newOrder", "request too large", NULL);
			*wake_at = a->wake_s;
			return ACME_STEP_WAIT;
		}
		payload = pl;
		break;
	case ACME_PH_AUTHZ:
		if (a->wake_s > now) {
			*wake_at = a->wake_s;
			return ACME_STEP_WAIT;
		}
		url = a->authz[a->cur_authz];
		break;
	case ACME_PH_CHALLENGE:
		url = a->chall_url;
		payload = "{}"; /* RFC 8555 7.5.1: the client is ready */
		break;
	case ACME_PH_FINALIZE:
		url = a->finalize;
		if (!build_finalize(a, pl, sizeof pl)) {
			backoff(a, now, "finalize", "CSR does not fit", NULL);
			*wake_at = a->wake_s;
			return ACME_STEP_WAIT;
		}
		payload = pl;
		break;
	case ACME_PH_ORDER_POLL:
		if (a->wake_s > now) {
			*wake_at = a->wake_s;
			return ACME_STEP_WAIT;
		}
		url = a->order;
		break;
	case ACME_PH_CERT:
		url = a->cert_url;
		req->want_pem = true;
		break;
	}
	if (!a->nonce[0]) {
		/* RFC 8555 7.2: a fresh nonce from newNonce. */
		req->method = ACME_HEAD;
		req->url = a->url_nonce;
		req->want_pem = false;
		a->nonce_req = true;
		a->waiting = true;
		a->stats.requests++;
		return ACME_STEP_SEND;
	}
	if (!sign_post(a, url, payload, use_jwk)) {
		backoff(a, now, acme_phase_str(a->phase), "request does not fit", NULL);
		*wake_at = a->wake_s;
		return ACME_STEP_WAIT;
	}
	req->method = ACME_POST;
	req->url = url;
	req->body = a->body;
	req->body_len = a->body_len;
	a->waiting = true;
	a->stats.requests++;
	return ACME_STEP_SEND;
}

/* ---- taking responses ---- */

static bool parse(struct acme *a, const struct acme_response *r, struct json_doc *d)
{
	return json_parse((const char *)r->body, r->body_len, a->tok, ACME_TOKENS, d) == JSON_OK &&
	       d->n > 0 && d->tok[0].type == JSON_OBJECT;
}

/* An error response: its problem document (RFC 7807, RFC 8555 6.7), logged by
 * type. True when it was badNonce (the request goes again). */
static bool problem(struct acme *a, uint64_t now, const struct acme_response *r)
{
	struct json_doc d;
	char type[160] = "", detail[256] = "", status[8];
	struct abuf b;

	if (r->body_len && parse(a, r, &d)) {
		json_get_str(&d, 0, "type", type, sizeof type);
		json_get_str(&d, 0, "detail", detail, sizeof detail);
	}
	if (strlen(type) > sizeof PROBLEM_PREFIX - 1 &&
	    memcmp(type, PROBLEM_PREFIX, sizeof PROBLEM_PREFIX - 1) == 0 &&
	    strlen(type) == sizeof PROBLEM_PREFIX - 1 + 8 &&
	    memcmp(type + sizeof PROBLEM_PREFIX - 1, "badNonce", 8) == 0 &&
	    a->nonce_retries < ACME_NONCE_RETRIES) {
		a->nonce_retries++;
		a->stats.bad_nonces++;
		return true;
	}
	if (!type[0]) {
		abuf_init(&b, status, sizeof status);
		abuf_puts(&b, "HTTP ");
		abuf_u64(&b, (uint64_t)r->status);
		backoff(a, now, acme_phase_str(a->phase), status, detail);
	} else {
		backoff(a, now, acme_phase_str(a->phase), type, detail);
	}
	return false;
}

static bool take_url(char *dst, const struct json_doc *d, int obj, const char *key)
{
	int n = json_get_str(d, obj, key, dst, ACME_URL_MAX);

	/* ACME's resources are https URLs (RFC 8555 6.1). */
	return n > 8 && memcmp(dst, "https://", 8) == 0;
}

static void poll_later(struct acme *a, uint64_t now, const struct acme_response *r)
{
	uint64_t s = r->retry_after_s ? r->retry_after_s : ACME_POLL_DEFAULT_S;

	/* RFC 8555 7.5.1 / 8.2: Retry-After, capped so a server cannot park us. */
	a->wake_s = now + (s > ACME_RETRY_AFTER_MAX_S ? ACME_RETRY_AFTER_MAX_S : s);
	a->stats.polls++;
}

static void on_directory(struct acme *a, uint64_t now, const struct acme_response *r)
{
	struct json_doc d;

	if (!parse(a, r, &d) || !take_url(a->url_nonce, &d, 0, "newNonce") ||
	    !take_url(a->url_account, &d, 0, "newAccount") ||
	    !take_url(a->url_order, &d, 0, "newOrder")) {
		backoff(a, now, "directory", "not an ACME directory", NULL);
		return;
	}
	a->phase = ACME_PH_ACCOUNT;
}

static void on_account(struct acme *a, uint64_t now, const struct acme_response *r)
{
	struct json_doc d;
	char st[16];

	/* 201 for a new account, 200 for the existing one of this key (7.3.1). */
	if (!r->location || !copy_str(a->kid, sizeof a->kid, r->location) || !parse(a, r, &d) ||
	    json_get_str(&d, 0, "status", st, sizeof st) < 0) {
		backoff(a, now, "account", "no account URL or status", NULL);
		return;
	}
	if (strlen(st) != 5 || memcmp(st, "valid", 5) != 0) {
		backoff(a, now, "account", "status is ", st);
		return;
	}
	a->phase = ACME_PH_ORDER;
}

/* Find the http-01 challenge of the authorization (d) and publish its key
 * authorization in slot (i). */
static bool pick_challenge(struct acme *a, const struct json_doc *d, size_t i)
{
	int ch = json_get(d, 0, "challenges");
	uint32_t k;
	struct acme_challenge *c = &a->chall[i];

	for (k = 0; ch >= 0 && k < d->tok[ch].count; k++) {
		int e = json_at(d, ch, k);
		int n;
		size_t j;
		struct abuf b;
		if (!json_str_eq(d, json_get(d, e, "type"), "http-01"))
			continue;
		n = json_get_str(d, e, "token", c->token, sizeof c->token);
		if (n <= 0 || !take_url(a->chall_url, d, e, "url"))
			return false;
		/* RFC 8555 8.1: the token is base64url; it goes in a URL path. */
		for (j = 0; j < (size_t)n; j++) {
			char x = c->token[j];
			if (!((x >= 'a' && x <= 'z') || (x >= 'A' && x <= 'Z') ||
			      (x >= '0' && x <= '9') || x == '-' || x == '_'))
				return false;
		}
		abuf_init(&b, c->keyauth, sizeof c->keyauth);
		abuf_puts(&b, c->token);
		abuf_puts(&b, ".");
		abuf_puts(&b, a->thumb);
		c->live = !b.over;
		return c->live;
	}
	return false;
}

static void next_authz(struct acme *a, uint64_t now)
{
	a->cur_authz++;
	a->polls = 0;
	a->wake_s = 0;
	if (a->cur_authz == a->n_authz) {
		/* A fresh key for every certificate, never the account's. */
		a->phase = ACME_PH_FINALIZE;
		if (!acme_key_gen(&a->new_key, a->rng))
			backoff(a, now, "certificate key", "generation failed", NULL);
	} else {
		a->phase = ACME_PH_AUTHZ;
	}
}

static void on_order(struct acme *a, uint64_t now, const struct acme_response *r)
{
	struct json_doc d;
	int az;
	uint32_t i;

	if (!r->location || !copy_str(a->order, sizeof a->order, r->location) || !parse(a, r, &d) ||
	    !take_url(a->finalize, &d, 0, "finalize") ||
	    (az = json_get(&d, 0, "authorizations")) < 0 || d.tok[az].type != JSON_ARRAY ||
	    d.tok[az].count == 0 || d.tok[az].count > ACME_MAX_NAMES) {
		backoff(a, now, "newOrder", "not an order object", NULL);
		return;
	}
	for (i = 0; i < d.tok[az].count; i++) {
		if (json_str(&d, json_at(&d, az, i), a->authz[i], ACME_URL_MAX) <= 8 ||
		    memcmp(a->authz[i], "https://", 8) != 0) {
			backoff(a, now, "newOrder", "bad authorization URL", NULL);
			return;
		}
	}
	a->n_authz = d.tok[az].count;
	a->cur_authz = 0;
	a->polls = 0;
	a->wake_s = 0;
	clear_challenges(a);
	a->stats.orders++;
	logs(a, "order placed for ", a->names[0], a->cfg.n_names > 1 ? " and more" : NULL);
	a->phase = ACME_PH_AUTHZ;
}

static void on_authz(struct acme *a, uint64_t now, const struct acme_response *r)
{
	struct json_doc d;
	char st[16], name[ACME_NAME_MAX + 1] = "";
	int id;

	if (!parse(a, r, &d) || json_get_str(&d, 0, "status", st, sizeof st) < 0) {
		backoff(a, now, "authorization", "not an authorization object", NULL);
		return;
	}
	id = json_get(&d, 0, "identifier");
	json_get_str(&d, id, "value", name, sizeof name);
	if (streq(st, "valid")) {
		logs(a, "authorization valid for ", name, NULL);
		a->chall[a->cur_authz].live = false;
		next_authz(a, now);
		return;
	}
	if (streq(st, "pending") && !a->chall[a->cur_authz].live) {
		/* Publish the key authorization, then say we are ready. */
		if (!pick_challenge(a, &d, a->cur_authz)) {
			backoff(a, now, "authorization", "no usable http-01 challenge for ", name);
			return;
		}
		a->phase = ACME_PH_CHALLENGE;
		return;
	}
	if (streq(st, "pending") || streq(st, "processing")) {
		if (++a->polls > ACME_POLL_MAX) {
			backoff(a, now, "authorization", "still pending after every poll: ", name);
			return;
		}
		poll_later(a, now, r);
		return;
	}
	{
		/* invalid, deactivated, expired, revoked: say why (8.2's error). */
		char type[160] = "", detail[256] = "";
		int ch = json_get(&d, 0, "challenges");
		uint32_t k;
		for (k = 0; ch >= 0 && k < d.tok[ch].count; k++) {
			int e = json_get(&d, json_at(&d, ch, k), "error");
			if (e >= 0) {
				json_get_str(&d, e, "type", type, sizeof type);
				json_get_str(&d, e, "detail", detail, sizeof detail);
				break;
			}
		}
		logs(a, "authorization ", st, name[0] ? " for " : NULL);
		if (name[0])
			logs(a, "  name: ", name, NULL);
		backoff(a, now, "challenge", type[0] ? type : st, detail);
	}
}

static void on_challenge(struct acme *a, uint64_t now, const struct acme_response *r)
{
	/* The challenge object comes back; its status shows on the authorization,
	 * which is polled next, after Retry-After. */
	a->phase = ACME_PH_AUTHZ;
	a->polls = 0;
	poll_later(a, now, r);
}

static void on_order_status(struct acme *a, uint64_t now, const struct acme_response *r)
{
	struct json_doc d;
	char st[16];

	if (!parse(a, r, &d) || json_get_str(&d, 0, "status", st, sizeof st) < 0) {
		backoff(a, now, "order", "not an order object", NULL);
		return;
	}
	if (streq(st, "valid")) {
		if (!take_url(a->cert_url, &d, 0, "certificate")) {
			backoff(a, now, "order", "valid without a certificate URL", NULL);
			return;
		}
		a->phase = ACME_PH_CERT;
		return;
	}
	if (streq(st, "processing") || streq(st, "ready") || streq(st, "pending")) {
		if (++a->polls > ACME_POLL_MAX) {
			backoff(a, now, "order", "still ", st);
			return;
		}
		a->phase = ACME_PH_ORDER_POLL;
		poll_later(a, now, r);
		return;
	}
	{
		char type[160] = "", detail[256] = "";
		int e = json_get(&d, 0, "error");
		json_get_str(&d, e, "type", type, sizeof type);
		json_get_str(&d, e, "detail", detail, sizeof detail);
		backoff(a, now, "order", type[0] ? type : st, detail);
	}
}

static void on_cert(struct acme *a, uint64_t now, const struct acme_response *r)
{
	struct acme_chain_info info;

	if (r->body_len >= sizeof a->chain) {
		backoff(a, now, "certificate", "chain over ACME_CHAIN_MAX", NULL);
		return;
	}
	if (!acme_chain_check((const char *)r->body, r->body_len, &a->new_key, &info)) {
		backoff(a, now, "certificate", "the chain does not decode", NULL);
		return;
	}
	if (!info.key_matches) {
		backoff(a, now, "certificate", "the leaf is not for our key", NULL);
		return;
	}
	if (info.not_after <= now) {
		backoff(a, now, "certificate", "the leaf has expired", NULL);
		return;
	}
	memcpy(a->chain, r->body, r->body_len);
	a->chain[r->body_len] = '\0';
	a->chain_len = r->body_len;
	a->cert_key = a->new_key;
	acme_key_wipe(&a->new_key);
	a->not_before = info.not_before;
	a->not_after = info.not_after;
	a->backoff_s = ACME_BACKOFF_MIN_S;
	a->stats.certs++;
	clear_challenges(a);
	schedule_renewal(a);
	a->fresh_cert = true; /* acme_poll() reports it once */
}

void acme_input(struct acme *a, uint64_t now, const struct acme_response *r)
{
	enum acme_phase ph = a->phase;

	if (!a->waiting)
		return;
	a->waiting = false;
	if (r->nonce && strlen(r->nonce) <= ACME_NONCE_MAX)
		copy_str(a->nonce, sizeof a->nonce, r->nonce);
	if (a->nonce_req) {
		a->nonce_req = false;
		if (r->status == 0 || !a->nonce[0])
			backoff(a, now, "newNonce",
			        r->status ? "no Replay-Nonce" : "transport failed", NULL);
		return;
	}
	if (r->status == 0) {
		backoff(a, now, acme_phase_str(ph), "transport failed", NULL);
		return;
	}
	if (r->status >= 400) {
		problem(a, now, r); /* badNonce: the same phase goes again */
		return;
	}
	switch (ph) {
	case ACME_PH_DIRECTORY:
		on_directory(a, now, r);
		break;
	case ACME_PH_ACCOUNT:
		on_account(a, now, r);
		break;
	case ACME_PH_ORDER:
		on_order(a, now, r);
		break;
	case ACME_PH_AUTHZ:
		on_authz(a, now, r);
		break;
	case ACME_PH_CHALLENGE:
		on_challenge(a, now, r);
		break;
	case ACME_PH_FINALIZE: /* the order comes back */
	case ACME_PH_ORDER_POLL:
		on_order_status(a, now, r);
		break;
	case ACME_PH_CERT:
		on_cert(a, now, r);
		break;
	default:
		break;
	}
}

bool acme_challenge_lookup(struct acme *a, const char *token, size_t len, const char **keyauth,
                           size_t *keyauth_len)
{
	size_t i;

	for (i = 0; i < ACME_MAX_NAMES; i++) {
		struct acme_challenge *c = &a->chall[i];
		if (c->live && strlen(c->token) == len && memcmp(c->token, token, len) == 0) {
			*keyauth = c->keyauth;
			*keyauth_len = strlen(c->keyauth);
			a->stats.challenges_served++;
			return true;
		}
	}
	return false;
}
