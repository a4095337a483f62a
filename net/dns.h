/* SPDX-License-Identifier: MIT */
/* A stub resolver (RFC 1034/1035) over UDP: one question at a time for an A
 * or AAAA record, asked of the name servers DHCP gave (option 6) or the
 * operator set (dns=).
 *
 * Each try goes from a fresh random source port with a fresh random ID (RFC
 * 5452), to the next server in turn, and is given DNS_TRY_NS; DNS_TRIES tries
 * in all. An answer counts only when it comes from the server asked, to the
 * port and with the ID of the try outstanding, echoes the question (name, type,
 * class IN), and parses within the message: names with compression pointers
 * that point strictly backwards (so no loop), at most DNS_MAX_PTRS of them per
 * name and DNS_MAX_NAME bytes; CNAME chains of at most DNS_MAX_CNAMES. A
 * truncated answer (TC) fails the query: there is no TCP fallback, and an
 * address record never needs one. NXDOMAIN and "no such record" end the query
 * at once; SERVFAIL and REFUSED move on to the next server. Every drop has a
 * counter.
 *
 * The parser (dns_parse_answer) and the query builder are pure functions over
 * bytes, for the unit test and the fuzz target. The resolver owns one UDP port
 * of the stack while a try is outstanding. */
#ifndef UD_NET_DNS_H
#define UD_NET_DNS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define DNS_MAX_SERVERS 3u
#define DNS_MAX_NAME    255u /* wire form, with its length octets */
#define DNS_MAX_PTRS    16u  /* compression pointers followed in one name */
#define DNS_MAX_CNAMES  8u
#define DNS_MSG_MAX     512u /* UDP without EDNS (RFC 1035 4.2.1) */
#define DNS_TRIES       4u
#define DNS_TRY_NS      (2ull * 1000000000ull)

#define DNS_TYPE_A     1u
#define DNS_TYPE_CNAME 5u
#define DNS_TYPE_AAAA  28u

struct net_stack;

enum dns_state {
	DNS_IDLE = 0,
	DNS_PENDING,
	DNS_DONE,   /* (addr) holds the answer */
	DNS_FAILED, /* (why) says why */
};

struct dns_stats {
	uint64_t queries, sent, timeouts, answers;
	uint64_t rx_short, rx_wrong_src, rx_wrong_id, rx_not_answer, rx_wrong_question;
	uint64_t rx_truncated, rx_bad_name, rx_bad_record, rx_rcode, nxdomain, nodata;
	uint64_t send_fail;
};

enum dns_parse {
	DNS_P_OK = 0,
	DNS_P_WRONG_ID,   /* not ours: ignore, keep waiting */
	DNS_P_NOT_ANSWER, /* a query, or another opcode */
	DNS_P_QUESTION,   /* the question is not ours */
	DNS_P_TRUNCATED,
	DNS_P_BAD_NAME, /* a pointer loop, forward pointer, overlong name */
	DNS_P_BAD,      /* a record runs past the message */
	DNS_P_NXDOMAIN,
	DNS_P_NODATA,   /* the name exists, without such a record */
	DNS_P_SERVFAIL, /* or REFUSED, or another error code: ask another server */
};

struct dns {
	struct net_stack *s;
	uint32_t servers[DNS_MAX_SERVERS];
	size_t n_servers;
	enum dns_state state;
	uint16_t qtype, id, port;
	uint32_t asked; /* the server of the try outstanding */
	unsigned tries, next_server;
	uint64_t deadline;
	uint8_t qname[DNS_MAX_NAME];
	size_t qname_len;
	uint8_t addr[16]; /* A: the first 4 bytes */
	uint32_t ttl;
	const char *why;
	struct dns_stats stats;
};

void dns_init(struct dns *d, struct net_stack *s);
/* The servers to ask, in order (host byte order); replaces any before. */
void dns_set_servers(struct dns *d, const uint32_t *servers, size_t n);
/* Ask for (name, len) (a host name: letters, digits, '-', dots; a trailing dot
 * allowed) of (qtype). False (state FAILED, why set) when the name is not one
 * or there is no server. A query already pending is abandoned. */
bool dns_query(struct dns *d, const char *name, size_t len, uint16_t qtype, uint64_t now);
/* Retransmissions and timeouts; returns the next deadline (UINT64_MAX: none). */
uint64_t dns_poll(struct dns *d, uint64_t now);
/* Stop: release the port; state back to IDLE. */
void dns_cancel(struct dns *d);

/* ---- pure functions ---- */

/* (name, len) to wire form in (out); false when it is not a host name. */
bool dns_encode_name(const char *name, size_t len, uint8_t *out, size_t *out_len);
/* A query message; returns its length (0: does not fit). */
size_t dns_build_query(uint8_t *out, size_t cap, uint16_t id, const uint8_t *qname, size_t qlen,
                       uint16_t qtype);
/* Check an answer to (id, qname, qtype) and find its address (4 or 16 bytes
 * into out, by qtype) and TTL. */
enum dns_parse dns_parse_answer(const uint8_t *p, size_t len, uint16_t id, const uint8_t *qname,
                                size_t qlen, uint16_t qtype, uint8_t out[16], uint32_t *ttl);

#endif
