/* SPDX-License-Identifier: MIT */
/* The deck server: the routes that are not plain store lookups.
 *
 * - GET /_unideck/events: an event stream (HTML5 server-sent events). A preview
 *   server sends "reload" on it after each rebuild; deck pages listen through
 *   /_unideck/live.js. Only stores built for preview (STORE_F_DEV) offer it.
 * - While a preview build is broken, every HTML page answers 500 with the build
 *   error (file, line, message) and the live-reload script, so the browser shows
 *   the error instead of a stale deck and recovers by itself once it is fixed.
 *
 * Freestanding. The app borrows the HTTP server; subscribers are connections the
 * transport owns, and the transport must call app_conn_gone() before it frees a
 * connection whose app_data is set. At most APP_MAX_SUBS subscribers; more are
 * answered 503 (counted in subs_refused). */
#ifndef UD_APP_H
#define UD_APP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "http/http.h"

#define APP_MAX_SUBS 4096u
#define APP_ERR_MAX  4096u /* bytes of build error text kept for the error page */

struct app_stats {
	uint64_t subs_opened, subs_refused, events_sent, events_dropped;
};

struct app {
	struct http_server *srv;
	struct app_stats stats;
	uint64_t generation; /* rebuilds so far: the id of the last reload event */
	bool has_error;
	size_t err_len;
	char err[APP_ERR_MAX];
	size_t n_subs;
	struct http_conn *subs[APP_MAX_SUBS];
};

void app_init(struct app *a, struct http_server *srv);
/* The route hook for struct http_config (app is a struct app *). */
bool app_route(void *app, struct http_conn *c, const struct http_request *req);
/* A preview build failed with (msg): HTML pages show it until app_reloaded(). */
void app_set_error(struct app *a, const char *msg, size_t len);
/* A preview build succeeded: clear the error and tell every page to reload. */
void app_reloaded(struct app *a);
void app_conn_gone(struct app *a, struct http_conn *c);

#endif
