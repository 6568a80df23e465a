/* SPDX-License-Identifier: MIT */
/*
 * dns/unbound.c - the production resolver: libunbound, validating DNSSEC
 * when it holds a trust anchor.
 *
 * Set-up order matters: libunbound finalises its context at the first
 * query (or ub_ctx_zone_add), after which options and trust anchors are
 * refused, so everything is set as options before any query.
 *
 * Queries use the asynchronous API so each has a deadline: the caller's
 * budget deadline or the per-query timeout, whichever is first; past it the
 * query is cancelled and answered TIMEOUT. libunbound delivers results
 * through ub_process(), which any waiting thread may call and which may run
 * another thread's callback, so every query owns its slot and flag, calls
 * into libunbound are serialised by one mutex, and one waiting thread at a
 * time watches the descriptor (in short slices) and calls ub_process()
 * while the others sleep, each on its own slot's condition variable: the
 * callback wakes exactly the thread whose answer arrived, and a watcher
 * whose own answer arrived hands the descriptor to a sleeping thread. So a
 * result delivered by another thread is seen at once, and no result wakes
 * every thread.
 *
 * Lanes (lanes.c) use libunbound's event API instead: each thread running
 * lanes has an event-driven context of its own, set up with the same
 * options; a lane's query switches lanes until its callback (or its
 * deadline, then ub_cancel: a cancelled query is never called back) and
 * the response, a packet, is read by wire.c. Both paths end in
 * make_answer().
 *
 * A bogus answer is never returned as data: it becomes SERVFAIL with the
 * validator's reason. Rdata is decoded and checked here (lengths of
 * addresses, TXT strings, names) before it reaches any protocol.
 */
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unbound-event.h>
#include <unbound.h>
#include <unistd.h>

#include "dns_internal.h"

/* Wait at most this long between two looks at a query's flag. */
#define WAIT_SLICE_MS 20

typedef struct ub_backend {
    const vouch_ctx_t *ctx;
    struct ub_ctx *ub;
    vouch_unbound_options_t opts; /* lanes set up alike */
    char *strings[4];             /* opts' strings, owned */
    pthread_mutex_t lock;         /* serialises every call into libunbound */
    bool polling;                 /* a thread watches the descriptor */
    struct ub_slot *waiting;      /* threads asleep, by their slots */
    unsigned timeout_ms;
} ub_backend_t;

typedef struct ub_slot {
    atomic_int done;
    int err;
    struct ub_result *result;
    pthread_cond_t wake;  /* signalled when done, or to take over watching */
    struct ub_slot *next; /* in ub_backend_t.waiting while asleep */
} ub_slot_t;

/* Zones libunbound answers itself (RFC 6761 names, private and
 * documentation reverse zones); with a forwarder they are lifted so the
 * forwarder's data is seen, as for any other name. */
static const char *const builtin_zones[] = {
    "test.",
    "invalid.",
    "127.in-addr.arpa.",
    "10.in-addr.arpa.",
    "168.192.in-addr.arpa.",
    "2.0.192.in-addr.arpa.",
    "100.51.198.in-addr.arpa.",
    "113.0.203.in-addr.arpa.",
    "8.b.d.0.1.0.0.2.ip6.arpa.",
    "1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.ip6.arpa.",
};

static int
ub_fail(vouch_error_t *err, int rc, const char *what)
{
    return vouch__error(err, VOUCH_EIO, "dns", 0, "libunbound %s: %s", what,
                        ub_strerror(rc));
}

/* "ADDR" or "ADDR@PORT": an IP literal and a port of 1-65535. */
static int
check_forwarder(const char *fwd, vouch_error_t *err)
{
    const char *at = strchr(fwd, '@');
    size_t alen = at != NULL ? (size_t)(at - fwd) : strlen(fwd);
    vouch_ip_t ip;

    if (vouch_ip_parse(&ip, fwd, alen) != 0) {
        return vouch__error(err, VOUCH_EINVAL, "dns", 0,
                            "forwarder '%s': not ADDR[@PORT] with an IP "
                            "address",
                            fwd);
    }
    if (at != NULL) {
        const char *p = at + 1, *end = at + 1 + strlen(at + 1);
        uint64_t port;

        if (vouch__parse_uint(&p, end, 65535, &port) != 0 || p != end ||
            port == 0) {
            return vouch__error(err, VOUCH_EINVAL, "dns", 0,
                                "forwarder '%s': port must be 1-65535", fwd);
        }
    }
    return 0;
}

static int
readable(const char *path, const char *what, vouch_error_t *err)
{
    if (access(path, R_OK) != 0) {
        return vouch__error(err, VOUCH_EIO, "dns", 0, "cannot read %s %s: %s",
                            what, path, strerror(errno));
    }
    return 0;
}

/* Apply the options, in the order libunbound needs: everything before
 * the context is finalised by its first query. */
static int
setup(struct ub_ctx *ub, const vouch_unbound_options_t *o, bool threaded,
      vouch_error_t *err)
{
    size_t i;
    int rc;

    if (o->config_file != NULL) {
        if (readable(o->config_file, "libunbound configuration", err) != 0) {
            return VOUCH_EIO;
        }
        if ((rc = ub_ctx_config(ub, o->config_file)) != 0) {
            return ub_fail(err, rc, "config file");
        }
    }
    /* threads, not a forked process, for asynchronous queries (an
     * event-driven context has neither) */
    if (threaded && (rc = ub_ctx_async(ub, 1)) != 0) {
        return ub_fail(err, rc, "async");
    }
    if (o->trust_anchor_file != NULL) {
        if (readable(o->trust_anchor_file, "trust anchor file", err) != 0) {
            return VOUCH_EIO;
        }
        if ((rc = ub_ctx_add_ta_file(ub, o->trust_anchor_file)) != 0) {
            return ub_fail(err, rc, "trust anchor");
        }
    }
    if (o->forwarder != NULL) {
        if (check_forwarder(o->forwarder, err) != 0) {
            return VOUCH_EINVAL;
        }
        /* a loopback forwarder is skipped unless this is lifted */
        if ((rc = ub_ctx_set_option(ub, "do-not-query-localhost:", "no")) !=
                0 ||
            (rc = ub_ctx_set_fwd(ub, o->forwarder)) != 0) {
            return ub_fail(err, rc, "forwarder");
        }
        for (i = 0; i < VOUCH_ARRAY_LEN(builtin_zones); i++) {
            char zone[128];

            /* as a configured zone (set before the context is final) a
             * transparent zone replaces the built-in one and its data;
             * ub_ctx_zone_add() would keep "localhost" for 127.0.0.1 */
            (void)snprintf(zone, sizeof(zone), "%s transparent",
                           builtin_zones[i]);
            rc = ub_ctx_set_option(ub, "local-zone:", zone);
            if (rc != 0) {
                return ub_fail(err, rc, "local zone");
            }
        }
    } else if (!o->recursive && o->config_file == NULL) {
        if (o->resolv_conf != NULL &&
            readable(o->resolv_conf, "resolv.conf", err) != 0) {
            return VOUCH_EIO;
        }
        if ((rc = ub_ctx_resolvconf(ub, o->resolv_conf)) != 0) {
            return ub_fail(err, rc, "resolv.conf");
        }
    }
    /* finalise now, so a trust anchor or config file libunbound cannot
     * use fails here rather than at every query: removing a zone that
     * does not exist (under the never-existing .invalid) does that */
    if ((rc = ub_ctx_zone_remove(ub, "finalize.vouch.invalid.")) != 0) {
        return vouch__error(err, VOUCH_EIO, "dns", 0,
                            "libunbound set-up failed: %s (check the trust "
                            "anchor and config files; libunbound logs the "
                            "details)",
                            ub_strerror(rc));
    }
    return 0;
}

/* ---- rdata
 * ----------------------------------------------------------------------- */

/* Decode one rdata of type into rr (data may point into scratch). Returns 0
 * or VOUCH_ESYNTAX (malformed). */
static int
decode_rdata(uint16_t type, const uint8_t *p, size_t len, char *scratch,
             size_t cap, vouch_dns_rr_t *rr)
{
    size_t i = 0, o = 0, used, tlen;

    memset(rr, 0, sizeof(*rr));
    rr->type = type;
    switch (type) {
    case VOUCH_DNS_A:
    case VOUCH_DNS_AAAA:
        if (len != (type == VOUCH_DNS_A ? 4u : 16u)) {
            return VOUCH_ESYNTAX;
        }
        rr->data = (const char *)p;
        rr->len = len;
        return 0;
    case VOUCH_DNS_TXT:
    case VOUCH_DNS_SPF:
        /* RFC 1035 §3.3.14: <character-string>s, joined for the caller */
        while (i < len) {
            size_t n = p[i++];

            if (n > len - i || o + n > cap) {
                return VOUCH_ESYNTAX;
            }
            memcpy(scratch + o, p + i, n);
            o += n;
            i += n;
            rr->nstrings++;
        }
        if (rr->nstrings == 0) {
            return VOUCH_ESYNTAX; /* one or more strings */
        }
        rr->data = scratch;
        rr->len = o;
        return 0;
    case VOUCH_DNS_MX:
        if (len < 3) {
            return VOUCH_ESYNTAX;
        }
        rr->pref = (uint16_t)(p[0] << 8 | p[1]);
        i = 2;
        break;
    case VOUCH_DNS_CNAME:
    case VOUCH_DNS_PTR:
    case VOUCH_DNS_NS:
        break;
    default:
        rr->data = (const char *)p;
        rr->len = len;
        return 0;
    }
    if (vouch__dns_name_from_wire(scratch, cap, &tlen, p + i, len - i, &used) !=
            0 ||
        i + used != len) {
        return VOUCH_ESYNTAX;
    }
    rr->data = scratch;
    rr->len = tlen;
    return 0;
}

static const char *
malformed_why(uint16_t type)
{
    switch (type) {
    case VOUCH_DNS_A:
        return "malformed rdata in A";
    case VOUCH_DNS_AAAA:
        return "malformed rdata in AAAA";
    case VOUCH_DNS_TXT:
        return "malformed rdata in TXT";
    case VOUCH_DNS_SPF:
        return "malformed rdata in SPF";
    case VOUCH_DNS_MX:
        return "malformed rdata in MX";
    default:
        return "malformed rdata";
    }
}

/* What a response says, from a ub_result or a packet. */
typedef struct ub_view {
    int rcode;
    bool data;   /* records of the type (n may still be 0: none usable) */
    bool secure; /* DNSSEC-validated */
    bool bogus;
    const char *why_bogus;
    uint32_t ttl;
    const vouch__dns_rdata_t *rr;
    size_t n;
} ub_view_t;

/* Turn a response into an answer. */
static int
make_answer(ub_backend_t *b, uint16_t type, const ub_view_t *v,
            const vouch_dns_answer_t **out)
{
    vouch_dns_rr_t *rr = NULL;
    char *scratch = NULL;
    size_t n = 0, i, total = 0;
    vouch_dns_status_t st;
    vouch_dnssec_t sec =
        v->secure ? VOUCH_DNSSEC_SECURE : VOUCH_DNSSEC_INSECURE;
    const char *why = NULL;
    int rc = 0;

    switch (v->rcode) {
    case 0:
        st = v->data ? VOUCH_DNS_NOERROR : VOUCH_DNS_NODATA;
        break;
    case 3:
        st = VOUCH_DNS_NXDOMAIN;
        break;
    case 5:
        st = VOUCH_DNS_REFUSED;
        why = "the server refused (REFUSED)";
        break;
    case 2:
        st = VOUCH_DNS_SERVFAIL;
        why = "server failure (SERVFAIL)";
        break;
    default:
        st = VOUCH_DNS_SERVFAIL;
        why = "an error response from the server";
        break;
    }
    if (v->bogus) {
        st = VOUCH_DNS_SERVFAIL;
        sec = VOUCH_DNSSEC_BOGUS;
        why = v->why_bogus != NULL ? v->why_bogus
                                   : "DNSSEC validation "
                                     "failed";
    }
    if (st == VOUCH_DNS_NOERROR && v->n > VOUCH_DNS_ANSWER_RR_MAX) {
        st = VOUCH_DNS_SERVFAIL;
        why = "answer with too many records";
    } else if (st == VOUCH_DNS_NOERROR) {
        n = v->n;
        for (i = 0; i < n; i++) {
            total += v->rr[i].len * 4 + 2; /* names may grow by \DDD */
        }
    }
    if (n > 0) {
        rr = vouch__calloc(b->ctx, n, sizeof(*rr));
        scratch = vouch__malloc(b->ctx, total);
        if (rr == NULL || scratch == NULL) {
            rc = VOUCH_ENOMEM;
            goto out;
        }
        total = 0;
        for (i = 0; i < n; i++) {
            size_t cap = v->rr[i].len * 4 + 2;

            if (decode_rdata(type, v->rr[i].data, v->rr[i].len, scratch + total,
                             cap, &rr[i]) != 0) {
                st = VOUCH_DNS_SERVFAIL;
                why = malformed_why(type);
                n = 0;
                break;
            }
            rr[i].ttl = v->ttl;
            total += cap;
        }
    }
    rc = vouch__dns_answer_new(b->ctx, st, sec, v->ttl, rr, n, why, out);
out:
    vouch__free(b->ctx, rr);
    vouch__free(b->ctx, scratch);
    return rc;
}

/* Turn a ub_result into an answer. */
static int
result_answer(ub_backend_t *b, uint16_t type, const struct ub_result *res,
              const vouch_dns_answer_t **out)
{
    vouch__dns_rdata_t *rd = NULL;
    ub_view_t v;
    size_t n = 0, i;
    int rc;

    /* counted up to one over the cap, which make_answer refuses */
    while (res->havedata && res->data[n] != NULL &&
           n <= VOUCH_DNS_ANSWER_RR_MAX) {
        n++;
    }
    if (n > 0 && n <= VOUCH_DNS_ANSWER_RR_MAX) {
        if ((rd = vouch__calloc(b->ctx, n, sizeof(*rd))) == NULL) {
            return VOUCH_ENOMEM;
        }
        for (i = 0; i < n; i++) {
            rd[i].data = (const uint8_t *)res->data[i];
            rd[i].len = (size_t)res->len[i];
        }
    }
    memset(&v, 0, sizeof(v));
    v.rcode = res->rcode;
    v.data = res->havedata != 0;
    v.secure = res->secure != 0;
    v.bogus = res->bogus != 0;
    v.why_bogus = res->why_bogus;
    v.ttl = res->ttl > 0 ? (uint32_t)res->ttl : 0;
    v.rr = rd;
    v.n = n;
    rc = make_answer(b, type, &v, out);
    vouch__free(b->ctx, rd);
    return rc;
}

/* ---- queries
 * ---------------------------------------------------------------------- */

static void
on_result(void *mydata, int err, struct ub_result *result)
{
    ub_slot_t *slot = mydata;

    slot->err = err;
    slot->result = result;
    atomic_store(&slot->done, 1);
    /* ub_process() runs under the backend lock: the owner is asleep or
     * has not checked its flag yet */
    pthread_cond_signal(&slot->wake);
}

/* Presentation form of a normalised name for ub_resolve: every byte that
 * is not a letter, digit, '-' or '_' inside a label becomes \DDD. */
static void
presentation(const char *name, size_t len, char *out)
{
    size_t i, o = 0;

    for (i = 0; i < len; i++) {
        unsigned char c = (unsigned char)name[i];

        if (c == '.' || vouch__is_alnum(c) || c == '-' || c == '_') {
            out[o++] = (char)c;
        } else {
            (void)snprintf(out + o, 5, "\\%03u", c);
            o += 4;
        }
    }
    out[o++] = '.';
    out[o] = '\0';
}

static void
unlink_slot(ub_backend_t *b, ub_slot_t *slot)
{
    ub_slot_t **pp;

    for (pp = &b->waiting; *pp != NULL; pp = &(*pp)->next) {
        if (*pp == slot) {
            *pp = slot->next;
            return;
        }
    }
}

/* Wait for the slot until deadline; false on timeout (query cancelled). */
static bool
wait_slot(ub_backend_t *b, ub_slot_t *slot, int async_id, int64_t deadline)
{
    pthread_mutex_lock(&b->lock);
    while (!atomic_load(&slot->done)) {
        int64_t left = deadline - vouch_dns_monotonic_ms();
        int slice = (int)(left < WAIT_SLICE_MS ? left : WAIT_SLICE_MS);
        struct pollfd pfd;

        if (left <= 0) {
            (void)ub_cancel(b->ub, async_id);
            break;
        }
        if (b->polling) {
            /* the watching thread's ub_process() wakes us */
            struct timespec ts;

            (void)clock_gettime(CLOCK_MONOTONIC, &ts);
            ts.tv_nsec += (long)slice * 1000000L;
            if (ts.tv_nsec >= 1000000000L) {
                ts.tv_sec++;
                ts.tv_nsec -= 1000000000L;
            }
            slot->next = b->waiting;
            b->waiting = slot;
            (void)pthread_cond_timedwait(&slot->wake, &b->lock, &ts);
            unlink_slot(b, slot);
            continue;
        }
        b->polling = true;
        pthread_mutex_unlock(&b->lock);
        pfd.fd = ub_fd(b->ub);
        pfd.events = POLLIN;
        pfd.revents = 0;
        (void)poll(&pfd, 1, slice);
        pthread_mutex_lock(&b->lock);
        b->polling = false;
        if (ub_poll(b->ub)) {
            (void)ub_process(b->ub);
        }
    }
    /* leaving: a sleeping thread takes over the descriptor */
    if (!b->polling && b->waiting != NULL) {
        pthread_cond_signal(&b->waiting->wake);
    }
    pthread_mutex_unlock(&b->lock);
    return atomic_load(&slot->done) != 0;
}

/* ---- lanes: libunbound's event API
 * ------------------------------------------------------------------ */

/* One query of a lane; lives on the lane's stack until answered or
 * cancelled (a cancelled query is never called back). */
typedef struct ev_wait {
    ub_backend_t *b;
    vouch__lane_t *lane; /* set once the lane waits */
    uint16_t type;
    bool done;
    int rc;
    const vouch_dns_answer_t *answer;
} ev_wait_t;

static void
on_event(void *mydata, int rcode, void *pkt, int len, int sec, char *why_bogus,
         int was_ratelimited)
{
    ev_wait_t *w = mydata;
    vouch__dns_wire_t wire;
    ub_view_t v;
    int rc = 0;

    (void)was_ratelimited;
    memset(&v, 0, sizeof(v));
    memset(&wire, 0, sizeof(wire));
    v.rcode = rcode;
    v.secure = sec == 2;
    v.bogus = sec == 1;
    v.why_bogus = why_bogus;
    if (pkt == NULL || len <= 0) {
        /* no response: not a verdict about the name */
        if (v.rcode == 0) {
            v.rcode = 2;
        }
    } else {
        rc = vouch__dns_wire_parse(&wire, w->b->ctx, pkt, (size_t)len, w->type);
    }
    if (rc == VOUCH_ESYNTAX || rc == VOUCH_ETOOBIG) {
        w->rc = vouch__dns_answer_new(
            w->b->ctx, VOUCH_DNS_SERVFAIL, VOUCH_DNSSEC_INSECURE, 0, NULL, 0,
            rc == VOUCH_ETOOBIG ? "answer with too many records"
                                : "malformed response from libunbound",
            &w->answer);
    } else if (rc != 0) {
        w->rc = rc;
    } else {
        if (rcode == 0) {
            v.rcode = wire.rcode; /* the argument only tells errors */
        }
        v.data = wire.n > 0;
        v.ttl = wire.ttl;
        v.rr = wire.rr;
        v.n = wire.n;
        w->rc = make_answer(w->b, w->type, &v, &w->answer);
        vouch__dns_wire_free(&wire);
    }
    w->done = true;
    if (w->lane != NULL) {
        vouch__lane_wake(w->lane);
    }
}

/* The query through the lanes' event-driven context: the lane switches out
 * until the answer or the deadline. */
static int
lane_query(ub_backend_t *b, vouch__lanes_t *lanes, vouch__lane_t *lane,
           const char *pres, uint16_t type, int64_t deadline,
           const vouch_dns_answer_t **out, vouch_error_t *err)
{
    struct ub_ctx *ub = vouch__lanes_backend(lanes)->state;
    ev_wait_t w;
    int async_id = 0, rc;

    memset(&w, 0, sizeof(w));
    w.b = b;
    w.type = type;
    rc = ub_resolve_event(ub, pres, type, 1, &w, on_event, &async_id);
    if (rc != 0) {
        return vouch__dns_answer_new(b->ctx, VOUCH_DNS_SERVFAIL,
                                     VOUCH_DNSSEC_INSECURE, 0, NULL, 0,
                                     ub_strerror(rc), out);
    }
    if (!w.done) { /* not answered at once (local data, libunbound's cache) */
        w.lane = lane;
        /* an answer may come in the round its deadline passed */
        if (!vouch__lane_wait(lanes, lane, deadline) && !w.done) {
            (void)ub_cancel(ub, async_id);
            return vouch__dns_answer_new(b->ctx, VOUCH_DNS_TIMEOUT,
                                         VOUCH_DNSSEC_INSECURE, 0, NULL, 0,
                                         "no answer in time", out);
        }
    }
    if (w.rc != 0) {
        return vouch__error_code(err, w.rc, "dns");
    }
    *out = w.answer;
    return 0;
}

static void
lanes_detach(void *state)
{
    ub_ctx_delete(state);
}

static int
ub_lanes_attach(void *impl, vouch__lanes_t *lanes, vouch_error_t *err)
{
    ub_backend_t *b = impl;
    vouch__lanes_backend_t *lb = vouch__lanes_backend(lanes);
    struct ub_ctx *ub = ub_ctx_create_event(vouch__lanes_base(lanes));
    int rc;

    if (ub == NULL) {
        return vouch__error(err, VOUCH_ENOMEM, "dns", 0,
                            "libunbound: cannot create an event context");
    }
    rc = setup(ub, &b->opts, false, err);
    if (rc != 0) {
        ub_ctx_delete(ub);
        return rc;
    }
    lb->owner = b;
    lb->state = ub;
    lb->detach = lanes_detach;
    return 0;
}

static int
ub_query(void *impl, const char *name, size_t len, uint16_t type,
         int64_t deadline_ms, const vouch_dns_answer_t **out,
         vouch_error_t *err)
{
    ub_backend_t *b = impl;
    char pres[VOUCH_DNS_NAME_MAX * 4 + 2];
    ub_slot_t slot;
    pthread_condattr_t cattr;
    vouch__lanes_t *lanes;
    vouch__lane_t *lane;
    int64_t deadline = vouch_dns_monotonic_ms() + (int64_t)b->timeout_ms;
    int async_id = 0, rc;
    bool done;

    if (deadline_ms != 0 && deadline_ms < deadline) {
        deadline = deadline_ms;
    }
    presentation(name, len, pres);
    lane = vouch__lane_self(&lanes);
    if (lane != NULL && vouch__lanes_backend(lanes)->owner == b) {
        return lane_query(b, lanes, lane, pres, type, deadline, out, err);
    }
    pthread_condattr_init(&cattr);
    pthread_condattr_setclock(&cattr, CLOCK_MONOTONIC);
    pthread_cond_init(&slot.wake, &cattr);
    pthread_condattr_destroy(&cattr);
    atomic_init(&slot.done, 0);
    slot.err = 0;
    slot.result = NULL;
    slot.next = NULL;
    pthread_mutex_lock(&b->lock);
    rc = ub_resolve_async(b->ub, pres, type, 1, &slot, on_result, &async_id);
    pthread_mutex_unlock(&b->lock);
    if (rc != 0) {
        pthread_cond_destroy(&slot.wake);
        return vouch__dns_answer_new(b->ctx, VOUCH_DNS_SERVFAIL,
                                     VOUCH_DNSSEC_INSECURE, 0, NULL, 0,
                                     ub_strerror(rc), out);
    }
    done = wait_slot(b, &slot, async_id, deadline);
    /* done, or cancelled: nothing signals the slot any more */
    pthread_cond_destroy(&slot.wake);
    if (!done) {
        return vouch__dns_answer_new(b->ctx, VOUCH_DNS_TIMEOUT,
                                     VOUCH_DNSSEC_INSECURE, 0, NULL, 0,
                                     "no answer in time", out);
    }
    if (slot.err != 0 || slot.result == NULL) {
        rc = vouch__dns_answer_new(b->ctx, VOUCH_DNS_SERVFAIL,
                                   VOUCH_DNSSEC_INSECURE, 0, NULL, 0,
                                   ub_strerror(slot.err), out);
    } else {
        rc = result_answer(b, type, slot.result, out);
    }
    ub_resolve_free(slot.result);
    if (rc != 0) {
        return vouch__error_code(err, rc, "dns");
    }
    return 0;
}

static void
ub_backend_free(void *impl)
{
    ub_backend_t *b = impl;
    size_t i;

    ub_ctx_delete(b->ub);
    pthread_mutex_destroy(&b->lock);
    for (i = 0; i < VOUCH_ARRAY_LEN(b->strings); i++) {
        vouch__free(b->ctx, b->strings[i]);
    }
    vouch__free(b->ctx, b);
}

static const vouch__dns_backend_t unbound_backend = {
    "unbound",
    ub_query,
    ub_backend_free,
    ub_lanes_attach,
};

/* Point the option *s at a copy of its string, kept in *slot (NULL stays
 * NULL). */
static int
own_string(const vouch_ctx_t *ctx, const char **s, char **slot)
{
    size_t len;

    if (*s == NULL) {
        return 0;
    }
    len = strlen(*s);
    if ((*slot = vouch__malloc(ctx, len + 1)) == NULL) {
        *s = NULL;
        return VOUCH_ENOMEM;
    }
    memcpy(*slot, *s, len + 1);
    *s = *slot;
    return 0;
}

int
vouch_resolver_new_unbound(vouch_resolver_t **out, const vouch_ctx_t *ctx,
                           const vouch_unbound_options_t *opts,
                           vouch_error_t *err)
{
    static const vouch_unbound_options_t defaults = VOUCH_UNBOUND_OPTIONS_INIT;
    ub_backend_t *b;
    int rc;

    *out = NULL;
    if (opts == NULL) {
        opts = &defaults;
    }
    if (opts->version != 1) {
        return vouch__error(err, VOUCH_EINVAL, "dns", 0,
                            "unknown options version %u", opts->version);
    }
    b = vouch__calloc(ctx, 1, sizeof(*b));
    if (b == NULL) {
        return vouch__error_code(err, VOUCH_ENOMEM, "dns");
    }
    b->ctx = ctx;
    b->timeout_ms =
        opts->timeout_ms != 0 ? opts->timeout_ms : VOUCH_DNS_TIMEOUT_MS;
    b->ub = ub_ctx_create();
    if (b->ub == NULL) {
        vouch__free(ctx, b);
        return vouch__error(err, VOUCH_ENOMEM, "dns", 0,
                            "libunbound: cannot create a context");
    }
    pthread_mutex_init(&b->lock, NULL);
    b->opts = *opts;
    if (own_string(ctx, &b->opts.forwarder, &b->strings[0]) != 0 ||
        own_string(ctx, &b->opts.resolv_conf, &b->strings[1]) != 0 ||
        own_string(ctx, &b->opts.trust_anchor_file, &b->strings[2]) != 0 ||
        own_string(ctx, &b->opts.config_file, &b->strings[3]) != 0) {
        ub_backend_free(b);
        return vouch__error_code(err, VOUCH_ENOMEM, "dns");
    }
    rc = setup(b->ub, &b->opts, true, err);
    if (rc != 0) {
        ub_backend_free(b);
        return rc;
    }
    return vouch__resolver_wrap(out, ctx, &unbound_backend, b);
}
