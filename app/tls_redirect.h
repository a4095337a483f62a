/* SPDX-License-Identifier: MIT */
/* The plain-HTTP port of an HTTPS server: every request is answered 308 with
 * the same path on https://, except the ACME HTTP-01 challenge path
 * (RFC 8555 8.3), /.well-known/acme-challenge/TOKEN, which answers the key
 * authorisation that the challenge callback gives for TOKEN (404 when none).
 *
 * The redirect goes to the host the client asked for (Host, without its port),
 * on https_port (left out when 443). A Host that is not a plain name or address
 * gets 400, so nothing the client sent beyond that reaches the Location field
 * other than the request target, which the parser has already checked.
 * Freestanding: an http_route_fn over its own struct http_server. */
#ifndef UD_APP_TLS_REDIRECT_H
#define UD_APP_TLS_REDIRECT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "http/http.h"

#define TLS_REDIRECT_TOKEN_MAX 128u /* bytes of ACME token */

/* The key authorisation for (token), or false. (token) is base64url, 1 to
 * TLS_REDIRECT_TOKEN_MAX bytes, already checked. */
typedef bool (*tls_challenge_fn)(void *ctx, const char *token, size_t len, const uint8_t **body,
                                 size_t *body_len);

struct tls_redirect {
	struct http_server *srv; /* the plain server this route answers for */
	uint16_t https_port;
	tls_challenge_fn challenge; /* may be NULL: every challenge is 404 */
	void *ctx;
	uint64_t redirects, challenges_served, challenges_missed, bad_host;
};

/* Route hook: http_config.route = tls_redirect_route, .app = the struct. */
bool tls_redirect_route(void *app, struct http_conn *c, const struct http_request *req);

#endif
