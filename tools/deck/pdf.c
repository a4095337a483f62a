/* SPDX-License-Identifier: MIT */
/* PDF handouts through headless Chromium and reveal.js's print view. */
#include "tools/deck/pdf.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/select.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "lib/httpdate.h"
#include "tools/store/build.h"
#include "tools/store/storew.h"
#include "tools/util/text.h"

/* An argv of our own copies: exec wants char *, our strings are const. */
struct args {
	char *v[24];
	int n;
};

static void arg(struct args *a, const char *s)
{
	if (a->n < 23) {
		a->v[a->n++] = strdup(s);
		a->v[a->n] = NULL;
	}
}

static void args_free(struct args *a)
{
	while (a->n)
		free(a->v[--a->n]);
}

static bool executable(const char *p)
{
	return access(p, X_OK) == 0;
}

const char *pdf_chromium(void)
{
	static char found[PATH_MAX];
	static const char *const names[] = {"chromium", "chromium-browser"};
	const char *env = getenv("CHROMIUM"), *path = getenv("PATH");
	size_t i;

	if (env && *env)
		return executable(env) ? env : NULL;
	for (i = 0; i < sizeof names / sizeof names[0]; i++) {
		const char *p = path ? path : "/usr/bin:/bin";
		while (*p) {
			const char *e = strchr(p, ':');
			size_t n = e ? (size_t)(e - p) : strlen(p);
			snprintf(found, sizeof found, "%.*s/%s", (int)n, p, names[i]);
			if (n && executable(found))
				return found;
			p += n + (e ? 1 : 0);
		}
	}
	return NULL;
}

/* Run (argv) with stdout to (out_fd) (or /dev/null), within (timeout) seconds. */
static int run(char *const argv[], int out_fd, int timeout, pid_t *bg)
{
	pid_t pid = fork();
	int status, i;

	if (pid < 0)
		return -1;
	if (pid == 0) {
		int null = open("/dev/null", O_RDWR);
		dup2(null, 0);
		dup2(out_fd >= 0 ? out_fd : null, 1);
		dup2(null, 2);
		execv(argv[0], argv);
		_exit(127);
	}
	if (bg) {
		*bg = pid;
		return 0;
	}
	for (i = 0; i < timeout * 10; i++) {
		if (waitpid(pid, &status, WNOHANG) == pid)
			return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
		usleep(100000);
	}
	kill(pid, SIGKILL);
	waitpid(pid, &status, 0);
	return -1;
}

/* Start `unideck serve STORE --port 0` and read the port it chose. */
static int serve_store(const char *store, pid_t *pid, int *port)
{
	char self[PATH_MAX], line[512];
	struct args a = {{NULL}, 0};
	ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
	int fds[2], rc;
	FILE *f;

	if (n <= 0 || pipe(fds) != 0)
		return -1;
	self[n] = 0;
	arg(&a, self);
	arg(&a, "serve");
	arg(&a, store);
	arg(&a, "--port");
	arg(&a, "0");
	arg(&a, "--host");
	arg(&a, "127.0.0.1");
	rc = run(a.v, fds[1], 0, pid);
	args_free(&a);
	close(fds[1]);
	if (rc != 0) {
		close(fds[0]);
		return -1;
	}
	f = fdopen(fds[0], "r");
	*port = 0;
	while (f && fgets(line, sizeof line, f)) {
		char *at = strstr(line, "http://127.0.0.1:");
		if (at) {
			*port = atoi(at + 17);
			break;
		}
	}
	if (f)
		fclose(f); /* the server ignores SIGPIPE; it prints nothing more we need */
	return *port > 0 ? 0 : -1;
}

/* ---- the DevTools protocol over --remote-debugging-pipe ----
 * Chromium reads NUL-terminated JSON commands on fd 3 and writes replies and
 * events on fd 4. We need a handful of commands and read replies by their id;
 * events are skipped. Our requests are fixed, so a reply is found by its
 * prefix {"id":N, and its fields by name. */

struct cdp {
	pid_t pid;
	int wr, rd;
	char *buf;
	size_t len, cap;
	int next_id;
};

static int cdp_start(struct cdp *c, const char *chromium, const char *profile)
{
	static const char *const flags[] = {
	        "--headless",
	        "--no-sandbox",
	        "--disable-gpu",
	        "--no-first-run",
	        "--disable-background-networking",
	        "--disable-component-update",
	        "--disable-sync",
	        "--disable-quic",
	        "--disable-domain-reliability",
	        "--no-pings",
	        "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
	        "--remote-debugging-pipe",
	};
	char opt[PATH_MAX + 32];
	struct args a = {{NULL}, 0};
	int to[2], from[2], null;
	size_t k;

	memset(c, 0, sizeof *c);
	if (pipe(to) != 0 || pipe(from) != 0)
		return -1;
	snprintf(opt, sizeof opt, "--user-data-dir=%s", profile);
	arg(&a, chromium);
	for (k = 0; k < sizeof flags / sizeof flags[0]; k++)
		arg(&a, flags[k]);
	arg(&a, opt);
	c->pid = fork();
	if (c->pid == 0) {
		null = open("/dev/null", O_RDWR);
		dup2(null, 0);
		dup2(null, 1);
		dup2(null, 2);
		dup2(to[0], 3);
		dup2(from[1], 4);
		execv(a.v[0], a.v);
		_exit(127);
	}
	args_free(&a);
	close(to[0]);
	close(from[1]);
	c->wr = to[1];
	c->rd = from[0];
	c->next_id = 1;
	return c->pid > 0 ? 0 : -1;
}

static int cdp_send(struct cdp *c, const char *session, const char *method, const char *params)
{
	char msg[2048];
	int n, id = c->next_id++;

	n = snprintf(msg, sizeof msg, "{\"id\":%d,%s%s%s\"method\":\"%s\",\"params\":%s}", id,
	             session ? "\"sessionId\":\"" : "", session ? session : "",
	             session ? "\"," : "", method, params);
	if (n <= 0 || (size_t)n >= sizeof msg || write(c->wr, msg, (size_t)n + 1) != n + 1)
		return -1;
	return id;
}

/* The reply to (id), malloc'd; NULL on timeout or when Chromium is gone. */
static char *cdp_reply(struct cdp *c, int id, int timeout_ms)
{
	char prefix[32];
	struct timespec t0, t;

	snprintf(prefix, sizeof prefix, "{\"id\":%d,", id);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (;;) {
		char *nul = c->len ? memchr(c->buf, 0, c->len) : NULL;
		ssize_t n;
		if (nul) {
			size_t mlen = (size_t)(nul - c->buf) + 1;
			char *msg = NULL;
			if (strncmp(c->buf, prefix, strlen(prefix)) == 0)
				msg = strdup(c->buf);
			memmove(c->buf, c->buf + mlen, c->len - mlen);
			c->len -= mlen;
			if (msg)
				return msg;
			continue;
		}
		clock_gettime(CLOCK_MONOTONIC, &t);
		if ((t.tv_sec - t0.tv_sec) * 1000 + (t.tv_nsec - t0.tv_nsec) / 1000000 > timeout_ms)
			return NULL;
		if (c->len + 65536 > c->cap) {
			c->cap = (c->len + 65536) * 2;
			c->buf = realloc(c->buf, c->cap);
			if (!c->buf)
				abort();
		}
		{
			struct timeval tv = {0, 100000};
			fd_set rs;
			FD_ZERO(&rs);
			FD_SET(c->rd, &rs);
			if (select(c->rd + 1, &rs, NULL, NULL, &tv) <= 0)
				continue;
		}
		n = read(c->rd, c->buf + c->len, c->cap - c->len);
		if (n <= 0)
			return NULL;
		c->len += (size_t)n;
	}
}

/* Send and wait; returns the reply or NULL. */
static char *cdp_call(struct cdp *c, const char *session, const char *method, const char *params,
                      int timeout_ms)
{
	int id = cdp_send(c, session, method, params);

	return id < 0 ? NULL : cdp_reply(c, id, timeout_ms);
}

/* The string field (name) of a reply, copied into (out). */
static bool field(const char *msg, const char *name, char *out, size_t cap)
{
	char key[64];
	const char *p, *e;

	snprintf(key, sizeof key, "\"%s\":\"", name);
	p = msg ? strstr(msg, key) : NULL;
	if (!p)
		return false;
	p += strlen(key);
	e = strchr(p, '"');
	if (!e || (size_t)(e - p) >= cap)
		return false;
	memcpy(out, p, (size_t)(e - p));
	out[e - p] = 0;
	return true;
}

static void cdp_stop(struct cdp *c)
{
	int status;

	free(cdp_call(c, NULL, "Browser.close", "{}", 5000));
	close(c->wr);
	close(c->rd);
	kill(c->pid, SIGKILL);
	waitpid(c->pid, &status, 0);
	free(c->buf);
}

static int b64val(char ch)
{
	if (ch >= 'A' && ch <= 'Z')
		return ch - 'A';
	if (ch >= 'a' && ch <= 'z')
		return ch - 'a' + 26;
	if (ch >= '0' && ch <= '9')
		return ch - '0' + 52;
	return ch == '+' ? 62 : ch == '/' ? 63 : -1;
}

/* Decode base64 from (s) up to its closing quote, in place into a new buffer. */
static uint8_t *b64_decode(const char *s, size_t *len)
{
	size_t n = strcspn(s, "\""), o = 0, i;
	uint8_t *out = malloc(n / 4 * 3 + 3);
	uint32_t acc = 0;
	int bits = 0;

	if (!out)
		return NULL;
	for (i = 0; i < n; i++) {
		int v = b64val(s[i]);
		if (v < 0)
			continue; /* '=' padding and escaped slashes' backslashes */
		acc = acc << 6 | (uint32_t)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			out[o++] = (uint8_t)(acc >> bits);
		}
	}
	*len = o;
	return out;
}

/* Chromium stamps the time into a PDF ("D:YYYYMMDDHHmmSS"); put the deck's time
 * in its place (same length, so no offset moves), for reproducible builds. */
static void stamp(uint8_t *pdf, size_t len, int64_t t)
{
	static const char *const keys[] = {"/CreationDate (D:", "/ModDate (D:"};
	char when[64];
	int y, m, d;
	size_t k;

	if (t < 0)
		t = 0;
	httpdate_civil(t / 86400, &y, &m, &d);
	snprintf(when, sizeof when, "%04d%02d%02d%02d%02d%02d", y, m, d, (int)(t % 86400 / 3600),
	         (int)(t % 3600 / 60), (int)(t % 60));
	for (k = 0; k < 2; k++) {
		uint8_t *at = memmem(pdf, len, keys[k], strlen(keys[k]));
		size_t off = at ? (size_t)(at - pdf) + strlen(keys[k]) : 0;
		if (at && off + 14 <= len)
			memcpy(pdf + off, when, 14);
	}
}

/* Open the deck's print view in a new tab, wait until reveal.js has laid the
 * pages out (runtime/deck.js marks it), print, close the tab. */
static uint8_t *print_page(struct cdp *c, const char *url, size_t *len, const char **why)
{
	char target[128], session[128], params[600], *r;
	uint8_t *pdf = NULL;
	const char *data;
	int i;

	*why = "Chromium did not open a tab for it";
	r = cdp_call(c, NULL, "Target.createTarget", "{\"url\":\"about:blank\"}", 20000);
	if (!field(r, "targetId", target, sizeof target)) {
		free(r);
		return NULL;
	}
	free(r);
	snprintf(params, sizeof params, "{\"targetId\":\"%s\",\"flatten\":true}", target);
	r = cdp_call(c, NULL, "Target.attachToTarget", params, 10000);
	if (!field(r, "sessionId", session, sizeof session))
		goto out;
	free(r);
	snprintf(params, sizeof params, "{\"url\":\"%s\"}", url);
	r = cdp_call(c, session, "Page.navigate", params, 20000);
	for (i = 0; i < 300 && r; i++) {
		free(r);
		r = cdp_call(c, session, "Runtime.evaluate",
		             "{\"expression\":\"document.documentElement.hasAttribute("
		             "'data-unideck-printed')\",\"returnByValue\":true}",
		             5000);
		if (r && strstr(r, "\"value\":true"))
			break;
		usleep(100000);
	}
	*why = "its print view did not finish laying out within 30 s (does the page load "
	       "its reveal.js and run Reveal.initialize?)";
	if (!r || !strstr(r, "\"value\":true"))
		goto out;
	free(r);
	r = cdp_call(c, session, "Page.printToPDF",
	             "{\"printBackground\":true,\"preferCSSPageSize\":true}", 60000);
	data = r ? strstr(r, "\"data\":\"") : NULL;
	*why = "Chromium printed nothing";
	if (data)
		pdf = b64_decode(data + 8, len);
out:
	free(r);
	snprintf(params, sizeof params, "{\"targetId\":\"%s\"}", target);
	free(cdp_call(c, NULL, "Target.closeTarget", params, 5000));
	return pdf;
}

/* Print one deck; a deck that does not print is a warning naming it and why,
 * and the build goes on without its handout (the index then links none). */
static void print_deck(struct bset *set, struct cdp *c, const char *slug, int port)
{
	char url[256], path[256];
	struct bfile *page, *f;
	const char *why = "";
	uint8_t *pdf;
	size_t len = 0;

	snprintf(url, sizeof url, "http://127.0.0.1:%d/%s/?print-pdf", port, slug);
	snprintf(path, sizeof path, "/%s/index.html", slug);
	page = bset_find(set, path);
	pdf = print_page(c, url, &len, &why);
	if (!pdf || len < 8 || memcmp(pdf, "%PDF", 4) != 0) {
		free(pdf);
		diag_warn(page ? page->src : NULL, 0,
		          "no PDF handout for the deck '%s': %s; the build goes on without it",
		          slug, pdf ? "what Chromium printed is not a PDF" : why);
		return;
	}
	stamp(pdf, len, page ? page->mtime : 0);
	snprintf(path, sizeof path, "/%s/%s.pdf", slug, slug);
	f = bset_add(set, path, pdf, len);
	f->mtime = page ? page->mtime : 0;
	f->cache = STORE_CACHE_REVALIDATE;
}

int pdf_render(struct bset *set, char **slugs, size_t n, const char *chromium, struct diag *d)
{
	struct storew_opts wo = {0, 0, 0, NULL, NULL, NULL};
	struct storew_totals t;
	char dir[] = "/tmp/unideck-pdf-XXXXXX", store[PATH_MAX], profile[PATH_MAX],
	     cmd[PATH_MAX + 16];
	uint8_t *blob = NULL;
	size_t len, i;
	pid_t server = 0;
	struct cdp c;
	bool browser = false;
	int port, rc = 0, status;

	if (!mkdtemp(dir))
		return diag_fail(d, NULL, 0, "cannot make a temporary folder: %s", strerror(errno));
	snprintf(store, sizeof store, "%s/print.store", dir);
	snprintf(profile, sizeof profile, "%s/profile", dir);
	if (storew_write(set, &wo, &blob, &len, &t, d) != 0 ||
	    build_write_file(store, blob, len, d) != 0) {
		rc = -1;
		goto done;
	}
	/* Without a server or a browser there are no handouts, but the decks are
	 * fine: said, and the build goes on. */
	if (serve_store(store, &server, &port) != 0) {
		diag_warn(NULL, 0, "no PDF handouts: could not serve the decks to print them");
		goto done;
	}
	if (cdp_start(&c, chromium, profile) != 0) {
		diag_warn(NULL, 0, "no PDF handouts: could not start %s", chromium);
		goto done;
	}
	browser = true;
	for (i = 0; i < n; i++)
		print_deck(set, &c, slugs[i], port);
done:
	if (browser)
		cdp_stop(&c);
	if (server > 0) {
		kill(server, SIGTERM);
		waitpid(server, &status, 0);
	}
	free(blob);
	unlink(store);
	/* Chromium's helper processes may still be writing its profile for a moment
	 * after the browser has gone. */
	snprintf(cmd, sizeof cmd, "rm -rf '%s' 2>/dev/null", dir);
	for (i = 0; i < 30 && (system(cmd) != 0 || access(dir, F_OK) == 0); i++)
		usleep(100000);
	if (access(dir, F_OK) == 0)
		diag_warn(dir, 0, "could not remove this temporary folder");
	return rc;
}
