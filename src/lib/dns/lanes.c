/* SPDX-License-Identifier: MIT */
/*
 * dns/lanes.c - many jobs that wait on DNS, on one thread.
 *
 * A thread that answers a query through libunbound's threaded API hands
 * it to libunbound's own thread and sleeps until the answer comes back
 * through a pipe: two thread switches and several system calls per query,
 * which is most of the cost of a bulk audit. Lanes keep the audits
 * written as straight-line code yet drive libunbound's event API from one
 * loop: each lane runs its jobs on its own stack (a ucontext), and a
 * query switches back to the scheduler, which runs the other lanes and
 * then the event loop, which delivers answers and makes their lanes
 * runnable again. One thread then keeps many queries in flight and each
 * wake-up of the loop delivers every answer that has arrived.
 *
 * The scheduler runs on the thread's own stack. Lane stacks are mapped
 * with a guard page below them, so an overflow faults instead of
 * corrupting a neighbour. Under AddressSanitizer every switch is announced
 * to it (its fiber interface), so it knows which stack is in use.
 */
#include <errno.h>
#include <event2/event.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <ucontext.h>
#include <unistd.h>

#include "dns_internal.h"

#if defined(__SANITIZE_ADDRESS__)
#define LANES_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define LANES_ASAN 1
#endif
#endif

#ifdef LANES_ASAN
#include <sanitizer/asan_interface.h>
#endif

/* The pause of a round where every live lane is idle or waits: 1 ms,
 * doubling while no lane gets work, up to 64 ms (a full reorder window
 * can last as long as one slow domain). */
#define IDLE_PAUSE_MS     1
#define IDLE_PAUSE_MAX_MS 64

typedef enum lane_state {
    LANE_RUNNABLE,
    LANE_WAITING, /* for an answer, until woken or its deadline */
    LANE_IDLE,    /* its job had nothing to do: run again next round */
    LANE_DONE
} lane_state_t;

struct vouch__lane {
    ucontext_t uc;
    void *map; /* guard page and stack */
    size_t map_len;
    lane_state_t state;
    int64_t deadline_ms;
    bool woken;
#ifdef LANES_ASAN
    void *fake_stack;
#endif
};

struct vouch__lanes {
    const vouch_ctx_t *ctx;
    vouch_lane_step_t (*job)(void *payload);
    void *payload;
    ucontext_t home; /* the scheduler */
    vouch__lane_t *lane;
    unsigned n;
    vouch__lane_t *running;
    struct event_base *base;
    struct event *timer;
    vouch__lanes_backend_t backend;
    unsigned long steps; /* jobs that did work, ever */
    int64_t idle_pause_ms;
#ifdef LANES_ASAN
    const void *home_bottom;
    size_t home_size;
#endif
};

/* The lanes running on this thread: a query deep inside an audit finds
 * its lane here, as the resolver API has no room to pass it along. */
static _Thread_local vouch__lanes_t *current;

vouch__lane_t *
vouch__lane_self(vouch__lanes_t **lanes)
{
    *lanes = current;
    return current != NULL ? current->running : NULL;
}

void *
vouch__lanes_base(vouch__lanes_t *lanes)
{
    return lanes->base;
}

vouch__lanes_backend_t *
vouch__lanes_backend(vouch__lanes_t *lanes)
{
    return &lanes->backend;
}

/* ---- switching ----------------------------------------------------------- */

/* From the scheduler into lane, until it switches back. */
static void
enter(vouch__lanes_t *ls, vouch__lane_t *lane)
{
#ifdef LANES_ASAN
    void *fake = NULL;

    size_t page = (size_t)sysconf(_SC_PAGESIZE);

    __sanitizer_start_switch_fiber(&fake, (char *)lane->map + page,
                                   lane->map_len - page);
#endif
    ls->running = lane;
    (void)swapcontext(&ls->home, &lane->uc);
    ls->running = NULL;
#ifdef LANES_ASAN
    __sanitizer_finish_switch_fiber(fake, NULL, NULL);
#endif
}

/* From the running lane back to the scheduler. */
static void
leave(vouch__lanes_t *ls, vouch__lane_t *lane)
{
#ifdef LANES_ASAN
    /* a lane that is done leaves for good: its fake stack goes */
    __sanitizer_start_switch_fiber(lane->state == LANE_DONE ? NULL
                                                            : &lane->fake_stack,
                                   ls->home_bottom, ls->home_size);
#endif
    (void)swapcontext(&lane->uc, &ls->home);
#ifdef LANES_ASAN
    __sanitizer_finish_switch_fiber(lane->fake_stack, &ls->home_bottom,
                                    &ls->home_size);
#endif
}

static void
lane_main(void)
{
    vouch__lanes_t *ls = current;
    vouch__lane_t *lane = ls->running;

#ifdef LANES_ASAN
    __sanitizer_finish_switch_fiber(NULL, &ls->home_bottom, &ls->home_size);
#endif
    for (;;) {
        vouch_lane_step_t step = ls->job(ls->payload);

        if (step == VOUCH_LANE_DONE) {
            break;
        }
        if (step == VOUCH_LANE_MORE) {
            ls->steps++;
        } else {
            lane->state = LANE_IDLE;
            leave(ls, lane);
        }
    }
    lane->state = LANE_DONE;
    leave(ls, lane);
}

bool
vouch__lane_wait(vouch__lanes_t *lanes, vouch__lane_t *lane,
                 int64_t deadline_ms)
{
    lane->state = LANE_WAITING;
    lane->deadline_ms = deadline_ms;
    lane->woken = false;
    leave(lanes, lane);
    return lane->woken;
}

void
vouch__lane_wake(vouch__lane_t *lane)
{
    if (lane->state == LANE_WAITING) {
        lane->woken = true;
        lane->state = LANE_RUNNABLE;
    }
}

/* ---- the scheduler ------------------------------------------------------- */

static int
lane_init(vouch__lane_t *lane)
{
    size_t page = (size_t)sysconf(_SC_PAGESIZE);

    lane->map_len = VOUCH_LANE_STACK + page;
    lane->map =
        mmap(NULL, lane->map_len, PROT_READ | PROT_WRITE,
             MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_STACK, -1, 0);
    if (lane->map == MAP_FAILED) {
        lane->map = NULL;
        return VOUCH_ENOMEM;
    }
    if (mprotect(lane->map, page, PROT_NONE) != 0 ||
        getcontext(&lane->uc) != 0) {
        return VOUCH_ENOMEM;
    }
    lane->uc.uc_stack.ss_sp = (char *)lane->map + page;
    lane->uc.uc_stack.ss_size = VOUCH_LANE_STACK;
    lane->uc.uc_link = NULL;
    makecontext(&lane->uc, lane_main, 0);
    lane->state = LANE_RUNNABLE;
    return 0;
}

static void
on_timer(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    (void)arg;
}

/* Wait for answers until the earliest deadline (or a short pause when
 * lanes are idle), then make the lanes past their deadline runnable. */
static void
poll_events(vouch__lanes_t *ls, unsigned waiting, unsigned idle)
{
    int64_t now = vouch_dns_monotonic_ms(), first = 0, wait_ms;
    struct timeval tv;
    unsigned i;

    for (i = 0; i < ls->n; i++) {
        vouch__lane_t *lane = &ls->lane[i];

        if (lane->state == LANE_WAITING && lane->deadline_ms != 0 &&
            (first == 0 || lane->deadline_ms < first)) {
            first = lane->deadline_ms;
        }
    }
    wait_ms = first != 0 ? first - now : VOUCH_DNS_TIMEOUT_MS;
    if (idle > 0 && wait_ms > ls->idle_pause_ms) {
        wait_ms = ls->idle_pause_ms;
    }
    if (wait_ms < 0) {
        wait_ms = 0;
    }
    tv.tv_sec = (time_t)(wait_ms / 1000);
    tv.tv_usec = (suseconds_t)(wait_ms % 1000) * 1000;
    if (waiting > 0) {
        (void)event_add(ls->timer, &tv);
        (void)event_base_loop(ls->base, EVLOOP_ONCE);
    } else {
        struct timespec ts = { tv.tv_sec, tv.tv_usec * 1000L };

        (void)nanosleep(&ts, NULL);
    }
    now = vouch_dns_monotonic_ms();
    for (i = 0; i < ls->n; i++) {
        vouch__lane_t *lane = &ls->lane[i];

        if (lane->state == LANE_IDLE ||
            (lane->state == LANE_WAITING && lane->deadline_ms != 0 &&
             lane->deadline_ms <= now)) {
            lane->state = LANE_RUNNABLE;
        }
    }
}

static void
schedule(vouch__lanes_t *ls)
{
    unsigned long steps = ls->steps;

    ls->idle_pause_ms = IDLE_PAUSE_MS;
    for (;;) {
        unsigned i, waiting = 0, idle = 0, live = 0;

        for (i = 0; i < ls->n; i++) {
            if (ls->lane[i].state == LANE_RUNNABLE) {
                enter(ls, &ls->lane[i]);
            }
        }
        /* counted after the round: a query of one lane may have answered
         * another's (libunbound calls back inside ub_resolve_event) */
        for (i = 0; i < ls->n; i++) {
            waiting += ls->lane[i].state == LANE_WAITING;
            idle += ls->lane[i].state == LANE_IDLE;
            live += ls->lane[i].state != LANE_DONE;
        }
        if (live == 0) {
            return;
        }
        if (ls->steps != steps) {
            ls->idle_pause_ms = IDLE_PAUSE_MS;
        } else if (idle > 0 && ls->idle_pause_ms < IDLE_PAUSE_MAX_MS) {
            ls->idle_pause_ms *= 2;
        }
        steps = ls->steps;
        if (waiting + idle == live) {
            poll_events(ls, waiting, idle);
        }
    }
}

static void
lanes_free(vouch__lanes_t *ls)
{
    unsigned i;

    if (ls->backend.detach != NULL) {
        ls->backend.detach(ls->backend.state);
    }
    if (ls->timer != NULL) {
        event_free(ls->timer);
    }
    if (ls->base != NULL) {
        event_base_free(ls->base);
    }
    for (i = 0; i < ls->n; i++) {
        if (ls->lane[i].map != NULL) {
#ifdef LANES_ASAN
            /* the stack's poison must not outlive its mapping */
            ASAN_UNPOISON_MEMORY_REGION(ls->lane[i].map, ls->lane[i].map_len);
#endif
            (void)munmap(ls->lane[i].map, ls->lane[i].map_len);
        }
    }
    vouch__free(ls->ctx, ls->lane);
    vouch__free(ls->ctx, ls);
}

int
vouch_resolver_lanes_run(vouch_resolver_t *resolver, unsigned lanes,
                         vouch_lane_step_t (*job)(void *payload), void *payload,
                         vouch_error_t *err)
{
    vouch__lanes_t *ls;
    unsigned i;
    int rc;

    if (lanes == 0 || lanes > VOUCH_LANES_MAX || job == NULL) {
        return vouch__error(err, VOUCH_EINVAL, "dns", 0,
                            "lanes: 1 to %u lanes and a job", VOUCH_LANES_MAX);
    }
    if (resolver->ops->lanes_attach == NULL) {
        return vouch__error(err, VOUCH_EINVAL, "dns", 0,
                            "lanes: the resolver does not use libunbound");
    }
    if (current != NULL) {
        return vouch__error(err, VOUCH_EINVAL, "dns", 0,
                            "lanes: already running on this thread");
    }
    ls = vouch__calloc(resolver->ctx, 1, sizeof(*ls));
    if (ls == NULL) {
        return vouch__error_code(err, VOUCH_ENOMEM, "dns");
    }
    ls->ctx = resolver->ctx;
    ls->job = job;
    ls->payload = payload;
    ls->lane = vouch__calloc(resolver->ctx, lanes, sizeof(*ls->lane));
    ls->base = event_base_new();
    if (ls->lane == NULL || ls->base == NULL ||
        (ls->timer = event_new(ls->base, -1, 0, on_timer, NULL)) == NULL) {
        lanes_free(ls);
        return vouch__error_code(err, VOUCH_ENOMEM, "dns");
    }
    for (i = 0; i < lanes; i++) {
        ls->n++;
        if (lane_init(&ls->lane[i]) != 0) {
            lanes_free(ls);
            return vouch__error(err, VOUCH_ENOMEM, "dns", 0,
                                "lanes: cannot map a lane stack: %s",
                                strerror(errno));
        }
    }
    rc = resolver->ops->lanes_attach(resolver->impl, ls, err);
    if (rc != 0) {
        lanes_free(ls);
        return rc;
    }
    current = ls;
    schedule(ls);
    current = NULL;
    lanes_free(ls);
    return 0;
}
